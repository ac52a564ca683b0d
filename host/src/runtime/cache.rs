//! Compiled plugins, cached on disk between runs. Compiling a component
//! with Cranelift takes hundreds of milliseconds; loading the cached
//! artifact takes well under one. The key is the digest of the wasm bytes
//! plus a hash of everything that makes an artifact compatible with this
//! engine (wasmtime version and configuration).

use std::collections::hash_map::DefaultHasher;
use std::fs;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::{Context, Result};
use wasmtime::Engine;
use wasmtime::component::Component;

/// The most the compiled plugins may take on disk: past it, the least
/// recently used are removed until half of it is left. (A Python or
/// JavaScript plugin compiles to tens of MB, and every build of it to a
/// new artifact.)
pub const MAX_COMPILED_BYTES: u64 = 1 << 30;

/// Components larger than this announce their compilation.
const PROGRESS_ABOVE: usize = 4 << 20;

pub(super) struct CompileCache {
    dir: PathBuf,
}

impl CompileCache {
    pub(super) fn new(dir: PathBuf) -> Self {
        CompileCache { dir }
    }

    /// The component for `bytes` (whose sha256 is `digest`): from the cache
    /// when possible, else compiled and stored.
    pub(super) fn load_or_compile(&self, engine: &Engine, bytes: &[u8], digest: &str) -> Result<Component> {
        let mut hasher = DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        let path = self.dir.join(format!("{}-{:016x}.cwasm", &digest[..32.min(digest.len())], hasher.finish()));
        if path.is_file() {
            // SAFETY: the artifact was written by `store` below, by this
            // program, into the user's own cache directory, atomically (write
            // to a temporary file, then rename); wasmtime checks that it was
            // produced by a compatible engine before using it.
            #[allow(unsafe_code)]
            match unsafe { Component::deserialize_file(engine, &path) } {
                Ok(component) => {
                    // Used now: the bound removes the least recently used.
                    let _ =
                        fs::File::options().append(true).open(&path).and_then(|f| f.set_modified(SystemTime::now()));
                    return Ok(component);
                }
                Err(err) => {
                    log::warn!("discarding unusable compiled plugin {}: {err}", path.display());
                    let _ = fs::remove_file(&path);
                }
            }
        }
        // A large component (a Python or JavaScript one is tens of MB)
        // takes a minute to compile on a small machine: say so on a terminal.
        if bytes.len() > PROGRESS_ABOVE && std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            announce_compilation(bytes.len());
        }
        let component = Component::new(engine, bytes)?;
        if let Err(err) = self.store(&component, &path) {
            log::warn!("could not cache compiled plugin at {}: {err:#}", path.display());
        }
        let (removed, _) = prune(&self.dir, MAX_COMPILED_BYTES, MAX_COMPILED_BYTES / 2);
        if removed > 0 {
            log::info!("removed {removed} least recently used compiled plugins from {}", self.dir.display());
        }
        Ok(component)
    }

    fn store(&self, component: &Component, path: &Path) -> Result<()> {
        fs::create_dir_all(&self.dir).with_context(|| format!("failed to create {}", self.dir.display()))?;
        let artifact = component.serialize()?;
        let mut file = tempfile::NamedTempFile::new_in(&self.dir)
            .with_context(|| format!("failed to create a temporary file in {}", self.dir.display()))?;
        file.write_all(&artifact).context("failed to write compiled plugin")?;
        file.persist(path).with_context(|| format!("failed to move compiled plugin to {}", path.display()))?;
        Ok(())
    }
}

/// A progress note for a person at a terminal, not a log line.
#[allow(clippy::disallowed_macros)]
fn announce_compilation(bytes: usize) {
    eprintln!("fledge: compiling a {} MB plugin for this machine (once per build of the plugin)...", bytes >> 20);
}

/// The compiled plugins in `dir`: (path, size, last use).
fn artifacts(dir: &Path) -> Vec<(PathBuf, u64, SystemTime)> {
    let Ok(entries) = fs::read_dir(dir) else { return Vec::new() };
    entries
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "cwasm"))
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            Some((e.path(), meta.len(), meta.modified().unwrap_or(SystemTime::UNIX_EPOCH)))
        })
        .collect()
}

/// When the compiled plugins in `dir` take more than `above` bytes, removes
/// the least recently used until they take at most `down_to`. Returns how
/// many files and bytes were removed.
pub fn prune(dir: &Path, above: u64, down_to: u64) -> (usize, u64) {
    let mut found = artifacts(dir);
    let mut total: u64 = found.iter().map(|(_, size, _)| size).sum();
    if total <= above {
        return (0, 0);
    }
    found.sort_by_key(|(_, _, used)| *used);
    let (mut files, mut bytes) = (0, 0);
    for (path, size, _) in found {
        if total <= down_to {
            break;
        }
        if fs::remove_file(&path).is_ok() {
            total -= size;
            files += 1;
            bytes += size;
        }
    }
    (files, bytes)
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    #[test]
    fn past_the_bound_the_least_recently_used_go_first() {
        let dir = tempfile::tempdir().unwrap();
        let epoch = SystemTime::UNIX_EPOCH;
        for (name, size, used) in [("a.cwasm", 400, 30), ("b.cwasm", 400, 10), ("c.cwasm", 400, 20), ("d.txt", 900, 0)]
        {
            let path = dir.path().join(name);
            std::fs::write(&path, vec![0u8; size]).unwrap();
            let file = std::fs::File::options().append(true).open(&path).unwrap();
            file.set_modified(epoch + Duration::from_secs(used)).unwrap();
        }
        assert_eq!(super::prune(dir.path(), 1200, 600), (0, 0), "at the bound nothing goes");
        assert_eq!(super::prune(dir.path(), 1000, 500), (2, 800));
        let mut left: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        left.sort();
        assert_eq!(left, ["a.cwasm", "d.txt"], "the oldest two artifacts are gone, other files stay");
    }
}

//! Compiled plugins, cached on disk between runs. Compiling a component
//! with Cranelift takes hundreds of milliseconds; loading the cached
//! artifact takes well under one. The key is the digest of the wasm bytes
//! plus a hash of everything that makes an artifact compatible with this
//! engine (wasmtime version and configuration).

use std::collections::hash_map::DefaultHasher;
use std::fs;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use wasmtime::Engine;
use wasmtime::component::Component;

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
                Ok(component) => return Ok(component),
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
        Ok(component)
    }

    fn store(&self, component: &Component, path: &std::path::Path) -> Result<()> {
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

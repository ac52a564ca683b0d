//! `fledge cache clean`: empties the cache directory of what fledge can
//! make again (compiled plugins, plugins' kept results and, with `--all`,
//! the mirrors of remote repositories).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Subcommand;

use super::{default_cache_dir, write_stdout};
use crate::text::{count, human_bytes, printable};

#[derive(Subcommand, Debug)]
pub enum CacheCommand {
    /// Remove the compiled plugins and the plugins' kept results (and, with
    /// --all, the mirrors of remote repositories). Everything is made
    /// again when needed.
    Clean {
        /// Also remove the mirrors of remote repositories (cloned again on
        /// the next check of each).
        #[arg(long)]
        all: bool,
        /// The cache directory (default: the XDG cache directory, e.g.
        /// ~/.cache/fledge).
        #[arg(long, env = "FLEDGE_CACHE_DIR", value_name = "DIR")]
        cache_dir: Option<PathBuf>,
    },
}

pub(super) fn run(command: &CacheCommand) -> Result<ExitCode> {
    let CacheCommand::Clean { all, cache_dir } = command;
    let dir = cache_dir.clone().unwrap_or_else(default_cache_dir);
    let (compiled, compiled_bytes) = crate::runtime::prune_compiled(&dir.join("compiled"), 0, 0);
    let mut parts = vec![format!("{} ({})", count(compiled, "compiled plugin"), human_bytes(compiled_bytes))];
    let mut results_bytes = 0;
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let path = dir.join(format!("results.sqlite{suffix}"));
        if let Ok(meta) = fs::metadata(&path) {
            fs::remove_file(&path).with_context(|| format!("failed to remove {}", path.display()))?;
            results_bytes += meta.len();
        }
    }
    parts.push(format!("the kept results ({})", human_bytes(results_bytes)));
    if *all {
        let mirrors = dir.join("mirrors");
        let bytes = size(&mirrors);
        if mirrors.is_dir() {
            fs::remove_dir_all(&mirrors).with_context(|| format!("failed to remove {}", mirrors.display()))?;
        }
        parts.push(format!("the mirrors ({})", human_bytes(bytes)));
    }
    write_stdout(&format!("removed {} from {}\n", parts.join(", "), printable(&dir.display().to_string())))?;
    Ok(ExitCode::SUCCESS)
}

/// The bytes of the files under `path`.
fn size(path: &Path) -> u64 {
    let Ok(meta) = fs::symlink_metadata(path) else { return 0 };
    if !meta.is_dir() {
        return meta.len();
    }
    fs::read_dir(path).into_iter().flatten().flatten().map(|e| size(&e.path())).sum()
}

//! Everything git: acquiring a repository ([`acquire`]), reading one commit
//! of it ([`snapshot`]), walking its history (`history`), and importing a
//! plain directory as a one-commit repository (`import`).
//!
//! Architecture invariant: no `git2` type leaves this module; the rest of
//! the host sees plain data ([`Snapshot`], [`Reader`] and their records).

pub mod acquire;
mod history;
mod import;
pub mod snapshot;

use std::path::PathBuf;

pub use acquire::{AcquireError, AcquireErrorKind, Target};
pub use import::import_directory;
pub use snapshot::{
    BlobData, CommitInfo, EntryKind, HistoryBlob, Person, ReadError, Reader, Snapshot, TagInfo, TreeEntry,
};

/// How to open a target.
#[derive(Clone, Debug)]
pub struct OpenOptions {
    /// Where remote mirrors live.
    pub cache_dir: PathBuf,
    /// Blobs above this size are never read.
    pub max_blob_bytes: u64,
    /// Path globs left out for every plugin (a bare directory name means
    /// the whole directory).
    pub ignore: Vec<String>,
}

/// Acquires `target` (opening a local repository in place, or mirroring a
/// remote) and snapshots `revision` (default `HEAD`).
pub fn open(target: &Target, revision: Option<&str>, options: &OpenOptions) -> Result<Snapshot, AcquireError> {
    let repo = match target {
        Target::Local(path) => acquire::open_local(path)?,
        Target::Remote(url) => acquire::mirror(url, &options.cache_dir)?,
    };
    let ignore = ignore_set(&options.ignore)
        .map_err(|e| AcquireError::new(AcquireErrorKind::Other, format!("bad ignore pattern: {e}")))?;
    Snapshot::new(&repo, target.display(), revision.unwrap_or("HEAD"), options.max_blob_bytes, ignore.as_ref())
}

/// The glob set for ignore patterns; `vendor` and `vendor/` also match
/// everything below that directory.
pub fn ignore_set(globs: &[String]) -> Result<Option<globset::GlobSet>, globset::Error> {
    if globs.is_empty() {
        return Ok(None);
    }
    let mut builder = globset::GlobSetBuilder::new();
    for glob in globs {
        builder.add(globset::Glob::new(glob)?);
        let dir = glob.trim_end_matches('/');
        if !dir.contains('*') {
            builder.add(globset::Glob::new(&format!("{dir}/**"))?);
        }
    }
    builder.build().map(Some)
}

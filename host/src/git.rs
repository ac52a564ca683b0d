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
    acquire(target, options)?.snapshot(revision, options)
}

/// Opens a local repository in place, or mirrors a remote into the cache
/// (cloning it the first time, fetching after).
pub fn acquire(target: &Target, options: &OpenOptions) -> Result<Acquired, AcquireError> {
    let repo = match target {
        Target::Local(path) => acquire::open_local(path)?,
        Target::Remote(url) => acquire::mirror(url, &options.cache_dir)?,
    };
    Ok(Acquired { repo, source: target.display() })
}

/// An acquired repository, not yet read.
pub struct Acquired {
    repo: git2::Repository,
    source: String,
}

impl Acquired {
    /// The id of the commit `revision` (default `HEAD`) names.
    pub fn resolve(&self, revision: Option<&str>) -> Result<String, AcquireError> {
        snapshot::resolve_commit(&self.repo, &self.source, revision.unwrap_or("HEAD")).map(|c| c.id().to_string())
    }

    /// Reads `revision` (default `HEAD`): its file list, with `options`'
    /// ignores and blob bound.
    pub fn snapshot(&self, revision: Option<&str>, options: &OpenOptions) -> Result<Snapshot, AcquireError> {
        let ignore = ignore_set(&options.ignore)
            .map_err(|e| AcquireError::new(AcquireErrorKind::Other, format!("bad ignore pattern: {e}")))?;
        Snapshot::new(
            &self.repo,
            self.source.clone(),
            revision.unwrap_or("HEAD"),
            options.max_blob_bytes,
            ignore.as_ref(),
        )
    }
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

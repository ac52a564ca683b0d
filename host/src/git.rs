//! Everything git: acquiring a repository ([`acquire`]), reading one commit
//! of it ([`snapshot`]), walking its history (`history`), and importing a
//! plain directory as a one-commit repository (`import`).
//!
//! Architecture invariant: no `git2` type leaves this module; the rest of
//! the host sees plain data ([`Snapshot`], [`Reader`] and their records).

pub mod acquire;
mod history;
mod import;
mod objects;
mod pack;
mod readahead;
mod rewrite;
pub mod snapshot;

use std::path::PathBuf;

pub use acquire::{AcquireError, AcquireErrorKind, Target};
pub use history::Mailmap;
pub use import::import_directory;
pub use rewrite::{RewriteError, RewriteMode, Rewritten, Scrubber};
pub use snapshot::{
    BlobData, CommitInfo, EntryKind, HistoryBlob, HistoryIndex, Person, ReadError, Reader, Snapshot, TagInfo, TreeEntry,
};

/// Sets libgit2's connect and read/write timeouts for every transport
/// (http, https, git, ssh), so that a server that accepts a connection and
/// never answers gives an error instead of a hang. Must be called before
/// any thread is started.
#[allow(unsafe_code)]
pub fn set_network_timeouts(connect: std::time::Duration, io: std::time::Duration) -> Result<(), String> {
    let millis = |d: std::time::Duration| i32::try_from(d.as_millis()).unwrap_or(i32::MAX).max(1);
    // SAFETY: these set C globals without synchronisation; the CLI calls
    // this once, at start-up, before it starts any thread.
    unsafe {
        git2::opts::set_server_connect_timeout_in_milliseconds(millis(connect)).map_err(|e| e.to_string())?;
        git2::opts::set_server_timeout_in_milliseconds(millis(io)).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// What "the history" is for the history index (the distinct blobs that
/// the history checks read).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HistoryScope {
    /// Every commit reachable from any ref (branches, tags, notes, stash,
    /// remote-tracking and other refs): what publishing a repository
    /// publishes.
    #[default]
    AllRefs,
    /// Only the checked commit and its ancestors.
    Checked,
}

impl HistoryScope {
    pub fn as_str(self) -> &'static str {
        match self {
            HistoryScope::AllRefs => "all-refs",
            HistoryScope::Checked => "checked",
        }
    }
}

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
    /// A fetch still transferring at this time is stopped (the scan's
    /// per-repository deadline), so that it frees its slot.
    pub deadline: Option<std::time::Instant>,
    /// Which commits the history index covers.
    pub history: HistoryScope,
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
        Target::Remote(url) => acquire::mirror(url, &options.cache_dir, options.deadline)?,
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
        snapshot::resolve_commit(&self.repo, &self.source, revision.unwrap_or("HEAD")).map(|c| c.to_string())
    }

    /// A digest of every ref and what it points to: changes when any
    /// branch, tag or other ref moves.
    pub fn refs_digest(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        for (name, oid) in snapshot::refs(&self.repo) {
            hasher.update(format!("{name} {oid}\n").as_bytes());
        }
        hex::encode(hasher.finalize())
    }

    /// Writes the scrubbed history of `revision` (default `HEAD`) into a
    /// new bare repository at `dest` (see [`rewrite`]).
    pub fn rewrite(
        &self,
        revision: Option<&str>,
        dest: &std::path::Path,
        mode: &RewriteMode,
        allow_incomplete: bool,
        scrubber: &mut dyn Scrubber,
    ) -> Result<Rewritten, RewriteError> {
        let revision = revision.unwrap_or("HEAD");
        let head = snapshot::resolve_commit(&self.repo, &self.source, revision)
            .map_err(|e| RewriteError::Revision(e.to_string()))?;
        rewrite::rewrite(&self.repo, head, revision, dest, mode, allow_incomplete, scrubber)
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
            options.history,
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

//! [`Snapshot`]: one commit of one repository, read straight from the object
//! database. It holds what every plugin run shares (the file list, and,
//! computed on first use, the commit order, tags and the distinct blobs of
//! the history); a [`Reader`] per plugin run does the reads, on its own
//! `git2::Repository` handle since those are not `Sync`.
//!
//! Every read is bounded by the caller; blobs above the snapshot's hard
//! limit are never inflated.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use git2::{Oid, Repository};
use globset::GlobSet;

use crate::git::HistoryScope;
use crate::git::acquire::{AcquireError, AcquireErrorKind};
use crate::git::history::{CommitWalk, Mailmap};
use crate::git::objects::{Kind, Objects, RawEntry};
use crate::git::readahead::{List, Order, Readahead};
use crate::model::{Gap, GapKind};

/// The largest `.mailmap` read; a larger one is cut there (and said so).
const MAX_MAILMAP_BYTES: u64 = 4 << 20;

/// The kind of a tree entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Executable,
    Symlink,
    Submodule,
}

/// A file of the checked commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeEntry {
    pub path: String,
    pub kind: EntryKind,
    pub size: u64,
    pub id: String,
}

/// Bytes read from a blob.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobData {
    pub id: String,
    pub size: u64,
    pub data: Vec<u8>,
    pub truncated: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub email: String,
    pub time: i64,
    pub offset_minutes: i32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitInfo {
    pub id: String,
    pub parents: Vec<String>,
    pub author: Person,
    pub committer: Person,
    pub summary: String,
    pub trailers: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagInfo {
    pub name: String,
    pub target: String,
    pub time: i64,
    pub annotated: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryBlob {
    pub id: String,
    pub size: u64,
    pub path: String,
    pub commit: String,
    /// The ref through which `commit` was found: the checked revision for
    /// the checked history, else the first ref (by name) that reaches it.
    pub reference: String,
}

/// Why a read failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadError {
    NotFound(String),
    /// The object (by id) is not in the object database.
    Missing(String),
    /// The object is there but cannot be decoded.
    Corrupt(String),
    /// The blob is above the hard size limit for reads.
    TooLarge {
        id: String,
        size: u64,
        limit: u64,
    },
    Invalid(String),
    /// The run's time limit passed during the read.
    Expired,
    /// libgit2 failed otherwise.
    Git(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::NotFound(what) => write!(f, "not found: {what}"),
            ReadError::Missing(id) => write!(f, "object {id} is missing from the object database"),
            ReadError::Corrupt(what) => write!(f, "{what}"),
            ReadError::TooLarge { id, size, limit } => {
                write!(f, "blob {id} is {size} bytes, above the read limit of {limit} bytes")
            }
            ReadError::Invalid(what) => write!(f, "invalid: {what}"),
            ReadError::Expired => write!(f, "the run's time limit was reached"),
            ReadError::Git(what) => write!(f, "repository error: {what}"),
        }
    }
}

impl ReadError {
    /// The gap this error leaves in what was read at `path`, if it is one
    /// (a path that does not exist is an answer, not a gap).
    pub fn gap(&self, path: &str) -> Option<Gap> {
        let (kind, id, bytes) = match self {
            ReadError::Missing(id) => (GapKind::Missing, Some(id.clone()), 0),
            ReadError::Corrupt(_) | ReadError::Git(_) => (GapKind::Corrupt, None, 0),
            ReadError::TooLarge { id, size, .. } => (GapKind::TooLarge, Some(id.clone()), *size),
            ReadError::Expired => (GapKind::Budget, None, 0),
            ReadError::NotFound(_) | ReadError::Invalid(_) => return None,
        };
        let reason = match self {
            ReadError::Missing(_) => "missing object".to_owned(),
            other => other.to_string(),
        };
        Some(Gap { kind, path: path.to_owned(), id, bytes, reason })
    }
}

fn git_err(err: git2::Error) -> ReadError {
    ReadError::Git(err.message().to_owned())
}

/// One commit of one repository, shared by every plugin run on it.
pub struct Snapshot {
    git_dir: PathBuf,
    /// The repository as the user named it (URLs without credentials).
    pub source: String,
    /// The checked commit.
    pub commit: String,
    /// The revision the user asked for.
    pub revision: String,
    /// Committer time of the checked commit.
    pub time: i64,
    pub summary: String,
    files: Vec<TreeEntry>,
    head: Oid,
    mailmap: Mailmap,
    /// Blobs above this size are never read.
    max_blob_bytes: u64,
    /// Paths every plugin ignores.
    ignore: Option<GlobSet>,
    /// Which commits the history index covers.
    pub history_scope: HistoryScope,
    /// Files per lower-cased parent directory (indices into `files`).
    dirs: OnceLock<HashMap<String, Vec<usize>>>,
    /// A path of each blob id of the file list (indices into `files`).
    ids: OnceLock<HashMap<String, usize>>,
    walk: Mutex<CommitWalk>,
    tags: OnceLock<Result<Arc<Vec<TagInfo>>, ReadError>>,
    /// The history index, once complete (a walk cut short by a deadline
    /// is not kept, so the next reader starts again).
    history: Mutex<Option<Result<Arc<HistoryIndex>, ReadError>>>,
    /// Parts of the checked tree that could not be read (missing or
    /// damaged trees and blobs), with their paths.
    pub unread: Vec<Gap>,
    /// Subtrees of the checked tree that could not be listed: the file
    /// list itself is incomplete.
    pub tree_incomplete: bool,
    /// Those subtrees' paths (`""` for the root).
    missing_dirs: Vec<String>,
    /// The repository is a shallow clone (or has grafts): its history ends
    /// before the project's first commit.
    pub shallow: bool,
    /// Problems reading the snapshot that are not about one check.
    pub warnings: Vec<String>,
}

/// The distinct blobs of the history, and the trees of the history that
/// could not be read.
#[derive(Debug, Default)]
pub struct HistoryIndex {
    pub blobs: Vec<HistoryBlob>,
    pub unread: Vec<Gap>,
    /// Refs whose commits were read (the checked revision counts as one).
    pub refs: usize,
    /// Commits whose trees were read.
    pub commits: usize,
    /// Where each blob is in `blobs`, built on first use.
    positions: OnceLock<HashMap<String, usize>>,
}

impl Order for HistoryIndex {
    fn position(&self, id: &str) -> Option<usize> {
        let positions =
            self.positions.get_or_init(|| self.blobs.iter().enumerate().map(|(i, b)| (b.id.clone(), i)).collect());
        positions.get(id).copied()
    }

    fn len(&self) -> usize {
        self.blobs.len()
    }

    fn blob(&self, index: usize) -> Option<(&str, u64)> {
        self.blobs.get(index).map(|b| (b.id.as_str(), b.size))
    }
}

/// The checked tree's files, in the order plugins are given them.
struct Files<'s>(&'s Snapshot);

impl Order for Files<'_> {
    fn position(&self, id: &str) -> Option<usize> {
        self.0.file_index(id)
    }

    fn len(&self) -> usize {
        self.0.files.len()
    }

    fn blob(&self, index: usize) -> Option<(&str, u64)> {
        let entry = self.0.files.get(index)?;
        matches!(entry.kind, EntryKind::File | EntryKind::Executable).then_some((entry.id.as_str(), entry.size))
    }
}

/// Every direct ref of `repo` (branches, tags, notes, stash, remote-tracking
/// and any other ref; symbolic refs such as `HEAD` are left out), sorted by
/// name, with the object each points to. At most 100,000.
pub(crate) fn refs(repo: &Repository) -> Vec<(String, Oid)> {
    let Ok(references) = repo.references() else { return Vec::new() };
    let mut refs: Vec<(String, Oid)> = references
        .take(100_000)
        .filter_map(|r| {
            let r = r.ok()?;
            Some((String::from_utf8_lossy(r.name_bytes()).into_owned(), r.target()?))
        })
        .collect();
    refs.sort();
    refs
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot").field("source", &self.source).field("commit", &self.commit).finish()
    }
}

/// The commit `revision` names in `repo` (shown as `source` in errors).
/// Refs and full ids are resolved without reading objects through
/// libgit2, and the commit is then read with fledge's own bounded reader,
/// so that a damaged repository gets a clear error rather than a hang.
pub(crate) fn resolve_commit(repo: &Repository, source: &str, revision: &str) -> Result<Oid, AcquireError> {
    let unknown =
        || AcquireError::new(AcquireErrorKind::UnknownRevision, format!("unknown revision `{revision}` in {source}"));
    let target = if revision == "HEAD" {
        match repo.head() {
            Ok(head) => head.target().ok_or_else(unknown)?,
            Err(err) if matches!(err.code(), git2::ErrorCode::UnbornBranch | git2::ErrorCode::NotFound) => {
                return Err(AcquireError::new(
                    AcquireErrorKind::NoCommits,
                    format!("repository {source} has no commits"),
                ));
            }
            Err(err) => {
                return Err(AcquireError::new(
                    AcquireErrorKind::Corrupt,
                    format!("cannot read HEAD of {source}: {} (the repository is damaged)", err.message()),
                ));
            }
        }
    } else if revision.len() == 40 && revision.bytes().all(|b| b.is_ascii_hexdigit()) {
        Oid::from_str(revision).map_err(|_| unknown())?
    } else if let Some(oid) = repo.resolve_reference_from_short_name(revision).ok().and_then(|r| r.target()) {
        oid
    } else {
        // Revision syntax (`HEAD~2`, short ids): libgit2 parses it.
        let object = repo.revparse_single(revision).map_err(|err| match (err.code(), err.class()) {
            (git2::ErrorCode::NotFound | git2::ErrorCode::InvalidSpec | git2::ErrorCode::Ambiguous, _)
            | (_, git2::ErrorClass::Reference) => unknown(),
            _ => AcquireError::new(
                AcquireErrorKind::Corrupt,
                format!(
                    "failed to read revision `{revision}` of {source}: {} (the repository is damaged)",
                    err.message()
                ),
            ),
        })?;
        object.id()
    };
    let objects = Objects::new(repo).map_err(|e| AcquireError::new(AcquireErrorKind::Corrupt, e.to_string()))?;
    let commit = objects.peel_to_commit(target).map_err(|err| match err {
        ReadError::Missing(id) if revision == "HEAD" || id != revision => AcquireError::new(
            AcquireErrorKind::Corrupt,
            format!(
                "`{revision}` of {source} points at object {id}, which is missing from the object database (the repository is damaged or incomplete)"
            ),
        ),
        ReadError::Missing(_) => unknown(),
        ReadError::NotFound(_) => AcquireError::new(
            AcquireErrorKind::UnknownRevision,
            format!("revision `{revision}` in {source} is not a commit"),
        ),
        other => AcquireError::new(
            AcquireErrorKind::Corrupt,
            format!("cannot read `{revision}` of {source}: {other} (the repository is damaged)"),
        ),
    })?;
    // The commit itself must be readable: it is what every check is about.
    objects.commit(commit).map_err(|err| {
        AcquireError::new(
            AcquireErrorKind::Corrupt,
            format!("cannot read commit {commit} (`{revision}`) of {source}: {err} (the repository is damaged)"),
        )
    })?;
    Ok(commit)
}

impl Snapshot {
    /// Resolves `revision` in `repo` and lists the files of that commit.
    /// Paths matching `ignore` are left out of the file list and the
    /// history index, for every plugin.
    pub(crate) fn new(
        repo: &Repository,
        source: String,
        revision: &str,
        max_blob_bytes: u64,
        ignore: Option<&GlobSet>,
        history_scope: HistoryScope,
    ) -> Result<Snapshot, AcquireError> {
        let head = resolve_commit(repo, &source, revision)?;
        let corrupt = |err: ReadError| {
            AcquireError::new(
                AcquireErrorKind::Corrupt,
                format!("failed to read commit {head} of {source}: {err} (the repository is damaged)"),
            )
        };
        let objects = Objects::new(repo).map_err(corrupt)?;
        let raw = objects.commit(head).map_err(corrupt)?;
        let tree = crate::git::objects::header_field(&raw, b"tree")
            .and_then(|hex| Oid::from_str(hex).ok())
            .ok_or_else(|| corrupt(ReadError::Corrupt(format!("commit {head} has no tree"))))?;
        let time = crate::git::objects::header_field(&raw, b"committer")
            .and_then(|c| c.rsplit_once("> "))
            .and_then(|(_, when)| when.split_whitespace().next()?.parse().ok())
            .unwrap_or(0);
        let message = raw.windows(2).position(|w| w == b"\n\n").map_or(&[][..], |at| &raw[at + 2..]);
        let summary =
            String::from_utf8_lossy(message.split(|&b| b == b'\n').next().unwrap_or_default()).trim_end().to_owned();
        let mut unread = Vec::new();
        let (mut files, missing_dirs) = list_tree(&objects, tree, &mut unread);
        let tree_incomplete = !missing_dirs.is_empty();
        if let Some(ignore) = ignore {
            files.retain(|f| !ignore.is_match(&f.path));
            unread.retain(|g| !ignore.is_match(&g.path));
        }
        let mut warnings = Vec::new();
        let mailmap = match files.iter().find(|f| f.path == ".mailmap").and_then(|f| Oid::from_str(&f.id).ok()) {
            None => Mailmap::default(),
            Some(oid) => match objects.read(oid, Kind::Blob, MAX_MAILMAP_BYTES) {
                Ok(data) => Mailmap::parse(&String::from_utf8_lossy(&data)),
                Err(err) => {
                    warnings.push(match err {
                        ReadError::TooLarge { size, .. } => format!(
                            ".mailmap is {size} bytes, above the bound of {MAX_MAILMAP_BYTES}: identities are not mapped"
                        ),
                        err => format!(".mailmap could not be read ({err}): identities are not mapped"),
                    });
                    Mailmap::default()
                }
            },
        };
        let git_dir = repo.path();
        let shallow = repo.is_shallow() || git_dir.join("info/grafts").is_file();
        Ok(Snapshot {
            git_dir: git_dir.to_path_buf(),
            source,
            commit: head.to_string(),
            revision: revision.to_owned(),
            time,
            summary,
            files,
            head,
            mailmap,
            max_blob_bytes,
            ignore: ignore.cloned(),
            history_scope,
            dirs: OnceLock::new(),
            ids: OnceLock::new(),
            walk: Mutex::new(CommitWalk::default()),
            tags: OnceLock::new(),
            history: Mutex::new(None),
            unread,
            tree_incomplete,
            missing_dirs,
            shallow,
            warnings,
        })
    }

    /// How much history the history index covered, once some plugin
    /// built it: (refs, commits, distinct blobs).
    pub fn history_coverage(&self) -> Option<(usize, usize, usize)> {
        let slot = self.history.lock().ok()?;
        let index = slot.as_ref()?.as_ref().ok()?;
        Some((index.refs, index.commits, index.blobs.len()))
    }

    /// Every file of the checked commit, sorted by path.
    pub fn files(&self) -> &[TreeEntry] {
        &self.files
    }

    /// The file at `path`.
    pub fn file(&self, path: &str) -> Option<&TreeEntry> {
        self.files.binary_search_by(|e| e.path.as_str().cmp(path)).ok().map(|i| &self.files[i])
    }

    /// The files directly in `dir` (ASCII case-insensitive; `""` is the
    /// root), or anywhere under it when `recursive`, in path order.
    pub fn list_dir(&self, dir: &str, recursive: bool) -> Vec<&TreeEntry> {
        let dir = dir.trim_matches('/');
        if recursive {
            return self.files.iter().filter(|e| is_under(&e.path, dir)).collect();
        }
        let index = self.dirs.get_or_init(|| {
            let mut index: HashMap<String, Vec<usize>> = HashMap::new();
            for (i, entry) in self.files.iter().enumerate() {
                let parent = entry.path.rsplit_once('/').map_or("", |(parent, _)| parent);
                index.entry(parent.to_ascii_lowercase()).or_default().push(i);
            }
            index
        });
        index
            .get(&dir.to_ascii_lowercase())
            .map(|ids| ids.iter().map(|&i| &self.files[i]).collect())
            .unwrap_or_default()
    }

    /// The unlisted subtrees that could hide files from a listing of `dir`
    /// (`None`: the whole tree), of its direct files only unless
    /// `recursive`: the directory itself, an ancestor, or (recursively) a
    /// directory below it.
    pub fn missing_dirs_for(&self, dir: Option<&str>, recursive: bool) -> usize {
        let Some(dir) = dir.map(|d| d.trim_matches('/')) else { return self.missing_dirs.len() };
        self.missing_dirs
            .iter()
            .filter(|missing| {
                let ancestor_or_self =
                    missing.is_empty() || is_under(dir, missing) || missing.eq_ignore_ascii_case(dir);
                ancestor_or_self || (recursive && is_under(missing, dir))
            })
            .count()
    }

    /// A path of the checked tree holding blob `id`, if any.
    pub fn path_of(&self, id: &str) -> Option<&str> {
        self.file_index(id).map(|i| self.files[i].path.as_str())
    }

    /// The index in the file list of a file whose blob is `id`.
    fn file_index(&self, id: &str) -> Option<usize> {
        let index = self.ids.get_or_init(|| self.files.iter().enumerate().map(|(i, f)| (f.id.clone(), i)).collect());
        index.get(id).copied()
    }

    /// The history index, if it was built.
    fn history_built(&self) -> Option<Arc<HistoryIndex>> {
        let slot = self.history.lock().ok()?;
        slot.as_ref()?.as_ref().ok().cloned()
    }

    /// A reader with its own repository handle, for one thread.
    pub fn reader(self: &Arc<Self>) -> Result<Reader, ReadError> {
        let repo =
            Repository::open_bare(&self.git_dir).or_else(|_| Repository::open(&self.git_dir)).map_err(git_err)?;
        let loose_dirs = crate::git::objects::loose_dirs(&repo);
        Ok(Reader {
            snapshot: Arc::clone(self),
            readahead: RefCell::new(Readahead::new(self.git_dir.clone(), loose_dirs.clone(), self.max_blob_bytes)),
            repo,
            deadline: Cell::new(None),
            last_blob: RefCell::new(None),
            loose_dirs,
        })
    }
}

/// The kind of a tree entry's mode; `None` for a subtree.
/// Walks the trees of commits into the history index: each tree once,
/// each blob once, with the path and commit where it first appeared.
struct TreeIndexer<'a> {
    /// The checked tree's files, whose sizes are known already.
    listed: &'a Snapshot,
    ignore: Option<&'a GlobSet>,
    deadline: Option<Instant>,
    seen_trees: HashSet<Oid>,
    seen_blobs: HashSet<Oid>,
}

impl<'a> TreeIndexer<'a> {
    fn new(listed: &'a Snapshot, deadline: Option<Instant>) -> Self {
        TreeIndexer {
            listed,
            ignore: listed.ignore.as_ref(),
            deadline,
            seen_trees: HashSet::new(),
            seen_blobs: HashSet::new(),
        }
    }

    /// The size of blob `oid`: from the checked tree's file list when it
    /// is there (a size of 0 there may stand for a header that could not
    /// be read, so it is read again), else from its header.
    fn size(&self, objects: &Objects<'_>, oid: Oid) -> Result<u64, ReadError> {
        let listed = self.listed.file_index(&oid.to_string()).and_then(|i| self.listed.files.get(i));
        match listed {
            Some(file) if file.size > 0 => Ok(file.size),
            _ => objects.header(oid).map(|(_, size)| size),
        }
    }

    /// Adds the blobs of commit `commit`'s tree `tree` not seen before. A
    /// tree that cannot be read is recorded (with its path and commit) and
    /// the walk goes on.
    fn add(
        &mut self,
        objects: &Objects<'_>,
        commit: Oid,
        tree: Oid,
        reference: &str,
        index: &mut HistoryIndex,
    ) -> Result<(), ReadError> {
        index.commits += 1;
        let commit_id = commit.to_string();
        let mut stack = vec![(tree, String::new())];
        while let Some((tree_id, prefix)) = stack.pop() {
            if !self.seen_trees.insert(tree_id) {
                continue;
            }
            if self.seen_trees.len().is_multiple_of(1024) && self.deadline.is_some_and(|d| Instant::now() >= d) {
                return Err(ReadError::Expired);
            }
            let entries = match objects.tree(tree_id) {
                Ok(entries) => entries,
                Err(err) => {
                    let path = if prefix.is_empty() { "/" } else { prefix.trim_end_matches('/') };
                    if let Some(mut gap) = err.gap(path) {
                        gap.id = Some(tree_id.to_string());
                        gap.reason = format!("directory not read in commit {commit_id}: {}", gap.reason);
                        index.unread.push(gap);
                    }
                    continue;
                }
            };
            for entry in entries {
                let path = format!("{prefix}{}", String::from_utf8_lossy(&entry.name));
                match entry_kind(entry.mode) {
                    None => stack.push((entry.oid, path + "/")),
                    Some(EntryKind::Submodule) => {}
                    Some(_) if self.ignore.is_some_and(|i| i.is_match(&path)) || !self.seen_blobs.insert(entry.oid) => {
                    }
                    Some(_) => {
                        let size = match self.size(objects, entry.oid) {
                            Ok(size) => size,
                            Err(err) => {
                                index.unread.extend(err.gap(&path));
                                0
                            }
                        };
                        index.blobs.push(HistoryBlob {
                            id: entry.oid.to_string(),
                            size,
                            path,
                            commit: commit_id.clone(),
                            reference: reference.to_owned(),
                        });
                    }
                }
            }
        }
        Ok(())
    }
}

fn entry_kind(mode: u32) -> Option<EntryKind> {
    match mode {
        0o100755 => Some(EntryKind::Executable),
        0o120000 => Some(EntryKind::Symlink),
        0o160000 => Some(EntryKind::Submodule),
        0o040000 => None,
        _ => Some(EntryKind::File),
    }
}

/// Every file under `tree`, sorted by path. A subtree or blob that cannot
/// be read is recorded in `unread` (with its path) and the walk goes on; a
/// blob whose header cannot be read is listed with size 0. Returns the
/// paths of the subtrees that could not be listed.
fn list_tree(objects: &Objects<'_>, tree: Oid, unread: &mut Vec<Gap>) -> (Vec<TreeEntry>, Vec<String>) {
    let mut files = Vec::new();
    let mut missing = Vec::new();
    let mut stack = vec![(tree, String::new())];
    while let Some((tree_id, prefix)) = stack.pop() {
        let entries = match objects.tree(tree_id) {
            Ok(entries) => entries,
            Err(err) => {
                missing.push(prefix.trim_end_matches('/').to_owned());
                let path = if prefix.is_empty() { "/".to_owned() } else { prefix.trim_end_matches('/').to_owned() };
                if let Some(mut gap) = err.gap(&path) {
                    gap.id = Some(tree_id.to_string());
                    gap.reason = format!("directory not read: {}", gap.reason);
                    unread.push(gap);
                }
                continue;
            }
        };
        for RawEntry { mode, name, oid } in entries {
            let path = format!("{prefix}{}", String::from_utf8_lossy(&name));
            let Some(kind) = entry_kind(mode) else {
                stack.push((oid, path + "/"));
                continue;
            };
            let size = if kind == EntryKind::Submodule {
                0
            } else {
                match objects.header(oid) {
                    Ok((_, size)) => size,
                    Err(err) => {
                        unread.extend(err.gap(&path));
                        0
                    }
                }
            };
            files.push(TreeEntry { path, kind, size, id: oid.to_string() });
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    (files, missing)
}

/// True when `path` is inside directory `dir` (ASCII case-insensitive).
fn is_under(path: &str, dir: &str) -> bool {
    dir.is_empty()
        || (path.len() > dir.len()
            && path.as_bytes()[dir.len()] == b'/'
            && path.is_char_boundary(dir.len())
            && path[..dir.len()].eq_ignore_ascii_case(dir))
}

/// Reads from a [`Snapshot`] on one thread.
pub struct Reader {
    snapshot: Arc<Snapshot>,
    repo: Repository,
    /// Long reads (walks of the whole history) stop here.
    deadline: Cell<Option<Instant>>,
    /// The last blob read whole, so that reading a large blob in ranges
    /// inflates it once.
    last_blob: RefCell<Option<(Oid, Arc<Vec<u8>>)>>,
    /// Where the repository keeps loose objects, read once.
    loose_dirs: Vec<PathBuf>,
    /// Blobs inflated ahead of the plugin's reads, on another thread.
    readahead: RefCell<Readahead>,
}

impl Reader {
    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    /// Long reads stop with [`ReadError::Expired`] at `deadline`.
    pub fn set_deadline(&self, deadline: Option<Instant>) {
        self.deadline.set(deadline);
    }

    fn objects(&self) -> Result<Objects<'_>, ReadError> {
        Objects::with_loose_dirs(&self.repo, self.loose_dirs.clone())
    }

    /// Up to `max_bytes` of the file at `path` in the checked commit.
    pub fn read_file(&self, path: &str, max_bytes: u64) -> Result<BlobData, ReadError> {
        self.read_file_range(path, 0, max_bytes)
    }

    /// Up to `max_bytes` of the file at `path`, from byte `offset`.
    pub fn read_file_range(&self, path: &str, offset: u64, max_bytes: u64) -> Result<BlobData, ReadError> {
        let entry = self.snapshot.file(path).ok_or_else(|| ReadError::NotFound(path.to_owned()))?;
        if entry.kind == EntryKind::Submodule {
            return Err(ReadError::NotFound(format!("{path} is a submodule")));
        }
        let oid = Oid::from_str(&entry.id).map_err(git_err)?;
        self.read_oid(oid, offset, max_bytes)
    }

    /// Up to `max_bytes` of blob `id`, from byte `offset`.
    pub fn read_blob(&self, id: &str, offset: u64, max_bytes: u64) -> Result<BlobData, ReadError> {
        if id.len() != 40 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ReadError::Invalid(format!("`{id}` is not a full object id")));
        }
        let oid = Oid::from_str(id).map_err(|_| ReadError::Invalid(id.to_owned()))?;
        self.read_oid(oid, offset, max_bytes)
    }

    fn read_oid(&self, oid: Oid, offset: u64, max_bytes: u64) -> Result<BlobData, ReadError> {
        let cached = self.last_blob.borrow().as_ref().filter(|(id, _)| *id == oid).map(|(_, data)| Arc::clone(data));
        let data = match cached {
            Some(data) => data,
            None => {
                let data = match self.read_ahead(oid) {
                    Some(data) => data,
                    None => Arc::new(self.objects()?.read(oid, Kind::Blob, self.snapshot.max_blob_bytes)?),
                };
                // Kept for the next piece, unless read whole in one go
                // (most blobs).
                if offset > 0 || max_bytes < data.len() as u64 {
                    *self.last_blob.borrow_mut() = Some((oid, Arc::clone(&data)));
                }
                data
            }
        };
        let size = data.len() as u64;
        let start = usize::try_from(offset.min(size)).unwrap_or(data.len());
        let take = (data.len() - start).min(usize::try_from(max_bytes).unwrap_or(usize::MAX));
        let truncated = start + take < data.len();
        let data = if start == 0 && !truncated {
            // The whole blob: handed over without a copy when not kept.
            Arc::try_unwrap(data).unwrap_or_else(|kept| kept.as_ref().clone())
        } else {
            data[start..start + take].to_vec()
        };
        Ok(BlobData { id: oid.to_string(), size, data, truncated })
    }

    /// Blob `oid` if it was read ahead; in any case, when the plugin's reads
    /// follow the file list or the history's blobs, the next blobs are
    /// asked for.
    fn read_ahead(&self, oid: Oid) -> Option<Arc<Vec<u8>>> {
        let mut readahead = self.readahead.borrow_mut();
        let data = readahead.take(oid);
        let history = self.snapshot.history_built();
        let files = Files(&self.snapshot);
        let mut lists: Vec<(List, &dyn Order)> = vec![(List::Files, &files)];
        if let Some(history) = history.as_deref() {
            lists.push((List::History, history));
        }
        readahead.follow(&oid.to_string(), &lists);
        data
    }

    /// The entry at `path` in `commit`, which must be the full id of the
    /// checked commit or of a commit of its history (no other refs, no
    /// revision syntax: plugins see the checked commit's world only).
    pub fn entry_at(&self, commit: &str, path: &str) -> Result<Option<TreeEntry>, ReadError> {
        if commit.len() != 40 || !commit.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ReadError::Invalid(format!(
                "`{commit}` is not a full commit id (only commits of the checked history can be read)"
            )));
        }
        let oid = Oid::from_str(commit).map_err(|_| ReadError::Invalid(commit.to_owned()))?;
        if !self.in_history(commit)? {
            return Err(ReadError::NotFound(format!("commit {commit} is not in the history of the checked commit")));
        }
        let objects = self.objects()?;
        let raw = objects.commit(oid)?;
        let mut tree = crate::git::objects::header_field(&raw, b"tree")
            .and_then(|hex| Oid::from_str(hex).ok())
            .ok_or_else(|| ReadError::Corrupt(format!("commit {oid} has no tree")))?;
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        for (i, part) in parts.iter().enumerate() {
            let entries = objects.tree(tree)?;
            let Some(entry) = entries.into_iter().find(|e| e.name == part.as_bytes()) else { return Ok(None) };
            let last = i + 1 == parts.len();
            match (entry_kind(entry.mode), last) {
                (None, false) => tree = entry.oid,
                (None, true) | (Some(_), false) => return Ok(None),
                (Some(kind), true) => {
                    let size = if kind == EntryKind::Submodule { 0 } else { objects.header(entry.oid)?.1 };
                    return Ok(Some(TreeEntry { path: path.to_owned(), kind, size, id: entry.oid.to_string() }));
                }
            }
        }
        Ok(None)
    }

    /// Runs `f` on the commit walk after extending it with `extend`.
    fn with_walk<R>(
        &self,
        extend: impl FnOnce(&mut CommitWalk, &Objects<'_>, Oid, &Mailmap) -> Result<(), ReadError>,
        f: impl FnOnce(&CommitWalk) -> R,
    ) -> Result<R, ReadError> {
        let objects = self.objects()?;
        let mut walk = self.snapshot.walk.lock().map_err(|_| ReadError::Git("commit walk poisoned".to_owned()))?;
        extend(&mut walk, &objects, self.snapshot.head, &self.snapshot.mailmap)?;
        Ok(f(&walk))
    }

    /// True when `commit` (a full id) is the checked commit or one of its
    /// ancestors (as far as the history can be read).
    pub fn in_history(&self, commit: &str) -> Result<bool, ReadError> {
        let Ok(oid) = Oid::from_str(commit) else { return Ok(false) };
        let deadline = self.deadline.get();
        self.with_walk(
            |walk, objects, head, mailmap| {
                walk.extend_until(objects, head, mailmap, deadline, |w| w.index.contains_key(&oid))
            },
            |walk| walk.index.contains_key(&oid),
        )
    }

    /// Where the history ends early, if it does: the repository is
    /// shallow, or parents could not be read.
    pub fn history_cut(&self) -> Option<Gap> {
        let walk = self.snapshot.walk.lock().ok()?;
        if !self.snapshot.shallow && walk.cut_count == 0 {
            return None;
        }
        let reason = match (self.snapshot.shallow, walk.cut.first()) {
            (true, _) => {
                format!("history truncated at {} commits (shallow clone): fetch the full history", walk.produced.len())
            }
            (false, Some((id, why))) => {
                format!("history ends early at {} unreadable parents (first {id}: {why})", walk.cut_count)
            }
            (false, None) => "history ends early".to_owned(),
        };
        Some(Gap { kind: GapKind::Shallow, path: String::new(), id: None, bytes: 0, reason })
    }

    /// A page of commits, newest first.
    pub fn commits(&self, start: u32, limit: u32) -> Result<Vec<CommitInfo>, ReadError> {
        let end = (start as usize).saturating_add(limit as usize);
        let deadline = self.deadline.get();
        self.with_walk(
            |walk, objects, head, mailmap| walk.extend_to(objects, head, mailmap, end, deadline),
            |walk| {
                let start = (start as usize).min(walk.produced.len());
                let end = end.min(walk.produced.len());
                walk.produced[start..end].iter().map(|w| (*w.info).clone()).collect()
            },
        )
    }

    /// Tags whose target commit is reachable from the checked commit.
    pub fn tags(&self) -> Result<Arc<Vec<TagInfo>>, ReadError> {
        self.snapshot
            .tags
            .get_or_init(|| {
                let objects = self.objects()?;
                let mut candidates = Vec::new();
                let references = self.repo.references_glob("refs/tags/*").map_err(git_err)?;
                for reference in references.take(100_000) {
                    let Ok(reference) = reference else { continue };
                    let (Ok(name), Some(target)) = (reference.shorthand().map(str::to_owned), reference.target())
                    else {
                        continue;
                    };
                    let Ok(commit) = objects.peel_to_commit(target) else { continue };
                    candidates.push((name, commit, objects.tagger_time(target)));
                }
                // Reachable tags: walk the history until every tagged commit
                // has been seen (or the history ends).
                let targets: HashSet<Oid> = candidates.iter().map(|c| c.1).collect();
                let reachable: HashMap<Oid, i64> = if targets.is_empty() {
                    HashMap::new()
                } else {
                    self.with_walk(
                        |walk, objects, head, mailmap| {
                            walk.extend_until(objects, head, mailmap, None, |w| {
                                targets.iter().all(|t| w.index.contains_key(t))
                            })
                        },
                        |walk| {
                            targets
                                .iter()
                                .filter_map(|t| walk.index.get(t).map(|&i| (*t, walk.produced[i].info.committer.time)))
                                .collect()
                        },
                    )?
                };
                let mut tags: Vec<TagInfo> = candidates
                    .into_iter()
                    .filter_map(|(name, target, tagger_time)| {
                        let commit_time = *reachable.get(&target)?;
                        Some(TagInfo {
                            name,
                            target: target.to_string(),
                            time: tagger_time.unwrap_or(commit_time),
                            annotated: tagger_time.is_some(),
                        })
                    })
                    .collect();
                tags.sort_by(|a, b| a.time.cmp(&b.time).then_with(|| a.name.cmp(&b.name)));
                Ok(Arc::new(tags))
            })
            .clone()
    }

    /// A page of the distinct blobs of the history, oldest first.
    pub fn history_blobs(&self, start: u32, limit: u32) -> Result<Vec<HistoryBlob>, ReadError> {
        let index = self.history()?;
        let start = (start as usize).min(index.blobs.len());
        let end = start.saturating_add(limit as usize).min(index.blobs.len());
        Ok(index.blobs[start..end].to_vec())
    }

    /// Computes the distinct blobs of the history once per snapshot: commits
    /// oldest first, each tree walked only the first time it is seen, so the
    /// work is proportional to the number of distinct trees and blobs. A
    /// tree that cannot be read is recorded (with its path and commit) and
    /// the walk goes on; a walk stopped by the deadline is not kept.
    pub fn history(&self) -> Result<Arc<HistoryIndex>, ReadError> {
        let mut slot = self.snapshot.history.lock().map_err(|_| ReadError::Git("history index poisoned".to_owned()))?;
        if let Some(done) = slot.as_ref() {
            return done.clone();
        }
        let result = self.build_history();
        if !matches!(result, Err(ReadError::Expired)) {
            *slot = Some(result.clone());
        }
        result
    }

    fn build_history(&self) -> Result<Arc<HistoryIndex>, ReadError> {
        let deadline = self.deadline.get();
        // The checked history, oldest first, with the trees.
        let checked: Vec<(Oid, Oid)> = self.with_walk(
            |walk, objects, head, mailmap| walk.extend_to(objects, head, mailmap, usize::MAX, deadline),
            |walk| walk.produced.iter().rev().map(|w| (w.oid, w.tree)).collect(),
        )?;
        let objects = self.objects()?;
        let mut index = HistoryIndex { refs: 1, ..HistoryIndex::default() };
        let mut trees = TreeIndexer::new(&self.snapshot, deadline);
        for (commit, tree) in &checked {
            trees.add(&objects, *commit, *tree, &self.snapshot.revision, &mut index)?;
        }
        if self.snapshot.history_scope == HistoryScope::AllRefs {
            // Then what only other refs reach, ref by ref (by name), each
            // commit once: a branch never merged, a tag on a rewritten
            // history, notes, a stash.
            let mut walk = CommitWalk::excluding(checked.iter().map(|(commit, _)| *commit).collect());
            for (name, target) in refs(&self.repo) {
                let tip = match objects.peel_to_commit(target) {
                    Ok(tip) => tip,
                    Err(err) => {
                        // A ref whose commit cannot be read (or that names
                        // no commit) is content not read, never skipped.
                        index.unread.push(Gap {
                            kind: GapKind::Missing,
                            path: String::new(),
                            id: Some(target.to_string()),
                            bytes: 0,
                            reason: format!("{name} not read: {err}"),
                        });
                        continue;
                    }
                };
                let start = walk.produced.len();
                walk.extend_from(&objects, tip, &self.snapshot.mailmap, deadline)?;
                if walk.produced.len() > start {
                    index.refs += 1;
                }
                let found: Vec<(Oid, Oid)> = walk.produced[start..].iter().rev().map(|w| (w.oid, w.tree)).collect();
                for (commit, tree) in found {
                    trees.add(&objects, commit, tree, &name, &mut index)?;
                }
            }
            for (id, why) in walk.cut.iter().take(5) {
                index.unread.push(Gap {
                    kind: GapKind::Missing,
                    path: String::new(),
                    id: Some(id.clone()),
                    bytes: 0,
                    reason: format!("commit of another ref not read: {why}"),
                });
            }
        }
        Ok(Arc::new(index))
    }
}

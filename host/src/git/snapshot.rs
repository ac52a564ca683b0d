//! [`Snapshot`]: one commit of one repository, read straight from the object
//! database. It holds what every plugin run shares (the file list, and,
//! computed on first use, the commit order, tags and the distinct blobs of
//! the history); a [`Reader`] per plugin run does the reads, on its own
//! `git2::Repository` handle since those are not `Sync`.
//!
//! Every read is bounded by the caller; blobs above the snapshot's hard
//! limit are never inflated.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use git2::{ObjectType, Oid, Repository};
use globset::GlobSet;

use crate::git::acquire::{AcquireError, AcquireErrorKind};
use crate::git::history::{CommitWalk, Mailmap};

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
}

/// Why a read failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadError {
    NotFound(String),
    /// The blob is above the hard size limit for reads.
    TooLarge {
        id: String,
        size: u64,
        limit: u64,
    },
    Invalid(String),
    /// libgit2 failed: a damaged repository, usually.
    Git(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::NotFound(what) => write!(f, "not found: {what}"),
            ReadError::TooLarge { id, size, limit } => {
                write!(f, "blob {id} is {size} bytes, above the read limit of {limit} bytes")
            }
            ReadError::Invalid(what) => write!(f, "invalid: {what}"),
            ReadError::Git(what) => write!(f, "repository error: {what}"),
        }
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
    /// Files per lower-cased parent directory (indices into `files`).
    dirs: OnceLock<HashMap<String, Vec<usize>>>,
    walk: Mutex<CommitWalk>,
    tags: OnceLock<Result<Arc<Vec<TagInfo>>, ReadError>>,
    history: OnceLock<Result<Arc<Vec<HistoryBlob>>, ReadError>>,
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot").field("source", &self.source).field("commit", &self.commit).finish()
    }
}

/// The commit `revision` names in `repo` (shown as `source` in errors).
pub(crate) fn resolve_commit<'r>(
    repo: &'r Repository,
    source: &str,
    revision: &str,
) -> Result<git2::Commit<'r>, AcquireError> {
    if revision == "HEAD" && (repo.is_empty().unwrap_or(false) || repo.head().is_err()) {
        return Err(AcquireError::new(AcquireErrorKind::NoCommits, format!("repository {source} has no commits")));
    }
    let object = repo.revparse_single(revision).map_err(|err| match (err.code(), err.class()) {
        (git2::ErrorCode::NotFound | git2::ErrorCode::InvalidSpec | git2::ErrorCode::Ambiguous, _)
        | (_, git2::ErrorClass::Reference) => {
            AcquireError::new(AcquireErrorKind::UnknownRevision, format!("unknown revision `{revision}` in {source}"))
        }
        _ => AcquireError::new(
            AcquireErrorKind::Corrupt,
            format!("failed to read revision `{revision}` of {source}: {} (the repository is damaged)", err.message()),
        ),
    })?;
    object.peel_to_commit().map_err(|_| {
        AcquireError::new(
            AcquireErrorKind::UnknownRevision,
            format!("revision `{revision}` in {source} is not a commit"),
        )
    })
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
    ) -> Result<Snapshot, AcquireError> {
        let corrupt = |what: &str, err: git2::Error| {
            AcquireError::new(
                AcquireErrorKind::Corrupt,
                format!("failed to read {what} of {source}: {} (the repository is damaged)", err.message()),
            )
        };
        let commit = resolve_commit(repo, &source, revision)?;
        let tree = commit.tree().map_err(|e| corrupt("the tree", e))?;
        let mut files = list_tree(repo, &tree).map_err(|e| corrupt("the tree", e))?;
        if let Some(ignore) = ignore {
            files.retain(|f| !ignore.is_match(&f.path));
        }
        let mailmap = files
            .iter()
            .find(|f| f.path == ".mailmap")
            .and_then(|f| Oid::from_str(&f.id).ok())
            .and_then(|oid| repo.find_blob(oid).ok())
            .map(|blob| Mailmap::parse(&String::from_utf8_lossy(blob.content())))
            .unwrap_or_default();
        Ok(Snapshot {
            git_dir: repo.path().to_path_buf(),
            source,
            commit: commit.id().to_string(),
            revision: revision.to_owned(),
            time: commit.time().seconds(),
            summary: String::from_utf8_lossy(commit.summary_bytes().unwrap_or_default()).into_owned(),
            files,
            head: commit.id(),
            mailmap,
            max_blob_bytes,
            ignore: ignore.cloned(),
            dirs: OnceLock::new(),
            walk: Mutex::new(CommitWalk::default()),
            tags: OnceLock::new(),
            history: OnceLock::new(),
        })
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

    /// A reader with its own repository handle, for one thread.
    pub fn reader(self: &Arc<Self>) -> Result<Reader, ReadError> {
        let repo =
            Repository::open_bare(&self.git_dir).or_else(|_| Repository::open(&self.git_dir)).map_err(git_err)?;
        Ok(Reader { snapshot: Arc::clone(self), repo })
    }
}

fn list_tree(repo: &Repository, tree: &git2::Tree<'_>) -> Result<Vec<TreeEntry>, git2::Error> {
    let odb = repo.odb()?;
    let mut files = Vec::new();
    let mut failure = None;
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        let kind = match entry.filemode() {
            0o100755 => EntryKind::Executable,
            0o120000 => EntryKind::Symlink,
            0o160000 => EntryKind::Submodule,
            0o040000 => return git2::TreeWalkResult::Ok,
            _ => EntryKind::File,
        };
        let size = if kind == EntryKind::Submodule {
            0
        } else {
            match odb.read_header(entry.id()) {
                Ok((size, _)) => size as u64,
                Err(err) => {
                    failure = Some(err);
                    return git2::TreeWalkResult::Abort;
                }
            }
        };
        let name = String::from_utf8_lossy(entry.name_bytes());
        files.push(TreeEntry { path: format!("{dir}{name}"), kind, size, id: entry.id().to_string() });
        git2::TreeWalkResult::Ok
    })?;
    if let Some(err) = failure {
        return Err(err);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
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
}

impl Reader {
    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    /// Up to `max_bytes` of the file at `path` in the checked commit.
    pub fn read_file(&self, path: &str, max_bytes: u64) -> Result<BlobData, ReadError> {
        let entry = self.snapshot.file(path).ok_or_else(|| ReadError::NotFound(path.to_owned()))?;
        if entry.kind == EntryKind::Submodule {
            return Err(ReadError::NotFound(format!("{path} is a submodule")));
        }
        let oid = Oid::from_str(&entry.id).map_err(git_err)?;
        self.read_oid(oid, max_bytes)
    }

    /// Up to `max_bytes` of blob `id`.
    pub fn read_blob(&self, id: &str, max_bytes: u64) -> Result<BlobData, ReadError> {
        if id.len() != 40 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ReadError::Invalid(format!("`{id}` is not a full object id")));
        }
        let oid = Oid::from_str(id).map_err(|_| ReadError::Invalid(id.to_owned()))?;
        self.read_oid(oid, max_bytes)
    }

    fn read_oid(&self, oid: Oid, max_bytes: u64) -> Result<BlobData, ReadError> {
        let odb = self.repo.odb().map_err(git_err)?;
        let (size, kind) = odb.read_header(oid).map_err(|err| match err.code() {
            git2::ErrorCode::NotFound => ReadError::NotFound(oid.to_string()),
            _ => git_err(err),
        })?;
        if kind != ObjectType::Blob {
            return Err(ReadError::NotFound(format!("{oid} is not a blob")));
        }
        let size = size as u64;
        if size > self.snapshot.max_blob_bytes {
            return Err(ReadError::TooLarge { id: oid.to_string(), size, limit: self.snapshot.max_blob_bytes });
        }
        let object = odb.read(oid).map_err(git_err)?;
        let data = object.data();
        let take = data.len().min(usize::try_from(max_bytes).unwrap_or(usize::MAX));
        Ok(BlobData { id: oid.to_string(), size, data: data[..take].to_vec(), truncated: take < data.len() })
    }

    /// The entry at `path` in `rev` (a commit id or a tag name).
    pub fn entry_at(&self, rev: &str, path: &str) -> Result<Option<TreeEntry>, ReadError> {
        let object = self
            .repo
            .revparse_single(rev)
            .or_else(|_| self.repo.revparse_single(&format!("refs/tags/{rev}")))
            .map_err(|_| ReadError::NotFound(format!("revision {rev}")))?;
        let tree = object.peel_to_tree().map_err(|_| ReadError::NotFound(format!("revision {rev}")))?;
        let entry = match tree.get_path(std::path::Path::new(path)) {
            Ok(entry) => entry,
            Err(err) if err.code() == git2::ErrorCode::NotFound => return Ok(None),
            Err(err) => return Err(git_err(err)),
        };
        let kind = match entry.filemode() {
            0o100755 => EntryKind::Executable,
            0o120000 => EntryKind::Symlink,
            0o160000 => EntryKind::Submodule,
            0o040000 => return Ok(None),
            _ => EntryKind::File,
        };
        let size = if kind == EntryKind::Submodule {
            0
        } else {
            self.repo.odb().and_then(|odb| odb.read_header(entry.id())).map(|(s, _)| s as u64).map_err(git_err)?
        };
        Ok(Some(TreeEntry { path: path.to_owned(), kind, size, id: entry.id().to_string() }))
    }

    /// Runs `f` on the commit walk after extending it with `extend`.
    fn with_walk<R>(
        &self,
        extend: impl FnOnce(&mut CommitWalk, &git2::Odb<'_>, Oid, &Mailmap) -> Result<(), ReadError>,
        f: impl FnOnce(&CommitWalk) -> R,
    ) -> Result<R, ReadError> {
        let odb = self.repo.odb().map_err(git_err)?;
        let mut walk = self.snapshot.walk.lock().map_err(|_| ReadError::Git("commit walk poisoned".to_owned()))?;
        extend(&mut walk, &odb, self.snapshot.head, &self.snapshot.mailmap)?;
        Ok(f(&walk))
    }

    /// A page of commits, newest first.
    pub fn commits(&self, start: u32, limit: u32) -> Result<Vec<CommitInfo>, ReadError> {
        let end = (start as usize).saturating_add(limit as usize);
        self.with_walk(
            |walk, odb, head, mailmap| walk.extend_to(odb, head, mailmap, end),
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
                let mut candidates = Vec::new();
                let references = self.repo.references_glob("refs/tags/*").map_err(git_err)?;
                for reference in references {
                    let reference = reference.map_err(git_err)?;
                    let Ok(name) = reference.shorthand().map(str::to_owned) else { continue };
                    let Ok(commit) = reference.peel_to_commit() else { continue };
                    let annotated = reference.peel_to_tag().ok();
                    let time = annotated
                        .as_ref()
                        .and_then(|tag| tag.tagger().map(|t| t.when().seconds()))
                        .unwrap_or_else(|| commit.time().seconds());
                    candidates.push((name, commit.id(), time, annotated.is_some()));
                }
                // Reachable tags: walk the history until every tagged commit
                // has been seen (or the history ends).
                let targets: HashSet<Oid> = candidates.iter().map(|c| c.1).collect();
                let reachable: HashSet<Oid> = if targets.is_empty() {
                    HashSet::new()
                } else {
                    self.with_walk(
                        |walk, odb, head, mailmap| {
                            walk.extend_until(odb, head, mailmap, |w| targets.iter().all(|t| w.index.contains_key(t)))
                        },
                        |walk| targets.iter().filter(|t| walk.index.contains_key(t)).copied().collect(),
                    )?
                };
                let mut tags: Vec<TagInfo> = candidates
                    .into_iter()
                    .filter(|(_, target, _, _)| reachable.contains(target))
                    .map(|(name, target, time, annotated)| TagInfo {
                        name,
                        target: target.to_string(),
                        time,
                        annotated,
                    })
                    .collect();
                tags.sort_by(|a, b| a.time.cmp(&b.time).then_with(|| a.name.cmp(&b.name)));
                Ok(Arc::new(tags))
            })
            .clone()
    }

    /// A page of the distinct blobs of the history, oldest first.
    pub fn history_blobs(&self, start: u32, limit: u32) -> Result<Vec<HistoryBlob>, ReadError> {
        let all = self.history()?;
        let start = (start as usize).min(all.len());
        let end = start.saturating_add(limit as usize).min(all.len());
        Ok(all[start..end].to_vec())
    }

    /// Computes the distinct blobs of the history once per snapshot: commits
    /// oldest first, each tree walked only the first time it is seen, so the
    /// work is proportional to the number of distinct trees and blobs.
    fn history(&self) -> Result<Arc<Vec<HistoryBlob>>, ReadError> {
        self.snapshot
            .history
            .get_or_init(|| {
                // Commits oldest first, with their trees.
                let commits: Vec<(String, Oid)> = self.with_walk(
                    |walk, odb, head, mailmap| walk.extend_to(odb, head, mailmap, usize::MAX),
                    |walk| walk.produced.iter().rev().map(|w| (w.info.id.clone(), w.tree)).collect(),
                )?;
                let odb = self.repo.odb().map_err(git_err)?;
                let mut seen_trees = HashSet::new();
                let mut seen_blobs = HashSet::new();
                let mut out = Vec::new();
                for (commit_id, tree) in commits {
                    let mut stack = vec![(tree, String::new())];
                    while let Some((tree_id, prefix)) = stack.pop() {
                        if !seen_trees.insert(tree_id) {
                            continue;
                        }
                        let tree = self.repo.find_tree(tree_id).map_err(git_err)?;
                        for entry in tree.iter() {
                            let name = String::from_utf8_lossy(entry.name_bytes());
                            match entry.kind() {
                                Some(ObjectType::Tree) => stack.push((entry.id(), format!("{prefix}{name}/"))),
                                Some(ObjectType::Blob)
                                    if self
                                        .snapshot
                                        .ignore
                                        .as_ref()
                                        .is_none_or(|i| !i.is_match(format!("{prefix}{name}")))
                                        && seen_blobs.insert(entry.id()) =>
                                {
                                    let size = odb.read_header(entry.id()).map(|(s, _)| s as u64).map_err(git_err)?;
                                    out.push(HistoryBlob {
                                        id: entry.id().to_string(),
                                        size,
                                        path: format!("{prefix}{name}"),
                                        commit: commit_id.clone(),
                                    });
                                }
                                _ => {}
                            }
                        }
                    }
                }
                Ok(Arc::new(out))
            })
            .clone()
    }
}

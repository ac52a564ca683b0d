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
use std::sync::{Arc, OnceLock};

use git2::{ObjectType, Oid, Repository, Sort};

use crate::git::acquire::{AcquireError, AcquireErrorKind};

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
    mailmap: Vec<u8>,
    /// Blobs above this size are never read.
    max_blob_bytes: u64,
    /// Files per lower-cased parent directory (indices into `files`).
    dirs: OnceLock<HashMap<String, Vec<usize>>>,
    commit_order: OnceLock<Result<Arc<Vec<Oid>>, ReadError>>,
    tags: OnceLock<Result<Arc<Vec<TagInfo>>, ReadError>>,
    history: OnceLock<Result<Arc<Vec<HistoryBlob>>, ReadError>>,
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot").field("source", &self.source).field("commit", &self.commit).finish()
    }
}

impl Snapshot {
    /// Resolves `revision` in `repo` and lists the files of that commit.
    pub(crate) fn new(
        repo: &Repository,
        source: String,
        revision: &str,
        max_blob_bytes: u64,
    ) -> Result<Snapshot, AcquireError> {
        let corrupt = |what: &str, err: git2::Error| {
            AcquireError::new(
                AcquireErrorKind::Corrupt,
                format!("failed to read {what} of {source}: {} (the repository is damaged)", err.message()),
            )
        };
        if revision == "HEAD" && (repo.is_empty().unwrap_or(false) || repo.head().is_err()) {
            return Err(AcquireError::new(AcquireErrorKind::NoCommits, format!("repository {source} has no commits")));
        }
        let object = repo.revparse_single(revision).map_err(|err| match (err.code(), err.class()) {
            (git2::ErrorCode::NotFound | git2::ErrorCode::InvalidSpec | git2::ErrorCode::Ambiguous, _)
            | (_, git2::ErrorClass::Reference) => AcquireError::new(
                AcquireErrorKind::UnknownRevision,
                format!("unknown revision `{revision}` in {source}"),
            ),
            _ => corrupt(&format!("revision `{revision}`"), err),
        })?;
        let commit = object.peel_to_commit().map_err(|_| {
            AcquireError::new(
                AcquireErrorKind::UnknownRevision,
                format!("revision `{revision}` in {source} is not a commit"),
            )
        })?;
        let tree = commit.tree().map_err(|e| corrupt("the tree", e))?;
        let files = list_tree(repo, &tree).map_err(|e| corrupt("the tree", e))?;
        let mailmap = files
            .iter()
            .find(|f| f.path == ".mailmap")
            .and_then(|f| Oid::from_str(&f.id).ok())
            .and_then(|oid| repo.find_blob(oid).ok())
            .map(|blob| blob.content().to_vec())
            .unwrap_or_default();
        Ok(Snapshot {
            git_dir: repo.path().to_path_buf(),
            source,
            commit: commit.id().to_string(),
            revision: revision.to_owned(),
            time: commit.time().seconds(),
            summary: String::from_utf8_lossy(commit.summary_bytes().unwrap_or_default()).into_owned(),
            files,
            mailmap,
            max_blob_bytes,
            dirs: OnceLock::new(),
            commit_order: OnceLock::new(),
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
        let mailmap = Mailmap::parse(&String::from_utf8_lossy(&self.mailmap));
        Ok(Reader { snapshot: Arc::clone(self), repo, mailmap })
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
    mailmap: Mailmap,
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

    /// The commits reachable from the checked commit, newest first.
    fn commit_order(&self) -> Result<Arc<Vec<Oid>>, ReadError> {
        self.snapshot
            .commit_order
            .get_or_init(|| {
                let mut walk = self.repo.revwalk().map_err(git_err)?;
                walk.set_sorting(Sort::TIME).map_err(git_err)?;
                walk.push(Oid::from_str(&self.snapshot.commit).map_err(git_err)?).map_err(git_err)?;
                let order: Result<Vec<Oid>, _> = walk.collect();
                Ok(Arc::new(order.map_err(git_err)?))
            })
            .clone()
    }

    /// A page of commits, newest first.
    pub fn commits(&self, start: u32, limit: u32) -> Result<Vec<CommitInfo>, ReadError> {
        let order = self.commit_order()?;
        let start = (start as usize).min(order.len());
        let end = start.saturating_add(limit as usize).min(order.len());
        order[start..end].iter().map(|oid| self.commit_info(*oid)).collect()
    }

    fn commit_info(&self, oid: Oid) -> Result<CommitInfo, ReadError> {
        let commit = self.repo.find_commit(oid).map_err(git_err)?;
        let person = |sig: git2::Signature<'_>| {
            let (name, email) = self.mailmap.resolve(
                String::from_utf8_lossy(sig.name_bytes()).into_owned(),
                String::from_utf8_lossy(sig.email_bytes()).into_owned(),
            );
            Person { name, email, time: sig.when().seconds(), offset_minutes: sig.when().offset_minutes() }
        };
        let message = String::from_utf8_lossy(commit.message_bytes());
        let trailers = git2::message_trailers_strs(&message)
            .map(|t| t.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect())
            .unwrap_or_default();
        Ok(CommitInfo {
            id: oid.to_string(),
            parents: commit.parent_ids().map(|p| p.to_string()).collect(),
            author: person(commit.author()),
            committer: person(commit.committer()),
            summary: message.lines().next().unwrap_or_default().to_owned(),
            trailers,
        })
    }

    /// Tags whose target commit is reachable from the checked commit.
    pub fn tags(&self) -> Result<Arc<Vec<TagInfo>>, ReadError> {
        self.snapshot
            .tags
            .get_or_init(|| {
                let reachable: HashSet<Oid> = self.commit_order()?.iter().copied().collect();
                let mut tags = Vec::new();
                let references = self.repo.references_glob("refs/tags/*").map_err(git_err)?;
                for reference in references {
                    let reference = reference.map_err(git_err)?;
                    let Ok(name) = reference.shorthand().map(str::to_owned) else { continue };
                    let Ok(commit) = reference.peel_to_commit() else { continue };
                    if !reachable.contains(&commit.id()) {
                        continue;
                    }
                    let annotated = reference.peel_to_tag().ok();
                    let time = annotated
                        .as_ref()
                        .and_then(|tag| tag.tagger().map(|t| t.when().seconds()))
                        .unwrap_or_else(|| commit.time().seconds());
                    tags.push(TagInfo { name, target: commit.id().to_string(), time, annotated: annotated.is_some() });
                }
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
                let order = self.commit_order()?;
                let odb = self.repo.odb().map_err(git_err)?;
                let mut seen_trees = HashSet::new();
                let mut seen_blobs = HashSet::new();
                let mut out = Vec::new();
                for oid in order.iter().rev() {
                    let commit = self.repo.find_commit(*oid).map_err(git_err)?;
                    let commit_id = oid.to_string();
                    let mut stack = vec![(commit.tree_id(), String::new())];
                    while let Some((tree_id, prefix)) = stack.pop() {
                        if !seen_trees.insert(tree_id) {
                            continue;
                        }
                        let tree = self.repo.find_tree(tree_id).map_err(git_err)?;
                        for entry in tree.iter() {
                            let name = String::from_utf8_lossy(entry.name_bytes());
                            match entry.kind() {
                                Some(ObjectType::Tree) => stack.push((entry.id(), format!("{prefix}{name}/"))),
                                Some(ObjectType::Blob) if seen_blobs.insert(entry.id()) => {
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

/// A parsed `.mailmap` (see gitmailmap(5)): maps the name and e-mail a
/// commit carries to the canonical ones.
#[derive(Clone, Debug, Default)]
pub struct Mailmap {
    entries: Vec<MailmapEntry>,
}

#[derive(Clone, Debug)]
struct MailmapEntry {
    name: Option<String>,
    email: Option<String>,
    commit_name: Option<String>,
    commit_email: String,
}

impl Mailmap {
    /// Parses the lines `Name <email>`, `<email> <commit-email>`,
    /// `Name <email> <commit-email>` and `Name <email> Commit Name <commit-email>`.
    pub fn parse(text: &str) -> Mailmap {
        let mut entries = Vec::new();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or_default();
            let mut parts = Vec::new();
            let mut rest = line;
            while let Some(open) = rest.find('<') {
                let Some(close) = rest[open..].find('>') else { break };
                let name = rest[..open].trim();
                parts.push((
                    (!name.is_empty()).then(|| name.to_owned()),
                    rest[open + 1..open + close].trim().to_owned(),
                ));
                rest = &rest[open + close + 1..];
            }
            let entry = match parts.as_slice() {
                [(name, email)] => {
                    MailmapEntry { name: name.clone(), email: None, commit_name: None, commit_email: email.clone() }
                }
                [(name, email), (commit_name, commit_email)] => MailmapEntry {
                    name: name.clone(),
                    email: Some(email.clone()),
                    commit_name: commit_name.clone(),
                    commit_email: commit_email.clone(),
                },
                _ => continue,
            };
            entries.push(entry);
        }
        Mailmap { entries }
    }

    /// The canonical name and e-mail for a commit's `name` and `email`.
    pub fn resolve(&self, name: String, email: String) -> (String, String) {
        let found = self
            .entries
            .iter()
            .filter(|e| e.commit_email.eq_ignore_ascii_case(&email))
            .filter(|e| e.commit_name.as_ref().is_none_or(|n| n.eq_ignore_ascii_case(&name)))
            .max_by_key(|e| e.commit_name.is_some());
        match found {
            Some(entry) => (entry.name.clone().unwrap_or(name), entry.email.clone().unwrap_or(email)),
            None => (name, email),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Mailmap;

    #[test]
    fn mailmap_forms() {
        let map = Mailmap::parse(
            "# comment\nAlice Doe <alice@example.com>\n<bob@example.com> <bob@old.example>\n\
             Carol <carol@example.com> <c@home.example>\nDan <dan@example.com> dan-laptop <root@localhost>\n",
        );
        let resolve = |n: &str, e: &str| map.resolve(n.to_owned(), e.to_owned());
        assert_eq!(resolve("alice", "ALICE@example.com"), ("Alice Doe".to_owned(), "ALICE@example.com".to_owned()));
        assert_eq!(resolve("Bob", "bob@old.example"), ("Bob".to_owned(), "bob@example.com".to_owned()));
        assert_eq!(resolve("c", "c@home.example"), ("Carol".to_owned(), "carol@example.com".to_owned()));
        assert_eq!(resolve("dan-laptop", "root@localhost"), ("Dan".to_owned(), "dan@example.com".to_owned()));
        assert_eq!(resolve("eve", "root@localhost"), ("eve".to_owned(), "root@localhost".to_owned()));
    }
}

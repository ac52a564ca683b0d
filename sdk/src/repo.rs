//! The repository as a plugin sees it: [`Repo`], a read-only view of one
//! commit, and the helpers every check needs (conventional file names, globs,
//! bounded text reads, paged history).
//!
//! A [`Repo`] reads through a [`Source`]: the host inside the sandbox, or
//! [`testing::MemRepo`](crate::testing::MemRepo) in native unit tests.

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::Error;
use crate::text;

/// Directories where projects conventionally keep community files, in the
/// order they are searched: the root, `.github/`, `docs/`, `doc/`, `.gitlab/`.
pub const CONVENTIONAL_DIRS: &[&str] = &["", ".github", "docs", "doc", ".gitlab"];

/// The default bound of [`Repo::read_text`]: 1 MiB.
pub const DEFAULT_TEXT_LIMIT: u64 = 1 << 20;

/// The kind of a tree entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A file with the executable bit.
    Executable,
    /// A symbolic link; its contents are the link target.
    Symlink,
    /// A submodule (gitlink); it has no contents here.
    Submodule,
}

/// One file at the checked commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeEntry {
    /// Slash-separated path from the repository root.
    pub path: String,
    /// The kind of entry.
    pub kind: EntryKind,
    /// Size in bytes.
    pub size: u64,
    /// The blob id (the commit id for a submodule).
    pub id: String,
}

impl TreeEntry {
    /// The last path component.
    pub fn name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }

    /// The directory part of the path (`""` for the root).
    pub fn dir(&self) -> &str {
        self.path.rsplit_once('/').map_or("", |(dir, _)| dir)
    }

    /// True for regular and executable files (not links or submodules).
    pub fn is_file(&self) -> bool {
        matches!(self.kind, EntryKind::File | EntryKind::Executable)
    }
}

/// Contents read from the repository.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blob {
    /// The blob id.
    pub id: String,
    /// The full size of the blob.
    pub size: u64,
    /// The bytes read (at most the bound asked for).
    pub data: Vec<u8>,
    /// True when `data` is only a prefix of the blob.
    pub truncated: bool,
}

/// An author or committer, mapped through `.mailmap`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// Name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Seconds since the Unix epoch.
    pub time: i64,
    /// UTC offset in minutes.
    pub offset_minutes: i32,
}

/// A commit of the history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Commit {
    /// Commit id.
    pub id: String,
    /// Parent ids.
    pub parents: Vec<String>,
    /// Author.
    pub author: Signature,
    /// Committer.
    pub committer: Signature,
    /// First line of the message.
    pub summary: String,
    /// Message trailers as `(key, value)`.
    pub trailers: Vec<(String, String)>,
}

/// A tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tag {
    /// Tag name without `refs/tags/`.
    pub name: String,
    /// The commit it points to.
    pub target: String,
    /// Tagger time, or the commit time for lightweight tags.
    pub time: i64,
    /// True for annotated tags.
    pub annotated: bool,
}

/// The commit being checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    /// Commit id.
    pub commit: String,
    /// The revision the user asked for.
    pub revision: String,
    /// Committer time: the "now" of every check.
    pub time: i64,
    /// First line of the message.
    pub summary: String,
    /// The history ends early (shallow clone): history-based results are partial.
    pub shallow: bool,
}

/// A distinct blob of the history, where it first appeared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryBlob {
    /// Blob id.
    pub id: String,
    /// Size in bytes.
    pub size: u64,
    /// The path under which it first appeared.
    pub path: String,
    /// The oldest commit that introduced it.
    pub commit: String,
    /// The ref through which that commit was found (`HEAD`, or the checked
    /// revision, for the checked history; `refs/heads/wip` for a commit
    /// only another ref reaches).
    pub reference: String,
}

/// Why the host refused a read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RepoError {
    /// No such path, blob or revision.
    NotFound(String),
    /// The content exists but its object is missing or damaged; the host
    /// counts it as not read.
    Missing(String),
    /// The policy denies the capability this read needs.
    Denied(String),
    /// The run's read budget is spent.
    LimitExceeded(String),
    /// A malformed argument.
    Invalid(String),
}

impl fmt::Display for RepoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RepoError::NotFound(what) => write!(f, "not found: {what}"),
            RepoError::Missing(what) => write!(f, "unreadable: {what}"),
            RepoError::Denied(what) => write!(f, "denied: {what}"),
            RepoError::LimitExceeded(what) => write!(f, "limit exceeded: {what}"),
            RepoError::Invalid(what) => write!(f, "invalid argument: {what}"),
        }
    }
}

impl std::error::Error for RepoError {}

/// Where a [`Repo`] reads from. Implemented by the host bindings inside the
/// sandbox and by [`testing::MemRepo`](crate::testing::MemRepo); plugin code
/// does not implement it.
pub trait Source {
    /// The checked commit.
    fn head(&self) -> Head;
    /// Every file at the checked commit, sorted by path.
    fn files(&self) -> Result<Vec<TreeEntry>, RepoError>;
    /// The files in `dir` (ASCII case-insensitive), or under it when `recursive`.
    fn list_dir(&self, dir: &str, recursive: bool) -> Result<Vec<TreeEntry>, RepoError>;
    /// The file at exactly `path`.
    fn entry(&self, path: &str) -> Result<Option<TreeEntry>, RepoError>;
    /// The entry at `path` in `commit`.
    fn entry_at(&self, commit: &str, path: &str) -> Result<Option<TreeEntry>, RepoError>;
    /// Up to `max_bytes` of the file at `path`.
    fn read_file(&self, path: &str, max_bytes: u64) -> Result<Blob, RepoError>;
    /// Up to `max_bytes` of blob `id`.
    fn read_blob(&self, id: &str, max_bytes: u64) -> Result<Blob, RepoError>;
    /// Up to `max_bytes` of blob `id` from byte `offset`.
    fn read_blob_range(&self, id: &str, offset: u64, max_bytes: u64) -> Result<Blob, RepoError>;
    /// The following reads are for check `id` (the host charges what it
    /// cannot read to it).
    fn begin_check(&self, _id: &str) {}
    /// A result stored under `key` by an earlier run of this plugin build
    /// with this configuration.
    fn cache_get(&self, _key: &str) -> Option<Vec<u8>> {
        None
    }
    /// Keeps `value` under `key` for later runs.
    fn cache_put(&self, _key: &str, _value: &[u8]) {}
    /// A page of commits, newest first.
    fn commits(&self, start: u32, limit: u32) -> Result<Vec<Commit>, RepoError>;
    /// Tags reachable from the checked commit.
    fn tags(&self) -> Result<Vec<Tag>, RepoError>;
    /// A page of the distinct blobs of the history, oldest first.
    fn history_blobs(&self, start: u32, limit: u32) -> Result<Vec<HistoryBlob>, RepoError>;
}

/// Files of a directory, each with its normalised name.
type Listing = Rc<Vec<(String, TreeEntry)>>;

struct Shared {
    source: Box<dyn Source>,
    files: OnceCell<Result<Vec<TreeEntry>, RepoError>>,
    /// Directory listings asked of the host, by (lower-cased dir, recursive),
    /// each file with its normalised name: lookups in a few conventional
    /// places never transfer or rescan the whole tree.
    dirs: RefCell<HashMap<(String, bool), Listing>>,
    /// Once the whole tree is loaded: the indices in it of each (lower-cased)
    /// directory's files, built in one pass, so that listing every
    /// directory costs one pass over the tree, not one per directory.
    by_dir: OnceCell<HashMap<String, Vec<usize>>>,
    /// Single entries asked of the host.
    entries: RefCell<HashMap<String, Option<TreeEntry>>>,
}

/// A read-only view of the repository at the checked commit.
///
/// The view a check receives already leaves out the paths that check must
/// ignore (from the policy); [`Repo::all_files`] sees everything.
#[derive(Clone)]
pub struct Repo {
    shared: Rc<Shared>,
    ignore: Option<Rc<GlobSet>>,
}

impl Repo {
    /// A view over `source` with nothing ignored.
    pub fn new(source: Box<dyn Source>) -> Self {
        Repo {
            shared: Rc::new(Shared {
                source,
                files: OnceCell::new(),
                dirs: RefCell::new(HashMap::new()),
                by_dir: OnceCell::new(),
                entries: RefCell::new(HashMap::new()),
            }),
            ignore: None,
        }
    }

    /// The same repository, additionally ignoring paths that match `globs`
    /// (`vendor/**`, `**/testdata/**`).
    ///
    /// ```
    /// let repo = fledge_sdk::testing::MemRepo::new().file("src/a.rs", "").file("vendor/b.rs", "").into_repo();
    /// let own = repo.with_ignore(&["vendor"]).unwrap();
    /// assert_eq!(own.files().unwrap().map(|e| e.path.as_str()).collect::<Vec<_>>(), ["src/a.rs"]);
    /// ```
    pub fn with_ignore<S: AsRef<str>>(&self, globs: &[S]) -> Result<Repo, Error> {
        if globs.is_empty() {
            return Ok(self.clone());
        }
        let mut builder = GlobSetBuilder::new();
        for glob in globs {
            let glob = glob.as_ref();
            builder.add(Glob::new(glob).map_err(|e| Error::new(format!("bad ignore glob `{glob}`: {e}")))?);
            // `vendor` or `vendor/` ignores the whole directory.
            let dir = glob.trim_end_matches('/');
            if !dir.contains('*') {
                builder.add(
                    Glob::new(&format!("{dir}/**"))
                        .map_err(|e| Error::new(format!("bad ignore glob `{glob}`: {e}")))?,
                );
            }
        }
        let set = builder.build().map_err(|e| Error::new(format!("bad ignore globs: {e}")))?;
        Ok(Repo { shared: Rc::clone(&self.shared), ignore: Some(Rc::new(set)) })
    }

    /// True when this view ignores `path`.
    pub fn is_ignored(&self, path: &str) -> bool {
        self.ignore.as_ref().is_some_and(|set| set.is_match(path))
    }

    /// The checked commit.
    pub fn head(&self) -> Head {
        self.shared.source.head()
    }

    /// Every file at the checked commit, ignored paths included.
    pub fn all_files(&self) -> Result<&[TreeEntry], Error> {
        match self.shared.files.get_or_init(|| self.shared.source.files()) {
            Ok(files) => Ok(files),
            Err(err) => Err(Error::from(err.clone())),
        }
    }

    /// The files at the checked commit that this view does not ignore.
    pub fn files(&self) -> Result<impl Iterator<Item = &TreeEntry>, Error> {
        Ok(self.all_files()?.iter().filter(|entry| !self.is_ignored(&entry.path)))
    }

    /// The entry at exactly `path`, unless ignored.
    pub fn entry(&self, path: &str) -> Result<Option<TreeEntry>, Error> {
        if self.is_ignored(path) {
            return Ok(None);
        }
        if let Some(Ok(files)) = self.shared.files.get() {
            return Ok(files.binary_search_by(|e| e.path.as_str().cmp(path)).ok().map(|i| files[i].clone()));
        }
        if let Some(known) = self.shared.entries.borrow().get(path) {
            return Ok(known.clone());
        }
        let entry = self.shared.source.entry(path)?;
        self.shared.entries.borrow_mut().insert(path.to_owned(), entry.clone());
        Ok(entry)
    }

    /// Files whose path matches the glob (`**/*.rs`, `.github/workflows/*.yml`).
    ///
    /// ```
    /// let repo = fledge_sdk::testing::MemRepo::new()
    ///     .file(".github/workflows/ci.yml", "on: push")
    ///     .file("src/main.rs", "fn main() {}")
    ///     .into_repo();
    /// let workflows = repo.glob(".github/workflows/*.{yml,yaml}").unwrap();
    /// assert_eq!(workflows[0].path, ".github/workflows/ci.yml");
    /// assert!(repo.glob("[").is_err(), "a bad glob is an error, not a panic");
    /// ```
    pub fn glob(&self, pattern: &str) -> Result<Vec<&TreeEntry>, Error> {
        let matcher =
            Glob::new(pattern).map_err(|e| Error::new(format!("bad glob `{pattern}`: {e}")))?.compile_matcher();
        Ok(self.files()?.filter(|e| matcher.is_match(&e.path)).collect())
    }

    /// The files in `dirs` (`""` is the root) whose name, up to its first
    /// dot, is one of `names`, comparing case-insensitively and ignoring
    /// `-`, `_` and spaces; in the order of `dirs`, then of `names`.
    ///
    /// `find(&["code of conduct"], CONVENTIONAL_DIRS)` finds
    /// `CODE_OF_CONDUCT.md`, `.github/code-of-conduct.rst` and
    /// `docs/CodeOfConduct`.
    ///
    /// ```
    /// use fledge_sdk::prelude::*;
    /// let repo = fledge_sdk::testing::MemRepo::new()
    ///     .file(".github/Code-Of-Conduct.md", "Be kind.")
    ///     .file("docs/SECURITY.rst", "Report to security@example.com")
    ///     .into_repo();
    /// let found = repo.find(&["code of conduct", "security"], CONVENTIONAL_DIRS).unwrap();
    /// let paths: Vec<&str> = found.iter().map(|e| e.path.as_str()).collect();
    /// assert_eq!(paths, [".github/Code-Of-Conduct.md", "docs/SECURITY.rst"]);
    /// ```
    pub fn find(&self, names: &[&str], dirs: &[&str]) -> Result<Vec<TreeEntry>, Error> {
        let wanted: Vec<String> = names.iter().map(|n| normalize_name(n)).collect();
        let mut found: Vec<TreeEntry> = Vec::new();
        for dir in dirs {
            let in_dir = self.listing(dir.trim_matches('/'), false)?;
            for name in &wanted {
                for (normalized, entry) in in_dir.iter() {
                    if normalized == name
                        && entry.kind != EntryKind::Submodule
                        && !self.is_ignored(&entry.path)
                        && !found.iter().any(|f| f.path == entry.path)
                    {
                        found.push(entry.clone());
                    }
                }
            }
        }
        Ok(found)
    }

    /// The files in (or under) `dir`, with normalised names, from the full
    /// list when it is loaded, else from the host, cached.
    fn listing(&self, dir: &str, recursive: bool) -> Result<Listing, Error> {
        let key = (dir.to_ascii_lowercase(), recursive);
        if let Some(listing) = self.shared.dirs.borrow().get(&key) {
            return Ok(Rc::clone(listing));
        }
        let entries: Vec<TreeEntry> = match self.shared.files.get() {
            Some(Ok(files)) if recursive => files.iter().filter(|e| is_under(&e.path, dir)).cloned().collect(),
            Some(Ok(files)) => {
                let by_dir = self.shared.by_dir.get_or_init(|| {
                    let mut by_dir: HashMap<String, Vec<usize>> = HashMap::new();
                    for (index, entry) in files.iter().enumerate() {
                        by_dir.entry(entry.dir().to_ascii_lowercase()).or_default().push(index);
                    }
                    by_dir
                });
                by_dir.get(&key.0).map_or_else(Vec::new, |indices| indices.iter().map(|&i| files[i].clone()).collect())
            }
            _ => self.shared.source.list_dir(dir, recursive)?,
        };
        let listing = Rc::new(entries.into_iter().map(|e| (normalize_name(stem(e.name())), e)).collect::<Vec<_>>());
        self.shared.dirs.borrow_mut().insert(key, Rc::clone(&listing));
        Ok(listing)
    }

    /// The files anywhere under directory `dir` (compared case-insensitively;
    /// `""` is the whole tree) that this view does not ignore.
    pub fn files_under(&self, dir: &str) -> Result<Vec<TreeEntry>, Error> {
        let listing = self.listing(dir.trim_matches('/'), true)?;
        Ok(listing.iter().filter(|(_, e)| !self.is_ignored(&e.path)).map(|(_, e)| e.clone()).collect())
    }

    /// The files directly in directory `dir` that this view does not ignore.
    pub fn files_in(&self, dir: &str) -> Result<Vec<TreeEntry>, Error> {
        let listing = self.listing(dir.trim_matches('/'), false)?;
        Ok(listing.iter().filter(|(_, e)| !self.is_ignored(&e.path)).map(|(_, e)| e.clone()).collect())
    }

    /// The first file [`find`](Repo::find) returns.
    pub fn find_first(&self, names: &[&str], dirs: &[&str]) -> Result<Option<TreeEntry>, Error> {
        Ok(self.find(names, dirs)?.into_iter().next())
    }

    /// The project's main README: in the root, else `docs/`, else `.github/`;
    /// among several, the one without a language suffix (`README.md` over
    /// `README.zh-CN.md`), preferring Markdown, reStructuredText, AsciiDoc,
    /// then plain text.
    pub fn readme(&self) -> Result<Option<TreeEntry>, Error> {
        const DIRS: &[&str] = &["", "docs", ".github"];
        for dir in DIRS {
            let candidates = self.find(&["readme"], &[dir])?;
            let best = candidates
                .into_iter()
                .min_by_key(|e| (e.name().matches('.').count().max(1), readme_rank(e.name()), e.path.len()));
            if best.is_some() {
                return Ok(best);
            }
        }
        Ok(None)
    }

    /// Up to `max_bytes` of the file at `path`.
    pub fn read(&self, path: &str, max_bytes: u64) -> Result<Blob, Error> {
        Ok(self.shared.source.read_file(path, max_bytes)?)
    }

    /// Up to `max_bytes` of blob `id`.
    pub fn read_blob(&self, id: &str, max_bytes: u64) -> Result<Blob, Error> {
        Ok(self.shared.source.read_blob(id, max_bytes)?)
    }

    /// Up to `max_bytes` of blob `id` from byte `offset`: a large blob read
    /// in pieces, in bounded memory.
    pub fn read_blob_range(&self, id: &str, offset: u64, max_bytes: u64) -> Result<Blob, Error> {
        Ok(self.shared.source.read_blob_range(id, offset, max_bytes)?)
    }

    /// A result this plugin kept under `key` in an earlier run, if the
    /// host still has it. The host keeps results per plugin build and
    /// configuration, so a new rule or setting never reads an old one;
    /// key them by content that cannot change under the key (a blob id).
    pub fn cache_get(&self, key: &str) -> Option<Vec<u8>> {
        self.shared.source.cache_get(key)
    }

    /// Keeps `value` (at most 64 KiB) under `key` for later runs, if the
    /// host keeps results. Only results of a run that completes are kept.
    pub fn cache_put(&self, key: &str, value: &[u8]) {
        self.shared.source.cache_put(key, value);
    }

    /// Tells the host that the following reads are for check `id`.
    pub(crate) fn begin_check(&self, id: &str) {
        self.shared.source.begin_check(id);
    }

    /// The text of the file at `path`, up to [`DEFAULT_TEXT_LIMIT`] bytes,
    /// decoded from UTF-8, UTF-16 (with a BOM) or Latin-1; `None` when the
    /// file is binary.
    ///
    /// ```
    /// let repo = fledge_sdk::testing::MemRepo::new()
    ///     .file("NOTICE", b"Copyright \xa9 ACME") // Latin-1
    ///     .file("logo.png", b"\x89PNG\r\n\x1a\n\0\0")
    ///     .into_repo();
    /// assert_eq!(repo.read_text("NOTICE").unwrap().as_deref(), Some("Copyright © ACME"));
    /// assert_eq!(repo.read_text("logo.png").unwrap(), None);
    /// assert!(repo.read_text("missing").is_err());
    /// ```
    pub fn read_text(&self, path: &str) -> Result<Option<String>, Error> {
        self.read_text_bounded(path, DEFAULT_TEXT_LIMIT)
    }

    /// Like [`read_text`](Repo::read_text) with an explicit bound. A symbolic
    /// link to a file of the repository is followed.
    pub fn read_text_bounded(&self, path: &str, max_bytes: u64) -> Result<Option<String>, Error> {
        let resolved = self.resolve(path)?;
        let path = resolved.as_ref().map_or(path, |entry| entry.path.as_str());
        let blob = self.read(path, max_bytes)?;
        let text = if blob.truncated { text::decode_prefix(&blob.data) } else { text::decode(&blob.data) };
        Ok(text.map(|s| s.into_owned()))
    }

    /// The file `path` refers to, following symbolic links inside the
    /// repository (at most 8 hops); `None` when it does not exist, leaves the
    /// repository or loops.
    pub fn resolve(&self, path: &str) -> Result<Option<TreeEntry>, Error> {
        let mut current = path.to_owned();
        for _ in 0..8 {
            let Some(entry) = self.entry(&current)? else { return Ok(None) };
            if entry.kind != EntryKind::Symlink {
                return Ok(Some(entry));
            }
            let target = self.read(&entry.path, 4096)?;
            let target = String::from_utf8_lossy(&target.data);
            match join_relative(entry.dir(), target.trim()) {
                Some(next) => current = next,
                None => return Ok(None),
            }
        }
        Ok(None)
    }

    /// The entry at `path` in another commit or tag (for "did the CHANGELOG
    /// change with this release").
    pub fn entry_at(&self, commit: &str, path: &str) -> Result<Option<TreeEntry>, Error> {
        Ok(self.shared.source.entry_at(commit, path)?)
    }

    /// The commits reachable from the checked commit, newest first, read
    /// page by page; stop iterating early to read less.
    ///
    /// ```
    /// let repo = fledge_sdk::testing::MemRepo::new()
    ///     .commit_by("Ada", "ada@example.com", 1_700_000_000)
    ///     .commit_by("Grace", "grace@example.com", 1_700_086_400)
    ///     .into_repo();
    /// let authors: Vec<String> = repo.commits().map(|c| c.map(|c| c.author.name)).collect::<Result<_, _>>().unwrap();
    /// assert_eq!(authors, ["Grace", "Ada"]);
    /// ```
    pub fn commits(&self) -> Commits<'_> {
        Commits { repo: self, page: Vec::new().into_iter(), next: 0, done: false }
    }

    /// The versions of the file at `path` through the history, newest
    /// first: each commit of the log in which its content changed (added,
    /// modified or deleted) from the commit before it, with the entry there
    /// (`None`: the commit deleted it). Reads one entry per commit of the
    /// log, so stop early with [`commits`](Repo::commits) and
    /// [`entry_at`](Repo::entry_at) when only recent history matters.
    /// Capability: history.
    ///
    /// ```
    /// use fledge_sdk::{Commit, Signature, testing::MemRepo};
    /// let commit = |id: &str, time: i64| {
    ///     let who = Signature { name: "Ada".into(), email: "ada@example.com".into(), time, offset_minutes: 0 };
    ///     Commit { id: id.into(), parents: vec![], author: who.clone(), committer: who, summary: id.into(), trailers: vec![] }
    /// };
    /// // Oldest first: c1 adds the file, c2 leaves it alone, c3 changes it, c4 deletes it.
    /// let repo = MemRepo::new()
    ///     .commit(commit("c1", 1)).commit(commit("c2", 2)).commit(commit("c3", 3)).commit(commit("c4", 4))
    ///     .file_at("c1", "LICENSE", "MIT").file_at("c2", "LICENSE", "MIT").file_at("c3", "LICENSE", "Apache-2.0")
    ///     .into_repo();
    /// let versions: Vec<(String, Option<u64>)> = repo
    ///     .file_history("LICENSE")
    ///     .unwrap()
    ///     .into_iter()
    ///     .map(|(commit, entry)| (commit.id, entry.map(|e| e.size)))
    ///     .collect();
    /// assert_eq!(versions, [("c4".into(), None), ("c3".into(), Some(10)), ("c1".into(), Some(3))]);
    /// ```
    pub fn file_history(&self, path: &str) -> Result<Vec<(Commit, Option<TreeEntry>)>, Error> {
        let mut log: Vec<(Commit, Option<TreeEntry>)> = Vec::new();
        for commit in self.commits() {
            let commit = commit?;
            let entry = self.entry_at(&commit.id, path)?;
            log.push((commit, entry));
        }
        // Newest first: a version is a commit whose entry differs from the
        // one before it in time (the next in the log).
        let ids: Vec<Option<String>> = log.iter().map(|(_, e)| e.as_ref().map(|e| e.id.clone())).collect();
        Ok(log
            .into_iter()
            .enumerate()
            .filter(|(i, _)| ids[*i] != ids.get(i + 1).cloned().flatten())
            .map(|(_, version)| version)
            .collect())
    }

    /// Tags reachable from the checked commit.
    ///
    /// ```
    /// let repo = fledge_sdk::testing::MemRepo::new().tag("v1.0.0", "abc123", 1_700_000_000).into_repo();
    /// assert_eq!(repo.tags().unwrap()[0].name, "v1.0.0");
    /// ```
    pub fn tags(&self) -> Result<Vec<Tag>, Error> {
        Ok(self.shared.source.tags()?)
    }

    /// The distinct blobs of the whole history, each once, oldest first,
    /// with the path and commit where each first appeared.
    pub fn history_blobs(&self) -> HistoryBlobs<'_> {
        HistoryBlobs { repo: self, page: Vec::new().into_iter(), next: 0, done: false }
    }
}

const PAGE: u32 = 2000;

/// Iterator over commits, newest first; see [`Repo::commits`].
pub struct Commits<'a> {
    repo: &'a Repo,
    page: std::vec::IntoIter<Commit>,
    next: u32,
    done: bool,
}

impl Iterator for Commits<'_> {
    type Item = Result<Commit, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        paged_next(&mut self.page, &mut self.next, &mut self.done, |start| self.repo.shared.source.commits(start, PAGE))
    }
}

/// Iterator over the distinct blobs of the history; see [`Repo::history_blobs`].
pub struct HistoryBlobs<'a> {
    repo: &'a Repo,
    page: std::vec::IntoIter<HistoryBlob>,
    next: u32,
    done: bool,
}

impl Iterator for HistoryBlobs<'_> {
    type Item = Result<HistoryBlob, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        paged_next(&mut self.page, &mut self.next, &mut self.done, |start| {
            self.repo.shared.source.history_blobs(start, PAGE)
        })
    }
}

fn paged_next<T>(
    page: &mut std::vec::IntoIter<T>,
    next: &mut u32,
    done: &mut bool,
    fetch: impl FnOnce(u32) -> Result<Vec<T>, RepoError>,
) -> Option<Result<T, Error>> {
    if let Some(item) = page.next() {
        return Some(Ok(item));
    }
    if *done {
        return None;
    }
    match fetch(*next) {
        Ok(items) => {
            if (items.len() as u32) < PAGE {
                *done = true;
            }
            *next += items.len() as u32;
            *page = items.into_iter();
            page.next().map(Ok)
        }
        Err(err) => {
            *done = true;
            Some(Err(err.into()))
        }
    }
}

/// True when `path` is inside directory `dir` (case-insensitive, no allocation).
pub fn is_under(path: &str, dir: &str) -> bool {
    dir.is_empty()
        || (path.len() > dir.len()
            && path.as_bytes()[dir.len()] == b'/'
            && path.is_char_boundary(dir.len())
            && path[..dir.len()].eq_ignore_ascii_case(dir))
}

/// Joins a relative link target to the directory holding the link; `None`
/// when the result would leave the repository or the target is absolute.
fn join_relative(dir: &str, target: &str) -> Option<String> {
    if target.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

fn readme_rank(name: &str) -> u8 {
    let ext = name.rsplit_once('.').map_or("", |(_, ext)| ext).to_ascii_lowercase();
    match ext.as_str() {
        "md" | "markdown" => 0,
        "rst" => 1,
        "adoc" | "asciidoc" => 2,
        "txt" | "" => 3,
        _ => 4,
    }
}

/// The part of a file name before its first dot (`README` of `README.en.md`);
/// a leading dot is kept (`.gitignore`).
pub fn stem(name: &str) -> &str {
    match name.strip_prefix('.') {
        Some(rest) => rest.find('.').map_or(name, |i| &name[..i + 1]),
        None => name.split('.').next().unwrap_or(name),
    }
}

/// Lower-cases a file name and drops `-`, `_` and spaces, so that
/// `CODE_OF_CONDUCT`, `code-of-conduct` and `Code of Conduct` compare equal.
pub fn normalize_name(name: &str) -> String {
    name.chars().filter(|c| !matches!(c, '-' | '_' | ' ')).flat_map(char::to_lowercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::MemRepo;

    #[test]
    fn find_matches_conventional_names_case_insensitively() {
        let repo = MemRepo::new()
            .file("readme.MD", "x")
            .file(".github/CODE_OF_CONDUCT.md", "x")
            .file("docs/code-of-conduct.rst", "x")
            .file("src/CODE_OF_CONDUCT.md", "x")
            .into_repo();
        let found = repo.find(&["code of conduct"], CONVENTIONAL_DIRS).unwrap();
        let paths: Vec<_> = found.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, [".github/CODE_OF_CONDUCT.md", "docs/code-of-conduct.rst"]);
        assert_eq!(repo.find_first(&["readme"], &[""]).unwrap().unwrap().path, "readme.MD");
        // The same answers once the full list is loaded.
        repo.all_files().unwrap();
        assert_eq!(repo.find(&["code of conduct"], CONVENTIONAL_DIRS).unwrap().len(), 2);
    }

    #[test]
    fn ignore_globs_hide_files_and_directories() {
        let repo = MemRepo::new()
            .file("vendor/a/LICENSE", "x")
            .file("src/lib.rs", "x")
            .file("testdata/x.txt", "x")
            .into_repo();
        let view = repo.with_ignore(&["vendor", "**/testdata/**"]).unwrap();
        let paths: Vec<_> = view.files().unwrap().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["src/lib.rs"]);
        assert_eq!(view.all_files().unwrap().len(), 3);
        assert!(view.entry("vendor/a/LICENSE").unwrap().is_none());
    }

    #[test]
    fn readme_prefers_the_unsuffixed_markdown_file_and_follows_links() {
        let repo = MemRepo::new()
            .file("README.cn.md", "中文")
            .entry("README.md", EntryKind::Symlink, "docs/README.md")
            .file("README.txt", "plain")
            .file("docs/README.md", "# Real")
            .into_repo();
        assert_eq!(repo.readme().unwrap().unwrap().path, "README.md");
        assert_eq!(repo.read_text("README.md").unwrap().as_deref(), Some("# Real"));
        let escaping = MemRepo::new().entry("README.md", EntryKind::Symlink, "../../etc/passwd").into_repo();
        assert_eq!(escaping.resolve("README.md").unwrap(), None);
    }

    #[test]
    fn files_under_compares_directories_case_insensitively() {
        let repo = MemRepo::new().file("Docs/a.md", "x").file("docs2/b.md", "x").file("docs", "x").into_repo();
        let paths: Vec<_> = repo.files_under("docs").unwrap().into_iter().map(|e| e.path).collect();
        assert_eq!(paths, ["Docs/a.md"]);
        assert_eq!(repo.files_under("").unwrap().len(), 3);
        assert_eq!(repo.files_in("").unwrap().len(), 1);
    }

    #[test]
    fn directory_listings_are_the_same_once_the_tree_is_loaded() {
        let memory = MemRepo::new()
            .file("Docs/a.md", "x")
            .file("docs/B.md", "x")
            .file("docs/sub/c.md", "x")
            .file("docs2/d.md", "x")
            .file("e.md", "x");
        let listed = |repo: &Repo, dir: &str| -> Vec<String> {
            repo.files_in(dir).unwrap().into_iter().map(|e| e.path).collect()
        };
        // Asked of the source, then answered from the loaded tree.
        let before = memory.clone().into_repo();
        let after = memory.into_repo();
        assert_eq!(after.all_files().unwrap().len(), 5);
        for dir in ["docs", "DOCS/", "docs/sub", "", "docs2", "missing"] {
            assert_eq!(listed(&after, dir), listed(&before, dir), "{dir}");
        }
        assert_eq!(listed(&after, "docs"), ["Docs/a.md", "docs/B.md"]);
        assert_eq!(listed(&after, ""), ["e.md"]);
        assert!(listed(&after, "missing").is_empty());
    }

    #[test]
    fn stems_keep_leading_dots() {
        assert_eq!(stem("README.en.md"), "README");
        assert_eq!(stem(".gitignore"), ".gitignore");
        assert_eq!(stem(".env.local"), ".env");
        assert_eq!(stem("LICENSE"), "LICENSE");
    }
}

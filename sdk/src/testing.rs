//! Unit-test plugin logic natively, without WebAssembly: build an in-memory
//! repository with [`MemRepo`] and run a check on it.
//!
//! ```
//! use fledge_sdk::prelude::*;
//! use fledge_sdk::testing::MemRepo;
//!
//! #[derive(Default)]
//! struct HasReadme;
//! impl Plugin for HasReadme {
//!     fn checks() -> CheckTable<Self> {
//!         CheckTable::<Self>::new(PluginMeta::new("t", "0")).check(CheckMeta::new("t.readme", "README"), |_, check| {
//!             Ok(match check.repo().find_first(&["readme"], &[""])? {
//!                 Some(e) => CheckResult::pass(format!("{} found", e.path)),
//!                 None => CheckResult::fail("no README"),
//!             })
//!         })
//!     }
//! }
//!
//! let result = MemRepo::new().file("README.md", "# Hi").run::<HasReadme>("t.readme");
//! assert_eq!((result.status, result.message.as_str()), (Status::Pass, "README.md found"));
//! assert_eq!(MemRepo::new().run::<HasReadme>("t.readme").status, Status::Fail);
//! ```

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::repo::{Blob, Commit, EntryKind, Head, HistoryBlob, RepoError, Signature, Source, Tag, TreeEntry};
use crate::{Capability, CheckRequest, CheckResult, Organization, Plugin, Repo};

/// An in-memory repository: files at the checked commit, commits, tags and
/// blobs that exist only in history.
#[derive(Clone, Debug, Default)]
pub struct MemRepo {
    files: BTreeMap<String, (EntryKind, Vec<u8>)>,
    commits: Vec<Commit>,
    tags: Vec<Tag>,
    historic: Vec<(String, Vec<u8>, String, String)>,
    at: BTreeMap<(String, String), Vec<u8>>,
    denied: Vec<Capability>,
    head_time: Option<i64>,
    cache: Option<MemCache>,
    organization: Organization,
}

/// The host's results cache, in memory: give the same one to two
/// [`MemRepo`]s to test what a plugin reuses on a second run.
#[derive(Clone, Debug, Default)]
pub struct MemCache {
    inner: Arc<Mutex<MemCacheInner>>,
}

#[derive(Debug, Default)]
struct MemCacheInner {
    values: HashMap<String, Vec<u8>>,
    hits: u64,
}

impl MemCache {
    /// An empty cache.
    pub fn new() -> Self {
        MemCache::default()
    }

    /// Entries kept.
    pub fn len(&self) -> usize {
        self.inner.lock().map_or(0, |inner| inner.values.len())
    }

    /// True when nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Lookups that found a value.
    pub fn hits(&self) -> u64 {
        self.inner.lock().map_or(0, |inner| inner.hits)
    }
}

impl MemRepo {
    /// An empty repository.
    pub fn new() -> Self {
        MemRepo::default()
    }

    /// Gives the plugin a results cache (see [`Repo::cache_get`]).
    pub fn cache(mut self, cache: &MemCache) -> Self {
        self.cache = Some(cache.clone());
        self
    }

    /// Gives the checks `organization` as the policy's `[organization]`
    /// table.
    pub fn organization(mut self, organization: Organization) -> Self {
        self.organization = organization;
        self
    }

    /// The organisation the checks see.
    pub fn organization_ref(&self) -> &Organization {
        &self.organization
    }

    /// Adds a regular file.
    pub fn file(self, path: &str, contents: impl AsRef<[u8]>) -> Self {
        self.entry(path, EntryKind::File, contents)
    }

    /// Adds an entry of any kind (a symlink's contents are its target).
    pub fn entry(mut self, path: &str, kind: EntryKind, contents: impl AsRef<[u8]>) -> Self {
        self.files.insert(path.to_owned(), (kind, contents.as_ref().to_vec()));
        self
    }

    /// Adds a blob that existed at `path` in an earlier commit only.
    pub fn historic_file(mut self, path: &str, contents: impl AsRef<[u8]>, commit: &str) -> Self {
        self.historic.push((path.to_owned(), contents.as_ref().to_vec(), commit.to_owned(), "HEAD".to_owned()));
        self
    }

    /// Adds a blob that only another ref (`refs/heads/wip`) reaches, at
    /// `path` in `commit`.
    pub fn file_on_ref(mut self, reference: &str, path: &str, contents: impl AsRef<[u8]>, commit: &str) -> Self {
        self.historic.push((path.to_owned(), contents.as_ref().to_vec(), commit.to_owned(), reference.to_owned()));
        self
    }

    /// Sets the contents of `path` as of commit or tag `rev`.
    pub fn file_at(mut self, rev: &str, path: &str, contents: impl AsRef<[u8]>) -> Self {
        self.at.insert((rev.to_owned(), path.to_owned()), contents.as_ref().to_vec());
        self
    }

    /// Adds a commit by `name <email>` at `time` (seconds since the epoch).
    pub fn commit_by(self, name: &str, email: &str, time: i64) -> Self {
        let signature = Signature { name: name.to_owned(), email: email.to_owned(), time, offset_minutes: 0 };
        let id = git_id("commit", format!("{name}{email}{time}{}", self.commits.len()).as_bytes());
        self.commit(Commit {
            id,
            parents: Vec::new(),
            author: signature.clone(),
            committer: signature,
            summary: format!("commit by {name}"),
            trailers: Vec::new(),
        })
    }

    /// Adds a commit.
    pub fn commit(mut self, commit: Commit) -> Self {
        self.commits.push(commit);
        self.commits.sort_by_key(|c| std::cmp::Reverse(c.committer.time));
        self
    }

    /// Adds a tag pointing at `target` at `time`.
    pub fn tag(mut self, name: &str, target: &str, time: i64) -> Self {
        self.tags.push(Tag { name: name.to_owned(), target: target.to_owned(), time, annotated: true });
        self
    }

    /// Sets the time of the checked commit (by default the newest commit's).
    pub fn head_time(mut self, time: i64) -> Self {
        self.head_time = Some(time);
        self
    }

    /// Denies a capability, as a policy may.
    pub fn deny(mut self, capability: Capability) -> Self {
        self.denied.push(capability);
        self
    }

    /// A [`Repo`] over a copy of this repository.
    pub fn into_repo(self) -> Repo {
        Repo::new(Box::new(self))
    }

    /// Runs check `id` of plugin `P` with an empty configuration.
    pub fn run<P: Plugin>(&self, id: &str) -> CheckResult {
        self.run_with::<P>(id, serde_json::json!({}))
    }

    /// Runs check `id` of plugin `P` with `config` (the plugin's policy table).
    pub fn run_with<P: Plugin>(&self, id: &str, config: Value) -> CheckResult {
        let request = CheckRequest { id: id.to_owned(), ignore: Vec::new() };
        let mut results = crate::run_checks::<P>(&self.clone().into_repo(), &[request], &config, &self.organization);
        results.pop().unwrap_or_else(|| CheckResult::error("no result"))
    }

    /// Runs every check of plugin `P`.
    pub fn run_all<P: Plugin>(&self) -> Vec<CheckResult> {
        let requests: Vec<CheckRequest> =
            P::checks().into_meta().checks.into_iter().map(|c| CheckRequest { id: c.id, ignore: Vec::new() }).collect();
        crate::run_checks::<P>(&self.clone().into_repo(), &requests, &serde_json::json!({}), &self.organization)
    }

    fn allow(&self, capability: Capability) -> Result<(), RepoError> {
        if self.denied.contains(&capability) {
            return Err(RepoError::Denied(format!("the policy denies the `{}` capability", capability.as_str())));
        }
        Ok(())
    }

    fn head_commit(&self) -> String {
        self.commits.first().map_or_else(|| "0".repeat(40), |c| c.id.clone())
    }

    fn blob_of(&self, id: &str) -> Option<&[u8]> {
        self.files
            .values()
            .map(|(_, data)| data)
            .chain(self.historic.iter().map(|(_, data, _, _)| data))
            .chain(self.at.values())
            .find(|data| git_id("blob", data) == id)
            .map(Vec::as_slice)
    }
}

fn git_id(kind: &str, data: &[u8]) -> String {
    let mut hasher = sha1_smol::Sha1::new();
    hasher.update(format!("{kind} {}\0", data.len()).as_bytes());
    hasher.update(data);
    hasher.digest().to_string()
}

fn bounded_blob(data: &[u8], max_bytes: u64) -> Blob {
    let take = data.len().min(usize::try_from(max_bytes).unwrap_or(usize::MAX));
    Blob {
        id: git_id("blob", data),
        size: data.len() as u64,
        data: data[..take].to_vec(),
        truncated: take < data.len(),
    }
}

impl Source for MemRepo {
    fn cache_get(&self, key: &str) -> Option<Vec<u8>> {
        let mut inner = self.cache.as_ref()?.inner.lock().ok()?;
        let value = inner.values.get(key).cloned();
        inner.hits += u64::from(value.is_some());
        value
    }

    fn cache_put(&self, key: &str, value: &[u8]) {
        if let Some(mut inner) = self.cache.as_ref().and_then(|c| c.inner.lock().ok()) {
            inner.values.insert(key.to_owned(), value.to_vec());
        }
    }

    fn head(&self) -> Head {
        let time = self.head_time.or_else(|| self.commits.first().map(|c| c.committer.time)).unwrap_or(0);
        Head { commit: self.head_commit(), revision: "HEAD".to_owned(), time, summary: String::new(), shallow: false }
    }

    fn files(&self) -> Result<Vec<TreeEntry>, RepoError> {
        self.allow(Capability::Tree)?;
        Ok(self
            .files
            .iter()
            .map(|(path, (kind, data))| TreeEntry {
                path: path.clone(),
                kind: *kind,
                size: data.len() as u64,
                id: git_id("blob", data),
            })
            .collect())
    }

    fn list_dir(&self, dir: &str, recursive: bool) -> Result<Vec<TreeEntry>, RepoError> {
        let all = self.files()?;
        Ok(all
            .into_iter()
            .filter(|e| if recursive { crate::repo::is_under(&e.path, dir) } else { e.dir().eq_ignore_ascii_case(dir) })
            .collect())
    }

    fn entry(&self, path: &str) -> Result<Option<TreeEntry>, RepoError> {
        Ok(self.files()?.into_iter().find(|e| e.path == path))
    }

    fn entry_at(&self, commit: &str, path: &str) -> Result<Option<TreeEntry>, RepoError> {
        self.allow(Capability::History)?;
        Ok(self.at.get(&(commit.to_owned(), path.to_owned())).map(|data| TreeEntry {
            path: path.to_owned(),
            kind: EntryKind::File,
            size: data.len() as u64,
            id: git_id("blob", data),
        }))
    }

    fn read_file(&self, path: &str, max_bytes: u64) -> Result<Blob, RepoError> {
        self.allow(Capability::Contents)?;
        match self.files.get(path) {
            Some((EntryKind::Submodule, _)) | None => Err(RepoError::NotFound(path.to_owned())),
            Some((_, data)) => Ok(bounded_blob(data, max_bytes)),
        }
    }

    fn read_blob(&self, id: &str, max_bytes: u64) -> Result<Blob, RepoError> {
        self.read_blob_range(id, 0, max_bytes)
    }

    fn read_blob_range(&self, id: &str, offset: u64, max_bytes: u64) -> Result<Blob, RepoError> {
        self.allow(Capability::Contents)?;
        let data = self.blob_of(id).ok_or_else(|| RepoError::NotFound(id.to_owned()))?;
        let start = usize::try_from(offset).unwrap_or(usize::MAX).min(data.len());
        let mut blob = bounded_blob(&data[start..], max_bytes);
        blob.size = data.len() as u64;
        id.clone_into(&mut blob.id);
        Ok(blob)
    }

    fn commits(&self, start: u32, limit: u32) -> Result<Vec<Commit>, RepoError> {
        self.allow(Capability::History)?;
        Ok(self.commits.iter().skip(start as usize).take(limit as usize).cloned().collect())
    }

    fn tags(&self) -> Result<Vec<Tag>, RepoError> {
        self.allow(Capability::History)?;
        Ok(self.tags.clone())
    }

    fn history_blobs(&self, start: u32, limit: u32) -> Result<Vec<HistoryBlob>, RepoError> {
        self.allow(Capability::History)?;
        let head = self.head_commit();
        let mut seen = HashSet::new();
        let all = self
            .historic
            .iter()
            .map(|(path, data, commit, reference)| (path, data, commit.clone(), reference.clone()))
            .chain(
                self.files
                    .iter()
                    .filter(|(_, (kind, _))| *kind != EntryKind::Submodule)
                    .map(|(path, (_, data))| (path, data, head.clone(), "HEAD".to_owned())),
            )
            .filter_map(|(path, data, commit, reference)| {
                let id = git_id("blob", data);
                seen.insert(id.clone()).then(|| HistoryBlob {
                    id,
                    size: data.len() as u64,
                    path: path.clone(),
                    commit,
                    reference,
                })
            });
        Ok(all.skip(start as usize).take(limit as usize).collect())
    }
}

//! The state of one plugin run ([`RunState`]) and everything that keeps the
//! plugin inside its box: the WASI context with no files, environment,
//! network or real clock; bounded stdout/stderr; the memory limiter; the
//! read budget and capability checks on every repository call; the
//! deadline, which covers the whole run, time in host calls included; and
//! the ledger of what the plugin could not read, charged to the check the
//! plugin said it is working on.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use wasmtime::ResourceLimiter;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};
use wasmtime_wasi::{HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

use crate::git::{self, ReadError, Reader};
use crate::model::{Capability, Gap, GapKind};
use crate::runtime::Limits;
use crate::runtime::bindings::fledge::plugin::{host, repo, types};
use crate::store::results::{MAX_PUTS_PER_RUN, MAX_VALUE, ResultStore};

/// Lines of plugin log kept per run.
const MAX_LOG_LINES: usize = 200;
/// Bytes of one log line kept.
const MAX_LOG_LINE: usize = 1024;
/// Gaps recorded per run; past this only the first are kept (the rest
/// still stop a pass, through the ones kept).
const MAX_GAPS: usize = 10_000;

pub(crate) struct RunState {
    wasi: WasiCtx,
    table: ResourceTable,
    /// `None` while the plugin describes itself: it must not read then.
    reader: Option<Reader>,
    allowed: Vec<Capability>,
    refused: Vec<(Capability, String)>,
    limits: Limits,
    pub(super) bytes_read: u64,
    pub(super) memory_denied: Option<usize>,
    pub(super) stdout: CappedPipe,
    pub(super) stderr: CappedPipe,
    pub(super) log: Vec<String>,
    log_dropped: usize,
    /// When the run started; the deadline is `started + limits.timeout`,
    /// time in host calls included.
    pub(super) started: Instant,
    pub(super) timed_out: bool,
    /// The checks of the request, and the one the plugin said it works on.
    checks: Vec<String>,
    current: Option<String>,
    /// What could not be read, per check (`None`: the whole run).
    pub(super) gaps: Vec<(Option<String>, Gap)>,
    /// Gaps noted once per check (denied, budget, shallow, tree).
    noted: HashSet<(Option<String>, GapKind, String)>,
    /// The results store and this run's namespace in it, when caching.
    results: Option<(Arc<ResultStore>, Vec<u8>)>,
    /// Results put during the run, stored when it succeeds.
    pub(super) pending: Vec<(String, Vec<u8>)>,
    /// Results found in the store.
    pub(super) reused: u64,
}

impl RunState {
    /// `allowed`: the capabilities the plugin declared and the policy grants.
    /// `refused`: declared capabilities the policy denies, with the reason.
    pub(crate) fn new(
        reader: Option<Reader>,
        allowed: Vec<Capability>,
        refused: Vec<(Capability, String)>,
        limits: Limits,
        now: i64,
        checks: Vec<String>,
    ) -> Self {
        let started = Instant::now();
        if let Some(reader) = &reader {
            reader.set_deadline(started.checked_add(limits.timeout));
        }
        let stdout = CappedPipe::new(limits.max_output_bytes);
        let stderr = CappedPipe::new(limits.max_output_bytes);
        let wasi = WasiCtxBuilder::new()
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .wall_clock(FixedClock(now))
            .monotonic_clock(FixedClock(now))
            .insecure_random_seed(0)
            .build();
        RunState {
            wasi,
            table: ResourceTable::new(),
            reader,
            allowed,
            refused,
            limits,
            bytes_read: 0,
            memory_denied: None,
            stdout,
            stderr,
            log: Vec::new(),
            log_dropped: 0,
            started,
            timed_out: false,
            checks,
            current: None,
            gaps: Vec::new(),
            noted: HashSet::new(),
            results: None,
            pending: Vec::new(),
            reused: 0,
        }
    }

    /// Writes the results put during the run to the store, if there is
    /// one; how many.
    pub(super) fn store_results(&self) -> u64 {
        let Some((store, namespace)) = &self.results else { return 0 };
        store.put(namespace, &self.pending);
        self.pending.len() as u64
    }

    /// Lets the plugin read and keep results in `store`, under `namespace`.
    pub(super) fn with_results(mut self, store: Arc<ResultStore>, namespace: Vec<u8>) -> Self {
        self.results = Some((store, namespace));
        self
    }

    /// Records a gap for the current check.
    fn note(&mut self, gap: Gap) {
        if self.gaps.len() < MAX_GAPS {
            self.gaps.push((self.current.clone(), gap));
        }
    }

    /// Records a gap once per check and kind (with `key` telling apart
    /// gaps of one kind that are different facts).
    fn note_once(&mut self, gap: Gap, key: &str) {
        if self.noted.insert((self.current.clone(), gap.kind, key.to_owned())) {
            self.note(gap);
        }
    }

    /// Notes `err` as a gap at `path` if it is one, and converts it.
    fn read_failed(&mut self, err: ReadError, path: &str) -> types::RepoError {
        if let Some(gap) = err.gap(path) {
            if gap.kind == GapKind::Budget {
                self.note_once(gap, "");
            } else {
                self.note(gap);
            }
        }
        repo_error(err)
    }

    /// The history ends early: noted once per check that reads history.
    fn note_history_cut(&mut self) {
        if let Some(gap) = self.reader.as_ref().and_then(Reader::history_cut) {
            self.note_once(gap, "");
        }
    }

    /// True once the run's deadline has passed.
    fn expired(&self) -> bool {
        self.started.elapsed() >= self.limits.timeout
    }

    pub(super) fn log_dropped(&self) -> usize {
        self.log_dropped
    }

    /// The reader, if `capability` may be used and the deadline has not
    /// passed; else the error for the plugin (noted as a gap).
    fn access(&mut self, capability: Capability) -> Result<&Reader, types::RepoError> {
        let denied = if self.reader.is_none() {
            Some("plugins must not read the repository in `describe`".to_owned())
        } else if let Some((_, reason)) = self.refused.iter().find(|(c, _)| *c == capability) {
            Some(reason.clone())
        } else if !self.allowed.contains(&capability) {
            Some(format!("the plugin did not declare the `{capability}` capability in `describe`"))
        } else {
            None
        };
        if let Some(reason) = denied {
            let gap = Gap { kind: GapKind::Denied, path: String::new(), id: None, bytes: 0, reason: reason.clone() };
            self.note_once(gap, capability.as_str());
            return Err(types::RepoError::Denied(reason));
        }
        if self.expired() {
            self.timed_out = true;
            let reason = format!("the run reached its time limit of {:?}", self.limits.timeout);
            let gap = Gap { kind: GapKind::Budget, path: String::new(), id: None, bytes: 0, reason: reason.clone() };
            self.note_once(gap, "");
            return Err(types::RepoError::LimitExceeded(reason));
        }
        self.reader.as_ref().ok_or_else(|| types::RepoError::Denied("no repository".to_owned()))
    }

    /// Charges `bytes` to the read budget.
    fn charge(&mut self, bytes: u64) -> Result<(), types::RepoError> {
        self.bytes_read = self.bytes_read.saturating_add(bytes);
        if self.bytes_read > self.limits.max_read_bytes {
            let reason = format!("the run read more than {} bytes from the repository", self.limits.max_read_bytes);
            let gap = Gap { kind: GapKind::Budget, path: String::new(), id: None, bytes: 0, reason: reason.clone() };
            self.note_once(gap, "");
            return Err(types::RepoError::LimitExceeded(reason));
        }
        Ok(())
    }

    /// A listing of `dir` (`None`: every file) was served: say once per
    /// check if unlisted directories could hide files from it.
    fn note_tree(&mut self, dir: Option<&str>, recursive: bool) {
        let Some(reader) = &self.reader else { return };
        let dirs = reader.snapshot().missing_dirs_for(dir, recursive);
        if dirs > 0 {
            let gap = Gap {
                kind: GapKind::Missing,
                path: String::new(),
                id: None,
                bytes: 0,
                reason: format!("the file list is incomplete: {dirs} directories could not be read"),
            };
            self.note_once(gap, "tree");
        }
    }

    fn read_bounded(
        &mut self,
        path: &str,
        read: impl FnOnce(&Reader, u64) -> Result<git::BlobData, ReadError>,
        max_bytes: u64,
    ) -> Result<types::Blob, types::RepoError> {
        let max_bytes = max_bytes.min(self.limits.max_read_bytes);
        let result = read(self.access(Capability::Contents)?, max_bytes);
        let blob = result.map_err(|err| self.read_failed(err, path))?;
        self.charge(blob.data.len() as u64)?;
        Ok(types::Blob { id: blob.id, size: blob.size, data: blob.data, truncated: blob.truncated })
    }

    /// The path a blob id is known by, for gaps: the checked tree's, else the id.
    fn path_of(&self, id: &str) -> String {
        self.reader.as_ref().and_then(|r| r.snapshot().path_of(id)).unwrap_or_default().to_owned()
    }
}

fn repo_error(err: ReadError) -> types::RepoError {
    match err {
        ReadError::NotFound(what) => types::RepoError::NotFound(what),
        ReadError::Invalid(what) => types::RepoError::Invalid(what),
        err @ (ReadError::TooLarge { .. } | ReadError::Expired) => types::RepoError::LimitExceeded(err.to_string()),
        err @ (ReadError::Missing(_) | ReadError::Corrupt(_) | ReadError::Git(_)) => {
            types::RepoError::Missing(err.to_string())
        }
    }
}

fn tree_entry(e: &git::TreeEntry) -> types::TreeEntry {
    types::TreeEntry {
        path: e.path.clone(),
        kind: match e.kind {
            git::EntryKind::File => types::EntryKind::File,
            git::EntryKind::Executable => types::EntryKind::Executable,
            git::EntryKind::Symlink => types::EntryKind::Symlink,
            git::EntryKind::Submodule => types::EntryKind::Submodule,
        },
        size: e.size,
        id: e.id.clone(),
    }
}

fn person(p: git::Person) -> types::Signature {
    types::Signature { name: p.name, email: p.email, time: p.time, offset_minutes: p.offset_minutes }
}

/// Bounds a page size asked for by a plugin.
fn page(limit: u32) -> u32 {
    limit.min(10_000)
}

impl types::Host for RunState {}

impl repo::Host for RunState {
    fn head(&mut self) -> types::HeadInfo {
        match &self.reader {
            Some(reader) => {
                let s = reader.snapshot();
                types::HeadInfo {
                    commit: s.commit.clone(),
                    revision: s.revision.clone(),
                    time: s.time,
                    summary: s.summary.clone(),
                    shallow: s.shallow,
                }
            }
            None => types::HeadInfo {
                commit: String::new(),
                revision: String::new(),
                time: 0,
                summary: String::new(),
                shallow: false,
            },
        }
    }

    fn files(&mut self) -> Result<Vec<types::TreeEntry>, types::RepoError> {
        let files: Vec<types::TreeEntry> =
            self.access(Capability::Tree)?.snapshot().files().iter().map(tree_entry).collect();
        let bytes: u64 = files.iter().map(|f| f.path.len() as u64 + 64).sum();
        self.charge(bytes)?;
        self.note_tree(None, true);
        Ok(files)
    }

    fn list_dir(&mut self, dir: String, recursive: bool) -> Result<Vec<types::TreeEntry>, types::RepoError> {
        let files: Vec<types::TreeEntry> =
            self.access(Capability::Tree)?.snapshot().list_dir(&dir, recursive).into_iter().map(tree_entry).collect();
        let bytes: u64 = files.iter().map(|f| f.path.len() as u64 + 64).sum();
        self.charge(bytes)?;
        self.note_tree(Some(&dir), recursive);
        Ok(files)
    }

    fn entry(&mut self, path: String) -> Result<Option<types::TreeEntry>, types::RepoError> {
        let entry = self.access(Capability::Tree)?.snapshot().file(&path).map(tree_entry);
        if entry.is_none() {
            let parent = path.rsplit_once('/').map_or("", |(parent, _)| parent);
            self.note_tree(Some(parent), false);
        }
        Ok(entry)
    }

    fn entry_at(&mut self, commit: String, path: String) -> Result<Option<types::TreeEntry>, types::RepoError> {
        let result = self.access(Capability::History)?.entry_at(&commit, &path);
        let entry = result.map_err(|err| self.read_failed(err, &path))?;
        self.note_history_cut();
        Ok(entry.as_ref().map(tree_entry))
    }

    fn read_file(&mut self, path: String, max_bytes: u64) -> Result<types::Blob, types::RepoError> {
        self.read_bounded(&path.clone(), |reader, max| reader.read_file(&path, max), max_bytes)
    }

    fn read_blob(&mut self, id: String, max_bytes: u64) -> Result<types::Blob, types::RepoError> {
        let path = self.path_of(&id);
        self.read_bounded(&path, |reader, max| reader.read_blob(&id, 0, max), max_bytes)
    }

    fn read_blob_range(&mut self, id: String, offset: u64, max_bytes: u64) -> Result<types::Blob, types::RepoError> {
        let path = self.path_of(&id);
        self.read_bounded(&path, |reader, max| reader.read_blob(&id, offset, max), max_bytes)
    }

    fn commits(&mut self, start: u32, limit: u32) -> Result<Vec<types::CommitInfo>, types::RepoError> {
        let result = self.access(Capability::History)?.commits(start, page(limit));
        let commits = result.map_err(|err| self.read_failed(err, ""))?;
        self.charge(commits.len() as u64 * 256)?;
        if commits.len() < page(limit) as usize {
            // The end of the log: say if it is not the project's first commit.
            self.note_history_cut();
        }
        Ok(commits
            .into_iter()
            .map(|c| types::CommitInfo {
                id: c.id,
                parents: c.parents,
                author: person(c.author),
                committer: person(c.committer),
                summary: c.summary,
                trailers: c.trailers.into_iter().map(|(key, value)| types::Trailer { key, value }).collect(),
            })
            .collect())
    }

    fn tags(&mut self) -> Result<Vec<types::TagInfo>, types::RepoError> {
        let result = self.access(Capability::History)?.tags();
        let tags = result.map_err(|err| self.read_failed(err, ""))?;
        self.note_history_cut();
        Ok(tags
            .iter()
            .map(|t| types::TagInfo {
                name: t.name.clone(),
                target: t.target.clone(),
                time: t.time,
                annotated: t.annotated,
            })
            .collect())
    }

    fn history_blobs(&mut self, start: u32, limit: u32) -> Result<Vec<types::HistoryBlob>, types::RepoError> {
        let result = self.access(Capability::History)?.history();
        let index = result.map_err(|err| self.read_failed(err, ""))?;
        if start == 0 {
            self.note_history_cut();
            for gap in &index.unread {
                self.note(gap.clone());
            }
        }
        let start = (start as usize).min(index.blobs.len());
        let end = start.saturating_add(page(limit) as usize).min(index.blobs.len());
        self.charge((end - start) as u64 * 128)?;
        Ok(index.blobs[start..end]
            .iter()
            .map(|b| types::HistoryBlob {
                id: b.id.clone(),
                size: b.size,
                path: b.path.clone(),
                commit: b.commit.clone(),
                reference: b.reference.clone(),
            })
            .collect())
    }
}

/// Longest cache key accepted.
const MAX_KEY: usize = 1024;

impl host::Host for RunState {
    fn cache_get(&mut self, key: String) -> Option<Vec<u8>> {
        let (store, namespace) = self.results.as_ref()?;
        if key.len() > MAX_KEY {
            return None;
        }
        let value = store.get(namespace, &key);
        self.reused += u64::from(value.is_some());
        value
    }

    fn cache_put(&mut self, key: String, value: Vec<u8>) {
        if self.results.is_some()
            && key.len() <= MAX_KEY
            && value.len() <= MAX_VALUE
            && self.pending.len() < MAX_PUTS_PER_RUN
        {
            self.pending.push((key, value));
        }
    }

    fn begin_check(&mut self, id: String) {
        if self.checks.contains(&id) {
            self.current = Some(id);
        }
    }

    fn log(&mut self, level: types::LogLevel, message: String) {
        if self.log.len() >= MAX_LOG_LINES {
            self.log_dropped += 1;
            return;
        }
        let level = match level {
            types::LogLevel::Debug => "debug",
            types::LogLevel::Info => "info",
            types::LogLevel::Warn => "warn",
            types::LogLevel::Error => "error",
        };
        let mut message = crate::text::printable(&message).into_owned();
        truncate(&mut message, MAX_LOG_LINE);
        self.log.push(format!("{level}: {message}"));
    }
}

/// Cuts `text` to at most `max` bytes at a character boundary, marking the cut.
pub(crate) fn truncate(text: &mut String, max: usize) {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
}

impl WasiView for RunState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl ResourceLimiter for RunState {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        if desired as u64 > self.limits.max_memory_bytes {
            self.memory_denied = Some(desired);
            return Ok(false);
        }
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= 1_000_000)
    }
}

/// A clock frozen at the checked commit's time: plugins get no real time,
/// so their results depend only on the repository.
struct FixedClock(i64);

impl HostWallClock for FixedClock {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }

    fn now(&self) -> Duration {
        Duration::from_secs(u64::try_from(self.0).unwrap_or(0))
    }
}

impl HostMonotonicClock for FixedClock {
    fn resolution(&self) -> u64 {
        1_000_000_000
    }

    fn now(&self) -> u64 {
        0
    }
}

/// A guest stdout/stderr that keeps the first `capacity` bytes and silently
/// drops (and counts) the rest, so a chatty plugin cannot fill memory.
#[derive(Clone)]
pub(crate) struct CappedPipe {
    inner: Arc<Mutex<PipeBuffer>>,
}

#[derive(Default)]
struct PipeBuffer {
    data: Vec<u8>,
    capacity: usize,
    dropped: u64,
}

impl CappedPipe {
    fn new(capacity: usize) -> Self {
        CappedPipe { inner: Arc::new(Mutex::new(PipeBuffer { capacity, ..PipeBuffer::default() })) }
    }

    fn push(&self, bytes: &[u8]) {
        if let Ok(mut buffer) = self.inner.lock() {
            let room = buffer.capacity.saturating_sub(buffer.data.len());
            let take = room.min(bytes.len());
            buffer.data.extend_from_slice(&bytes[..take]);
            buffer.dropped += (bytes.len() - take) as u64;
        }
    }

    /// What was written, with a note of what was dropped.
    pub(crate) fn contents(&self) -> String {
        let Ok(buffer) = self.inner.lock() else { return String::new() };
        let mut text = String::from_utf8_lossy(&buffer.data).into_owned();
        if buffer.dropped > 0 {
            text.push_str(&format!("\n[{} more bytes dropped]", buffer.dropped));
        }
        text
    }
}

impl IsTerminal for CappedPipe {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for CappedPipe {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for CappedPipe {
    async fn ready(&mut self) {}
}

#[wasmtime_wasi::async_trait]
impl OutputStream for CappedPipe {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.push(&bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(64 * 1024)
    }
}

impl tokio::io::AsyncWrite for CappedPipe {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        self.push(buf);
        std::task::Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}

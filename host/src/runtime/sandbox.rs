//! The state of one plugin run ([`RunState`]) and everything that keeps the
//! plugin inside its box: the WASI context with no files, environment,
//! network or real clock; bounded stdout/stderr; the memory limiter; the
//! read budget and capability checks on every repository call; and the
//! bookkeeping for the CPU deadline, which counts guest time only.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use wasmtime::ResourceLimiter;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};
use wasmtime_wasi::{HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

use crate::git::{self, ReadError, Reader};
use crate::model::Capability;
use crate::runtime::Limits;
use crate::runtime::bindings::fledge::plugin::{host, repo, types};

/// Lines of plugin log kept per run.
const MAX_LOG_LINES: usize = 200;
/// Bytes of one log line kept.
const MAX_LOG_LINE: usize = 1024;

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
    /// When the guest was entered, and the time spent since in host calls:
    /// the deadline applies to the difference.
    pub(super) started: Instant,
    pub(super) host_time: Duration,
    pub(super) timed_out: bool,
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
    ) -> Self {
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
            started: Instant::now(),
            host_time: Duration::ZERO,
            timed_out: false,
        }
    }

    pub(super) fn log_dropped(&self) -> usize {
        self.log_dropped
    }

    /// The reader, if `capability` may be used; else the error for the plugin.
    fn access(&self, capability: Capability) -> Result<&Reader, types::RepoError> {
        let Some(reader) = &self.reader else {
            return Err(types::RepoError::Denied("plugins must not read the repository in `describe`".to_owned()));
        };
        if let Some((_, reason)) = self.refused.iter().find(|(c, _)| *c == capability) {
            return Err(types::RepoError::Denied(reason.clone()));
        }
        if !self.allowed.contains(&capability) {
            return Err(types::RepoError::Denied(format!(
                "the plugin did not declare the `{capability}` capability in `describe`"
            )));
        }
        Ok(reader)
    }

    /// Charges `bytes` to the read budget.
    fn charge(&mut self, bytes: u64) -> Result<(), types::RepoError> {
        self.bytes_read = self.bytes_read.saturating_add(bytes);
        if self.bytes_read > self.limits.max_read_bytes {
            return Err(types::RepoError::LimitExceeded(format!(
                "the run read more than {} bytes from the repository",
                self.limits.max_read_bytes
            )));
        }
        Ok(())
    }

    /// Runs a host call, keeping its time out of the guest's CPU deadline.
    fn timed<R>(&mut self, call: impl FnOnce(&mut Self) -> R) -> R {
        let start = Instant::now();
        let result = call(self);
        self.host_time += start.elapsed();
        result
    }

    fn read_bounded(
        &mut self,
        read: impl FnOnce(&Reader, u64) -> Result<git::BlobData, ReadError>,
        max_bytes: u64,
    ) -> Result<types::Blob, types::RepoError> {
        self.timed(|state| {
            let max_bytes = max_bytes.min(state.limits.max_read_bytes);
            let blob = read(state.access(Capability::Contents)?, max_bytes).map_err(repo_error)?;
            state.charge(blob.data.len() as u64)?;
            Ok(types::Blob { id: blob.id, size: blob.size, data: blob.data, truncated: blob.truncated })
        })
    }
}

fn repo_error(err: ReadError) -> types::RepoError {
    match err {
        ReadError::NotFound(what) => types::RepoError::NotFound(what),
        ReadError::Invalid(what) => types::RepoError::Invalid(what),
        err @ ReadError::TooLarge { .. } => types::RepoError::LimitExceeded(err.to_string()),
        ReadError::Git(what) => types::RepoError::NotFound(format!("unreadable: {what}")),
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
                }
            }
            None => types::HeadInfo { commit: String::new(), revision: String::new(), time: 0, summary: String::new() },
        }
    }

    fn files(&mut self) -> Result<Vec<types::TreeEntry>, types::RepoError> {
        self.timed(|state| {
            let reader = state.access(Capability::Tree)?;
            let files: Vec<types::TreeEntry> = reader.snapshot().files().iter().map(tree_entry).collect();
            let bytes: u64 = files.iter().map(|f| f.path.len() as u64 + 64).sum();
            state.charge(bytes)?;
            Ok(files)
        })
    }

    fn list_dir(&mut self, dir: String, recursive: bool) -> Result<Vec<types::TreeEntry>, types::RepoError> {
        self.timed(|state| {
            let reader = state.access(Capability::Tree)?;
            let files: Vec<types::TreeEntry> =
                reader.snapshot().list_dir(&dir, recursive).into_iter().map(tree_entry).collect();
            let bytes: u64 = files.iter().map(|f| f.path.len() as u64 + 64).sum();
            state.charge(bytes)?;
            Ok(files)
        })
    }

    fn entry(&mut self, path: String) -> Result<Option<types::TreeEntry>, types::RepoError> {
        self.timed(|state| Ok(state.access(Capability::Tree)?.snapshot().file(&path).map(tree_entry)))
    }

    fn entry_at(&mut self, commit: String, path: String) -> Result<Option<types::TreeEntry>, types::RepoError> {
        self.timed(|state| {
            let reader = state.access(Capability::History)?;
            Ok(reader.entry_at(&commit, &path).map_err(repo_error)?.as_ref().map(tree_entry))
        })
    }

    fn read_file(&mut self, path: String, max_bytes: u64) -> Result<types::Blob, types::RepoError> {
        self.read_bounded(|reader, max| reader.read_file(&path, max), max_bytes)
    }

    fn read_blob(&mut self, id: String, max_bytes: u64) -> Result<types::Blob, types::RepoError> {
        self.read_bounded(|reader, max| reader.read_blob(&id, max), max_bytes)
    }

    fn commits(&mut self, start: u32, limit: u32) -> Result<Vec<types::CommitInfo>, types::RepoError> {
        self.timed(|state| {
            let reader = state.access(Capability::History)?;
            let commits = reader.commits(start, page(limit)).map_err(repo_error)?;
            state.charge(commits.len() as u64 * 256)?;
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
        })
    }

    fn tags(&mut self) -> Result<Vec<types::TagInfo>, types::RepoError> {
        self.timed(|state| {
            let reader = state.access(Capability::History)?;
            let tags = reader.tags().map_err(repo_error)?;
            Ok(tags
                .iter()
                .map(|t| types::TagInfo {
                    name: t.name.clone(),
                    target: t.target.clone(),
                    time: t.time,
                    annotated: t.annotated,
                })
                .collect())
        })
    }

    fn history_blobs(&mut self, start: u32, limit: u32) -> Result<Vec<types::HistoryBlob>, types::RepoError> {
        self.timed(|state| {
            let reader = state.access(Capability::History)?;
            let blobs = reader.history_blobs(start, page(limit)).map_err(repo_error)?;
            state.charge(blobs.len() as u64 * 128)?;
            Ok(blobs
                .into_iter()
                .map(|b| types::HistoryBlob { id: b.id, size: b.size, path: b.path, commit: b.commit })
                .collect())
        })
    }
}

impl host::Host for RunState {
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
        let mut message = message;
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

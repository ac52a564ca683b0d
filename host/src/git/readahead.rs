//! Readahead: inflating, on a second thread, the blobs a plugin is about
//! to read, while it scans the one it has.
//!
//! Plugins read blobs one at a time, and most read them in the order the
//! host listed them (the checked tree's files, or the history's distinct
//! blobs). When a [`Reader`](crate::git::snapshot::Reader)'s reads follow
//! one of those lists (each read within [`REORDER`] places of the last),
//! a worker thread with its own repository handle inflates the next
//! blobs, up to [`WINDOW_BLOBS`] blobs and [`WINDOW_BYTES`] bytes ahead.
//! What the plugin skips is dropped, and a plugin that skips most of what
//! was read ahead stops being read ahead ([`SLACK`]).
//!
//! What the worker hands back is exactly what the reader would have read
//! itself: the same bounded [`Objects::read`]. When it fails for any reason
//! (a missing or damaged object, a thread that could not start or
//! panicked), the reader reads the object itself, so the error a plugin
//! sees is the one a direct read gives. Readahead changes when inflating
//! happens, never what is read.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use git2::{Oid, Repository};

use crate::git::objects::{Kind, Objects};

/// At most this many blobs are asked for ahead of the one being read.
pub(crate) const WINDOW_BLOBS: usize = 32;
/// At most this many bytes (the blobs' sizes as listed) are asked for
/// ahead of the one being read: the memory readahead may hold per reader.
pub(crate) const WINDOW_BYTES: u64 = 32 << 20;
/// Blobs larger than this are left to the reader: one of them is already
/// enough work to overlap with.
const MAX_PREFETCHED_BLOB: u64 = 8 << 20;
/// Reads at most this far apart in a list still count as following it: a
/// plugin skips the blobs it has seen at another path or has results for,
/// and may sort paths a little differently.
const REORDER: usize = 16;
/// Blobs read ahead for nothing before readahead needs hits to go on (two
/// runs that did not last): past this, at most one in four may be wasted.
const SLACK: u64 = 2 * WINDOW_BLOBS as u64;

/// A list of blobs in the order a plugin was given them.
pub(crate) trait Order {
    /// Where blob `id` is in the list.
    fn position(&self, id: &str) -> Option<usize>;
    fn len(&self) -> usize;
    /// The blob at `index` and its size, if it is one to read ahead (a
    /// regular file, not a symlink or submodule).
    fn blob(&self, index: usize) -> Option<(&str, u64)>;
}

/// Which list the current run of reads follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum List {
    Files,
    History,
}

/// Results the worker has produced, shared with the reader.
#[derive(Default)]
struct Done {
    /// Inflated blobs; `None` when the worker's read failed.
    blobs: HashMap<Oid, Option<Arc<Vec<u8>>>>,
    /// Asked for, then skipped by the plugin: dropped when they arrive.
    discard: HashSet<Oid>,
    /// The worker has stopped (it ends only when the reader is dropped,
    /// or if it panicked).
    stopped: bool,
}

struct Shared {
    done: Mutex<Done>,
    arrived: Condvar,
    /// Set when the reader is dropped: the worker stops after the current
    /// object.
    closed: AtomicBool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Done> {
        self.done.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

struct Worker {
    jobs: mpsc::Sender<Oid>,
    shared: Arc<Shared>,
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.shared.closed.store(true, Ordering::Relaxed);
    }
}

/// The readahead state of one reader.
pub(crate) struct Readahead {
    git_dir: PathBuf,
    loose_dirs: Vec<PathBuf>,
    max_blob_bytes: u64,
    /// Started on the first run of consecutive reads; `None` before, or
    /// when it could not be started.
    worker: Option<Worker>,
    started: bool,
    /// The list the reads follow, and the position of the last one.
    last: Option<(List, usize)>,
    /// Where the last read is in each list that holds it: a read near it
    /// follows that list.
    cursors: Vec<(List, usize)>,
    /// Asked for and not yet read, in list order: (position, id, size).
    queued: VecDeque<(usize, Oid, u64)>,
    /// Blobs the plugin has read: a plugin reads a blob once, however many
    /// paths list it, so these are not asked for again.
    read: HashSet<Oid>,
    /// The position up to which blobs were asked for (exclusive).
    asked_to: usize,
    /// Blobs read ahead and then read by the plugin, and read ahead for
    /// nothing: a plugin whose reads skip too many stops being read ahead.
    hits: u64,
    wasted: u64,
}

impl Readahead {
    pub(crate) fn new(git_dir: PathBuf, loose_dirs: Vec<PathBuf>, max_blob_bytes: u64) -> Readahead {
        Readahead {
            git_dir,
            loose_dirs,
            max_blob_bytes,
            worker: None,
            started: false,
            last: None,
            cursors: Vec::new(),
            queued: VecDeque::new(),
            read: HashSet::new(),
            asked_to: 0,
            hits: 0,
            wasted: 0,
        }
    }

    /// The content of `oid` if the worker has read (or is reading) it; the
    /// caller reads it itself on `None`.
    pub(crate) fn take(&mut self, oid: Oid) -> Option<Arc<Vec<u8>>> {
        self.read.insert(oid);
        let at = self.queued.iter().position(|(_, id, _)| *id == oid)?;
        self.queued.remove(at);
        let worker = self.worker.as_ref()?;
        let mut done = worker.shared.lock();
        loop {
            if let Some(result) = done.blobs.remove(&oid) {
                self.hits += 1;
                return result;
            }
            if done.stopped {
                return None;
            }
            done = worker.shared.arrived.wait(done).unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }

    /// Records that the plugin read blob `id`, which `lists` may hold, and
    /// asks for the next blobs when the reads follow one of them.
    pub(crate) fn follow(&mut self, id: &str, lists: &[(List, &dyn Order)]) {
        // The lists in which the read is near the previous one: the list
        // followed so far while it is, else the one followed most closely
        // (a plugin reading the history's blobs moves one step at a time
        // there, and by jumps in the file list).
        let current = self.last.map(|(list, _)| list);
        let best = lists
            .iter()
            .filter_map(|&(list, order)| {
                let &(_, at) = self.cursors.iter().find(|(l, _)| *l == list)?;
                let position = around(order, at, id)?;
                Some(((Some(list) != current, position.abs_diff(at)), list, order, position))
            })
            .min_by_key(|(key, ..)| *key);
        self.cursors = lists.iter().filter_map(|(list, order)| Some((*list, order.position(id)?))).collect();
        if let Some((_, list, order, position)) = best {
            // Where the read is in the list followed, not where the blob
            // is first listed.
            if let Some(cursor) = self.cursors.iter_mut().find(|(l, _)| *l == list) {
                cursor.1 = position;
            }
            self.advance(list, order, position);
        }
    }

    /// The reads are at `position` of `list`: drops what they left behind
    /// and asks for what comes next.
    fn advance(&mut self, list: List, order: &dyn Order, position: usize) {
        let last = match self.last {
            Some((same, last)) if same == list && position + REORDER >= last => last.max(position),
            // Another list, or back to an earlier part of this one.
            _ => {
                self.forget_queue();
                position
            }
        };
        self.last = Some((list, last));
        // Blobs asked for well before this one were skipped by the plugin.
        while self.queued.front().is_some_and(|(at, _, _)| at + REORDER < last) {
            if let Some((_, oid, _)) = self.queued.pop_front() {
                self.skip(oid);
            }
        }
        if self.wasted <= SLACK + self.hits / 4 {
            self.ask(order, last);
        }
    }

    /// Drops what was asked for: the plugin's reads no longer follow it.
    fn forget_queue(&mut self) {
        while let Some((_, oid, _)) = self.queued.pop_front() {
            self.skip(oid);
        }
        self.asked_to = 0;
    }

    fn skip(&mut self, oid: Oid) {
        self.wasted += 1;
        if let Some(worker) = &self.worker {
            let mut done = worker.shared.lock();
            if done.blobs.remove(&oid).is_none() {
                done.discard.insert(oid);
            }
        }
    }

    /// Asks for the blobs after `position`, within the window.
    fn ask(&mut self, order: &dyn Order, position: usize) {
        let mut bytes: u64 = self.queued.iter().map(|(_, _, size)| size).sum();
        let mut next = self.asked_to.max(position + 1);
        while next < order.len() && self.queued.len() < WINDOW_BLOBS {
            let Some((id, size)) = order.blob(next) else {
                next += 1;
                continue;
            };
            if size > MAX_PREFETCHED_BLOB || size > self.max_blob_bytes {
                // Read by the plugin's own read when it gets there.
                next += 1;
                continue;
            }
            if bytes.saturating_add(size) > WINDOW_BYTES {
                break;
            }
            next += 1;
            let Ok(oid) = Oid::from_str(id) else { continue };
            if self.read.contains(&oid) || self.queued.iter().any(|(_, id, _)| *id == oid) {
                continue;
            }
            let Some(worker) = self.worker() else { return };
            if worker.jobs.send(oid).is_err() {
                return;
            }
            bytes += size;
            self.queued.push_back((next - 1, oid, size));
        }
        self.asked_to = next;
    }

    /// The worker, started on first use.
    fn worker(&mut self) -> Option<&Worker> {
        if !self.started {
            self.started = true;
            self.worker = spawn(self.git_dir.clone(), self.loose_dirs.clone(), self.max_blob_bytes);
        }
        self.worker.as_ref()
    }
}

/// The position of blob `id` within [`REORDER`] of `at` in `order` (a
/// blob listed at several paths is found where the reads are).
fn around(order: &dyn Order, at: usize, id: &str) -> Option<usize> {
    (at.saturating_sub(REORDER)..=at + REORDER).find(|&i| order.blob(i).is_some_and(|(blob, _)| blob == id))
}

/// Starts a worker reading blobs of the repository at `git_dir`.
fn spawn(git_dir: PathBuf, loose_dirs: Vec<PathBuf>, max_blob_bytes: u64) -> Option<Worker> {
    let shared = Arc::new(Shared { done: Mutex::default(), arrived: Condvar::new(), closed: AtomicBool::new(false) });
    let (jobs, receiver) = mpsc::channel::<Oid>();
    let theirs = Arc::clone(&shared);
    std::thread::Builder::new()
        .name("fledge-readahead".to_owned())
        .spawn(move || {
            // Whatever happens, the reader stops waiting.
            let _stop = StopOnExit(Arc::clone(&theirs));
            let Ok(repo) = Repository::open_bare(&git_dir).or_else(|_| Repository::open(&git_dir)) else { return };
            let Ok(objects) = Objects::with_loose_dirs(&repo, loose_dirs) else { return };
            for oid in receiver {
                if theirs.closed.load(Ordering::Relaxed) {
                    return;
                }
                let result = objects.read(oid, Kind::Blob, max_blob_bytes).ok().map(Arc::new);
                let mut done = theirs.lock();
                if !done.discard.remove(&oid) {
                    done.blobs.insert(oid, result);
                }
                drop(done);
                theirs.arrived.notify_all();
            }
        })
        .ok()?;
    Some(Worker { jobs, shared })
}

/// Marks the worker stopped when its thread ends, by return or by panic.
struct StopOnExit(Arc<Shared>);

impl Drop for StopOnExit {
    fn drop(&mut self) {
        self.0.lock().stopped = true;
        self.0.arrived.notify_all();
    }
}

impl Drop for Readahead {
    fn drop(&mut self) {
        log::debug!("readahead: {} blobs read ahead and used, {} for nothing", self.hits, self.wasted);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::snapshot::ReadError;

    /// Blobs in a list, as a plugin is given them.
    struct Listed(Vec<(String, u64)>);

    impl Order for Listed {
        fn position(&self, id: &str) -> Option<usize> {
            self.0.iter().position(|(blob, _)| blob == id)
        }

        fn len(&self) -> usize {
            self.0.len()
        }

        fn blob(&self, index: usize) -> Option<(&str, u64)> {
            self.0.get(index).map(|(id, size)| (id.as_str(), *size))
        }
    }

    /// A bare repository with `count` distinct blobs, listed in order.
    fn fixture(count: usize) -> (tempfile::TempDir, Repository, Listed) {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = Repository::init_bare(dir.path()).expect("init");
        let mut listed = Vec::new();
        for i in 0..count {
            let text = format!("blob {i}\n{}", "x".repeat(i * 7));
            let oid = repo.blob(text.as_bytes()).expect("blob");
            listed.push((oid.to_string(), text.len() as u64));
        }
        (dir, repo, Listed(listed))
    }

    /// Reads `ids` as a reader does: the readahead's copy, else its own;
    /// with, for each, whether the readahead had it.
    fn read_all(
        readahead: &mut Readahead,
        repo: &Repository,
        order: &Listed,
        ids: &[&str],
    ) -> Vec<(bool, Result<Vec<u8>, ReadError>)> {
        let objects = Objects::new(repo).expect("objects");
        let mut out = Vec::new();
        for id in ids {
            let oid = Oid::from_str(id).expect("oid");
            let ahead = readahead.take(oid);
            readahead.follow(id, &[(List::Files, order)]);
            let queued: u64 = readahead.queued.iter().map(|(_, _, size)| size).sum();
            assert!(queued <= WINDOW_BYTES && readahead.queued.len() <= WINDOW_BLOBS);
            out.push(match ahead {
                Some(data) => (true, Ok(data.as_ref().clone())),
                None => (false, objects.read(oid, Kind::Blob, u64::MAX)),
            });
        }
        out
    }

    fn new_readahead(repo: &Repository) -> Readahead {
        Readahead::new(repo.path().to_path_buf(), crate::git::objects::loose_dirs(repo), u64::MAX)
    }

    #[test]
    fn reads_in_list_order_are_read_ahead_and_unchanged() {
        let (_dir, repo, order) = fixture(200);
        let ids: Vec<&str> = order.0.iter().map(|(id, _)| id.as_str()).collect();
        let mut readahead = new_readahead(&repo);
        let got = read_all(&mut readahead, &repo, &order, &ids);
        let objects = Objects::new(&repo).expect("objects");
        for (id, (_, data)) in ids.iter().zip(&got) {
            let oid = Oid::from_str(id).expect("oid");
            assert_eq!(data.as_ref().expect("read"), &objects.read(oid, Kind::Blob, u64::MAX).expect("read"));
        }
        // All but the first two reads (which start the run) come from the
        // readahead; nothing is read for nothing.
        assert_eq!((readahead.hits, readahead.wasted), (198, 0));
    }

    #[test]
    fn a_plugin_skipping_most_blobs_stops_being_read_ahead() {
        let (_dir, repo, order) = fixture(600);
        // Every fifth blob: each read follows (within the reorder window),
        // and four of every five blobs asked for are never read.
        let ids: Vec<&str> = order.0.iter().step_by(5).map(|(id, _)| id.as_str()).collect();
        let mut readahead = new_readahead(&repo);
        read_all(&mut readahead, &repo, &order, &ids);
        // Past the slack, asking stops while waste outruns the hits.
        assert!(readahead.wasted <= SLACK + WINDOW_BLOBS as u64 + 1 + readahead.hits / 4, "{}", readahead.wasted);
        assert!(readahead.wasted >= SLACK, "{}", readahead.wasted);
    }

    #[test]
    fn a_missing_object_is_left_to_the_reader() {
        let (dir, repo, order) = fixture(40);
        // Remove the 20th blob: the worker's read fails, and the reader
        // gets `None` and reads (and fails) itself.
        let id = order.0[20].0.clone();
        std::fs::remove_file(dir.path().join("objects").join(&id[..2]).join(&id[2..])).expect("remove");
        let ids: Vec<&str> = order.0.iter().map(|(id, _)| id.as_str()).collect();
        let mut readahead = new_readahead(&repo);
        for (i, (ahead, read)) in read_all(&mut readahead, &repo, &order, &ids).into_iter().enumerate() {
            if i == 20 {
                assert!(!ahead && matches!(read, Err(ReadError::Missing(_))), "{read:?}");
            } else {
                assert!(read.is_ok() && ahead == (i >= 2), "blob {i}");
            }
        }
    }

    #[test]
    fn dropping_the_reader_stops_the_worker() {
        let (_dir, repo, order) = fixture(100);
        let ids: Vec<&str> = order.0.iter().take(10).map(|(id, _)| id.as_str()).collect();
        let mut readahead = new_readahead(&repo);
        read_all(&mut readahead, &repo, &order, &ids);
        let shared = Arc::clone(&readahead.worker.as_ref().expect("started").shared);
        drop(readahead);
        let mut done = shared.lock();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while !done.stopped && std::time::Instant::now() < deadline {
            done = shared.arrived.wait_timeout(done, std::time::Duration::from_millis(50)).expect("wait").0;
        }
        assert!(done.stopped);
    }
}

//! `fledge scan`: checks every repository of a catalog, concurrently and
//! incrementally, recording each result in the [`Store`] as soon as it is
//! known.
//!
//! Per repository: fetch (at most `fetch_jobs` at once, retried with
//! backoff on network errors) → resolve the commit → if the commit, the
//! plugins and the policy are those of its last successful scan, reuse that
//! evaluation (`cached`) → else snapshot and run the plugins (at most `jobs`
//! repositories at once) → decide with the policy → record. A repository
//! that fails, hangs past `repo_timeout` or makes a plugin fail is recorded
//! with its reason and never holds up the others. SIGINT and SIGTERM stop
//! the scan, leaving it resumable.

mod progress;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::catalog::Entry;
use crate::check::{self, CheckOptions, Evaluation};
use crate::git::{self, OpenOptions};
use crate::model::report::Report;
use crate::model::scan::{ResultOutcome, ResultRow, RunId, RunState, ScanErrorKind, Tally};
use crate::plugins::PluginSet;
use crate::policy::Policy;
use crate::runtime::{Limits, Runtime};
use crate::store::{self, Store};

pub use progress::ProgressMode;

/// A policy and the plugins it brings in, shared by the repositories
/// that use it.
pub struct Setup {
    pub policy: Policy,
    pub plugins: PluginSet,
    /// What a cached result must have been made with: fledge's version, the
    /// policy, the plugins and the limits.
    pub digest: String,
}

impl Setup {
    pub fn new(policy: Policy, plugins: PluginSet, open: &OpenOptions, limits: &Limits) -> Setup {
        let mut plugin_digests: Vec<&str> = plugins.plugins.iter().map(|p| p.digest.as_str()).collect();
        plugin_digests.sort_unstable();
        let digest = digest_of(&[
            env!("CARGO_PKG_VERSION"),
            &policy.digest,
            &plugin_digests.join(","),
            // Each limit by name, not a `Debug` rendering that could change
            // with the type.
            &format!(
                "memory={} timeout_ms={} read={} findings={} output={}",
                limits.max_memory_bytes,
                limits.timeout.as_millis(),
                limits.max_read_bytes,
                limits.max_findings,
                limits.max_output_bytes
            ),
            &open.max_blob_bytes.to_string(),
            open.history.as_str(),
        ]);
        Setup { policy, plugins, digest }
    }
}

/// One repository to scan, with its setup.
pub struct Job {
    pub entry: Entry,
    pub setup: Arc<Setup>,
}

/// How to scan.
#[derive(Clone, Debug)]
pub struct ScanSettings {
    /// Repositories whose plugins run at the same time.
    pub jobs: usize,
    /// Clones and fetches at the same time.
    pub fetch_jobs: usize,
    /// Retries of a fetch that failed on a network error.
    pub retries: u32,
    /// The wait before the first retry; doubled for each next one.
    pub retry_delay: Duration,
    /// Time after which a repository is given up (recorded as `timeout`).
    pub repo_timeout: Duration,
    /// Scan every repository, even unchanged ones.
    pub force: bool,
    pub open: OpenOptions,
    pub limits: Limits,
    pub today: jiff::civil::Date,
    pub progress: ProgressMode,
}

/// What a scan did.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub run: RunId,
    pub total: usize,
    /// Repositories recorded by earlier, interrupted invocations of this run.
    pub resumed: usize,
    /// The repositories this invocation recorded.
    pub tally: Tally,
    pub interrupted: bool,
    pub elapsed: Duration,
    /// Summed over repositories: fetching and reading git data.
    pub git: Duration,
    /// Summed over repositories: running plugins.
    pub plugins: Duration,
}

/// The key under which an evaluation may be reused.
fn cache_key(setup: &Setup, entry: &Entry, commit: &str, refs: &str) -> String {
    // The commits the catalog's attestations name are checked against the
    // history during the evaluation: new ones need a new evaluation.
    let mut attested: Vec<&str> =
        entry.attestations.iter().flatten().filter_map(|(_, record)| record.commit.as_deref()).collect();
    attested.sort_unstable();
    let attested = attested.join(",");
    digest_of(&[
        &setup.digest,
        commit,
        entry.branch.as_deref().unwrap_or("HEAD"),
        entry.kind.as_deref().unwrap_or(""),
        &entry.name,
        &attested,
        refs,
    ])
}

fn digest_of(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    hex::encode(hasher.finalize())
}

/// The digest of the setups of a whole catalog (every policy it uses, with
/// the plugins and limits): a run is resumed, and shards are merged, only
/// under the same.
pub fn settings_digest<'a>(setups: impl Iterator<Item = &'a Arc<Setup>>) -> String {
    let mut digests: Vec<&str> = setups.map(|s| s.digest.as_str()).collect();
    digests.sort_unstable();
    digests.dedup();
    digest_of(&digests)
}

struct Shared {
    runtime: Arc<Runtime>,
    store: Mutex<Store>,
    settings: ScanSettings,
    fetch: Arc<Semaphore>,
    cpu: Arc<Semaphore>,
    reusable: HashMap<String, (String, String)>,
    run: RunId,
    /// Repositories waiting out a retry's backoff (shown by the progress).
    retrying: std::sync::atomic::AtomicUsize,
}

/// A repository that could not be scanned.
struct Failure {
    kind: ScanErrorKind,
    message: String,
}

impl Failure {
    fn new(kind: impl Into<ScanErrorKind>, message: impl Into<String>) -> Failure {
        Failure { kind: kind.into(), message: message.into() }
    }
}

/// Scans `jobs` into run `run` of `store` (whose already recorded
/// repositories are skipped). Returns when every repository is recorded
/// or a signal stopped the scan.
pub fn scan(
    runtime: Arc<Runtime>,
    store: Store,
    run: RunId,
    jobs: Vec<Job>,
    settings: ScanSettings,
) -> Result<Summary> {
    let started = Instant::now();
    let done = store.done(run)?;
    let reusable = if settings.force { HashMap::new() } else { store.reusable()? };
    let total = jobs.len();
    let jobs: Vec<Job> = jobs.into_iter().filter(|j| !done.contains(&j.entry.name)).collect();
    let mut summary = Summary { run, total, resumed: total - jobs.len(), ..Summary::default() };
    let shared = Arc::new(Shared {
        runtime,
        store: Mutex::new(store),
        fetch: Arc::new(Semaphore::new(settings.fetch_jobs.max(1))),
        cpu: Arc::new(Semaphore::new(settings.jobs.max(1))),
        settings,
        reusable,
        run,
        retrying: std::sync::atomic::AtomicUsize::new(0),
    });
    let mut progress = progress::Progress::new(shared.settings.progress, total, summary.resumed);

    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("failed to start the scan's runtime")?;
    let outcome: Result<()> = tokio.block_on(async {
        let mut tasks = JoinSet::new();
        for job in jobs {
            tasks.spawn(scan_one(Arc::clone(&shared), job));
        }
        let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .context("failed to listen for SIGTERM")?;
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tokio::select! {
                _ = tick.tick() => progress.refresh(shared.retrying.load(std::sync::atomic::Ordering::Relaxed)),
                next = tasks.join_next() => match next {
                    None => return Ok(()),
                    Some(Ok(Ok(row))) => {
                        tally(&mut summary, &row);
                        progress.record(&row);
                    }
                    Some(Ok(Err(err))) => return Err(err),
                    Some(Err(err)) => return Err(anyhow!("a scan task failed: {err}")),
                },
                _ = tokio::signal::ctrl_c() => { summary.interrupted = true; return Ok(()) }
                _ = terminate.recv() => { summary.interrupted = true; return Ok(()) }
            }
        }
    });
    // Work still in flight (a fetch or plugin that cannot be cancelled) is
    // abandoned; what it did not record, the next scan does.
    tokio.shutdown_background();
    progress.finish();
    let store = shared.store.lock().map_err(|_| anyhow!("the store lock is poisoned"))?;
    match outcome {
        Ok(()) => {
            let state = if summary.interrupted { RunState::Interrupted } else { RunState::Complete };
            store.finish_run(run, state)?;
        }
        Err(err) => {
            store.finish_run(run, RunState::Interrupted)?;
            return Err(err);
        }
    }
    summary.elapsed = started.elapsed();
    Ok(summary)
}

fn tally(summary: &mut Summary, row: &ResultRow) {
    summary.tally.add(row);
    summary.git += Duration::from_secs_f64(row.git_ms / 1000.0);
    summary.plugins += Duration::from_secs_f64(row.plugin_ms / 1000.0);
}

/// Scans one repository and records its result; `Err` only when the
/// result cannot be recorded.
async fn scan_one(shared: Arc<Shared>, job: Job) -> Result<ResultRow> {
    let mut row = ResultRow {
        repository: job.entry.name.clone(),
        team: job.entry.team.clone(),
        url: git::acquire::redact_url(&job.entry.url),
        recorded_stage: job.entry.stage.clone(),
        outcome: ResultOutcome::Error,
        commit: None,
        cache_key: None,
        stage: None,
        score: None,
        error_kind: None,
        error: None,
        attempts: 0,
        git_ms: 0.0,
        plugin_ms: 0.0,
        evaluation: None,
        report: None,
        finished_at: String::new(),
        stage_rank: None,
    };
    let timeout = shared.settings.repo_timeout;
    let deadline = Instant::now() + timeout;
    let result = tokio::time::timeout(timeout, evaluate(&shared, &job, &mut row, deadline)).await;
    let (evaluation, report) = match result {
        Ok(Ok((evaluation, report))) => (evaluation, Some(report)),
        Ok(Err(failure)) => {
            row.outcome = ResultOutcome::Error;
            row.error_kind = Some(failure.kind);
            row.error = Some(failure.message);
            (None, None)
        }
        Err(_) => {
            row.outcome = ResultOutcome::Error;
            row.error_kind = Some(ScanErrorKind::Timeout);
            row.error = Some(format!("gave up after {} s (--repo-timeout)", timeout.as_secs_f64()));
            (None, None)
        }
    };
    if let Some(report) = &report {
        row.stage = Some(report.stage.clone());
        row.score = Some(report.score);
        row.stage_rank =
            report.verdict.stages.iter().position(|s| s.name == report.stage).and_then(|i| u32::try_from(i).ok());
    }
    row.finished_at = store::now();
    let shared_for_record = Arc::clone(&shared);
    let record = row.clone();
    tokio::task::spawn_blocking(move || {
        let store = shared_for_record.store.lock().map_err(|_| anyhow!("the store lock is poisoned"))?;
        store.record(shared_for_record.run, &record, evaluation.as_ref(), report.as_ref())
    })
    .await
    .context("recording a result failed")??;
    Ok(row)
}

/// Acquires, and evaluates or reuses, one repository: the new evaluation
/// (`None` when a stored one was reused, which `row` then names) and the
/// report.
async fn evaluate(
    shared: &Arc<Shared>,
    job: &Job,
    row: &mut ResultRow,
    deadline: Instant,
) -> Result<(Option<Evaluation>, Report), Failure> {
    let settings = &shared.settings;
    let entry = &job.entry;
    let mut open = settings.open.clone();
    open.ignore.extend(job.setup.policy.ignore.iter().cloned());
    open.deadline = Some(deadline);

    // Fetch, retrying network errors with backoff.
    let acquired = loop {
        row.attempts += 1;
        let permit = Arc::clone(&shared.fetch)
            .acquire_owned()
            .await
            .map_err(|e| Failure::new(ScanErrorKind::Internal, e.to_string()))?;
        let (target, branch, open) = (entry.target.clone(), entry.branch.clone(), open.clone());
        let started = Instant::now();
        let result = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let acquired = git::acquire(&target, &open)?;
            let commit = acquired.resolve(branch.as_deref())?;
            // With every ref in the history, a new branch or tag is new
            // content even when the checked commit is unchanged.
            let refs = if open.history == git::HistoryScope::AllRefs { acquired.refs_digest() } else { String::new() };
            Ok::<_, git::AcquireError>((acquired, commit, refs))
        })
        .await;
        row.git_ms += started.elapsed().as_secs_f64() * 1000.0;
        match result {
            Ok(Ok(acquired)) => break acquired,
            Ok(Err(err)) if err.kind.is_transient() && row.attempts <= settings.retries => {
                let delay = settings.retry_delay.saturating_mul(1 << (row.attempts - 1).min(16));
                log::info!("{}: {err}; retrying in {:.1} s", entry.name, delay.as_secs_f64());
                shared.retrying.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                tokio::time::sleep(delay).await;
                shared.retrying.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
            }
            Ok(Err(err)) => return Err(Failure::new(err.kind, err.to_string())),
            Err(err) => return Err(Failure::new(ScanErrorKind::Internal, format!("fetching failed: {err}"))),
        }
    };
    let (acquired, commit, refs) = acquired;
    let key = cache_key(&job.setup, entry, &commit, &refs);
    row.commit = Some(commit);
    row.cache_key = Some(key.clone());

    // Unchanged since its last successful scan: decide again (today's date,
    // the catalog's attestations) on the stored evaluation.
    if let Some((_, evaluation_digest)) = shared.reusable.get(&entry.name).filter(|(k, _)| *k == key) {
        drop(acquired);
        let shared = Arc::clone(shared);
        let digest = evaluation_digest.clone();
        let evaluation: Evaluation = tokio::task::spawn_blocking(move || {
            let store = shared.store.lock().map_err(|_| anyhow!("the store lock is poisoned"))?;
            store.document(&digest)
        })
        .await
        .map_err(|e| Failure::new(ScanErrorKind::Internal, e.to_string()))?
        .map_err(|e| Failure::new(ScanErrorKind::Internal, format!("{e:#}")))?;
        let report = check::decide(&job.setup.policy, evaluation, entry.attestations.as_ref(), settings.today);
        row.outcome = ResultOutcome::Cached;
        row.evaluation = Some(evaluation_digest.clone());
        return Ok((None, report));
    }

    // Snapshot and run the plugins.
    let permit = Arc::clone(&shared.cpu)
        .acquire_owned()
        .await
        .map_err(|e| Failure::new(ScanErrorKind::Internal, e.to_string()))?;
    let runtime = Arc::clone(&shared.runtime);
    let setup = Arc::clone(&job.setup);
    let options = CheckOptions {
        target: entry.target.clone(),
        revision: entry.branch.clone(),
        open,
        limits: settings.limits.clone(),
        jobs: 1,
        name: Some(entry.name.clone()),
        kind: entry.kind.clone(),
        attestations: entry.attestations.clone(),
        today: settings.today,
    };
    let evaluated = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let mut options = options;
        // No plugin runs past the repository's own deadline: when it
        // passes, the plugins stop too and free this slot.
        options.limits.timeout = options.limits.timeout.min(deadline.saturating_duration_since(Instant::now()));
        let started = Instant::now();
        let snapshot = Arc::new(acquired.snapshot(options.revision.as_deref(), &options.open)?);
        let snapshot_time = started.elapsed();
        let started = Instant::now();
        let evaluation = check::evaluate(&runtime, &setup.plugins, &setup.policy, &snapshot, &options);
        Ok::<_, git::AcquireError>((evaluation, snapshot_time, started.elapsed()))
    })
    .await
    .map_err(|e| Failure::new(ScanErrorKind::Internal, format!("running the plugins failed: {e}")))?;
    let (evaluation, snapshot_time, plugin_time) = evaluated.map_err(|err| Failure::new(err.kind, err.to_string()))?;
    row.git_ms += snapshot_time.as_secs_f64() * 1000.0;
    row.plugin_ms = plugin_time.as_secs_f64() * 1000.0;
    let failures = evaluation.plugin_failures();
    if !failures.is_empty() {
        row.error_kind = Some(ScanErrorKind::Plugin);
        row.error = Some(failures.join("; "));
    }
    let report = check::decide(&job.setup.policy, evaluation.clone(), entry.attestations.as_ref(), settings.today);
    row.outcome = ResultOutcome::Scanned;
    Ok((Some(evaluation), report))
}

//! The pipeline for one repository, as the bird's-eye view reads:
//! acquire and snapshot (`git`) → run every plugin in its sandbox
//! (`runtime`), in parallel over the shared snapshot → score (`scoring`) →
//! [`Report`].

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::git::{self, AcquireError, OpenOptions, Snapshot, Target};
use crate::model::Status;
use crate::plugins::PluginSet;
use crate::report::{self, CheckReport, PluginReport, Report, Tool};
use crate::runtime::{Limits, LoadedPlugin, RunOutput, RunRequest, Runtime};
use crate::scoring::{self, ScoredCheck};

/// What to check and how.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    pub target: Target,
    pub revision: Option<String>,
    pub open: OpenOptions,
    pub limits: Limits,
    /// Plugins run at the same time.
    pub jobs: usize,
}

/// Checks one repository with every plugin of `plugins`.
pub fn check_repository(
    runtime: &Runtime,
    plugins: &PluginSet,
    options: &CheckOptions,
) -> Result<Report, AcquireError> {
    let snapshot = Arc::new(git::open(&options.target, options.revision.as_deref(), &options.open)?);
    let requests: Vec<RunRequest> = plugins
        .plugins
        .iter()
        .map(|plugin| RunRequest {
            checks: plugin.meta.checks.iter().map(|c| (c.id.clone(), Vec::new())).collect(),
            config: serde_json::json!({}),
            denied: Vec::new(),
        })
        .collect();
    let outputs = run_plugins(runtime, &plugins.plugins, &requests, &snapshot, &options.limits, options.jobs);
    Ok(assemble(&snapshot, &plugins.plugins, outputs))
}

/// Runs each plugin with its request on `jobs` threads; results in plugin order.
pub fn run_plugins(
    runtime: &Runtime,
    plugins: &[LoadedPlugin],
    requests: &[RunRequest],
    snapshot: &Arc<Snapshot>,
    limits: &Limits,
    jobs: usize,
) -> Vec<RunOutput> {
    let next = AtomicUsize::new(0);
    let mut outputs: Vec<Option<RunOutput>> = plugins.iter().map(|_| None).collect();
    let workers = jobs.clamp(1, plugins.len().max(1));
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let (Some(plugin), Some(request)) = (plugins.get(i), requests.get(i)) else { break };
                        done.push((i, runtime.run(plugin, snapshot, request, limits)));
                    }
                    done
                })
            })
            .collect();
        for handle in handles {
            // A worker only panics on a bug in the host; its plugins then
            // have no output and are reported as errors below.
            if let Ok(done) = handle.join() {
                for (i, output) in done {
                    outputs[i] = Some(output);
                }
            }
        }
    });
    outputs
        .into_iter()
        .zip(requests)
        .map(|(output, request)| {
            output.unwrap_or_else(|| RunOutput {
                outcomes: request
                    .checks
                    .iter()
                    .map(|(id, _)| (id.clone(), crate::model::Outcome::error("internal error running the plugin")))
                    .collect(),
                failure: Some("internal error running the plugin".to_owned()),
                duration: Default::default(),
                bytes_read: 0,
                log: Vec::new(),
            })
        })
        .collect()
}

/// Builds the report from the plugins' outputs.
pub fn assemble(snapshot: &Snapshot, plugins: &[LoadedPlugin], outputs: Vec<RunOutput>) -> Report {
    let mut checks = Vec::new();
    let mut plugin_reports = Vec::new();
    for (plugin, output) in plugins.iter().zip(outputs) {
        for (id, outcome) in output.outcomes {
            let Some(meta) = plugin.meta.checks.iter().find(|c| c.id == id) else { continue };
            let remediation = match outcome.status {
                Status::Pass | Status::Skip | Status::Exempt => outcome.remediation,
                _ => outcome.remediation.or_else(|| Some(meta.remediation.clone())).filter(|r| !r.is_empty()),
            };
            checks.push(CheckReport {
                id: id.clone(),
                plugin: plugin.meta.name.clone(),
                title: meta.title.clone(),
                category: meta.category.clone(),
                weight: f64::from(meta.weight),
                status: outcome.status,
                score: outcome.score,
                message: outcome.message,
                remediation,
                rationale: meta.rationale.clone(),
                findings: outcome.findings,
                metrics: outcome.metrics,
            });
        }
        for line in &output.log {
            log::debug!("[{}] {line}", plugin.meta.name);
        }
        plugin_reports.push(PluginReport {
            name: plugin.meta.name.clone(),
            version: plugin.meta.version.clone(),
            origin: if plugin.origin.starts_with("builtin:") { "builtin".to_owned() } else { plugin.origin.clone() },
            digest: plugin.digest.clone(),
            duration_ms: (output.duration.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0,
            bytes_read: output.bytes_read,
            error: output.failure,
            log: output.log,
        });
    }
    let scored: Vec<ScoredCheck<'_>> = checks
        .iter()
        .map(|c| ScoredCheck { category: &c.category, weight: c.weight, status: c.status, score: c.score })
        .collect();
    let scores = scoring::score(&scored, &BTreeMap::new());
    Report {
        schema_version: report::SCHEMA_VERSION,
        tool: Tool::current(),
        repository: report::Repository {
            source: snapshot.source.clone(),
            commit: snapshot.commit.clone(),
            revision: snapshot.revision.clone(),
            commit_time: report::rfc3339(snapshot.time),
        },
        score: scores.overall,
        categories: scores.categories,
        checks,
        plugins: plugin_reports,
    }
}

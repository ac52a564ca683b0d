//! The pipeline for one repository, as the bird's-eye view reads:
//! acquire and snapshot (`git`) → run every plugin in its sandbox
//! (`runtime`), in parallel over the shared snapshot, with the checks and
//! configuration the policy gives → apply the policy and decide
//! (`verdict`) → [`Report`].

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Deserialize;

use crate::git::{self, AcquireError, OpenOptions, Snapshot, Target};
use crate::located::FileErrors;
pub use crate::model::evaluation::Evaluation;
use crate::model::report::{
    CheckReport, Completeness, HistoryCoverage, PluginCache, PluginReport, Report, Repository, SCHEMA_VERSION, Tool,
};
use crate::model::{Outcome, Status, Unread};
use crate::plugins::PluginSet;
use crate::policy::Policy;
use crate::runtime::{Limits, LoadedPlugin, RunOutput, RunRequest, Runtime};
use crate::text::rfc3339;
use crate::verdict::{self, AttestationRecords, Subject};

/// The file in a repository that says what it is.
pub const REPOSITORY_FILE: &str = ".fledge/repository.toml";
/// The file in a repository that records the committee's signatures.
pub const ATTESTATIONS_FILE: &str = ".fledge/attestations.toml";

/// The largest `.fledge/*.toml` file read.
const MAX_FLEDGE_FILE: u64 = 1 << 20;

/// What to check and how.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    pub target: Target,
    pub revision: Option<String>,
    pub open: OpenOptions,
    pub limits: Limits,
    /// Plugins run at the same time.
    pub jobs: usize,
    /// The repository's name, if known (catalog, command line).
    pub name: Option<String>,
    /// The repository's kind, if known (catalog, command line).
    pub kind: Option<String>,
    /// Attestation records given by the catalog (instead of the repository's file).
    pub attestations: Option<AttestationRecords>,
    /// The date exemptions are compared with.
    pub today: jiff::civil::Date,
}

/// `.fledge/repository.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RepositoryFile {
    name: Option<String>,
    kind: Option<String>,
}

/// Checks one repository with every plugin of `plugins` under `policy`.
pub fn check_repository(
    runtime: &Runtime,
    plugins: &PluginSet,
    policy: &Policy,
    options: &CheckOptions,
) -> Result<Report, AcquireError> {
    let mut open = options.open.clone();
    open.ignore.extend(policy.ignore.iter().cloned());
    let snapshot = Arc::new(git::open(&options.target, options.revision.as_deref(), &open)?);
    let evaluation = evaluate(runtime, plugins, policy, &snapshot, options);
    Ok(decide(policy, evaluation, options.attestations.as_ref(), options.today))
}

/// Runs every plugin of `plugins` on `snapshot` with the checks and
/// configuration `policy` gives them. `options` supplies the name, kind,
/// limits and parallelism (its target and revision are not used).
pub fn evaluate(
    runtime: &Runtime,
    plugins: &PluginSet,
    policy: &Policy,
    snapshot: &Arc<Snapshot>,
    options: &CheckOptions,
) -> Evaluation {
    let mut warnings = Vec::new();
    warnings.extend(snapshot.warnings.iter().cloned());
    let described: RepositoryFile = read_toml(snapshot, REPOSITORY_FILE, &mut warnings).unwrap_or_default();
    // The kind decides which checks run: the OSPO's word (catalog, command
    // line) wins; the repository's own only for kinds the policy lets
    // repositories declare.
    let (kind, kind_source) = match (&options.kind, described.kind) {
        (Some(kind), _) => (Some(kind.clone()), Some("catalog or command line")),
        (None, Some(kind)) if policy.self_declared_kinds.contains(&kind) => (Some(kind), Some("repository")),
        (None, Some(kind)) => {
            warnings.push(format!(
                "{REPOSITORY_FILE} declares kind `{kind}`, which the policy does not let repositories declare for themselves (self_declared_kinds); all checks apply. Set the kind in the catalog or with --kind."
            ));
            (None, None)
        }
        (None, None) => (None, None),
    };
    if let Some(kind) = &kind
        && !policy.kinds.contains_key(kind)
    {
        warnings.push(format!("repository kind `{kind}` is not defined by the policy; all checks apply"));
    }
    let name = options.name.clone().or(described.name).unwrap_or_else(|| default_name(&options.target));
    let attestations: AttestationRecords = read_toml(snapshot, ATTESTATIONS_FILE, &mut warnings).unwrap_or_default();
    let attested_commits = attested_commits(snapshot, [Some(&attestations), options.attestations.as_ref()]);

    let mut excluded = Vec::new();
    let requests: Vec<RunRequest> = plugins
        .plugins
        .iter()
        .map(|plugin| {
            let mut checks = Vec::new();
            for check in &plugin.meta.checks {
                let settings = policy.check(&check.id);
                if !settings.enabled || policy.excluded_by_kind(kind.as_deref(), &check.id) {
                    excluded.push(check.id.clone());
                    continue;
                }
                checks.push((check.id.clone(), settings.ignore.clone()));
            }
            let denied = policy
                .plugins
                .get(&plugin.meta.name)
                .map(|p| {
                    p.deny
                        .iter()
                        .map(|c| {
                            (*c, format!("the policy denies the `{c}` capability to plugin `{}`", plugin.meta.name))
                        })
                        .collect()
                })
                .unwrap_or_default();
            RunRequest {
                checks,
                config: policy.plugin_config(&plugin.meta.name),
                organization: policy.organization.clone(),
                denied,
            }
        })
        .collect();
    let outputs = run_plugins(runtime, &plugins.plugins, &requests, snapshot, &options.limits, options.jobs);
    let (checks, plugin_reports) = assemble(&plugins.plugins, outputs);
    let completeness = Completeness {
        shallow: snapshot.shallow,
        tree_incomplete: snapshot.tree_incomplete,
        unread: Unread::of(snapshot.unread.clone()),
        history: snapshot.history_coverage().map(|(refs, commits, blobs)| HistoryCoverage {
            scope: snapshot.history_scope.as_str().to_owned(),
            refs,
            commits,
            blobs,
        }),
    };
    warnings.extend(completeness.summary());
    Evaluation {
        repository: Repository {
            name,
            kind,
            source: snapshot.source.clone(),
            commit: snapshot.commit.clone(),
            revision: snapshot.revision.clone(),
            commit_time: rfc3339(snapshot.time),
            kind_source: kind_source.map(str::to_owned),
            completeness,
        },
        attestations,
        attested_commits,
        checks,
        excluded,
        plugins: plugin_reports,
        warnings,
    }
}

/// Whether each commit named by the records is in the checked history.
fn attested_commits<'a>(
    snapshot: &Arc<Snapshot>,
    records: impl IntoIterator<Item = Option<&'a AttestationRecords>>,
) -> BTreeMap<String, bool> {
    let Ok(reader) = snapshot.reader() else { return BTreeMap::new() };
    records
        .into_iter()
        .flatten()
        .flat_map(|records| records.values())
        .filter_map(|record| record.commit.clone())
        .filter(|commit| commit.len() == 40 && commit.bytes().all(|b| b.is_ascii_hexdigit()))
        .filter_map(|commit| reader.in_history(&commit).ok().map(|known| (commit, known)))
        .collect()
}

/// Applies `policy` to an evaluation on `today`: severity overrides,
/// exemptions, scores and the stage. `attestations` (from a catalog)
/// replace the repository's own records when given.
pub fn decide(
    policy: &Policy,
    evaluation: Evaluation,
    attestations: Option<&AttestationRecords>,
    today: jiff::civil::Date,
) -> Report {
    let Evaluation { repository, attestations: own, attested_commits, mut checks, excluded, plugins, warnings } =
        evaluation;
    let attestations = attestations.unwrap_or(&own);
    let subject = Subject { name: &repository.name, today, attestations, history: &attested_commits };
    let exemptions = verdict::apply_policy(policy, &subject, &mut checks);
    let scores = verdict::scores(policy, &checks);
    let verdict = verdict::verdict(policy, &subject, &checks, &scores, exemptions);
    Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool::current(),
        repository,
        policy: crate::model::report::PolicyInfo { source: policy.source.clone(), digest: policy.digest.clone() },
        stage: verdict.stage.clone(),
        score: scores.overall,
        verdict,
        categories: scores.categories,
        checks,
        excluded,
        plugins,
        warnings,
    }
}

/// A name for the repository when nobody gave one: the path of a URL
/// without `.git` (`team/proj`), or a local directory's name.
fn default_name(target: &Target) -> String {
    match target {
        Target::Remote(url) => {
            // `https://host/team/proj.git` or scp-like `git@host:team/proj.git`.
            let path = match url.split_once("://") {
                Some((_, rest)) => rest.split_once('/').map_or("", |(_, p)| p),
                None => url.split_once(':').map_or(url.as_str(), |(_, p)| p),
            };
            path.trim_end_matches('/').trim_end_matches(".git").to_owned()
        }
        Target::Local(path) => {
            let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
            canonical.file_name().map_or_else(
                || canonical.display().to_string(),
                |n| n.to_string_lossy().trim_end_matches(".git").to_owned(),
            )
        }
    }
}

/// What `fledge attest` needs of a repository: its name (as `check` would
/// name it: `given`, else `.fledge/repository.toml`, else the path), its
/// attestation records at the checked commit, and which attested commits
/// are in the checked history.
pub fn attestation_view(
    snapshot: &Arc<Snapshot>,
    target: &Target,
    given: Option<&str>,
) -> (String, AttestationRecords, BTreeMap<String, bool>, Vec<String>) {
    let mut warnings = Vec::new();
    let described: RepositoryFile = read_toml(snapshot, REPOSITORY_FILE, &mut warnings).unwrap_or_default();
    let name = given.map(str::to_owned).or(described.name).unwrap_or_else(|| default_name(target));
    let records: AttestationRecords = read_toml(snapshot, ATTESTATIONS_FILE, &mut warnings).unwrap_or_default();
    let commits = attested_commits(snapshot, [Some(&records)]);
    (name, records, commits, warnings)
}

/// A TOML file of the checked commit, if it is there; a malformed one is
/// noted in `warnings` and ignored.
fn read_toml<T: for<'de> Deserialize<'de>>(
    snapshot: &Arc<Snapshot>,
    path: &str,
    warnings: &mut Vec<String>,
) -> Option<T> {
    let entry = snapshot.file(path)?;
    if entry.size > MAX_FLEDGE_FILE {
        warnings.push(format!(
            "{path} is {} bytes, above the limit of {MAX_FLEDGE_FILE} bytes for fledge's own files; the file is ignored",
            entry.size
        ));
        return None;
    }
    let text = match snapshot.reader().and_then(|r| r.read_file(path, MAX_FLEDGE_FILE)) {
        Ok(blob) => String::from_utf8_lossy(&blob.data).into_owned(),
        Err(err) => {
            warnings.push(format!("{path}: {err}"));
            return None;
        }
    };
    match toml::from_str(&text) {
        Ok(value) => Some(value),
        Err(err) => {
            warnings.push(format!("{}; the file is ignored", FileErrors::from_toml(path, &text, &err)));
            None
        }
    }
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
                        if request.checks.is_empty() {
                            continue;
                        }
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
                    .map(|(id, _)| (id.clone(), Outcome::error("internal error running the plugin")))
                    .collect(),
                failure: (!request.checks.is_empty()).then(|| "internal error running the plugin".to_owned()),
                duration: Default::default(),
                bytes_read: 0,
                log: Vec::new(),
                cache: Default::default(),
            })
        })
        .collect()
}

/// The checks and plugin reports from the plugins' outputs.
pub fn assemble(plugins: &[LoadedPlugin], outputs: Vec<RunOutput>) -> (Vec<CheckReport>, Vec<PluginReport>) {
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
                unread: Unread::of(outcome.unread),
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
            cache: (output.cache.reused + output.cache.stored > 0)
                .then_some(PluginCache { reused: output.cache.reused, stored: output.cache.stored }),
            error: output.failure,
            log: output.log,
        });
    }
    (checks, plugin_reports)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names() {
        assert_eq!(default_name(&Target::parse("https://git.example.com/payments/sdk.git")), "payments/sdk");
        assert_eq!(default_name(&Target::parse("git@git.example.com:payments/sdk.git")), "payments/sdk");
        assert_eq!(default_name(&Target::parse("/srv/repos/widget.git")), "widget");
    }
}

//! What changed between two runs of the nightly scan, and how the catalog
//! fared over time: the [`RunReport`] behind `fledge report` (rendered by
//! [`crate::report::run`] and [`crate::report::dashboard`]) and the
//! [`HistoryEntry`] list behind `fledge history`. [`load`] reads the
//! store (and writes nothing); [`compare`] builds the report from what it
//! read, without I/O.

use std::collections::{BTreeMap, HashMap};

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::error::UserError;
use crate::model::Finding;
use crate::model::report::{CategoryScore, Tool};
use crate::model::scan::{Headline, ResultOutcome, ResultRow, Run, RunId, RunState, ScanErrorKind, Tally};
use crate::model::verdict::{Blocker, StageStatus, Verdict};
use crate::store::Store;

/// Bumped on every incompatible change of the JSON run report.
pub const RUN_REPORT_SCHEMA_VERSION: u32 = 1;

/// Which runs to report on.
#[derive(Clone, Debug)]
pub struct Selection {
    /// The run to report on (default: the latest).
    pub run: Option<RunId>,
    /// Compare with the catalog as it was this long before the run
    /// (default: with the previous complete run).
    pub since: Option<std::time::Duration>,
    /// Score changes smaller than this (in points) are not reported.
    pub min_change: f64,
    /// Runs the trend covers.
    pub trend_runs: usize,
}

impl Default for Selection {
    fn default() -> Selection {
        Selection { run: None, since: None, min_change: 1.0, trend_runs: 30 }
    }
}

/// The report of one run of the scan.
#[derive(Clone, Debug, Serialize)]
pub struct RunReport {
    pub schema_version: u32,
    pub tool: Tool,
    pub run: Run,
    /// The run changes are measured from.
    pub baseline: Option<Run>,
    /// Caveats: an incomplete run, no run old enough for `--since`...
    pub notes: Vec<String>,
    pub summary: RunSummary,
    /// Regressions first, then failures, improvements, recoveries, new and
    /// removed repositories.
    pub changes: Vec<Change>,
    /// Every repository of the run, by name.
    pub repositories: Vec<RepositoryEntry>,
    /// One point per run, oldest first, ending with this one.
    pub trend: Vec<TrendPoint>,
    /// Every check of the run, least passed first: what to fix first
    /// across the catalog.
    pub checks: Vec<CheckStats>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct RunSummary {
    pub repositories: usize,
    #[serde(flatten)]
    pub tally: Tally,
    pub mean_score: Option<f64>,
    /// Repositories per stage reached.
    pub stages: BTreeMap<String, usize>,
    pub regressed: usize,
    pub improved: usize,
    pub failing: usize,
    pub recovered: usize,
    pub new: usize,
    pub removed: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// A lower stage, or a lower score.
    Regressed,
    /// Not scanned in this run (see its error).
    Failing,
    /// A higher stage, or a higher score.
    Improved,
    /// Failing in the baseline, scanned now.
    Recovered,
    /// Not in the baseline.
    New,
    /// In the baseline, not in this (complete) run.
    Removed,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Regressed => "regressed",
            ChangeKind::Failing => "failing",
            ChangeKind::Improved => "improved",
            ChangeKind::Recovered => "recovered",
            ChangeKind::New => "new",
            ChangeKind::Removed => "removed",
        }
    }
}

/// A repository whose standing changed since the baseline.
#[derive(Clone, Debug, Serialize)]
pub struct Change {
    pub repository: String,
    pub team: Option<String>,
    pub kind: ChangeKind,
    pub before_stage: Option<String>,
    pub before_score: Option<f64>,
    pub after_stage: Option<String>,
    pub after_score: Option<f64>,
    /// "stage incubating → sandbox", "unreachable: …", "since run 4"...
    pub detail: String,
    /// The checks whose result changed, failing ones first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<CheckChange>,
}

/// One repository's result in the run, with what it needs to move on.
#[derive(Clone, Debug, Serialize)]
pub struct RepositoryEntry {
    #[serde(flatten)]
    pub result: ResultRow,
    /// Score now minus score in the baseline.
    pub score_change: Option<f64>,
    pub baseline_stage: Option<String>,
    /// The next stage, and what blocks it.
    pub next: Option<String>,
    pub blockers: Vec<Blocker>,
    pub blocker_summary: Option<String>,
    /// Its score in each run of the trend (null where it has none).
    pub history: Vec<Option<f64>>,
    /// Its category scores.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<CategoryScore>,
    /// Every check of its report, findings capped at [`FINDINGS_SHOWN`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<StoredCheck>,
    /// The policy's stages, lowest first, and whether each is reached.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<StageStatus>,
    /// Where its badge was written (`fledge report --badges`), as the
    /// embed snippet links it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub badge: Option<String>,
}

/// The catalog in one run.
#[derive(Clone, Debug, Serialize)]
pub struct TrendPoint {
    pub run: RunId,
    pub started_at: String,
    pub repositories: usize,
    pub errors: usize,
    pub mean_score: Option<f64>,
    pub stages: BTreeMap<String, usize>,
}

/// The parts of a stored report a run report reads (the rest is not
/// parsed).
#[derive(Clone, Debug, Deserialize)]
pub struct StoredReport {
    pub verdict: Verdict,
    #[serde(default)]
    pub categories: Vec<CategoryScore>,
    #[serde(default)]
    pub checks: Vec<StoredCheck>,
}

/// Findings kept per check in a run report (the repository's own report
/// has them all).
pub const FINDINGS_SHOWN: usize = 10;

/// One check of a stored report, as a run report shows it.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct StoredCheck {
    pub id: String,
    pub status: String,
    #[serde(default)]
    pub score: Option<f64>,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub message: String,
    /// What to do, for a check that does not pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
    /// The first [`FINDINGS_SHOWN`] findings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    /// How many findings the check had in all.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub findings_total: usize,
    /// Static text, shown once per run in [`RunReport::checks`].
    #[serde(default, skip_serializing)]
    pub title: String,
    #[serde(default, skip_serializing)]
    pub rationale: String,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl StoredCheck {
    /// True for `pass` and `skip`: nothing to do.
    pub fn is_passing(&self) -> bool {
        matches!(self.status.as_str(), "pass" | "skip")
    }

    /// The check as a run report keeps it: findings capped, the fix only
    /// where there is something to fix.
    fn shown(&self) -> StoredCheck {
        StoredCheck {
            findings: self.findings.iter().take(FINDINGS_SHOWN).cloned().collect(),
            findings_total: self.findings_total.max(self.findings.len()),
            remediation: if self.is_passing() { None } else { self.remediation.clone() },
            ..self.clone()
        }
    }
}

/// What a check is and how the catalog fares on it: the run's reference
/// for each check, and the share of repositories passing it.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CheckStats {
    pub id: String,
    pub title: String,
    pub category: String,
    pub rationale: String,
    /// Its most common fix where it does not pass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
    /// Repositories by status (`pass`, `warn`, `fail`, `skip`, `error`).
    pub statuses: BTreeMap<String, usize>,
    /// Repositories where the check ran.
    pub repositories: usize,
}

impl CheckStats {
    /// The share of the repositories where it ran that pass it, in percent
    /// (skipped counts as passing: nothing to fix).
    pub fn passing_percent(&self) -> f64 {
        let passing = self.statuses.get("pass").copied().unwrap_or(0) + self.statuses.get("skip").copied().unwrap_or(0);
        #[expect(clippy::cast_precision_loss, reason = "counts of repositories")]
        let share = passing as f64 * 100.0 / self.repositories.max(1) as f64;
        share
    }
}

/// Every check of the run's reports, least passed first.
fn check_stats(repositories: &[RepositoryEntry], reports: &HashMap<String, StoredReport>) -> Vec<CheckStats> {
    let mut by_id: BTreeMap<&str, CheckStats> = BTreeMap::new();
    let mut fixes: HashMap<(&str, &str), usize> = HashMap::new();
    for entry in repositories {
        let Some(report) = entry.result.report.as_ref().and_then(|d| reports.get(d)) else { continue };
        for check in &report.checks {
            if let Some(fix) = check.remediation.as_deref()
                && !check.is_passing()
            {
                *fixes.entry((check.id.as_str(), fix)).or_insert(0) += 1;
            }
            let stats = by_id.entry(check.id.as_str()).or_insert_with(|| CheckStats {
                id: check.id.clone(),
                title: check.title.clone(),
                category: check.category.clone(),
                rationale: check.rationale.clone(),
                ..CheckStats::default()
            });
            *stats.statuses.entry(check.status.clone()).or_insert(0) += 1;
            stats.repositories += 1;
        }
    }
    for ((id, fix), n) in &fixes {
        let Some(stats) = by_id.get_mut(id) else { continue };
        let best = stats.remediation.as_deref().map_or(0, |b| fixes.get(&(*id, b)).copied().unwrap_or(0));
        // The most common fix; between equals, the first in text order.
        if *n > best || (*n == best && stats.remediation.as_deref().is_some_and(|b| *fix < b)) {
            stats.remediation = Some((*fix).to_owned());
        }
    }
    let mut stats: Vec<CheckStats> = by_id.into_values().collect();
    stats.sort_by(|a, b| a.passing_percent().total_cmp(&b.passing_percent()).then_with(|| a.id.cmp(&b.id)));
    stats
}

/// A check whose result changed between the baseline and the run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckChange {
    pub id: String,
    /// `None`: the check did not run then (new, or excluded).
    pub before: Option<String>,
    pub after: Option<String>,
    pub before_score: Option<f64>,
    pub after_score: Option<f64>,
}

impl CheckChange {
    /// "license.file pass → fail", "docs.site 50 → 100".
    pub fn describe(&self) -> String {
        let status = |s: &Option<String>| s.clone().unwrap_or_else(|| "absent".to_owned());
        if self.before == self.after {
            let score = |s: Option<f64>| s.map_or("-".to_owned(), |s| format!("{s:.0}"));
            format!("{} {} → {}", self.id, score(self.before_score), score(self.after_score))
        } else {
            format!("{} {} → {}", self.id, status(&self.before), status(&self.after))
        }
    }
}

/// The checks whose status or score changed, failing ones first.
fn check_changes(before: &[StoredCheck], after: &[StoredCheck]) -> Vec<CheckChange> {
    let mut ids: Vec<&str> = before.iter().chain(after).map(|c| c.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut changes: Vec<CheckChange> = ids
        .into_iter()
        .filter_map(|id| {
            let was = before.iter().find(|c| c.id == id);
            let now = after.iter().find(|c| c.id == id);
            let (status_was, status_now) = (was.map(|c| c.status.clone()), now.map(|c| c.status.clone()));
            let (score_was, score_now) = (was.and_then(|c| c.score), now.and_then(|c| c.score));
            let score_moved = matches!((score_was, score_now), (Some(a), Some(b)) if (a - b).abs() >= 1.0);
            (status_was != status_now || score_moved).then(|| CheckChange {
                id: id.to_owned(),
                before: status_was,
                after: status_now,
                before_score: score_was,
                after_score: score_now,
            })
        })
        .collect();
    let rank = |status: &Option<String>| match status.as_deref() {
        Some("fail" | "error") => 0,
        Some("warn") => 1,
        _ => 2,
    };
    changes.sort_by_key(|c| rank(&c.after));
    changes
}

/// Builds the report of the selected run: [`load`], then [`compare`].
pub fn run_report(store: &Store, selection: &Selection) -> Result<RunReport> {
    Ok(compare(load(store, selection)?, selection.min_change))
}

/// What a run report is built from, as read from the store.
#[derive(Clone, Debug)]
pub struct RunData {
    pub run: Run,
    /// The run changes are measured from.
    pub baseline: Option<Run>,
    pub notes: Vec<String>,
    /// The run's results, by repository name.
    pub results: Vec<ResultRow>,
    /// The baseline's results.
    pub before: Vec<ResultRow>,
    /// The runs of the trend, oldest first, ending with `run`.
    pub trend_runs: Vec<Run>,
    /// The headline of every repository in each of `trend_runs`.
    pub headlines: Vec<Headline>,
    /// The stored reports of `results` and `before`, by digest.
    pub reports: HashMap<String, StoredReport>,
}

/// Reads what the report of the selected run needs from the store.
pub fn load(store: &Store, selection: &Selection) -> Result<RunData> {
    let runs = store.runs()?;
    let run = match selection.run {
        Some(id) => runs.iter().find(|r| r.id == id).cloned().ok_or_else(|| {
            let ids: Vec<String> = runs.iter().take(10).map(|r| r.id.to_string()).collect();
            UserError::new(format!(
                "there is no run {id} in {} (latest runs: {})",
                store.path().display(),
                ids.join(", ")
            ))
        })?,
        None => runs.first().cloned().ok_or_else(|| {
            UserError::new(format!("{} has no runs yet; run `fledge scan` first", store.path().display()))
        })?,
    };
    let (baseline, notes) = baseline(&runs, &run, selection.since);
    let results = store.results(run.id)?;
    let before = match &baseline {
        Some(b) => store.results(b.id)?,
        None => Vec::new(),
    };
    // The trend: this run and the complete earlier ones, oldest first.
    let mut trend_runs: Vec<Run> =
        std::iter::once(&run).chain(complete_before(&runs, &run)).take(selection.trend_runs.max(1)).cloned().collect();
    trend_runs.reverse();
    let ids: Vec<RunId> = trend_runs.iter().map(|r| r.id).collect();
    let headlines = store.headlines(&ids)?;
    let mut reports = HashMap::new();
    // The baseline's reports only where they differ from the run's (the
    // checks that changed are named).
    let now: std::collections::HashSet<&String> = results.iter().filter_map(|r| r.report.as_ref()).collect();
    let changed_before = before.iter().filter_map(|r| r.report.as_ref()).filter(|d| !now.contains(d));
    for digest in now.iter().copied().chain(changed_before) {
        if !reports.contains_key(digest) {
            reports.insert(digest.clone(), store.document::<StoredReport>(digest)?);
        }
    }
    Ok(RunData { run, baseline, notes, results, before, trend_runs, headlines, reports })
}

/// The complete runs before `run` over the same part of the catalog,
/// newest first.
fn complete_before<'a>(runs: &'a [Run], run: &Run) -> impl DoubleEndedIterator<Item = &'a Run> {
    let (id, shard) = (run.id, run.shard.clone());
    runs.iter().filter(move |r| r.id < id && r.shard == shard && r.state == RunState::Complete)
}

/// The run to compare `run` with: the previous complete one, or the
/// newest complete one at least `since` older; and notes on the choice.
fn baseline(runs: &[Run], run: &Run, since: Option<std::time::Duration>) -> (Option<Run>, Vec<String>) {
    let mut notes = Vec::new();
    let baseline = match since {
        None => complete_before(runs, run).next(),
        Some(since) => {
            let cutoff = timestamp(&run.started_at)
                .and_then(|t| t.checked_sub(jiff::SignedDuration::try_from(since).ok()?).ok());
            let old_enough = complete_before(runs, run).find(|r| match (timestamp(&r.started_at), cutoff) {
                (Some(started), Some(cutoff)) => started <= cutoff,
                _ => false,
            });
            match old_enough {
                Some(found) => Some(found),
                None => {
                    let oldest = complete_before(runs, run).next_back();
                    if let Some(oldest) = oldest {
                        notes.push(format!(
                            "no run is that old; changes are since the oldest run, {} of {}",
                            oldest.id, oldest.started_at
                        ));
                    }
                    oldest
                }
            }
        }
    }
    .cloned();
    if baseline.is_none() {
        notes.push("no earlier complete run to compare with: every repository is new".to_owned());
    }
    if run.state != RunState::Complete {
        notes.push(format!(
            "run {} is {}: repositories without a result are not reported as removed",
            run.id,
            run.state.as_str()
        ));
    }
    (baseline, notes)
}

/// The report of a run, from what [`load`] read: no I/O. Score changes
/// smaller than `min_change` points are not reported.
pub fn compare(data: RunData, min_change: f64) -> RunReport {
    let RunData { run, baseline, notes, results, before, trend_runs, headlines, reports } = data;
    let before: HashMap<String, ResultRow> = before.into_iter().map(|r| (r.repository.clone(), r)).collect();
    let trend_refs: Vec<&Run> = trend_runs.iter().collect();
    let trend = trend_points(&trend_refs, &headlines);
    let position: HashMap<RunId, usize> = trend_runs.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
    let mut histories: HashMap<&str, Vec<Option<f64>>> = HashMap::new();
    for headline in &headlines {
        let history = histories.entry(headline.repository.as_str()).or_insert_with(|| vec![None; trend_runs.len()]);
        if let Some(&at) = position.get(&headline.run) {
            history[at] = headline.score;
        }
    }

    let mut changes = Vec::new();
    let mut repositories = Vec::with_capacity(results.len());
    for result in results {
        let previous = before.get(&result.repository);
        if let Some(mut change) = change(previous, &result, min_change) {
            let stored = |row: Option<&ResultRow>| row.and_then(|r| r.report.as_ref()).and_then(|d| reports.get(d));
            if let (Some(was), Some(now)) = (stored(previous), stored(Some(&result))) {
                change.checks = check_changes(&was.checks, &now.checks);
            }
            changes.push(change);
        }
        let report = result.report.as_ref().and_then(|digest| reports.get(digest));
        let (next, blockers, blocker_summary) =
            report.map(|r| r.verdict.clone()).map_or((None, Vec::new(), None), |v| (v.next, v.blockers, v.summary));
        repositories.push(RepositoryEntry {
            categories: report.map(|r| r.categories.clone()).unwrap_or_default(),
            stages: report.map(|r| r.verdict.stages.clone()).unwrap_or_default(),
            badge: None,
            checks: report.map(|r| r.checks.iter().map(StoredCheck::shown).collect()).unwrap_or_default(),
            score_change: previous.and_then(|p| Some(result.score? - p.score?)),
            baseline_stage: previous.and_then(|p| p.stage.clone()),
            next,
            blockers,
            blocker_summary,
            history: histories.remove(result.repository.as_str()).unwrap_or_default(),
            result,
        });
    }
    if run.state == RunState::Complete {
        let present: std::collections::HashSet<&str> =
            repositories.iter().map(|r| r.result.repository.as_str()).collect();
        for (name, previous) in &before {
            if !present.contains(name.as_str()) {
                changes.push(Change {
                    repository: name.clone(),
                    team: previous.team.clone(),
                    kind: ChangeKind::Removed,
                    before_stage: previous.stage.clone(),
                    before_score: previous.score,
                    after_stage: None,
                    after_score: None,
                    detail: "no longer in the catalog".to_owned(),
                    checks: Vec::new(),
                });
            }
        }
    }
    changes.sort_by(|a, b| a.kind.cmp(&b.kind).then_with(|| a.repository.cmp(&b.repository)));
    let summary = summarise(&repositories, &changes);
    let checks = check_stats(&repositories, &reports);
    RunReport {
        checks,
        schema_version: RUN_REPORT_SCHEMA_VERSION,
        tool: Tool::current(),
        run,
        baseline,
        notes,
        summary,
        changes,
        repositories,
        trend,
    }
}

fn timestamp(text: &str) -> Option<jiff::Timestamp> {
    text.parse().ok()
}

/// How `after` differs from `before`, if it does enough to report.
fn change(before: Option<&ResultRow>, after: &ResultRow, min_change: f64) -> Option<Change> {
    let change = |kind: ChangeKind, detail: String| Change {
        repository: after.repository.clone(),
        team: after.team.clone(),
        kind,
        before_stage: before.and_then(|b| b.stage.clone()),
        before_score: before.and_then(|b| b.score),
        after_stage: after.stage.clone(),
        after_score: after.score,
        detail,
        checks: Vec::new(),
    };
    let error = |row: &ResultRow| {
        format!("{}: {}", row.error_kind.map_or("error", ScanErrorKind::as_str), row.error.as_deref().unwrap_or(""))
    };
    let Some(before) = before else {
        return Some(change(ChangeKind::New, "first result".to_owned()));
    };
    match (before.outcome == ResultOutcome::Error, after.outcome == ResultOutcome::Error) {
        (_, true) => {
            let since = if before.outcome == ResultOutcome::Error { "still failing; " } else { "" };
            return Some(change(ChangeKind::Failing, format!("{since}{}", error(after))));
        }
        (true, false) => return Some(change(ChangeKind::Recovered, format!("was {}", error(before)))),
        (false, false) => {}
    }
    let stage_move = match (before.stage_rank, after.stage_rank) {
        (Some(b), Some(a)) => a.cmp(&b),
        _ => std::cmp::Ordering::Equal,
    };
    let stages =
        format!("stage {} → {}", before.stage.as_deref().unwrap_or("?"), after.stage.as_deref().unwrap_or("?"));
    let delta = after.score.unwrap_or(0.0) - before.score.unwrap_or(0.0);
    let scores = format!("score {:.1} → {:.1} ({delta:+.1})", before.score.unwrap_or(0.0), after.score.unwrap_or(0.0));
    match stage_move {
        std::cmp::Ordering::Less => Some(change(ChangeKind::Regressed, format!("{stages}, {scores}"))),
        std::cmp::Ordering::Greater => Some(change(ChangeKind::Improved, format!("{stages}, {scores}"))),
        std::cmp::Ordering::Equal if delta <= -min_change => Some(change(ChangeKind::Regressed, scores)),
        std::cmp::Ordering::Equal if delta >= min_change => Some(change(ChangeKind::Improved, scores)),
        std::cmp::Ordering::Equal => None,
    }
}

fn trend_points(runs: &[&Run], headlines: &[Headline]) -> Vec<TrendPoint> {
    runs.iter()
        .map(|run| {
            let of_run: Vec<&Headline> = headlines.iter().filter(|h| h.run == run.id).collect();
            let scores: Vec<f64> = of_run.iter().filter_map(|h| h.score).collect();
            let mut stages = BTreeMap::new();
            for stage in of_run.iter().filter_map(|h| h.stage.as_ref()) {
                *stages.entry(stage.clone()).or_insert(0) += 1;
            }
            TrendPoint {
                run: run.id,
                started_at: run.started_at.clone(),
                repositories: of_run.len(),
                errors: of_run.iter().filter(|h| h.outcome == ResultOutcome::Error).count(),
                mean_score: mean(&scores),
                stages,
            }
        })
        .collect()
}

fn mean(values: &[f64]) -> Option<f64> {
    #[expect(clippy::cast_precision_loss, reason = "a count of repositories")]
    let n = values.len() as f64;
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / n)
}

fn summarise(repositories: &[RepositoryEntry], changes: &[Change]) -> RunSummary {
    let mut summary = RunSummary { repositories: repositories.len(), ..RunSummary::default() };
    for entry in repositories {
        let result = &entry.result;
        summary.tally.add(result);
        if let Some(stage) = &result.stage {
            *summary.stages.entry(stage.clone()).or_insert(0) += 1;
        }
    }
    let scores: Vec<f64> = repositories.iter().filter_map(|r| r.result.score).collect();
    summary.mean_score = mean(&scores);
    for change in changes {
        let count = match change.kind {
            ChangeKind::Regressed => &mut summary.regressed,
            ChangeKind::Improved => &mut summary.improved,
            ChangeKind::Failing => &mut summary.failing,
            ChangeKind::Recovered => &mut summary.recovered,
            ChangeKind::New => &mut summary.new,
            ChangeKind::Removed => &mut summary.removed,
        };
        *count += 1;
    }
    summary
}

/// One run in a repository's history.
#[derive(Clone, Debug, Serialize)]
pub struct HistoryEntry {
    pub run: RunId,
    pub started_at: String,
    pub run_state: RunState,
    #[serde(flatten)]
    pub result: ResultRow,
    /// Score minus the score of the previous entry with one.
    pub score_change: Option<f64>,
}

/// Repository `name`'s results over every run, oldest first.
pub fn history(store: &Store, name: &str) -> Result<Vec<HistoryEntry>> {
    let rows = store.history(name)?;
    if rows.is_empty() {
        let names = store.repositories()?;
        let known: Vec<&str> = names.iter().map(String::as_str).collect();
        return Err(UserError::new(format!(
            "{} has no results for `{name}`{}; the name is the catalog's `name` of the repository",
            store.path().display(),
            crate::text::did_you_mean(name, &known)
        ))
        .into());
    }
    let mut previous: Option<f64> = None;
    Ok(rows
        .into_iter()
        .map(|(run, result)| {
            let score_change = previous.zip(result.score).map(|(p, s)| s - p);
            previous = result.score.or(previous);
            HistoryEntry { run: run.id, started_at: run.started_at, run_state: run.state, result, score_change }
        })
        .collect())
}

/// Runs and results for tests of the run report and its renderings.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;

    pub fn row(name: &str, outcome: ResultOutcome, stage: Option<(&str, u32)>, score: Option<f64>) -> ResultRow {
        ResultRow {
            repository: name.to_owned(),
            team: None,
            url: String::new(),
            recorded_stage: None,
            outcome,
            commit: None,
            cache_key: None,
            stage: stage.map(|(s, _)| s.to_owned()),
            score,
            error_kind: (outcome == ResultOutcome::Error).then_some(ScanErrorKind::Unreachable),
            error: (outcome == ResultOutcome::Error).then(|| "gone".to_owned()),
            attempts: 1,
            git_ms: 0.0,
            plugin_ms: 0.0,
            evaluation: None,
            report: None,
            finished_at: String::new(),
            stage_rank: stage.map(|(_, r)| r),
        }
    }

    pub fn run(id: i64, state: RunState) -> Run {
        Run {
            id,
            catalog: "catalog.toml".to_owned(),
            catalog_digest: String::new(),
            settings_digest: String::new(),
            shard: None,
            started_at: format!("2026-11-{id:02}T02:00:00Z"),
            finished_at: None,
            state,
            interruptions: 0,
            total: 2,
            merged_from: None,
        }
    }

    fn check(id: &str, status: &str, score: f64) -> StoredCheck {
        let category = id.split('.').next().unwrap_or_default().to_owned();
        StoredCheck {
            id: id.to_owned(),
            status: status.to_owned(),
            score: Some(score),
            message: format!("{id} is {status}"),
            remediation: Some(format!("make {id} pass")),
            title: format!("The {id} check"),
            rationale: format!("Why {id} matters <to an OSPO>."),
            category,
            findings: Vec::new(),
            findings_total: 0,
        }
    }

    fn category(name: &str, score: f64, checks: usize, passed: usize) -> CategoryScore {
        CategoryScore { name: name.to_owned(), score: Some(score), weight: 1.0, checks, passed }
    }

    fn verdict(stage: &str, next: Option<&str>, summary: Option<&str>) -> Verdict {
        Verdict {
            stage: stage.to_owned(),
            next: next.map(str::to_owned),
            blockers: Vec::new(),
            summary: summary.map(str::to_owned),
            stages: Vec::new(),
            attestations: Vec::new(),
            exemptions: Vec::new(),
        }
    }

    /// A complete run 2 of three repositories compared with run 1: one
    /// regressed (its license file gone), one unchanged, one removed, one
    /// new.
    pub fn data() -> RunData {
        let ok = |name, rank: u32, score| {
            row(name, ResultOutcome::Scanned, Some((["sandbox", "incubating"][rank as usize], rank)), Some(score))
        };
        let headline = |run: i64, name: &str, score| Headline {
            run,
            repository: name.to_owned(),
            outcome: ResultOutcome::Scanned,
            stage: None,
            stage_rank: None,
            score: Some(score),
        };
        RunData {
            run: run(2, RunState::Complete),
            baseline: Some(run(1, RunState::Complete)),
            notes: Vec::new(),
            results: vec![
                ResultRow { report: Some("d1".to_owned()), ..ok("api", 0, 60.0) },
                ok("new", 0, 30.0),
                ok("web", 1, 75.0),
            ],
            before: vec![
                ResultRow { report: Some("d0".to_owned()), ..ok("api", 1, 72.0) },
                ok("old", 0, 40.0),
                ok("web", 1, 75.0),
            ],
            trend_runs: vec![run(1, RunState::Complete), run(2, RunState::Complete)],
            headlines: vec![
                headline(1, "api", 72.0),
                headline(1, "old", 40.0),
                headline(1, "web", 75.0),
                headline(2, "api", 60.0),
                headline(2, "new", 30.0),
                headline(2, "web", 75.0),
            ],
            reports: HashMap::from([
                (
                    "d0".to_owned(),
                    StoredReport {
                        verdict: verdict("incubating", None, None),
                        categories: vec![category("license", 100.0, 1, 1), category("docs", 50.0, 1, 0)],
                        checks: vec![check("license.file", "pass", 100.0), check("docs.site", "warn", 50.0)],
                    },
                ),
                (
                    "d1".to_owned(),
                    StoredReport {
                        verdict: Verdict {
                            blockers: vec![Blocker::Gate {
                                check: "license.file".to_owned(),
                                status: crate::model::Status::Fail,
                                message: "no LICENSE file".to_owned(),
                                remediation: None,
                                score_gain: 5.0,
                            }],
                            ..verdict("sandbox", Some("incubating"), Some("fix 1 check to reach `incubating`"))
                        },
                        categories: vec![category("license", 0.0, 1, 0), category("docs", 100.0, 1, 1)],
                        checks: vec![
                            StoredCheck {
                                findings: (1..=12)
                                    .map(|i| Finding {
                                        message: format!("no license text in <pkg-{i}>"),
                                        severity: crate::model::Severity::Medium,
                                        locations: vec![crate::model::Location {
                                            path: format!("packages/pkg-{i}/Cargo.toml"),
                                            line: Some(3),
                                            commit: None,
                                            span: None,
                                        }],
                                        fingerprint: None,
                                    })
                                    .collect(),
                                ..check("license.file", "fail", 0.0)
                            },
                            check("docs.site", "pass", 100.0),
                        ],
                    },
                ),
            ]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::row;
    use super::*;

    #[test]
    fn changes_are_classified_by_stage_then_score() {
        let ok = |stage, rank, score| row("a", ResultOutcome::Scanned, Some((stage, rank)), Some(score));
        let kind = |before: &ResultRow, after: &ResultRow| change(Some(before), after, 1.0).map(|c| c.kind);
        // A lower stage is a regression even when the score rose.
        assert_eq!(kind(&ok("public", 2, 80.0), &ok("incubating", 1, 85.0)), Some(ChangeKind::Regressed));
        assert_eq!(kind(&ok("sandbox", 0, 80.0), &ok("incubating", 1, 70.0)), Some(ChangeKind::Improved));
        assert_eq!(kind(&ok("sandbox", 0, 80.0), &ok("sandbox", 0, 78.5)), Some(ChangeKind::Regressed));
        assert_eq!(kind(&ok("sandbox", 0, 80.0), &ok("sandbox", 0, 80.5)), None);
        let failed = row("a", ResultOutcome::Error, None, None);
        assert_eq!(kind(&ok("sandbox", 0, 80.0), &failed), Some(ChangeKind::Failing));
        assert_eq!(kind(&failed, &ok("sandbox", 0, 80.0)), Some(ChangeKind::Recovered));
        let still = change(Some(&failed), &failed, 1.0).map(|c| c.detail);
        assert_eq!(still.as_deref(), Some("still failing; unreachable: gone"));
        assert_eq!(change(None, &failed, 1.0).map(|c| c.kind), Some(ChangeKind::New));
    }

    #[test]
    fn a_run_is_compared_with_its_baseline_without_the_store() {
        let report = compare(fixtures::data(), 1.0);
        let changes: Vec<(&str, ChangeKind)> = report.changes.iter().map(|c| (c.repository.as_str(), c.kind)).collect();
        assert_eq!(changes, [("api", ChangeKind::Regressed), ("new", ChangeKind::New), ("old", ChangeKind::Removed)]);
        let named: Vec<String> = report.changes[0].checks.iter().map(CheckChange::describe).collect();
        assert_eq!(named, ["license.file pass → fail", "docs.site warn → pass"]);
        let api = &report.repositories[0];
        assert_eq!((api.score_change, api.history.clone()), (Some(-12.0), vec![Some(72.0), Some(60.0)]));
        assert_eq!(report.repositories[1].history, [None, Some(30.0)]);
        assert_eq!(report.repositories[2].score_change, Some(0.0));
        assert_eq!(report.trend.len(), 2);
    }
}

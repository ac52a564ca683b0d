//! The report of a whole scan run ([`RunReport`]) as a terminal summary
//! and as Markdown. JSON is the run report serialised (documented in
//! `docs/report-schema.md`); HTML is [`super::dashboard`].

use std::fmt::Write as _;

use super::markdown::cell;
use crate::model::scan::{ResultOutcome, ScanErrorKind};
use crate::model::verdict::Blocker;
use crate::trends::{Change, CheckChange, RepositoryEntry, RunReport};

/// "run 12 (complete) of catalog.toml, started …; compared with run 11 of …"
pub fn headline(report: &RunReport) -> String {
    let run = &report.run;
    let shard = run.shard.as_ref().map_or(String::new(), |s| format!(" shard {s}"));
    let mut text =
        format!("run {} ({}) of {}{shard}, started {}", run.id, run.state.as_str(), run.catalog, run.started_at);
    if run.interruptions > 0 {
        let _ = write!(text, ", resumed {} time(s)", run.interruptions);
    }
    match &report.baseline {
        Some(b) => {
            let _ = write!(text, "; compared with run {} of {}", b.id, b.started_at);
        }
        None => text.push_str("; nothing to compare with"),
    }
    text
}

/// "500 repositories: 15 scanned, 480 cached, 5 errors; mean score 71.3"
pub fn counts(report: &RunReport) -> String {
    let s = &report.summary;
    let mean = s.mean_score.map_or_else(|| "n/a".to_owned(), |m| format!("{m:.1}"));
    format!("{} repositories: {}; mean score {mean}", s.repositories, s.tally)
}

/// "3 regressed, 2 failing, 4 improved, 0 recovered, 1 new, 0 removed"
pub fn change_counts(report: &RunReport) -> String {
    let s = &report.summary;
    format!(
        "{} regressed, {} failing, {} improved, {} recovered, {} new, {} removed",
        s.regressed, s.failing, s.improved, s.recovered, s.new, s.removed
    )
}

/// "public 120, incubating 200, sandbox 175"
pub fn stage_counts(report: &RunReport) -> String {
    let stages: Vec<String> = report.summary.stages.iter().map(|(stage, n)| format!("{stage} {n}")).collect();
    if stages.is_empty() { "none".to_owned() } else { stages.join(", ") }
}

/// A score change as "+2.5" / "-1.0" / "" (none).
pub fn signed(change: Option<f64>) -> String {
    change.map_or_else(String::new, |c| format!("{c:+.1}"))
}

fn score(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:.1}"))
}

/// The terminal summary: headline, counts, then every change.
pub fn table(report: &RunReport) -> String {
    let mut out = format!(
        "{}\n{}\nstages: {}\nchanges: {}\n",
        headline(report),
        counts(report),
        stage_counts(report),
        change_counts(report)
    );
    for note in &report.notes {
        let _ = writeln!(out, "note: {note}");
    }
    if !report.changes.is_empty() {
        out.push('\n');
        let width = report.changes.iter().map(|c| c.repository.len()).max().unwrap_or(0);
        for change in &report.changes {
            let _ = writeln!(
                out,
                "  {:<9}  {:<width$}  {}",
                change.kind.as_str().to_uppercase(),
                change.repository,
                change.detail
            );
            for check in shown_checks(change) {
                let _ = writeln!(out, "  {:<9}  {:<width$}    {check}", "", "");
            }
        }
    }
    out
}

/// Markdown: the summary, the changes, and a table of every repository.
pub fn markdown(report: &RunReport) -> String {
    let mut out = format!("## fledge scan: {}\n\n", headline(report));
    let _ =
        writeln!(out, "{}.\n\nStages: {}. Changes: {}.\n", counts(report), stage_counts(report), change_counts(report));
    for note in &report.notes {
        let _ = writeln!(out, "> **Note:** {note}\n");
    }
    if !report.changes.is_empty() {
        let _ = writeln!(
            out,
            "### Changes\n\n| Change | Repository | Team | Before | After | Detail |\n|---|---|---|---|---|---|"
        );
        for change in &report.changes {
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} | {} | {} |",
                change.kind.as_str(),
                cell(&change.repository),
                cell(change.team.as_deref().unwrap_or("")),
                standing(change.before_stage.as_deref(), change.before_score),
                standing(change.after_stage.as_deref(), change.after_score),
                cell(&with_checks(change))
            );
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "### Repositories\n\n| Repository | Team | Stage | Score | Change | Outcome | What blocks the next stage |\n|---|---|---|---:|---:|---|---|"
    );
    for entry in &report.repositories {
        let result = &entry.result;
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} | {} |",
            cell(&result.repository),
            cell(result.team.as_deref().unwrap_or("")),
            cell(result.stage.as_deref().unwrap_or("-")),
            score(result.score),
            signed(entry.score_change),
            outcome(entry),
            cell(&blocking(entry))
        );
    }
    out
}

fn standing(stage: Option<&str>, value: Option<f64>) -> String {
    match stage {
        Some(stage) => format!("{} ({})", cell(stage), score(value)),
        None => "-".to_owned(),
    }
}

/// The checks and attestations that block the next stage, by name (at
/// most 8).
fn blocking_checks(entry: &RepositoryEntry) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for blocker in &entry.blockers {
        match blocker {
            Blocker::Gate { check, .. } => names.push(check.clone()),
            Blocker::Category { checks, .. } => names.extend(checks.iter().cloned()),
            Blocker::Score { checks, .. } => names.extend(checks.iter().map(|c| c.check.clone())),
            Blocker::Attestation { item, .. } => names.push(format!("attestation {item}")),
        }
    }
    names.dedup();
    if names.len() > 8 {
        let more = names.len() - 8;
        names.truncate(8);
        names.push(format!("… {more} more"));
    }
    names
}

/// The changed checks of a change worth listing (at most 10, then a count).
pub fn shown_checks(change: &Change) -> Vec<String> {
    let mut shown: Vec<String> = change.checks.iter().take(10).map(CheckChange::describe).collect();
    if change.checks.len() > 10 {
        shown.push(format!("… {} more checks", change.checks.len() - 10));
    }
    shown
}

/// The change's detail followed by the checks that changed.
pub fn with_checks(change: &Change) -> String {
    let checks = shown_checks(change);
    if checks.is_empty() { change.detail.clone() } else { format!("{}; {}", change.detail, checks.join(", ")) }
}

/// The outcome, with the error's kind: "scanned", "error: unreachable".
pub fn outcome(entry: &RepositoryEntry) -> String {
    let result = &entry.result;
    match (&result.outcome, &result.error_kind) {
        (ResultOutcome::Error, kind) => format!("error: {}", kind.map_or("unknown", ScanErrorKind::as_str)),
        (other, Some(kind)) => format!("{} ({kind} error)", other.as_str()),
        (other, None) => other.as_str().to_owned(),
    }
}

/// What keeps a repository where it is, in one line.
pub fn blocking(entry: &RepositoryEntry) -> String {
    if let Some(error) = &entry.result.error {
        return error.clone();
    }
    let named = blocking_checks(entry);
    let named = if named.is_empty() { String::new() } else { format!(" ({})", named.join(", ")) };
    match (&entry.next, &entry.blocker_summary) {
        (Some(next), Some(summary)) => format!("{next}: {summary}{named}"),
        (Some(next), None) => format!("{next}: {} blocker(s)", entry.blockers.len()),
        (None, _) if entry.result.stage.is_some() => "highest stage reached".to_owned(),
        (None, _) => String::new(),
    }
}

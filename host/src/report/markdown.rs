//! The report as Markdown, to paste into a review ticket or a pull request
//! comment: the verdict and its blockers first, then the scores, then every
//! check in collapsible sections per category.

use std::fmt::Write as _;

use crate::model::Status;
use crate::report::Report;

/// Escapes text for Markdown, in a table cell or a paragraph: control
/// characters made visible, HTML shown as text, and Markdown's inline
/// syntax (code spans, emphasis, links, pipes) shown literally.
pub(crate) fn cell(text: &str) -> String {
    let html = crate::text::html(&crate::text::printable(text));
    let mut out = String::with_capacity(html.len());
    for c in html.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn icon(status: Status) -> &'static str {
    match status {
        Status::Pass => "✅",
        Status::Warn => "⚠️",
        Status::Fail => "❌",
        Status::Skip => "➖",
        Status::Error => "💥",
        Status::Exempt => "🛡️",
    }
}

pub fn render(report: &Report) -> String {
    let report = &report.for_display();
    let mut out = String::new();
    let repo = &report.repository;
    let verdict = &report.verdict;
    let _ = writeln!(out, "## fledge: {} is **{}** (score {:.1}/100)\n", cell(&repo.name), verdict.stage, report.score);
    let _ = writeln!(
        out,
        "Commit `{}` of {} ({}, {}), policy {}.\n",
        &repo.commit[..repo.commit.len().min(12)],
        cell(&repo.source),
        cell(&repo.revision),
        repo.commit_time,
        cell(&report.policy.source)
    );
    if let Some(next) = &verdict.next {
        let _ = writeln!(out, "### What blocks `{next}`\n");
        if let Some(summary) = &verdict.summary {
            let _ = writeln!(out, "{}:\n", capitalise(summary));
        }
        for blocker in &verdict.blockers {
            let line = format!("**{}** {}", blocker.label(), cell(&blocker.describe()));
            let _ = writeln!(out, "- [ ] {line}");
        }
        out.push('\n');
    } else {
        let _ = writeln!(out, "The highest stage is reached.\n");
    }
    let _ = writeln!(out, "### Scores\n\n| Category | Score | Passing |\n|---|---:|---:|");
    for category in &report.categories {
        let score = category.score.map_or_else(|| "n/a".to_owned(), |s| format!("{s:.1}"));
        let _ = writeln!(out, "| {} | {score} | {}/{} |", category.name, category.passed, category.checks);
    }
    let _ = writeln!(out, "| **Overall** | **{:.1}** | |\n", report.score);
    let _ = writeln!(out, "### Checks\n");
    for category in &report.categories {
        let _ = writeln!(
            out,
            "<details><summary>{} ({}/{} passing)</summary>\n",
            category.name, category.passed, category.checks
        );
        let _ = writeln!(out, "| | Check | Score | Result |\n|---|---|---:|---|");
        for check in report.checks.iter().filter(|c| c.category == category.name) {
            let mut result = cell(&check.message);
            if let Some(fix) = check.remediation.as_ref().filter(|_| check.status != Status::Pass) {
                let _ = write!(result, "<br>*Fix:* {}", cell(fix));
            }
            let _ = writeln!(out, "| {} | `{}` | {} | {result} |", icon(check.status), check.id, check.score);
        }
        let _ = writeln!(out, "\n</details>\n");
    }
    if !verdict.attestations.is_empty() {
        let _ = writeln!(out, "### Attestations\n\n| Item | State | Signed by |\n|---|---|---|");
        for item in &verdict.attestations {
            let signed = match (&item.signed_by, &item.date) {
                (Some(by), Some(date)) => format!("{} on {date}", cell(by)),
                _ => format!("to be signed by {}", cell(&item.signers.join(" or "))),
            };
            let _ = writeln!(out, "| {} | {} | {signed} |", cell(&item.title), item.state);
        }
        out.push('\n');
    }
    for warning in &report.warnings {
        let _ = writeln!(out, "> **Warning:** {}\n", cell(warning));
    }
    out
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().collect::<String>() + chars.as_str())
}

//! The human-readable table: per category, each check with its status,
//! score and one-line message, the remediation for anything not passing and
//! a few findings with their locations; then category scores and the overall
//! score. Colour only when asked for (a terminal without NO_COLOR).

use std::fmt::Write as _;

use crate::model::verdict::fixes_text;
use crate::model::{Finding, Status};
use crate::report::Report;
use crate::verdict::Blocker;

/// Findings shown per check unless verbose.
const FINDINGS_SHOWN: usize = 5;

/// ANSI styling, or none.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    color: bool,
}

impl Style {
    pub fn new(color: bool) -> Style {
        Style { color }
    }

    pub(crate) fn paint(self, code: &str, text: &str) -> String {
        if self.color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_owned() }
    }

    pub fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    pub fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }

    pub fn status(self, status: Status) -> String {
        let label = format!("{:<6}", status.as_str().to_uppercase());
        let code = match status {
            Status::Pass => "32",
            Status::Warn => "33",
            Status::Fail => "31",
            Status::Skip => "2",
            Status::Error => "35",
            Status::Exempt => "36",
        };
        self.paint(code, &label)
    }

    pub fn score(self, score: f64) -> String {
        let code = if score >= 75.0 {
            "32"
        } else if score >= 50.0 {
            "33"
        } else {
            "31"
        };
        self.paint(code, &format!("{score:.1}"))
    }
}

/// What to do about a check that could not be evaluated.
const ERROR_FIX: &str = "the check could not run to its end: correct what its message names (its configuration, a denied read, a limit), then check again; if the message is the plugin's own fault, report it to its maintainers";

/// Writes `text` after `prefix`, wrapped on word boundaries to `width`
/// columns, later lines indented by `hang` (words longer than a line, such
/// as paths, are not split).
fn put(out: &mut String, width: usize, prefix: &str, text: &str, hang: usize) {
    let indent = " ".repeat(hang);
    let options = textwrap::Options::new(width.max(hang + 20))
        .initial_indent(prefix)
        .subsequent_indent(&indent)
        .break_words(false)
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    for line in textwrap::wrap(text, options) {
        let _ = writeln!(out, "{line}");
    }
}

/// Renders `report` as the terminal table, wrapped to `width` columns.
pub fn render(report: &Report, style: Style, verbose: bool, width: usize) -> String {
    let report = &report.for_display();
    let mut out = String::new();
    let repo = &report.repository;
    let short = &repo.commit[..repo.commit.len().min(12)];
    let header = format!(
        "{} @ {} ({}, {}); policy: {}",
        repo.source, short, repo.revision, repo.commit_time, report.policy.source
    );
    put(&mut out, width, &format!("{} ", style.bold("fledge check")), &header, 2);
    // The verdict first: what an OSPO reviewer reads the report for.
    render_verdict(&mut out, report, style, width);
    let id_width = report.checks.iter().map(|c| c.id.len()).max().unwrap_or(10);
    for category in &report.categories {
        let _ = writeln!(out);
        let score = category.score.map_or_else(|| style.dim("n/a"), |s| style.score(s));
        let _ = writeln!(
            out,
            "{}  {}  {}",
            style.bold(&category.name),
            score,
            style.dim(&passing_note(report, &category.name, category.passed, category.checks))
        );
        let in_category = report.checks.iter().filter(|c| c.category == category.name);
        // Without -v, passing and skipped checks take one line each.
        if !verbose {
            for (status, label) in [(Status::Pass, "passing"), (Status::Skip, "skipped")] {
                let ids: Vec<&str> =
                    in_category.clone().filter(|c| c.status == status).map(|c| c.id.as_str()).collect();
                if !ids.is_empty() {
                    let prefix = format!("  {} {} {label}: ", style.status(status), ids.len());
                    put(&mut out, width, &prefix, &ids.join(", "), 9);
                }
            }
        }
        for check in in_category.filter(|c| verbose || !matches!(c.status, Status::Pass | Status::Skip)) {
            let prefix = format!("  {} {:<id_width$} {:>3}  ", style.status(check.status), check.id, check.score);
            // Continuation lines under the message, unless that leaves too
            // little room.
            let column = textwrap::core::display_width(&prefix);
            let hang = if column <= width / 2 { column } else { 9 };
            put(&mut out, width, &prefix, &check.message, hang);
            let fix = format!("         {} ", style.dim("fix:"));
            if check.status == Status::Error {
                // The check's own fix is for a failure; this is not one.
                put(&mut out, width, &fix, ERROR_FIX, 14);
            } else if !matches!(check.status, Status::Pass | Status::Skip)
                && let Some(remediation) = &check.remediation
            {
                put(&mut out, width, &fix, remediation, 14);
            }
            let shown = if verbose {
                usize::MAX
            } else if check.status == Status::Pass {
                0
            } else {
                FINDINGS_SHOWN
            };
            let relevant: Vec<&Finding> = check
                .findings
                .iter()
                .filter(|f| verbose || f.severity != crate::model::Severity::Info || check.status != Status::Pass)
                .collect();
            for finding in relevant.iter().take(shown) {
                put(&mut out, width, "         - ", &finding_line(finding), 11);
            }
            if relevant.len() > shown && shown > 0 {
                let _ = writeln!(
                    out,
                    "         {}",
                    style.dim(&format!("… {} more (see --format json)", relevant.len() - shown))
                );
            }
        }
    }
    let failed: Vec<&str> = report.plugins.iter().filter_map(|p| p.error.as_deref().map(|_| p.name.as_str())).collect();
    if !failed.is_empty() {
        let _ = writeln!(out, "\n{} {}", style.paint("35", "plugins in error:"), failed.join(", "));
    }
    if !report.warnings.is_empty() {
        let _ = writeln!(out);
    }
    for warning in &report.warnings {
        put(&mut out, width, &format!("{} ", style.paint("33", "warning:")), warning, 2);
    }
    out
}

/// "4/6 passing", and why checks that do not pass leave the score where it
/// is: "4/6 passing (1 skipped, 1 informational)".
fn passing_note(report: &Report, category: &str, passed: usize, checks: usize) -> String {
    let in_category = report.checks.iter().filter(|c| c.category == category);
    let (mut skipped, mut informational) = (0, 0);
    for check in in_category {
        if check.status == Status::Skip {
            skipped += 1;
        } else if check.status != Status::Pass && check.weight == 0.0 {
            informational += 1;
        }
    }
    let mut reasons = Vec::new();
    if skipped > 0 {
        reasons.push(format!("{skipped} skipped"));
    }
    if informational > 0 {
        reasons.push(format!("{informational} informational, not scored"));
    }
    if reasons.is_empty() {
        format!("{passed}/{checks} passing")
    } else {
        format!("{passed}/{checks} passing ({})", reasons.join(", "))
    }
}

fn render_verdict(out: &mut String, report: &Report, style: Style, width: usize) {
    let verdict = &report.verdict;
    let _ = writeln!(
        out,
        "{} {} · {} {} / 100",
        style.bold("stage:"),
        style.bold(&verdict.stage),
        style.bold("score:"),
        style.score(report.score)
    );
    let Some(next) = &verdict.next else {
        let _ = writeln!(out, "the highest stage is reached");
        return;
    };
    if let Some(summary) = &verdict.summary {
        put(out, width, &format!("{} ", style.bold(&format!("next, {next}:"))), summary, 2);
    }
    for blocker in &verdict.blockers {
        let line = match blocker {
            Blocker::Gate { check, status, message, remediation, .. } => {
                put(out, width, "  - ", &format!("gate {check} ({status}): {message}"), 4);
                let fix = match remediation {
                    Some(fix) => Some(fix.as_str()),
                    None if *status == Status::Error => Some(ERROR_FIX),
                    None => None,
                };
                if let Some(fix) = fix {
                    put(out, width, &format!("      {} ", style.dim("fix:")), fix, 11);
                }
                continue;
            }
            Blocker::Category { category, score, min, checks } => {
                format!("category {category} scores {score:.1}, below {min}; {}", fixes_text(&checks.join(", ")))
            }
            Blocker::Score { score, min_score, gap, checks } => {
                let fixes: Vec<String> = checks.iter().map(|g| format!("{} (+{:.1})", g.check, g.gain)).collect();
                format!("score {score:.1} is {gap:.1} below {min_score}; {}", fixes_text(&fixes.join(", ")))
            }
            Blocker::Attestation { title, state, signers, .. } => {
                format!("attestation \"{title}\" is {state}; to be signed by {}", signers.join(" or "))
            }
        };
        put(out, width, "  - ", &line, 4);
    }
}

/// `path:line (commit abc1234): message`.
pub fn finding_line(finding: &Finding) -> String {
    let mut where_ = Vec::new();
    for location in finding.locations.iter().take(3) {
        let mut text = location.path.clone();
        if let Some(line) = location.line {
            let _ = write!(text, ":{line}");
        }
        if let Some(commit) = &location.commit {
            let _ = write!(text, " (commit {})", &commit[..commit.len().min(10)]);
        }
        where_.push(text);
    }
    if finding.locations.len() > 3 {
        where_.push(format!("+{} more", finding.locations.len() - 3));
    }
    if where_.is_empty() { finding.message.clone() } else { format!("{}: {}", where_.join(", "), finding.message) }
}

//! The publication report as text and Markdown: the result and its proof
//! first, then what was removed, replaced and rewritten. Both renderings
//! come from one list of sections, so they say the same things.

use crate::model::publish::{PublishReport, RuleCount, Verdict};
use crate::report::markdown::cell;
use crate::report::terminal::Style;
use crate::text::{count, printable};

struct Section {
    title: &'static str,
    items: Vec<String>,
}

fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

fn verdict_line(verdict: &Verdict) -> String {
    let failing = if verdict.failing.is_empty() {
        "no secrets check fails".to_owned()
    } else {
        let ids: Vec<&str> = verdict.failing.iter().map(|f| f.id.as_str()).collect();
        format!("failing: {}", ids.join(", "))
    };
    format!("stage {}, score {:.1}; {failing}", verdict.stage, verdict.score)
}

fn rule_line(rule: &RuleCount, what: &str) -> String {
    let mut parts = vec![count(rule.files, what)];
    if rule.messages > 0 {
        parts.push(count(rule.messages, "message"));
    }
    if rule.matches > 0 {
        parts.push(count(rule.matches, "match"));
    }
    format!("{}: {}", rule.rule, parts.join(", "))
}

fn sections(report: &PublishReport) -> Vec<Section> {
    let mut sections = Vec::new();
    let mut proof =
        vec![format!("before: {}", verdict_line(&report.before)), format!("after: {}", verdict_line(&report.after))];
    for failing in &report.after.failing {
        proof.push(format!("{}: {}", failing.id, failing.message));
    }
    sections.push(Section { title: "Proof (the policy's checks on the result)", items: proof });
    let removed: Vec<String> = report.removed.iter().map(|c| rule_line(c, "file")).collect();
    sections.push(Section { title: "Removed", items: removed });
    let replaced: Vec<String> = report.replaced.iter().map(|c| rule_line(c, "file")).collect();
    sections.push(Section { title: "Replaced", items: replaced });
    let credentials: Vec<String> = report
        .credentials
        .iter()
        .map(|f| {
            let line = f.line.map_or(String::new(), |l| format!(":{l}"));
            let commit = f.commit.as_deref().map_or(String::new(), |c| format!(" (commit {})", short(c)));
            let times =
                if f.replacements > 0 { format!(", {}", count(f.replacements, "place")) } else { String::new() };
            format!("{} {}{line}{commit}: {}{times} — {}", f.check, f.path, f.action, f.message)
        })
        .collect();
    sections.push(Section { title: "Credentials and key files", items: credentials });
    let identities: Vec<String> =
        report.identities.iter().map(|i| format!("{} → {} ({})", i.from, i.to, count(i.lines, "line"))).collect();
    sections.push(Section { title: "Identities", items: identities });
    let mut tags: Vec<String> = report.tags.iter().map(|t| format!("{} → {}", t.name, short(&t.target))).collect();
    tags.extend(report.tags_left_out.iter().map(|t| format!("{} left out: {}", t.name, t.reason)));
    sections.push(Section { title: "Tags", items: tags });
    sections.push(Section { title: "Decisions", items: report.decisions.clone() });
    sections.push(Section { title: "Not read", items: report.unread.clone() });
    sections.retain(|s| !s.items.is_empty());
    sections
}

fn headline(report: &PublishReport) -> String {
    format!(
        "{} → {}: {} history, {} on branch {} (head {}), {}",
        report.source,
        report.destination,
        report.history,
        count(report.commits, "commit"),
        report.branch,
        short(&report.head),
        count(report.tags.len(), "tag")
    )
}

/// The report as text for a terminal.
pub fn table(report: &PublishReport, style: Style) -> String {
    let mut out = String::new();
    let verdict = if report.clean() { "published, clean" } else { "published, NOT clean" };
    out.push_str(&format!("{}\n{}\n", style.bold(verdict), printable(&headline(report))));
    for section in sections(report) {
        out.push_str(&format!("\n{}\n", style.bold(section.title)));
        for item in section.items {
            out.push_str(&format!("  - {}\n", printable(&item)));
        }
    }
    if let Some(map) = &report.commit_map {
        out.push_str(&format!("\ncommit map: {}\n", printable(map)));
    }
    out
}

/// The report as Markdown.
pub fn markdown(report: &PublishReport) -> String {
    let mut out = String::new();
    let verdict = if report.clean() { "clean" } else { "**not clean**" };
    out.push_str(&format!("# Publication: {verdict}\n\n{}\n", cell(&headline(report))));
    for section in sections(report) {
        out.push_str(&format!("\n## {}\n\n", section.title));
        for item in section.items {
            out.push_str(&format!("- {}\n", cell(&item)));
        }
    }
    if let Some(map) = &report.commit_map {
        out.push_str(&format!("\nCommit map: {}\n", cell(map)));
    }
    out
}

//! `security.ci-workflows`: CI is configured, and GitHub Actions workflows
//! avoid the known dangerous patterns (as OpenSSF Scorecard's
//! Dangerous-Workflow and Pinned-Dependencies checks define them):
//! `pull_request_target` checking out the pull request's code, untrusted
//! `${{ github.event... }}` values interpolated into `run:` scripts, and
//! third-party actions not pinned to a commit SHA.

use std::sync::OnceLock;

use fledge_sdk::conventions::ci_services;
use fledge_sdk::prelude::*;
use regex::Regex;

fn untrusted() -> &'static Regex {
    static UNTRUSTED: OnceLock<Regex> = OnceLock::new();
    UNTRUSTED.get_or_init(|| {
        Regex::new(
            r"\$\{\{[^}]*?\b(github\.head_ref|github\.event\.(?:issue\.(?:title|body)|pull_request\.(?:title|body|head\.(?:ref|label|repo\.default_branch))|comment\.body|review\.body|review_comment\.body|pages\.[^}\s]*\.page_name|commits\.[^}\s]*\.(?:message|author\.(?:email|name))|head_commit\.(?:message|author\.(?:email|name))|workflow_run\.(?:head_branch|head_commit\.(?:message|author\.(?:email|name))|pull_requests\.[^}\s]*\.head\.(?:ref|label))|discussion\.(?:title|body)))\b",
        )
        .unwrap_or_else(|_| Regex::new("$^").expect("empty regex"))
    })
}

/// One problem in a workflow file.
struct Problem {
    dangerous: bool,
    line: u32,
    message: String,
}

fn line_number(index: usize) -> u32 {
    u32::try_from(index + 1).unwrap_or(u32::MAX)
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The problems of one workflow file.
fn workflow_problems(text: &str, trusted: &[String]) -> Vec<Problem> {
    let lines: Vec<&str> = text.lines().collect();
    let mut problems = Vec::new();
    let target_trigger = lines.iter().any(|l| {
        let code = l.split('#').next().unwrap_or_default();
        code.contains("pull_request_target")
    });
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let code = line.split(" #").next().unwrap_or_default();
        let trimmed = code.trim_start().trim_start_matches("- ").trim_start();
        if let Some(value) = trimmed.strip_prefix("ref:")
            && target_trigger
            && (value.contains("github.event.pull_request.head")
                || value.contains("github.head_ref")
                || value.contains("refs/pull/"))
        {
            problems.push(Problem {
                dangerous: true,
                line: line_number(i),
                message: format!(
                    "pull_request_target workflow checks out the pull request's code ({}): it runs untrusted code with the repository's secrets",
                    value.trim()
                ),
            });
        }
        if let Some(value) = trimmed.strip_prefix("uses:") {
            let action = value.trim().trim_matches(['"', '\'']);
            if let Some(problem) = unpinned(action, trusted) {
                problems.push(Problem { dangerous: false, line: line_number(i), message: problem });
            }
        }
        if let Some(value) = trimmed.strip_prefix("run:") {
            // The script: inline, or the block below more indented than `run:`.
            let key_indent = indent(line);
            let mut script = vec![(i, value)];
            let mut j = i + 1;
            if matches!(value.trim(), "|" | ">" | "|-" | ">-" | "|+" | ">+") {
                while j < lines.len() && (lines[j].trim().is_empty() || indent(lines[j]) > key_indent) {
                    script.push((j, lines[j]));
                    j += 1;
                }
            }
            for (at, text) in &script {
                for found in untrusted().captures_iter(text).filter_map(|c| c.get(1)) {
                    problems.push(Problem {
                        dangerous: true,
                        line: line_number(*at),
                        message: format!(
                            "untrusted `{}` interpolated into a run: script (script injection); pass it through env:",
                            found.as_str()
                        ),
                    });
                }
            }
            i = j.max(i + 1);
            continue;
        }
        i += 1;
    }
    problems
}

/// Why `action` (the value of `uses:`) is not pinned, if it is a
/// third-party action that should be.
fn unpinned(action: &str, trusted: &[String]) -> Option<String> {
    if action.starts_with("./") || action.starts_with("docker://") || action.is_empty() {
        return None;
    }
    let (name, reference) = action.split_once('@')?;
    let owner = name.split('/').next().unwrap_or_default();
    if matches!(owner, "actions" | "github") || trusted.iter().any(|t| t.eq_ignore_ascii_case(owner)) {
        return None;
    }
    let pinned = reference.len() == 40 && reference.chars().all(|c| c.is_ascii_hexdigit());
    (!pinned).then(|| format!("third-party action `{action}` is not pinned to a commit SHA"))
}

pub(crate) fn check(repo: &Repo, trusted: &[String]) -> Result<CheckResult> {
    let services = ci_services(repo)?;
    if services.is_empty() {
        return Ok(CheckResult::fail("no CI configuration")
            .remediation("Add CI (GitHub Actions, GitLab CI, Jenkins...) that builds and tests every change."));
    }
    let workflows: Vec<TreeEntry> = [".github/workflows", ".gitea/workflows", ".forgejo/workflows"]
        .iter()
        .map(|dir| repo.files_in(dir))
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .filter(|e| e.name().ends_with(".yml") || e.name().ends_with(".yaml"))
        .collect();
    let mut findings = Vec::new();
    let mut dangerous = 0;
    let mut unpinned_count = 0;
    for workflow in &workflows {
        let text = repo.read_text(&workflow.path)?.unwrap_or_default();
        for problem in workflow_problems(&text, trusted) {
            let severity = if problem.dangerous {
                dangerous += 1;
                Severity::High
            } else {
                unpinned_count += 1;
                Severity::Low
            };
            findings.push(Finding::new(severity, problem.message).at(&workflow.path).line(problem.line));
        }
    }
    let names: Vec<&str> = services.iter().map(|(s, _)| *s).collect();
    let scope = format!("{} ({} workflow files)", names.join(", "), workflows.len());
    let result = if dangerous > 0 {
        CheckResult::fail(format!("{dangerous} dangerous workflow patterns in {scope}"))
    } else if unpinned_count > 0 {
        CheckResult::warn(format!("{unpinned_count} third-party actions not pinned to a commit SHA in {scope}"))
            .remediation("Pin each third-party action to a full commit SHA (uses: owner/action@<sha> # v1.2.3).")
    } else {
        CheckResult::pass(format!("{scope}: no dangerous patterns"))
    };
    Ok(result.findings(findings).metric("dangerous-patterns", f64::from(dangerous)))
}

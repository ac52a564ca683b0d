//! The `governance` plugin: does the project carry the files that say how it
//! is run, who runs it, and under which rules?
//!
//! Checks: `governance.license`, `governance.code-of-conduct`,
//! `governance.security-policy`, `governance.governance`,
//! `governance.maintainers`, `governance.templates`. Reads the tree and the
//! README only.

use fledge_sdk::conventions::is_license_file_name;
use fledge_sdk::prelude::*;
use fledge_sdk::text;

#[cfg(test)]
mod tests;

#[derive(Default)]
pub struct Governance;

impl Plugin for Governance {
    fn checks() -> CheckTable<Self> {
        CheckTable::<Self>::new(
            PluginMeta::new("governance", env!("CARGO_PKG_VERSION"))
                .no_config()
                .description("License, code of conduct, security policy, governance, maintainers and templates"),
        )
        .category("governance")
        .check(
            CheckMeta::new("governance.license", "LICENSE file present")
                .weight(5)
                .rationale("Without a license file nobody outside the company may use, change or share the code.")
                .remediation("Add the approved license text as LICENSE (or LICENSE-MIT and LICENSE-APACHE for a dual license) at the root.")
                .looks_at("a regular file at the root named LICENSE, LICENCE, COPYING or UNLICENSE, with any extension or suffix (`LICENSE-MIT`, `COPYING.LESSER`); or REUSE-style texts in `LICENSES/`. Source files such as `license_check.py` and symbolic links do not count."),
            |_, check| license(check.repo()),
        )
        .check(
            CheckMeta::new("governance.code-of-conduct", "Code of conduct")
                .weight(3)
                .rationale("A public community needs rules of behaviour and a way to report breaches.")
                .remediation("Add CODE_OF_CONDUCT.md (e.g. the Contributor Covenant) with a contact for reports.")
                .looks_at("CODE_OF_CONDUCT (or CONDUCT) in the conventional places; a README section about the code of conduct gives a `warn`."),
            |_, check| {
                file_or_readme_section(check.repo(), &["code of conduct", "codeofconduct", "conduct"], "conduct", "CODE_OF_CONDUCT")
            },
        )
        .check(
            CheckMeta::new("governance.security-policy", "Security policy")
                .weight(3)
                .rationale("Researchers must know how to report a vulnerability privately instead of opening a public issue.")
                .remediation("Add SECURITY.md (root, .github/ or docs/) with a private reporting address and supported versions.")
                .looks_at("SECURITY in the conventional places. (`security.policy-contact` checks that it says how to report.)"),
            |_, check| file_or_readme_section(check.repo(), &["security"], "", "SECURITY policy"),
        )
        .check(
            CheckMeta::new("governance.governance", "Governance description")
                .weight(2)
                .rationale("Outsiders need to know how decisions are made and how one becomes a maintainer.")
                .remediation("Add GOVERNANCE.md describing roles, decision making and how maintainers are added and removed.")
                .looks_at("GOVERNANCE in the conventional places; a README section about governance gives a `warn`."),
            |_, check| file_or_readme_section(check.repo(), &["governance"], "governance", "GOVERNANCE"),
        )
        .check(
            CheckMeta::new("governance.maintainers", "Maintainers or code owners")
                .weight(3)
                .rationale("A public project needs named people who review and answer.")
                .remediation("Add MAINTAINERS.md or a CODEOWNERS file (root, .github/ or docs/) naming the maintainers.")
                .looks_at("MAINTAINERS, CODEOWNERS, OWNERS or COMMITTERS in the conventional places."),
            |_, check| maintainers(check.repo()),
        )
        .check(
            CheckMeta::new("governance.templates", "Issue and pull request templates")
                .weight(1)
                .rationale("Templates get reporters and contributors to give the information maintainers need.")
                .remediation("Add .github/ISSUE_TEMPLATE/ and .github/PULL_REQUEST_TEMPLATE.md (or the GitLab equivalents).")
                .looks_at("`.github/ISSUE_TEMPLATE/` or `ISSUE_TEMPLATE.md` and `PULL_REQUEST_TEMPLATE.md` (or its directory) in the root, `.github/` or `docs/`; GitLab's `.gitlab/issue_templates/` and `.gitlab/merge_request_templates/`. One of the two gives a `warn`."),
            |_, check| templates(check.repo()),
        )
    }
}

fledge_sdk::export_plugin!(Governance);

fn license(repo: &Repo) -> Result<CheckResult> {
    let files: Vec<TreeEntry> =
        repo.files_in("")?.into_iter().filter(|e| e.is_file() && is_license_file_name(e.name())).collect();
    if !files.is_empty() {
        let names: Vec<&str> = files.iter().map(|e| e.path.as_str()).collect();
        return Ok(CheckResult::pass(names.join(", ")));
    }
    // REUSE-style projects keep their texts in LICENSES/.
    let reuse = repo.files_in("LICENSES")?;
    if let Some(first) = reuse.first() {
        return Ok(CheckResult::pass(format!("{} license texts in LICENSES/ ({})", reuse.len(), first.name())));
    }
    Ok(CheckResult::fail("no LICENSE, LICENCE or COPYING file at the root"))
}

/// Passes on a file with one of `names` in the conventional places; warns
/// when the README has a section whose title contains `section`; fails
/// otherwise.
fn file_or_readme_section(repo: &Repo, names: &[&str], section: &str, what: &str) -> Result<CheckResult> {
    if let Some(entry) = repo.find_first(names, CONVENTIONAL_DIRS)? {
        return Ok(CheckResult::pass(entry.path.clone()));
    }
    if !section.is_empty()
        && let Some(readme) = repo.readme()?
        && let Some(text) = repo.read_text(&readme.path)?
        && let Some(heading) = text::headings(&text).into_iter().find(|h| h.title.to_lowercase().contains(section))
    {
        return Ok(CheckResult::warn(format!("no {what} file; {} has a \"{}\" section", readme.path, heading.title))
            .finding(Finding::info("section in README").at(readme.path.clone()).line(heading.line)));
    }
    Ok(CheckResult::fail(format!("no {what} file in the root, .github/ or docs/")))
}

fn maintainers(repo: &Repo) -> Result<CheckResult> {
    let found =
        repo.find(&["maintainers", "codeowners", "owners", "committers", "maintainers list"], CONVENTIONAL_DIRS)?;
    Ok(match found.first() {
        Some(first) => CheckResult::pass(first.path.clone()),
        None => CheckResult::fail("no MAINTAINERS, OWNERS or CODEOWNERS file"),
    })
}

fn templates(repo: &Repo) -> Result<CheckResult> {
    let mut issue = None;
    let mut pull = None;
    let mut places = repo.files_in("")?;
    for dir in [".github", "docs", ".gitlab"] {
        places.extend(repo.files_under(dir)?);
    }
    for entry in places {
        let path = entry.path.to_lowercase();
        if issue.is_none()
            && (path.contains("issue_template")
                || path.starts_with(".gitlab/issue_templates/")
                || path.contains("issue-template"))
        {
            issue = Some(entry.path.clone());
        }
        if pull.is_none()
            && (path.contains("pull_request_template")
                || path.contains("pull-request-template")
                || path.starts_with(".gitlab/merge_request_templates/"))
        {
            pull = Some(entry.path.clone());
        }
    }
    Ok(match (issue, pull) {
        (Some(issue), Some(pull)) => CheckResult::pass(format!("issue: {issue}; pull request: {pull}")),
        (Some(issue), None) => CheckResult::warn(format!("issue template {issue}, no pull request template")),
        (None, Some(pull)) => CheckResult::warn(format!("pull request template {pull}, no issue template")),
        (None, None) => CheckResult::fail("no issue or pull request templates"),
    })
}

//! The `rules` plugin: the policy's declarative `[[rules]]`, each one
//! pattern over some files (or a file that must or must not exist), run in
//! the sandbox like every other check. fledge declares each rule as the
//! check `rules.<id>` on the plugin's behalf and passes the rules as the
//! plugin's configuration.

use fledge_sdk::prelude::*;
use fledge_sdk::text;
use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::Regex;
use serde::Deserialize;

#[cfg(test)]
mod tests;

/// The most findings one rule reports; the message gives the full count.
const MAX_FINDINGS: usize = 100;
/// The most characters of a matching line shown in a finding.
const MAX_EXCERPT: usize = 80;

#[derive(Default)]
pub struct Rules;

/// Configuration: the policy's `[[rules]]` (fledge fills it in) and bounds.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
struct Config {
    /// The rules, as the policy's `[[rules]]` give them.
    rules: Vec<Rule>,
    /// Files larger than this are not read, and reported as not read.
    max_file_bytes: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config { rules: Vec::new(), max_file_bytes: 8 << 20 }
    }
}

/// One `[[rules]]` table.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Kebab-case; the check is `rules.<id>`.
    pub id: String,
    /// What the rule asks for, as a check title.
    pub title: String,
    /// The category the check scores in (default `quality`).
    #[serde(default)]
    pub category: Option<String>,
    /// Its weight within the category (default 1).
    #[serde(default)]
    pub weight: Option<u32>,
    /// Globs of the files the rule looks at.
    pub paths: Vec<String>,
    /// Globs of files it leaves out.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// A regex that must not occur in those files (or, with `required`,
    /// must occur in each).
    #[serde(default)]
    pub pattern: Option<String>,
    /// With `pattern`: every file must match it.
    #[serde(default)]
    pub required: bool,
    /// Without `pattern`: no file may match `paths` (instead of: one must).
    #[serde(default)]
    pub absent: bool,
    /// What a finding says.
    pub message: String,
    /// How to fix it.
    pub remediation: String,
    /// Why it matters (default: the message).
    #[serde(default)]
    pub rationale: Option<String>,
    /// critical, high, medium (default), low or info. Findings of low
    /// severity make the check warn, of info severity pass.
    #[serde(default)]
    pub severity: Option<String>,
}

impl Plugin for Rules {
    fn checks() -> CheckTable<Self> {
        CheckTable::<Self>::new(
            PluginMeta::new("rules", env!("CARGO_PKG_VERSION"))
                .config::<Config>()
                .description(
                    "The policy's own declarative rules: a pattern over some files, or a file that must (not) exist",
                )
                .about(ABOUT)
                .reads(&[Capability::Tree, Capability::Contents]),
        )
        .fallback(|_, check| run_rule(check))
    }
}

const ABOUT: &str = "Runs the policy's `[[rules]]`, each as the check `rules.<id>` (see the\npolicy reference). A rule looks at the files at the checked commit that\nmatch its `paths` globs and none of its `exclude` globs (nor the check's\nignores). With `pattern`, every line matching the regex is a finding at\nits path and line (with `required = true`, every file that does not match\nis one instead). Without `pattern`, one of the files must exist (with\n`absent = true`, none may; each is a finding). Findings take the rule's\n`severity`: `critical`, `high` or `medium` fail the check, `low` warns and\n`info` passes. Files over `max_file_bytes` (8 MiB) and binary files a\npattern cannot be read in are reported as not read, so that a gate never\npasses on them.";

fn run_rule(check: &Check<'_>) -> Result<CheckResult> {
    let config: Config = check.config()?;
    let id = check.id().strip_prefix("rules.").unwrap_or(check.id());
    let Some(rule) = config.rules.iter().find(|r| r.id == id) else {
        return Err(Error::new(format!("no rule `{id}` in the policy's [[rules]]")));
    };
    evaluate(check.repo(), rule, config.max_file_bytes)
}

/// The glob set of `globs`, or why one is not a glob.
fn globs(globs: &[String]) -> Result<GlobSet> {
    let mut set = GlobSetBuilder::new();
    for glob in globs {
        set.add(Glob::new(glob).map_err(|e| Error::new(format!("bad glob `{glob}`: {e}")))?);
    }
    set.build().map_err(|e| Error::new(e.to_string()))
}

/// Evaluates one rule over the files of `repo`.
pub fn evaluate(repo: &Repo, rule: &Rule, max_file_bytes: u64) -> Result<CheckResult> {
    let include = globs(&rule.paths)?;
    let exclude = globs(&rule.exclude)?;
    let files: Vec<&TreeEntry> =
        repo.files()?.filter(|e| include.is_match(&e.path) && !exclude.is_match(&e.path)).collect();
    let severity = severity(rule.severity.as_deref())?;
    let mut findings = Vec::new();
    let mut gaps = Vec::new();
    let summary = match &rule.pattern {
        None if rule.absent => {
            findings.extend(files.iter().map(|f| Finding::new(severity, rule.message.clone()).at(&f.path)));
            format!("{} of the files `{}` exist(s)", files.len(), rule.paths.join("`, `"))
        }
        None => {
            if files.is_empty() {
                findings.push(Finding::new(severity, rule.message.clone()));
            }
            format!("{} file(s) match `{}`", files.len(), rule.paths.join("`, `"))
        }
        Some(pattern) => {
            let regex = Regex::new(pattern).map_err(|e| Error::new(format!("bad pattern `{pattern}`: {e}")))?;
            let mut read = 0;
            for file in &files {
                if file.size > max_file_bytes {
                    gaps.push(
                        Gap::new(GapKind::TooLarge, &file.path, format!("over max_file_bytes ({max_file_bytes})"))
                            .bytes(file.size),
                    );
                    continue;
                }
                let blob = repo.read(&file.path, max_file_bytes)?;
                let Some(contents) = text::decode(&blob.data) else {
                    gaps.push(Gap::new(GapKind::Binary, &file.path, "binary file").bytes(blob.size));
                    continue;
                };
                read += 1;
                if rule.required {
                    if !regex.is_match(&contents) {
                        findings.push(Finding::new(severity, rule.message.clone()).at(&file.path));
                    }
                    continue;
                }
                for (number, line) in contents.lines().enumerate() {
                    if let Some(found) = regex.find(line) {
                        let shown: String = found.as_str().chars().take(MAX_EXCERPT).collect();
                        findings.push(
                            Finding::new(severity, format!("{}: `{}`", rule.message, shown.trim()))
                                .at(&file.path)
                                .line(u32::try_from(number + 1).unwrap_or(u32::MAX)),
                        );
                    }
                }
            }
            format!("{read} of {} file(s) read", files.len())
        }
    };
    let count = findings.len();
    let status = match (count, severity) {
        (0, _) | (_, Severity::Info) => Status::Pass,
        (_, Severity::Low) => Status::Warn,
        _ => Status::Fail,
    };
    let message = match count {
        0 => format!("{summary}: no finding"),
        n if n > MAX_FINDINGS => format!("{summary}: {n} findings (the first {MAX_FINDINGS} are listed)"),
        n => format!("{summary}: {n} finding(s)"),
    };
    let mut result = CheckResult::new(status, message).unread(gaps);
    for finding in findings.into_iter().take(MAX_FINDINGS) {
        result = result.finding(finding);
    }
    Ok(if count > 0 { result.remediation(rule.remediation.clone()) } else { result })
}

/// A rule's severity by name (`medium` when not given).
fn severity(name: Option<&str>) -> Result<Severity> {
    Ok(match name.unwrap_or("medium") {
        "critical" => Severity::Critical,
        "high" => Severity::High,
        "medium" => Severity::Medium,
        "low" => Severity::Low,
        "info" => Severity::Info,
        other => return Err(Error::new(format!("unknown severity `{other}`"))),
    })
}

fledge_sdk::export_plugin!(Rules);

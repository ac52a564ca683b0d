//! The report of one repository: what `fledge check` prints as JSON
//! (documented in `docs/report-schema.md`, versioned by
//! [`SCHEMA_VERSION`]) and what every rendering reads.

use serde::{Deserialize, Serialize};

use crate::model::verdict::Verdict;
use crate::model::{CONTRACT_VERSION, Finding, Metric, Status, Unread};
use crate::text::printable;

/// Bumped on every incompatible change of the JSON report.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub repository: Repository,
    pub policy: PolicyInfo,
    /// The stage reached.
    pub stage: String,
    /// 0-100.
    pub score: f64,
    /// The stage decision: stages, blockers of the next one, attestations,
    /// exemptions.
    pub verdict: Verdict,
    pub categories: Vec<CategoryScore>,
    pub checks: Vec<CheckReport>,
    /// Checks the policy disabled or the repository's kind leaves out.
    pub excluded: Vec<String>,
    pub plugins: Vec<PluginReport>,
    /// Problems with the repository's own .fledge files and the like.
    pub warnings: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PolicyInfo {
    /// The policy file, or `built-in default`.
    pub source: String,
    /// sha256 of its text.
    pub digest: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
    pub contract: String,
}

impl Tool {
    pub fn current() -> Tool {
        Tool {
            name: "fledge".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            contract: CONTRACT_VERSION.to_owned(),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Repository {
    /// The repository's name (catalog, .fledge/repository.toml, or derived
    /// from the path or URL); exemptions match it.
    pub name: String,
    /// The repository's kind (library, service, docs, sample...), if known.
    pub kind: Option<String>,
    /// The path or URL (without credentials) that was checked.
    pub source: String,
    /// The checked commit.
    pub commit: String,
    /// The revision asked for.
    pub revision: String,
    /// The checked commit's committer time, RFC 3339.
    pub commit_time: String,
    /// Where the kind came from: `catalog or command line`, or
    /// `repository` (self-declared, as the policy allows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind_source: Option<String>,
    /// What of the checked commit and its history could not be read.
    #[serde(default)]
    pub completeness: Completeness,
}

/// What of a repository could not be read, whatever the checks needed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completeness {
    /// The history ends before the project's first commit (shallow clone).
    pub shallow: bool,
    /// Some directories of the checked commit could not be listed.
    #[serde(default)]
    pub tree_incomplete: bool,
    /// Objects of the checked commit that could not be read, with paths.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unread: Option<Unread>,
    /// The history the history checks read, when some check read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<HistoryCoverage>,
}

/// How much of the history was read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryCoverage {
    /// `all-refs` (every branch, tag and other ref) or `checked` (the
    /// checked revision's ancestors only).
    pub scope: String,
    /// Refs whose commits were read (the checked revision counts as one).
    pub refs: usize,
    pub commits: usize,
    /// Distinct blobs.
    pub blobs: usize,
}

impl Completeness {
    /// One line for the report's warnings, or `None` when all was read.
    pub fn summary(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.shallow {
            parts.push(
                "the history is truncated (shallow clone): history checks cannot pass; fetch the full history"
                    .to_owned(),
            );
        }
        if let Some(unread) = &self.unread {
            parts.push(format!("of the checked commit, {}", unread.summary()));
        }
        (!parts.is_empty()).then(|| format!("incomplete repository: {}", parts.join("; ")))
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CheckReport {
    pub id: String,
    pub plugin: String,
    pub title: String,
    pub category: String,
    pub weight: f64,
    pub status: Status,
    pub score: u8,
    pub message: String,
    /// For anything not passing: what to do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
    pub rationale: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<Metric>,
    /// What the check needed and could not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unread: Option<Unread>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PluginReport {
    pub name: String,
    pub version: String,
    /// `builtin` or the path it was loaded from.
    pub origin: String,
    /// sha256 of the component.
    pub digest: String,
    pub duration_ms: f64,
    pub bytes_read: u64,
    /// Results the plugin reused from earlier runs, and stored for later
    /// ones (a blob's scan, for `secrets`), when it used the cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache: Option<PluginCache>,
    /// Why the plugin's run failed as a whole, if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub log: Vec<String>,
}

/// A plugin run's use of the results cache.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginCache {
    /// Results found from earlier runs (work not redone).
    pub reused: u64,
    /// Results computed in this run and kept for the next.
    pub stored: u64,
}

/// Replaces every string in a serialisable value by its [`printable`] form.
fn printable_strings(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(text) => {
            if let std::borrow::Cow::Owned(clean) = printable(text) {
                *text = clean;
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(printable_strings),
        serde_json::Value::Object(map) => map.values_mut().for_each(printable_strings),
        _ => {}
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoryScore {
    pub name: String,
    /// `None` when no check of the category counted (all skipped).
    pub score: Option<f64>,
    pub weight: f64,
    pub checks: usize,
    pub passed: usize,
}

impl Report {
    /// The report with every text [`printable`]: what the terminal, Markdown
    /// and SARIF renderings show. (JSON escapes control characters itself.)
    pub fn for_display(&self) -> Report {
        let Ok(mut value) = serde_json::to_value(self) else { return self.clone() };
        printable_strings(&mut value);
        serde_json::from_value(value).unwrap_or_else(|_| self.clone())
    }

    /// The report as pretty JSON.
    pub fn to_json(&self) -> String {
        // Serialising plain data with string keys cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}

//! The report of one repository ([`Report`]) and its renderings: the
//! terminal table ([`terminal`]), JSON (documented in
//! `docs/report-schema.md` and `docs/report-schema.json`, versioned by
//! [`SCHEMA_VERSION`]), Markdown ([`markdown`]), SARIF 2.1.0 ([`sarif`])
//! and an SVG badge ([`badge`]). The report of a whole scan run
//! ([`crate::trends::RunReport`]) renders as a summary and Markdown ([`run`])
//! and as an HTML dashboard ([`dashboard`]).
//!
//! Architecture invariant: only `report` and `cli` write to stdout.

pub mod badge;
pub mod dashboard;
pub mod markdown;
pub mod run;
pub mod sarif;
pub mod terminal;

use serde::{Deserialize, Serialize};

use crate::model::{Finding, Metric, Status};
use crate::scoring::CategoryScore;
use crate::verdict::Verdict;

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
            contract: crate::runtime::CONTRACT_VERSION.to_owned(),
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
    /// Why the plugin's run failed as a whole, if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub log: Vec<String>,
}

/// RFC 3339 for a Unix time (UTC).
pub fn rfc3339(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds).map(|t| t.to_string()).unwrap_or_else(|_| seconds.to_string())
}

impl Report {
    /// The report as pretty JSON.
    pub fn to_json(&self) -> String {
        // Serialising plain data with string keys cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}

//! The report of one repository ([`Report`]) and its renderings: the
//! terminal table ([`terminal`]) and JSON (documented in
//! `docs/report-schema.md`, versioned by [`SCHEMA_VERSION`]).
//!
//! Architecture invariant: only `report` and `cli` write to stdout.

pub mod terminal;

use serde::Serialize;

use crate::model::{Finding, Metric, Status};
use crate::scoring::CategoryScore;

/// Bumped on every incompatible change of the JSON report.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub repository: Repository,
    /// 0-100.
    pub score: f64,
    pub categories: Vec<CategoryScore>,
    pub checks: Vec<CheckReport>,
    pub plugins: Vec<PluginReport>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
    pub contract: &'static str,
}

impl Tool {
    pub fn current() -> Tool {
        Tool { name: "fledge", version: env!("CARGO_PKG_VERSION"), contract: crate::runtime::CONTRACT_VERSION }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Repository {
    /// The path or URL (without credentials) that was checked.
    pub source: String,
    /// The checked commit.
    pub commit: String,
    /// The revision asked for.
    pub revision: String,
    /// The checked commit's committer time, RFC 3339.
    pub commit_time: String,
}

#[derive(Clone, Debug, Serialize)]
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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<Metric>,
}

#[derive(Clone, Debug, Serialize)]
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
    #[serde(skip_serializing_if = "Vec::is_empty")]
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

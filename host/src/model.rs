//! The host's plain data types for what plugins declare and return. The
//! runtime converts the WIT types into these at the sandbox boundary; scoring
//! and reports work only with these.

pub mod evaluation;
pub mod publish;
pub mod report;
pub mod scan;
pub mod schema;
pub mod verdict;

use std::fmt;

use serde::{Deserialize, Serialize};

/// The contract version this host implements (`package fledge:plugin@…`
/// in `sdk/wit/plugin.wit`).
pub const CONTRACT_VERSION: &str = "0.3.0";

/// What a plugin reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Capability {
    Tree,
    Contents,
    History,
}

impl Capability {
    pub const ALL: [Capability; 3] = [Capability::Tree, Capability::Contents, Capability::History];

    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Tree => "tree",
            Capability::Contents => "contents",
            Capability::History => "history",
        }
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The outcome of a check. `Exempt` is set by the policy, never by a plugin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Pass,
    Warn,
    Fail,
    Skip,
    Error,
    Exempt,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Skip => "skip",
            Status::Error => "error",
            Status::Exempt => "exempt",
        }
    }

    /// True for the statuses that satisfy a gate.
    pub fn is_passing(self) -> bool {
        matches!(self, Status::Pass | Status::Exempt)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// A check as a plugin describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckMeta {
    pub id: String,
    pub title: String,
    pub category: String,
    pub weight: u32,
    pub rationale: String,
    pub remediation: String,
    /// Markdown: what the check reads and when it passes, warns or fails.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub looks_at: String,
}

/// A plugin as it describes itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginMeta {
    pub name: String,
    pub version: String,
    pub description: String,
    /// Markdown paragraphs about how the plugin works and its configuration.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub about: String,
    pub reads: Vec<Capability>,
    pub checks: Vec<CheckMeta>,
    /// The JSON Schema of the plugin's configuration table, when it
    /// declares one: what `fledge policy check` validates the policy against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_schema: Option<serde_json::Value>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Location {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Exactly which bytes of which blob the finding is about (a
    /// credential's value): what `fledge publish` removes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

/// Bytes `start..end` of blob `blob`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Span {
    pub blob: String,
    pub start: u64,
    pub end: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub message: String,
    pub severity: Severity,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Location>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
}

/// What one check concluded, as returned by its plugin (or made up by the
/// host when the plugin failed).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub status: Status,
    pub score: u8,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<Metric>,
    /// What the check could not read, as the plugin declared it and the
    /// host observed it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unread: Vec<Gap>,
}

impl Outcome {
    /// An `error` outcome with `reason`.
    pub fn error(reason: impl Into<String>) -> Self {
        Outcome {
            status: Status::Error,
            score: 0,
            message: reason.into(),
            remediation: None,
            findings: Vec::new(),
            metrics: Vec::new(),
            unread: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    pub name: String,
    pub value: f64,
}

/// Why some content was not read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GapKind {
    /// The object is not in the repository's database (a partial clone, a
    /// snapshot without large files, or damage).
    Missing,
    /// The object is there but cannot be decoded.
    Corrupt,
    /// Above a size bound (the host's `--max-blob-size` or the check's own).
    TooLarge,
    /// The history ends early: a shallow clone or grafts.
    Shallow,
    /// The policy denies the capability the read needs.
    Denied,
    /// The run's read budget or time limit was spent.
    Budget,
    /// An archive or package whose members were not unpacked and read.
    Archive,
    /// Binary content, which the check does not read (last: the kind the
    /// default policy accepts).
    Binary,
}

impl GapKind {
    pub const ALL: [GapKind; 8] = [
        GapKind::Missing,
        GapKind::Corrupt,
        GapKind::TooLarge,
        GapKind::Shallow,
        GapKind::Denied,
        GapKind::Budget,
        GapKind::Archive,
        GapKind::Binary,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GapKind::Missing => "missing",
            GapKind::Corrupt => "corrupt",
            GapKind::TooLarge => "too-large",
            GapKind::Binary => "binary",
            GapKind::Shallow => "shallow",
            GapKind::Denied => "denied",
            GapKind::Budget => "budget",
            GapKind::Archive => "archive",
        }
    }

    /// What the kind means, for a sentence: "2 missing objects".
    fn describe(self, count: usize) -> String {
        let s = if count == 1 { "" } else { "s" };
        match self {
            GapKind::Missing => format!("{count} missing object{s}"),
            GapKind::Corrupt => format!("{count} corrupt object{s}"),
            GapKind::TooLarge => format!("{count} too large"),
            GapKind::Binary => format!("{count} binary"),
            GapKind::Shallow => "history truncated (shallow clone)".to_owned(),
            GapKind::Denied => format!("{count} denied read{s}"),
            GapKind::Budget => "read budget or time limit spent".to_owned(),
            GapKind::Archive => format!("{count} archive{s} not unpacked"),
        }
    }
}

impl fmt::Display for GapKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Content a check needed and could not read.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Gap {
    pub kind: GapKind,
    /// The path, when the content has one (empty for the history as a whole).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
    /// The object id, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Bytes not read, when known.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub bytes: u64,
    /// Why, in a few words.
    pub reason: String,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Gaps kept per check in a report; the counts cover all of them.
pub const MAX_GAPS_SHOWN: usize = 20;

/// What a check could not read: counted in full, the first few listed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unread {
    /// How many pieces of content were not read.
    pub count: usize,
    /// Their size in bytes, where known.
    pub bytes: u64,
    /// Counts per kind.
    pub kinds: std::collections::BTreeMap<GapKind, usize>,
    /// The first gaps.
    pub gaps: Vec<Gap>,
    /// True when the policy accepts every kind here (the check may pass).
    #[serde(default)]
    pub accepted: bool,
}

impl Unread {
    /// The summary of `gaps`, or `None` when everything was read.
    pub fn of(mut gaps: Vec<Gap>) -> Option<Unread> {
        if gaps.is_empty() {
            return None;
        }
        // The gravest kinds first, so that the first gaps listed are the
        // ones that matter (binary content last).
        gaps.sort_by_key(|g| g.kind);
        let mut unread = Unread { count: gaps.len(), ..Unread::default() };
        for gap in gaps {
            unread.bytes = unread.bytes.saturating_add(gap.bytes);
            *unread.kinds.entry(gap.kind).or_default() += 1;
            if unread.gaps.len() < MAX_GAPS_SHOWN {
                unread.gaps.push(gap);
            }
        }
        Some(unread)
    }

    /// "3 not read (4.2 MB): 2 missing objects, 1 too large; first: a.txt
    /// (missing object 0123abcd)", or the reason of a gap about the whole.
    pub fn summary(&self) -> String {
        let kinds: Vec<String> = self.kinds.iter().map(|(kind, n)| kind.describe(*n)).collect();
        let size = if self.bytes > 0 { format!(" ({})", crate::text::human_bytes(self.bytes)) } else { String::new() };
        match self.gaps.first() {
            // A fact about the whole (a truncated history, a denied
            // capability): its reason says it best.
            Some(g) if g.path.is_empty() && self.kinds.len() == 1 => {
                format!("{} not read{size}: {}", self.count, g.reason)
            }
            Some(g) if g.path.is_empty() => {
                format!("{} not read{size}: {} ({})", self.count, kinds.join(", "), g.reason)
            }
            Some(g) => {
                let id = g.id.as_deref().map_or(String::new(), |id| format!(" {}", &id[..id.len().min(12)]));
                format!("{} not read{size}: {}; first: {} ({}{id})", self.count, kinds.join(", "), g.path, g.reason)
            }
            None => format!("{} not read{size}: {}", self.count, kinds.join(", ")),
        }
    }
}

//! The publication report of `fledge publish`: what was written, what was
//! removed and replaced (per rule, with counts), and the verdict of the
//! check run on the result.

use serde::{Deserialize, Serialize};

use crate::model::report::Tool;

/// The version of the publication report's JSON.
pub const PUBLISH_SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PublishReport {
    pub schema_version: u32,
    pub tool: Tool,
    /// The source as the user named it (URLs without credentials).
    pub source: String,
    /// The source commit published.
    pub source_commit: String,
    /// The new repository.
    pub destination: String,
    /// `full` or `squash`.
    pub history: String,
    /// The branch written.
    pub branch: String,
    /// The published commit.
    pub head: String,
    /// Commits written.
    pub commits: usize,
    /// Tags written (name, new target).
    pub tags: Vec<PublishedTag>,
    /// Tags of the source left out, with why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags_left_out: Vec<LeftOut>,
    /// Files dropped, per `remove` rule (and key files found by the checks).
    pub removed: Vec<RuleCount>,
    /// Text replaced, per `replace` rule.
    pub replaced: Vec<RuleCount>,
    /// Credentials and key files the checks found, and what was done.
    pub credentials: Vec<ScrubbedFinding>,
    /// Identities rewritten.
    pub identities: Vec<IdentityChange>,
    /// Decisions taken on the way (signatures, submodules, LFS pointers,
    /// binary files), one line each.
    pub decisions: Vec<String>,
    /// What could not be read (published only with `--allow-incomplete`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unread: Vec<String>,
    /// Where the old → new commit map was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit_map: Option<String>,
    /// The check of the source, before.
    pub before: Verdict,
    /// The check of the result.
    pub after: Verdict,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PublishedTag {
    pub name: String,
    pub target: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LeftOut {
    pub name: String,
    pub reason: String,
}

/// One rule and how much it changed.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RuleCount {
    /// The rule as written (a glob, a pattern).
    pub rule: String,
    /// Distinct files (paths) removed, or blobs changed.
    pub files: usize,
    /// Commit and tag messages changed.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub messages: usize,
    /// Matches replaced.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub matches: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// What happened to one finding of the checks.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ScrubbedFinding {
    pub check: String,
    /// The check's message, redacted as in every report.
    pub message: String,
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// `replaced` (the value, wherever it appears), `removed` (the file),
    /// or `kept` (with why).
    pub action: String,
    /// Places the value was replaced (blobs and messages).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub replacements: usize,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct IdentityChange {
    pub from: String,
    pub to: String,
    /// Author, committer, tagger and trailer lines rewritten.
    pub lines: usize,
}

/// The stage a check reached, and the secrets and internal-reference
/// checks that still fail.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Verdict {
    pub stage: String,
    pub score: f64,
    pub failing: Vec<FailingCheck>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FailingCheck {
    pub id: String,
    pub message: String,
}

impl PublishReport {
    /// True when the result is clean: no secrets or internal-reference
    /// check fails on it.
    pub fn clean(&self) -> bool {
        self.after.failing.is_empty()
    }
}

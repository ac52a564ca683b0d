//! The stage decision as data: the stage reached, what blocks the next
//! one, and the state of every attestation and exemption.

use serde::{Deserialize, Serialize};

use crate::model::Status;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Blocker {
    /// A required check that does not pass.
    Gate { check: String, status: Status, message: String, remediation: Option<String>, score_gain: f64 },
    /// A category below the stage's minimum.
    Category { category: String, score: f64, min: f64, checks: Vec<String> },
    /// The overall score below the stage's minimum, with the checks that
    /// would close the gap.
    Score { score: f64, min_score: f64, gap: f64, checks: Vec<ScoreGain> },
    /// An attestation without a verified approval.
    Attestation {
        item: String,
        title: String,
        state: String,
        /// Why a recorded signature does not count (`invalid`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        signers: Vec<String>,
    },
}

impl Blocker {
    /// What kind of blocker this is, for a heading: "Required check"...
    pub fn label(&self) -> &'static str {
        match self {
            Blocker::Gate { .. } => "Required check",
            Blocker::Category { .. } => "Category",
            Blocker::Score { .. } => "Score",
            Blocker::Attestation { .. } => "Attestation",
        }
    }

    /// One sentence on what blocks and what to do, with ids in backticks.
    pub fn describe(&self) -> String {
        let code_list = |ids: &[String]| ids.iter().map(|id| format!("`{id}`")).collect::<Vec<_>>().join(", ");
        match self {
            Blocker::Gate { check, status, message, remediation, .. } => {
                let fix = remediation.as_ref().map_or(String::new(), |r| format!(" Fix: {r}"));
                format!("`{check}` is {status}: {message}.{fix}")
            }
            Blocker::Category { category, score, min, checks } => {
                format!("{category} scores {score:.1}, below {min}: {}.", fixes_text(&code_list(checks)))
            }
            Blocker::Score { score, min_score, gap, checks } => {
                let fixes: Vec<String> = checks.iter().map(|g| format!("`{}` (+{:.1})", g.check, g.gain)).collect();
                format!("{score:.1} is {gap:.1} below {min_score}: {}.", fixes_text(&fixes.join(", ")))
            }
            Blocker::Attestation { title, state, reason, signers, .. } => {
                let why = reason.as_ref().map_or(String::new(), |r| format!(" ({r})"));
                format!("{title} is {state}{why}: to be signed by {}.", signers.join(" or "))
            }
        }
    }
}

/// "fix a, b", or, where fixing the required checks is enough to close a
/// score gap (nothing else to fix), that.
pub fn fixes_text(list: &str) -> String {
    if list.is_empty() { "fixing the required checks closes the gap".to_owned() } else { format!("fix {list}") }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScoreGain {
    pub check: String,
    pub gain: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageStatus {
    pub name: String,
    pub min_score: f64,
    pub reached: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttestationStatus {
    pub item: String,
    pub title: String,
    /// `signed` (a verified approval), `rejected` (a verified rejection),
    /// `invalid` (recorded, but its signature does not hold: see `reason`)
    /// or `missing`.
    pub state: String,
    /// Why a record does not count, for `invalid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    pub signers: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExemptionStatus {
    pub check: String,
    pub reason: String,
    pub approver: String,
    pub expires: String,
    /// `applied` or `expired`.
    pub state: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The highest stage reached.
    pub stage: String,
    /// The stage after it, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// What blocks `next`, most unblocking first.
    pub blockers: Vec<Blocker>,
    /// "fix these 3 checks and get 4 attestations signed to reach `public`".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    pub stages: Vec<StageStatus>,
    pub attestations: Vec<AttestationStatus>,
    pub exemptions: Vec<ExemptionStatus>,
}

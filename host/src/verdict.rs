//! The decision: applies the policy to the checks' outcomes (severity
//! overrides, exemptions), scores them with the policy's weights, finds the
//! stage the repository has reached, and lists what blocks the next one,
//! ordered by what unblocks most. Pure: no I/O.

use std::collections::{BTreeMap, BTreeSet};

use crate::attest::{self, AllowedSigners, Verified};
use crate::model::report::CheckReport;
pub use crate::model::verdict::{AttestationStatus, Blocker, ExemptionStatus, ScoreGain, StageStatus, Verdict};
use crate::model::{GapKind, Status};
use crate::policy::{Exemption, Policy, SeverityOverride};
use crate::scoring::{self, ScoredCheck, Scores};

pub use crate::attest::{AttestationRecord, AttestationRecords};

/// What the policy evaluation needs to know about the repository.
#[derive(Clone, Debug)]
pub struct Subject<'a> {
    /// The repository's name, matched by exemption globs.
    pub name: &'a str,
    pub today: jiff::civil::Date,
    pub attestations: &'a AttestationRecords,
    /// For each attested commit: is it the checked commit or an ancestor.
    pub history: &'a BTreeMap<String, bool>,
}

/// Applies severity overrides and exemptions to `checks` (in place), and
/// returns the exemptions that matched the repository.
pub fn apply_policy(policy: &Policy, subject: &Subject<'_>, checks: &mut [CheckReport]) -> Vec<ExemptionStatus> {
    let mut statuses = Vec::new();
    for check in checks.iter_mut() {
        apply_unread(policy, check);
        let check_policy = policy.check(&check.id);
        if let Some(weight) = check_policy.weight {
            check.weight = weight;
        }
        match check_policy.severity {
            Some(SeverityOverride::Error) if check.status == Status::Warn => {
                check.status = Status::Fail;
                check.score = 0;
            }
            Some(SeverityOverride::Warning) if check.status == Status::Fail => check.status = Status::Warn,
            Some(SeverityOverride::Info) => check.weight = 0.0,
            _ => {}
        }
        for exemption in
            policy.exemptions.iter().filter(|e| e.check.value == check.id && repository_matches(e, subject.name))
        {
            let expired = exemption.expires < subject.today;
            statuses.push(ExemptionStatus {
                check: check.id.clone(),
                reason: exemption.reason.clone(),
                approver: exemption.approver.clone(),
                expires: exemption.expires.to_string(),
                state: if expired { "expired" } else { "applied" }.to_owned(),
            });
            if !expired && check.status != Status::Pass {
                check.message = format!(
                    "exempted until {} by {}: {} (was {}: {})",
                    exemption.expires, exemption.approver, exemption.reason, check.status, check.message
                );
                check.status = Status::Exempt;
                check.score = 100;
                check.remediation = None;
            }
        }
    }
    statuses
}

/// A check never passes (or is skipped) on content it could not read,
/// unless the policy accepts every kind of gap it has: it warns instead,
/// saying what was not read.
fn apply_unread(policy: &Policy, check: &mut CheckReport) {
    let Some(unread) = &mut check.unread else { return };
    let accepted = policy.accepted_unread(&check.id);
    unread.accepted = unread.kinds.keys().all(|kind| accepted.contains(kind));
    if unread.accepted || matches!(check.status, Status::Error | Status::Exempt) {
        return;
    }
    if matches!(check.status, Status::Warn | Status::Fail) {
        // The result stands, but it rests on part of the content.
        check.message = format!("{}; incomplete: {}", check.message, unread.summary());
        return;
    }
    check.message = format!("incomplete: {}; {} (was {})", unread.summary(), check.message, check.status);
    check.status = Status::Warn;
    check.score = check.score.min(50);
    let fix = if unread.kinds.contains_key(&GapKind::Shallow) {
        "Check a full clone (`git fetch --unshallow`)"
    } else if unread.kinds.keys().any(|k| matches!(k, GapKind::Missing | GapKind::Corrupt)) {
        "Check a complete clone (`git fetch --refetch`, or a clone without `--filter`)"
    } else {
        "Raise the limit that stopped the read (`--max-blob-size`, `--read-limit`, `--timeout`)"
    };
    check.remediation = Some(format!(
        "{fix} so that everything is read, or accept this kind of unread content in the policy (`accept_unread`)."
    ));
}

fn repository_matches(exemption: &Exemption, name: &str) -> bool {
    globset::Glob::new(&exemption.repository).is_ok_and(|g| g.compile_matcher().is_match(name))
}

/// The scores of `checks` under the policy's category weights.
pub fn scores(policy: &Policy, checks: &[CheckReport]) -> Scores {
    let scored: Vec<ScoredCheck<'_>> = checks
        .iter()
        .map(|c| ScoredCheck { category: &c.category, weight: c.weight, status: c.status, score: c.score })
        .collect();
    scoring::score(&scored, &policy.categories)
}

/// The overall and per-category scores if the checks in `fixed` passed.
fn scores_if_fixed(policy: &Policy, checks: &[CheckReport], fixed: &BTreeSet<&str>) -> Scores {
    let scored: Vec<ScoredCheck<'_>> = checks
        .iter()
        .map(|c| {
            let (status, score) = if fixed.contains(c.id.as_str()) { (Status::Pass, 100) } else { (c.status, c.score) };
            ScoredCheck { category: &c.category, weight: c.weight, status, score }
        })
        .collect();
    scoring::score(&scored, &policy.categories)
}

/// A check a gate accepts: passing, exempted, not applicable, or left out
/// of this repository's checks altogether; or warning, when the stage's
/// `allow_warn` names it and all it left unread is of a kind the policy
/// accepts.
fn satisfies(checks: &[CheckReport], id: &str, allow_warn: bool) -> bool {
    checks.iter().find(|c| c.id == id).is_none_or(|c| match c.status {
        Status::Pass | Status::Exempt | Status::Skip => true,
        // A warning for review, never one for content that was not read.
        Status::Warn => allow_warn && c.unread.as_ref().is_none_or(|u| u.accepted),
        _ => false,
    })
}

pub(crate) fn attestation_state(policy: &Policy, subject: &Subject<'_>, item: &str) -> AttestationStatus {
    let definition = policy.attestations.get(item);
    let record = subject.attestations.get(item);
    let (state, reason, signed_by, date) = match record {
        None => ("missing", None, None, None),
        Some(record) => {
            let file = definition.and_then(|d| d.allowed_signers.as_ref()).or(policy.allowed_signers.as_ref());
            let signers = file.map(|file| match policy.signer_files.get(file) {
                Some(Ok(text)) => AllowedSigners::parse(text).map_err(|e| format!("allowed_signers file {file}: {e}")),
                Some(Err(err)) => Err(format!("allowed_signers file {file}: {err}")),
                None => Err(format!("allowed_signers file {file} was not loaded")),
            });
            let context = attest::Context {
                repository: subject.name,
                today: subject.today,
                max_age_days: definition.and_then(|d| d.max_age_days).unwrap_or(policy.attestation_max_age_days),
                signers: signers.as_ref().and_then(|s| s.as_ref().ok()),
                in_history: record.commit.as_ref().and_then(|c| subject.history.get(c)).copied(),
            };
            match (signers.as_ref().and_then(|s| s.as_ref().err()), attest::verify(item, record, &context)) {
                (Some(err), _) => ("invalid", Some(err.clone()), None, None),
                (None, Verified::Approved { signer, date }) => ("signed", None, Some(signer), Some(date)),
                (None, Verified::Rejected { signer, date }) => ("rejected", None, Some(signer), Some(date)),
                (None, Verified::Invalid(why)) => ("invalid", Some(why), None, None),
            }
        }
    };
    AttestationStatus {
        item: item.to_owned(),
        title: definition.map_or_else(|| item.to_owned(), |d| d.title.clone()),
        state: state.to_owned(),
        reason,
        signed_by,
        date,
        signers: definition.map(|d| d.signers.clone()).unwrap_or_default(),
    }
}

/// Decides the stage and the blockers of the next one.
pub fn verdict(
    policy: &Policy,
    subject: &Subject<'_>,
    checks: &[CheckReport],
    scores: &Scores,
    exemptions: Vec<ExemptionStatus>,
) -> Verdict {
    let category_score = |name: &str| scores.categories.iter().find(|c| c.name == name).and_then(|c| c.score);
    let mut stages = Vec::new();
    let mut reached: Option<usize> = None;
    let mut next_blockers = None;
    for (index, stage) in policy.stages.iter().enumerate() {
        let mut blockers = Vec::new();
        for id in &stage.require {
            if satisfies(checks, &id.value, stage.allow_warn.iter().any(|a| a.value == id.value)) {
                continue;
            }
            let Some(check) = checks.iter().find(|c| c.id == id.value) else { continue };
            let gain = scores_if_fixed(policy, checks, &BTreeSet::from([check.id.as_str()])).overall - scores.overall;
            blockers.push(Blocker::Gate {
                check: check.id.clone(),
                status: check.status,
                message: check.message.clone(),
                // A check's fix is for a failure; an error is not one.
                remediation: check.remediation.clone().filter(|_| check.status != Status::Error),
                score_gain: round1(gain),
            });
        }
        // Gates that help the score most come first.
        blockers.sort_by(|a, b| gain_of(b).total_cmp(&gain_of(a)));
        let gate_ids: Vec<String> = blockers
            .iter()
            .filter_map(|b| if let Blocker::Gate { check, .. } = b { Some(check.clone()) } else { None })
            .collect();
        let gate_checks: BTreeSet<&str> = gate_ids.iter().map(String::as_str).collect();
        for (category, min) in &stage.category_min {
            let score = category_score(category).unwrap_or(0.0);
            if score < *min {
                let fixes = cheapest_fixes(
                    policy,
                    checks,
                    &gate_checks,
                    |s| s.categories.iter().find(|c| c.name == *category).and_then(|c| c.score).unwrap_or(0.0) >= *min,
                    Some(category),
                );
                blockers.push(Blocker::Category {
                    category: category.clone(),
                    score,
                    min: *min,
                    checks: fixes.into_iter().map(|g| g.check).collect(),
                });
            }
        }
        if scores.overall < stage.min_score {
            let fixes = cheapest_fixes(policy, checks, &gate_checks, |s| s.overall >= stage.min_score, None);
            blockers.push(Blocker::Score {
                score: scores.overall,
                min_score: stage.min_score,
                gap: round1(stage.min_score - scores.overall),
                checks: fixes,
            });
        }
        for item in &stage.attestations {
            let status = attestation_state(policy, subject, &item.value);
            if status.state != "signed" {
                blockers.push(Blocker::Attestation {
                    item: status.item,
                    title: status.title,
                    state: status.state,
                    reason: status.reason,
                    signers: status.signers,
                });
            }
        }
        // A stage is reached when it holds and every stage before it was.
        let ok = blockers.is_empty() && reached == index.checked_sub(1);
        if ok {
            reached = Some(index);
        } else if next_blockers.is_none() {
            next_blockers = Some((index, blockers));
        }
        stages.push(StageStatus { name: stage.name.clone(), min_score: stage.min_score, reached: ok });
    }
    let stage = reached.map_or_else(|| "none".to_owned(), |i| policy.stages[i].name.clone());
    let (next, blockers) = match next_blockers {
        Some((index, blockers)) => (Some(policy.stages[index].name.clone()), blockers),
        None => (None, Vec::new()),
    };
    let summary = next.as_ref().map(|next| summarize(&blockers, next));
    let mut items: Vec<&str> =
        policy.stages.iter().flat_map(|s| s.attestations.iter().map(|a| a.value.as_str())).collect();
    items.dedup();
    let attestations = items.iter().map(|item| attestation_state(policy, subject, item)).collect();
    Verdict { stage, next, blockers, summary, stages, attestations, exemptions }
}

fn gain_of(blocker: &Blocker) -> f64 {
    match blocker {
        Blocker::Gate { score_gain, .. } => *score_gain,
        _ => 0.0,
    }
}

/// The fewest checks to fix, greatest gain first, until `enough` holds
/// (assuming the gate checks are fixed too); within `category` if given.
fn cheapest_fixes(
    policy: &Policy,
    checks: &[CheckReport],
    gates: &BTreeSet<&str>,
    enough: impl Fn(&Scores) -> bool,
    category: Option<&str>,
) -> Vec<ScoreGain> {
    let mut fixed: BTreeSet<&str> = gates.clone();
    let mut chosen = Vec::new();
    let base = scores_if_fixed(policy, checks, &fixed);
    if enough(&base) {
        return chosen;
    }
    let mut current = base;
    let candidates: Vec<&CheckReport> = checks
        .iter()
        .filter(|c| !fixed.contains(c.id.as_str()))
        .filter(|c| matches!(c.status, Status::Fail | Status::Warn | Status::Error) && c.weight > 0.0)
        .filter(|c| category.is_none_or(|cat| c.category == cat))
        .collect();
    let mut remaining: Vec<&CheckReport> = candidates;
    while !enough(&current) && !remaining.is_empty() {
        let measure = |s: &Scores| match category {
            Some(cat) => s.categories.iter().find(|c| c.name == cat).and_then(|c| c.score).unwrap_or(0.0),
            None => s.overall,
        };
        let (best_index, best_scores) = remaining
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut trial = fixed.clone();
                trial.insert(c.id.as_str());
                (i, scores_if_fixed(policy, checks, &trial))
            })
            .max_by(|a, b| measure(&a.1).total_cmp(&measure(&b.1)).then_with(|| b.0.cmp(&a.0)))
            .unwrap_or((0, current.clone()));
        let check = remaining.remove(best_index);
        chosen.push(ScoreGain { check: check.id.clone(), gain: round1(measure(&best_scores) - measure(&current)) });
        fixed.insert(check.id.as_str());
        current = best_scores;
    }
    chosen
}

/// "fix these 3 checks and get 4 attestations signed to reach `public`".
fn summarize(blockers: &[Blocker], next: &str) -> String {
    let mut checks: BTreeSet<&str> = BTreeSet::new();
    let mut attestations = 0;
    for blocker in blockers {
        match blocker {
            Blocker::Gate { check, .. } => {
                checks.insert(check);
            }
            Blocker::Category { checks: fixes, .. } => checks.extend(fixes.iter().map(String::as_str)),
            Blocker::Score { checks: fixes, .. } => checks.extend(fixes.iter().map(|g| g.check.as_str())),
            Blocker::Attestation { .. } => attestations += 1,
        }
    }
    let plural = |n: usize, one: &str, many: &str| if n == 1 { format!("1 {one}") } else { format!("{n} {many}") };
    match (checks.len(), attestations) {
        (0, 0) => format!("nothing blocks `{next}`"),
        (n, 0) => format!(
            "fix {} to reach `{next}`",
            if n == 1 { "this check".to_owned() } else { format!("these {n} checks") }
        ),
        (0, a) => format!("get {} signed to reach `{next}`", plural(a, "attestation", "attestations")),
        (n, a) => format!(
            "fix {} and get {} signed to reach `{next}`",
            if n == 1 { "this check".to_owned() } else { format!("these {n} checks") },
            plural(a, "attestation", "attestations")
        ),
    }
}

fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests;

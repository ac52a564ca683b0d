use super::*;
use crate::model::report::CheckReport;
use crate::model::{Gap, GapKind, Status, Unread};
use crate::policy::{CheckPolicy, SeverityOverride};

const POLICY: &str = r#"
[categories]
docs = 1.0
license = 1.0

[[stages]]
name = "sandbox"
min_score = 0

[[stages]]
name = "incubating"
min_score = 50
require = ["license.approved"]

[[stages]]
name = "public"
min_score = 80
require = ["license.approved", "docs.contributing"]
category_min = { license = 90 }
attestations = ["trademark", "merit"]

[attestations.trademark]
title = "Trademark clearance"
signers = ["legal"]

[attestations.merit]
title = "Technical merit"
signers = ["architecture board"]

[[exemptions]]
repository = "team/*"
check = "docs.contributing"
reason = "contributions go through the platform team"
approver = "ospo@example.com"
expires = 2026-12-31
"#;

/// The committee's key: a fixed seed, so that every test signs alike.
fn committee_key() -> ssh_key::PrivateKey {
    let keypair = ssh_key::private::Ed25519Keypair::from_seed(&[7u8; 32]);
    ssh_key::PrivateKey::from(keypair)
}

/// The commit every test record attests, in the checked history.
const ATTESTED: &str = "c0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ff";

fn policy() -> Policy {
    let text = format!("allowed_signers = \"signers\"\n{POLICY}");
    let mut policy = Policy::parse(&text, "policy.toml", jiff::civil::date(2026, 1, 1)).unwrap();
    let public = committee_key().public_key().to_openssh().unwrap();
    policy.signer_files.insert("signers".to_owned(), Ok(format!("jane@example.com {public}\n")));
    policy
}

fn history() -> BTreeMap<String, bool> {
    BTreeMap::from([(ATTESTED.to_owned(), true)])
}

fn check(id: &str, status: Status, score: u8) -> CheckReport {
    CheckReport {
        id: id.to_owned(),
        plugin: id.split('.').next().unwrap_or_default().to_owned(),
        title: id.to_owned(),
        category: id.split('.').next().unwrap_or_default().to_owned(),
        weight: 1.0,
        status,
        score,
        message: format!("{id} is {status}"),
        remediation: Some(format!("fix {id}")),
        rationale: String::new(),
        findings: Vec::new(),
        metrics: Vec::new(),
        unread: None,
    }
}

fn decide(
    name: &str,
    today: jiff::civil::Date,
    records: &AttestationRecords,
    mut checks: Vec<CheckReport>,
) -> (Verdict, Vec<CheckReport>) {
    let policy = policy();
    let history = history();
    let subject = Subject { name, today, attestations: records, history: &history };
    let exemptions = apply_policy(&policy, &subject, &mut checks);
    let scores = scores(&policy, &checks);
    (verdict(&policy, &subject, &checks, &scores, exemptions), checks)
}

/// Records of `items` for repository `name`, signed by the committee.
fn signed(name: &str, items: &[&str]) -> AttestationRecords {
    let key = committee_key().to_openssh(ssh_key::LineEnding::LF).unwrap();
    items
        .iter()
        .map(|item| {
            let mut record = AttestationRecord {
                signer: Some("jane@example.com".to_owned()),
                repository: Some(name.to_owned()),
                decision: Some("approved".to_owned()),
                date: Some("2026-01-10".parse().unwrap()),
                commit: Some(ATTESTED.to_owned()),
                note: String::new(),
                signature: None,
            };
            attest::sign(item, &mut record, &key).unwrap();
            ((*item).to_owned(), record)
        })
        .collect()
}

fn jan() -> jiff::civil::Date {
    jiff::civil::date(2026, 1, 15)
}

#[test]
fn stage_boundaries_at_min_score() {
    // docs.readme 100, docs.contributing x, license.approved 100: overall = mean of
    // docs (100 + x) / 2 and license 100.
    let at = |contributing: u8| {
        let checks = vec![
            check("docs.readme", Status::Pass, 100),
            check("docs.contributing", if contributing == 100 { Status::Pass } else { Status::Warn }, contributing),
            check("license.approved", Status::Pass, 100),
        ];
        decide("other/repo", jan(), &signed("other/repo", &["trademark", "merit"]), checks).0
    };
    // (100 + 20) / 2 = 60; (60 + 100) / 2 = 80: exactly the minimum, but the
    // contributing gate does not pass.
    let at_min = at(20);
    assert_eq!(at_min.stage, "incubating");
    assert!(
        matches!(&at_min.blockers[..], [Blocker::Gate { check, .. }] if check == "docs.contributing"),
        "{:?}",
        at_min.blockers
    );
    // Score 79.5 is below 80 even though every gate passes.
    let policy = policy();
    let checks = vec![
        check("docs.readme", Status::Pass, 98),
        check("docs.contributing", Status::Pass, 100),
        check("license.approved", Status::Pass, 100),
        check("docs.site", Status::Warn, 20),
    ];
    let computed = scores(&policy, &checks);
    // docs (98 + 100 + 20) / 3 = 72.7, license 100: (72.7 + 100) / 2.
    assert_eq!(computed.overall, 86.4);
    let records = signed("x", &["trademark", "merit"]);
    let decided = verdict(
        &policy,
        &Subject { name: "x", today: jan(), attestations: &records, history: &history() },
        &checks,
        &computed,
        Vec::new(),
    );
    assert_eq!((decided.stage.as_str(), decided.next), ("public", None));
    let low = vec![
        check("docs.readme", Status::Pass, 100),
        check("docs.contributing", Status::Pass, 100),
        check("docs.site", Status::Fail, 0),
        check("docs.changelog", Status::Warn, 50),
        check("license.approved", Status::Pass, 100),
    ];
    // docs (100 + 100 + 0 + 50) / 4 = 62.5; overall (62.5 + 100) / 2 = 81.25 -> 81.3.
    let high = decide("x", jan(), &signed("x", &["trademark", "merit"]), low.clone()).0;
    assert_eq!(high.stage, "public");
    let mut lower = low;
    lower[3] = check("docs.changelog", Status::Fail, 0);
    // docs 50, overall 75: below 80.
    let below = decide("x", jan(), &signed("x", &["trademark", "merit"]), lower).0;
    assert_eq!(below.stage, "incubating");
    assert_eq!(
        below.blockers,
        [Blocker::Score {
            score: 75.0,
            min_score: 80.0,
            gap: 5.0,
            // docs.site and docs.changelog gain as much; the first in report order is named.
            checks: vec![ScoreGain { check: "docs.site".to_owned(), gain: 12.5 }]
        }]
    );
    assert_eq!(below.summary.as_deref(), Some("fix this check to reach `public`"));
}

#[test]
fn an_empty_repository_stays_in_the_sandbox_with_its_blockers() {
    let checks = vec![check("docs.readme", Status::Fail, 0), check("license.approved", Status::Fail, 0)];
    let (verdict, _) = decide("x", jan(), &AttestationRecords::new(), checks);
    assert_eq!(verdict.stage, "sandbox");
    assert_eq!(verdict.next.as_deref(), Some("incubating"));
    // Fixing the license gate alone also closes the score gap.
    assert_eq!(verdict.summary.as_deref(), Some("fix this check to reach `incubating`"));
    let kinds: Vec<&str> = verdict
        .blockers
        .iter()
        .map(|b| match b {
            Blocker::Gate { .. } => "gate",
            Blocker::Score { .. } => "score",
            Blocker::Category { .. } => "category",
            Blocker::Attestation { .. } => "attestation",
        })
        .collect();
    assert_eq!(kinds, ["gate", "score"]);
    assert_eq!(verdict.stages.iter().map(|s| s.reached).collect::<Vec<_>>(), [true, false, false]);
}

#[test]
fn exemptions_count_until_they_expire() {
    let checks = || {
        vec![
            check("docs.readme", Status::Pass, 100),
            check("docs.contributing", Status::Fail, 0),
            check("license.approved", Status::Pass, 100),
        ]
    };
    let (verdict, reported) = decide("team/widget", jan(), &signed("team/widget", &["trademark", "merit"]), checks());
    assert_eq!(verdict.stage, "public");
    assert_eq!(reported[1].status, Status::Exempt);
    assert_eq!(
        reported[1].message,
        "exempted until 2026-12-31 by ospo@example.com: contributions go through the platform team (was fail: docs.contributing is fail)"
    );
    assert_eq!(verdict.exemptions[0].state, "applied");
    // Another repository is not covered by the glob.
    let (other, _) = decide("elsewhere/widget", jan(), &signed("elsewhere/widget", &["trademark", "merit"]), checks());
    assert_eq!(other.stage, "incubating");
    assert!(other.exemptions.is_empty());
    // After the expiry date the check counts as it is.
    let (expired, reported) =
        decide("team/widget", jiff::civil::date(2027, 1, 1), &signed("team/widget", &["trademark", "merit"]), checks());
    assert_eq!(expired.stage, "incubating");
    assert_eq!(reported[1].status, Status::Fail);
    assert_eq!(expired.exemptions[0].state, "expired");
}

#[test]
fn attestations_signed_missing_and_unsigned() {
    let checks = || {
        vec![
            check("docs.readme", Status::Pass, 100),
            check("docs.contributing", Status::Pass, 100),
            check("license.approved", Status::Pass, 100),
        ]
    };
    let mut records = signed("x", &["merit"]);
    records.insert(
        "trademark".to_owned(),
        AttestationRecord {
            signer: Some("legal".to_owned()),
            note: "waiting for legal".to_owned(),
            ..Default::default()
        },
    );
    let (verdict, _) = decide("x", jan(), &records, checks());
    assert_eq!(verdict.stage, "incubating");
    assert_eq!(
        verdict.blockers,
        [Blocker::Attestation {
            item: "trademark".to_owned(),
            title: "Trademark clearance".to_owned(),
            state: "invalid".to_owned(),
            reason: Some("not signed (`fledge attest sign` writes signed records)".to_owned()),
            signers: vec!["legal".to_owned()]
        }]
    );
    assert_eq!(verdict.summary.as_deref(), Some("get 1 attestation signed to reach `public`"));
    let states: Vec<(&str, &str)> = verdict.attestations.iter().map(|a| (a.item.as_str(), a.state.as_str())).collect();
    assert_eq!(states, [("trademark", "invalid"), ("merit", "signed")]);
    let (none, _) = decide("x", jan(), &AttestationRecords::new(), checks());
    assert_eq!(none.summary.as_deref(), Some("get 2 attestations signed to reach `public`"));
    assert!(none.attestations.iter().all(|a| a.state == "missing"));
}

#[test]
fn blockers_are_ordered_by_what_unblocks_most() {
    let checks = vec![
        check("docs.readme", Status::Pass, 100),
        check("docs.contributing", Status::Warn, 50),
        check("docs.site", Status::Fail, 0),
        check("license.approved", Status::Fail, 0),
        check("license.file", Status::Pass, 100),
    ];
    let policy = Policy::parse(
        "[[stages]]\nname = \"a\"\nmin_score = 0\n\n[[stages]]\nname = \"b\"\nmin_score = 90\nrequire = [\"docs.contributing\", \"license.approved\"]\n",
        "p",
        jan(),
    )
    .unwrap();
    let records = AttestationRecords::new();
    let subject = Subject { name: "x", today: jan(), attestations: &records, history: &history() };
    let computed = scores(&policy, &checks);
    let decided = verdict(&policy, &subject, &checks, &computed, Vec::new());
    // Fixing license.approved gains more than docs.contributing (license
    // weighs 1.5 by default): it comes first.
    let order: Vec<String> = decided
        .blockers
        .iter()
        .map(|b| match b {
            Blocker::Gate { check, score_gain, .. } => format!("gate {check} +{score_gain}"),
            Blocker::Score { checks, .. } => {
                format!("score via {}", checks.iter().map(|g| g.check.as_str()).collect::<Vec<_>>().join(","))
            }
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(order, ["gate license.approved +30", "gate docs.contributing +6.7", "score via docs.site"]);
    assert_eq!(decided.summary.as_deref(), Some("fix these 3 checks to reach `b`"));
}

#[test]
fn severity_overrides() {
    let mut policy = policy();
    policy.checks.insert(
        "docs.readme".to_owned(),
        CheckPolicy { enabled: true, severity: Some(SeverityOverride::Error), ..Default::default() },
    );
    policy.checks.insert(
        "docs.site".to_owned(),
        CheckPolicy { enabled: true, severity: Some(SeverityOverride::Warning), ..Default::default() },
    );
    policy.checks.insert(
        "docs.changelog".to_owned(),
        CheckPolicy { enabled: true, severity: Some(SeverityOverride::Info), ..Default::default() },
    );
    let mut checks = vec![
        check("docs.readme", Status::Warn, 50),
        check("docs.site", Status::Fail, 0),
        check("docs.changelog", Status::Fail, 0),
    ];
    let records = AttestationRecords::new();
    apply_policy(
        &policy,
        &Subject { name: "x", today: jan(), attestations: &records, history: &history() },
        &mut checks,
    );
    assert_eq!((checks[0].status, checks[0].score), (Status::Fail, 0));
    assert_eq!(checks[1].status, Status::Warn);
    assert_eq!((checks[2].status, checks[2].weight), (Status::Fail, 0.0));
}

fn gap(kind: GapKind, path: &str) -> Gap {
    Gap { kind, path: path.to_owned(), id: None, bytes: 10, reason: format!("{kind} content") }
}

#[test]
fn unread_content_stops_a_pass_unless_the_policy_accepts_it() {
    let policy = Policy::parse(&format!("accept_unread = [\"binary\"]\n{POLICY}"), "policy.toml", jan()).unwrap();
    let mut checks = vec![
        check("docs.readme", Status::Pass, 100),
        check("license.approved", Status::Pass, 100),
        check("docs.contributing", Status::Fail, 0),
    ];
    checks[0].unread = Unread::of(vec![gap(GapKind::Binary, "logo.png")]);
    checks[1].unread = Unread::of(vec![gap(GapKind::Missing, "LICENSE"), gap(GapKind::Binary, "logo.png")]);
    checks[2].unread = Unread::of(vec![gap(GapKind::Shallow, "")]);
    let records = AttestationRecords::new();
    apply_policy(
        &policy,
        &Subject { name: "x", today: jan(), attestations: &records, history: &history() },
        &mut checks,
    );
    // Binary content is accepted: the pass stands, the gap is shown.
    assert_eq!((checks[0].status, checks[0].unread.as_ref().map(|u| u.accepted)), (Status::Pass, Some(true)));
    // A missing object is not: the pass becomes a warning that says why.
    assert_eq!(checks[1].status, Status::Warn);
    assert_eq!(checks[1].score, 50);
    assert_eq!(
        checks[1].message,
        "incomplete: 2 not read (20 B): 1 missing object, 1 binary; first: LICENSE (missing content); license.approved is pass (was pass)"
    );
    assert!(checks[1].remediation.as_deref().unwrap().starts_with("Check a complete clone"));
    // A failure stays a failure, and says it rests on part of the content.
    assert_eq!(checks[2].status, Status::Fail);
    assert_eq!(checks[2].message, "docs.contributing is fail; incomplete: 1 not read (10 B): shallow content");
}

#[test]
fn a_score_gap_the_required_checks_close_names_no_empty_fix() {
    let gap = Blocker::Score { score: 69.8, min_score: 70.0, gap: 0.2, checks: Vec::new() };
    assert_eq!(gap.describe(), "69.8 is 0.2 below 70: fixing the required checks closes the gap.");
    let category = Blocker::Category { category: "docs".to_owned(), score: 40.0, min: 50.0, checks: Vec::new() };
    assert_eq!(category.describe(), "docs scores 40.0, below 50: fixing the required checks closes the gap.");
}

#[test]
fn a_gate_in_error_carries_no_fix_for_a_failure() {
    let checks = vec![
        check("docs.readme", Status::Pass, 100),
        check("docs.contributing", Status::Fail, 0),
        check("license.approved", Status::Error, 0),
    ];
    let verdict = decide("other/repo", jan(), &signed("other/repo", &["trademark", "merit"]), checks).0;
    let fixes: Vec<(&str, Option<&str>)> = verdict
        .blockers
        .iter()
        .filter_map(|b| match b {
            Blocker::Gate { check, remediation, .. } => Some((check.as_str(), remediation.as_deref())),
            _ => None,
        })
        .collect();
    assert_eq!(fixes, [("license.approved", None)]);
}

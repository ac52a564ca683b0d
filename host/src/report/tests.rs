//! Every rendering of one fixed report, pinned by snapshot
//! (`snapshots/`): a change to what users see shows up in review. The
//! report (`fixtures/report.json`) is a real one: a repository with a
//! missing object, a credential in a test fixture, an internal host name in
//! a file whose name holds control characters and markup, and an exemption.

use super::{Report, badge, dashboard, markdown, run, sarif, terminal};

fn report() -> Report {
    serde_json::from_str(include_str!("fixtures/report.json")).expect("the fixture is a report")
}

#[test]
fn terminal_table() {
    insta::assert_snapshot!("terminal", terminal::render(&report(), terminal::Style::new(false), false, 100));
}

#[test]
fn terminal_table_verbose() {
    insta::assert_snapshot!("terminal_verbose", terminal::render(&report(), terminal::Style::new(false), true, 100));
}

#[test]
fn markdown() {
    insta::assert_snapshot!("markdown", markdown::render(&report()));
}

#[test]
fn sarif() {
    let text = serde_json::to_string_pretty(&sarif::render(&report())).expect("SARIF serialises");
    insta::assert_snapshot!("sarif", text);
}

#[test]
fn badge() {
    insta::assert_snapshot!("badge", badge::render(&report()));
}

#[test]
fn json_round_trips() {
    let report = report();
    let again: Report = serde_json::from_str(&report.to_json()).expect("the JSON reads back");
    assert_eq!(again.to_json(), report.to_json());
}

fn run_report() -> crate::trends::RunReport {
    crate::trends::compare(crate::trends::fixtures::data(), 1.0)
}

#[test]
fn run_report_table() {
    insta::assert_snapshot!("run_table", run::table(&run_report()));
}

#[test]
fn run_report_markdown() {
    insta::assert_snapshot!("run_markdown", run::markdown(&run_report()));
}

#[test]
fn run_report_dashboard() {
    insta::assert_snapshot!("dashboard", dashboard::render(&run_report()));
}

#[test]
fn an_error_gets_advice_about_the_error_not_the_checks_fix() {
    let mut report = report();
    let check = report.checks.iter_mut().find(|c| c.remediation.is_some()).expect("a check with a fix");
    check.status = crate::model::Status::Error;
    check.message = "invalid configuration for `docs.readme`: unknown field `stub_word`".to_owned();
    let fix = check.remediation.clone().unwrap_or_default();
    let id = check.id.clone();
    let text = terminal::render(&report, terminal::Style::new(false), false, 1000);
    let at = text.find(&format!(" {id} ")).expect("the check is listed");
    let below = text[at..].lines().nth(1).unwrap_or_default();
    assert!(below.contains("fix: the check could not run to its end"), "{below}");
    assert!(!text[at..].lines().take(3).any(|l| l.contains(&fix)), "{text}");
}

fn publish_report() -> crate::model::publish::PublishReport {
    // A real publication report (a credential and an internal folder
    // removed, a host name replaced, identities mapped), with a value
    // kept, a control character in a message, and a proof that failed.
    serde_json::from_str(include_str!("fixtures/publish.json")).expect("the fixture is a publication report")
}

#[test]
fn publish_table() {
    let text = super::publish::table(&publish_report(), terminal::Style::new(false));
    assert!(!text.contains('\u{1b}'), "control characters are escaped");
    insta::assert_snapshot!("publish_table", text);
}

#[test]
fn publish_markdown() {
    insta::assert_snapshot!("publish_markdown", super::publish::markdown(&publish_report()));
}

#[test]
fn floats_read_back_serialise_to_the_same_text() {
    // A score whose shortest text the default JSON float parser does not
    // read back exactly: a cached report would be stored a second time.
    let mut report = report();
    report.score = 3.6526201995164875;
    let again: Report = serde_json::from_str(&report.to_json()).expect("the JSON reads back");
    assert_eq!(again.score.to_bits(), report.score.to_bits());
    assert_eq!(again.to_json(), report.to_json());
}

#[test]
fn the_table_wraps_on_word_boundaries_to_the_width() {
    for width in [60, 80, 100] {
        let text = terminal::render(&report(), terminal::Style::new(false), true, width);
        for line in text.lines() {
            // Only a single word longer than the room left may overflow.
            let words: Vec<&str> = line.split_whitespace().collect();
            let fits = textwrap::core::display_width(line) <= width;
            assert!(fits || words.last().is_some_and(|w| w.len() > width / 3), "{width}: {line}");
        }
    }
}

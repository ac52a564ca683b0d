//! The report as SARIF 2.1.0, for code-scanning interfaces: one rule per
//! check, one result per finding of a check that does not pass (or per
//! such check when it has no findings), with locations where known.

use serde_json::{Value, json};

use crate::model::{Severity, Status};
use crate::report::{CheckReport, Report};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Percent-encodes a relative path for an `artifactLocation.uri`.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn level(check: &CheckReport, severity: Option<Severity>) -> &'static str {
    match (check.status, severity) {
        (_, Some(Severity::Info)) => "note",
        (Status::Fail | Status::Error, _) => "error",
        (Status::Warn, _) => "warning",
        _ => "note",
    }
}

fn rule(check: &CheckReport) -> Value {
    json!({
        "id": check.id,
        "name": check.title,
        "shortDescription": { "text": check.title },
        "fullDescription": { "text": check.rationale },
        "help": { "text": check.remediation.clone().unwrap_or_else(|| check.rationale.clone()) },
        "properties": { "category": check.category, "plugin": check.plugin },
    })
}

pub fn render(report: &Report) -> Value {
    let report = &report.for_display();
    let rules: Vec<Value> = report.checks.iter().map(rule).collect();
    let mut results = Vec::new();
    for (index, check) in report.checks.iter().enumerate() {
        if !matches!(check.status, Status::Fail | Status::Warn | Status::Error) {
            continue;
        }
        let findings: Vec<_> = check.findings.iter().filter(|f| f.severity != Severity::Info).collect();
        if findings.is_empty() {
            results.push(json!({
                "ruleId": check.id,
                "ruleIndex": index,
                "level": level(check, None),
                "message": { "text": check.message },
            }));
            continue;
        }
        for finding in findings {
            let mut result = json!({
                "ruleId": check.id,
                "ruleIndex": index,
                "level": level(check, Some(finding.severity)),
                "message": { "text": format!("{}: {}", check.message, finding.message) },
            });
            let locations: Vec<Value> = finding
                .locations
                .iter()
                .map(|location| {
                    let mut physical = json!({ "artifactLocation": { "uri": uri(&location.path) } });
                    if let Some(line) = location.line.filter(|l| *l >= 1) {
                        physical["region"] = json!({ "startLine": line });
                    }
                    let mut value = json!({ "physicalLocation": physical });
                    if let Some(commit) = &location.commit {
                        value["properties"] = json!({ "commit": commit });
                    }
                    value
                })
                .collect();
            if !locations.is_empty() {
                result["locations"] = Value::Array(locations);
            }
            if let Some(fingerprint) = &finding.fingerprint {
                result["partialFingerprints"] = json!({ "fledge/v1": fingerprint });
            }
            results.push(result);
        }
    }
    // What was not read: one notification for the repository and one per
    // check, so that a code-scanning view does not read "no results" as
    // "nothing there".
    let mut notifications = Vec::new();
    if let Some(summary) = report.repository.completeness.summary() {
        notifications.push(json!({ "level": "warning", "message": { "text": summary } }));
    }
    for check in &report.checks {
        if let Some(unread) = &check.unread {
            notifications.push(json!({
                "level": if unread.accepted { "note" } else { "warning" },
                "message": { "text": format!("{}: {}", check.id, unread.summary()) },
                "associatedRule": { "id": check.id },
            }));
        }
    }
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "tool": {
                "driver": {
                    "name": "fledge",
                    "version": report.tool.version,
                    "informationUri": "https://example.invalid/ospo/fledge",
                    "rules": rules,
                }
            },
            "results": results,
            "properties": {
                "repository": report.repository.name,
                "commit": report.repository.commit,
                "stage": report.verdict.stage,
                "score": report.score,
            },
        }],
    })
}

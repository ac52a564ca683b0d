//! `fledge plugin test`: runs one plugin on a repository or a plain
//! directory, prints what it found, and compares it with an expected
//! results file (for plugin authors' CI).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use serde::Serialize;
use serde_json::Value;

use crate::error::UserError;
use crate::git::{self, OpenOptions, Target};
use crate::model::Outcome;
use crate::runtime::{Limits, LoadedPlugin, RunRequest, Runtime};

/// One check's result, as printed and as kept in expected-results files.
#[derive(Clone, Debug, Serialize)]
pub struct TrialResult {
    pub id: String,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// What a plugin is run with: its configuration, the organisation, and
/// the paths each check ignores (the policy's own and the check's).
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub config: Value,
    pub organization: Value,
    pub ignore: BTreeMap<String, Vec<String>>,
}

impl Settings {
    /// No configuration, no organisation, nothing ignored.
    pub fn empty() -> Self {
        Settings {
            config: Value::Object(Default::default()),
            organization: Value::Object(Default::default()),
            ignore: BTreeMap::new(),
        }
    }

    /// True when the organisation says anything.
    fn has_organization(&self) -> bool {
        !self.organization.as_object().is_none_or(|o| o.values().all(is_unset))
    }

    /// The settings in one line, for a difference.
    pub fn describe(&self) -> String {
        if !self.has_organization() {
            format!("configuration {}", self.config)
        } else {
            format!("configuration {} and organization {}", self.config, self.organization)
        }
    }
}

/// An empty value of `[organization]` (a key the policy did not set).
fn is_unset(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
        _ => false,
    }
}

/// An expected-results file: the results, and the settings they were
/// obtained with (files written before settings were recorded are a bare
/// array of results).
#[derive(Debug)]
pub struct Expected {
    pub settings: Option<Settings>,
    pub results: Value,
}

impl Expected {
    /// Reads the file at `path`.
    pub fn read(path: &Path) -> Result<Expected> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| UserError::new(format!("cannot read {}: {e}", path.display())))?;
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| UserError::new(format!("{} is not valid JSON: {e}", path.display())))?;
        Ok(match value {
            Value::Object(mut file) => {
                let results = file.remove("results").unwrap_or(Value::Null);
                let ignore = file
                    .remove("ignore")
                    .map(serde_json::from_value::<BTreeMap<String, Vec<String>>>)
                    .transpose()
                    .map_err(|e| {
                        UserError::new(format!("{}: `ignore` must map check ids to globs: {e}", path.display()))
                    })?
                    .unwrap_or_default();
                let settings = file.remove("config").map(|config| Settings {
                    config,
                    organization: file.remove("organization").unwrap_or_else(|| Value::Object(Default::default())),
                    ignore,
                });
                Expected { settings, results }
            }
            results => Expected { settings: None, results },
        })
    }

    /// The text of an expected-results file for `results` under `settings`.
    pub fn render(settings: &Settings, results: &[TrialResult]) -> Result<String> {
        let mut file = serde_json::Map::new();
        file.insert("config".to_owned(), settings.config.clone());
        if settings.has_organization() {
            file.insert("organization".to_owned(), settings.organization.clone());
        }
        if !settings.ignore.is_empty() {
            file.insert("ignore".to_owned(), serde_json::to_value(&settings.ignore).context("failed to serialise")?);
        }
        file.insert("results".to_owned(), serde_json::to_value(results).context("failed to serialise results")?);
        Ok(serde_json::to_string_pretty(&Value::Object(file)).context("failed to serialise results")? + "\n")
    }
}

/// Runs every check of `plugin` on `target` (a repository, a URL, or a plain
/// directory) with `settings`; returns the results and the plugin's failure,
/// if it failed as a whole.
pub fn run(
    runtime: &Runtime,
    plugin: &LoadedPlugin,
    target: &str,
    settings: &Settings,
    open: &OpenOptions,
    limits: &Limits,
) -> Result<(Vec<TrialResult>, Option<String>, Vec<String>)> {
    let path = Path::new(target);
    // A directory that is not a repository is imported as a one-commit repository.
    let imported = if path.is_dir() && !path.join(".git").exists() && !path.join("HEAD").is_file() {
        Some(git::import_directory(path)?)
    } else {
        None
    };
    let target = match &imported {
        Some(temp) => Target::Local(temp.path().to_path_buf()),
        None => Target::parse(target),
    };
    let snapshot = Arc::new(git::open(&target, None, open)?);
    let request = RunRequest {
        checks: plugin
            .meta
            .checks
            .iter()
            .map(|c| (c.id.clone(), settings.ignore.get(&c.id).cloned().unwrap_or_default()))
            .collect(),
        config: settings.config.clone(),
        organization: settings.organization.clone(),
        denied: Vec::new(),
    };
    let output = runtime.run(plugin, &snapshot, &request, limits);
    let results = output.outcomes.into_iter().map(|(id, outcome)| TrialResult { id, outcome }).collect();
    Ok((results, output.failure, output.log))
}

/// Compares `actual` with the expected results in `expected` (a JSON array
/// of results in which only the fields given are compared). Returns the
/// differences, one per line; findings are compared one by one, so that a
/// difference names the finding missing or unexpected rather than printing
/// both lists.
pub fn compare(expected: &Value, actual: &[TrialResult]) -> Result<Vec<String>> {
    let Value::Array(expected) = expected else {
        return Err(UserError::new("the expected results must be a JSON array of check results").into());
    };
    let actual = serde_json::to_value(actual).context("failed to serialise results")?;
    let actual = actual.as_array().cloned().unwrap_or_default();
    let mut differences = Vec::new();
    for want in expected {
        let Some(id) = want.get("id").and_then(Value::as_str) else {
            return Err(UserError::new("each expected result needs an \"id\"").into());
        };
        let Some(got) = actual.iter().find(|a| a.get("id").and_then(Value::as_str) == Some(id)) else {
            differences.push(format!("{id}: expected a result, got none"));
            continue;
        };
        for (key, value) in want.as_object().into_iter().flatten() {
            let got_value = got.get(key).cloned().unwrap_or(Value::Null);
            if key == "id" || got_value == *value {
                continue;
            }
            match (key.as_str(), value, &got_value) {
                ("findings", Value::Array(want), Value::Array(got)) => {
                    differences.extend(findings(id, want, got));
                }
                ("findings", Value::Array(want), Value::Null) => differences.extend(findings(id, want, &[])),
                _ => differences.push(format!("{id}: {key}: expected {value}, got {got_value}")),
            }
        }
    }
    Ok(differences)
}

/// The findings expected and not found, and found and not expected.
fn findings(id: &str, want: &[Value], got: &[Value]) -> Vec<String> {
    let mut unmatched: Vec<&Value> = got.iter().collect();
    let mut differences = Vec::new();
    for finding in want {
        match unmatched.iter().position(|g| *g == finding) {
            Some(i) => {
                unmatched.remove(i);
            }
            None => differences.push(format!("{id}: missing finding {}", finding_text(finding))),
        }
    }
    differences.extend(unmatched.into_iter().map(|f| format!("{id}: unexpected finding {}", finding_text(f))));
    differences
}

/// A finding in one line: its message and first place.
fn finding_text(finding: &Value) -> String {
    let message = finding.get("message").and_then(Value::as_str).unwrap_or_default();
    let place = finding.pointer("/locations/0").map(|l| {
        let path = l.get("path").and_then(Value::as_str).unwrap_or_default();
        match l.get("line").and_then(Value::as_u64) {
            Some(line) => format!(" at {path}:{line}"),
            None => format!(" at {path}"),
        }
    });
    format!("\"{message}\"{}", place.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;

    fn result(id: &str, status: Status, message: &str) -> TrialResult {
        TrialResult {
            id: id.to_owned(),
            outcome: Outcome {
                status,
                score: 0,
                message: message.to_owned(),
                remediation: None,
                findings: Vec::new(),
                metrics: Vec::new(),
                unread: Vec::new(),
            },
        }
    }

    #[test]
    fn only_the_fields_given_are_compared() {
        let actual = [result("a.x", Status::Fail, "2 missing"), result("a.y", Status::Pass, "ok")];
        let same = serde_json::json!([{"id": "a.x", "status": "fail"}]);
        assert!(compare(&same, &actual).unwrap().is_empty());
        let wrong = serde_json::json!([{"id": "a.x", "status": "pass", "message": "2 missing"}, {"id": "a.z"}]);
        assert_eq!(
            compare(&wrong, &actual).unwrap(),
            ["a.x: status: expected \"pass\", got \"fail\"", "a.z: expected a result, got none"]
        );
    }

    #[test]
    fn findings_are_compared_one_by_one() {
        let mut fail = result("a.x", Status::Fail, "2 missing");
        let finding = |message: &str, path: &str, line: u32| crate::model::Finding {
            message: message.to_owned(),
            severity: crate::model::Severity::Low,
            locations: vec![crate::model::Location {
                path: path.to_owned(),
                line: Some(line),
                commit: None,
                span: None,
            }],
            fingerprint: None,
        };
        fail.outcome.findings = vec![finding("no header", "src/a.rs", 1), finding("no header", "src/c.rs", 1)];
        let expected = serde_json::json!([{"id": "a.x", "findings": [
            {"message": "no header", "severity": "low", "locations": [{"path": "src/a.rs", "line": 1}]},
            {"message": "no header", "severity": "low", "locations": [{"path": "src/b.rs", "line": 1}]},
        ]}]);
        assert_eq!(
            compare(&expected, &[fail]).unwrap(),
            ["a.x: missing finding \"no header\" at src/b.rs:1", "a.x: unexpected finding \"no header\" at src/c.rs:1"]
        );
    }
}

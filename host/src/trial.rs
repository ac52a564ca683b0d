//! `fledge plugin test`: runs one plugin on a repository or a plain
//! directory, prints what it found, and compares it with an expected
//! results file (for plugin authors' CI).

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

/// Runs every check of `plugin` on `target` (a repository, a URL, or a plain
/// directory) with `config`; returns the results and the plugin's failure,
/// if it failed as a whole.
pub fn run(
    runtime: &Runtime,
    plugin: &LoadedPlugin,
    target: &str,
    config: Value,
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
        checks: plugin.meta.checks.iter().map(|c| (c.id.clone(), Vec::new())).collect(),
        config,
        organization: serde_json::json!({}),
        denied: Vec::new(),
    };
    let output = runtime.run(plugin, &snapshot, &request, limits);
    let results = output.outcomes.into_iter().map(|(id, outcome)| TrialResult { id, outcome }).collect();
    Ok((results, output.failure, output.log))
}

/// Compares `actual` with the expected results in `expected` (a JSON array
/// of results in which only the fields given are compared). Returns the
/// differences, one per line.
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
            if key != "id" && got_value != *value {
                differences.push(format!("{id}: {key}: expected {value}, got {got_value}"));
            }
        }
    }
    Ok(differences)
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
}

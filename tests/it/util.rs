//! Running the binary and reading its report.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

/// The `fledge` binary with a cache directory shared by the tests, so that
/// plugins are compiled once. Plugins' results are not reused: each test
/// sees its own repository read afresh (the results cache has tests of its
/// own, which turn it back on).
pub fn fledge() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_fledge"));
    command
        .env("FLEDGE_CACHE_DIR", cache_dir())
        .env("FLEDGE_NO_RESULT_CACHE", "1")
        .env_remove("FLEDGE_GIT_TOKEN")
        .env_remove("COLUMNS")
        .env("NO_COLOR", "1");
    command
}

pub fn cache_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fledge-test-cache")
}

/// Copies the plugins compiled in the tests' shared cache into the cache
/// directory `cache`, as a machine has them after its first run.
pub fn seed_compiled_plugins(cache: &std::path::Path) {
    let warm = run(&["plugins"]);
    assert!(warm.status.success(), "{}", stderr(&warm));
    let compiled = cache.join("compiled");
    std::fs::create_dir_all(&compiled).unwrap();
    for entry in std::fs::read_dir(cache_dir().join("compiled")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), compiled.join(entry.file_name())).unwrap();
    }
}

/// A cache directory of its own, with the plugins already compiled, so
/// that only what a test does with mirrors is new.
pub fn fresh_cache() -> tempfile::TempDir {
    let cache = tempfile::tempdir().unwrap();
    seed_compiled_plugins(cache.path());
    cache
}

/// Runs `fledge` with `args`.
pub fn run(args: &[&str]) -> Output {
    fledge().args(args).output().expect("run fledge")
}

/// Runs `fledge check … --format json` and parses the report; panics with
/// stderr when the command fails.
pub fn check_json(args: &[&str]) -> Value {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let output = run(&all);
    assert!(output.status.success(), "fledge {all:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("JSON report")
}

/// `(check id, status)` of every check in a report.
pub fn statuses(report: &Value) -> Vec<(String, String)> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap().to_owned(), c["status"].as_str().unwrap().to_owned()))
        .collect()
}

/// The entry of check `id` in a report.
pub fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("no check {id}"))
}

/// stderr as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Pairs each id with `status`.
pub fn all(ids: &[&str], status: &str) -> Vec<(String, String)> {
    ids.iter().map(|id| ((*id).to_owned(), status.to_owned())).collect()
}

pub const DOCS: &[&str] = &[
    "docs.readme",
    "docs.readme-substance",
    "docs.readme-english",
    "docs.contributing",
    "docs.changelog",
    "docs.site",
];
pub const GOVERNANCE: &[&str] = &[
    "governance.license",
    "governance.code-of-conduct",
    "governance.security-policy",
    "governance.governance",
    "governance.maintainers",
    "governance.templates",
];

pub fn validator(schema: &str) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(schema).unwrap();
    jsonschema::options().should_validate_formats(true).build(&schema).unwrap()
}

/// The OASIS SARIF 2.1.0 schema (see tests/fixtures/README.md).
pub fn sarif_validator() -> jsonschema::Validator {
    validator(include_str!("../fixtures/sarif-schema-2.1.0.json"))
}

/// The JSON report's schema, docs/report-schema.json.
pub fn report_validator() -> jsonschema::Validator {
    validator(include_str!("../../docs/report-schema.json"))
}

pub fn assert_valid(validator: &jsonschema::Validator, value: &Value) {
    let errors: Vec<String> = validator.iter_errors(value).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "schema violations: {errors:#?}");
}

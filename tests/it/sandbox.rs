//! Hostile plugins are contained: each misbehaviour becomes an `error` (or
//! a refusal the plugin sees) for that plugin's checks, and every other
//! plugin's results stand.

use fledge_tests::{HOSTILE_PLUGIN, RepoBuilder, WELL_RUN_README};
use serde_json::Value;

use crate::util::{check, check_json, run, stderr};

/// Checks a repository whose `hostile.txt` says `mode`, with the hostile
/// plugin added; returns the report.
fn hostile(mode: &str, extra: &[&str]) -> Value {
    let mut repo = RepoBuilder::new();
    repo.file("README.md", WELL_RUN_README).file("hostile.txt", mode);
    repo.commit("hostile");
    let mut args = vec![repo.arg(), "--plugin".to_owned(), HOSTILE_PLUGIN.to_owned()];
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let report = check_json(&args);
    // The built-in plugins are unaffected by whatever the hostile one did.
    assert_eq!(check(&report, "docs.readme")["status"], "pass", "{report:#}");
    assert_eq!(check(&report, "docs.readme-substance")["status"], "pass");
    report
}

fn act(report: &Value) -> (String, String) {
    let act = check(report, "hostile.act");
    (act["status"].as_str().unwrap().to_owned(), act["message"].as_str().unwrap().to_owned())
}

#[test]
fn infinite_loop_is_stopped_by_the_deadline() {
    let report = hostile("loop", &["--timeout", "0.5"]);
    assert_eq!(act(&report), ("error".to_owned(), "plugin exceeded the time limit of 500ms".to_owned()));
    let plugin = report["plugins"].as_array().unwrap().iter().find(|p| p["name"] == "hostile").unwrap();
    assert_eq!(plugin["error"], "plugin exceeded the time limit of 500ms");
}

#[test]
fn huge_allocation_is_stopped_by_the_memory_cap() {
    let report = hostile("alloc", &["--memory-limit", "64"]);
    let (status, message) = act(&report);
    assert_eq!(status, "error");
    assert!(message.starts_with("plugin exceeded the memory limit of 64 MiB (it asked for 10"), "{message}");
}

#[test]
fn files_environment_and_network_are_out_of_reach() {
    let (status, message) = act(&hostile("open-file", &[]));
    assert_eq!(status, "pass", "{message}");
    assert!(message.starts_with("open refused: "), "{message}");
    assert_eq!(act(&hostile("env", &[])), ("pass".to_owned(), "no environment".to_owned()));
    let (status, message) = act(&hostile("network", &[]));
    assert_eq!(status, "pass", "{message}");
}

#[test]
fn the_clock_is_frozen_at_the_commit_time() {
    let (status, message) = act(&hostile("clock", &[]));
    assert_eq!(status, "pass");
    let (clock, commit) = message.strip_prefix("clock says ").unwrap().split_once(", commit time ").unwrap();
    assert_eq!(clock, commit);
}

#[test]
fn a_flood_of_findings_is_cut_at_the_cap() {
    let report = hostile("flood", &["--max-findings", "50"]);
    let findings = check(&report, "hostile.act")["findings"].as_array().unwrap().clone();
    assert_eq!(findings.len(), 51);
    assert_eq!(findings[50]["message"], "99950 more findings dropped: the run reached the limit of 50 findings");
}

#[test]
fn a_flood_of_output_is_bounded() {
    let report = hostile("stdout-flood", &[]);
    assert_eq!(act(&report).0, "pass");
    let plugin = report["plugins"].as_array().unwrap().iter().find(|p| p["name"] == "hostile").unwrap();
    let log = plugin["log"].as_array().unwrap().last().unwrap().as_str().unwrap();
    assert!(log.starts_with("stdout: xxxx"), "{}", &log[..40]);
    assert!(log.ends_with("[9944464 more bytes dropped]"), "{}", &log[log.len() - 60..]);
}

#[test]
fn a_panic_becomes_an_error_with_its_message() {
    let (status, message) = act(&hostile("panic", &[]));
    assert_eq!(status, "error");
    assert!(message.starts_with("plugin panicked: "), "{message}");
    assert!(message.contains("hostile plugin panics on purpose"), "{message}");
}

#[test]
fn malformed_results_become_errors() {
    assert_eq!(
        act(&hostile("bad-score", &[])),
        ("error".to_owned(), "malformed result: score 200 for `hostile.act` is above 100".to_owned())
    );
}

#[test]
fn the_read_budget_is_enforced_and_a_pass_on_a_spent_budget_is_only_a_warning() {
    let mode = format!("read-all\n{}", " ".repeat(200_000));
    let report = hostile(&mode, &["--read-limit", "1"]);
    let (status, message) = act(&report);
    // The plugin said "pass" after the refusal; the host knows the run did
    // not read everything, so the check cannot pass.
    assert_eq!(status, "warn", "{message}");
    assert!(
        message.starts_with("incomplete: 1 not read: the run read more than 1048576 bytes from the repository; after "),
        "{message}"
    );
    assert!(
        message.ends_with("limit exceeded: the run read more than 1048576 bytes from the repository (was pass)"),
        "{message}"
    );
    assert_eq!(check(&report, "hostile.act")["unread"]["kinds"], serde_json::json!({"budget": 1}));
}

#[test]
fn capabilities_the_policy_denies_are_refused_and_counted_as_unread() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    let text = format!("{}\n[plugins.hostile]\ndeny = [\"history\"]\n", fledge_tests::DEFAULT_POLICY);
    std::fs::write(&policy, text).unwrap();
    let report = hostile("history", &["--policy", policy.to_str().unwrap()]);
    let (status, message) = act(&report);
    assert_eq!(status, "warn", "{message}");
    assert_eq!(
        message,
        "incomplete: 1 not read: the policy denies the `history` capability to plugin `hostile`; history refused: denied: the policy denies the `history` capability to plugin `hostile` (was pass)"
    );
}

#[test]
fn a_plugin_looping_on_host_calls_is_stopped_at_its_deadline() {
    let started = std::time::Instant::now();
    let report = hostile("host-loop", &["--timeout", "1"]);
    assert_eq!(act(&report), ("error".to_owned(), "plugin exceeded the time limit of 1s".to_owned()));
    // The deadline covers time spent inside host calls.
    assert!(started.elapsed() < std::time::Duration::from_secs(30), "{:?}", started.elapsed());
}

#[test]
fn plugins_read_only_the_checked_history() {
    let mut repo = RepoBuilder::new();
    repo.file("README.md", WELL_RUN_README).file("hostile.txt", "other-ref");
    repo.commit("main");
    repo.branch("other");
    repo.file("secret.txt", "on another branch");
    repo.commit("other branch");
    repo.checkout("main");
    let report = check_json(&[&repo.arg(), "--plugin", HOSTILE_PLUGIN]);
    let (status, message) = act(&report);
    assert_eq!(status, "pass", "{message}");
    for revision in ["refs/heads/other", "other", ":/secret", "HEAD~1", "HEAD"] {
        assert!(
            message.contains(&format!("{revision}: invalid argument: `{revision}` is not a full commit id")),
            "{message}"
        );
    }
}

#[test]
fn a_plugin_for_another_contract_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.wasm");
    let wasm = wat::parse_str(r#"(component (import "fledge:plugin/repo@0.9.0" (instance)))"#).unwrap();
    std::fs::write(&path, wasm).unwrap();
    let mut repo = RepoBuilder::new();
    repo.file("README.md", "x");
    repo.commit("x");
    let output = run(&["check", &repo.arg(), "--plugin", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        format!(
            "error: plugin {} was built for fledge:plugin@0.9.0, but this fledge supports fledge:plugin@0.3.0; rebuild it against fledge-sdk 0.3.0\n",
            path.display()
        )
    );
}

#[test]
fn a_file_that_is_not_a_component_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("junk.wasm");
    std::fs::write(&path, b"not wasm at all").unwrap();
    let output = run(&["plugins", "--plugin", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        format!("error: plugin {} is not a WebAssembly component (no `\\0asm` header)\n", path.display())
    );
    // A core module (a build for the wrong target) is named as such.
    std::fs::write(&path, wat::parse_str("(module)").unwrap()).unwrap();
    let output = run(&["plugins", "--plugin", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output)
            .contains("is a core WebAssembly module, not a component: build it for the wasm32-wasip2 target")
    );
    // A truncated component is a compile error.
    let component = wat::parse_str("(component (core module))").unwrap();
    std::fs::write(&path, &component[..component.len() - 2]).unwrap();
    let output = run(&["plugins", "--plugin", path.to_str().unwrap()]);
    assert!(
        stderr(&output).starts_with(&format!("error: failed to compile plugin {}", path.display())),
        "{}",
        stderr(&output)
    );
    let missing = run(&["plugins", "--plugin", "/nonexistent/plugin.wasm"]);
    assert_eq!(missing.status.code(), Some(2));
    assert_eq!(
        stderr(&missing),
        "error: cannot read plugin /nonexistent/plugin.wasm: No such file or directory (os error 2)\n"
    );
}

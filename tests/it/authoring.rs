//! Plugin authoring: the scaffolds build and pass their own tests, `fledge
//! plugin test` runs a plugin and catches a wrong finding, pinned plugins
//! and denied capabilities, and the Python and JavaScript examples give the
//! same findings as the Rust one.
//!
//! The Python and JavaScript tests install their toolchains (componentize-py
//! from PyPI, componentize-js from npm) once per target directory; where
//! that is impossible they say so on stderr and skip.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use fledge::policy::DEFAULT_POLICY;
use fledge::scaffold::{COMPONENTIZE_JS_VERSION, COMPONENTIZE_PY_VERSION};
use fledge_tests::polyglot::{self, workspace};
use fledge_tests::{ACME_HEADERS_PLUGIN, RepoBuilder};
use serde_json::{Value, json};

use crate::util::{check, fledge, run, stderr};

fn toolchains() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("toolchains")
}

/// Runs `command`, panicking with its output when it fails.
fn ok(command: &mut Command) -> Output {
    let output = command.output().unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// `fledge plugin test PLUGIN TARGET --format json [extra]`, parsed.
fn plugin_test(plugin: &Path, target: &str, extra: &[&str]) -> Value {
    let mut args = vec!["plugin", "test", plugin.to_str().unwrap(), target, "--format", "json"];
    args.extend_from_slice(extra);
    let output = run(&args);
    assert!(output.status.success(), "fledge {args:?} failed: {}", stderr(&output));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// A plain directory with a NOTICE naming `owner`, for the scaffolds' check.
fn notice_fixture(owner: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("NOTICE"), format!("Copyright {owner}\n")).unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/main.py"), "print('hi')\n").unwrap();
    dir
}

/// What every scaffold's `<name>.notice` check reports on `notice_fixture("Initech")`.
fn expected_notice_results(name: &str) -> Value {
    json!([{
        "id": format!("{name}.notice"),
        "status": "fail",
        "score": 0,
        "message": "NOTICE does not name ACME Corp.",
        "findings": [{
            "message": "no `Copyright ACME Corp.`",
            "severity": "medium",
            "locations": [{"path": "NOTICE", "line": 1}]
        }]
    }])
}

/// The fields of results that every implementation must agree on.
fn comparable(results: &Value) -> Value {
    let mut results = results.clone();
    for result in results.as_array_mut().unwrap() {
        let object = result.as_object_mut().unwrap();
        object.retain(|key, _| ["id", "status", "score", "message", "findings"].contains(&key.as_str()));
    }
    results
}

#[test]
fn the_rust_scaffold_builds_and_passes_its_own_test() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("header-check");
    let output = run(&["plugin", "new", "header-check", "--dir", project.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("cargo build --release --target wasm32-wasip2"));
    // The workspace's lock file pins the versions this machine already has,
    // so that the test neither needs the network nor rebuilds the world.
    std::fs::copy(workspace().join("Cargo.lock"), project.join("Cargo.lock")).unwrap();
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("scaffold-target");
    let cargo = |args: &[&str]| {
        let mut command = Command::new(env!("CARGO"));
        command.args(args).arg("--offline").current_dir(&project).env("CARGO_TARGET_DIR", &target_dir);
        command.env_remove("CARGO_BUILD_TARGET").env_remove("RUSTFLAGS").env_remove("CARGO_ENCODED_RUSTFLAGS");
        ok(&mut command)
    };
    let tested = cargo(&["test"]);
    assert!(String::from_utf8_lossy(&tested.stdout).contains("test tests::notice_names_the_owner ... ok"));
    cargo(&["build", "--release", "--target", "wasm32-wasip2"]);
    let wasm = target_dir.join("wasm32-wasip2/release/header_check.wasm");

    let fixture = notice_fixture("Initech");
    let fixture_arg = fixture.path().to_str().unwrap();
    assert_eq!(plugin_test(&wasm, fixture_arg, &[]), expected_notice_results("header-check"));
    let configured = plugin_test(&wasm, fixture_arg, &["--config", r#"{"owner": "Initech"}"#]);
    assert_eq!(configured[0]["message"], "NOTICE names Initech");

    // The new check takes its place in `fledge check`, in its category.
    let mut repo = RepoBuilder::new();
    repo.file("NOTICE", "Copyright ACME Corp.\n").commit("notice");
    let report = crate::util::check_json(&[&repo.arg(), "--plugin", wasm.to_str().unwrap()]);
    let notice = check(&report, "header-check.notice");
    assert_eq!((notice["status"].as_str(), notice["category"].as_str()), (Some("pass"), Some("license")));
}

#[test]
fn plugin_names_and_directories_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(&["plugin", "new", "Header_Check", "--dir", dir.path().join("x").to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("must be lowercase letters, digits and dashes"), "{}", stderr(&output));
    std::fs::write(dir.path().join("keep.txt"), "mine").unwrap();
    let output = run(&["plugin", "new", "ok", "--dir", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("exists and is not empty"), "{}", stderr(&output));
    assert_eq!(std::fs::read_to_string(dir.path().join("keep.txt")).unwrap(), "mine");
}

/// A plain directory (not a repository) with one source file lacking the header.
fn headers_fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in [
        ("src/main.rs", "// Copyright ACME\nfn main() {}\n"),
        ("src/util.rs", "pub fn util() {}\n"),
        ("tools/gen.py", "# Copyright ACME\nprint(1)\n"),
        ("web/app.js", "console.log(1);\n"),
        ("README.md", "# Widget\n"),
        ("Makefile", "all:\n"),
    ] {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn expected_headers_results() -> Value {
    let finding = |path: &str| json!({"message": "no `Copyright ACME` header", "severity": "low", "locations": [{"path": path, "line": 1}]});
    json!([{
        "id": "acme.headers",
        "status": "fail",
        "score": 50,
        "message": "2 of 4 source files lack the ACME header",
        "findings": [finding("src/util.rs"), finding("web/app.js")]
    }])
}

#[test]
fn plugin_test_runs_a_plugin_on_a_plain_directory() {
    let fixture = headers_fixture();
    let results = plugin_test(Path::new(ACME_HEADERS_PLUGIN), fixture.path().to_str().unwrap(), &[]);
    assert_eq!(comparable(&results), expected_headers_results());

    let table = run(&["plugin", "test", ACME_HEADERS_PLUGIN, fixture.path().to_str().unwrap()]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("FAIL   acme.headers   50  2 of 4 source files lack the ACME header"), "{text}");
    assert!(text.contains("- src/util.rs:1: no `Copyright ACME` header"), "{text}");

    let bad = run(&["plugin", "test", ACME_HEADERS_PLUGIN, fixture.path().to_str().unwrap(), "--config", "{owner"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("--config is not valid JSON"), "{}", stderr(&bad));
}

#[test]
fn plugin_test_takes_its_configuration_from_a_policy_or_the_expected_file() {
    let fixture = headers_fixture();
    let target = fixture.path().to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        "[plugins.acme.config]\nowner = \"Initech\"\n\n[[stages]]\nname = \"sandbox\"\nmin_score = 0\n",
    )
    .unwrap();
    let policy_arg = policy.to_str().unwrap();
    let results = plugin_test(Path::new(ACME_HEADERS_PLUGIN), target, &["--policy", policy_arg]);
    assert_eq!(results[0]["message"], "4 of 4 source files lack the Initech header");

    // The expected file records the policy's configuration, and a later
    // run without one uses it; a run with another says so.
    let expect = dir.path().join("expected.json");
    let expect_arg = expect.to_str().unwrap();
    let blessed = run(&[
        "plugin",
        "test",
        ACME_HEADERS_PLUGIN,
        target,
        "--policy",
        policy_arg,
        "--expect",
        expect_arg,
        "--bless",
    ]);
    assert!(blessed.status.success(), "{}", stderr(&blessed));
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&expect).unwrap()).unwrap();
    assert_eq!(written["config"], json!({"owner": "Initech"}));
    let again = run(&["plugin", "test", ACME_HEADERS_PLUGIN, target, "--expect", expect_arg]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    let other = run(&["plugin", "test", ACME_HEADERS_PLUGIN, target, "--expect", expect_arg, "--config", "{}"]);
    assert_eq!(other.status.code(), Some(1));
    assert!(
        stderr(&other).contains(
            "configuration: the expected results were written with configuration {\"owner\":\"Initech\"}, this run used configuration {}"
        ),
        "{}",
        stderr(&other)
    );

    // The table says how to fix a failure.
    let table = run(&["plugin", "test", ACME_HEADERS_PLUGIN, target]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("         fix: Start every source file with a comment `Copyright ACME`.\n"), "{text}");

    // A misspelt setting in the policy is refused, as `policy check` would.
    std::fs::write(
        &policy,
        "[plugins.acme.config]\nowners = \"Initech\"\n\n[[stages]]\nname = \"sandbox\"\nmin_score = 0\n",
    )
    .unwrap();
    let refused = run(&["plugin", "test", ACME_HEADERS_PLUGIN, target, "--policy", policy_arg]);
    assert_eq!(refused.status.code(), Some(2));
    assert_eq!(
        stderr(&refused),
        format!("error: {policy_arg}:2: unknown key `owners` (did you mean `owner`?) in [plugins.acme.config]\n")
    );
}

#[test]
fn the_harness_catches_a_wrong_finding() {
    let fixture = headers_fixture();
    let target = fixture.path().to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let expect = dir.path().join("expected.json");
    let expect_arg = expect.to_str().unwrap();

    let blessed = run(&["plugin", "test", ACME_HEADERS_PLUGIN, target, "--expect", expect_arg, "--bless"]);
    assert!(blessed.status.success(), "{}", stderr(&blessed));
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&expect).unwrap()).unwrap();
    assert_eq!(comparable(&written["results"]), expected_headers_results());
    assert_eq!(written["config"], json!({}), "the file records the configuration");
    let same = run(&["plugin", "test", ACME_HEADERS_PLUGIN, target, "--expect", expect_arg]);
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));

    // An expectation that names the wrong file is caught, finding by finding.
    let mut wrong = expected_headers_results();
    wrong[0]["findings"][1]["locations"][0]["path"] = json!("web/index.js");
    std::fs::write(&expect, serde_json::to_string(&wrong).unwrap()).unwrap();
    let caught = run(&["plugin", "test", ACME_HEADERS_PLUGIN, target, "--expect", expect_arg]);
    assert_eq!(caught.status.code(), Some(1));
    assert_eq!(
        stderr(&caught),
        format!(
            "2 differences from {expect_arg}:\n  acme.headers: missing finding \"no `Copyright ACME` header\" at web/index.js:1\n  acme.headers: unexpected finding \"no `Copyright ACME` header\" at web/app.js:1\n"
        )
    );

    // Only the fields given are compared; a missing check is a difference.
    std::fs::write(&expect, r#"[{"id": "acme.headers", "status": "fail"}, {"id": "acme.years"}]"#).unwrap();
    let partial = run(&["plugin", "test", ACME_HEADERS_PLUGIN, target, "--expect", expect_arg]);
    assert_eq!(partial.status.code(), Some(1));
    assert!(stderr(&partial).contains("acme.years: expected a result, got none"), "{}", stderr(&partial));

    std::fs::write(&expect, "{not json").unwrap();
    let malformed = run(&["plugin", "test", ACME_HEADERS_PLUGIN, target, "--expect", expect_arg]);
    assert_eq!(malformed.status.code(), Some(2));
    assert!(stderr(&malformed).contains("is not valid JSON"), "{}", stderr(&malformed));
}

fn sha256_hex(path: &str) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(std::fs::read(path).unwrap()))
}

fn headers_repo() -> RepoBuilder {
    let mut repo = RepoBuilder::new();
    repo.file("src/lib.rs", "// Copyright ACME\n").file("src/bin.rs", "fn main() {}\n").commit("code");
    repo
}

#[test]
fn a_pinned_plugin_must_have_its_sha256() {
    let repo = headers_repo();
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(ACME_HEADERS_PLUGIN, dir.path().join("acme.wasm")).unwrap();
    let policy = dir.path().join("policy.toml");
    let pin = |sha: &str| {
        let pinned = format!("{DEFAULT_POLICY}\n[plugins.acme]\npath = \"acme.wasm\"\nsha256 = \"{sha}\"\n");
        std::fs::write(&policy, pinned).unwrap();
    };

    pin(&sha256_hex(ACME_HEADERS_PLUGIN));
    let report = crate::util::check_json(&[&repo.arg(), "--policy", policy.to_str().unwrap()]);
    assert_eq!(check(&report, "acme.headers")["message"], "1 of 2 source files lack the ACME header");

    pin(&"0".repeat(64));
    let output = run(&["check", &repo.arg(), "--policy", policy.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("plugin `acme`") && err.contains("but the policy requires 0000"), "{err}");
    assert!(err.contains("refusing to load it"), "{err}");
    assert!(output.stdout.is_empty(), "no report from a refused plugin");
}

#[test]
fn a_denied_capability_is_an_error_inside_the_plugin() {
    let repo = headers_repo();
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, format!("{DEFAULT_POLICY}\n[plugins.acme]\ndeny = [\"contents\"]\n")).unwrap();
    let report =
        crate::util::check_json(&[&repo.arg(), "--plugin", ACME_HEADERS_PLUGIN, "--policy", policy.to_str().unwrap()]);
    let headers = check(&report, "acme.headers");
    assert_eq!(headers["status"], "error");
    let message = headers["message"].as_str().unwrap();
    assert!(message.contains("the policy denies the `contents` capability to plugin `acme`"), "{message}");
    // Every other plugin ran as usual.
    assert_eq!(check(&report, "docs.readme")["status"], "fail");
    assert_eq!(check(&report, "license.file")["status"], "fail");
}

#[test]
fn plugin_directories_add_site_wide_plugins() {
    let repo = headers_repo();
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(ACME_HEADERS_PLUGIN, dir.path().join("acme.wasm")).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a plugin").unwrap();
    let report = crate::util::check_json(&[&repo.arg(), "--plugin-dir", dir.path().to_str().unwrap()]);
    assert_eq!(check(&report, "acme.headers")["status"], "fail");
    let from_env =
        fledge().args(["plugins", "--format", "json"]).env("FLEDGE_PLUGIN_DIR", dir.path()).output().unwrap();
    assert!(from_env.status.success(), "{}", stderr(&from_env));
    assert!(String::from_utf8_lossy(&from_env.stdout).contains("\"acme.headers\""));
}

// --- Python and JavaScript ---------------------------------------------------

/// componentize-py, installed once; `None` (with the reason on stderr)
/// when it cannot be installed here.
fn componentize_py() -> Option<&'static Path> {
    static TOOL: OnceLock<anyhow::Result<PathBuf>> = OnceLock::new();
    skip_unless(
        TOOL.get_or_init(|| polyglot::install_componentize_py(&toolchains(), COMPONENTIZE_PY_VERSION)),
        "componentize-py",
    )
}

/// A directory with componentize-js in `node_modules`, installed once.
fn componentize_js() -> Option<&'static Path> {
    static TOOL: OnceLock<anyhow::Result<PathBuf>> = OnceLock::new();
    skip_unless(
        TOOL.get_or_init(|| polyglot::install_componentize_js(&toolchains(), COMPONENTIZE_JS_VERSION)),
        "componentize-js",
    )
}

fn skip_unless(tool: &'static anyhow::Result<PathBuf>, name: &str) -> Option<&'static Path> {
    match tool {
        Ok(path) => Some(path),
        Err(reason) => {
            eprintln!("SKIPPED: {name} cannot be installed on this machine: {reason:#}");
            None
        }
    }
}

#[test]
fn the_python_and_javascript_examples_find_what_the_rust_one_finds() {
    let fixture = headers_fixture();
    let target = fixture.path().to_str().unwrap();
    let rust = plugin_test(Path::new(ACME_HEADERS_PLUGIN), target, &[]);
    assert_eq!(comparable(&rust), expected_headers_results());
    let rust_configured = plugin_test(Path::new(ACME_HEADERS_PLUGIN), target, &["--config", r#"{"owner":"Initech"}"#]);
    let out = tempfile::tempdir().unwrap();
    let examples = workspace().join("examples/acme-headers");
    // A policy that ignores web/: the Rust SDK leaves it out of the
    // check's view; the Python and JavaScript examples do not, and the host
    // leaves out what they report there.
    let ignoring = out.path().join("ignore.toml");
    std::fs::write(
        &ignoring,
        "[checks.\"acme.headers\"]\nignore = [\"web/**\"]\n\n[[stages]]\nname = \"sandbox\"\nmin_score = 0\n",
    )
    .unwrap();
    let policy_args = ["--policy", ignoring.to_str().unwrap()];
    let rust_ignoring = plugin_test(Path::new(ACME_HEADERS_PLUGIN), target, &policy_args);
    let paths: Vec<&str> = rust_ignoring[0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["locations"][0]["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["src/util.rs"]);

    if let Some(tool) = componentize_py() {
        let wasm = out.path().join("acme-python.wasm");
        polyglot::build_python(tool, &examples.join("python"), &workspace().join("sdk/wit"), &wasm).unwrap();
        assert_eq!(plugin_test(&wasm, target, &[]), rust, "Python and Rust differ");
        assert_eq!(plugin_test(&wasm, target, &["--config", r#"{"owner":"Initech"}"#]), rust_configured);
        assert_eq!(plugin_test(&wasm, target, &policy_args)[0]["findings"], rust_ignoring[0]["findings"]);
    }

    if let Some(toolchain) = componentize_js() {
        let wasm = out.path().join("acme-js.wasm");
        polyglot::build_js_example(toolchain, &wasm).unwrap();
        assert_eq!(plugin_test(&wasm, target, &[]), rust, "JavaScript and Rust differ");
        assert_eq!(plugin_test(&wasm, target, &["--config", r#"{"owner":"Initech"}"#]), rust_configured);
        assert_eq!(plugin_test(&wasm, target, &policy_args)[0]["findings"], rust_ignoring[0]["findings"]);
    }
}

#[test]
fn the_python_scaffold_builds_and_passes_its_own_test() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("notice-py");
    let output = run(&["plugin", "new", "notice-py", "--lang", "python", "--dir", project.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let Some(tool) = componentize_py() else { return };
    let python = tool.parent().unwrap().join("python");
    let tested = ok(Command::new(&python).args(["-m", "unittest", "-v"]).current_dir(&project));
    assert!(String::from_utf8_lossy(&tested.stderr).contains("Ran 4 tests"), "{}", stderr(&tested));
    // The README's build command, verbatim.
    ok(Command::new(tool)
        .args(["-d", "wit", "-w", "plugin", "componentize", "app", "-o", "notice-py.wasm"])
        .current_dir(&project));
    let fixture = notice_fixture("Initech");
    let results = plugin_test(&project.join("notice-py.wasm"), fixture.path().to_str().unwrap(), &[]);
    assert_eq!(comparable(&results), expected_notice_results("notice-py"));
}

#[test]
fn the_javascript_scaffold_builds_and_passes_its_own_test() {
    let Some(toolchain) = componentize_js() else { return };
    let dir = tempfile::tempdir_in(toolchain).unwrap();
    let project = dir.path().join("notice-js");
    let output = run(&["plugin", "new", "notice-js", "--lang", "js", "--dir", project.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(project.join("package.json")).unwrap()).unwrap();
    assert_eq!(manifest["devDependencies"]["@bytecodealliance/componentize-js"], COMPONENTIZE_JS_VERSION);
    let tested = ok(Command::new("npm").args(["test", "--silent"]).current_dir(&project));
    assert!(
        String::from_utf8_lossy(&tested.stdout).contains("# pass 4"),
        "{}",
        String::from_utf8_lossy(&tested.stdout)
    );
    ok(Command::new("npm").args(["run", "build", "--silent"]).current_dir(&project));
    let fixture = notice_fixture("Initech");
    let results = plugin_test(&project.join("notice-js.wasm"), fixture.path().to_str().unwrap(), &[]);
    assert_eq!(comparable(&results), expected_notice_results("notice-js"));
}

#[test]
fn the_examples_pin_the_toolchains_the_scaffolds_use() {
    let package: Value = serde_json::from_str(
        &std::fs::read_to_string(workspace().join("examples/acme-headers/js/package.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(package["devDependencies"]["@bytecodealliance/componentize-js"], COMPONENTIZE_JS_VERSION);
}

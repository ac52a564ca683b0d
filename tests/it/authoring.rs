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
use fledge_tests::{ACME_HEADERS_PLUGIN, RepoBuilder};
use serde_json::{Value, json};

use crate::util::{check, fledge, run, stderr};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

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
    assert!(text.contains("FAIL   acme.headers  50  2 of 4 source files lack the ACME header"), "{text}");
    assert!(text.contains("- src/util.rs:1: no `Copyright ACME` header"), "{text}");

    let bad = run(&["plugin", "test", ACME_HEADERS_PLUGIN, fixture.path().to_str().unwrap(), "--config", "{owner"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("--config is not valid JSON"), "{}", stderr(&bad));
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
    assert_eq!(comparable(&written), expected_headers_results());
    let same = run(&["plugin", "test", ACME_HEADERS_PLUGIN, target, "--expect", expect_arg]);
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));

    // An expectation that names the wrong file is caught, with the difference.
    let mut wrong = expected_headers_results();
    wrong[0]["findings"][1]["locations"][0]["path"] = json!("web/index.js");
    std::fs::write(&expect, serde_json::to_string(&wrong).unwrap()).unwrap();
    let caught = run(&["plugin", "test", ACME_HEADERS_PLUGIN, target, "--expect", expect_arg]);
    assert_eq!(caught.status.code(), Some(1));
    let err = stderr(&caught);
    assert!(err.contains("1 differences from"), "{err}");
    assert!(err.contains("acme.headers: findings: expected") && err.contains("web/index.js"), "{err}");

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
    let output = ok(Command::new("sha256sum").arg(path));
    String::from_utf8_lossy(&output.stdout).split_whitespace().next().unwrap().to_owned()
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

/// componentize-py, installed into a virtual environment once; `None` (with
/// the reason on stderr) when it cannot be installed here.
fn componentize_py() -> Option<&'static Path> {
    static TOOL: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let tool = TOOL.get_or_init(|| {
        let venv = toolchains().join(format!("componentize-py-{COMPONENTIZE_PY_VERSION}"));
        let bin = venv.join("bin/componentize-py");
        if bin.is_file() {
            return Ok(bin);
        }
        let python = which("python3").ok_or("python3 is not installed")?;
        attempt(Command::new(python).arg("-m").arg("venv").arg(&venv))?;
        attempt(Command::new(venv.join("bin/pip")).args([
            "install",
            "--quiet",
            &format!("componentize-py=={COMPONENTIZE_PY_VERSION}"),
        ]))?;
        Ok(bin)
    });
    skip_unless(tool, "componentize-py")
}

/// A directory with componentize-js in `node_modules`, installed once; a
/// project inside it finds the package there.
fn componentize_js() -> Option<&'static Path> {
    static TOOL: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let tool = TOOL.get_or_init(|| {
        let dir = toolchains().join(format!("componentize-js-{COMPONENTIZE_JS_VERSION}"));
        if dir.join("node_modules/@bytecodealliance/componentize-js/package.json").is_file() {
            return Ok(dir);
        }
        which("node").ok_or("node is not installed")?;
        let npm = which("npm").ok_or("npm is not installed")?;
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        std::fs::write(dir.join("package.json"), r#"{"private": true}"#).map_err(|e| e.to_string())?;
        attempt(
            Command::new(npm)
                .args(["install", "--no-audit", "--no-fund", "--silent"])
                .arg(format!("@bytecodealliance/componentize-js@{COMPONENTIZE_JS_VERSION}"))
                .current_dir(&dir),
        )?;
        Ok(dir)
    });
    skip_unless(tool, "componentize-js")
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).map(|dir| dir.join(program)).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .find(|path| path.is_file())
}

/// Runs an installation step; its output is the error.
fn attempt(command: &mut Command) -> Result<(), String> {
    let output = command.output().map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!("{command:?} failed: {}", String::from_utf8_lossy(&output.stderr).trim()))
    }
}

fn skip_unless(tool: &'static Result<PathBuf, String>, name: &str) -> Option<&'static Path> {
    match tool {
        Ok(path) => Some(path),
        Err(reason) => {
            eprintln!("SKIPPED: {name} cannot be installed on this machine: {reason}");
            None
        }
    }
}

/// Builds a Python plugin whose `app.py` is in `source` against `wit`.
fn build_python(tool: &Path, source: &Path, wit: &Path, output: &Path) {
    // componentize-py writes __pycache__ next to the sources: build a copy.
    let work = tempfile::tempdir().unwrap();
    copy_dir(source, work.path());
    ok(Command::new(tool)
        .arg("-d")
        .arg(wit)
        .args(["-w", "plugin", "componentize", "app", "-o"])
        .arg(output)
        .current_dir(work.path()));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            if entry.file_name() != "node_modules" && entry.file_name() != "__pycache__" {
                copy_dir(&entry.path(), &target);
            }
        } else {
            std::fs::copy(entry.path(), target).unwrap();
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

    if let Some(tool) = componentize_py() {
        let wasm = out.path().join("acme-python.wasm");
        build_python(tool, &examples.join("python"), &workspace().join("sdk/wit"), &wasm);
        assert_eq!(plugin_test(&wasm, target, &[]), rust, "Python and Rust differ");
        assert_eq!(plugin_test(&wasm, target, &["--config", r#"{"owner":"Initech"}"#]), rust_configured);
    }

    if let Some(toolchain) = componentize_js() {
        // The example's build script finds the contract at ../../../sdk/wit
        // and componentize-js in the toolchain's node_modules above it.
        let work = tempfile::tempdir_in(toolchain).unwrap();
        copy_dir(&examples.join("js"), &work.path().join("examples/acme-headers/js"));
        copy_dir(&workspace().join("sdk/wit"), &work.path().join("sdk/wit"));
        let wasm = out.path().join("acme-js.wasm");
        ok(Command::new("node").arg("build.mjs").arg(&wasm).current_dir(work.path().join("examples/acme-headers/js")));
        assert_eq!(plugin_test(&wasm, target, &[]), rust, "JavaScript and Rust differ");
        assert_eq!(plugin_test(&wasm, target, &["--config", r#"{"owner":"Initech"}"#]), rust_configured);
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
    assert!(String::from_utf8_lossy(&tested.stderr).contains("Ran 3 tests"), "{}", stderr(&tested));
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
        String::from_utf8_lossy(&tested.stdout).contains("# pass 3"),
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

//! Damaged, partial and shallow repositories still get a report, in bounded
//! time, that says what was not read; and no check passes on content it
//! did not read.

use std::process::Command;
use std::time::{Duration, Instant};

use fledge_tests::{RepoBuilder, WELL_RUN_README};
use serde_json::Value;

use crate::util::{assert_valid, check, check_json, report_validator, run, sarif_validator, stderr};

/// A GitHub token of the documented shape (not a real one).
const TOKEN: &str = "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";

fn status(report: &Value, id: &str) -> String {
    check(report, id)["status"].as_str().unwrap().to_owned()
}

/// Asserts that check `id` warns, its message starting with `prefix`; the check.
fn assert_warns<'a>(report: &'a Value, id: &str, prefix: &str) -> &'a Value {
    let result = check(report, id);
    assert_eq!(result["status"], "warn", "{result:#}");
    assert!(result["message"].as_str().unwrap().starts_with(prefix), "{result:#}");
    result
}

#[test]
fn a_missing_blob_is_named_and_the_checks_that_needed_it_do_not_pass() {
    let mut repo = RepoBuilder::new();
    repo.file("README.md", WELL_RUN_README).file("config/app.env", format!("GITHUB_TOKEN={TOKEN}\n"));
    repo.commit("initial");
    let missing = RepoBuilder::blob_id(format!("GITHUB_TOKEN={TOKEN}\n"));
    std::fs::remove_file(repo.loose_object(&missing)).unwrap();

    let started = Instant::now();
    let report = check_json(&[&repo.arg()]);
    assert!(started.elapsed() < Duration::from_secs(60));
    // The repository-level account names the path and the object.
    let completeness = &report["repository"]["completeness"];
    assert_eq!(completeness["unread"]["kinds"], serde_json::json!({"missing": 1}), "{completeness:#}");
    assert_eq!(completeness["unread"]["gaps"][0]["path"], "config/app.env");
    assert_eq!(completeness["unread"]["gaps"][0]["id"], missing);
    let warnings = report["warnings"].to_string();
    assert!(warnings.contains("incomplete repository: of the checked commit, 1 not read: 1 missing object; first: config/app.env (missing object"), "{warnings}");
    // The secrets scan could not read the file: it does not pass.
    let secrets = assert_warns(
        &report,
        "secrets.credentials-head",
        "incomplete: 1 not read: 1 missing object; first: config/app.env",
    );
    assert_eq!(secrets["unread"]["gaps"][0]["path"], "config/app.env");
    // Checks that did not need it are unaffected.
    assert_eq!(status(&report, "docs.readme"), "pass");
    // The stage cannot rest on the unread file: the incubating gate fails.
    assert!(report["verdict"]["blockers"].to_string().contains("secrets.credentials-head"), "{:#}", report["verdict"]);
    assert_valid(&report_validator(), &report);
    // SARIF says it too, as notifications of the run.
    let sarif = run(&["check", &repo.arg(), "--format", "sarif"]);
    let sarif: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    assert_valid(&sarif_validator(), &sarif);
    let notifications = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"].as_array().unwrap();
    assert!(notifications[0]["message"]["text"].as_str().unwrap().starts_with("incomplete repository: "));
    assert!(notifications.iter().any(|n| n["associatedRule"]["id"] == "secrets.credentials-head"));
}

#[test]
fn a_truncated_loose_object_gives_a_report_in_bounded_time() {
    let mut repo = RepoBuilder::new();
    let big: String = (0..20_000).map(|i| format!("line {i} of a configuration file\n")).collect();
    repo.file("README.md", WELL_RUN_README).file("data/settings.txt", &big);
    repo.commit("initial");
    let path = repo.loose_object(&RepoBuilder::blob_id(&big));
    let bytes = std::fs::read(&path).unwrap();
    let mut permissions = std::fs::metadata(&path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(&path, permissions).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();

    let started = Instant::now();
    let report = check_json(&[&repo.arg()]);
    assert!(started.elapsed() < Duration::from_secs(60), "{:?}", started.elapsed());
    // The file list only needs the object's header; the secrets scan reads
    // it whole and names it.
    let secrets = check(&report, "secrets.credentials-head");
    assert_eq!(secrets["status"], "warn", "{secrets:#}");
    let gap = &secrets["unread"]["gaps"][0];
    assert_eq!(gap["path"], "data/settings.txt", "{secrets:#}");
    assert_eq!(gap["kind"], "corrupt");
    assert!(gap["reason"].as_str().unwrap().contains("is truncated"), "{gap:#}");
    assert_eq!(status(&report, "docs.readme"), "pass");
}

#[test]
fn an_object_altered_under_its_id_is_not_read_as_the_file() {
    // Enough files for the host to read ahead of the secrets scan, so that
    // the altered object is met on the readahead thread first.
    let mut repo = RepoBuilder::new();
    repo.file("README.md", WELL_RUN_README);
    for i in 0..60 {
        repo.file(&format!("src/m{i:02}.rs"), format!("pub fn f{i}() -> u32 {{ {i} }}\n"));
    }
    let leaked = format!("export GITHUB_TOKEN={TOKEN}\n");
    repo.file("src/m30.rs", &leaked);
    repo.commit("initial");
    // The object that `src/m30.rs` names now holds a harmless text: a valid
    // zlib stream, with a header true to the new content.
    let harmless = RepoBuilder::blob_id("pub fn f30() {}\n");
    repo.repo().blob(b"pub fn f30() {}\n").unwrap();
    let target = repo.loose_object(&RepoBuilder::blob_id(&leaked));
    let mut permissions = std::fs::metadata(&target).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(&target, permissions).unwrap();
    std::fs::copy(repo.loose_object(&harmless), &target).unwrap();

    let report = check_json(&[&repo.arg()]);
    let secrets = check(&report, "secrets.credentials-head");
    // Not a pass on the harmless text: the object is named as altered.
    assert_eq!(secrets["status"], "warn", "{secrets:#}");
    let gaps = secrets["unread"]["gaps"].as_array().unwrap();
    assert_eq!(gaps.len(), 1, "{gaps:#?}");
    assert_eq!(gaps[0]["path"], "src/m30.rs");
    assert_eq!(gaps[0]["kind"], "corrupt");
    let reason = gaps[0]["reason"].as_str().unwrap();
    assert!(reason.ends_with("does not match its id (its content was altered)"), "{reason}");
    // No credential, and every other file was read, through the readahead
    // or not.
    assert_eq!(
        secrets["findings"],
        serde_json::json!([{"message": "not scanned: 1 unreadable blobs", "severity": "info"}]),
        "{secrets:#}"
    );
    let scanned = secrets["metrics"].as_array().unwrap().iter().find(|m| m["name"] == "blobs-scanned").unwrap();
    assert_eq!(scanned["value"].as_f64(), Some(60.0), "{secrets:#}");
}

#[test]
fn a_missing_directory_makes_the_file_list_incomplete() {
    let mut repo = RepoBuilder::new();
    repo.file("README.md", WELL_RUN_README).file("deploy/prod/values.yaml", "replicas: 3\n");
    repo.commit("initial");
    let head = repo.repo().head().unwrap().peel_to_tree().unwrap();
    let deploy = head.get_name("deploy").unwrap().id().to_string();
    std::fs::remove_file(repo.loose_object(&deploy)).unwrap();

    let report = check_json(&[&repo.arg()]);
    let completeness = &report["repository"]["completeness"];
    assert_eq!(completeness["tree_incomplete"], true);
    assert_eq!(completeness["unread"]["gaps"][0]["path"], "deploy");
    assert_eq!(completeness["unread"]["gaps"][0]["reason"], "directory not read: missing object");
    // A check that read the whole file list knows it is incomplete...
    assert_warns(
        &report,
        "secrets.credentials-head",
        "incomplete: 1 not read: the file list is incomplete: 1 directories could not be read; ",
    );
    // ...one that looked only where nothing is missing stands.
    assert_eq!(status(&report, "docs.readme"), "pass");
}

#[test]
fn a_missing_directory_where_a_check_looks_makes_it_incomplete() {
    let mut repo = RepoBuilder::new();
    repo.file("src/main.rs", "fn main() {}\n").file("docs/README.md", WELL_RUN_README);
    repo.commit("initial");
    let head = repo.repo().head().unwrap().peel_to_tree().unwrap();
    let docs = head.get_name("docs").unwrap().id().to_string();
    std::fs::remove_file(repo.loose_object(&docs)).unwrap();
    let report = check_json(&[&repo.arg()]);
    // No README at the root, and `docs/`, where it could be, is unreadable:
    // "no README" is not the whole truth, and the check says so.
    let readme = check(&report, "docs.readme");
    assert_eq!(readme["status"], "fail", "{readme:#}");
    assert!(
        readme["message"]
            .as_str()
            .unwrap()
            .ends_with("; incomplete: 1 not read: the file list is incomplete: 1 directories could not be read"),
        "{readme:#}"
    );
}

#[test]
fn a_head_that_points_at_a_missing_commit_says_so() {
    let mut repo = RepoBuilder::new();
    repo.file("README.md", "x");
    repo.commit("initial");
    let missing = "1234567890123456789012345678901234567890";
    std::fs::write(repo.repo().path().join("refs/heads/main"), format!("{missing}\n")).unwrap();
    let output = run(&["check", &repo.arg()]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        format!(
            "error: `HEAD` of {} points at object {missing}, which is missing from the object database (the repository is damaged or incomplete)\n",
            repo.path().display()
        )
    );
}

/// A text file of about 3 MB with `TOKEN` on line `line`.
fn big_text_with_token(lines: usize, line: usize) -> String {
    let mut text = String::new();
    for i in 1..=lines {
        if i == line {
            text.push_str(&format!("export GITHUB_TOKEN={TOKEN}\n"));
        } else {
            text.push_str(&format!("setting_{i:07} = \"an ordinary configuration value\"\n"));
        }
    }
    text
}

#[test]
fn a_token_in_a_large_text_file_is_found_wherever_it_is() {
    // 60,000 lines of 46 bytes: about 2.8 MB, past the old 2 MiB bound.
    // Line 22,796 starts 1,048,570 bytes in, so the token straddles the
    // first 1 MiB piece.
    let line_bytes = "setting_0000001 = \"an ordinary configuration value\"\n".len();
    let boundary_line = (1 << 20) / line_bytes + 1;
    for line in [59_000, boundary_line] {
        let mut repo = RepoBuilder::new();
        repo.file("README.md", WELL_RUN_README).file("config/settings.conf", big_text_with_token(60_000, line));
        repo.commit("initial");
        let report = check_json(&[&repo.arg()]);
        let secrets = check(&report, "secrets.credentials-head");
        assert_eq!(secrets["status"], "fail", "line {line}: {secrets:#}");
        let findings = secrets["findings"].as_array().unwrap();
        assert_eq!(findings.len(), 1, "{findings:#?}");
        assert_eq!(findings[0]["locations"][0]["path"], "config/settings.conf");
        assert_eq!(findings[0]["locations"][0]["line"], line);
    }
}

#[test]
fn a_shallow_clone_is_named_and_history_checks_do_not_pass() {
    let mut origin = fledge_tests::well_run();
    origin.file("notes.txt", "nothing to see\n");
    origin.commit("last");
    let dir = tempfile::tempdir().unwrap();
    let clone = dir.path().join("shallow");
    let cloned = Command::new("git")
        .args(["clone", "--quiet", "--depth", "1", &format!("file://{}", origin.path().display())])
        .arg(&clone)
        .status()
        .unwrap();
    assert!(cloned.success());

    let report = check_json(&[clone.to_str().unwrap()]);
    assert_eq!(report["repository"]["completeness"]["shallow"], true);
    assert!(report["warnings"].to_string().contains("the history is truncated (shallow clone)"));
    let history = check(&report, "secrets.credentials-history");
    assert_eq!(history["status"], "warn", "{history:#}");
    assert!(history["message"].as_str().unwrap().contains("history truncated"), "{history:#}");
    assert_eq!(history["unread"]["kinds"]["shallow"], 1);
    for id in ["community.bus-factor", "community.recent-activity", "community.contributors"] {
        assert_ne!(status(&report, id), "pass", "{id}: {:#}", check(&report, id));
    }
    // Checks of the tree alone stand.
    assert_eq!(status(&report, "docs.readme"), "pass");
    assert_eq!(status(&report, "secrets.credentials-head"), "pass");
}

#[test]
fn a_huge_mailmap_is_bounded() {
    let mut repo = RepoBuilder::new();
    let mailmap: String =
        (0..500_000).map(|i| format!("Person {i} <person{i}@example.com> <old{i}@example.com>\n")).collect();
    assert!(mailmap.len() > 4 << 20);
    repo.file("README.md", WELL_RUN_README).file(".mailmap", &mailmap);
    repo.commit("initial");
    let started = Instant::now();
    let report = check_json(&[&repo.arg()]);
    assert!(started.elapsed() < Duration::from_secs(60), "{:?}", started.elapsed());
    assert!(report["warnings"].to_string().contains(".mailmap is"), "{:#}", report["warnings"]);

    // Under the bound, a mailmap of 50,000 lines is used, and fast.
    let mut repo = RepoBuilder::new();
    let mut mailmap: String =
        (0..50_000).map(|i| format!("Person {i} <person{i}@example.com> <old{i}@example.com>\n")).collect();
    mailmap.push_str("Alice Canonical <alice@example.com>\n");
    repo.file("README.md", WELL_RUN_README).file(".mailmap", &mailmap);
    repo.commit("initial");
    let started = Instant::now();
    let report = check_json(&[&repo.arg()]);
    assert!(started.elapsed() < Duration::from_secs(60));
    assert!(!report["warnings"].to_string().contains(".mailmap"), "{:#}", report["warnings"]);
}

/// Runs `fledge check REPO --format json` with its own cache directory.
fn check_with_cache(cache: &std::path::Path, repo: &str, extra: &[&str]) -> Value {
    let output = crate::util::fledge()
        .env("FLEDGE_CACHE_DIR", cache)
        .env_remove("FLEDGE_NO_RESULT_CACHE")
        .args(["check", repo, "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The secrets plugin's use of the results cache: (reused, stored).
fn secrets_cache(report: &Value) -> (u64, u64) {
    let plugin = report["plugins"].as_array().unwrap().iter().find(|p| p["name"] == "secrets").unwrap();
    (plugin["cache"]["reused"].as_u64().unwrap_or(0), plugin["cache"]["stored"].as_u64().unwrap_or(0))
}

#[test]
fn a_second_check_after_one_commit_scans_only_the_new_blobs() {
    let cache = crate::util::fresh_cache();
    let mut repo = fledge_tests::well_run();
    repo.file("config/ci.env", format!("DEPLOY_TOKEN={TOKEN}\n"));
    repo.commit("add the deploy settings");
    let first = check_with_cache(cache.path(), &repo.arg(), &[]);
    let (reused, stored) = secrets_cache(&first);
    assert_eq!(reused, 0, "{:#}", first["plugins"]);
    assert!(stored > 5, "{:#}", first["plugins"]);
    // One commit with one new file: its blob is the only one scanned; the
    // verdict, the credential included, is the same.
    repo.file("src/extra.rs", "pub fn extra() {}\n");
    repo.commit("one more file");
    let second = check_with_cache(cache.path(), &repo.arg(), &[]);
    assert_eq!(secrets_cache(&second), (stored, 1), "{:#}", second["plugins"]);
    assert_valid(&report_validator(), &second);
    for id in ["secrets.credentials-head", "secrets.credentials-history"] {
        assert_eq!(check(&first, id)["findings"], check(&second, id)["findings"], "{id}");
        assert_eq!(status(&second, id), "fail", "{id}");
    }
    // Turned off, nothing is reused and nothing kept.
    let uncached = check_with_cache(cache.path(), &repo.arg(), &["--no-result-cache"]);
    assert_eq!(secrets_cache(&uncached), (0, 0));
    assert_eq!(
        check(&uncached, "secrets.credentials-head")["findings"],
        check(&second, "secrets.credentials-head")["findings"]
    );
}

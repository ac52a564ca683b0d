//! What the verdict may rest on: committee sign-offs count only when signed
//! by a key the policy trusts; the repository cannot choose its own kind;
//! nothing from the repository or a plugin reaches a terminal or Markdown
//! raw; absurd numbers and odd files are refused clearly; the scan database
//! survives two first scans at once and read-only copies.

use std::path::Path;
use std::process::Output;

use fledge_tests::{DEFAULT_POLICY, RepoBuilder, WELL_RUN_README};
use serde_json::Value;
use ssh_key::{Algorithm, LineEnding, PrivateKey};

use crate::util::{check, check_json, fledge, run, stderr};

/// A policy with a committee item signed by keys in `allowed_signers`.
fn committee_policy(dir: &Path, allowed: &str) -> String {
    std::fs::write(dir.join("allowed_signers"), allowed).unwrap();
    let policy = dir.join("policy.toml");
    let text =
        DEFAULT_POLICY.replace("# allowed_signers = \"allowed_signers\"", "allowed_signers = \"allowed_signers\"");
    assert_ne!(text, DEFAULT_POLICY);
    std::fs::write(&policy, text).unwrap();
    policy.display().to_string()
}

/// A new ed25519 key: the private key file's path and the public key line.
fn key(dir: &Path, name: &str) -> (String, String) {
    let key = PrivateKey::random(&mut ssh_key::rand_core::OsRng, Algorithm::Ed25519).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, key.to_openssh(LineEnding::LF).unwrap().as_bytes()).unwrap();
    (path.display().to_string(), key.public_key().to_openssh().unwrap())
}

fn ok(output: Output) -> String {
    assert!(output.status.success(), "{}", stderr(&output));
    String::from_utf8(output.stdout).unwrap()
}

fn trademark(report: &Value) -> Value {
    report["verdict"]["attestations"].as_array().unwrap().iter().find(|a| a["item"] == "trademark").unwrap().clone()
}

#[test]
fn only_attestations_signed_by_an_allowed_key_count() {
    let dir = tempfile::tempdir().unwrap();
    let (legal_key, legal_public) = key(dir.path(), "legal");
    let (stranger_key, _) = key(dir.path(), "stranger");
    let policy = committee_policy(dir.path(), &format!("legal@example.com {legal_public}\n"));
    let mut repo = RepoBuilder::new();
    repo.file("README.md", WELL_RUN_README);
    repo.commit("initial");
    let path = repo.arg();
    let sign = |key: &str, signer: &str| {
        let output = run(&[
            "attest",
            "sign",
            &path,
            "--item",
            "trademark",
            "--key",
            key,
            "--signer",
            signer,
            "--name",
            "payments/sdk",
            "--policy",
            &policy,
            "--note",
            "name cleared",
        ]);
        ok(output)
    };
    let commit_records = |repo: &mut RepoBuilder| {
        let text = std::fs::read_to_string(repo.path().join(".fledge/attestations.toml")).unwrap();
        repo.file(".fledge/attestations.toml", &text);
        repo.commit("record the sign-off");
        text
    };
    let state = |repo: &RepoBuilder| {
        let report = check_json(&[&repo.arg(), "--policy", &policy, "--name", "payments/sdk"]);
        let item = trademark(&report);
        (item["state"].as_str().unwrap().to_owned(), item["reason"].as_str().unwrap_or_default().to_owned())
    };

    // Signed by a key the policy does not list: not counted.
    sign(&stranger_key, "legal@example.com");
    commit_records(&mut repo);
    let (state_now, reason) = state(&repo);
    assert_eq!(state_now, "invalid");
    assert!(reason.contains("does not verify with any key allowed for `legal@example.com`"), "{reason}");

    // A hand-written record (the old, forgeable form): not counted.
    repo.file(".fledge/attestations.toml", "[trademark]\nsigned_by = \"legal\"\ndate = 2026-11-30\n");
    repo.commit("forge");
    let (state_now, reason) = state(&repo);
    assert_eq!(
        (state_now.as_str(), reason.as_str()),
        ("invalid", "not signed (`fledge attest sign` writes signed records)")
    );

    // Signed properly: counts.
    let printed = sign(&legal_key, "legal@example.com");
    assert!(printed.starts_with("signed `trademark` (approved) for payments/sdk at commit "), "{printed}");
    let text = commit_records(&mut repo);
    assert!(text.contains("-----BEGIN SSH SIGNATURE-----"), "{text}");
    let report = check_json(&[&repo.arg(), "--policy", &policy, "--name", "payments/sdk"]);
    let item = trademark(&report);
    assert_eq!(item["state"], "signed", "{item:#}");
    assert_eq!(item["signed_by"], "legal@example.com");

    // The same record for another repository name: foreign.
    let other = check_json(&[&repo.arg(), "--policy", &policy, "--name", "payments/other"]);
    assert_eq!(trademark(&other)["reason"], "signed for repository `payments/sdk`, not `payments/other`");

    // Tampered: the note edited after signing.
    let tampered = text.replace("name cleared", "name cleared everywhere");
    repo.file(".fledge/attestations.toml", &tampered);
    repo.commit("tamper");
    let (state_now, reason) = state(&repo);
    assert_eq!(state_now, "invalid");
    assert!(reason.contains("the record was changed after signing"), "{reason}");

    // Expired: the policy allows one day, the record is dated today, and
    // `today` is a month later.
    repo.file(".fledge/attestations.toml", &text);
    repo.commit("restore");
    let output = fledge()
        .args(["check", &repo.arg(), "--policy", &policy, "--name", "payments/sdk", "--format", "json"])
        .env("FLEDGE_TODAY", "2099-01-01")
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(trademark(&report)["reason"].as_str().unwrap().contains("days ago: sign it again"), "{report:#}");

    // `attest verify` shows each record's state.
    let shown = ok(run(&["attest", "verify", &repo.arg(), "--policy", &policy, "--name", "payments/sdk"]));
    assert!(shown.contains("signed   trademark              by legal@example.com on "), "{shown}");
    assert!(shown.contains("missing  technical-merit        to be signed by architecture review board"), "{shown}");
}

#[test]
fn an_attestation_of_a_commit_outside_the_history_does_not_count() {
    let dir = tempfile::tempdir().unwrap();
    let (legal_key, legal_public) = key(dir.path(), "legal");
    let policy = committee_policy(dir.path(), &format!("legal@example.com {legal_public}\n"));
    let mut repo = RepoBuilder::new();
    repo.file("README.md", WELL_RUN_README);
    repo.commit("initial");
    repo.branch("elsewhere");
    repo.file("other.txt", "x");
    repo.commit("a commit on another branch");
    ok(run(&[
        "attest",
        "sign",
        &repo.arg(),
        "--item",
        "trademark",
        "--key",
        &legal_key,
        "--signer",
        "legal@example.com",
        "--name",
        "w",
        "--policy",
        &policy,
        "--rev",
        "elsewhere",
    ]));
    let text = std::fs::read_to_string(repo.path().join(".fledge/attestations.toml")).unwrap();
    repo.checkout("main");
    repo.remove("other.txt");
    repo.file(".fledge/attestations.toml", &text);
    repo.commit("records");
    let report = check_json(&[&repo.arg(), "--policy", &policy, "--name", "w"]);
    let reason = trademark(&report)["reason"].as_str().unwrap().to_owned();
    assert!(reason.contains("is not the checked commit or one of its ancestors"), "{reason}");
}

#[test]
fn the_repository_cannot_choose_a_kind_that_drops_checks() {
    let mut repo = RepoBuilder::new();
    repo.file("README.md", WELL_RUN_README).file(".fledge/repository.toml", "kind = \"sample\"\n");
    repo.commit("initial");
    let report = check_json(&[&repo.arg()]);
    assert_eq!(report["repository"]["kind"], Value::Null);
    assert!(
        report["warnings"]
            .to_string()
            .contains("declares kind `sample`, which the policy does not let repositories declare")
    );
    assert!(report["excluded"].as_array().unwrap().is_empty(), "{:#}", report["excluded"]);

    // The command line (or the catalog) decides.
    let report = check_json(&[&repo.arg(), "--kind", "sample"]);
    assert_eq!(report["repository"]["kind"], "sample");
    assert_eq!(report["repository"]["kind_source"], "catalog or command line");

    // A policy may let repositories declare some kinds themselves.
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, DEFAULT_POLICY.replace("self_declared_kinds = []", "self_declared_kinds = [\"sample\"]"))
        .unwrap();
    let report = check_json(&[&repo.arg(), "--policy", policy.to_str().unwrap()]);
    assert_eq!(report["repository"]["kind"], "sample");
    assert_eq!(report["repository"]["kind_source"], "repository");
}

#[test]
fn control_characters_and_markup_from_the_repository_are_escaped() {
    let mut repo = RepoBuilder::new();
    let name = "config/k\x1b[2J\x1b]0;pwned\x07<b>`x`|.env";
    let unread = "data/\x1b]2;title\x07<img src=x>`y`|.txt";
    repo.file("README.md", WELL_RUN_README)
        .file(name, "GITHUB_TOKEN=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\n")
        .file(unread, "some data\n");
    repo.commit("initial");
    // A missing object puts its path in messages and warnings.
    std::fs::remove_file(repo.loose_object(&RepoBuilder::blob_id("some data\n"))).unwrap();
    let table = ok(run(&["check", &repo.arg(), "--color", "never", "-v"]));
    assert!(!table.contains('\x1b') && !table.contains('\x07'), "{table:?}");
    assert!(table.contains("config/k\\x1b[2J\\x1b]0;pwned\\x07<b>`x`|.env"), "{table}");
    assert!(table.contains("data/\\x1b]2;title\\x07<img src=x>`y`|.txt"), "{table}");
    let markdown = ok(run(&["check", &repo.arg(), "--format", "markdown"]));
    assert!(!markdown.contains('\x1b') && !markdown.contains("<img") && !markdown.contains('\x07'), "{markdown}");
    assert!(markdown.contains("data/\\\\x1b\\]2;title\\\\x07&lt;img src=x&gt;\\`y\\`\\|.txt"), "{markdown}");
    let sarif = ok(run(&["check", &repo.arg(), "--format", "sarif"]));
    assert!(!sarif.contains("\\u001b") && !sarif.contains("\\u0007"), "{sarif}");
    assert!(sarif.contains("config/k\\\\x1b[2J"), "{sarif}");
    // JSON keeps the names exactly (escaped by JSON itself).
    let report = check_json(&[&repo.arg()]);
    let finding = &check(&report, "secrets.credentials-head")["findings"][0];
    assert_eq!(finding["locations"][0]["path"], name);
}

#[test]
fn absurd_numbers_are_refused_with_exit_code_2() {
    let mut repo = RepoBuilder::new();
    repo.file("README.md", "x");
    repo.commit("initial");
    // `check` flags: tests/cmd/check-*.toml.
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog.toml");
    std::fs::write(&catalog, format!("[[repository]]\nname = \"a\"\nurl = \"{}\"\n", repo.url())).unwrap();
    let db = dir.path().join("fledge.db");
    let db = db.to_str().unwrap();
    let output = run(&["scan", catalog.to_str().unwrap(), "--repo-timeout", "1e300", "--db", db]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stderr(&output), "error: --repo-timeout must be a number of seconds from 0 to 604800, not 1e300\n");
    // Refused before the database was touched.
    assert!(!Path::new(db).exists());
    // A weight so large that the means would overflow.
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, DEFAULT_POLICY.replace("license = 1.5", "license = 1e308")).unwrap();
    let output = run(&["policy", "check", policy.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("weight of category `license` must be a positive number up to 1000000, not 1e308")
    );
}

#[test]
fn an_oversized_fledge_file_is_reported_as_too_large() {
    let mut repo = RepoBuilder::new();
    let huge = format!("name = \"x\"\n# {}\n", "pad ".repeat(300_000));
    repo.file("README.md", WELL_RUN_README).file(".fledge/repository.toml", &huge);
    repo.commit("initial");
    let report = check_json(&[&repo.arg()]);
    let warnings = report["warnings"].to_string();
    assert!(
        warnings.contains(&format!(
            ".fledge/repository.toml is {} bytes, above the limit of 1048576 bytes for fledge's own files; the file is ignored",
            huge.len()
        )),
        "{warnings}"
    );
}

#[cfg(unix)]
#[test]
fn plugin_test_refuses_a_fifo() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README.md"), "hello").unwrap();
    let fifo = dir.path().join("pipe");
    let status = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());
    let output = run(&["plugin", "test", fledge_tests::HOSTILE_PLUGIN, dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("pipe is not a regular file, directory or symbolic link"), "{}", stderr(&output));
}

#[test]
fn merge_of_a_shard_that_does_not_exist_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("shard-1.db");
    let output = run(&["merge", missing.to_str().unwrap(), "--db", dir.path().join("all.db").to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        format!("error: no scan database at {} (run `fledge scan` first, or pass --db)\n", missing.display())
    );
}

#[test]
fn two_first_scans_at_once_and_a_read_only_database() {
    let dir = tempfile::tempdir().unwrap();
    let mut repo = RepoBuilder::new();
    repo.file("README.md", WELL_RUN_README);
    repo.commit("initial");
    let catalog = dir.path().join("catalog.toml");
    std::fs::write(&catalog, format!("[[repository]]\nname = \"team/a\"\nurl = \"{}\"\n", repo.url())).unwrap();
    let db = dir.path().join("fledge.db");
    // Two scans start on a database that does not exist yet: one migrates
    // it, the other waits; then one scans and the other finds the lock.
    let spawn = || {
        fledge()
            .args(["scan", catalog.to_str().unwrap(), "--db", db.to_str().unwrap(), "--progress", "lines"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (first, second) = (spawn(), spawn());
    let outputs = [first.wait_with_output().unwrap(), second.wait_with_output().unwrap()];
    for output in &outputs {
        let text = stderr(output);
        assert!(!text.contains("migration") && !text.contains("internal error"), "{text}");
        assert!(
            output.status.success() || text.contains("another `fledge scan` is writing to"),
            "{:?}: {text}",
            output.status
        );
    }
    assert!(outputs.iter().any(|o| o.status.success()));

    // A copy nobody may write to can still be reported on.
    let read_only = tempfile::tempdir().unwrap();
    let copy = read_only.path().join("fledge.db");
    std::fs::copy(&db, &copy).unwrap();
    let mut permissions = std::fs::metadata(&copy).unwrap().permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&copy, permissions).unwrap();
    let report = ok(run(&["report", "--db", copy.to_str().unwrap(), "--format", "json"]));
    let report: Value = serde_json::from_str(&report).unwrap();
    assert_eq!(report["run"]["total"], 1, "{report:#}");
    ok(run(&["history", "team/a", "--db", copy.to_str().unwrap()]));
}

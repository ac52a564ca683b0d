//! Policies, stages, exemptions, attestations and report formats through
//! the binary.

use std::path::Path;

use fledge_tests::{RepoBuilder, well_run};
use serde_json::Value;

use crate::util::{assert_valid, check, fledge, run, sarif_validator, stderr, validator};

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// `fledge check … --format json` with extra arguments and `FLEDGE_TODAY`.
fn report(args: &[&str], today: &str) -> Value {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let output = fledge().args(&all).env("FLEDGE_TODAY", today).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn policy_init_writes_the_default_and_policy_check_accepts_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fledge-policy.toml");
    let path_arg = path.display().to_string();
    let output = run(&["policy", "init", &path_arg]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(std::fs::read_to_string(&path).unwrap().contains("[[stages]]"));
    let again = run(&["policy", "init", &path_arg]);
    assert_eq!(again.status.code(), Some(2));
    assert_eq!(stderr(&again), format!("error: {path_arg} exists; pass --force to overwrite it\n"));
    let checked = run(&["policy", "check", &path_arg]);
    assert!(checked.status.success(), "{}", stderr(&checked));
    let text = String::from_utf8(checked.stdout).unwrap();
    assert!(text.starts_with(&format!("{path_arg}: valid (3 stages: sandbox -> incubating -> public; ")), "{text}");
    assert!(!text.contains("warning"), "the default policy configures only loaded plugins: {text}");
    // Settings for a plugin that is not loaded (a misspelt name) are named.
    let default = std::fs::read_to_string(&path).unwrap();
    let line = default.lines().count() + 2;
    std::fs::write(&path, format!("{default}\n[plugins.secretz.config]\ninternal_domains = [\"corp.example\"]\n"))
        .unwrap();
    let checked = run(&["policy", "check", &path_arg]);
    assert!(checked.status.success(), "{}", stderr(&checked));
    let text = String::from_utf8(checked.stdout).unwrap();
    assert!(
        text.ends_with(&format!(
            "\nwarning: {path_arg}:{line}: [plugins.secretz] configures a plugin that is not loaded (did you mean `secrets`?); its settings are not read\n"
        )),
        "{text}"
    );
}

#[test]
fn invalid_policies_are_refused_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "bad.toml",
        "[categories]\nlicense = 0\n\n[[stages]]\nname = \"sandbox\"\nmin_score = 0\nrequire = [\"secret.key-files\"]\n",
    );
    let output = run(&["policy", "check", &path]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        format!("error: {path}:2: weight of category `license` must be a positive number up to 1000000, not 0\n")
    );
    let unknown = write(
        dir.path(),
        "unknown.toml",
        "[[stages]]\nname = \"sandbox\"\nmin_score = 0\nrequire = [\"secret.key-files\"]\n",
    );
    let output = run(&["policy", "check", &unknown]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        format!(
            "error: {unknown}:4: unknown check id `secret.key-files` in the `require` list of stage `sandbox` (did you mean `secrets.key-files`?)\n"
        )
    );
    let mut repo = RepoBuilder::new();
    repo.file("README.md", "x");
    repo.commit("x");
    let output = run(&["check", &repo.arg(), "--policy", &unknown]);
    assert_eq!(output.status.code(), Some(2));
    let missing = run(&["check", &repo.arg(), "--policy", "/nonexistent/policy.toml"]);
    assert_eq!(
        stderr(&missing),
        "error: cannot read policy /nonexistent/policy.toml: No such file or directory (os error 2)\n"
    );
}

#[test]
fn an_empty_repository_is_in_the_sandbox_with_its_blockers() {
    let mut repo = RepoBuilder::new();
    repo.file(".gitkeep", "");
    repo.commit("empty");
    let report = report(&[&repo.arg()], "2026-06-01");
    assert_eq!(report["stage"], "sandbox");
    let verdict = &report["verdict"];
    assert_eq!(verdict["next"], "incubating");
    let gates: Vec<&str> = verdict["blockers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["kind"] == "gate")
        .map(|b| b["check"].as_str().unwrap())
        .collect();
    // Ordered by what fixing each would add to the score.
    assert_eq!(gates, ["license.approved", "docs.readme", "license.file"]);
    assert!(verdict["summary"].as_str().unwrap().ends_with("to reach `incubating`"), "{verdict}");
}

#[test]
fn a_well_run_project_lacks_only_attestations() {
    let repo = well_run();
    let report = report(&[&repo.arg()], "2026-06-01");
    let verdict = &report["verdict"];
    assert_eq!(report["stage"], "incubating", "{verdict:#}");
    assert_eq!(verdict["next"], "public");
    let kinds: Vec<&str> =
        verdict["blockers"].as_array().unwrap().iter().map(|b| b["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["attestation"; 4], "{verdict:#}");
    assert_eq!(verdict["summary"], "get 4 attestations signed to reach `public`");
}

#[test]
fn signed_attestations_and_require_stage() {
    let dir = tempfile::tempdir().unwrap();
    let key = ssh_key::PrivateKey::random(&mut ssh_key::rand_core::OsRng, ssh_key::Algorithm::Ed25519).unwrap();
    let key_path = write(dir.path(), "committee-key", &key.to_openssh(ssh_key::LineEnding::LF).unwrap());
    let public = key.public_key().to_openssh().unwrap();
    write(dir.path(), "allowed_signers", &format!("*@example.com {public}\n"));
    let policy = write(
        dir.path(),
        "policy.toml",
        &fledge::policy::DEFAULT_POLICY
            .replace("# allowed_signers = \"allowed_signers\"", "allowed_signers = \"allowed_signers\""),
    );
    let mut repo = well_run();
    let sign = |repo: &RepoBuilder, item: &str| {
        let output = fledge()
            .args(["attest", "sign", &repo.arg(), "--item", item, "--key", &key_path, "--signer", "jane@example.com"])
            .args(["--policy", &policy])
            .env("FLEDGE_TODAY", "2026-07-01")
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
    };
    for item in ["technical-merit", "open-source-value", "maintenance-cost"] {
        sign(&repo, item);
    }
    let records = std::fs::read_to_string(repo.path().join(".fledge/attestations.toml")).unwrap();
    repo.file(".fledge/attestations.toml", &records);
    repo.commit_at("attestations", fledge_tests::EPOCH + 200 * fledge_tests::DAY);
    let unsigned = report(&[&repo.arg(), "--policy", &policy], "2026-07-01");
    let blockers = unsigned["verdict"]["blockers"].as_array().unwrap();
    assert_eq!(blockers.len(), 1, "{blockers:#?}");
    assert_eq!(
        blockers[0],
        serde_json::json!({"kind": "attestation", "item": "trademark", "title": "Trademark clearance", "state": "missing", "signers": ["legal"]})
    );
    let output = fledge()
        .args(["check", &repo.arg(), "--policy", &policy, "--require-stage", "public"])
        .env("FLEDGE_TODAY", "2026-07-01")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let ok = fledge()
        .args(["check", &repo.arg(), "--policy", &policy, "--require-stage", "incubating"])
        .env("FLEDGE_TODAY", "2026-07-01")
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0));
    let bad = run(&["check", &repo.arg(), "--require-stage", "galactic"]);
    assert_eq!(bad.status.code(), Some(2));
    assert_eq!(stderr(&bad), "error: --require-stage galactic: the policy's stages are sandbox, incubating, public\n");
    // The same records under the built-in policy, which trusts no signer.
    let untrusted = report(&[&repo.arg()], "2026-07-01");
    assert_eq!(untrusted["stage"], "incubating");
    sign(&repo, "trademark");
    let records = std::fs::read_to_string(repo.path().join(".fledge/attestations.toml")).unwrap();
    repo.file(".fledge/attestations.toml", &records);
    repo.commit_at("trademark cleared", fledge_tests::EPOCH + 201 * fledge_tests::DAY);
    let public = report(&[&repo.arg(), "--policy", &policy], "2026-07-01");
    assert_eq!(public["stage"], "public", "{:#}", public["verdict"]);
    let output = fledge()
        .args(["check", &repo.arg(), "--policy", &policy, "--require-stage", "public"])
        .env("FLEDGE_TODAY", "2026-07-01")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn exemptions_before_and_after_expiry_kinds_and_ignores() {
    let dir = tempfile::tempdir().unwrap();
    let mut repo = RepoBuilder::new();
    repo.file("README.md", fledge_tests::WELL_RUN_README)
        .file("LICENSE", fledge_tests::MIT_LICENSE)
        .file("fixtures/creds.txt", ["AKIA", "Q3ZT7RW5", "HN2KLMPY"].concat())
        .file(".fledge/repository.toml", "name = \"payments/docs-site\"\nkind = \"docs\"\n");
    repo.commit("docs");
    let policy_text = fledge_tests_policy();
    let policy = write(dir.path(), "policy.toml", &policy_text);
    let before = report(&[&repo.arg(), "--policy", &policy], "2026-06-01");
    assert_eq!(before["repository"]["name"], "payments/docs-site");
    assert_eq!(before["repository"]["kind"], "docs");
    assert!(before["excluded"].as_array().unwrap().iter().any(|id| id == "quality.tests"));
    assert!(before["checks"].as_array().unwrap().iter().all(|c| c["id"] != "quality.tests"));
    // The fixtures directory is ignored by policy: no credentials found.
    assert_eq!(check(&before, "secrets.credentials-head")["status"], "pass");
    let exempted = check(&before, "governance.code-of-conduct");
    assert_eq!(exempted["status"], "exempt");
    assert!(
        exempted["message"].as_str().unwrap().starts_with(
            "exempted until 2026-12-31 by ospo@example.com: docs sites follow the company code of conduct"
        )
    );
    // After expiry the policy is refused by `policy check`, and a check run
    // counts the check as it is, saying the exemption expired.
    let output = fledge().args(["policy", "check", &policy]).env("FLEDGE_TODAY", "2027-01-15").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("exemption for `governance.code-of-conduct` on `payments/*` expired on 2026-12-31"),
        "{}",
        stderr(&output)
    );
}

fn fledge_tests_policy() -> String {
    let mut policy = fledge::policy::DEFAULT_POLICY
        .replace("ignore = [\"**/testdata/**\", \"**/__fixtures__/**\"]", "ignore = [\"fixtures\"]")
        .replace("self_declared_kinds = []", "self_declared_kinds = [\"docs\"]");
    policy.push_str(
        "\n[[exemptions]]\nrepository = \"payments/*\"\ncheck = \"governance.code-of-conduct\"\nreason = \"docs sites follow the company code of conduct\"\napprover = \"ospo@example.com\"\nexpires = 2026-12-31\n",
    );
    policy
}

#[test]
fn every_report_format_is_valid() {
    let repo = well_run();
    let dir = tempfile::tempdir().unwrap();
    let json = report(&[&repo.arg()], "2026-06-01");
    assert_valid(&validator(include_str!("../../docs/report-schema.json")), &json);
    let mut empty = RepoBuilder::new();
    empty.file("a.txt", "a");
    empty.commit("a");
    assert_valid(&validator(include_str!("../../docs/report-schema.json")), &report(&[&empty.arg()], "2026-06-01"));

    let sarif_path = dir.path().join("report.sarif");
    let output = run(&["check", &empty.arg(), "--format", "sarif", "--output", sarif_path.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(output.stdout.is_empty(), "--output writes the file, not stdout");
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(&sarif_path).unwrap()).unwrap();
    assert_valid(&sarif_validator(), &sarif);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let license = results.iter().find(|r| r["ruleId"] == "license.file").unwrap();
    assert_eq!(license["level"], "error");

    let markdown = String::from_utf8(run(&["check", &repo.arg(), "--format", "markdown"]).stdout).unwrap();
    assert!(markdown.contains("is **incubating** (score "), "{markdown}");
    assert!(
        markdown.contains("### What blocks `public`\n\nGet 4 attestations signed to reach `public`:\n"),
        "{markdown}"
    );
    assert!(markdown.contains("| `docs.readme` | 100 |"), "{markdown}");

    let badge = String::from_utf8(run(&["check", &repo.arg(), "--format", "badge"]).stdout).unwrap();
    assert!(badge.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""), "{badge}");
    assert!(badge.contains(">incubating "), "{badge}");
    assert!(badge.trim_end().ends_with("</svg>"));
}

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

#[test]
fn misspelt_mistyped_and_incomplete_configuration_is_refused_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "config.toml",
        r#"[plugins.secrets.config]
internal_domain = ["corp.example.com"]
history = { max_commits = 1 }

[plugins.docs.config]
min_words = "many"

[plugins.quality.config]
anything = 1

[checks."secrets.credentials-head".config]
allow = [{ paths = ["tests/**"] }]

[[stages]]
name = "sandbox"
min_score = 0
"#,
    );
    let output = run(&["policy", "check", &path]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        format!(
            "error: {path}:2: unknown key `internal_domain` (did you mean `internal_domains`?) in [plugins.secrets.config]\n\
             {path}:3: `history` in [plugins.secrets.config] must be true or false\n\
             {path}:6: `min_words` in [plugins.docs.config] must be an integer\n\
             {path}:9: unknown key `anything` in [plugins.quality.config]\n\
             {path}:12: `allow[0]` in [checks.\"secrets.credentials-head\".config] lacks the required key `reason`\n"
        )
    );
    // A check run refuses the same policy rather than silently skipping.
    let mut repo = RepoBuilder::new();
    repo.file("README.md", "x");
    repo.commit("x");
    let output = run(&["check", &repo.arg(), "--policy", &path]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("unknown key `internal_domain`"), "{}", stderr(&output));
}

#[test]
fn toml_dates_deep_merges_and_json_read_the_same() {
    // A check-level table changes only the keys it names; a TOML date is
    // an RFC 3339 string, as it would be from JSON: the community plugin's
    // `as_of` is a number, so a date there is refused with its type.
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "dates.toml",
        "[plugins.community.config]\nas_of = 2027-06-30\n\n[[stages]]\nname = \"sandbox\"\nmin_score = 0\n",
    );
    let output = run(&["policy", "check", &path]);
    assert_eq!(stderr(&output), format!("error: {path}:2: `as_of` in [plugins.community.config] must be an integer\n"));
}

/// A repository with an internal Artifactory URL in its build file and an
/// internal ticket id in its notes.
fn artifactory_repo() -> RepoBuilder {
    let mut repo = RepoBuilder::new();
    repo.file("pom.xml", "<project>\n  <url>https://artifactory.corp.example.com/maven</url>\n</project>\n")
        .file("examples/pom.xml", "<url>https://artifactory.corp.example.com/maven</url>\n")
        .file("NOTES.txt", "Fixed in PAY-1234.\n")
        .commit("build");
    repo
}

const ARTIFACTORY_RULE: &str = r#"
[[rules]]
id = "no-internal-artifactory"
title = "Build files do not point at the internal artifact repository"
category = "security"
paths = ["**/pom.xml", "**/build.gradle", "**/.npmrc"]
exclude = ["examples/**"]
pattern = 'artifactory\.corp\.example\.com'
message = "points at the internal Artifactory"
remediation = "Use Maven Central or the public npm registry."
severity = "high"
"#;

#[test]
fn a_declarative_rule_is_a_check_with_findings_at_path_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "rules.toml",
        &format!(
            "{ARTIFACTORY_RULE}\n[[stages]]\nname = \"sandbox\"\nmin_score = 0\nrequire = [\"rules.no-internal-artifactory\"]\n"
        ),
    );
    let checked = run(&["policy", "check", &path]);
    assert!(checked.status.success(), "{}", stderr(&checked));
    let repo = artifactory_repo();
    let rules_report = report(&[&repo.arg(), "--policy", &path], "2026-12-01");
    let rule = check(&rules_report, "rules.no-internal-artifactory");
    assert_eq!(rule["status"], "fail");
    assert_eq!(rule["category"], "security");
    assert_eq!(rule["message"], "1 of 1 file(s) read: 1 finding(s)");
    let finding = &rule["findings"][0];
    assert_eq!(finding["message"], "points at the internal Artifactory: `artifactory.corp.example.com`");
    assert_eq!(finding["locations"][0]["path"], "pom.xml");
    assert_eq!(finding["locations"][0]["line"], 2);
    assert_eq!(rules_report["stage"], "none", "the rule is a gate of the only stage");

    // A bad regex, an unknown severity and a misspelt category are refused
    // where they are written.
    let bad = write(
        dir.path(),
        "bad-rules.toml",
        "[[rules]]\nid = \"x\"\ntitle = \"X\"\ncategory = \"securty\"\npaths = [\"*\"]\npattern = \"(\"\nmessage = \"m\"\nremediation = \"r\"\nseverity = \"severe\"\n\n[[stages]]\nname = \"sandbox\"\nmin_score = 0\nrequire = [\"rules.y\"]\n",
    );
    let output = run(&["policy", "check", &bad]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        format!(
            "error: {bad}:4: category `securty` of rule `x` is not one of the policy's [categories] (did you mean `security`?)\n\
             {bad}:6: pattern of rule `x` is not a regex: error: unclosed group\n\
             {bad}:9: severity of rule `x` must be one of critical, high, medium, low, info, not `severe`\n"
        )
    );
}

#[test]
fn the_organization_table_reaches_the_built_in_plugins() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "org.toml",
        "[organization]\nname = \"ACME Corp.\"\ninternal_domains = [\"corp.example.com\"]\nticket_patterns = [\"PAY-[0-9]+\"]\n\n[[stages]]\nname = \"sandbox\"\nmin_score = 0\n",
    );
    let repo = artifactory_repo();
    let with_org = report(&[&repo.arg(), "--policy", &path], "2026-12-01");
    let internal = check(&with_org, "secrets.internal-references");
    assert_eq!(internal["status"], "fail");
    let messages: Vec<(&str, &str)> = internal["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["message"].as_str().unwrap(), f["locations"][0]["path"].as_str().unwrap()))
        .collect();
    assert_eq!(
        messages,
        [
            ("internal host name `artifactory.corp.example.com`", "pom.xml"),
            ("internal ticket id `pay-1234`", "NOTES.txt"),
        ]
    );
    // Without the table, nothing names the company's domains.
    let without = report(&[&repo.arg()], "2026-12-01");
    assert_eq!(check(&without, "secrets.internal-references")["status"], "pass");
    // A plugin's own key overrides the organisation's.
    std::fs::write(
        &path,
        format!(
            "{}\n[plugins.secrets.config]\ninternal_domains = []\nticket_patterns = []\n",
            std::fs::read_to_string(&path).unwrap()
        ),
    )
    .unwrap();
    let overridden = report(&[&repo.arg(), "--policy", &path], "2026-12-01");
    assert_eq!(check(&overridden, "secrets.internal-references")["status"], "pass");
    // A ticket pattern that is not a regex is refused at its line.
    let bad = write(
        dir.path(),
        "bad-org.toml",
        "[organization]\nticket_patterns = [\"PAY-[0-9\"]\n\n[[stages]]\nname = \"sandbox\"\nmin_score = 0\n",
    );
    let output = run(&["policy", "check", &bad]);
    assert_eq!(
        stderr(&output),
        format!(
            "error: {bad}:2: ticket pattern `PAY-[0-9` in [organization] is not a regex: error: unclosed character class\n"
        )
    );
}

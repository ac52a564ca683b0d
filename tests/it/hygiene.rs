//! The community, security and quality plugins through the binary, on
//! fixture repositories whose history is built with git2, commits dated in
//! the past.

use fledge_tests::{DAY, EPOCH, RepoBuilder};
use serde_json::Value;

use crate::util::{check, check_json};

fn status_and_message(report: &Value, id: &str) -> (String, String) {
    let check = check(report, id);
    (check["status"].as_str().unwrap().to_owned(), check["message"].as_str().unwrap().to_owned())
}

fn pair(status: &str, message: &str) -> (String, String) {
    (status.to_owned(), message.to_owned())
}

/// `n` commits by `name <email>`, one a day from `start`.
fn commits(repo: &mut RepoBuilder, name: &str, email: &str, n: i64, start: i64) {
    repo.author(name, email);
    for i in 0..n {
        repo.file("src/work.txt", format!("{name} {i}"));
        repo.commit_at(&format!("work {i}"), start + i * DAY);
    }
}

#[test]
fn one_person_project() {
    let mut repo = RepoBuilder::new();
    commits(&mut repo, "Alice Example", "alice@a.example", 20, EPOCH);
    let report = check_json(&[&repo.arg()]);
    assert_eq!(
        status_and_message(&report, "community.bus-factor"),
        pair("fail", "bus factor 1: Alice Example wrote 100% of 20 commits")
    );
    assert_eq!(
        status_and_message(&report, "community.contributors"),
        pair("fail", "1 active human authors in the last 12 months: Alice Example")
    );
    assert_eq!(
        status_and_message(&report, "community.recent-activity"),
        pair("pass", "20 human commits in the 90 days before 2026-01-20; last human commit 0 days before")
    );
}

#[test]
fn team_across_two_domains_with_a_mailmap_and_bots() {
    let mut repo = RepoBuilder::new();
    commits(&mut repo, "Alice", "alice@a.example", 10, EPOCH);
    commits(&mut repo, "Alice Old Laptop", "alice@old.example", 10, EPOCH + 10 * DAY);
    commits(&mut repo, "Bob", "bob@b.example", 19, EPOCH + 20 * DAY);
    commits(&mut repo, "dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com", 30, EPOCH + 39 * DAY);
    repo.file(".mailmap", "Alice <alice@a.example> <alice@old.example>\n");
    repo.author("Bob", "bob@b.example");
    repo.commit_at("add mailmap", EPOCH + 70 * DAY);
    let report = check_json(&[&repo.arg()]);
    // The two Alice identities are one person; the bot does not count.
    assert_eq!(
        status_and_message(&report, "community.contributors"),
        pair("warn", "2 active human authors in the last 12 months: Alice, Bob")
    );
    assert_eq!(
        status_and_message(&report, "community.bus-factor"),
        pair("pass", "bus factor 2: Alice wrote 50%, Bob wrote 50% of 40 commits")
    );
    assert_eq!(
        status_and_message(&report, "community.org-diversity"),
        pair("pass", "2 of 2 organisations make half of 40 commits: a.example 50%, b.example 50%")
    );
}

#[test]
fn semver_and_other_tags_and_the_changelog() {
    let mut repo = RepoBuilder::new();
    repo.file("CHANGELOG.md", "# Changelog\n\n## 1.0.0\n");
    repo.commit_at("release 1.0.0", EPOCH);
    repo.tag("v1.0.0", true);
    repo.file("src/a.txt", "a");
    repo.commit_at("work", EPOCH + 30 * DAY);
    repo.tag("snapshot-feb", false);
    repo.file("CHANGELOG.md", "# Changelog\n\n## 1.1.0\n\n## 1.0.0\n");
    repo.commit_at("release 1.1.0", EPOCH + 60 * DAY);
    repo.tag("v1.1.0", true);
    let report = check_json(&[&repo.arg()]);
    let releases = check(&report, "community.releases");
    assert_eq!(releases["status"], "warn");
    assert_eq!(
        releases["message"],
        "3 tags in the last 12 months, 2 semantic versions; 2 of 3 updated CHANGELOG.md; latest v1.1.0, 0 days before"
    );
    let messages: Vec<&str> =
        releases["findings"].as_array().unwrap().iter().map(|f| f["message"].as_str().unwrap()).collect();
    assert_eq!(messages, ["snapshot-feb did not update CHANGELOG.md", "tag `snapshot-feb` is not a semantic version"]);
}

#[test]
fn an_elf_binary_renamed_to_txt() {
    let mut repo = RepoBuilder::new();
    let mut elf = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00".to_vec();
    elf.extend_from_slice(&[0u8; 100]);
    repo.file("docs/release-notes.txt", &elf).file("src/main.rs", "fn main() {}\n");
    repo.commit("oops");
    let report = check_json(&[&repo.arg()]);
    let artifacts = check(&report, "security.binary-artifacts");
    assert_eq!(artifacts["status"], "fail");
    assert_eq!(artifacts["findings"][0]["message"], "ELF executable: docs/release-notes.txt");
    assert_eq!(artifacts["findings"][0]["locations"][0]["path"], "docs/release-notes.txt");
}

#[test]
fn a_dangerous_workflow() {
    let mut repo = RepoBuilder::new();
    repo.file(
        ".github/workflows/triage.yml",
        "on:\n  issues:\n    types: [opened]\njobs:\n  triage:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \"New issue: ${{ github.event.issue.title }}\"\n",
    );
    repo.commit("triage");
    let report = check_json(&[&repo.arg()]);
    let workflows = check(&report, "security.ci-workflows");
    assert_eq!(workflows["status"], "fail");
    assert_eq!(workflows["message"], "1 dangerous workflow patterns in GitHub Actions (1 workflow files)");
    assert_eq!(
        workflows["findings"][0]["locations"][0],
        serde_json::json!({"path": ".github/workflows/triage.yml", "line": 8})
    );
    assert_eq!(check(&report, "quality.ci")["status"], "pass");
}

#[test]
fn a_repository_without_tests() {
    let mut repo = RepoBuilder::new();
    repo.file("app/main.py", "print('hi')\n")
        .file("app/util.py", "X = 1\n")
        .file("setup.py", "from setuptools import setup\n");
    repo.commit("code");
    let report = check_json(&[&repo.arg()]);
    assert_eq!(status_and_message(&report, "quality.tests"), pair("fail", "no tests: 0 test files for 3 source files"));
    assert_eq!(status_and_message(&report, "quality.build"), pair("pass", "languages: Python 100%"));
    assert_eq!(status_and_message(&report, "quality.gitignore"), pair("fail", "no .gitignore"));
}

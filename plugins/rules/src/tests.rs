use fledge_sdk::testing::MemRepo;
use fledge_sdk::{GapKind, Status};
use serde_json::json;

use crate::Rules;

fn run(repo: &MemRepo, rule: serde_json::Value) -> fledge_sdk::CheckResult {
    let id = format!("rules.{}", rule["id"].as_str().unwrap());
    repo.run_with::<Rules>(&id, json!({ "rules": [rule] }))
}

fn artifactory() -> serde_json::Value {
    json!({
        "id": "no-internal-artifactory",
        "title": "Build files do not point at the internal artifact repository",
        "paths": ["**/pom.xml", "**/*.gradle", "**/.npmrc"],
        "exclude": ["examples/**"],
        "pattern": "artifactory\\.corp\\.example\\.com",
        "message": "points at the internal Artifactory",
        "remediation": "Use Maven Central or the public npm registry.",
        "severity": "high"
    })
}

#[test]
fn a_pattern_is_a_finding_at_each_matching_line_outside_the_excluded_paths() {
    let repo = MemRepo::new()
        .file("pom.xml", "<project>\n  <url>https://artifactory.corp.example.com/maven</url>\n</project>\n")
        .file("app/build.gradle", "repositories { mavenCentral() }\n")
        .file(".npmrc", "registry=https://artifactory.corp.example.com/npm/\n")
        .file("examples/pom.xml", "<url>https://artifactory.corp.example.com/maven</url>\n")
        .file("README.md", "artifactory.corp.example.com\n");
    let result = run(&repo, artifactory());
    assert_eq!(result.status, Status::Fail);
    assert_eq!(result.message, "3 of 3 file(s) read: 2 finding(s)");
    let places: Vec<(String, Option<u32>, String)> =
        result.findings.iter().map(|f| (f.locations[0].path.clone(), f.locations[0].line, f.message.clone())).collect();
    assert_eq!(
        places,
        [
            (
                ".npmrc".to_owned(),
                Some(1),
                "points at the internal Artifactory: `artifactory.corp.example.com`".to_owned()
            ),
            (
                "pom.xml".to_owned(),
                Some(2),
                "points at the internal Artifactory: `artifactory.corp.example.com`".to_owned()
            ),
        ]
    );
    assert_eq!(result.remediation.as_deref(), Some("Use Maven Central or the public npm registry."));

    let clean = MemRepo::new().file("pom.xml", "<url>https://repo1.maven.org/maven2</url>\n");
    let result = run(&clean, artifactory());
    assert_eq!((result.status, result.message.as_str()), (Status::Pass, "1 of 1 file(s) read: no finding"));
}

#[test]
fn a_file_that_must_exist_or_must_not() {
    let codeowners = json!({
        "id": "codeowners", "title": "Owners are named", "paths": ["CODEOWNERS", ".github/CODEOWNERS"],
        "message": "no CODEOWNERS file", "remediation": "Add one.", "severity": "low"
    });
    let without = MemRepo::new().file("README.md", "hi");
    let result = run(&without, codeowners.clone());
    assert_eq!((result.status, result.findings.len()), (Status::Warn, 1));
    let with = MemRepo::new().file(".github/CODEOWNERS", "* @acme/team");
    assert_eq!(run(&with, codeowners).status, Status::Pass);

    let env_files = json!({
        "id": "no-env-files", "title": "No .env files", "paths": ["**/.env"], "absent": true,
        "message": "a committed .env file", "remediation": "Remove it."
    });
    let repo = MemRepo::new().file(".env", "A=1").file("svc/.env", "B=2").file(".env.example", "A=");
    let result = run(&repo, env_files);
    assert_eq!(result.status, Status::Fail);
    let paths: Vec<&str> = result.findings.iter().map(|f| f.locations[0].path.as_str()).collect();
    assert_eq!(paths, [".env", "svc/.env"]);
}

#[test]
fn a_required_pattern_names_each_file_without_it() {
    let header = json!({
        "id": "acme-header", "title": "Sources carry the ACME header", "paths": ["src/**/*.rs"],
        "pattern": "^// Copyright ACME", "required": true, "message": "no ACME header",
        "remediation": "Add `// Copyright ACME`.", "severity": "info"
    });
    let repo = MemRepo::new().file("src/a.rs", "// Copyright ACME\n").file("src/b.rs", "fn b() {}\n");
    let result = run(&repo, header);
    assert_eq!(result.status, Status::Pass, "info findings do not fail");
    assert_eq!(result.findings.len(), 1);
    assert_eq!(result.findings[0].locations[0].path, "src/b.rs");
}

#[test]
fn what_a_pattern_cannot_read_is_reported_as_not_read() {
    let repo = MemRepo::new().file("lib/blob.bin", b"\0\x01artifactory.corp.example.com").file("lib/big.txt", "x");
    let mut rule = artifactory();
    rule["paths"] = json!(["lib/**"]);
    let result = repo.run_with::<Rules>("rules.no-internal-artifactory", json!({"rules": [rule], "max_file_bytes": 0}));
    let gaps: Vec<(GapKind, &str)> = result.unread.iter().map(|g| (g.kind, g.path.as_str())).collect();
    assert_eq!(gaps, [(GapKind::TooLarge, "lib/big.txt"), (GapKind::TooLarge, "lib/blob.bin")]);
    let result = repo.run_with::<Rules>("rules.no-internal-artifactory", json!({"rules": [rule]}));
    let gaps: Vec<(GapKind, &str)> = result.unread.iter().map(|g| (g.kind, g.path.as_str())).collect();
    assert_eq!(gaps, [(GapKind::Binary, "lib/blob.bin")]);
    assert_eq!(result.status, Status::Pass);
}

#[test]
fn a_rule_missing_from_the_configuration_or_badly_written_is_an_error() {
    let repo = MemRepo::new().file("pom.xml", "x");
    let result = repo.run_with::<Rules>("rules.other", json!({"rules": [artifactory()]}));
    assert_eq!((result.status, result.message.as_str()), (Status::Error, "no rule `other` in the policy's [[rules]]"));
    let mut bad = artifactory();
    bad["pattern"] = json!("(");
    assert_eq!(run(&repo, bad).status, Status::Error);
    let result = repo.run_with::<Rules>("other.check", json!({"rules": []}));
    assert_eq!(result.status, Status::Error, "only the plugin's own namespace falls back");
}

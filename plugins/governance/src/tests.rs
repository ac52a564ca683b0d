use fledge_sdk::Status;
use fledge_sdk::testing::MemRepo;

use fledge_sdk::conventions::is_license_file_name;

use crate::Governance;

fn run(repo: &MemRepo) -> Vec<(String, Status, String)> {
    repo.run_all::<Governance>().into_iter().map(|r| (r.check_id, r.status, r.message)).collect()
}

#[test]
fn empty_repository_fails_every_check() {
    let statuses: Vec<Status> = run(&MemRepo::new()).into_iter().map(|(_, s, _)| s).collect();
    assert_eq!(statuses, [Status::Fail; 6]);
}

#[test]
fn well_governed_repository_passes() {
    let repo = MemRepo::new()
        .file("LICENSE-APACHE", "Apache")
        .file("LICENSE-MIT", "MIT")
        .file("CODE_OF_CONDUCT.md", "be nice")
        .file(".github/SECURITY.md", "mail security@example.com")
        .file("docs/GOVERNANCE.md", "how we decide")
        .file(".github/CODEOWNERS", "* @alice @bob")
        .file(".github/ISSUE_TEMPLATE/bug_report.yml", "name: Bug")
        .file(".github/pull_request_template.md", "## What");
    assert_eq!(
        run(&repo),
        [
            ("governance.license".to_owned(), Status::Pass, "LICENSE-APACHE, LICENSE-MIT".to_owned()),
            ("governance.code-of-conduct".to_owned(), Status::Pass, "CODE_OF_CONDUCT.md".to_owned()),
            ("governance.security-policy".to_owned(), Status::Pass, ".github/SECURITY.md".to_owned()),
            ("governance.governance".to_owned(), Status::Pass, "docs/GOVERNANCE.md".to_owned()),
            ("governance.maintainers".to_owned(), Status::Pass, ".github/CODEOWNERS".to_owned()),
            (
                "governance.templates".to_owned(),
                Status::Pass,
                "issue: .github/ISSUE_TEMPLATE/bug_report.yml; pull request: .github/pull_request_template.md"
                    .to_owned()
            ),
        ]
    );
}

#[test]
fn readme_sections_give_warnings() {
    let repo =
        MemRepo::new().file("README.md", "# X\n\n## Governance\n\nAlice decides.\n\n## Code of Conduct\n\nBe kind.\n");
    let results = run(&repo);
    assert_eq!(
        results[1],
        (
            "governance.code-of-conduct".to_owned(),
            Status::Warn,
            "no CODE_OF_CONDUCT file; README.md has a \"Code of Conduct\" section".to_owned()
        )
    );
    assert_eq!(results[3].1, Status::Warn);
}

#[test]
fn license_names() {
    for name in
        ["LICENSE", "LICENSE.md", "licence.txt", "COPYING", "COPYING.LESSER", "LICENSE-MIT", "UNLICENSE", "License.rst"]
    {
        assert!(is_license_file_name(name), "{name}");
    }
    for name in ["README.md", "license_check.py", "LICENSES"] {
        assert_eq!(is_license_file_name(name), name == "LICENSES", "{name}");
    }
    let nested_only = MemRepo::new().file("vendor/x/LICENSE", "MIT");
    assert_eq!(nested_only.run::<Governance>("governance.license").status, Status::Fail);
    let reuse = MemRepo::new().file("LICENSES/MIT.txt", "MIT");
    assert_eq!(reuse.run::<Governance>("governance.license").message, "1 license texts in LICENSES/ (MIT.txt)");
}

#[test]
fn one_template_warns() {
    let repo = MemRepo::new().file(".gitlab/issue_templates/Bug.md", "x");
    assert_eq!(
        repo.run::<Governance>("governance.templates").message,
        "issue template .gitlab/issue_templates/Bug.md, no pull request template"
    );
}

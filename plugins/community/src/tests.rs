use fledge_sdk::Status;
use fledge_sdk::testing::MemRepo;
use serde_json::json;

use crate::{Community, is_semver};

const NOW: i64 = 1_780_000_000;
const DAY: i64 = 86_400;

/// `n` commits by `name <email>`, one a day going back from `start` days ago.
fn commits(mut repo: MemRepo, name: &str, email: &str, n: i64, start: i64) -> MemRepo {
    for i in 0..n {
        repo = repo.commit_by(name, email, NOW - (start + i) * DAY);
    }
    repo
}

#[test]
fn one_person_project() {
    let repo = commits(MemRepo::new(), "Alice", "alice@corp.example.com", 40, 0);
    let bus = repo.run::<Community>("community.bus-factor");
    assert_eq!((bus.status, bus.message.as_str()), (Status::Fail, "bus factor 1: Alice wrote 100% of 40 commits"));
    let people = repo.run::<Community>("community.contributors");
    assert_eq!(
        (people.status, people.message.as_str()),
        (Status::Fail, "1 active human authors in the last 12 months: Alice")
    );
    let activity = repo.run::<Community>("community.recent-activity");
    assert_eq!(activity.status, Status::Pass);
    assert_eq!(activity.message, "40 human commits in the 90 days before 2026-05-28; last human commit 0 days before");
}

#[test]
fn bus_factor_two_and_bots_excluded() {
    let mut repo = commits(MemRepo::new(), "Alice", "alice@a.example", 50, 0);
    repo = commits(repo, "Bob", "bob@b.example", 45, 1);
    repo = commits(repo, "Carol", "carol@b.example", 5, 2);
    repo = commits(repo, "dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com", 200, 0);
    repo = commits(repo, "Release Robot", "ci-robot@a.example", 30, 0);
    let config = json!({"bots": ["ci-robot@"]});
    let bus = repo.run_with::<Community>("community.bus-factor", config.clone());
    assert_eq!(bus.message, "bus factor 2: Alice wrote 50%, Bob wrote 45% of 100 commits");
    assert_eq!(bus.status, Status::Pass);
    let people = repo.run_with::<Community>("community.contributors", config.clone());
    assert_eq!(people.message, "3 active human authors in the last 12 months: Alice, Bob, Carol");
    let orgs = repo.run_with::<Community>("community.org-diversity", config);
    assert_eq!(
        (orgs.status, orgs.message.as_str()),
        (Status::Pass, "2 of 2 organisations make half of 100 commits: a.example 50%, b.example 50%")
    );
}

#[test]
fn teams_from_configuration() {
    let mut repo = commits(MemRepo::new(), "Alice", "alice@corp.example.com", 30, 0);
    repo = commits(repo, "Bob", "bob@corp.example.com", 30, 0);
    repo = commits(repo, "Dee", "dee@gmail.com", 5, 0);
    let single = repo.run::<Community>("community.org-diversity");
    assert_eq!(single.status, Status::Fail);
    assert_eq!(
        single.message,
        "1 of 1 organisations make half of 60 commits: corp.example.com 100% (5 commits from personal addresses not counted)"
    );
    let teams = json!({"organizations": {"alice@corp.example.com": "payments", "corp.example.com": "search"}});
    let mapped = repo.run_with::<Community>("community.org-diversity", teams);
    assert_eq!(mapped.status, Status::Pass, "{}", mapped.message);
}

#[test]
fn quiet_projects_in_maintenance_or_with_releases_warn() {
    let old = commits(MemRepo::new(), "Alice", "alice@a.example", 10, 200).head_time(NOW);
    let result = old.run::<Community>("community.recent-activity");
    assert_eq!(result.status, Status::Fail);
    assert_eq!(result.message, "0 human commits in the 90 days before 2026-05-28; last human commit 200 days before");
    let maintained = old.run_with::<Community>("community.recent-activity", json!({"status": "maintenance"}));
    assert_eq!(maintained.status, Status::Warn);
    assert!(
        maintained.message.ends_with("; quiet, but the project declares maintenance status"),
        "{}",
        maintained.message
    );
    let released = old.clone().tag("v1.4.0", "x", NOW - 100 * DAY);
    let result = released.run::<Community>("community.recent-activity");
    assert_eq!(result.status, Status::Warn);
    assert!(result.message.ends_with("; quiet, but 1 releases in the last 12 months"), "{}", result.message);
}

#[test]
fn releases_semver_and_changelog() {
    let repo = MemRepo::new()
        .commit_by("A", "a@x.example", NOW)
        .file("CHANGELOG.md", "## 1.1.0")
        .tag("v1.0.0", "c1", NOW - 300 * DAY)
        .tag("v1.1.0", "c2", NOW - 100 * DAY)
        .tag("nightly-2026", "c3", NOW - 10 * DAY)
        .file_at("c1", "CHANGELOG.md", "## 1.0.0")
        .file_at("c2", "CHANGELOG.md", "## 1.1.0")
        .file_at("c3", "CHANGELOG.md", "## 1.1.0");
    let result = repo.run::<Community>("community.releases");
    assert_eq!(result.status, Status::Warn);
    assert_eq!(
        result.message,
        "3 tags in the last 12 months, 2 semantic versions; 2 of 3 updated CHANGELOG.md; latest nightly-2026, 10 days before"
    );
    let messages: Vec<&str> = result.findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(messages, ["nightly-2026 did not update CHANGELOG.md", "tag `nightly-2026` is not a semantic version"]);
    assert_eq!(MemRepo::new().run::<Community>("community.releases").status, Status::Fail);
    for good in ["v1.2.3", "0.1.0", "1.0.0-rc.1", "2.0.0+build.5"] {
        assert!(is_semver(good), "{good}");
    }
    for bad in ["v1.2", "1.02.3", "release-1", "latest"] {
        assert!(!is_semver(bad), "{bad}");
    }
}

#[test]
fn maintainers_files() {
    let codeowners =
        MemRepo::new().file(".github/CODEOWNERS", "# owners\n* @alice @acme/platform-team\n/docs/ @alice\n");
    let result = codeowners.run::<Community>("community.maintainers");
    assert_eq!(result.status, Status::Pass);
    assert_eq!(result.message, "2 people or teams named in .github/CODEOWNERS: @acme/platform-team, @alice");
    let single = MemRepo::new().file("MAINTAINERS.md", "# Maintainers\n\n- Jane Doe <jane@example.com>\n");
    assert_eq!(single.run::<Community>("community.maintainers").status, Status::Warn);
    let names = MemRepo::new().file("MAINTAINERS.md", "# Maintainers\n\n- Jane Doe\n- John Roe\n");
    assert_eq!(names.run::<Community>("community.maintainers").status, Status::Pass);
    assert_eq!(MemRepo::new().run::<Community>("community.maintainers").status, Status::Fail);
}

use fledge_sdk::Status;
use fledge_sdk::testing::MemRepo;

use crate::{Security, artifact_kind};

fn run(repo: &MemRepo, id: &str) -> (Status, String) {
    let result = repo.run::<Security>(id);
    (result.status, result.message)
}

#[test]
fn security_policy_must_say_how_to_report() {
    let with_mail = MemRepo::new().file("SECURITY.md", "# Security\n\nPlease report to <security@example.com>.\n");
    assert_eq!(
        run(&with_mail, "security.policy-contact"),
        (Status::Pass, "SECURITY.md gives a reporting address: security@example.com".to_owned())
    );
    let with_link = MemRepo::new().file(".github/SECURITY.md", "Use https://example.com/security/report\n");
    assert_eq!(run(&with_link, "security.policy-contact").0, Status::Pass);
    let vague = MemRepo::new().file("docs/SECURITY.md", "We take security seriously.\n");
    assert_eq!(
        run(&vague, "security.policy-contact"),
        (Status::Warn, "docs/SECURITY.md says nothing about where to report".to_owned())
    );
    assert_eq!(run(&MemRepo::new(), "security.policy-contact").0, Status::Fail);
}

#[test]
fn dependency_update_tools() {
    assert_eq!(
        run(&MemRepo::new().file(".github/dependabot.yml", "version: 2"), "security.dependency-updates"),
        (Status::Pass, "Dependabot (.github/dependabot.yml)".to_owned())
    );
    assert_eq!(run(&MemRepo::new().file("renovate.json", "{}"), "security.dependency-updates").0, Status::Pass);
    assert_eq!(run(&MemRepo::new(), "security.dependency-updates").0, Status::Fail);
}

#[test]
fn applications_need_lockfiles_libraries_do_not() {
    let app = MemRepo::new().file("Cargo.toml", "[package]\nname = \"app\"\n").file("src/main.rs", "fn main() {}");
    assert_eq!(
        run(&app, "security.lockfiles"),
        (Status::Fail, "1 applications without a lockfile; 0 lockfiles present".to_owned())
    );
    let locked = app.clone().file("Cargo.lock", "# lock");
    assert_eq!(
        run(&locked, "security.lockfiles"),
        (Status::Pass, "1 lockfiles present; libraries need none".to_owned())
    );
    let library = MemRepo::new().file("Cargo.toml", "[package]\nname = \"lib\"\n").file("src/lib.rs", "");
    assert_eq!(run(&library, "security.lockfiles").0, Status::Pass);
    let go = MemRepo::new().file("go.mod", "module x");
    assert_eq!(run(&go, "security.lockfiles").0, Status::Fail);
    let node = MemRepo::new().file("web/package.json", "{\"private\": true}").file("web/package-lock.json", "{}");
    assert_eq!(run(&node, "security.lockfiles").0, Status::Pass);
    assert_eq!(run(&MemRepo::new(), "security.lockfiles").0, Status::Skip);
}

#[test]
fn artifacts_are_recognised_by_content() {
    let mut pe = vec![0u8; 256];
    pe[..2].copy_from_slice(b"MZ");
    pe[0x3c] = 0x80;
    pe[0x80..0x84].copy_from_slice(b"PE\0\0");
    let repo = MemRepo::new()
        .file("docs/notes.txt", b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00")
        .file("tools/setup.dat", &pe)
        .file("lib/Util.class", b"\xca\xfe\xba\xbe\x00\x00\x00\x34\x00\x1d")
        .file("__pycache__/m.cpython-311.pyc", b"\xa7\x0d\x0d\x0a\x00\x00\x00\x00")
        .file("app.jar", b"PK\x03\x04\x14\x00\x08\x00")
        .file("src/main.rs", "fn main() {}\n")
        .file("data.zip", b"PK\x03\x04\x14\x00\x08\x00")
        .file("image.png", b"\x89PNG\r\n\x1a\n\x00\x00");
    let cache = fledge_sdk::testing::MemCache::new();
    let result = repo.clone().cache(&cache).run::<Security>("security.binary-artifacts");
    assert_eq!((result.status, result.message.as_str()), (Status::Fail, "5 compiled artifacts committed"));
    // A second run takes every verdict from the results cache, unchanged.
    let again = repo.clone().cache(&cache).run::<Security>("security.binary-artifacts");
    assert_eq!((cache.len(), cache.hits()), (8, 8));
    assert_eq!(again.findings, result.findings);
    let messages: Vec<&str> = result.findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "Python bytecode (.pyc): __pycache__/m.cpython-311.pyc",
            "Java archive (jar/war): app.jar",
            "ELF executable: docs/notes.txt",
            "Java class file: lib/Util.class",
            "Windows PE executable or DLL: tools/setup.dat",
        ]
    );
    assert_eq!(artifact_kind("MZ.txt", b"MZ is a nice name"), None);
    // Every kind it names can come back from the cache.
    for (name, head) in [("libx.a", &b"!<arch>\n"[..]), ("m.wasm", b"\0asm\x01\0\0\0"), ("x.whl", b"PK\x03\x04")] {
        assert!(crate::artifacts::KINDS.contains(&artifact_kind(name, head).unwrap()), "{name}");
    }
}

#[test]
fn large_files_and_history() {
    let repo = MemRepo::new().file("data/dump.sql", "x".repeat(6 << 20)).file("src/a.rs", "fn a() {}").historic_file(
        "old/video.mp4",
        "v".repeat(9 << 20),
        "1111111111111111111111111111111111111111",
    );
    let result = repo.run::<Security>("security.large-files");
    assert_eq!((result.status, result.message.as_str()), (Status::Fail, "1 files above 5.0 MiB"));
    assert_eq!(result.findings[1].message, "largest in history: old/video.mp4 (9.0 MiB)");
}

#[test]
fn dangerous_workflows() {
    let dangerous = "on:\n  pull_request_target:\n    types: [opened]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - run: |\n          echo \"${{ github.event.pull_request.title }}\"\n          make test\n      - uses: some-org/deploy-action@v2\n";
    let repo = MemRepo::new().file(".github/workflows/ci.yml", dangerous);
    let result = repo.run::<Security>("security.ci-workflows");
    assert_eq!(result.status, Status::Fail);
    assert_eq!(result.message, "2 dangerous workflow patterns in GitHub Actions (1 workflow files)");
    let lines: Vec<(u32, &str)> =
        result.findings.iter().map(|f| (f.locations[0].line.unwrap(), f.message.as_str())).collect();
    assert_eq!(
        lines,
        [
            (
                10,
                "pull_request_target workflow checks out the pull request's code (${{ github.event.pull_request.head.sha }}): it runs untrusted code with the repository's secrets"
            ),
            (
                12,
                "untrusted `github.event.pull_request.title` interpolated into a run: script (script injection); pass it through env:"
            ),
            (14, "third-party action `some-org/deploy-action@v2` is not pinned to a commit SHA"),
        ]
    );
    let safe = "on: [push, pull_request]\njobs:\n  t:\n    steps:\n      - uses: actions/checkout@v4\n      - uses: some-org/deploy-action@0123456789abcdef0123456789abcdef01234567 # v2\n      - run: make test\n        env:\n          TITLE: ${{ github.event.pull_request.title }}\n";
    let safe = MemRepo::new().file(".github/workflows/ci.yml", safe);
    assert_eq!(
        run(&safe, "security.ci-workflows"),
        (Status::Pass, "GitHub Actions (1 workflow files): no dangerous patterns".to_owned())
    );
    let gitlab = MemRepo::new().file(".gitlab-ci.yml", "test:\n  script: make");
    assert_eq!(run(&gitlab, "security.ci-workflows").0, Status::Pass);
    assert_eq!(run(&MemRepo::new(), "security.ci-workflows").0, Status::Fail);
}

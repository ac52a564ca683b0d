use fledge_sdk::Status;
use fledge_sdk::testing::MemRepo;

use crate::Quality;

fn run(repo: &MemRepo, id: &str) -> (Status, String) {
    let result = repo.run::<Quality>(id);
    (result.status, result.message)
}

#[test]
fn tests_in_language_conventions() {
    let repo = MemRepo::new()
        .file("go.mod", "module x")
        .file("server.go", "package x")
        .file("server_test.go", "package x")
        .file("py/app.py", "x = 1")
        .file("py/tests/test_app.py", "def test(): pass")
        .file("web/src/App.tsx", "export {}")
        .file("web/src/App.test.tsx", "test()")
        .file("java/src/main/java/A.java", "class A {}")
        .file("java/src/test/java/ATest.java", "class ATest {}");
    assert_eq!(run(&repo, "quality.tests"), (Status::Pass, "4 test files for 4 source files".to_owned()));
    let untested =
        MemRepo::new().file("a.py", "").file("b.py", "").file("c.py", "").file("main.go", "").file("main_test.go", "");
    assert_eq!(
        run(&untested, "quality.tests"),
        (Status::Warn, "1 test files for 4 source files; no tests for Python".to_owned())
    );
    let none = MemRepo::new().file("src/lib.rs", "pub fn x() {}").file("src/main.rs", "fn main() {}");
    assert_eq!(run(&none, "quality.tests"), (Status::Fail, "no tests: 0 test files for 2 source files".to_owned()));
    let inline = MemRepo::new().file("src/lib.rs", "#[cfg(test)]\nmod tests { #[test] fn t() {} }");
    assert_eq!(
        run(&inline, "quality.tests"),
        (Status::Pass, "0 test files for 1 source files (and 1 Rust files with inline tests)".to_owned())
    );
    assert_eq!(run(&MemRepo::new().file("README.md", "x"), "quality.tests").0, Status::Skip);
}

#[test]
fn inline_tests_are_kept_by_blob_between_runs() {
    let cache = fledge_sdk::testing::MemCache::new();
    let repo = MemRepo::new()
        .file("src/lib.rs", "#[cfg(test)]\nmod tests { #[test] fn t() {} }")
        .file("src/main.rs", "fn main() {}")
        .cache(&cache);
    let first = repo.run::<Quality>("quality.tests");
    assert_eq!(first.message, "0 test files for 2 source files (and 1 Rust files with inline tests)");
    assert_eq!((cache.len(), cache.hits()), (2, 0));
    // A second run takes both answers from the cache.
    assert_eq!(repo.run::<Quality>("quality.tests").message, first.message);
    assert_eq!(cache.hits(), 2);
    // A changed file is another blob, read again.
    let changed = repo.file("src/main.rs", "#[test]\nfn t() {}");
    let message = changed.run::<Quality>("quality.tests").message;
    assert_eq!(message, "0 test files for 2 source files (and 2 Rust files with inline tests)");
    assert_eq!((cache.len(), cache.hits()), (3, 3));
}

#[test]
fn ci_services() {
    assert_eq!(
        run(&MemRepo::new().file("Jenkinsfile", "pipeline {}"), "quality.ci"),
        (Status::Pass, "Jenkins (Jenkinsfile)".to_owned())
    );
    assert_eq!(
        run(&MemRepo::new().file(".github/workflows/ci.yml", "on: push"), "quality.ci").1,
        "GitHub Actions (.github/workflows/ci.yml)"
    );
    assert_eq!(run(&MemRepo::new(), "quality.ci").0, Status::Fail);
}

#[test]
fn build_manifests_per_language() {
    let repo = MemRepo::new()
        .file("Cargo.toml", "[package]")
        .file("src/a.rs", "")
        .file("src/b.rs", "")
        .file("src/c.rs", "")
        .file("scripts/x.py", "")
        .file("scripts/y.py", "")
        .file("scripts/z.py", "")
        .file("build.sh", "");
    assert_eq!(
        run(&repo, "quality.build"),
        (Status::Warn, "languages: Python 42%, Rust 42%, Shell 14%; no build manifest for Python".to_owned())
    );
    let ok = repo.clone().file("scripts/requirements.txt", "requests");
    assert_eq!(run(&ok, "quality.build").0, Status::Pass);
    let dotnet = MemRepo::new()
        .file("App/App.csproj", "<Project/>")
        .file("App/a.cs", "")
        .file("App/b.cs", "")
        .file("App/c.cs", "");
    assert_eq!(run(&dotnet, "quality.build").0, Status::Pass);
}

#[test]
fn gitignore_and_build_outputs() {
    let clean = MemRepo::new().file(".gitignore", "/target\n").file("src/lib.rs", "");
    assert_eq!(run(&clean, "quality.gitignore").0, Status::Pass);
    let dirty = MemRepo::new()
        .file(".gitignore", "")
        .file("node_modules/left-pad/index.js", "")
        .file("target/debug/app", "")
        .file("pkg/__pycache__/m.cpython-311.pyc", "")
        .file("obj/main.o", "");
    let result = dirty.run::<Quality>("quality.gitignore");
    assert_eq!((result.status, result.message.as_str()), (Status::Warn, "4 build output files are committed"));
    let kinds: Vec<&str> = result.findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "__pycache__/ committed (1 files)",
            "node_modules/ committed (1 files)",
            "object files committed (1 files)",
            "target/ committed (1 files)"
        ]
    );
    assert_eq!(run(&MemRepo::new(), "quality.gitignore").0, Status::Fail);
}

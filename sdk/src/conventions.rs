//! Where projects conventionally keep things, and what their names mean:
//! license files, tests, documentation and CI configuration. Shared by the
//! built-in plugins so that they agree, and offered to plugin authors.

use crate::repo::{normalize_name, stem};
use crate::{Repo, Result};

/// True for paths of tests and test data: a `test`, `tests`, `testdata`,
/// `__tests__`, `spec`, `fixtures` or `testing` directory, or a file named
/// like a test (`*_test.go`, `test_*.py`, `*.test.ts`, `*.spec.js`,
/// `*Test.java`, Rust's `tests.rs`).
///
/// ```
/// use fledge_sdk::conventions::is_test_path;
/// assert!(is_test_path("pkg/server_test.go"));
/// assert!(is_test_path("tests/certs/server.key"));
/// assert!(!is_test_path("src/contest.rs"));
/// ```
pub fn is_test_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let mut parts = lower.split('/').collect::<Vec<_>>();
    let name = parts.pop().unwrap_or_default();
    const DIRS: &[&str] = &[
        "test",
        "tests",
        "testdata",
        "test-data",
        "test_data",
        "__tests__",
        "spec",
        "specs",
        "fixtures",
        "testing",
        "__mocks__",
        "e2e",
    ];
    if parts.iter().any(|p| DIRS.contains(p)) {
        return true;
    }
    let stem = name.split('.').next().unwrap_or(name);
    matches!(stem, "test" | "tests" | "conftest")
        || stem.starts_with("test_")
        || stem.ends_with("_test")
        || stem.ends_with("_tests")
        || stem.ends_with("_spec")
        || name.contains(".test.")
        || name.contains(".spec.")
        || (name.ends_with(".java") && stem.ends_with("test"))
}

/// True for example, sample and demo code (`examples/`, `sample/`,
/// `demos/`...) and Android's generated debug keystore: what it holds is
/// meant to be copied, not deployed.
///
/// ```
/// use fledge_sdk::conventions::is_example_path;
/// assert!(is_example_path("examples/client/config.py"));
/// assert!(is_example_path("app/debug.keystore"));
/// assert!(!is_example_path("src/sample_rate.rs"));
/// ```
pub fn is_example_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let mut parts = lower.split('/').collect::<Vec<_>>();
    let name = parts.pop().unwrap_or_default();
    const DIRS: &[&str] = &["example", "examples", "_examples", "sample", "samples", "demo", "demos"];
    parts.iter().any(|p| DIRS.contains(p)) || name == "debug.keystore"
}

/// True where credentials and keys are usually throwaway: tests, fixtures
/// and examples ([`is_test_path`] or [`is_example_path`]).
pub fn is_throwaway_path(path: &str) -> bool {
    is_test_path(path) || is_example_path(path)
}

/// True for documentation: Markdown, reStructuredText, AsciiDoc, plain text
/// and HTML files, and anything under `docs/` or `doc/`.
///
/// ```
/// use fledge_sdk::conventions::is_doc_path;
/// assert!(is_doc_path("README.md"));
/// assert!(is_doc_path("docs/guide/setup.py"));
/// assert!(!is_doc_path("src/main.rs"));
/// ```
pub fn is_doc_path(path: &str) -> bool {
    const EXTENSIONS: &[&str] =
        &["md", "markdown", "rst", "txt", "adoc", "asciidoc", "html", "htm", "ipynb", "tex", "org"];
    let lower = path.to_ascii_lowercase();
    lower.starts_with("docs/")
        || lower.starts_with("doc/")
        || lower.rsplit_once('.').is_some_and(|(_, ext)| EXTENSIONS.contains(&ext))
}

/// True for the names of license files: `LICENSE`, `LICENCE`, `COPYING`,
/// `UNLICENSE`, with any extension or suffix (`LICENSE-MIT`,
/// `COPYING.LESSER`), but not source files such as `license_check.py`.
///
/// ```
/// use fledge_sdk::conventions::is_license_file_name;
/// assert!(is_license_file_name("LICENSE-APACHE"));
/// assert!(is_license_file_name("copying.lesser"));
/// assert!(!is_license_file_name("license_check.py"));
/// ```
pub fn is_license_file_name(name: &str) -> bool {
    const CODE: &[&str] = &[
        "py", "rs", "js", "ts", "go", "java", "c", "h", "cc", "cpp", "rb", "sh", "php", "kt", "cs", "swift", "json",
        "yml", "yaml", "toml", "xml",
    ];
    let ext = name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase());
    if ext.as_deref().is_some_and(|ext| CODE.contains(&ext)) {
        return false;
    }
    let normalized = normalize_name(stem(name));
    ["license", "licence", "copying", "unlicense"].iter().any(|p| normalized.starts_with(p))
}

/// CI configuration files and directories, with the service they belong to.
pub const CI_CONFIGS: &[(&str, &str)] = &[
    (".github/workflows/", "GitHub Actions"),
    (".gitlab-ci.yml", "GitLab CI"),
    ("Jenkinsfile", "Jenkins"),
    (".circleci/config.yml", "CircleCI"),
    ("azure-pipelines.yml", "Azure Pipelines"),
    (".azure-pipelines/", "Azure Pipelines"),
    (".drone.yml", "Drone"),
    (".buildkite/", "Buildkite"),
    (".travis.yml", "Travis CI"),
    ("appveyor.yml", "AppVeyor"),
    (".appveyor.yml", "AppVeyor"),
    ("bitbucket-pipelines.yml", "Bitbucket Pipelines"),
    (".woodpecker.yml", "Woodpecker"),
    (".woodpecker/", "Woodpecker"),
    (".tekton/", "Tekton"),
    (".cirrus.yml", "Cirrus CI"),
    (".gitea/workflows/", "Gitea Actions"),
    (".forgejo/workflows/", "Forgejo Actions"),
    ("cloudbuild.yaml", "Google Cloud Build"),
    (".teamcity/", "TeamCity"),
];

/// The CI services configured in the repository, with the file that shows it.
pub fn ci_services(repo: &Repo) -> Result<Vec<(&'static str, String)>> {
    let mut found = Vec::new();
    for (path, service) in CI_CONFIGS {
        let hit = match path.strip_suffix('/') {
            Some(dir) => repo.files_under(dir)?.into_iter().next().map(|e| e.path),
            None => repo.entry(path)?.map(|e| e.path),
        };
        if let Some(hit) = hit
            && !found.iter().any(|(s, _)| s == service)
        {
            found.push((*service, hit));
        }
    }
    Ok(found)
}

//! The `quality` plugin: the engineering basics a public project is judged
//! by, from the tree alone.
//!
//! Checks: `quality.tests`, `quality.ci`, `quality.build`, `quality.gitignore`.

use std::collections::BTreeMap;

use fledge_sdk::conventions::{ci_services, is_test_path};
use fledge_sdk::prelude::*;

mod languages;
#[cfg(test)]
mod tests;

use languages::{LANGUAGES, Language, language_of};

#[derive(Default)]
pub struct Quality;

impl Plugin for Quality {
    fn checks() -> CheckTable<Self> {
        CheckTable::<Self>::new(
            PluginMeta::new("quality", env!("CARGO_PKG_VERSION"))
                .no_config()
                .description("Tests, CI, build manifests and .gitignore")
                .about("Vendored and generated directories (`vendor/`, `third_party/`,\n`node_modules/`, `dist/`, `build/`, `target/`...) do not count as the\nproject's code."),
        )
        .category("quality")
        .check(
            CheckMeta::new("quality.tests", "Tests in the project's languages")
                .weight(3)
                .rationale("Without tests, outside contributions cannot be accepted with confidence.")
                .remediation("Add tests in the conventions of the language (tests/, *_test.go, test_*.py, src/test/java, *.test.ts) and run them in CI.")
                .looks_at("test files in each language's conventions (Rust `tests/` and inline `#[test]`, Go `_test.go`, Python `test_*.py` and `tests/`, Java/Kotlin `src/test/` and `*Test`, JS/TS `*.test.*`, `*.spec.*`, `__tests__/`, Ruby `_spec.rb`, C# `*Tests`...) against the source files, with the counts. No tests fails; a language with three or more source files and no tests warns; shell scripts need none."),
            |_, check| tests_check(check.repo()),
        )
        .check(
            CheckMeta::new("quality.ci", "Continuous integration")
                .weight(3)
                .rationale("CI shows contributors that a change builds and passes the tests before anyone reviews it.")
                .remediation("Add a CI configuration (GitHub Actions, GitLab CI, Jenkins...) that builds and tests every change.")
                .looks_at("the CI configurations listed under `security.ci-workflows`."),
            |_, check| ci(check.repo()),
        )
        .check(
            CheckMeta::new("quality.build", "Build manifest for each language")
                .weight(2)
                .rationale("Outsiders must be able to build the project with the standard tools of its languages.")
                .remediation("Add the standard build manifest for each language (Cargo.toml, go.mod, pyproject.toml, package.json, pom.xml, CMakeLists.txt...).")
                .looks_at("the language mix by file count (reported), and for each language with at least three files (or a tenth of the code) its standard build manifest anywhere outside vendored code (Cargo.toml, go.mod, pyproject.toml/setup.py/requirements.txt, pom.xml/build.gradle, package.json, CMakeLists.txt/Makefile/meson.build, *.csproj, Gemfile, composer.json, Package.swift...). Some missing warns; all missing fails."),
            |_, check| build(check.repo()),
        )
        .check(
            CheckMeta::new("quality.gitignore", ".gitignore and no build outputs")
                .weight(1)
                .rationale("Committed build outputs and caches confuse contributors and bloat the history.")
                .remediation("Add a .gitignore for the project's languages and remove committed build outputs (git rm -r --cached).")
                .looks_at("a `.gitignore` at the root, and committed build outputs and caches: `node_modules/`, `__pycache__/`, Python tool caches, `.gradle/`, `CMakeFiles/`, Cargo's `target/`, object files, Python bytecode, Java classes. No .gitignore fails; committed outputs warn."),
            |_, check| gitignore(check.repo()),
        )
    }
}

fledge_sdk::export_plugin!(Quality);

/// Vendored and generated code does not count as the project's own.
fn is_vendored(path: &str) -> bool {
    path.split('/').any(|p| {
        matches!(p, "vendor" | "third_party" | "thirdparty" | "node_modules" | "external" | "dist" | "build" | "target")
    })
}

/// Code files with their language.
type CodeFiles = Vec<(TreeEntry, &'static Language)>;

/// The project's own code files with their language, split into test and
/// other files.
fn code_files(repo: &Repo) -> Result<(CodeFiles, CodeFiles)> {
    let (mut tests, mut sources) = (Vec::new(), Vec::new());
    for entry in repo.files()?.filter(|e| e.is_file() && !is_vendored(&e.path)) {
        let Some(language) = language_of(&entry.path) else { continue };
        if is_test_path(&entry.path) || (language.is_test)(&entry.path) {
            tests.push((entry.clone(), language));
        } else {
            sources.push((entry.clone(), language));
        }
    }
    Ok((tests, sources))
}

/// Rust keeps unit tests inside source files: look for `#[test]`.
fn rust_inline_tests(repo: &Repo, sources: &[(TreeEntry, &'static Language)]) -> Result<usize> {
    let mut found = 0;
    for (entry, _) in sources.iter().filter(|(_, l)| l.name == "Rust").take(2000) {
        // Kept between runs by blob id: a re-check reads only changed files.
        let key = format!("quality/inline-tests/v1/{}", entry.id);
        let has_tests = match repo.cache_get(&key).as_deref() {
            Some(b"1") => true,
            Some(b"0") => false,
            _ => {
                let has_tests =
                    repo.read_text(&entry.path)?.is_some_and(|t| t.contains("#[test]") || t.contains("#[cfg(test)]"));
                repo.cache_put(&key, if has_tests { b"1" } else { b"0" });
                has_tests
            }
        };
        found += usize::from(has_tests);
    }
    Ok(found)
}

fn tests_check(repo: &Repo) -> Result<CheckResult> {
    let (tests, sources) = code_files(repo)?;
    let programs: Vec<&(TreeEntry, &Language)> = sources.iter().filter(|(_, l)| l.needs_tests).collect();
    if programs.is_empty() && tests.is_empty() {
        return Ok(CheckResult::skip("no source code"));
    }
    let inline = rust_inline_tests(repo, &sources)?;
    let mut by_language: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (_, language) in &tests {
        by_language.entry(language.name).or_default().0 += 1;
    }
    for (_, language) in &programs {
        by_language.entry(language.name).or_default().1 += 1;
    }
    let untested: Vec<&str> = by_language
        .iter()
        .filter(|(name, (tests, sources))| *sources >= 3 && *tests == 0 && !(**name == "Rust" && inline > 0))
        .map(|(name, _)| *name)
        .collect();
    let inline_note = if inline > 0 { format!(" (and {inline} Rust files with inline tests)") } else { String::new() };
    let share = tests.len() as f64 / (tests.len() + programs.len()).max(1) as f64;
    let message = format!("{} test files for {} source files{inline_note}", tests.len(), programs.len());
    let result = if tests.is_empty() && inline == 0 {
        CheckResult::fail(format!("no tests: {message}"))
    } else if !untested.is_empty() {
        CheckResult::warn(format!("{message}; no tests for {}", untested.join(", ")))
    } else {
        CheckResult::pass(message)
    };
    let findings = untested.iter().map(|l| Finding::new(Severity::Medium, format!("{l} code has no tests")));
    Ok(result.findings(findings).metric("test-files", tests.len() as f64).metric("test-share", share))
}

fn ci(repo: &Repo) -> Result<CheckResult> {
    let services = ci_services(repo)?;
    Ok(if services.is_empty() {
        CheckResult::fail("no CI configuration")
    } else {
        let list: Vec<String> = services.iter().map(|(s, path)| format!("{s} ({path})")).collect();
        CheckResult::pass(list.join(", "))
    })
}

fn build(repo: &Repo) -> Result<CheckResult> {
    let (tests, sources) = code_files(repo)?;
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, language) in tests.iter().chain(&sources) {
        *counts.entry(language.name).or_default() += 1;
    }
    let total: usize = counts.values().sum();
    if total == 0 {
        return Ok(CheckResult::skip("no source code"));
    }
    let mut mix: Vec<(&str, usize)> = counts.into_iter().collect();
    mix.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let described: Vec<String> = mix.iter().take(6).map(|(name, n)| format!("{name} {}%", n * 100 / total)).collect();
    let mut missing = Vec::new();
    let mut present = Vec::new();
    for (name, count) in &mix {
        let Some(language) = LANGUAGES.iter().find(|l| l.name == *name) else { continue };
        // Languages with a handful of files (a build script, a helper) need no manifest.
        if language.manifests.is_empty() || (*count < 3 && count * 10 < total) {
            continue;
        }
        let manifest = repo
            .files()?
            .find(|e| !is_vendored(&e.path) && language.manifests.iter().any(|m| manifest_matches(e.name(), m)));
        match manifest {
            Some(entry) => present.push(format!("{name}: {}", entry.path)),
            None => missing.push(*name),
        }
    }
    let message = format!("languages: {}", described.join(", "));
    let findings = present
        .iter()
        .map(|p| Finding::info(p.clone()))
        .chain(missing.iter().map(|l| Finding::new(Severity::Medium, format!("no build manifest for {l}"))));
    let result = match (missing.is_empty(), present.is_empty()) {
        (true, _) => CheckResult::pass(message),
        (false, false) => CheckResult::warn(format!("{message}; no build manifest for {}", missing.join(", "))),
        (false, true) => CheckResult::fail(format!("{message}; no build manifest for {}", missing.join(", "))),
    };
    Ok(result.findings(findings).metric("languages", mix.len() as f64))
}

/// `*.csproj` style patterns or exact names.
fn manifest_matches(name: &str, pattern: &str) -> bool {
    match pattern.strip_prefix('*') {
        Some(suffix) => name.ends_with(suffix),
        None => name == pattern,
    }
}

/// Directories and files that are build outputs or caches.
fn build_output(path: &str) -> Option<&'static str> {
    let parts: Vec<&str> = path.split('/').collect();
    let name = parts.last().copied().unwrap_or_default();
    for dir in &parts[..parts.len().saturating_sub(1)] {
        match *dir {
            "node_modules" => return Some("node_modules/"),
            "__pycache__" => return Some("__pycache__/"),
            ".pytest_cache" | ".mypy_cache" | ".tox" | ".ruff_cache" => return Some("Python tool cache"),
            ".gradle" => return Some(".gradle/"),
            "CMakeFiles" => return Some("CMakeFiles/"),
            _ => {}
        }
    }
    if parts.first() == Some(&"target")
        && parts.get(1).is_some_and(|p| {
            matches!(*p, "debug" | "release" | "classes" | "rust-analyzer" | ".rustc_info.json" | "CACHEDIR.TAG")
        })
    {
        return Some("target/");
    }
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    match ext {
        "o" | "obj" => Some("object files"),
        "pyc" | "pyo" => Some("Python bytecode"),
        "class" => Some("Java classes"),
        _ => None,
    }
}

fn gitignore(repo: &Repo) -> Result<CheckResult> {
    let ignore = repo.entry(".gitignore")?;
    let mut outputs: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for entry in repo.files()? {
        if let Some(kind) = build_output(&entry.path) {
            outputs.entry(kind).or_default().push(entry.path.clone());
        }
    }
    let findings: Vec<Finding> = outputs
        .iter()
        .map(|(kind, paths)| {
            Finding::new(Severity::Low, format!("{kind} committed ({} files)", paths.len())).at(paths[0].clone())
        })
        .collect();
    let committed: usize = outputs.values().map(Vec::len).sum();
    Ok(match (ignore, committed) {
        (None, 0) => CheckResult::fail("no .gitignore"),
        (None, n) => {
            CheckResult::fail(format!("no .gitignore, and {n} build output files are committed")).findings(findings)
        }
        (Some(_), 0) => CheckResult::pass(".gitignore present; no build outputs committed"),
        (Some(_), n) => CheckResult::warn(format!("{n} build output files are committed")).findings(findings),
    })
}

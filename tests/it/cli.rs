//! `fledge check` and `fledge plugins` on fixture repositories, through the
//! real binary, with exact statuses.

use fledge_tests::{RepoBuilder, WELL_RUN_README, well_governed};

use crate::util::{DOCS, GOVERNANCE, all, cache_dir, check, check_json, run, statuses, stderr};

fn builtin_statuses(report: &serde_json::Value) -> Vec<(String, String)> {
    statuses(report).into_iter().filter(|(id, _)| id.starts_with("docs.") || id.starts_with("governance.")).collect()
}

#[test]
fn well_governed_repository_passes_everything() {
    let mut repo = RepoBuilder::new();
    well_governed(&mut repo);
    let commit = repo.commit("initial");
    let report = check_json(&[&repo.arg()]);
    let expected: Vec<_> = all(DOCS, "pass").into_iter().chain(all(GOVERNANCE, "pass")).collect();
    assert_eq!(builtin_statuses(&report), expected);
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["repository"]["commit"], commit.as_str());
    assert_eq!(report["repository"]["revision"], "HEAD");
    let categories: Vec<_> =
        report["categories"].as_array().unwrap().iter().map(|c| (c["name"].clone(), c["score"].clone())).collect();
    assert!(categories.contains(&("documentation".into(), 100.0.into())), "{categories:?}");
    assert!(categories.contains(&("governance".into(), 100.0.into())), "{categories:?}");
}

#[test]
fn empty_repository_fails_everything() {
    let mut repo = RepoBuilder::new();
    repo.file(".gitkeep", "");
    repo.commit("empty");
    let report = check_json(&[&repo.arg()]);
    let expected: Vec<_> = all(DOCS, "fail").into_iter().chain(all(GOVERNANCE, "fail")).collect();
    assert_eq!(builtin_statuses(&report), expected);
    let categories: Vec<_> =
        report["categories"].as_array().unwrap().iter().map(|c| (c["name"].clone(), c["score"].clone())).collect();
    assert!(categories.contains(&("documentation".into(), 0.0.into())), "{categories:?}");
    assert!(categories.contains(&("governance".into(), 0.0.into())), "{categories:?}");
    assert!(categories.contains(&("license".into(), 0.0.into())), "{categories:?}");
    // Anything not passing carries the check's remediation hint.
    assert_eq!(
        check(&report, "governance.license")["remediation"],
        "Add the approved license text as LICENSE (or LICENSE-MIT and LICENSE-APACHE for a dual license) at the root."
    );
}

#[test]
fn chinese_only_readme_warns() {
    let mut repo = RepoBuilder::new();
    repo.file("README.md", CHINESE_README);
    repo.commit("readme");
    let report = check_json(&[&repo.arg()]);
    let english = check(&report, "docs.readme-english");
    assert_eq!(english["status"], "warn");
    assert_eq!(english["message"], "README.md is in Han script and there is no English edition");
    assert_eq!(check(&report, "docs.readme")["status"], "pass");
}

#[test]
fn bare_repository_is_read_in_place() {
    let mut repo = RepoBuilder::bare();
    well_governed(&mut repo);
    repo.commit("initial");
    let report = check_json(&[&repo.arg()]);
    let expected: Vec<_> = all(DOCS, "pass").into_iter().chain(all(GOVERNANCE, "pass")).collect();
    assert_eq!(builtin_statuses(&report), expected);
}

#[test]
fn files_only_under_dot_github_count() {
    let mut repo = RepoBuilder::new();
    repo.file(".github/README.md", WELL_RUN_README)
        .file(".github/CONTRIBUTING.md", "# Contributing\n")
        .file(".github/CODE_OF_CONDUCT.md", "# Code of conduct\n")
        .file(".github/SECURITY.md", "# Security\nsecurity@example.com\n")
        .file(".github/GOVERNANCE.md", "# Governance\n")
        .file(".github/CODEOWNERS", "* @alice\n")
        .file(".github/ISSUE_TEMPLATE/bug.yml", "name: bug\n")
        .file(".github/pull_request_template.md", "## What\n");
    repo.commit("github only");
    let report = check_json(&[&repo.arg()]);
    assert_eq!(
        builtin_statuses(&report),
        [
            ("docs.readme", "pass"),
            ("docs.readme-substance", "pass"),
            ("docs.readme-english", "pass"),
            ("docs.contributing", "pass"),
            ("docs.changelog", "fail"),
            ("docs.site", "fail"),
            ("governance.license", "fail"),
            ("governance.code-of-conduct", "pass"),
            ("governance.security-policy", "pass"),
            ("governance.governance", "pass"),
            ("governance.maintainers", "pass"),
            ("governance.templates", "pass"),
        ]
        .map(|(id, s)| (id.to_owned(), s.to_owned()))
    );
    assert_eq!(
        check(&report, "docs.readme")["message"],
        format!(".github/README.md ({} bytes)", WELL_RUN_README.len())
    );
}

#[test]
fn uncommitted_changes_are_not_checked_and_revisions_are() {
    let mut repo = RepoBuilder::new();
    repo.file("src/main.rs", "fn main() {}\n");
    let first = repo.commit("code");
    repo.tag("v0.1.0", true);
    repo.file("README.md", WELL_RUN_README);
    let second = repo.commit("readme");
    repo.write_worktree("CONTRIBUTING.md", "uncommitted");
    let report = check_json(&[&repo.arg()]);
    assert_eq!(report["repository"]["commit"], second.as_str());
    assert_eq!(check(&report, "docs.readme")["status"], "pass");
    // CONTRIBUTING.md is only in the working tree: the README's section is all there is.
    assert_eq!(
        check(&report, "docs.contributing")["message"],
        "no CONTRIBUTING file; README.md has a \"Contributing\" section"
    );
    let tagged = check_json(&[&repo.arg(), "--rev", "v0.1.0"]);
    assert_eq!(tagged["repository"]["commit"], first.as_str());
    assert_eq!(tagged["repository"]["revision"], "v0.1.0");
    assert_eq!(check(&tagged, "docs.readme")["status"], "fail");
}

#[test]
fn table_output_shows_statuses_remediation_and_scores() {
    let mut repo = RepoBuilder::new();
    repo.file("README.md", WELL_RUN_README);
    repo.commit("readme");
    let output = run(&["check", &repo.arg()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(!text.contains('\x1b'), "no colour when not a terminal");
    // The verdict first: the stage and score, then what blocks the next stage.
    let stage = text.lines().position(|l| l.starts_with("stage: sandbox · score: ")).expect("the stage");
    let first_category = text.lines().position(|l| l.starts_with("documentation  ")).expect("a category");
    assert!(stage < first_category && stage <= 2, "{text}");
    // Passing checks take one line per category; -v lists each.
    assert!(text.lines().any(|l| l.trim_start().starts_with("PASS") && l.contains(" passing: docs.readme")), "{text}");
    let verbose = String::from_utf8(run(&["check", &repo.arg(), "-v"]).stdout).unwrap();
    // Rows are: status, id, score, message; non-passing rows are followed by the fix.
    let rows: Vec<Vec<&str>> = verbose.lines().map(|l| l.split_whitespace().collect()).collect();
    assert!(rows.iter().any(|r| r[..] == ["PASS", "docs.readme", "100", "README.md", "(940", "bytes)"]), "{verbose}");
    let license = text.lines().position(|l| l.contains(" governance.license ")).unwrap();
    assert!(
        text.lines().nth(license).unwrap().ends_with(" 0  no LICENSE, LICENCE or COPYING file at the root"),
        "{text}"
    );
    assert!(
        text.lines().nth(license + 1).unwrap().trim_start().starts_with("fix: Add the approved license text"),
        "{text}"
    );
    assert!(text.contains("\ndocumentation  "), "{text}");
    let coloured = run(&["check", &repo.arg(), "--color", "always"]);
    assert!(String::from_utf8(coloured.stdout).unwrap().contains("\x1b[32mPASS"));
}

#[test]
fn plugins_lists_every_check() {
    let output = run(&["plugins", "--format", "json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let plugins: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let ids: Vec<&str> = plugins
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["checks"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()))
        .collect();
    for id in DOCS.iter().chain(GOVERNANCE) {
        assert!(ids.contains(id), "{id} missing from {ids:?}");
    }
    let table = run(&["plugins"]);
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.contains("docs 0.1.0 (builtin:docs; reads tree, contents)"), "{text}");
}

#[test]
fn remote_file_url_is_mirrored_and_fetched_again() {
    let mut origin = RepoBuilder::bare();
    origin.file("README.md", WELL_RUN_README);
    let first = origin.commit("first");
    let cache = tempfile::tempdir().unwrap();
    let cache_arg = cache.path().display().to_string();
    let url = origin.url();
    let report = check_json(&[&url, "--cache-dir", &cache_arg]);
    assert_eq!(report["repository"]["commit"], first.as_str());
    assert_eq!(report["repository"]["source"], url.as_str());
    let mirrors: Vec<_> = std::fs::read_dir(cache.path().join("mirrors")).unwrap().collect();
    assert_eq!(mirrors.len(), 2, "one mirror and its lock file");
    origin.file("CONTRIBUTING.md", "# Contributing\n");
    let second = origin.commit("second");
    let report = check_json(&[&url, "--cache-dir", &cache_arg]);
    assert_eq!(report["repository"]["commit"], second.as_str());
    assert_eq!(check(&report, "docs.contributing")["status"], "pass");
}

const CHINESE_README: &str = "# 小工具\n\n这是一个用于将服务配置转换为可部署包的工具。它由支付团队和搜索团队使用，\
任何需要同样功能的人都可以使用它。本文档介绍如何安装、如何在命令行和构建流水线中使用，以及如何从源代码构建。\n\n\
## 安装\n\n从发布页面下载最新版本，并将二进制文件放到路径中。你也可以使用平台的包管理器安装，它会帮你保持更新。\n\n\
## 使用\n\n在包含服务的目录中运行 `widget build`。该工具读取配置，进行检查，并将包写入输出目录。\n";

#[test]
fn docs_checks_md_is_the_generated_check_reference() {
    let output = run(&["plugins", "--format", "markdown"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let generated = String::from_utf8(output.stdout).unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/checks.md");
    let committed = std::fs::read_to_string(path).unwrap();
    assert!(
        committed == generated,
        "docs/checks.md differs from the plugins' own descriptions; regenerate it with \
         `cargo run -p fledge -- plugins --format markdown -o docs/checks.md`"
    );
    // Every check of every built-in plugin is on the page, with what it looks at.
    let plugins: serde_json::Value = serde_json::from_slice(&run(&["plugins", "--format", "json"]).stdout).unwrap();
    for plugin in plugins.as_array().unwrap() {
        for c in plugin["checks"].as_array().unwrap() {
            assert!(committed.contains(&format!("### `{}`: ", c["id"].as_str().unwrap())));
            assert!(
                !c["looks_at"].as_str().unwrap_or_default().is_empty(),
                "{} says nothing of what it looks at",
                c["id"]
            );
        }
    }
}

/// The command-line cases in `tests/cmd/`: arguments, exit code, and the
/// exact stdout and stderr, as data. `TRYCMD=overwrite cargo test -p fledge
/// --test it command_line_cases` rewrites them after a deliberate change.
#[test]
fn command_line_cases() {
    trycmd::TestCases::new()
        .register_bin("fledge", std::path::PathBuf::from(env!("CARGO_BIN_EXE_fledge")))
        .env("FLEDGE_CACHE_DIR", cache_dir().display().to_string())
        .env("NO_COLOR", "1")
        .case(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/cmd/*.toml"));
}

#[test]
fn cache_clean_removes_what_fledge_can_make_again() {
    let cache = crate::util::fresh_cache();
    let dir = cache.path();
    std::fs::write(dir.join("results.sqlite"), b"0123456789").unwrap();
    std::fs::create_dir_all(dir.join("mirrors/x.git")).unwrap();
    std::fs::write(dir.join("mirrors/x.git/HEAD"), b"ref\n").unwrap();
    let compiled = std::fs::read_dir(dir.join("compiled")).unwrap().count();
    assert!(compiled >= 8, "every built-in plugin is compiled");

    let kept = crate::util::fledge().env("FLEDGE_CACHE_DIR", dir).args(["cache", "clean"]).output().unwrap();
    assert!(kept.status.success(), "{}", stderr(&kept));
    let text = String::from_utf8(kept.stdout).unwrap();
    assert!(text.starts_with(&format!("removed {compiled} compiled plugins (")), "{text}");
    assert!(text.ends_with(&format!(", the kept results (10 B) from {}\n", dir.display())), "{text}");
    assert_eq!(std::fs::read_dir(dir.join("compiled")).unwrap().count(), 0);
    assert!(!dir.join("results.sqlite").exists());
    assert!(dir.join("mirrors/x.git/HEAD").exists(), "mirrors stay without --all");

    let all = crate::util::fledge().env("FLEDGE_CACHE_DIR", dir).args(["cache", "clean", "--all"]).output().unwrap();
    assert_eq!(
        String::from_utf8(all.stdout).unwrap(),
        format!("removed 0 compiled plugins (0 B), the kept results (0 B), the mirrors (4 B) from {}\n", dir.display())
    );
    assert!(!dir.join("mirrors").exists());
}

use fledge_sdk::testing::MemRepo;
use fledge_sdk::{EntryKind, Status};

use crate::Docs;

const GOOD_README: &str = "# Widget\n\nWidget turns the configuration of a service into a deployable bundle. It is used by the payments \
and search teams and is ready for use by anyone who needs the same thing. This document explains how to install it, how to \
use it from the command line and from a build pipeline, and how to build it from source if you want to change it.\n\n\
## Installation\n\nDownload the latest release from the releases page and put the binary on your path. You can also \
install it with the package manager of your platform, which keeps it up to date for you.\n\n## Usage\n\nRun `widget build` \
in the directory that holds your service. The tool reads the configuration, checks it, and writes the bundle to the output \
folder. Use the `--help` flag to see every option that is available.\n\n## Building\n\nYou need a recent compiler. Run the \
tests before you open a pull request so that the reviewers can focus on the change itself.\n\n## Contributing\n\nSee \
CONTRIBUTING.md for how to propose a change and how we review it.\n";

const CHINESE_README: &str = "# 小工具\n\n这是一个用于将服务配置转换为可部署包的工具。它由支付团队和搜索团队使用，\
任何需要同样功能的人都可以使用它。本文档介绍如何安装、如何在命令行和构建流水线中使用，以及如何从源代码构建。\n\n\
## 安装\n\n从发布页面下载最新版本，并将二进制文件放到路径中。你也可以使用平台的包管理器安装，它会帮你保持更新。\n\n\
## 使用\n\n在包含服务的目录中运行 `widget build`。该工具读取配置，进行检查，并将包写入输出目录。使用帮助参数查看所有可用选项。\n\n\
## 构建\n\n你需要一个较新的编译器。在提交合并请求之前运行测试，以便审阅者可以专注于变更本身。\n";

fn status(repo: &MemRepo, id: &str) -> (Status, String) {
    let result = repo.run::<Docs>(id);
    (result.status, result.message)
}

#[test]
fn empty_repository_fails_every_check() {
    let results = MemRepo::new().run_all::<Docs>();
    let statuses: Vec<_> = results.iter().map(|r| (r.check_id.as_str(), r.status)).collect();
    assert_eq!(
        statuses,
        [
            ("docs.readme", Status::Fail),
            ("docs.readme-substance", Status::Fail),
            ("docs.readme-english", Status::Fail),
            ("docs.contributing", Status::Fail),
            ("docs.changelog", Status::Fail),
            ("docs.site", Status::Fail),
        ]
    );
}

#[test]
fn substantial_english_readme_passes() {
    let repo = MemRepo::new().file("README.md", GOOD_README);
    assert_eq!(status(&repo, "docs.readme"), (Status::Pass, format!("README.md ({} bytes)", GOOD_README.len())));
    let substance = repo.run::<Docs>("docs.readme-substance");
    assert_eq!(substance.status, Status::Pass, "{}", substance.message);
    assert!(substance.message.contains("sections: install, usage, build, contributing"), "{}", substance.message);
    assert_eq!(status(&repo, "docs.readme-english"), (Status::Pass, "README.md is in English".to_owned()));
}

#[test]
fn stub_and_thin_readmes() {
    let stub = MemRepo::new().file("README.md", "# widget\n\nTODO\n");
    assert_eq!(stub.run::<Docs>("docs.readme-substance").status, Status::Fail);
    let words = "word ".repeat(80);
    let thin = MemRepo::new()
        .file("README.rst", format!("Widget\n======\n\n{words}\n\nInstall\n-------\n\npip install widget\n"));
    let result = thin.run::<Docs>("docs.readme-substance");
    assert_eq!(result.status, Status::Warn, "{}", result.message);
    assert_eq!(result.remediation.as_deref(), Some("Add sections for: usage, build, contributing, license."));
}

#[test]
fn chinese_only_readme_warns_and_english_edition_passes() {
    let repo = MemRepo::new().file("README.md", CHINESE_README);
    assert_eq!(
        status(&repo, "docs.readme-english"),
        (Status::Warn, "README.md is in Han script and there is no English edition".to_owned())
    );
    // Substance is judged in any language.
    assert_eq!(repo.run::<Docs>("docs.readme-substance").status, Status::Warn);
    let both = repo.clone().file("README.en.md", GOOD_README);
    assert_eq!(
        status(&both, "docs.readme-english"),
        (Status::Pass, "README.md is in Han script; English edition in README.en.md".to_owned())
    );
}

#[test]
fn german_readme_is_not_english() {
    let german = "# Werkzeug\n\nDieses Werkzeug wandelt die Konfiguration eines Dienstes in ein auslieferbares Paket um. \
Es wird von mehreren Teams benutzt und steht jedem zur Verfügung, der dasselbe braucht. Diese Anleitung erklärt die \
Installation, die Benutzung auf der Kommandozeile und in einer Pipeline, sowie den Bau aus den Quellen, falls man \
etwas ändern möchte. Bitte lesen Sie zuerst die Hinweise zur Mitarbeit.\n";
    let repo = MemRepo::new().file("README.md", german);
    assert_eq!(
        status(&repo, "docs.readme-english"),
        (Status::Warn, "README.md is in a language other than English and there is no English edition".to_owned())
    );
}

#[test]
fn files_under_github_count() {
    let repo = MemRepo::new()
        .file(".github/README.md", GOOD_README)
        .file(".github/CONTRIBUTING.md", "how to contribute")
        .file("docs/CHANGELOG.md", "## 1.0");
    assert_eq!(status(&repo, "docs.readme").0, Status::Pass);
    assert_eq!(status(&repo, "docs.contributing"), (Status::Pass, ".github/CONTRIBUTING.md".to_owned()));
    assert_eq!(status(&repo, "docs.changelog"), (Status::Pass, "docs/CHANGELOG.md".to_owned()));
    assert_eq!(status(&repo, "docs.site"), (Status::Pass, "docs/ holds 1 documentation pages".to_owned()));
}

#[test]
fn contributing_section_in_readme_warns() {
    let repo = MemRepo::new().file("README.md", GOOD_README);
    assert_eq!(
        status(&repo, "docs.contributing"),
        (Status::Warn, "no CONTRIBUTING file; README.md has a \"Contributing\" section".to_owned())
    );
}

#[test]
fn documentation_links_and_generators() {
    let linked = MemRepo::new().file("README.md", "See the [manual](https://widget.readthedocs.io/en/latest/).");
    assert_eq!(
        status(&linked, "docs.site"),
        (Status::Pass, "README.md links documentation: https://widget.readthedocs.io/en/latest/".to_owned())
    );
    let badge_only = MemRepo::new().file("README.md", "![docs](https://docs.rs/widget/badge.svg)");
    assert_eq!(status(&badge_only, "docs.site").0, Status::Fail);
    let mkdocs = MemRepo::new().file("mkdocs.yml", "site_name: x");
    assert_eq!(
        status(&mkdocs, "docs.site"),
        (Status::Pass, "documentation generator configured (mkdocs.yml)".to_owned())
    );
    let third_party = MemRepo::new().file(
        "README.md",
        "Uses [XHR](https://developer.mozilla.org/en-US/docs/Web/API/XMLHttpRequest) and [regexes](https://en.wikipedia.org/wiki/Regular_expression).",
    );
    assert_eq!(status(&third_party, "docs.site").0, Status::Fail);
    let worded = MemRepo::new().file("README.md", "* [Website and Documentation](http://widget.example.com/)\n");
    assert_eq!(
        status(&worded, "docs.site"),
        (Status::Pass, "README.md links documentation: http://widget.example.com/".to_owned())
    );
    let release_link = MemRepo::new().file("README.md", "Release notes: https://git.example.com/w/releases");
    assert_eq!(status(&release_link, "docs.changelog").0, Status::Pass);
}

#[test]
fn symlinked_readme_is_followed() {
    let repo =
        MemRepo::new().entry("README.md", EntryKind::Symlink, "docs/README.md").file("docs/README.md", GOOD_README);
    assert_eq!(status(&repo, "docs.readme-substance").0, Status::Pass);
}

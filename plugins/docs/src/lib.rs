//! The `docs` plugin: is the project documented well enough for strangers?
//!
//! Checks: `docs.readme`, `docs.readme-substance`, `docs.readme-english`,
//! `docs.contributing`, `docs.changelog`, `docs.site`. Reads the tree and
//! file contents only.

use fledge_sdk::prelude::*;
use fledge_sdk::repo::{normalize_name, stem};
use fledge_sdk::text::{self, Heading};
use serde::Deserialize;

mod language;
#[cfg(test)]
mod tests;

#[derive(Default)]
pub struct Docs;

/// Configuration (`[plugins.docs]` in the policy).
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
struct Config {
    /// A README with fewer words is a stub.
    stub_words: usize,
    /// A README needs this many words to pass.
    min_words: usize,
    /// A README needs this many kinds of sections (install, usage, build,
    /// contributing, license) to pass.
    min_sections: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config { stub_words: 50, min_words: 150, min_sections: 2 }
    }
}

impl Plugin for Docs {
    fn checks() -> CheckTable<Self> {
        CheckTable::<Self>::new(
            PluginMeta::new("docs", env!("CARGO_PKG_VERSION"))
                .config::<Config>()
                .description("README, contributing guide, changelog and documentation"),
        )
        .category("documentation")
        .check(
            CheckMeta::new("docs.readme", "README present")
                .weight(5)
                .rationale("The README is the first thing a newcomer reads; without one a public project is unusable.")
                .remediation("Add a README.md at the root saying what the project does, how to install and use it.")
                .looks_at("a file named README (any extension) in the root, then `docs/`, then `.github/`."),
            |_, check| readme(check.repo()),
        )
        .check(
            CheckMeta::new("docs.readme-substance", "README is substantial")
                .weight(3)
                .rationale("A stub README makes outsiders guess how to install, use and build the project.")
                .remediation("Expand the README with Installation, Usage, Building and Contributing sections.")
                .looks_at("the README's prose word count (code blocks, URLs and markup removed; CJK text counts one word per two characters) and its section headings (Markdown, setext, reStructuredText, AsciiDoc, HTML), recognising five kinds of section: install, usage, build, contributing, license (English and common Chinese titles).\nFails below `stub_words` (50) words; passes from `min_words` (150) words with `min_sections` (2) kinds of section; warns in between and names the missing sections."),
            |_, check| readme_substance(check.repo(), &check.config()?),
        )
        .check(
            CheckMeta::new("docs.readme-english", "English README available")
                .weight(2)
                .rationale("An international open-source audience needs documentation in English.")
                .remediation("Provide an English README (README.md, or README.en.md next to the localised one).")
                .looks_at("the writing system of the README's prose letters (Latin, Han, Japanese kana, Hangul, Cyrillic, Arabic, Hebrew, Devanagari, Thai, Greek), and for Latin-script text the share of frequent English function words.\nA README mostly in another script or language is a `warn` unless an English edition exists (`README.en.md`, `README_EN.md`, `README-english.rst`, `docs/en/README.md`...). Too little prose to judge is a `skip`. No external service is called."),
            |_, check| readme_english(check.repo()),
        )
        .check(
            CheckMeta::new("docs.contributing", "Contributing guide")
                .weight(3)
                .rationale("Outside contributors need to know how to propose changes and what is expected of them.")
                .remediation("Add CONTRIBUTING.md (root, .github/ or docs/) covering setup, tests, style and review.")
                .looks_at("CONTRIBUTING / CONTRIBUTE in the conventional places or anywhere under `docs/`; a README section about contributing gives a `warn`."),
            |_, check| contributing(check.repo()),
        )
        .check(
            CheckMeta::new("docs.changelog", "Changelog or release notes")
                .weight(2)
                .rationale("Users of a public project need to know what changed between releases.")
                .remediation("Keep a CHANGELOG.md (e.g. in the keepachangelog.com format) or link release notes from the README.")
                .looks_at("CHANGELOG, CHANGES, HISTORY, NEWS, RELEASES, RELEASE-NOTES in the conventional places; changelog directories (`changelog.d/`, `changes/`, `.changeset/`, `newsfragments/`, `release-notes/`...); or a README link to release notes or a releases page."),
            |_, check| changelog(check.repo()),
        )
        .check(
            CheckMeta::new("docs.site", "Documentation beyond the README")
                .weight(2)
                .rationale("Anything beyond a toy needs reference or user documentation.")
                .remediation("Add a docs/ folder or a documentation site (mkdocs, Sphinx, mdBook, Docusaurus) and link it from the README.")
                .looks_at("a documentation generator's configuration (mkdocs, mdBook, Sphinx `conf.py`, Read the Docs, Docusaurus, Antora, Doxygen, TypeDoc...); documentation pages in `docs/`, `doc/`, `documentation/`, `website/`, `site/`, `book/`...; a README link to documentation (docs.rs, readthedocs, GitHub/GitLab pages, pkg.go.dev, a `/docs` or `/wiki` path; badges do not count); or a documentation URL in Cargo.toml, pyproject.toml, setup.cfg or package.json."),
            |_, check| site(check.repo()),
        )
    }
}

fledge_sdk::export_plugin!(Docs);

/// The README and its text, if there is one.
fn readme_text(repo: &Repo) -> Result<Option<(String, String)>> {
    let Some(entry) = repo.readme()? else { return Ok(None) };
    let text = repo.read_text(&entry.path)?.unwrap_or_default();
    Ok(Some((entry.path.clone(), text)))
}

fn readme(repo: &Repo) -> Result<CheckResult> {
    Ok(match repo.readme()? {
        Some(entry) => CheckResult::pass(format!("{} ({} bytes)", entry.path, entry.size)),
        None => CheckResult::fail("no README in the root, docs/ or .github/"),
    })
}

/// The kinds of section a useful README has, with the words that name them
/// (English and a few common Chinese headings).
const SECTION_KINDS: &[(&str, &[&str])] = &[
    (
        "install",
        &[
            "install",
            "setup",
            "set up",
            "getting started",
            "quick start",
            "quickstart",
            "download",
            "requirements",
            "prerequisites",
            "安装",
            "快速开始",
            "部署",
        ],
    ),
    (
        "usage",
        &[
            "usage",
            "example",
            "how to use",
            "tutorial",
            "getting started",
            "quick start",
            "quickstart",
            "documentation",
            "api",
            "features",
            "使用",
            "用法",
            "示例",
            "文档",
        ],
    ),
    (
        "build",
        &["build", "develop", "compil", "from source", "hacking", "testing", "running tests", "构建", "编译", "开发"],
    ),
    ("contributing", &["contribut", "community", "support", "getting help", "feedback", "贡献", "社区"]),
    ("license", &["license", "licence", "licensing", "copyright", "许可", "协议"]),
];

fn section_kinds(headings: &[Heading]) -> Vec<&'static str> {
    SECTION_KINDS
        .iter()
        .filter(|(_, words)| {
            headings.iter().any(|h| {
                let title = h.title.to_lowercase();
                words.iter().any(|w| title.contains(w))
            })
        })
        .map(|(kind, _)| *kind)
        .collect()
}

fn readme_substance(repo: &Repo, config: &Config) -> Result<CheckResult> {
    let Some((path, text)) = readme_text(repo)? else {
        return Ok(CheckResult::fail("no README"));
    };
    let words = language::word_count(&language::prose(&text));
    let kinds = section_kinds(&text::headings(&text));
    let figures = format!(
        "{path}: {words} words, sections: {}",
        if kinds.is_empty() { "none recognised".to_owned() } else { kinds.join(", ") }
    );
    let result = if words < config.stub_words {
        CheckResult::fail(format!("README is a stub ({figures})"))
    } else if words >= config.min_words && kinds.len() >= config.min_sections {
        CheckResult::pass(figures)
    } else {
        let missing: Vec<&str> = SECTION_KINDS.iter().map(|(k, _)| *k).filter(|k| !kinds.contains(k)).collect();
        CheckResult::warn(format!("README is thin ({figures})"))
            .remediation(format!("Add sections for: {}.", missing.join(", ")))
    };
    Ok(result
        .metric("readme-words", words as f64)
        .metric("readme-sections", kinds.len() as f64)
        .finding(Finding::info(format!("{words} words")).at(path)))
}

fn readme_english(repo: &Repo) -> Result<CheckResult> {
    let Some((path, text)) = readme_text(repo)? else {
        return Ok(CheckResult::fail("no README"));
    };
    let verdict = language::assess(&language::prose(&text));
    if verdict.is_english() {
        return Ok(CheckResult::pass(format!("{path} is in English")));
    }
    // Look for an English edition next to a localised README.
    for entry in repo.find(&["readme"], &["", "docs", ".github", "docs/en", "en"])? {
        if entry.path == path || !language::names_english(&entry.path) {
            continue;
        }
        let alternate = repo.read_text(&entry.path)?.unwrap_or_default();
        if language::assess(&language::prose(&alternate)).is_english() {
            return Ok(CheckResult::pass(format!(
                "{path} is in {}; English edition in {}",
                verdict.describe(),
                entry.path
            )));
        }
    }
    Ok(match verdict {
        language::Verdict::TooShort => CheckResult::skip(format!("{path} has too little prose to judge")),
        _ => CheckResult::warn(format!("{path} is in {} and there is no English edition", verdict.describe()))
            .finding(Finding::new(Severity::Medium, format!("README in {}", verdict.describe())).at(path)),
    })
}

fn contributing(repo: &Repo) -> Result<CheckResult> {
    if let Some(entry) =
        repo.find_first(&["contributing", "contribute", "contribution guide", "contributing guide"], CONVENTIONAL_DIRS)?
    {
        return Ok(CheckResult::pass(entry.path.clone()));
    }
    let nested = ["docs", "doc"].iter().find_map(|dir| {
        repo.files_under(dir).ok()?.into_iter().find(|e| normalize_name(stem(e.name())).starts_with("contribut"))
    });
    if let Some(entry) = nested {
        return Ok(CheckResult::pass(entry.path.clone()));
    }
    if let Some((path, text)) = readme_text(repo)?
        && let Some(h) = text::headings(&text).into_iter().find(|h| h.title.to_lowercase().contains("contribut"))
    {
        return Ok(CheckResult::warn(format!("no CONTRIBUTING file; {path} has a \"{}\" section", h.title))
            .finding(Finding::info("contributing section").at(path).line(h.line)));
    }
    Ok(CheckResult::fail("no CONTRIBUTING guide in the root, .github/ or docs/"))
}

const CHANGELOG_NAMES: &[&str] =
    &["changelog", "changes", "history", "news", "releases", "release notes", "releasenotes", "whatsnew", "whats new"];
const CHANGELOG_DIRS: &[&str] = &[
    "docs/releases",
    "doc/releases",
    "changelog",
    "changelog.d",
    "changes",
    ".changeset",
    "changelogs",
    "release-notes",
    "releasenotes",
    "docs/changelog",
    "docs/release-notes",
    "newsfragments",
];

fn changelog(repo: &Repo) -> Result<CheckResult> {
    if let Some(entry) = repo.find_first(CHANGELOG_NAMES, CONVENTIONAL_DIRS)? {
        return Ok(CheckResult::pass(entry.path.clone()));
    }
    for dir in CHANGELOG_DIRS {
        if let Some(entry) = repo.files_under(dir)?.first() {
            return Ok(CheckResult::pass(format!("release notes in {dir}/ ({})", entry.path)));
        }
    }
    if let Some((path, text)) = readme_text(repo)?
        && let Some(url) = text::urls(&text).into_iter().find(|u| {
            let u = u.to_lowercase();
            u.contains("/releases") || u.contains("changelog") || u.contains("release-notes")
        })
    {
        return Ok(CheckResult::pass(format!("{path} links release notes: {url}")));
    }
    Ok(CheckResult::fail("no CHANGELOG, release notes or link to them"))
}

/// Configuration files of documentation generators.
const DOC_TOOL_FILES: &[&str] = &[
    "mkdocs.yml",
    "mkdocs.yaml",
    "book.toml",
    ".readthedocs.yml",
    ".readthedocs.yaml",
    "readthedocs.yml",
    "docusaurus.config.js",
    "docusaurus.config.ts",
    "antora.yml",
    "antora-playbook.yml",
    "Doxyfile",
    "typedoc.json",
    "docs/conf.py",
    "doc/conf.py",
    "docs/source/conf.py",
    "doc/source/conf.py",
    "docs/_config.yml",
    "docs/mkdocs.yml",
    "docs/book.toml",
    "website/docusaurus.config.js",
    "website/docusaurus.config.ts",
    "docs/docusaurus.config.js",
    "docs/antora.yml",
    "jsdoc.json",
];
const DOC_DIRS: &[&str] = &["docs", "doc", "documentation", "website", "site", "book", "manual", "guide"];
const DOC_EXTENSIONS: &[&str] =
    &["md", "markdown", "rst", "adoc", "asciidoc", "txt", "html", "mdx", "ipynb", "tex", "org", "pod"];
/// Hosts that serve one project's documentation each.
const PROJECT_DOC_HOSTS: &[&str] = &[
    "docs.rs",
    "readthedocs.io",
    "readthedocs.org",
    "pkg.go.dev",
    "godoc.org",
    "javadoc.io",
    "hexdocs.pm",
    "rubydoc.info",
    "gitbook.io",
];
/// General references that projects link to but that are not their documentation.
const THIRD_PARTY_DOCS: &[&str] = &[
    "wikipedia.org",
    "developer.mozilla.org",
    "docs.npmjs.com",
    "docs.python.org",
    "docs.github.com",
    "learn.microsoft.com",
    "docs.microsoft.com",
    "stackoverflow.com",
    "doc.rust-lang.org",
    "docs.oracle.com",
    "nodejs.org/api",
    "docs.docker.com",
    "img.shields.io",
    "badge",
];
/// Words that, on the line of a link, say it leads to documentation.
const DOC_WORDS: &[&str] = &[
    "documentation",
    "docs",
    "manual",
    "user guide",
    "handbook",
    "api reference",
    "reference guide",
    "the book",
    "文档",
];

/// The first link in a README that leads to the project's documentation: a
/// per-project documentation host, or a link on a line that says it is
/// documentation; never images, badges or general references.
fn documentation_link(readme: &str) -> Option<&str> {
    for line in readme.lines() {
        let urls = text::urls(line);
        // The words around the links, not inside them (`?utm_source=x_docs`).
        let mut lower_line = line.to_lowercase();
        for url in &urls {
            lower_line = lower_line.replace(&url.to_lowercase(), " ");
        }
        if lower_line.trim_start().starts_with("![") || lower_line.trim_start().starts_with("[![") {
            continue;
        }
        for url in urls {
            let lower = url.to_lowercase();
            if THIRD_PARTY_DOCS.iter().any(|t| lower.contains(t)) || lower.ends_with(".svg") || lower.ends_with(".png")
            {
                continue;
            }
            let host = lower.split("://").nth(1).unwrap_or(&lower).split('/').next().unwrap_or_default();
            if PROJECT_DOC_HOSTS.iter().any(|h| host == *h || host.ends_with(&format!(".{h}")))
                || host.starts_with("docs.")
                || DOC_WORDS.iter().any(|w| lower_line.contains(w))
            {
                return Some(url);
            }
        }
    }
    None
}

fn site(repo: &Repo) -> Result<CheckResult> {
    for tool in DOC_TOOL_FILES {
        if repo.entry(tool)?.is_some() {
            return Ok(CheckResult::pass(format!("documentation generator configured ({tool})")));
        }
    }
    for dir in DOC_DIRS {
        let pages = repo
            .files_under(dir)?
            .iter()
            .filter(|e| {
                e.name()
                    .rsplit_once('.')
                    .is_some_and(|(_, ext)| DOC_EXTENSIONS.iter().any(|known| known.eq_ignore_ascii_case(ext)))
            })
            .count();
        if pages > 0 {
            return Ok(CheckResult::pass(format!("{dir}/ holds {pages} documentation pages"))
                .metric("doc-pages", pages as f64));
        }
    }
    if let Some((path, text)) = readme_text(repo)?
        && let Some(url) = documentation_link(&text)
    {
        return Ok(CheckResult::pass(format!("{path} links documentation: {url}")));
    }
    for manifest in ["Cargo.toml", "pyproject.toml", "setup.cfg", "package.json"] {
        if let Some(text) = repo.entry(manifest)?.map(|_| repo.read_text(manifest)).transpose()?.flatten() {
            let declares = text.lines().any(|l| {
                let l = l.trim_start().to_lowercase();
                l.starts_with("documentation") || l.starts_with("\"documentation\"") || l.starts_with("docs =")
            });
            if declares {
                return Ok(CheckResult::pass(format!("{manifest} declares a documentation URL")));
            }
        }
    }
    Ok(CheckResult::fail("no docs/ folder, documentation generator or documentation link"))
}

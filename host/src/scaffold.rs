//! `fledge plugin new`: writes a plugin project that builds against this
//! fledge's contract with no edits, with a unit test, in Rust (with the SDK
//! vendored from the binary), Python (componentize-py) or JavaScript
//! (componentize-js).

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::error::UserError;
use crate::plugins::SDK_FILES;
use crate::runtime::CONTRACT_VERSION;

/// The language of a new plugin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Language {
    Rust,
    Python,
    Js,
}

const WIT: &str = include_str!("../../sdk/wit/plugin.wit");

/// The componentize-py release Python plugins are built with.
pub const COMPONENTIZE_PY_VERSION: &str = "0.25.1";
/// The componentize-js release JavaScript plugins are built with.
pub const COMPONENTIZE_JS_VERSION: &str = "0.23.0";

/// (path in the project, template) per language.
fn templates(language: Language) -> Vec<(&'static str, &'static str)> {
    match language {
        Language::Rust => vec![
            ("Cargo.toml", include_str!("scaffold/rust/Cargo.toml")),
            ("src/lib.rs", include_str!("scaffold/rust/src/lib.rs")),
            ("README.md", include_str!("scaffold/rust/README.md")),
            (".gitignore", include_str!("scaffold/rust/gitignore")),
            ("fledge-sdk/Cargo.toml", include_str!("scaffold/sdk-Cargo.toml")),
        ],
        Language::Python => vec![
            ("app.py", include_str!("scaffold/python/app.py")),
            ("check.py", include_str!("scaffold/python/check.py")),
            ("fledge_repo.py", include_str!("scaffold/python/fledge_repo.py")),
            ("fake_repo.py", include_str!("scaffold/python/fake_repo.py")),
            ("test_check.py", include_str!("scaffold/python/test_check.py")),
            ("README.md", include_str!("scaffold/python/README.md")),
            (".gitignore", include_str!("scaffold/python/gitignore")),
            ("wit/plugin.wit", WIT),
        ],
        Language::Js => vec![
            ("plugin.js", include_str!("scaffold/js/plugin.js")),
            ("check.js", include_str!("scaffold/js/check.js")),
            ("fledge-repo.js", include_str!("scaffold/js/fledge-repo.js")),
            ("fake-repo.js", include_str!("scaffold/js/fake-repo.js")),
            ("test/check.test.mjs", include_str!("scaffold/js/test/check.test.mjs")),
            ("build.mjs", include_str!("scaffold/js/build.mjs")),
            ("package.json", include_str!("scaffold/js/package.json")),
            ("README.md", include_str!("scaffold/js/README.md")),
            (".gitignore", include_str!("scaffold/js/gitignore")),
            ("wit/plugin.wit", WIT),
        ],
    }
}

/// Writes a new plugin project named `name` into `dir`, which must not
/// exist or be empty. Returns the files written.
pub fn create(name: &str, language: Language, dir: &Path) -> Result<Vec<PathBuf>> {
    let valid = name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.ends_with('-');
    if !valid {
        return Err(UserError::new(format!(
            "plugin name `{name}` must be lowercase letters, digits and dashes, starting with a letter (check ids will be `{name}.<check>`)"
        ))
        .into());
    }
    if dir.exists() && fs::read_dir(dir).with_context(|| format!("failed to read {}", dir.display()))?.next().is_some()
    {
        return Err(UserError::new(format!("{} exists and is not empty", dir.display())).into());
    }
    let fill = |template: &str| {
        template
            .replace("{{name}}", name)
            .replace("{{crate}}", &name.replace('-', "_"))
            .replace("{{contract}}", CONTRACT_VERSION)
            .replace("{{sdk_version}}", CONTRACT_VERSION)
            .replace("{{componentize_py}}", COMPONENTIZE_PY_VERSION)
            .replace("{{componentize_js}}", COMPONENTIZE_JS_VERSION)
    };
    let mut files: Vec<(String, String)> =
        templates(language).into_iter().map(|(path, t)| (path.to_owned(), fill(t))).collect();
    if language == Language::Rust {
        files.extend(SDK_FILES.iter().map(|(path, text)| (format!("fledge-sdk/{path}"), (*text).to_owned())));
    }
    let mut written = Vec::new();
    for (path, text) in files {
        let target = dir.join(&path);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).with_context(|| format!("failed to create {}", parent.display()))?;
        }
        fs::write(&target, text).with_context(|| format!("failed to write {}", target.display()))?;
        written.push(target);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vendored_sdk_manifest_declares_the_sdk_dependencies() {
        // The vendored SDK's manifest must name the same dependencies as the
        // SDK itself (whose versions come from the workspace).
        let sdk: toml::Table = toml::from_str(include_str!("../../sdk/Cargo.toml")).unwrap_or_default();
        let vendored: toml::Table = toml::from_str(include_str!("scaffold/sdk-Cargo.toml")).unwrap_or_default();
        let names = |table: &toml::Table| -> Vec<String> {
            let mut names: Vec<String> = table
                .get("dependencies")
                .and_then(|d| d.as_table())
                .map(|d| d.keys().cloned().collect())
                .unwrap_or_default();
            names.sort();
            names
        };
        assert_eq!(names(&sdk), names(&vendored));
        assert!(!names(&sdk).is_empty());
    }

    #[test]
    fn names_are_checked() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        for bad in ["Header", "1x", "a_b", "x-", ""] {
            assert!(create(bad, Language::Rust, &dir.path().join("p")).is_err(), "{bad}");
        }
    }
}

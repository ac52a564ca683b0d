//! The `acme.headers` check in Rust, with fledge-sdk: every source file must
//! start with a `Copyright <owner>` header. The Python and JavaScript
//! examples next to this one implement the same check and give the same
//! findings.

use fledge_sdk::prelude::*;
use serde::Deserialize;

const SOURCE_EXTENSIONS: &[&str] = &["rs", "py", "js", "ts", "go", "java", "c", "h"];

#[derive(Default)]
pub struct Acme;

/// `[plugins.acme.config]` in the policy.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
struct Config {
    /// Who every source file must name.
    owner: String,
}

impl Default for Config {
    fn default() -> Self {
        Config { owner: "ACME".to_owned() }
    }
}

impl Plugin for Acme {
    fn checks() -> CheckTable<Self> {
        CheckTable::<Self>::new(
            PluginMeta::new("acme", "1.0.0").config::<Config>().description("ACME's source-header rule"),
        )
        .check(
            CheckMeta::new("acme.headers", "Source files carry the ACME header")
                .category("license")
                .weight(2)
                .rationale("Published code must say who owns it, in every file.")
                .remediation("Start every source file with a comment `Copyright ACME`.")
                .looks_at("The first 512 bytes of every source file."),
            Acme::headers,
        )
    }
}

impl Acme {
    fn headers(&mut self, check: &Check<'_>) -> Result<CheckResult> {
        let owner = check.config::<Config>()?.owner;
        let repo = check.repo();
        let sources: Vec<&TreeEntry> = repo
            .files()?
            .filter(|e| {
                e.is_file() && e.name().rsplit_once('.').is_some_and(|(_, ext)| SOURCE_EXTENSIONS.contains(&ext))
            })
            .collect();
        if sources.is_empty() {
            return Ok(CheckResult::skip("no source files"));
        }
        let mut missing = Vec::new();
        for entry in &sources {
            let head = repo.read(&entry.path, 512)?;
            if !String::from_utf8_lossy(&head.data).contains(&format!("Copyright {owner}")) {
                missing.push(entry.path.clone());
            }
        }
        let total = sources.len();
        if missing.is_empty() {
            return Ok(CheckResult::pass(format!("all {total} source files carry the {owner} header")));
        }
        let score = 100 * (total - missing.len()) / total;
        Ok(CheckResult::fail(format!("{} of {total} source files lack the {owner} header", missing.len()))
            .score(u8::try_from(score).unwrap_or(0))
            .findings(
                missing
                    .iter()
                    .map(|path| Finding::new(Severity::Low, format!("no `Copyright {owner}` header")).at(path).line(1)),
            ))
    }
}

fledge_sdk::export_plugin!(Acme);

#[cfg(test)]
mod tests {
    use fledge_sdk::testing::MemRepo;

    use super::*;

    #[test]
    fn files_without_the_header_are_listed() {
        let repo = MemRepo::new().file("main.rs", "// Copyright ACME\nfn main() {}\n").file("tool.py", "print(1)\n");
        let result = repo.run::<Acme>("acme.headers");
        assert_eq!((result.status, result.score), (Status::Fail, 50));
        assert_eq!(result.findings[0].locations[0].path, "tool.py");
        let other = repo.run_with::<Acme>("acme.headers", serde_json::json!({"owner": "Initech"}));
        assert_eq!(other.message, "2 of 2 source files lack the Initech header");
    }
}

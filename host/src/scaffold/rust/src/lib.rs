//! The `{{name}}` fledge plugin: one check, `{{name}}.notice`, that the
//! repository has a NOTICE file naming its copyright owner. Replace it with
//! your own checks; see the plugin guide (docs/plugin-guide.md in fledge).

use fledge_sdk::prelude::*;
use serde::Deserialize;

#[derive(Default)]
pub struct Plugin;

/// The plugin's configuration: `[plugins.{{name}}.config]` in the policy.
/// Declared in `checks()` below, so that `fledge policy check` refuses a
/// misspelt or mistyped key instead of the check silently using a default.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
struct Config {
    /// Who the NOTICE file must name.
    owner: String,
}

impl Default for Config {
    fn default() -> Self {
        Config { owner: "ACME Corp.".to_owned() }
    }
}

impl fledge_sdk::Plugin for Plugin {
    /// Each check's metadata, paired with the function that evaluates it.
    fn checks() -> CheckTable<Self> {
        CheckTable::<Self>::new(
            PluginMeta::new("{{name}}", env!("CARGO_PKG_VERSION"))
                .config::<Config>()
                .description("Company-specific publication rules")
                .reads(&[Capability::Tree, Capability::Contents]),
        )
        .category("license")
        .check(
            CheckMeta::new("{{name}}.notice", "A NOTICE file names the copyright owner")
                .weight(2)
                .rationale("Published code must say who owns it.")
                .remediation("Add a NOTICE file at the root that says `Copyright <owner>`.")
                .looks_at("A file named NOTICE (any extension) at the root."),
            |_, check| notice(check),
        )
    }
}

fledge_sdk::export_plugin!(Plugin);

fn notice(check: &Check<'_>) -> Result<CheckResult> {
    let owner = check.config::<Config>()?.owner;
    let repo = check.repo();
    let Some(notice) = repo.find_first(&["notice"], &[""])? else {
        return Ok(CheckResult::fail("no NOTICE file at the root"));
    };
    let text = repo.read_text(&notice.path)?.unwrap_or_default();
    Ok(if text.contains(&owner) {
        CheckResult::pass(format!("{} names {owner}", notice.path))
    } else {
        CheckResult::fail(format!("{} does not name {owner}", notice.path))
            .finding(Finding::new(Severity::Medium, format!("no `Copyright {owner}`")).at(&notice.path).line(1))
    })
}

#[cfg(test)]
mod tests {
    use fledge_sdk::Status;
    use fledge_sdk::testing::MemRepo;

    use super::Plugin;

    #[test]
    fn notice_names_the_owner() {
        let good = MemRepo::new().file("NOTICE", "Copyright ACME Corp.\n");
        assert_eq!(good.run::<Plugin>("{{name}}.notice").status, Status::Pass);
        let wrong = MemRepo::new().file("NOTICE.md", "Copyright Initech\n");
        let result = wrong.run::<Plugin>("{{name}}.notice");
        assert_eq!((result.status, result.message.as_str()), (Status::Fail, "NOTICE.md does not name ACME Corp."));
        assert_eq!(result.findings[0].locations[0].path, "NOTICE.md");
        let configured = wrong.run_with::<Plugin>("{{name}}.notice", serde_json::json!({"owner": "Initech"}));
        assert_eq!(configured.status, Status::Pass);
        assert_eq!(MemRepo::new().run::<Plugin>("{{name}}.notice").status, Status::Fail);
    }
}

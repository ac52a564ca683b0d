//! Write readiness checks for [fledge](https://example.invalid/ospo/fledge)
//! as sandboxed WebAssembly components.
//!
//! A plugin is a type that implements [`Plugin`]: a [`CheckTable`] pairs each
//! check's metadata with the function that evaluates it against a read-only
//! [`Repo`]. One macro,
//! [`export_plugin!`], turns it into a component for the host.
//!
//! ```
//! use fledge_sdk::prelude::*;
//!
//! #[derive(Default)]
//! struct Acme;
//!
//! impl Plugin for Acme {
//!     fn checks() -> CheckTable<Self> {
//!         CheckTable::<Self>::new(PluginMeta::new("acme", "1.0.0").description("ACME's own publishing rules"))
//!             .category("license")
//!             .check(
//!                 CheckMeta::new("acme.notice", "A NOTICE file names ACME")
//!                     .rationale("Published code must say who owns it.")
//!                     .remediation("Add a NOTICE file that says `Copyright ACME Corp.`"),
//!                 Acme::notice,
//!             )
//!     }
//! }
//!
//! impl Acme {
//!     fn notice(&mut self, check: &Check<'_>) -> Result<CheckResult> {
//!         let repo = check.repo();
//!         let Some(notice) = repo.find_first(&["notice"], &[""])? else {
//!             return Ok(CheckResult::fail("no NOTICE file"));
//!         };
//!         let text = repo.read_text(&notice.path)?.unwrap_or_default();
//!         Ok(if text.contains("ACME") {
//!             CheckResult::pass(format!("{} names ACME", notice.path))
//!         } else {
//!             CheckResult::fail(format!("{} does not name ACME", notice.path))
//!                 .finding(Finding::new(Severity::Medium, "no ACME copyright").at(&notice.path))
//!         })
//!     }
//! }
//!
//! fledge_sdk::export_plugin!(Acme);
//!
//! // Native unit test against an in-memory repository:
//! use fledge_sdk::testing::MemRepo;
//! let repo = MemRepo::new().file("NOTICE", "Copyright ACME Corp.");
//! let result = repo.run::<Acme>("acme.notice");
//! assert_eq!(result.status, Status::Pass);
//! ```
//!
//! Build it with `cargo build --release --target wasm32-wasip2` (the crate
//! type must include `cdylib`) and run it with
//! `fledge check REPO --plugin target/wasm32-wasip2/release/acme.wasm`.

#![warn(missing_docs)]

#[doc(hidden)]
pub mod bindings;
pub mod conventions;
mod error;
mod guest;
pub mod log;
mod model;
mod organization;
pub mod repo;
mod table;
#[cfg(not(target_family = "wasm"))]
pub mod testing;
pub mod text;

use serde::de::DeserializeOwned;
use serde_json::Value;

pub use error::{Error, Result};
pub use model::{
    Capability, CheckMeta, CheckResult, Finding, Gap, GapKind, Location, Metric, PluginMeta, Severity, Span, Status,
};
pub use organization::{Organization, PublicIdentity};
pub use repo::{
    Blob, CONVENTIONAL_DIRS, Commit, EntryKind, Head, HistoryBlob, Repo, RepoError, Signature, Source, Tag, TreeEntry,
};
pub use schemars;
pub use table::{CheckTable, Handler};

/// The version of the WIT contract (`fledge:plugin`) this SDK builds against.
pub const CONTRACT_VERSION: &str = "0.3.0";

/// Everything a plugin author usually needs, in one import.
pub mod prelude {
    pub use crate::repo::CONVENTIONAL_DIRS;
    pub use crate::{
        Capability, Check, CheckMeta, CheckResult, CheckTable, Error, Finding, Gap, GapKind, Location, Organization,
        Plugin, PluginMeta, Repo, Result, Severity, Status, TreeEntry,
    };
}

/// What a check sees when the policy has no `[organization]` table.
static NO_ORGANIZATION: Organization = Organization::EMPTY;

/// A readiness plugin.
///
/// The host creates the plugin with `Default` once per repository and calls
/// the handler of each requested check, so a plugin can keep work that
/// several of its checks share in `self`. A failing check is
/// `Ok(CheckResult::fail(..))`; `Err` means the check could not be
/// evaluated and gives it the status `error`.
pub trait Plugin: Default {
    /// The plugin and its checks, each with its handler. Must not read the
    /// repository.
    fn checks() -> CheckTable<Self>;
}

/// What a check is given: its id, the repository (with the check's ignored
/// paths already left out) and its configuration.
pub struct Check<'a> {
    id: &'a str,
    repo: Repo,
    config: Value,
    requested: &'a [CheckRequest],
    organization: &'a Organization,
}

impl<'a> Check<'a> {
    /// A check context; the SDK builds these, and tests may too.
    pub fn new(id: &'a str, repo: Repo, config: Value) -> Self {
        Check { id, repo, config, requested: &[], organization: &NO_ORGANIZATION }
    }

    /// The same check, seeing `organization` as the policy's
    /// `[organization]` table.
    pub fn with_organization(mut self, organization: &'a Organization) -> Self {
        self.organization = organization;
        self
    }

    /// The policy's `[organization]` table: the company's domains, ticket
    /// patterns, teams and public identity.
    pub fn organization(&self) -> &Organization {
        self.organization
    }

    /// True when check `id` is also requested in this run (or when the
    /// requests are unknown), so that a plugin can skip work no check needs.
    pub fn is_requested(&self, id: &str) -> bool {
        self.requested.is_empty() || self.requested.iter().any(|r| r.id == id)
    }

    /// The id of the check to evaluate.
    pub fn id(&self) -> &str {
        self.id
    }

    /// The repository at the checked commit.
    pub fn repo(&self) -> &Repo {
        &self.repo
    }

    /// The configuration for this check, deserialised into `T`: the plugin's
    /// table in the policy, overlaid with the check's own table. Give `T`
    /// `#[serde(default, deny_unknown_fields)]` and declare it with
    /// [`PluginMeta::config`], so that a missing key takes its default and a
    /// misspelt one is refused by `fledge policy check` instead of silently
    /// ignored.
    ///
    /// ```
    /// # use fledge_sdk::{Check, testing::MemRepo};
    /// #[derive(serde::Deserialize, Default)]
    /// #[serde(default)]
    /// struct Config { min_words: usize }
    /// let check = Check::new("x.y", MemRepo::new().into_repo(), serde_json::json!({"min_words": 10}));
    /// assert_eq!(check.config::<Config>().unwrap().min_words, 10);
    /// ```
    pub fn config<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_value(self.config.clone())
            .map_err(|e| Error::new(format!("invalid configuration for `{}`: {e}", self.id)))
    }

    /// The raw configuration value.
    pub fn config_value(&self) -> &Value {
        &self.config
    }
}

/// One requested check: its id and the globs it must ignore.
#[derive(Clone, Debug, Default)]
pub struct CheckRequest {
    /// The check id.
    pub id: String,
    /// Ignore globs for this check.
    pub ignore: Vec<String>,
}

/// Runs the requested checks of `P` over `repo`. Unknown ids and checks that
/// return `Err` become results with the status `error`; the ids are filled in.
pub fn run_checks<P: Plugin>(
    repo: &Repo,
    requests: &[CheckRequest],
    config: &Value,
    organization: &Organization,
) -> Vec<CheckResult> {
    let table = P::checks();
    let mut plugin = P::default();
    requests
        .iter()
        .map(|request| {
            repo.begin_check(&request.id);
            let mut result = match table.handler(&request.id) {
                None => CheckResult::error(format!("plugin `{}` has no check `{}`", table.meta().name, request.id)),
                Some(handler) => match repo.with_ignore(&request.ignore) {
                    Ok(view) => {
                        let check = Check {
                            id: &request.id,
                            repo: view,
                            config: check_config(config, &request.id),
                            requested: requests,
                            organization,
                        };
                        handler(&mut plugin, &check).unwrap_or_else(|err| CheckResult::error(err.to_string()))
                    }
                    Err(err) => CheckResult::error(err.to_string()),
                },
            };
            result.check_id.clone_from(&request.id);
            result
        })
        .collect()
}

/// The configuration one check sees: the plugin table without its `checks`
/// key, overlaid deeply with `checks.<id>` (a table in the check's
/// configuration changes only the keys it names).
fn check_config(config: &Value, id: &str) -> Value {
    let Value::Object(plugin_table) = config else {
        return Value::Object(Default::default());
    };
    let mut merged = Value::Object(plugin_table.clone());
    let own = merged.as_object_mut().and_then(|m| m.remove("checks"));
    if let Some(own) = own.as_ref().and_then(|checks| checks.get(id)) {
        overlay(&mut merged, own);
    }
    merged
}

/// Sets every key of `over` in `base`, merging tables recursively.
fn overlay(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(base), Value::Object(over)) => {
            for (key, value) in over {
                match base.get_mut(key) {
                    Some(existing) if existing.is_object() && value.is_object() => overlay(existing, value),
                    _ => {
                        base.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (base, over) => *base = over.clone(),
    }
}

#[doc(hidden)]
pub mod __private {
    pub use crate::guest::{describe, run};
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::prelude::*;
    use crate::testing::MemRepo;

    #[derive(Default)]
    struct Org;

    impl Plugin for Org {
        fn checks() -> CheckTable<Self> {
            CheckTable::<Self>::new(PluginMeta::new("org", "1.0.0")).check(
                CheckMeta::new("org.domains", "Domains"),
                |_, check| {
                    let organization = check.organization();
                    Ok(CheckResult::pass(format!(
                        "{}: {}",
                        organization.name.as_deref().unwrap_or("nobody"),
                        organization.internal_domains.join(", ")
                    )))
                },
            )
        }
    }

    #[test]
    fn every_check_sees_the_organization() {
        let repo = MemRepo::new();
        assert_eq!(repo.run::<Org>("org.domains").message, "nobody: ");
        let acme = Organization {
            name: Some("ACME".to_owned()),
            internal_domains: vec!["corp.example.com".to_owned()],
            ..Organization::default()
        };
        assert_eq!(repo.organization(acme).run::<Org>("org.domains").message, "ACME: corp.example.com");
    }

    #[test]
    fn a_check_table_overlays_the_plugin_table_deeply() {
        let config = json!({
            "history": {"enabled": true, "max_commits": 100},
            "domains": ["a"],
            "checks": {"x.y": {"history": {"max_commits": 1}, "domains": ["b"]}}
        });
        assert_eq!(
            super::check_config(&config, "x.y"),
            json!({"history": {"enabled": true, "max_commits": 1}, "domains": ["b"]})
        );
        assert_eq!(
            super::check_config(&config, "x.z"),
            json!({"history": {"enabled": true, "max_commits": 100}, "domains": ["a"]})
        );
    }
}

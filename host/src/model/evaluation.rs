//! What the plugins found in one repository, before the policy decides:
//! the unit the nightly scan stores and reuses.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::attest::AttestationRecords;
use crate::model::report::{CheckReport, PluginReport, Repository};

/// What the plugins found in one repository, before the policy's
/// decision: everything needed to decide again (on another day, with other
/// attestations) without the repository. The nightly scan stores it and
/// reuses it while the commit, the plugins and the policy are unchanged.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Evaluation {
    pub repository: Repository,
    /// The repository's own `.fledge/attestations.toml`.
    pub attestations: AttestationRecords,
    /// For each commit an attestation record names (the repository's own
    /// and the catalog's): is it the checked commit or an ancestor.
    #[serde(default)]
    pub attested_commits: BTreeMap<String, bool>,
    /// The checks' outcomes before severity overrides and exemptions.
    pub checks: Vec<CheckReport>,
    pub excluded: Vec<String>,
    pub plugins: Vec<PluginReport>,
    pub warnings: Vec<String>,
}

impl Evaluation {
    /// The plugins that failed as a whole, with their reasons.
    pub fn plugin_failures(&self) -> Vec<String> {
        self.plugins.iter().filter_map(|p| p.error.as_ref().map(|e| format!("plugin {}: {e}", p.name))).collect()
    }
}

//! Facts about the company that every plugin may use, given once in the
//! policy's `[organization]` table.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The policy's `[organization]` table: what the company is and which
/// names, domains and ticket ids are its own. The built-in plugins use it
/// instead of settings of their own (their own keys, when set, override it).
///
/// ```
/// # use fledge_sdk::{Check, Organization, testing::MemRepo};
/// let org = Organization { internal_domains: vec!["corp.example.com".into()], ..Organization::default() };
/// let repo = MemRepo::new().organization(org.clone());
/// assert_eq!(repo.organization_ref().internal_domains, ["corp.example.com"]);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Organization {
    /// The company's name (`"ACME Corp."`).
    pub name: Option<String>,
    /// Domains whose host names and e-mail addresses are internal.
    pub internal_domains: Vec<String>,
    /// E-mail domains of employees besides the internal domains.
    pub email_domains: Vec<String>,
    /// Regexes of internal ticket ids (`"PAY-[0-9]+"`).
    pub ticket_patterns: Vec<String>,
    /// The name and address published work is attributed to.
    pub public_identity: Option<PublicIdentity>,
    /// E-mail domain (or full address) → team, for community checks that
    /// count organisations: inner-source contributors all share one domain.
    pub teams: BTreeMap<String, String>,
}

/// Who the company publishes as.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PublicIdentity {
    /// The name (`"ACME Open Source"`).
    pub name: String,
    /// The address (`"opensource@acme.example"`).
    pub email: String,
}

impl Organization {
    /// The empty organisation: what a check sees when the policy has no
    /// `[organization]` table.
    pub const EMPTY: Organization = Organization {
        name: None,
        internal_domains: Vec::new(),
        email_domains: Vec::new(),
        ticket_patterns: Vec::new(),
        public_identity: None,
        teams: BTreeMap::new(),
    };
}

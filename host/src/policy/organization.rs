//! `[organization]`: facts about the company, given once in the policy and
//! passed to every plugin (internal domains, employee e-mail domains,
//! ticket patterns, teams, the public identity).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};
use toml::Spanned;

use crate::located::Sink;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOrganization {
    name: Option<String>,
    #[serde(default)]
    internal_domains: Vec<Spanned<String>>,
    #[serde(default)]
    email_domains: Vec<Spanned<String>>,
    #[serde(default)]
    ticket_patterns: Vec<Spanned<String>>,
    public_identity: Option<RawIdentity>,
    #[serde(default)]
    teams: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIdentity {
    name: String,
    email: String,
}

/// The organisation as plugins receive it: a JSON object with every key
/// (empty when the policy does not set it).
pub(super) fn organization(raw: RawOrganization, sink: &mut Sink<'_>) -> Value {
    for domain in raw.internal_domains.iter().chain(&raw.email_domains) {
        let text = domain.get_ref();
        let bare = !text.is_empty()
            && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
            && !text.starts_with('.')
            && !text.ends_with('.');
        if !bare {
            sink.at(
                domain,
                format!(
                    "`{}` in [organization] is not a bare domain name such as `corp.example.com`",
                    crate::text::printable(text)
                ),
            );
        }
    }
    for pattern in &raw.ticket_patterns {
        if let Err(err) = regex::Regex::new(pattern.get_ref()) {
            sink.at(
                pattern,
                format!(
                    "ticket pattern `{}` in [organization] is not a regex: {}",
                    crate::text::printable(pattern.get_ref()),
                    super::regex_reason(&err)
                ),
            );
        }
    }
    let strings = |items: Vec<Spanned<String>>| -> Vec<String> { items.into_iter().map(Spanned::into_inner).collect() };
    json!({
        "name": raw.name,
        "internal_domains": strings(raw.internal_domains),
        "email_domains": strings(raw.email_domains),
        "ticket_patterns": strings(raw.ticket_patterns),
        "public_identity": raw.public_identity.map(|i| json!({"name": i.name, "email": i.email})),
        "teams": raw.teams,
    })
}

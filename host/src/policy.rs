//! The graduation policy: category weights, per-check settings, plugin
//! configuration, ignore paths, ordered stages with their gates, check sets
//! per repository kind, exemptions and attestation items.
//!
//! A policy file is TOML. [`Policy::parse`] checks its structure (syntax,
//! unknown keys, weights, stage order, exemptions); [`Policy::validate`]
//! checks it against the loaded plugins' check ids. Every error names the
//! file, the line and the offending key or check id. No I/O happens here.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::located::{FileErrors, Sink};
pub use publish::{Identity, PublishRules, Replacement};

pub mod config;
mod organization;
mod publish;
pub mod rules;

use crate::model::{Capability, CheckMeta, GapKind, PluginMeta};
use crate::text::shown_number;

/// The default policy, written out by `fledge policy init`.
pub const DEFAULT_POLICY: &str = include_str!("policy/default.toml");

/// A value with the line it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Located<T> {
    pub value: T,
    pub line: usize,
}

/// How a policy overrides a check's severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeverityOverride {
    /// Warnings count as failures.
    Error,
    /// Failures are reported as warnings.
    Warning,
    /// Reported, but neither scored nor blocking.
    Info,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct CheckPolicy {
    pub enabled: bool,
    pub weight: Option<f64>,
    pub severity: Option<SeverityOverride>,
    pub ignore: Vec<String>,
    pub config: Option<Value>,
    /// Kinds of unread content this check may pass with (instead of the
    /// policy's `accept_unread`).
    pub accept_unread: Option<Vec<GapKind>>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct PluginPolicy {
    pub config: Value,
    /// An external plugin to load, relative to the policy file.
    pub path: Option<String>,
    /// Its required sha256, hex.
    pub sha256: Option<String>,
    /// Capabilities refused to the plugin.
    pub deny: Vec<Capability>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stage {
    pub name: String,
    pub min_score: f64,
    pub require: Vec<Located<String>>,
    /// Required checks whose `warn` does not block this stage, as long as
    /// all they could not read is of a kind the policy accepts: a warning
    /// the check gives for review (a throwaway key in a test), not for
    /// content it could not read.
    pub allow_warn: Vec<Located<String>>,
    pub category_min: BTreeMap<String, f64>,
    pub attestations: Vec<Located<String>>,
    pub line: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Exemption {
    /// Glob over repository names.
    pub repository: String,
    pub check: Located<String>,
    pub reason: String,
    pub approver: String,
    pub expires: jiff::civil::Date,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AttestationItem {
    pub title: String,
    pub description: String,
    /// Who must sign it.
    pub signers: Vec<String>,
    /// The allowed_signers file for this item, instead of the policy's
    /// (a path as written, relative to the policy file).
    pub allowed_signers: Option<String>,
    /// How long a signature stays valid, in days (default: the policy's
    /// `attestation_max_age_days`).
    pub max_age_days: Option<u32>,
}

/// The largest weight a category or check may have: weights are relative,
/// and larger numbers only risk overflowing the means.
pub const MAX_WEIGHT: f64 = 1_000_000.0;

/// A parsed, structurally valid policy.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// The file it came from, or `built-in default`.
    pub source: String,
    /// sha256 of its text.
    pub digest: String,
    pub categories: BTreeMap<String, f64>,
    pub checks: BTreeMap<String, CheckPolicy>,
    check_lines: BTreeMap<String, usize>,
    pub plugins: BTreeMap<String, PluginPolicy>,
    pub ignore: Vec<String>,
    pub stages: Vec<Stage>,
    pub kinds: BTreeMap<String, Vec<Located<String>>>,
    pub exemptions: Vec<Exemption>,
    pub attestations: BTreeMap<String, AttestationItem>,
    /// Kinds of unread content a check may pass with (shown, not blocking).
    pub accept_unread: Vec<GapKind>,
    /// The OpenSSH allowed_signers file that says who may sign attestations
    /// (a path as written, relative to the policy file).
    pub allowed_signers: Option<String>,
    /// How long an attestation signature stays valid, in days.
    pub attestation_max_age_days: u32,
    /// Kinds a repository may declare for itself in `.fledge/repository.toml`;
    /// any other kind must come from the catalog or the command line.
    pub self_declared_kinds: Vec<String>,
    /// The text of each allowed_signers file the policy names (by the path
    /// as written), or why it could not be read. Filled in by whoever reads
    /// the policy file ([`Policy::signer_paths`] says which).
    pub signer_files: BTreeMap<String, Result<String, String>>,
    /// What `fledge publish` removes and rewrites.
    pub publish: PublishRules,
    /// `[[rules]]`: the policy's declarative checks (run by the `rules`
    /// plugin as `rules.<id>`).
    pub rules: Vec<rules::Rule>,
    /// `[organization]`, as every plugin receives it (a JSON object).
    pub organization: Value,
    /// The policy's text, to place configuration errors at their line.
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    accept_unread: Vec<Spanned<String>>,
    allowed_signers: Option<Spanned<String>>,
    attestation_max_age_days: Option<Spanned<i64>>,
    #[serde(default)]
    self_declared_kinds: Vec<Spanned<String>>,
    #[serde(default)]
    categories: BTreeMap<Spanned<String>, Spanned<f64>>,
    #[serde(default)]
    checks: BTreeMap<Spanned<String>, Spanned<RawCheck>>,
    #[serde(default)]
    plugins: BTreeMap<Spanned<String>, RawPlugin>,
    #[serde(default)]
    stages: Vec<Spanned<RawStage>>,
    #[serde(default)]
    kinds: BTreeMap<Spanned<String>, RawKind>,
    #[serde(default)]
    exemptions: Vec<Spanned<RawExemption>>,
    #[serde(default)]
    attestations: BTreeMap<Spanned<String>, RawAttestation>,
    #[serde(default)]
    publish: publish::RawPublish,
    #[serde(default)]
    organization: organization::RawOrganization,
    #[serde(default)]
    rules: Vec<Spanned<rules::RawRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    enabled: Option<bool>,
    weight: Option<Spanned<f64>>,
    severity: Option<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<String>,
    config: Option<toml::Table>,
    accept_unread: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlugin {
    config: Option<toml::Table>,
    path: Option<Spanned<String>>,
    sha256: Option<Spanned<String>>,
    #[serde(default)]
    deny: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStage {
    name: Spanned<String>,
    min_score: Spanned<f64>,
    #[serde(default)]
    require: Vec<Spanned<String>>,
    #[serde(default)]
    allow_warn: Vec<Spanned<String>>,
    #[serde(default)]
    category_min: BTreeMap<Spanned<String>, Spanned<f64>>,
    #[serde(default)]
    attestations: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKind {
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExemption {
    repository: Option<Spanned<String>>,
    check: Option<Spanned<String>>,
    reason: Option<Spanned<String>>,
    approver: Option<Spanned<String>>,
    expires: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAttestation {
    title: String,
    #[serde(default)]
    description: String,
    signers: Vec<String>,
    allowed_signers: Option<String>,
    max_age_days: Option<Spanned<i64>>,
}

/// `[categories]`: a positive weight each, over the default policy's.
fn categories(raw: BTreeMap<Spanned<String>, Spanned<f64>>, sink: &mut Sink<'_>) -> BTreeMap<String, f64> {
    let mut categories = default_category_weights();
    for (name, weight) in raw {
        if !(weight.get_ref().is_finite() && *weight.get_ref() > 0.0 && *weight.get_ref() <= MAX_WEIGHT) {
            sink.at(
                &weight,
                format!(
                    "weight of category `{}` must be a positive number up to 1000000, not {}",
                    name.get_ref(),
                    shown_number(*weight.get_ref())
                ),
            );
        }
        categories.insert(name.into_inner(), weight.into_inner());
    }
    categories
}

/// `[checks.<id>]`, and the line of each id.
fn checks(
    raw: BTreeMap<Spanned<String>, Spanned<RawCheck>>,
    sink: &mut Sink<'_>,
) -> (BTreeMap<String, CheckPolicy>, BTreeMap<String, usize>) {
    let mut checks = BTreeMap::new();
    let mut check_lines = BTreeMap::new();
    for (id, raw_check) in raw {
        let line = sink.lines.of(&id);
        let raw_check = raw_check.into_inner();
        if let Some(weight) = &raw_check.weight
            && !(weight.get_ref().is_finite() && *weight.get_ref() > 0.0 && *weight.get_ref() <= MAX_WEIGHT)
        {
            sink.at(
                weight,
                format!(
                    "weight of check `{}` must be a positive number up to 1000000, not {}",
                    id.get_ref(),
                    shown_number(*weight.get_ref())
                ),
            );
        }
        let severity = match raw_check.severity.as_ref().map(|s| s.get_ref().as_str()) {
            None => None,
            Some("error") => Some(SeverityOverride::Error),
            Some("warning") => Some(SeverityOverride::Warning),
            Some("info") => Some(SeverityOverride::Info),
            Some(other) => {
                let at = raw_check.severity.as_ref().map_or(line, |s| sink.lines.of(s));
                sink.push(
                    at,
                    format!(
                        "severity of check `{}` must be \"error\", \"warning\" or \"info\", not \"{other}\"",
                        id.get_ref()
                    ),
                );
                None
            }
        };
        let accept_unread = raw_check.accept_unread.as_ref().map(|items| gap_kinds(items, sink));
        check_lines.insert(id.get_ref().clone(), line);
        checks.insert(
            id.into_inner(),
            CheckPolicy {
                enabled: raw_check.enabled.unwrap_or(true),
                weight: raw_check.weight.map(Spanned::into_inner),
                severity,
                ignore: raw_check.ignore,
                config: raw_check.config.map(json),
                accept_unread,
            },
        );
    }
    (checks, check_lines)
}

/// `[plugins.<name>]`: denied capabilities and pins.
fn plugins(raw: BTreeMap<Spanned<String>, RawPlugin>, sink: &mut Sink<'_>) -> BTreeMap<String, PluginPolicy> {
    let mut plugins = BTreeMap::new();
    for (name, raw_plugin) in raw {
        let mut deny = Vec::new();
        for capability in &raw_plugin.deny {
            match Capability::ALL.iter().find(|c| c.as_str() == capability.get_ref()) {
                Some(c) => deny.push(*c),
                None => sink.at(
                    capability,
                    format!("unknown capability `{}` (tree, contents or history)", capability.get_ref()),
                ),
            }
        }
        if let Some(sha) = &raw_plugin.sha256
            && !(sha.get_ref().len() == 64 && sha.get_ref().chars().all(|c| c.is_ascii_hexdigit()))
        {
            sink.at(sha, format!("sha256 of plugin `{}` must be 64 hex digits", name.get_ref()));
        }
        if raw_plugin.sha256.is_some() && raw_plugin.path.is_none() {
            sink.at(&name, format!("plugin `{}` has a sha256 but no path", name.get_ref()));
        }
        plugins.insert(
            name.into_inner(),
            PluginPolicy {
                config: raw_plugin.config.map_or(Value::Object(Default::default()), json),
                path: raw_plugin.path.map(Spanned::into_inner),
                sha256: raw_plugin.sha256.map(|s| s.into_inner().to_ascii_lowercase()),
                deny,
            },
        );
    }
    plugins
}

/// `[[stages]]`: lowest first, each named once.
fn stages(raw: Vec<Spanned<RawStage>>, sink: &mut Sink<'_>) -> Vec<Stage> {
    let mut stages: Vec<Stage> = Vec::new();
    for raw_stage in raw {
        let line = sink.lines.of(&raw_stage);
        let raw_stage = raw_stage.into_inner();
        let name = raw_stage.name.get_ref().clone();
        let min_score = *raw_stage.min_score.get_ref();
        if !(0.0..=100.0).contains(&min_score) {
            sink.at(
                &raw_stage.min_score,
                format!("min_score of stage `{name}` must be between 0 and 100, not {min_score}"),
            );
        }
        if let Some(previous) = stages.last()
            && min_score < previous.min_score
        {
            sink.at(
                &raw_stage.min_score,
                format!(
                    "stages out of order: `{name}` (min_score {min_score}) comes after `{}` (min_score {}); list stages from the lowest to the highest",
                    previous.name, previous.min_score
                ));
        }
        if stages.iter().any(|s| s.name == name) {
            sink.at(&raw_stage.name, format!("stage `{name}` is defined twice"));
        }
        let mut category_min = BTreeMap::new();
        for (category, minimum) in raw_stage.category_min {
            if !(0.0..=100.0).contains(minimum.get_ref()) {
                sink.at(&minimum, format!("category minimum for `{}` must be between 0 and 100", category.get_ref()));
            }
            category_min.insert(category.into_inner(), minimum.into_inner());
        }
        let located = |items: Vec<Spanned<String>>| -> Vec<Located<String>> {
            items.into_iter().map(|s| Located { line: sink.lines.of(&s), value: s.into_inner() }).collect()
        };
        stages.push(Stage {
            name,
            min_score,
            require: located(raw_stage.require),
            allow_warn: located(raw_stage.allow_warn),
            category_min,
            attestations: located(raw_stage.attestations),
            line,
        });
    }
    if stages.is_empty() {
        sink.push(1, "the policy defines no stages (add [[stages]] tables, lowest first)".to_owned());
    }
    stages
}

/// `[kinds.<name>]`: the checks each kind leaves out.
fn kinds(raw: BTreeMap<Spanned<String>, RawKind>, sink: &Sink<'_>) -> BTreeMap<String, Vec<Located<String>>> {
    let mut kinds = BTreeMap::new();
    for (name, kind) in raw {
        let exclude =
            kind.exclude.into_iter().map(|s| Located { line: sink.lines.of(&s), value: s.into_inner() }).collect();
        kinds.insert(name.into_inner(), exclude);
    }
    kinds
}

/// `[[exemptions]]`: complete, dated and not expired before `today`.
fn exemptions(raw: Vec<Spanned<RawExemption>>, today: jiff::civil::Date, sink: &mut Sink<'_>) -> Vec<Exemption> {
    let mut exemptions = Vec::new();
    for raw_exemption in raw {
        let line = sink.lines.of(&raw_exemption);
        let raw_exemption = raw_exemption.into_inner();
        let mut missing = Vec::new();
        let mut field = |value: &Option<Spanned<String>>, name: &'static str| -> String {
            match value {
                Some(v) if !v.get_ref().trim().is_empty() => v.get_ref().clone(),
                _ => {
                    missing.push(name);
                    String::new()
                }
            }
        };
        let repository = field(&raw_exemption.repository, "repository");
        let check = field(&raw_exemption.check, "check");
        let reason = field(&raw_exemption.reason, "reason");
        let approver = field(&raw_exemption.approver, "approver");
        if !missing.is_empty() {
            sink.push(line, format!("exemption is missing {}", missing.join(", ")));
        }
        let expires = match &raw_exemption.expires {
            None => {
                sink.push(line, "exemption has no `expires` date (YYYY-MM-DD)".to_owned());
                None
            }
            Some(value) => {
                let text = match value.get_ref() {
                    toml::Value::Datetime(d) => d.to_string(),
                    toml::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                match text.parse::<jiff::civil::Date>() {
                    Ok(date) => Some(date),
                    Err(_) => {
                        sink.at(value, format!("exemption `expires` must be a date (YYYY-MM-DD), not {text}"));
                        None
                    }
                }
            }
        };
        if let Some(expires) = expires {
            if expires < today {
                sink.push(
                    line,
                    format!("exemption for `{check}` on `{repository}` expired on {expires}; renew it with a new date or remove it"));
            }
            let check_line = raw_exemption.check.as_ref().map_or(line, |c| sink.lines.of(c));
            exemptions.push(Exemption {
                repository,
                check: Located { value: check, line: check_line },
                reason,
                approver,
                expires,
            });
        }
    }
    exemptions
}

/// `[attestations.<item>]`.
fn attestations(
    raw: BTreeMap<Spanned<String>, RawAttestation>,
    sink: &mut Sink<'_>,
) -> BTreeMap<String, AttestationItem> {
    let mut attestations = BTreeMap::new();
    for (name, item) in raw {
        let max_age_days = item.max_age_days.as_ref().and_then(|d| days(d, "max_age_days", sink));
        attestations.insert(
            name.into_inner(),
            AttestationItem {
                title: item.title,
                description: item.description,
                signers: item.signers,
                allowed_signers: item.allowed_signers,
                max_age_days,
            },
        );
    }
    attestations
}

/// The `[categories]` of the built-in default policy: the one place
/// category weights are set when a policy does not set them.
fn default_category_weights() -> BTreeMap<String, f64> {
    #[derive(Deserialize)]
    struct Categories {
        #[serde(default)]
        categories: BTreeMap<String, f64>,
    }
    static WEIGHTS: std::sync::OnceLock<BTreeMap<String, f64>> = std::sync::OnceLock::new();
    WEIGHTS
        .get_or_init(|| toml::from_str::<Categories>(DEFAULT_POLICY).map(|c| c.categories).unwrap_or_default())
        .clone()
}

/// The default validity of an attestation signature: two years.
pub const DEFAULT_ATTESTATION_MAX_AGE_DAYS: u32 = 730;

/// Parses gap kinds (`binary`, `too-large`...), noting unknown ones.
fn gap_kinds(items: &[Spanned<String>], sink: &mut Sink<'_>) -> Vec<GapKind> {
    let mut kinds = Vec::new();
    for item in items {
        match GapKind::ALL.iter().find(|k| k.as_str() == item.get_ref()) {
            Some(kind) => kinds.push(*kind),
            None => sink.at(
                item,
                format!(
                    "unknown kind of unread content `{}` ({})",
                    item.get_ref(),
                    GapKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
                ),
            ),
        }
    }
    kinds
}

/// A day count in 1..=36500, noting anything else.
fn days(value: &Spanned<i64>, what: &str, sink: &mut Sink<'_>) -> Option<u32> {
    match u32::try_from(*value.get_ref()) {
        Ok(days @ 1..=36_500) => Some(days),
        _ => {
            sink.at(value, format!("{what} must be a number of days from 1 to 36500"));
            None
        }
    }
}

/// A configuration table as JSON, as plugins receive it: TOML dates and
/// times become RFC 3339 strings, so that a setting reads the same whether
/// it came from the policy or from `--config` JSON.
fn json(table: toml::Table) -> Value {
    fn convert(value: toml::Value) -> Value {
        match value {
            toml::Value::String(s) => Value::String(s),
            toml::Value::Integer(i) => Value::from(i),
            toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
            toml::Value::Boolean(b) => Value::Bool(b),
            toml::Value::Datetime(d) => Value::String(d.to_string()),
            toml::Value::Array(items) => Value::Array(items.into_iter().map(convert).collect()),
            toml::Value::Table(table) => Value::Object(table.into_iter().map(|(k, v)| (k, convert(v))).collect()),
        }
    }
    convert(toml::Value::Table(table))
}

impl Policy {
    /// The built-in default policy.
    pub fn default_policy() -> Policy {
        // The default policy is part of the binary and covered by tests.
        Policy::parse(DEFAULT_POLICY, "built-in default", jiff::civil::date(2000, 1, 1))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Parses and checks the structure of a policy. `file` names it in
    /// errors; exemptions that expired before `today` are errors.
    pub fn parse(text: &str, file: &str, today: jiff::civil::Date) -> Result<Policy, FileErrors> {
        let raw: RawPolicy = toml::from_str(text).map_err(|err| FileErrors::from_toml(file, text, &err))?;
        let mut sink = Sink::new(text);
        let categories = categories(raw.categories, &mut sink);
        let (checks, check_lines) = checks(raw.checks, &mut sink);
        let plugins = plugins(raw.plugins, &mut sink);
        let stages = stages(raw.stages, &mut sink);
        let kinds = kinds(raw.kinds, &sink);
        let exemptions = exemptions(raw.exemptions, today, &mut sink);
        let attestations = attestations(raw.attestations, &mut sink);
        let accept_unread = gap_kinds(&raw.accept_unread, &mut sink);
        let publish = publish::publish(raw.publish, &mut sink);
        let organization = organization::organization(raw.organization, &mut sink);
        let rules = rules::rules(raw.rules, &categories, &mut sink);
        let attestation_max_age_days = raw
            .attestation_max_age_days
            .as_ref()
            .and_then(|d| days(d, "attestation_max_age_days", &mut sink))
            .unwrap_or(DEFAULT_ATTESTATION_MAX_AGE_DAYS);
        let self_declared_kinds: Vec<String> = raw.self_declared_kinds.iter().map(|k| k.get_ref().clone()).collect();
        for kind in &raw.self_declared_kinds {
            if !kinds.contains_key(kind.get_ref()) {
                sink.at(kind, format!("self_declared_kinds names `{}`, which [kinds] does not define", kind.get_ref()));
            }
        }
        for stage in &stages {
            for item in &stage.attestations {
                if !attestations.contains_key(&item.value) {
                    sink.push(
                        item.line,
                        format!(
                            "stage `{}` requires attestation `{}`, which [attestations] does not define",
                            stage.name, item.value
                        ),
                    );
                }
            }
        }

        sink.finish(file)?;
        Ok(Policy {
            source: file.to_owned(),
            digest: hex::encode(Sha256::digest(text.as_bytes())),
            categories,
            checks,
            check_lines,
            plugins,
            ignore: raw.ignore,
            stages,
            kinds,
            exemptions,
            attestations,
            accept_unread,
            allowed_signers: raw.allowed_signers.map(Spanned::into_inner),
            attestation_max_age_days,
            self_declared_kinds,
            signer_files: BTreeMap::new(),
            publish,
            rules,
            organization,
            text: text.to_owned(),
        })
    }

    /// The allowed_signers files the policy names, as written.
    /// The files plugin configurations name: every `<name>_files` key of a
    /// plugin's table whose value is a path or a list of paths (relative to
    /// the policy), as (plugin, key, paths). Other values (a number such as
    /// the license plugin's `header_max_files`) are the plugin's own.
    pub fn config_file_paths(&self) -> Vec<(String, String, Vec<String>)> {
        let mut found = Vec::new();
        for (plugin, policy) in &self.plugins {
            let Value::Object(table) = &policy.config else { continue };
            for (key, value) in table.iter().filter(|(key, _)| key.ends_with("_files")) {
                let paths = match value {
                    Value::Array(items) if items.iter().all(Value::is_string) => {
                        items.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()
                    }
                    Value::String(path) => vec![path.clone()],
                    _ => continue,
                };
                found.push((plugin.clone(), key.clone(), paths));
            }
        }
        found
    }

    /// Gives plugin `plugin` the texts of the files its `key` names, as
    /// `<name>_texts`, and makes them part of the policy's digest (a
    /// changed rules file is a changed policy).
    pub fn set_config_texts(&mut self, plugin: &str, key: &str, texts: Vec<String>) {
        let mut hasher = Sha256::new();
        hasher.update(self.digest.as_bytes());
        for text in &texts {
            hasher.update(Sha256::digest(text.as_bytes()));
        }
        self.digest = hex::encode(hasher.finalize());
        if let Some(Value::Object(table)) = self.plugins.get_mut(plugin).map(|p| &mut p.config) {
            let name = format!("{}_texts", key.trim_end_matches("_files"));
            table.insert(name, Value::Array(texts.into_iter().map(Value::String).collect()));
        }
    }

    pub fn signer_paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self.allowed_signers.iter().cloned().collect();
        paths.extend(self.attestations.values().filter_map(|a| a.allowed_signers.clone()));
        paths.sort();
        paths.dedup();
        paths
    }

    /// Checks every check id and pattern the policy names against the
    /// loaded plugins' checks, and the configuration tables of `plugins`
    /// against the schemas they declare. Ids of the plugins in `absent`
    /// (built-in plugins left out of this run) are not errors: they simply
    /// do not run.
    pub fn validate(&self, known: &[CheckMeta], plugins: &[&PluginMeta], absent: &[&str]) -> Result<(), FileErrors> {
        let ids: Vec<&str> = known.iter().map(|c| c.id.as_str()).collect();
        let of_absent =
            |id: &str| absent.iter().any(|plugin| id.strip_prefix(plugin).is_some_and(|rest| rest.starts_with('.')));
        let mut errors = Vec::new();
        let mut unknown = |id: &str, line: usize, context: &str| {
            if !ids.contains(&id) && !of_absent(id) {
                errors.push((line, format!("unknown check id `{id}` in {context}{}", suggestion(id, &ids))));
            }
        };
        for (id, line) in &self.check_lines {
            unknown(id, *line, "[checks]");
        }
        for stage in &self.stages {
            for id in &stage.require {
                unknown(&id.value, id.line, &format!("the `require` list of stage `{}`", stage.name));
            }
        }
        for exemption in &self.exemptions {
            unknown(&exemption.check.value, exemption.check.line, "an exemption");
        }
        for stage in &self.stages {
            for id in stage.allow_warn.iter().filter(|id| !stage.require.iter().any(|r| r.value == id.value)) {
                errors.push((
                    id.line,
                    format!(
                        "`allow_warn` of stage `{}` names `{}`, which its `require` list does not",
                        stage.name, id.value
                    ),
                ));
            }
        }
        for (kind, patterns) in &self.kinds {
            for pattern in patterns {
                let matches = ids.iter().any(|id| pattern_matches(&pattern.value, id));
                if !matches && !of_absent(&pattern.value) {
                    errors.push((
                        pattern.line,
                        format!(
                            "`{}` in kind `{kind}` matches no check{}",
                            pattern.value,
                            suggestion(&pattern.value, &ids)
                        ),
                    ));
                }
            }
        }
        errors.extend(self.config_errors(plugins));
        if errors.is_empty() {
            Ok(())
        } else {
            errors.sort();
            Err(FileErrors { file: self.source.clone(), errors })
        }
    }

    /// Checks only the configuration tables of `plugins` against their
    /// schemas (for a run of one plugin, whose policy names checks of others).
    pub fn validate_config(&self, plugins: &[&PluginMeta]) -> Result<(), FileErrors> {
        let mut errors = self.config_errors(plugins);
        if errors.is_empty() {
            return Ok(());
        }
        errors.sort();
        Err(FileErrors { file: self.source.clone(), errors })
    }

    /// The configuration tables that do not fit their plugin's schema.
    fn config_errors(&self, plugins: &[&PluginMeta]) -> Vec<(usize, String)> {
        // The texts fledge read for `*_files` keys are not what the user
        // wrote: validate the tables as written.
        let written = |table: &Value| -> Value {
            let mut table = table.clone();
            if let Value::Object(map) = &mut table {
                let read: Vec<String> =
                    map.keys().filter_map(|k| k.strip_suffix("_files").map(|name| format!("{name}_texts"))).collect();
                for key in read {
                    map.remove(&key);
                }
            }
            table
        };
        let tables: Vec<config::Tables> = plugins
            .iter()
            .map(|plugin| {
                let table = self
                    .plugins
                    .get(&plugin.name)
                    .map_or_else(|| Value::Object(Default::default()), |p| written(&p.config));
                let prefix = format!("{}.", plugin.name);
                let checks = self
                    .checks
                    .iter()
                    .filter(|(id, _)| id.starts_with(&prefix))
                    .filter_map(|(id, check)| check.config.clone().map(|c| (id.clone(), c)))
                    .collect();
                config::Tables { plugin: plugin.name.clone(), table, checks }
            })
            .collect();
        config::validate(&self.text, plugins, &tables)
    }

    /// The policy for check `id` (defaults when the policy says nothing).
    pub fn check(&self, id: &str) -> CheckPolicy {
        self.checks.get(id).cloned().unwrap_or(CheckPolicy { enabled: true, ..CheckPolicy::default() })
    }

    /// The kinds of unread content check `id` may pass with.
    pub fn accepted_unread(&self, id: &str) -> &[GapKind] {
        self.checks.get(id).and_then(|c| c.accept_unread.as_deref()).unwrap_or(&self.accept_unread)
    }

    /// True when kind `kind` leaves out check `id`.
    pub fn excluded_by_kind(&self, kind: Option<&str>, id: &str) -> bool {
        kind.and_then(|k| self.kinds.get(k))
            .is_some_and(|patterns| patterns.iter().any(|p| pattern_matches(&p.value, id)))
    }

    /// The configuration JSON for plugin `name`: its table, with each of its
    /// checks' own tables under `checks`.
    pub fn plugin_config(&self, name: &str) -> Value {
        let mut config = match self.plugins.get(name).map(|p| p.config.clone()) {
            Some(Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        };
        let prefix = format!("{name}.");
        let per_check: serde_json::Map<String, Value> = self
            .checks
            .iter()
            .filter(|(id, _)| id.starts_with(&prefix))
            .filter_map(|(id, check)| check.config.clone().map(|c| (id.clone(), c)))
            .collect();
        if !per_check.is_empty() {
            config.insert("checks".to_owned(), Value::Object(per_check));
        }
        if name == rules::PLUGIN && !self.rules.is_empty() {
            config.insert("rules".to_owned(), Value::Array(self.rules.iter().map(|r| r.config.clone()).collect()));
        }
        Value::Object(config)
    }
}

/// Why `regex::Regex::new` refused a pattern, in one line (its message
/// repeats the pattern and points at it over several lines).
fn regex_reason(err: &regex::Error) -> String {
    let text = err.to_string();
    crate::text::printable(text.lines().last().unwrap_or_default().trim()).into_owned()
}

/// `quality.*` matches every quality check; other patterns are exact ids.
pub fn pattern_matches(pattern: &str, id: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => id.starts_with(prefix),
        None => pattern == id,
    }
}

/// " (did you mean `x`?)" for the closest known id, if close enough.
fn suggestion(id: &str, known: &[&str]) -> String {
    crate::text::did_you_mean(id, known)
}

#[cfg(test)]
mod tests;

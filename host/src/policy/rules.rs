//! `[[rules]]`: the policy's declarative checks, run by the built-in `rules`
//! plugin as `rules.<id>`. Checked here, at the line they are written on,
//! so that a bad regex or glob is refused by `fledge policy check` rather
//! than found by a check run.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};
use toml::Spanned;

use crate::located::Sink;
use crate::model::CheckMeta;
use crate::text::printable;

/// The plugin that runs the rules; their check ids start with its name.
pub const PLUGIN: &str = "rules";

const SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "info"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    id: Spanned<String>,
    title: String,
    category: Option<Spanned<String>>,
    weight: Option<Spanned<i64>>,
    paths: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    pattern: Option<Spanned<String>>,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    absent: bool,
    message: String,
    remediation: String,
    rationale: Option<String>,
    severity: Option<Spanned<String>>,
}

/// A checked rule: its check's metadata and what the plugin is given.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub meta: CheckMeta,
    pub line: usize,
    /// The rule as the `rules` plugin reads it.
    pub config: Value,
}

/// Checks the `[[rules]]` tables; `categories` are the policy's.
pub(super) fn rules(raw: Vec<Spanned<RawRule>>, categories: &BTreeMap<String, f64>, sink: &mut Sink<'_>) -> Vec<Rule> {
    let mut rules: Vec<Rule> = Vec::new();
    for spanned in raw {
        let line = sink.lines.of(&spanned);
        let raw = spanned.into_inner();
        let id = raw.id.get_ref();
        let kebab = !id.is_empty()
            && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !id.starts_with('-');
        if !kebab {
            sink.at(&raw.id, format!("rule id `{}` must be kebab-case (its check is `rules.<id>`)", printable(id)));
        }
        if rules.iter().any(|r| r.meta.id == format!("{PLUGIN}.{id}")) {
            sink.at(&raw.id, format!("rule `{}` is defined twice", printable(id)));
        }
        if raw.title.trim().is_empty() || raw.message.trim().is_empty() || raw.remediation.trim().is_empty() {
            sink.push(line, format!("rule `{}` needs a title, a message and a remediation", printable(id)));
        }
        if raw.paths.get_ref().is_empty() {
            sink.at(&raw.paths, format!("rule `{}` names no `paths`", printable(id)));
        }
        for glob in raw.paths.get_ref().iter().chain(&raw.exclude) {
            if let Err(err) = globset::Glob::new(glob.get_ref()) {
                sink.at(
                    glob,
                    format!(
                        "`{}` in rule `{}` is not a glob: {}",
                        printable(glob.get_ref()),
                        printable(id),
                        err.kind()
                    ),
                );
            }
        }
        if let Some(pattern) = &raw.pattern
            && let Err(err) = regex::Regex::new(pattern.get_ref())
        {
            sink.at(
                pattern,
                format!("pattern of rule `{}` is not a regex: {}", printable(id), super::regex_reason(&err)),
            );
        }
        match (&raw.pattern, raw.required, raw.absent) {
            (Some(pattern), _, true) => sink.at(
                pattern,
                format!(
                    "rule `{}` has a `pattern` and `absent`: `absent` is for files that must not exist",
                    printable(id)
                ),
            ),
            (None, true, _) => sink.push(line, format!("rule `{}` is `required` but has no `pattern`", printable(id))),
            _ => {}
        }
        if let Some(severity) = &raw.severity
            && !SEVERITIES.contains(&severity.get_ref().as_str())
        {
            sink.at(
                severity,
                format!(
                    "severity of rule `{}` must be one of {}, not `{}`",
                    printable(id),
                    SEVERITIES.join(", "),
                    printable(severity.get_ref())
                ),
            );
        }
        let category = raw.category.as_ref().map_or("quality", |c| c.get_ref().as_str()).to_owned();
        if let Some(spanned) = &raw.category
            && !categories.contains_key(&category)
        {
            let known: Vec<&str> = categories.keys().map(String::as_str).collect();
            sink.at(
                spanned,
                format!(
                    "category `{}` of rule `{}` is not one of the policy's [categories]{}",
                    printable(&category),
                    printable(id),
                    crate::text::did_you_mean(&category, &known)
                ),
            );
        }
        let weight = match &raw.weight {
            None => 1,
            Some(w) => match u32::try_from(*w.get_ref()) {
                Ok(w) if (1..=1_000_000).contains(&w) => w,
                _ => {
                    sink.at(w, format!("weight of rule `{}` must be a whole number from 1 to 1000000", printable(id)));
                    1
                }
            },
        };
        let paths: Vec<String> = raw.paths.get_ref().iter().map(|p| p.get_ref().clone()).collect();
        let exclude: Vec<String> = raw.exclude.iter().map(|p| p.get_ref().clone()).collect();
        let pattern = raw.pattern.as_ref().map(|p| p.get_ref().clone());
        let looks_at = match (&pattern, raw.absent, raw.required) {
            (Some(p), _, true) => format!("every file matching `{}` must match the regex `{p}`.", paths.join("`, `")),
            (Some(p), _, false) => {
                format!("lines matching the regex `{p}` in files matching `{}`.", paths.join("`, `"))
            }
            (None, true, _) => format!("no file may match `{}`.", paths.join("`, `")),
            (None, false, _) => format!("a file matching `{}` must exist.", paths.join("`, `")),
        };
        let severity = raw.severity.as_ref().map(|s| s.get_ref().clone());
        rules.push(Rule {
            line,
            meta: CheckMeta {
                id: format!("{PLUGIN}.{id}"),
                title: raw.title.clone(),
                category,
                weight,
                rationale: raw.rationale.clone().unwrap_or_else(|| raw.message.clone()),
                remediation: raw.remediation.clone(),
                looks_at,
            },
            config: json!({
                "id": id,
                "title": raw.title,
                "paths": paths,
                "exclude": exclude,
                "pattern": pattern,
                "required": raw.required,
                "absent": raw.absent,
                "message": raw.message,
                "remediation": raw.remediation,
                "severity": severity,
            }),
        });
    }
    rules
}

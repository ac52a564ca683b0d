//! Plugin configuration checked against the schema each plugin declares:
//! every `[plugins.<name>.config]` table, and every `[checks."<id>".config]`
//! table merged over it, with errors at the line of the offending key and
//! a did-you-mean for a misspelt one. A plugin that declares no schema is
//! not checked.

use serde_json::Value;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::located::Lines;
use crate::model::PluginMeta;
use crate::model::schema::follow_ref;
use crate::text::{did_you_mean, printable};

use jsonschema::error::{TypeKind, ValidationErrorKind};

/// The validator of a configuration schema, or why it is not a schema.
fn compile(schema: &Value) -> Result<jsonschema::Validator, String> {
    jsonschema::validator_for(schema).map_err(|e| e.to_string())
}

/// One step into a configuration value: a key or an array index.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

/// Where a configuration table is written: its path in the policy's TOML.
struct Table<'a> {
    /// The keys leading to the table (`plugins`, `secrets`, `config`).
    path: Vec<&'a str>,
    /// How errors name it (`[plugins.secrets.config]`).
    label: String,
}

/// A plugin's configuration as the policy writes it: its own table and
/// its checks' tables.
pub struct Tables {
    pub plugin: String,
    pub table: Value,
    /// (check id, table).
    pub checks: Vec<(String, Value)>,
}

/// Validates the configuration tables of `policy_text` against the schemas
/// of `plugins`. Returns (line, message) pairs.
pub fn validate(policy_text: &str, plugins: &[&PluginMeta], configs: &[Tables]) -> Vec<(usize, String)> {
    let document = DeTable::parse(policy_text).ok();
    let lines = Lines(policy_text);
    let mut errors = Vec::new();
    for Tables { plugin: name, table: plugin_table, checks: check_tables } in configs {
        let Some(schema) = plugins.iter().find(|p| p.name == *name).and_then(|p| p.config_schema.as_ref()) else {
            continue;
        };
        let Ok(validator) = compile(schema) else { continue };
        let table = Table {
            path: vec!["plugins", name.as_str(), "config"],
            label: format!("[plugins.{}.config]", printable(name)),
        };
        for (path, message) in problems(&validator, schema, plugin_table, None) {
            errors.push((line_of(document.as_ref(), &lines, &table.path, &path), at(&table.label, &path, message)));
        }
        for (id, check_table) in check_tables {
            let mut merged = (*plugin_table).clone();
            overlay(&mut merged, check_table);
            let table =
                Table { path: vec!["checks", id, "config"], label: format!("[checks.\"{}\".config]", printable(id)) };
            for (path, message) in problems(&validator, schema, &merged, Some(check_table)) {
                errors.push((line_of(document.as_ref(), &lines, &table.path, &path), at(&table.label, &path, message)));
            }
        }
    }
    errors
}

/// The problems of `config` under `schema`, each at a path of keys. With
/// `only_in`, only those at keys that table sets (a check's table merged
/// over its plugin's: the plugin's own keys are reported once, for it).
fn problems(
    validator: &jsonschema::Validator,
    schema: &Value,
    config: &Value,
    only_in: Option<&Value>,
) -> Vec<(Vec<Step>, String)> {
    let mut found = Vec::new();
    for error in validator.iter_errors(config) {
        let path = steps(error.instance_path().as_str());
        let (path, message) = match error.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let known = known_keys(schema, &path);
                let known: Vec<&str> = known.iter().map(String::as_str).collect();
                for key in unexpected {
                    let mut at = path.clone();
                    at.push(Step::Key(key.clone()));
                    let message = format!("unknown key `{}`{}", printable(key), did_you_mean(key, &known));
                    found.push((at, message));
                }
                continue;
            }
            // `additionalProperties: false` with no `properties` (a plugin
            // without settings) refuses each key as a false schema.
            ValidationErrorKind::FalseSchema if matches!(path.last(), Some(Step::Key(_))) => {
                let mut parent = path.clone();
                let Some(Step::Key(key)) = parent.pop() else { continue };
                let known = known_keys(schema, &parent);
                let known: Vec<&str> = known.iter().map(String::as_str).collect();
                (path, format!("unknown key `{}`{}", printable(&key), did_you_mean(&key, &known)))
            }
            ValidationErrorKind::Required { property } => {
                let key = property.as_str().map_or_else(|| property.to_string(), str::to_owned);
                (path, format!("lacks the required key `{}`", printable(&key)))
            }
            ValidationErrorKind::Type { kind } => (path, format!("must be {}", types(kind))),
            ValidationErrorKind::Enum { options } => {
                let options: Vec<String> = options
                    .as_array()
                    .map_or_else(Vec::new, |o| o.iter().map(|v| printable(&v.to_string()).into_owned()).collect());
                (path, format!("must be one of {}", options.join(", ")))
            }
            ValidationErrorKind::Minimum { limit } => (path, format!("must be at least {limit}")),
            ValidationErrorKind::Maximum { limit } => (path, format!("must be at most {limit}")),
            _ => (path, printable(&error.to_string()).into_owned()),
        };
        found.push((path, message));
    }
    if let Some(table) = only_in {
        found.retain(|(path, _)| match path.first() {
            Some(Step::Key(key)) => table.get(key).is_some(),
            _ => false,
        });
    }
    found.sort_by(|a, b| a.1.cmp(&b.1));
    found.dedup();
    found
}

/// "`history.max_commits` in [plugins.secrets.config]: must be …".
fn at(label: &str, path: &[Step], message: String) -> String {
    if path.is_empty() {
        return format!("{label}: {message}");
    }
    let mut shown = String::new();
    for step in path {
        match step {
            Step::Key(key) if shown.is_empty() => shown.push_str(&printable(key)),
            Step::Key(key) => {
                shown.push('.');
                shown.push_str(&printable(key));
            }
            Step::Index(i) => shown.push_str(&format!("[{i}]")),
        }
    }
    match message.strip_prefix("unknown key ") {
        Some(rest) => format!("unknown key {rest} in {label}"),
        None => format!("`{shown}` in {label} {message}"),
    }
}

/// The steps of a JSON pointer.
fn steps(pointer: &str) -> Vec<Step> {
    pointer
        .split('/')
        .skip(1)
        .map(|raw| {
            let key = raw.replace("~1", "/").replace("~0", "~");
            match key.parse::<usize>() {
                Ok(index) => Step::Index(index),
                Err(_) => Step::Key(key),
            }
        })
        .collect()
}

/// A type set in the words of TOML.
fn types(kind: &TypeKind) -> String {
    let names: Vec<String> = match kind {
        TypeKind::Single(t) => vec![t.to_string()],
        TypeKind::Multiple(set) => set.iter().map(|t| t.to_string()).collect(),
    };
    let words: Vec<&str> = names
        .iter()
        .filter_map(|t| match t.as_str() {
            "array" => Some("an array"),
            "object" => Some("a table"),
            "integer" => Some("an integer"),
            "number" => Some("a number"),
            "string" => Some("a string"),
            "boolean" => Some("true or false"),
            _ => None,
        })
        .collect();
    words.join(" or ")
}

/// The keys the schema knows at `path` (to suggest one for a misspelt key).
fn known_keys(schema: &Value, path: &[Step]) -> Vec<String> {
    let mut node = resolve(schema, schema);
    for step in path {
        let next = match step {
            Step::Key(key) => node
                .get("properties")
                .and_then(|p| p.get(key))
                .or_else(|| node.get("additionalProperties").filter(|v| v.is_object())),
            Step::Index(_) => node.get("items"),
        };
        let Some(next) = next else { return Vec::new() };
        node = resolve(schema, next);
    }
    node.get("properties").and_then(Value::as_object).map_or_else(Vec::new, |p| p.keys().cloned().collect())
}

/// `node` with local `$ref`s followed and an `anyOf` (an optional value)
/// narrowed to its table branch.
fn resolve<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    let node = follow_ref(root, node);
    let branch = node
        .get("anyOf")
        .and_then(Value::as_array)
        .and_then(|branches| branches.iter().find(|b| b.get("$ref").is_some() || b.get("properties").is_some()));
    branch.map_or(node, |branch| follow_ref(root, branch))
}

/// The line of the value at `table` + `path` in the policy, or of the
/// nearest enclosing one that is there.
fn line_of(document: Option<&Spanned<DeTable<'_>>>, lines: &Lines<'_>, table: &[&str], path: &[Step]) -> usize {
    let Some(document) = document else { return 1 };
    let mut line = 1;
    let mut current: Option<&Spanned<DeValue<'_>>> = None;
    let mut keys: Vec<Step> = table.iter().map(|k| Step::Key((*k).to_owned())).collect();
    keys.extend(path.iter().cloned());
    for step in &keys {
        let next = match (current.map(Spanned::get_ref), step) {
            (None, Step::Key(key)) => find(document.get_ref(), key),
            (Some(DeValue::Table(t)), Step::Key(key)) => find(t, key),
            (Some(DeValue::Array(items)), Step::Index(i)) => items.get(*i).map(|item| (item, item.span().start)),
            _ => None,
        };
        match next {
            Some((value, offset)) => {
                line = lines.at(offset);
                current = Some(value);
            }
            None => break,
        }
    }
    line
}

/// The value under `key` and the offset of the key.
fn find<'t, 'i>(table: &'t DeTable<'i>, key: &str) -> Option<(&'t Spanned<DeValue<'i>>, usize)> {
    table.iter().find(|(k, _)| k.get_ref().as_ref() == key).map(|(k, v)| (v, k.span().start))
}

/// Sets every key of `over` in `base`, merging tables recursively (as the
/// SDK merges a check's table over its plugin's).
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

//! The check reference: every check of the loaded plugins, with what it
//! looks at, why it matters and how to fix it, as Markdown
//! (`fledge plugins --format markdown`, committed as `docs/checks.md`).

use serde_json::Value;

use crate::model::schema::follow_ref;
use crate::model::{Capability, PluginMeta};
use crate::text::printable_lines;

/// What the page says before the plugins.
const INTRO: &str = "\
# Checks

Every check fledge runs, grouped by the plugin that provides it. Each entry
gives the check id (stable: ids never change once released), its category
and default weight, what it looks at, why it matters before publishing, and
how to fix a failure. This page is the output of `fledge plugins --format
markdown`: the plugins describe themselves, and a test keeps the page equal
to what they say.

Statuses: `pass`, `warn` (acceptable with a reservation; scores 50 unless
the check says otherwise), `fail`, `skip` (does not apply; not scored),
`error` (could not be evaluated; scores 0), and `exempt` (set by a policy
exemption; scores 100).

\"Conventional places\" means the repository root, `.github/`, `docs/`,
`doc/` and `.gitlab/`; file names match case-insensitively, with any
extension, ignoring `-`, `_` and spaces (`CODE_OF_CONDUCT.md`,
`code-of-conduct.rst` and `CodeOfConduct` are the same name).
";

/// The reference page for `plugins`, in their order.
pub fn markdown(plugins: &[&PluginMeta]) -> String {
    let mut out = String::from(INTRO);
    for plugin in plugins {
        out.push_str(&format!("\n## `{}` plugin\n\n", one_line(&plugin.name)));
        out.push_str(&format!("{}. Reads {}.\n", one_line(&plugin.description), reads(&plugin.reads)));
        if !plugin.about.trim().is_empty() {
            out.push_str(&format!("\n{}\n", printable_lines(plugin.about.trim())));
        }
        if let Some(schema) = &plugin.config_schema {
            out.push_str(&settings(&plugin.name, schema));
        }
        for check in &plugin.checks {
            out.push_str(&format!("\n### `{}`: {}\n", one_line(&check.id), one_line(&check.title)));
            out.push_str(&format!("- Category: {}, weight {}.\n", one_line(&check.category), check.weight));
            if !check.looks_at.trim().is_empty() {
                let looks_at = printable_lines(check.looks_at.trim()).replace('\n', "\n  ");
                out.push_str(&format!("- Looks at: {looks_at}\n"));
            }
            out.push_str(&format!("- Why: {}\n", one_line(&check.rationale)));
            out.push_str(&format!("- Fix: {}\n", one_line(&check.remediation)));
        }
    }
    out
}

/// The keys of a plugin's configuration, from the schema it declares.
fn settings(name: &str, schema: &Value) -> String {
    let keys = schema.get("properties").and_then(Value::as_object).filter(|p| !p.is_empty());
    let Some(keys) = keys else {
        return format!(
            "\nSettings: none (`fledge policy check` refuses any key in `[plugins.{}.config]`).\n",
            one_line(name)
        );
    };
    let mut out = format!("\nSettings (`[plugins.{}.config]`, checked by `fledge policy check`):\n\n", one_line(name));
    out.push_str("| Key | Type | Meaning |\n|---|---|---|\n");
    for (key, property) in keys {
        let description = property.get("description").and_then(Value::as_str).unwrap_or_default();
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            one_line(key),
            type_name(schema, property),
            one_line(description).replace('|', "\\|")
        ));
    }
    out
}

/// A schema's type in words: `string`, `array of strings`, `table`...
/// Nesting is followed a few levels deep (a schema is a plugin's word, and
/// may refer to itself).
fn type_name(root: &Value, node: &Value) -> String {
    nested_type_name(root, node, 4)
}

fn nested_type_name(root: &Value, node: &Value, depth: usize) -> String {
    let Some(depth) = depth.checked_sub(1) else { return "any".to_owned() };
    let node = follow_ref(root, node);
    if let Some(branches) = node.get("anyOf").and_then(Value::as_array) {
        let names: Vec<String> = branches
            .iter()
            .filter(|b| b.get("type") != Some(&Value::from("null")))
            .map(|b| nested_type_name(root, b, depth))
            .collect();
        return names.join(" or ");
    }
    let types: Vec<&str> = match node.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).filter(|t| *t != "null").collect(),
        _ => Vec::new(),
    };
    let words: Vec<String> = types
        .iter()
        .map(|t| match *t {
            "array" => match node.get("items") {
                Some(items) => format!("array of {}", plural(&nested_type_name(root, items, depth))),
                None => "array".to_owned(),
            },
            "object" if node.get("additionalProperties").is_some_and(Value::is_object) => {
                let values =
                    node.get("additionalProperties").map(|v| nested_type_name(root, v, depth)).unwrap_or_default();
                format!("table of {}", plural(&values))
            }
            "object" => "table".to_owned(),
            "boolean" => "true or false".to_owned(),
            other => other.to_owned(),
        })
        .collect();
    if words.is_empty() { "any".to_owned() } else { words.join(" or ") }
}

/// "strings", "tables", "arrays of strings".
fn plural(name: &str) -> String {
    match name.split_once(' ') {
        Some((first, rest)) => format!("{first}s {rest}"),
        None if name == "true or false" => "booleans".to_owned(),
        None => format!("{name}s"),
    }
}

fn one_line(text: &str) -> String {
    printable_lines(text).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// "the tree, file contents and the history".
fn reads(capabilities: &[Capability]) -> String {
    let names: Vec<&str> = capabilities
        .iter()
        .map(|c| match c {
            Capability::Tree => "the file list",
            Capability::Contents => "file contents",
            Capability::History => "the history",
        })
        .collect();
    match names.as_slice() {
        [] => "nothing".to_owned(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schema_that_refers_to_itself_is_named_without_looping() {
        let schema = serde_json::json!({
            "type": "object",
            "properties": {"me": {"$ref": "#"}, "list": {"type": "array", "items": {"$ref": "#/properties/list"}}}
        });
        let table = settings("loop", &schema);
        assert!(table.contains("| `me` | table |"), "{table}");
        assert!(table.contains("| `list` | array of arrays of arrays of arrays of anys |"), "{table}");
    }
    use crate::model::CheckMeta;

    #[test]
    fn a_plugin_renders_as_a_section_with_one_entry_per_check() {
        let plugin = PluginMeta {
            name: "acme".to_owned(),
            version: "1.0.0".to_owned(),
            description: "ACME's rules".to_owned(),
            about: "How it works.\n\nConfiguration: `owner`.".to_owned(),
            reads: vec![Capability::Tree, Capability::Contents],
            config_schema: None,
            checks: vec![CheckMeta {
                id: "acme.notice".to_owned(),
                title: "A NOTICE\nfile".to_owned(),
                category: "license".to_owned(),
                weight: 2,
                rationale: "Say who owns it.".to_owned(),
                remediation: "Add NOTICE.".to_owned(),
                looks_at: "NOTICE at the root.\nFails without one.".to_owned(),
            }],
        };
        let page = markdown(&[&plugin]);
        let section = page.split_once("\n## ").map(|(_, s)| s).unwrap_or_default();
        assert_eq!(
            section,
            "`acme` plugin\n\nACME's rules. Reads the file list and file contents.\n\nHow it works.\n\n\
             Configuration: `owner`.\n\n### `acme.notice`: A NOTICE file\n- Category: license, weight 2.\n\
             - Looks at: NOTICE at the root.\n  Fails without one.\n- Why: Say who owns it.\n- Fix: Add NOTICE.\n"
        );
    }
}

//! The JSON Schemas plugins declare for their configuration: what the
//! policy check and the check reference both need to walk them.

use serde_json::Value;

/// How many local `$ref`s are followed in a row: a schema is a plugin's
/// word, and `{"$ref": "#"}` must not loop.
const MAX_REFS: usize = 16;

/// `node`, with a chain of local `$ref`s (`#/$defs/Allow`) followed; a
/// reference that points nowhere, or a chain that does not end, leaves the
/// node where it stopped.
pub fn follow_ref<'a>(root: &'a Value, mut node: &'a Value) -> &'a Value {
    for _ in 0..MAX_REFS {
        let target = node.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#'));
        match target.and_then(|t| root.pointer(t)) {
            Some(found) => node = found,
            None => return node,
        }
    }
    node
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn references_are_followed_and_loops_stop() {
        let schema = json!({"$ref": "#/$defs/A", "$defs": {"A": {"$ref": "#/$defs/B"}, "B": {"type": "string"}}});
        assert_eq!(super::follow_ref(&schema, &schema), &json!({"type": "string"}));
        let looping = json!({"$ref": "#"});
        assert_eq!(super::follow_ref(&looping, &looping), &looping);
    }
}

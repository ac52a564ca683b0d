//! Known non-standard variants of licenses, named as such when a license
//! file is a modified text: an OSPO reviewer recognises "BSD+Patents" or
//! "the Commons Clause" at once, where a list of added words needs reading.

/// What a variant is, and phrases (lower case, words only) that mark it.
const VARIANTS: &[(&str, &[&str])] = &[
    (
        "BSD+Patents (Facebook's additional grant of patent rights, which ends on patent litigation)",
        &["additional grant of patent rights"],
    ),
    ("the Commons Clause (no right to sell the software)", &["commons clause"]),
    ("a non-commercial restriction", &["non commercial", "noncommercial", "commercial purposes", "commercial use"]),
    (
        "a field-of-use restriction",
        &[
            "field of use",
            "shall not be used for",
            "may not be used for",
            "must not be used for",
            "shall not be used by",
            "may not be used by",
        ],
    ),
];

/// The known variants `text` carries, by name.
pub fn named(text: &str) -> Vec<&'static str> {
    let lower = text.to_lowercase();
    let words: String =
        lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
    VARIANTS.iter().filter(|(_, phrases)| phrases.iter().any(|p| words.contains(p))).map(|(name, _)| *name).collect()
}

#[cfg(test)]
mod tests {
    use super::named;

    #[test]
    fn variants_are_named() {
        assert_eq!(
            named("Additional Grant of Patent Rights Version 2\n\n\"Software\" means the React software"),
            ["BSD+Patents (Facebook's additional grant of patent rights, which ends on patent litigation)"]
        );
        assert_eq!(
            named("\"Commons Clause\" License Condition v1.0"),
            ["the Commons Clause (no right to sell the software)"]
        );
        assert_eq!(
            named("The Software shall not be used for commercial purposes."),
            ["a non-commercial restriction", "a field-of-use restriction"]
        );
        assert!(named("Permission is hereby granted, free of charge").is_empty());
    }
}

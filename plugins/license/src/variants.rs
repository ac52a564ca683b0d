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

/// Lower-case words of letters and digits joined by single spaces, so
/// that a phrase matches across comment markers, punctuation and line
/// breaks (`" * GNU\n * General"` holds "gnu general").
pub fn plain_words(text: &str) -> String {
    text.to_lowercase().split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// The known variants `text` carries, by name.
pub fn named(text: &str) -> Vec<&'static str> {
    let words = plain_words(text);
    VARIANTS.iter().filter(|(_, phrases)| phrases.iter().any(|p| words.contains(p))).map(|(name, _)| *name).collect()
}

/// "with X and Y" for the distinct variants `names` holds, in order;
/// `None` when there are none.
pub fn note<'a>(names: impl IntoIterator<Item = &'a &'static str>) -> Option<String> {
    let mut distinct: Vec<&str> = Vec::new();
    for name in names {
        if !distinct.contains(name) {
            distinct.push(name);
        }
    }
    (!distinct.is_empty()).then(|| format!("with {}", distinct.join(" and ")))
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

//! Which license a source file's header names, to tell files that carry
//! another license than the project's (code copied from elsewhere, under
//! its own terms) from files that carry the project's own.
//!
//! Licenses are compared by kind (`GPL`, `CDDL`, `Apache`...): a header
//! that names any kind of the project's license is the project's.

/// A kind of license: its SPDX id prefixes and phrases of its own header.
struct Kind {
    name: &'static str,
    ids: &'static [&'static str],
    phrases: &'static [&'static str],
}

const KINDS: &[Kind] = &[
    Kind { name: "Apache", ids: &["Apache-"], phrases: &["apache license"] },
    Kind { name: "MIT", ids: &["MIT", "X11"], phrases: &["permission is hereby granted free of charge"] },
    Kind { name: "BSD", ids: &["BSD-", "0BSD"], phrases: &["redistribution and use in source and binary forms"] },
    Kind { name: "GPL", ids: &["GPL-"], phrases: &["gnu general public license", "gnu gpl"] },
    Kind {
        name: "LGPL",
        ids: &["LGPL-"],
        phrases: &["gnu lesser general public license", "gnu library general public license", "gnu lgpl"],
    },
    Kind { name: "AGPL", ids: &["AGPL-"], phrases: &["gnu affero general public license"] },
    Kind { name: "CDDL", ids: &["CDDL-"], phrases: &["common development and distribution license"] },
    Kind { name: "EPL", ids: &["EPL-"], phrases: &["eclipse public license"] },
    Kind { name: "MPL", ids: &["MPL-"], phrases: &["mozilla public license"] },
    Kind { name: "ISC", ids: &["ISC"], phrases: &[] },
    Kind { name: "Unlicense", ids: &["Unlicense"], phrases: &["this is free and unencumbered software"] },
    Kind { name: "BSL", ids: &["BSL-1.0"], phrases: &["boost software license"] },
    Kind { name: "CC0", ids: &["CC0-"], phrases: &[] },
    Kind { name: "Zlib", ids: &["Zlib"], phrases: &[] },
];

/// The kind of SPDX license `id`, if fledge knows it.
pub fn kind_of(id: &str) -> Option<&'static str> {
    let id = id.split(" WITH ").next().unwrap_or(id).trim();
    KINDS
        .iter()
        .find(|kind| kind.ids.iter().any(|prefix| id == *prefix || (prefix.ends_with('-') && id.starts_with(prefix))))
        .map(|kind| kind.name)
}

/// "a GPL/CDDL", "an Apache", "an MIT", "an LGPL": the article as the
/// name is read aloud (initialisms by their first letter's name).
pub fn with_article(name: &str) -> String {
    let vowel_sound =
        name.starts_with(['A', 'E', 'I', 'O', 'F', 'H', 'L', 'M', 'N', 'R', 'S', 'X']) || name.starts_with("Un");
    format!("{} {name}", if vowel_sound { "an" } else { "a" })
}

/// The kinds of license the header `head` (a file's first lines) names:
/// from its `SPDX-License-Identifier`, else from the licenses' own words.
pub fn header_kinds(head: &str) -> Vec<&'static str> {
    let mut kinds = Vec::new();
    // ASCII case folding keeps byte offsets, so `at` indexes `head` too.
    let lower = head.to_ascii_lowercase();
    if let Some(at) = lower.find("spdx-license-identifier:") {
        let value = head[at + "spdx-license-identifier:".len()..].lines().next().unwrap_or_default();
        let value = value.replace("*/", " ").replace("-->", " ").replace(['(', ')'], " ");
        let mut after_with = false;
        for token in value.split_whitespace() {
            match token {
                "AND" | "OR" | "and" | "or" => after_with = false,
                "WITH" | "with" => after_with = true,
                _ if after_with => after_with = false,
                id => {
                    if let Some(kind) = kind_of(id.trim_end_matches('+'))
                        && !kinds.contains(&kind)
                    {
                        kinds.push(kind);
                    }
                }
            }
        }
        return kinds;
    }
    // Words only: comment markers and line breaks between them do not count.
    let words = crate::variants::plain_words(head);
    for kind in KINDS {
        if kind.phrases.iter().any(|phrase| words.contains(phrase)) {
            kinds.push(kind.name);
        }
    }
    kinds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_name_their_kinds() {
        let cddl = "/*\n * The contents of this file are subject to the terms of either the GNU\n * General Public License Version 2 only (\"GPL\") or the Common Development\n * and Distribution License(\"CDDL\") (collectively, the \"License\").\n */";
        assert_eq!(header_kinds(cddl), ["GPL", "CDDL"]);
        assert_eq!(header_kinds("// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception\n"), ["Apache"]);
        assert_eq!(header_kinds("/* SPDX-License-Identifier: (GPL-2.0+ OR MIT) */"), ["GPL", "MIT"]);
        assert_eq!(header_kinds("// Licensed under the Apache License, Version 2.0"), ["Apache"]);
        let libgit2 =
            "/*\n * This file is part of libgit2, distributed under the GNU GPL v2 with\n * a Linking Exception.\n */";
        assert_eq!(header_kinds(libgit2), ["GPL"]);
        assert_eq!(header_kinds("// Copyright 2020 Example. All rights reserved."), Vec::<&str>::new());
        assert_eq!(kind_of("LGPL-2.1-or-later"), Some("LGPL"));
        assert_eq!(with_article("Apache"), "an Apache");
        assert_eq!(with_article("GPL/CDDL"), "a GPL/CDDL");
        assert_eq!(with_article("MIT"), "an MIT");
        assert_eq!(with_article("BSD"), "a BSD");
        assert_eq!(with_article("Unlicense"), "an Unlicense");
        assert_eq!(kind_of("GPL-3.0-only"), Some("GPL"));
        assert_eq!(kind_of("Apache-2.0 WITH LLVM-exception"), Some("Apache"));
        assert_eq!(kind_of("WTFPL"), None);
        // Letters whose lower case is longer do not shift the identifier.
        assert_eq!(header_kinds("// İİİİ SPDX-License-Identifier: MIT\n"), ["MIT"]);
    }
}

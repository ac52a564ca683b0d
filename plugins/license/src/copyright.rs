//! Copyright statements in file headers and license files: who holds the
//! code. Holders other than the project's own are listed for the NOTICE
//! file, and another holder's "all rights reserved" with no license grant
//! (proprietary code of another company) is noticed.

/// The holders named by the copyright statements of `text` (a file's first
/// lines, or a license or NOTICE file), in order, each once.
pub fn holders(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for line in text.lines().take(200) {
        if let Some(holder) = statement(line)
            && !found.iter().any(|h| key(h) == key(&holder))
        {
            found.push(holder);
        }
    }
    found
}

/// The holder of one line's copyright statement: `Copyright (c) 2019-2024
/// Example Corp. All rights reserved.` → `Example Corp`. Prose about
/// copyright ("the above copyright notice") and templates (`<copyright
/// holders>`, `[name of copyright owner]`) name nobody.
fn statement(line: &str) -> Option<String> {
    // ASCII case folding keeps byte offsets, so `at` indexes `line` too.
    let lower = line.to_ascii_lowercase();
    let (mut rest, mut marked) = if let Some(at) = lower.find("spdx-filecopyrighttext:") {
        // REUSE's tag is a statement whatever precedes it.
        (&line[at + "spdx-filecopyrighttext:".len()..], true)
    } else {
        let at = lower.find("copyright")?;
        // Only comment markers and spaces may come before the word.
        if !line[..at].chars().all(|c| c.is_whitespace() || "/*#-;!%'\"|<>{}".contains(c)) {
            return None;
        }
        (&line[at + "copyright".len()..], false)
    };
    loop {
        let trimmed = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ':' || c == ',');
        if let Some(after) = trimmed.strip_prefix("(c)").or_else(|| trimmed.strip_prefix("(C)")) {
            rest = after;
        } else if let Some(after) = trimmed.strip_prefix('©') {
            rest = after;
        } else if trimmed.starts_with(|c: char| c.is_ascii_digit()) {
            rest = trimmed
                .trim_start_matches(|c: char| c.is_ascii_digit() || c == '-' || c == '–' || c == ',' || c == ' ');
        } else if let Some(after) = trimmed.strip_prefix("by ") {
            rest = after;
        } else if trimmed.get(..9).is_some_and(|w| w.eq_ignore_ascii_case("copyright")) {
            // `SPDX-FileCopyrightText: Copyright (c) …`
            rest = &trimmed[9..];
        } else {
            rest = trimmed;
            break;
        }
        marked = true;
    }
    let first_word = rest.split_whitespace().next().unwrap_or_default().to_ascii_lowercase();
    let prose =
        ["notice", "notices", "holder", "holders", "law", "laws", "act", "owner", "owners", "and", "of", "to", "the"];
    if !marked && (prose.contains(&first_word.as_str()) || !rest.starts_with(|c: char| c.is_uppercase())) {
        return None;
    }
    if rest.starts_with(['<', '[', '{', '$']) {
        return None;
    }
    let lower = rest.to_ascii_lowercase();
    let end = ["all rights reserved", "<", " - ", "*/", "-->", " licensed ", " under the ", ". see ", "; see "]
        .iter()
        .filter_map(|stop| lower.find(stop))
        .min()
        .unwrap_or(rest.len());
    let holder = rest[..end].trim().trim_end_matches(|c: char| c == '.' || c == ',' || c == ';' || c.is_whitespace());
    let letters = holder.chars().filter(|c| c.is_alphabetic()).count();
    (letters >= 2 && holder.chars().count() <= 100).then(|| holder.to_owned())
}

/// A holder as compared: lower-case words, without legal forms and the
/// "and contributors" tails that vary between files of one holder.
pub fn key(holder: &str) -> String {
    const DROPPED: &[&str] = &[
        "inc",
        "llc",
        "ltd",
        "limited",
        "corp",
        "corporation",
        "co",
        "company",
        "gmbh",
        "ag",
        "sa",
        "bv",
        "plc",
        "the",
        "and",
        "its",
        "affiliates",
        "affiliate",
        "contributors",
        "authors",
        "developers",
        "other",
        "others",
        "all",
        "rights",
        "reserved",
        "c",
    ];
    holder
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| !DROPPED.contains(&w.as_str()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// True when `head` reserves all rights and grants nothing: no license,
/// permission or terms of distribution named anywhere in it (a header that
/// reserves rights and then licenses the file, as many do, grants them).
pub fn reserves_all_rights(head: &str) -> bool {
    const GRANTS: &[&str] = &[
        "licen",
        "permission",
        "permitted",
        "redistribution",
        "distribution and use",
        "free software",
        "public domain",
        "freely",
        "terms of",
        "full terms",
        "distributed under",
        "released under",
        "available under",
        "see copyright notice",
        "open source",
    ];
    let words = crate::variants::plain_words(head);
    words.contains("all rights reserved") && !GRANTS.iter().any(|grant| words.contains(grant))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_name_their_holders() {
        assert_eq!(holders("// Copyright (c) 2019-2024 Example Corp. All rights reserved.\n"), ["Example Corp"]);
        assert_eq!(holders("# Copyright 2014 The Rust Project Developers.\n"), ["The Rust Project Developers"]);
        assert_eq!(holders(" * Copyright © 2020, 2021 Jane Doe <jane@example.com>\n"), ["Jane Doe"]);
        assert_eq!(holders("Copyright Oracle and/or its affiliates.\n"), ["Oracle and/or its affiliates"]);
        assert_eq!(
            holders("/* Copyright (C) 1999 Sun Microsystems, Inc. - all rights reserved */"),
            ["Sun Microsystems, Inc"]
        );
        // Prose and templates name nobody.
        for text in [
            "The above copyright notice and this permission notice shall be included",
            "Copyright [yyyy] [name of copyright owner]",
            "Copyright (c) <year> <copyright holders>",
            "copyright holders and contributors \"as is\"",
            "This program is free software; see the copyright law",
        ] {
            assert_eq!(holders(text), Vec::<String>::new(), "{text}");
        }
        assert_eq!(holders("# SPDX-FileCopyrightText: 2024 Example Org <ospo@example.org>"), ["Example Org"]);
        assert_eq!(holders("// SPDX-FileCopyrightText: Copyright (c) 2023-2026 Jane Doe"), ["Jane Doe"]);
        assert_eq!(
            holders("// Copyright 2013 The Rust Project Developers. See the COPYRIGHT file"),
            ["The Rust Project Developers"]
        );
    }

    #[test]
    fn reserved_rights_count_only_without_a_grant() {
        assert!(reserves_all_rights(
            "// Copyright 2020 Globex Inc. All rights reserved.
#include <x.h>
"
        ));
        for granted in [
            "/* Copyright (c) Edward Thomson. All rights reserved.
 * This file is part of ntlmclient, distributed
 * under the MIT license. */",
            "/* Copyright (C) 2004 by Sun Microsystems, Inc. All rights reserved.
 * Permission to use, copy, modify, and distribute this
 * software is freely granted */",
            "/* Copyright (C) 2013 Intel Corporation. All rights reserved.
 * For conditions of distribution and use, see copyright notice in zlib.h */",
            "// Copyright 2020 Example. All rights reserved.
// Use of this source code is governed by a BSD-style license",
            "/* Copyright (C) the libgit2 contributors. All rights reserved.\n * This file is part of libgit2, distributed under the GNU GPL v2 with\n * a Linking Exception. For full terms see the included COPYING file. */",
        ] {
            assert!(!reserves_all_rights(granted), "{granted}");
        }
        // One holder once, however its files spell it.
        assert_eq!(holders("Copyright 2020 Example Corp.\nCopyright 2021 Example Corp and contributors\n").len(), 1);
        assert_eq!(key("Example, Inc."), key("example inc"));
        assert_ne!(key("Example"), key("Other Co"));
    }
}

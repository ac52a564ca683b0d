use fledge_sdk::Status;
use fledge_sdk::testing::MemRepo;

use crate::License;
use crate::identify::{Identification, identify};

/// The official text of `id` from the spdx crate, reformatted as projects do:
/// rewrapped at 60 columns, with a real copyright line.
fn reformatted(id: &str) -> String {
    let text = spdx::text::LICENSE_TEXTS.iter().find(|(i, _)| *i == id).map(|(_, t)| *t).unwrap();
    let mut out = String::from("Copyright (c) 2019 Example Corp. <legal@example.com>\n\n");
    for paragraph in text.split("\n\n") {
        let mut column = 0;
        for word in paragraph.split_whitespace() {
            let word = word.replace("<year>", "2019").replace("<copyright holders>", "Example Corp.");
            if column + word.len() > 60 {
                out.push('\n');
                column = 0;
            } else if column > 0 {
                out.push(' ');
                column += 1;
            }
            out.push_str(&word);
            column += word.len();
        }
        out.push_str("\n\n");
    }
    out
}

fn identified(text: &str) -> Vec<String> {
    match identify(text, 0.9) {
        Identification::Identified { licenses, .. } => licenses,
        Identification::Unrecognised { closest } => panic!("unrecognised; closest {closest:?}"),
    }
}

#[test]
fn every_required_license_is_identified_after_reformatting() {
    for id in [
        "Apache-2.0",
        "MIT",
        "BSD-2-Clause",
        "BSD-3-Clause",
        "ISC",
        "MPL-2.0",
        "GPL-2.0-only",
        "GPL-3.0-only",
        "LGPL-2.1-only",
        "LGPL-3.0-only",
        "AGPL-3.0-only",
        "EPL-2.0",
        "Unlicense",
        "CC0-1.0",
        "MulanPSL-2.0",
        "BSL-1.0",
        "Zlib",
    ] {
        assert_eq!(identified(&reformatted(id)), [id], "{id}");
    }
}

#[test]
fn apache_without_its_appendix_is_still_apache() {
    let full = reformatted("Apache-2.0");
    let cut = &full[..full.find("END OF TERMS AND CONDITIONS").unwrap() + 27];
    assert_eq!(identified(cut), ["Apache-2.0"]);
}

#[test]
fn a_modified_license_names_its_closest_match() {
    let mit = reformatted("MIT");
    let modified = mit.replace(
        "The above copyright notice",
        "The Software shall not be used by any government agency. Any use for commercial purposes requires a separate written agreement with the authors, who may refuse it for any reason.\n\nThe above copyright notice",
    );
    let modified = &modified[..modified.find("THE SOFTWARE IS PROVIDED").unwrap()];
    match identify(modified, 0.9) {
        Identification::Unrecognised { closest: Some(closest) } => {
            assert_eq!(closest.id, "MIT");
            assert!(closest.confidence > 0.5 && closest.confidence < 0.9, "{}", closest.confidence);
        }
        other => panic!("{other:?}"),
    }
    let repo = MemRepo::new().file("LICENSE", modified);
    let result = repo.run::<License>("license.identified");
    assert_eq!(result.status, Status::Fail);
    assert!(
        result.message.starts_with(
            "unrecognised or modified license in LICENSE, with a non-commercial restriction and a field-of-use restriction: closest match MIT ("
        ),
        "{}",
        result.message
    );
}

#[test]
fn one_file_with_two_licenses() {
    let both = format!(
        "This project is dual-licensed under MIT or Apache-2.0, at your option.\n\n{}\n\n---\n\n{}",
        reformatted("MIT"),
        reformatted("Apache-2.0")
    );
    let mut ids = identified(&both);
    ids.sort();
    assert_eq!(ids, ["Apache-2.0", "MIT"]);
}

#[test]
fn dual_license_files_give_an_or_expression() {
    let repo = MemRepo::new().file("LICENSE-MIT", reformatted("MIT")).file("LICENSE-APACHE", reformatted("Apache-2.0"));
    let result = repo.run::<License>("license.identified");
    assert_eq!(result.status, Status::Pass);
    assert!(result.message.starts_with("Apache-2.0 OR MIT ("), "{}", result.message);
    assert_eq!(repo.run::<License>("license.approved").status, Status::Pass);
    let file = repo.run::<License>("license.file");
    assert_eq!((file.status, file.message.as_str()), (Status::Pass, "LICENSE-APACHE, LICENSE-MIT"));
}

#[test]
fn a_short_note_pointing_at_the_license_files_is_not_a_license() {
    let repo = MemRepo::new()
        .file("LICENSE", "This software is made available under the terms of *either* of the licenses\nfound in LICENSE.APACHE or LICENSE.BSD.\n")
        .file("LICENSE.APACHE", reformatted("Apache-2.0"))
        .file("LICENSE.BSD", reformatted("BSD-2-Clause"));
    let result = repo.run::<License>("license.identified");
    assert_eq!(result.status, Status::Pass, "{}", result.message);
    assert!(result.message.starts_with("Apache-2.0 OR BSD-2-Clause ("), "{}", result.message);
}

#[test]
fn lgpl_projects_ship_the_gpl_too() {
    let repo = MemRepo::new()
        .file("COPYING", reformatted("GPL-3.0-only"))
        .file("COPYING.LESSER", reformatted("LGPL-3.0-only"));
    let result = repo.run::<License>("license.identified");
    assert!(result.message.starts_with("LGPL-3.0-only ("), "{}", result.message);
}

#[test]
fn short_files_that_name_their_license() {
    assert_eq!(identified("SPDX-License-Identifier: MIT\n"), ["MIT"]);
    assert_eq!(identified("Apache-2.0 OR MIT"), ["Apache-2.0", "MIT"]);
    assert_eq!(
        identified(
            "This project is dual-licensed under the Unlicense and MIT licenses.\n\nYou may use this code under the terms of either license.\n"
        ),
        ["Unlicense", "MIT"]
    );
    // A pointer next to the texts is fine; alone, it lacks the text.
    let pointer = "This project is dual-licensed under the Unlicense and MIT licenses.\n";
    let alone = MemRepo::new().file("COPYING", pointer);
    let result = alone.run::<License>("license.identified");
    assert_eq!(result.status, Status::Warn);
    assert_eq!(result.message, "MIT OR Unlicense: the license files name the license but do not contain its text");
    let with_texts = alone.clone().file("LICENSE-MIT", reformatted("MIT")).file("UNLICENSE", reformatted("Unlicense"));
    let result = with_texts.run::<License>("license.identified");
    assert_eq!(result.status, Status::Pass);
    assert!(result.message.starts_with("MIT OR Unlicense ("), "{}", result.message);
}

#[test]
fn standard_notices_and_exceptions_come_from_the_spdx_texts() {
    let apache = spdx::text::LICENSE_TEXTS.iter().find(|(i, _)| *i == "Apache-2.0").unwrap().1;
    let notice =
        format!("Copyright 2015 Jane Doe.\n\n{}", &apache[apache.find("Licensed under the Apache License").unwrap()..]);
    match identify(&notice, 0.9) {
        Identification::Identified { licenses, form, .. } => {
            assert_eq!((licenses, form), (vec!["Apache-2.0".to_owned()], crate::identify::Form::Notice));
        }
        other => panic!("{other:?}"),
    }
    let gpl = spdx::text::LICENSE_TEXTS.iter().find(|(i, _)| *i == "GPL-2.0-only").unwrap().1;
    let start = gpl.find("This program is free software").unwrap();
    let gnu_notice = &gpl[start..start + gpl[start..].find("Also add information").unwrap()];
    assert_eq!(identified(gnu_notice), ["GPL-2.0-or-later"]);
    let llvm = spdx::text::EXCEPTION_TEXTS.iter().find(|(i, _)| *i == "LLVM-exception").unwrap().1;
    let with_exception =
        format!("{}\n\n--- LLVM Exceptions to the Apache 2.0 License ----\n\n{llvm}", reformatted("Apache-2.0"));
    assert_eq!(identified(&with_exception), ["Apache-2.0 WITH LLVM-exception"]);
}

#[test]
fn approval_follows_the_policy() {
    let gpl = MemRepo::new().file("LICENSE", reformatted("GPL-3.0-only"));
    let result = gpl.run::<License>("license.approved");
    assert_eq!((result.status, result.message.as_str()), (Status::Warn, "GPL-3.0-only: GPL-3.0-only is copyleft"));
    let strict = gpl.run_with::<License>("license.approved", serde_json::json!({"copyleft": "fail"}));
    assert_eq!(strict.status, Status::Fail);
    let sspl = MemRepo::new().file("LICENSE", reformatted("SSPL-1.0"));
    let result = sspl.run::<License>("license.approved");
    assert_eq!(
        (result.status, result.message.as_str()),
        (Status::Fail, "SSPL-1.0: SSPL-1.0 is not among OSI-approved licenses")
    );
    let listed = MemRepo::new().file("LICENSE", reformatted("MIT"));
    let only_apache = listed.run_with::<License>("license.approved", serde_json::json!({"allowed": ["Apache-2.0"]}));
    assert_eq!(only_apache.message, "MIT: MIT is not among the policy's allowed list");
    assert_eq!(MemRepo::new().run::<License>("license.approved").status, Status::Fail);
}

#[test]
fn manifests_that_disagree_are_reported_with_their_line() {
    let repo = MemRepo::new()
        .file("LICENSE", reformatted("Apache-2.0"))
        .file("Cargo.toml", "[package]\nname = \"x\"\nversion = \"1.0.0\"\nlicense = \"MIT\"\n")
        .file("web/package.json", "{\n  \"name\": \"x\",\n  \"license\": \"Apache-2.0\"\n}\n")
        .file(
            "py/pyproject.toml",
            "[project]\nname = \"x\"\nclassifiers = [\"License :: OSI Approved :: Apache Software License\"]\n",
        );
    let result = repo.run::<License>("license.declared-consistent");
    assert_eq!(
        (result.status, result.message.as_str()),
        (Status::Fail, "1 of 3 manifests disagree with the license file")
    );
    let mismatch = result.findings.iter().find(|f| f.severity == fledge_sdk::Severity::Medium).unwrap();
    assert_eq!(mismatch.message, "declares `MIT`, a different license from Apache-2.0 in LICENSE");
    assert_eq!((mismatch.locations[0].path.as_str(), mismatch.locations[0].line), ("Cargo.toml", Some(4)));
    assert_eq!(MemRepo::new().file("LICENSE", "x").run::<License>("license.declared-consistent").status, Status::Skip);
}

#[test]
fn a_package_with_its_own_license_is_compared_with_it() {
    let repo = MemRepo::new()
        .file("LICENSE", reformatted("Apache-2.0"))
        .file("tools/helper/LICENSE", reformatted("MIT"))
        .file("tools/helper/package.json", "{\"license\": \"MIT\"}")
        .file("pom.xml", "<project><licenses><license><name>Apache-2.0</name></license></licenses></project>")
        .file("x.gemspec", "Gem::Specification.new do |s|\n  s.licenses = ['Apache-2.0']\nend\n")
        .file("setup.cfg", "[metadata]\nname = x\nlicense = Apache-2.0\n");
    let result = repo.run::<License>("license.declared-consistent");
    assert_eq!((result.status, result.message.as_str()), (Status::Pass, "4 manifests agree with the license file"));
}

#[test]
fn a_package_under_two_license_files_is_under_both() {
    // A Cargo workspace whose crates each carry LICENSE-MIT and UNLICENSE.
    let manifest = |name: &str| format!("[package]\nname = \"{name}\"\nlicense = \"Unlicense OR MIT\"\n");
    let mut repo = MemRepo::new()
        .file("LICENSE-MIT", reformatted("MIT"))
        .file("UNLICENSE", reformatted("Unlicense"))
        .file("Cargo.toml", manifest("root"));
    for name in ["core", "cli"] {
        repo = repo
            .file(&format!("crates/{name}/Cargo.toml"), manifest(name))
            .file(&format!("crates/{name}/LICENSE-MIT"), reformatted("MIT"))
            .file(&format!("crates/{name}/UNLICENSE"), reformatted("Unlicense"));
    }
    let result = repo.run::<License>("license.declared-consistent");
    assert_eq!((result.status, result.message.as_str()), (Status::Pass, "3 manifests agree with the license file"));
    // One of the two texts is missing: the declaration matches in part.
    let partial =
        repo.file("crates/solo/Cargo.toml", manifest("solo")).file("crates/solo/LICENSE-MIT", reformatted("MIT"));
    let result = partial.run::<License>("license.declared-consistent");
    assert_eq!(
        (result.status, result.message.as_str()),
        (Status::Warn, "1 of 4 manifests only partly match the license files")
    );
    let finding = result.findings.iter().find(|f| f.severity == fledge_sdk::Severity::Low).unwrap();
    assert_eq!(finding.locations[0].path, "crates/solo/Cargo.toml");
    assert!(
        finding
            .message
            .starts_with("declares `Unlicense OR MIT`, which only partly matches MIT in crates/solo/LICENSE-MIT"),
        "{}",
        finding.message
    );
    // A package under another license entirely disagrees.
    let other = MemRepo::new()
        .file("LICENSE", reformatted("MIT"))
        .file("Cargo.toml", "[package]\nname = \"x\"\nlicense = \"GPL-3.0-only\"\n");
    let result = other.run::<License>("license.declared-consistent");
    assert_eq!(result.status, Status::Fail);
    let mismatch = result.findings.iter().find(|f| f.severity == fledge_sdk::Severity::Medium).unwrap();
    assert_eq!(mismatch.message, "declares `GPL-3.0-only`, a different license from MIT in LICENSE");
}

#[test]
fn licenses_in_one_file_apply_together_unless_it_offers_a_choice() {
    let mit = reformatted("MIT");
    let bsd = reformatted("BSD-3-Clause");
    // Portions under another license: both apply.
    let together = MemRepo::new()
        .file("LICENSE", format!("{bsd}\n-----\n\nsrc/simd.rs is licensed under the MIT license:\n\n{mit}"))
        .file("Cargo.toml", "[package]\nname = \"x\"\nlicense = \"BSD-3-Clause AND MIT\"\n");
    let result = together.run::<License>("license.identified");
    assert!(result.message.starts_with("BSD-3-Clause AND MIT ("), "{}", result.message);
    assert_eq!(together.run::<License>("license.declared-consistent").status, Status::Pass);
    // Declaring one of two licenses that apply together says too little.
    let under = together.file("Cargo.toml", "[package]\nname = \"x\"\nlicense = \"BSD-3-Clause\"\n");
    assert_eq!(under.run::<License>("license.declared-consistent").status, Status::Warn);
    // A choice, said in the file's own words.
    let choice = MemRepo::new()
        .file(
            "LICENSE",
            format!("You may use this under either of these licenses, at your option.\n\n{bsd}\n-----\n\n{mit}"),
        )
        .file("Cargo.toml", "[package]\nname = \"x\"\nlicense = \"MIT\"\n");
    let result = choice.run::<License>("license.identified");
    assert!(result.message.starts_with("BSD-3-Clause OR MIT ("), "{}", result.message);
    assert_eq!(choice.run::<License>("license.declared-consistent").status, Status::Pass);
    // Together, a copyleft license is not made acceptable by a permissive one.
    let mpl = reformatted("MPL-2.0");
    let mixed =
        MemRepo::new().file("LICENSE", format!("{mit}\n-----\n\nThe parser is licensed under the MPL:\n\n{mpl}"));
    let result = mixed.run::<License>("license.approved");
    assert!(result.message.starts_with("MIT AND MPL-2.0: "), "{}", result.message);
    assert_eq!(result.status, Status::Warn, "copyleft warns by default: {}", result.message);
}

#[test]
fn header_share_and_sample() {
    let repo = MemRepo::new()
        .file("src/a.rs", "// SPDX-License-Identifier: MIT\nfn a() {}\n")
        .file("src/b.rs", "// Copyright 2024 Example. Licensed under the MIT license.\nfn b() {}\n")
        .file("src/c.rs", "fn c() {}\n")
        .file("README.md", "# x");
    let result = repo.run::<License>("license.headers");
    assert_eq!(result.status, Status::Warn);
    assert_eq!(result.message, "2 of 3 source files (67%) carry a license header; the policy asks for 80%");
    assert_eq!(result.findings[0].locations[0].path, "src/c.rs");
    let lenient = repo.run_with::<License>("license.headers", serde_json::json!({"header_threshold": 0.5}));
    assert_eq!(lenient.status, Status::Pass);
}

#[test]
fn vendored_components_need_their_licenses_and_apache_needs_notice() {
    let repo = MemRepo::new()
        .file("LICENSE", reformatted("Apache-2.0"))
        .file("vendor/github.com/acme/lib/LICENSE", "MIT")
        .file("vendor/github.com/acme/lib/a.go", "package lib")
        .file("vendor/github.com/other/tool/b.go", "package tool")
        .file("vendor/modules.txt", "# modules")
        .file("third_party/zlib/zlib.c", "int x;");
    let result = repo.run::<License>("license.third-party");
    assert_eq!(
        (result.status, result.message.as_str()),
        (Status::Fail, "3 third-party components, 2 without a license file")
    );
    let messages: Vec<&str> = result.findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "third_party/zlib has no license file of its own",
            "vendor/github.com/other/tool has no license file of its own",
            "Apache-2.0 project bundles third-party code but has no NOTICE file",
        ]
    );
    assert_eq!(MemRepo::new().file("LICENSE", "x").run::<License>("license.third-party").status, Status::Skip);
}

#[test]
fn a_modified_license_is_named_with_its_differences_and_never_approved() {
    let mit = reformatted("MIT");
    // An added field-of-use restriction, a removed warranty sentence, a
    // changed grant: each is a modified MIT, however similar.
    let restricted = format!("{mit}\nThe Software shall not be used for commercial purposes.\n");
    let grant = mit.replacen("to use, copy, modify", "to use, copy", 1);
    assert_ne!(grant, mit);
    let unsold = mit.replacen("and/or sell", "and/or", 1);
    assert_ne!(unsold, mit);
    for (what, text, shown) in [
        ("restriction", &restricted, "added \"the software shall not be used for commercial purposes\""),
        ("grant", &grant, "missing \"modify\""),
        ("sale", &unsold, "missing \"sell\""),
    ] {
        let repo = MemRepo::new().file("LICENSE", text);
        let identified = repo.run::<License>("license.identified");
        assert_eq!(identified.status, Status::Warn, "{what}: {}", identified.message);
        assert!(identified.message.starts_with("LICENSE is a modified MIT ("), "{what}: {}", identified.message);
        assert!(
            identified.findings.iter().any(|f| f.message.contains(shown)),
            "{what}: {:?}",
            identified.findings.iter().map(|f| &f.message).collect::<Vec<_>>()
        );
        let approved = repo.run::<License>("license.approved");
        assert_eq!(approved.status, Status::Fail, "{what}: {}", approved.message);
        // Known variants are named as such.
        let named = if what == "restriction" {
            " (with a non-commercial restriction and a field-of-use restriction)"
        } else {
            ""
        };
        assert_eq!(
            approved.message,
            format!("MIT: LICENSE differs from the license's standard text{named}; a modified license is not approved")
        );
    }
    // The line of an addition is given.
    let repo = MemRepo::new().file("LICENSE", &restricted);
    let identified = repo.run::<License>("license.identified");
    let line = restricted.lines().position(|l| l.contains("commercial purposes")).map(|l| l as u32 + 1);
    assert!(identified.findings.iter().any(|f| f.locations[0].line == line && f.message.contains("added")));
    // A notice after the license that restricts nothing is not a change;
    // an appended condition is.
    let attributed = format!("{mit}\nPortions of this software were adapted from the Example project.\n");
    let result = MemRepo::new().file("LICENSE", &attributed).run::<License>("license.approved");
    assert_eq!(result.status, Status::Pass, "{}", result.message);
    let clause = format!(
        "{mit}\n\"Commons Clause\" License Condition v1.0\n\nThe Software is provided to you by the Licensor under the License, as defined below, subject to the following condition. Without limiting other conditions in the License, the grant of rights under the License will not include, and the License does not grant to you, the right to Sell the Software.\n"
    );
    let result = MemRepo::new().file("LICENSE", &clause).run::<License>("license.approved");
    assert_eq!(result.status, Status::Fail, "{}", result.message);
    assert!(result.message.contains("(with the Commons Clause (no right to sell the software))"), "{}", result.message);
    // Unchanged copies, reformatted, with a title, still match exactly.
    for id in ["MIT", "Apache-2.0", "BSD-3-Clause", "ISC", "MPL-2.0", "GPL-3.0-only"] {
        let text = format!("The {id} License\n\n{}", reformatted(id));
        let result = MemRepo::new().file("LICENSE", &text).run::<License>("license.identified");
        assert_eq!(result.status, Status::Pass, "{id}: {}", result.message);
    }
}

#[test]
fn an_html_license_page_is_read_as_its_text() {
    let mit = reformatted("MIT");
    let body: Vec<String> = mit.split("\n\n").map(|p| format!("<p>{}</p>", p.replace('&', "&amp;"))).collect();
    let html = format!(
        "<!DOCTYPE html>\n<html><head><title>MIT License</title></head><body>\n{}\n</body></html>\n",
        body.join("\n")
    );
    let repo = MemRepo::new().file("LICENSE.html", &html);
    let identified = repo.run::<License>("license.identified");
    assert_eq!(identified.status, Status::Pass, "{}", identified.message);
    assert!(identified.message.starts_with("MIT ("), "{}", identified.message);
    assert_eq!(repo.run::<License>("license.approved").status, Status::Pass);
}

#[test]
fn a_header_of_another_license_is_a_finding() {
    let cddl = "/*\n * Copyright (c) 1997-2018 Oracle and/or its affiliates. All rights reserved.\n *\n * The contents of this file are subject to the terms of either the GNU\n * General Public License Version 2 only (\"GPL\") or the Common Development\n * and Distribution License(\"CDDL\") (collectively, the \"License\").\n */\npackage com.example;\n";
    let own = "// SPDX-License-Identifier: Apache-2.0\npackage com.example;\n";
    let repo = MemRepo::new()
        .file("LICENSE", reformatted("Apache-2.0"))
        .file("src/main/java/com/example/App.java", own)
        .file("src/main/java/com/example/Util.java", own)
        .file("src/main/java/com/example/Copied.java", cddl);
    let result = repo.run::<License>("license.headers");
    assert_eq!(
        (result.status, result.message.as_str()),
        (Status::Warn, "3 of 3 source files (100%) carry a license header; 1 file carries another license's header")
    );
    let finding = result.findings.iter().find(|f| f.severity == fledge_sdk::Severity::Medium).unwrap();
    assert_eq!(finding.locations[0].path, "src/main/java/com/example/Copied.java");
    assert!(
        finding.message.starts_with("carries a GPL/CDDL header, not the project's Apache-2.0"),
        "{}",
        finding.message
    );
    // Dual-licensed headers that include the project's license are its own.
    let dual = MemRepo::new()
        .file("LICENSE", reformatted("Apache-2.0"))
        .file("src/a.rs", "// SPDX-License-Identifier: MIT OR Apache-2.0\n");
    assert_eq!(dual.run::<License>("license.headers").status, Status::Pass);
}

#[test]
fn a_license_stated_only_in_the_readme_is_read_and_its_text_asked_for() {
    let repo = MemRepo::new().file(
        "README.md",
        "# Widget\n\nA widget.\n\n## License\n\nThis project is licensed under the MIT license.\n\n## Contributing\n\nPull requests welcome.\n",
    );
    let file = repo.run::<License>("license.file");
    assert_eq!(
        (file.status, file.message.as_str()),
        (Status::Warn, "no LICENSE, LICENCE or COPYING file at the root; the README's License section names MIT")
    );
    assert_eq!(
        (file.findings[0].locations[0].path.as_str(), file.findings[0].locations[0].line),
        ("README.md", Some(5))
    );
    let identified = repo.run::<License>("license.identified");
    assert_eq!(identified.status, Status::Warn, "{}", identified.message);
    assert_eq!(repo.run::<License>("license.approved").status, Status::Pass);
    // A README without such a section is no license at all.
    let silent = MemRepo::new().file("README.md", "# Widget\n\n## Usage\n\nRun it.\n");
    assert_eq!(silent.run::<License>("license.file").status, Status::Fail);
    assert_eq!(silent.run::<License>("license.approved").status, Status::Fail);
}

#[test]
fn third_party_holders_are_listed_and_another_holders_reserved_code_is_a_finding() {
    let repo = MemRepo::new()
        .file("LICENSE", reformatted("MIT"))
        .file(
            "src/a.rs",
            "// Copyright 2026 Example Corporation. All rights reserved.\n// SPDX-License-Identifier: MIT\n",
        )
        .file("src/b.rs", "// Copyright (c) 2019 Globex Inc. All rights reserved.\nfn b() {}\n")
        .file("src/c.rs", "// Copyright 2021 Jane Doe\n// SPDX-License-Identifier: MIT\n")
        .file("src/d.rs", "// Copyright 2022 Jane Doe <jane@example.org>\n// SPDX-License-Identifier: MIT\n");
    let cache = fledge_sdk::testing::MemCache::new();
    let result = repo.clone().cache(&cache).run::<License>("license.headers");
    // A second run learns each header from the results cache: the same
    // verdict, no file read again.
    let again = repo.clone().cache(&cache).run::<License>("license.headers");
    assert_eq!(cache.hits(), 4);
    assert_eq!((again.status, &again.message, &again.findings), (result.status, &result.message, &result.findings));
    assert_eq!(
        (result.status, result.message.as_str()),
        (
            Status::Warn,
            "4 of 4 source files (100%) carry a license header; 1 file reserves all rights to another holder"
        )
    );
    let found: Vec<(String, &str, &str)> = result
        .findings
        .iter()
        .map(|f| (format!("{:?}", f.severity), f.locations[0].path.as_str(), f.message.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (
                "Medium".to_owned(),
                "src/b.rs",
                "all rights reserved by Globex Inc, with no license: another holder's proprietary code may not be published without its permission"
            ),
            ("Info".to_owned(), "src/c.rs", "copyright held by Jane Doe in 2 files (list it in NOTICE)"),
            ("Info".to_owned(), "src/b.rs", "copyright held by Globex Inc in 1 file (list it in NOTICE)"),
        ]
    );
    // The project's own holder, known from its LICENSE, is never listed,
    // and its reserved rights are its own to waive.
    let own = MemRepo::new()
        .file("LICENSE", reformatted("MIT"))
        .file("src/a.rs", "// Copyright 2026 Example Corp. All rights reserved.\nfn a() {}\n");
    let result = own.run::<License>("license.headers");
    assert_eq!(result.status, Status::Pass, "{}", result.message);
    assert!(result.findings.is_empty(), "{:?}", result.findings);
}

#[test]
fn license_files_named_after_their_license_are_the_projects() {
    for name in [
        "LICENSE-0BSD",
        "LICENSE-Apache-2.0_WITH_LLVM-exception",
        "LICENSE-BSD-1",
        "LICENSE-WHATWG",
        "LICENSE.UNICODE",
        "LICENSE-MIT",
        "COPYING.LESSER",
    ] {
        assert!(crate::is_primary(name), "{name}");
    }
    for name in
        ["LICENSE.python", "LICENSE-THIRD-PARTY", "LICENSE-dependencies.txt", "LICENSE-Apache-2.0_WITH_Nonsense"]
    {
        assert!(!crate::is_primary(name), "{name}");
    }
}

#[test]
fn two_copies_of_a_license_with_a_line_between_are_not_modified() {
    let bsd = reformatted("BSD-3-Clause");
    let twice = format!(
        "{bsd}\n========================================================================\n\nPortions of this crate were originally derived from another project, under the following licence:\n\n========================================================================\n\n{bsd}"
    );
    let repo = MemRepo::new().file("LICENSE", twice.clone());
    let result = repo.run::<License>("license.approved");
    assert_eq!((result.status, result.message.as_str()), (Status::Pass, "BSD-3-Clause: BSD-3-Clause is approved"));
    // A condition in the line between is a modification.
    let restricted = twice.replace("originally derived from another project", "not to be used for commercial purposes");
    let result = MemRepo::new().file("LICENSE", restricted).run::<License>("license.approved");
    assert_eq!(result.status, Status::Fail, "{}", result.message);
    // So is a change inside either copy.
    assert!(bsd.contains("endorse"));
    let changed = format!("{bsd}\n=====\n\n{}", bsd.replace("endorse", "sell"));
    let result = MemRepo::new().file("LICENSE", changed).run::<License>("license.approved");
    assert_eq!(result.status, Status::Fail, "{}", result.message);
}

#[test]
fn reuse_texts_for_trivial_files_do_not_fail_approval() {
    // REUSE projects keep CC0-1.0 for configuration files beside the code's
    // license; the per-file tags say which covers what.
    let repo = MemRepo::new()
        .file("LICENSES/MIT.txt", reformatted("MIT"))
        .file("LICENSES/CC0-1.0.txt", reformatted("CC0-1.0"));
    let result = repo.run::<License>("license.approved");
    assert_eq!(result.status, Status::Pass, "{}", result.message);
    assert!(result.message.starts_with("CC0-1.0 OR MIT: "), "{}", result.message);
}

#[test]
fn a_block_of_a_license_the_file_was_not_identified_as_is_not_waved_through() {
    // MIT, then a full text of another license: unless the identification
    // names both, the extra block leaves the file modified.
    let mit = reformatted("MIT");
    let other = reformatted("CC-BY-NC-4.0");
    let file = format!("{mit}\n=====\n\n{other}");
    let result = MemRepo::new().file("LICENSE", file).run::<License>("license.approved");
    assert_ne!(result.status, Status::Pass, "{}", result.message);
}

//! The `license` plugin: is the project's licensing clear, approved and
//! consistent, and does bundled third-party code keep its notices?
//!
//! Checks: `license.file`, `license.identified`, `license.approved`,
//! `license.declared-consistent`, `license.headers`, `license.third-party`.
//! License texts are identified against the official SPDX texts (see
//! `identify.rs` and `build.rs`).

use std::collections::BTreeMap;

use fledge_sdk::conventions::is_license_file_name;
use fledge_sdk::prelude::*;
use fledge_sdk::repo::{normalize_name, stem};
use serde::{Deserialize, Serialize};

mod copyright;
mod foreign;
pub mod identify;
mod manifests;
pub mod normalize;
mod readme;
pub mod template;
#[cfg(test)]
mod tests;
mod variants;

use identify::{Form, Identification};

#[derive(Default)]
pub struct License {
    /// The identification of the root license files, computed once for the
    /// checks that need it.
    identified: Option<Vec<FileLicense>>,
}

/// Configuration (`[plugins.license]` in the policy).
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
struct Config {
    /// Confidence (0-1) a text needs to count as identified.
    min_confidence: f64,
    /// Allowed SPDX ids; empty means "OSI-approved licenses".
    allowed: Vec<String>,
    /// Ids refused even if OSI-approved.
    denied: Vec<String>,
    /// Status for copyleft licenses that are otherwise allowed: pass, warn or fail.
    copyleft: String,
    /// Share (0-1) of source files that must carry a license header.
    header_threshold: f64,
    /// Source files examined for headers, at most.
    header_max_files: usize,
    /// Directories holding vendored third-party code.
    third_party_dirs: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            min_confidence: 0.9,
            allowed: Vec::new(),
            denied: Vec::new(),
            copyleft: "warn".to_owned(),
            header_threshold: 0.8,
            header_max_files: 5000,
            third_party_dirs: [
                "vendor",
                "third_party",
                "thirdparty",
                "third-party",
                "external",
                "extern",
                "node_modules",
            ]
            .map(str::to_owned)
            .to_vec(),
        }
    }
}

/// A root license file and what it holds.
#[derive(Clone, Debug)]
struct FileLicense {
    path: String,
    /// Part of the project's own licensing (LICENSE, LICENSE-MIT, COPYING.LESSER),
    /// as opposed to notices for bundled code (LICENSE.python).
    primary: bool,
    /// Normalised words: a short unrecognised file beside identified ones
    /// is a pointer to them ("either of the licenses in LICENSE.APACHE or
    /// LICENSE.BSD"), not a license of its own.
    words: usize,
    identification: Identification,
    /// For a full text of one license: how it compares with the SPDX
    /// template (`None`: no template, or not a single full text).
    template: Option<template::Comparison>,
    /// Known non-standard variants a modified text carries (BSD+Patents,
    /// the Commons Clause, a non-commercial restriction).
    variants: Vec<&'static str>,
    /// The file offers its licenses as a choice ("either ... or", "at your
    /// option", "dual-licensed"); otherwise several licenses in one file
    /// apply together.
    either: bool,
}

impl FileLicense {
    /// The differences from the license's template, when the text is a
    /// modified one.
    fn modified(&self) -> Option<&[template::Difference]> {
        match &self.template {
            Some(template::Comparison::Differs(differences)) => Some(differences),
            _ => None,
        }
    }

    fn is_pointer(&self, files: &[FileLicense]) -> bool {
        self.words <= 80
            && matches!(self.identification, Identification::Unrecognised { .. })
            && files.iter().any(|f| f.primary && matches!(f.identification, Identification::Identified { .. }))
    }
}

impl Plugin for License {
    fn checks() -> CheckTable<Self> {
        CheckTable::<Self>::new(
            PluginMeta::new("license", env!("CARGO_PKG_VERSION"))
                .config::<Config>()
                .description("License file, SPDX identification, approval, manifest consistency, headers, third-party notices")
                .about("License texts are identified against the official SPDX texts shipped by the\n`spdx` crate, normalised at build time (case, whitespace and wrapping,\npunctuation, bullets and numbering, copyright statements, URLs and\nBritish/American spellings folded away) and compared by the Dice\ncoefficient of their word bigrams: the confidence. A file that holds\nseveral licenses, a license `WITH` an SPDX exception, a file with only a\nlicense's standard notice, and a short file that only names its license\nare recognised as such. Several licenses in one file apply together (AND)\nunless the file's own words around the texts offer a choice (\"either\",\n\"at your option\", \"dual-licensed\"); separate license files (at the root, or\nREUSE texts in `LICENSES/`) are alternatives (OR).\n`cargo run -p fledge-plugin-license --example\nidentify -- FILE...` runs the identifier on any files.\n\nA file identified as one license is then compared with that license's\nSPDX template (from the SPDX license-list data, which the `license`\ncrate's package ships), after the SPDX License List Matching Guidelines:\nthe template's variable regions (copyright lines, bullets, names) and\noptional ones (titles, appendices) may differ, nothing else may, beyond\nline breaks around copyright lines, a short title before the license and a\nnotice after it that restricts nothing. A file of several texts divided by\nseparator lines (`=====`, `-----`) is compared block by block, each text\nwith its template, each line between them only if it restricts nothing. A text that differs is a modified\nlicense: `license.identified` warns and lists the words added or missing\nwith their lines, and `license.approved` fails, since a modified license\nis not the one the policy approves. Known variants of a modified or\nunrecognised text are named: BSD+Patents, the Commons Clause, and\nnon-commercial or field-of-use restrictions. The 25 rare licenses whose SPDX text\ndoes not match its own template are judged by similarity alone.\n\nConfiguration (`[plugins.license]` in the policy): `min_confidence` (0.9),\n`allowed` (SPDX ids; empty means OSI-approved), `denied`, `copyleft`\n(`pass`, `warn` or `fail`; default `warn`), `header_threshold` (0.8),\n`header_max_files` (5000), `third_party_dirs`.")
                .reads(&[Capability::Tree, Capability::Contents]),
        )
        .category("license")
        .check(
            CheckMeta::new("license.file", "License file present")
                .weight(3)
                .rationale("A project without a license file cannot legally be used by anyone outside the company.")
                .remediation("Add the approved license text as LICENSE at the root (LICENSE-MIT and LICENSE-APACHE for a dual license).")
                .looks_at("LICENSE, LICENCE, COPYING, UNLICENSE at the root, with or without extensions and suffixes (LICENSE-MIT and LICENSE-APACHE pairs); else REUSE texts in `LICENSES/`. Without any, a README whose License section names a license gives `warn` (the license is stated, its text is missing), else `fail`."),
            |plugin, check| plugin.on_files(check, |repo, files, _| license_file(repo, files)),
        )
        .check(
            CheckMeta::new("license.identified", "License identified")
                .weight(5)
                .rationale("Reviewers and users must be able to tell exactly which license applies; a modified text is a new, unreviewed license.")
                .remediation("Use the unmodified official license text (from spdx.org/licenses), with only the copyright line filled in.")
                .looks_at("each root license file's text, identified as an SPDX id with a confidence; several files or texts give an `OR` expression (`MIT OR Apache-2.0`; GPL-3.0 beside LGPL-3.0 is the LGPL). Below `min_confidence` the finding says \"unrecognised or modified license\" and names the closest match with its confidence. Files that only name the license or carry its notice give a `warn`. Notices for bundled code (`LICENSE.python`) are reported but are not the project's license."),
            |plugin, check| plugin.on_files(check, |_, files, config| identified(files, config)),
        )
        .check(
            CheckMeta::new("license.approved", "License approved by the policy")
                .weight(10)
                .rationale("Only licenses the OSPO has approved may be used for publication.")
                .remediation("Relicense under an approved license (the policy's allowed list; by default OSI-approved), or ask the OSPO for an exemption.")
                .looks_at("the identified expression against the policy's `allowed` list (default: OSI-approved licenses) and `denied` list; an `OR` choice is as good as its best alternative; copyleft licenses give the `copyleft` status (`warn` by default)."),
            |plugin, check| plugin.on_files(check, |_, files, config| approved(files, config)),
        )
        .check(
            CheckMeta::new("license.declared-consistent", "Manifests agree with the license file")
                .weight(3)
                .rationale("Package registries and scanners read the manifest; a manifest that disagrees with LICENSE misstates the license.")
                .remediation("Set the license field of each listed manifest to the SPDX expression of the license file.")
                .looks_at("the license declared in every Cargo.toml (including `[workspace.package]`), package.json, pom.xml, composer.json, pyproject.toml (PEP 621, Poetry, trove classifiers), setup.cfg, PKG-INFO, *.gemspec and NuGet's *.nuspec and *.csproj (the license expression, else the license URL) outside vendored directories (an SPDX expression, or a license name or URL resolved through the SPDX list's names and see-also URLs and the names ecosystems use, such as Maven's \"The Apache License, Version 2.0\"), compared by license family (`GPL-2.0-only` and `GPL-2.0-or-later` are one family) with the license files of the nearest folder above the manifest that has any, else the root's. The expression agrees when it offers only ways the files offer (`MIT OR Apache-2.0` beside a file that also allows CC0), or names exactly their licenses; it matches in part (`warn`) when some of its licenses have no text in the package, or when it leaves out a license the files apply together with one it names; otherwise it disagrees (`fail`). Each is a finding at the manifest's path and line. No manifest declaring a license gives `skip`; Go modules have no license field and use the LICENSE file."),
            |plugin, check| plugin.on_files(check, declared_consistent),
        )
        .check(
            CheckMeta::new("license.headers", "Source files carry license headers")
                .weight(1)
                .rationale("Headers keep the license attached to files that are copied out of the project.")
                .remediation("Add an `SPDX-License-Identifier: <id>` comment at the top of each source file.")
                .looks_at("the first 2 KB of source files (by extension, outside vendored directories; an even sample of at most `header_max_files`) for `SPDX-License-Identifier` or a recognisable header (\"Licensed under\", \"Permission is hereby granted\", a copyright line with a license mention). Below `header_threshold` it is a `warn` scored by the share; findings list up to 20 files without a header. A header that names another kind of license than the project's (a CDDL or GPL header in an Apache-2.0 project: copied third-party code), by its `SPDX-License-Identifier` or the license's own words, is a finding and makes the check `warn`. Copyright statements (`Copyright (c) 2024 Example Corp.`, `SPDX-FileCopyrightText:`) name holders: those other than the project's own (named in its license files or root NOTICE; without any, the holder of at least half of the headers) are listed as `info` findings with their file count, for the NOTICE file; a header that reserves all rights to another holder and grants no license (another company's proprietary code) is a finding and makes the check `warn`."),
            |plugin, check| plugin.on_files(check, headers),
        )
        .check(
            CheckMeta::new("license.third-party", "Third-party code keeps its licenses")
                .weight(3)
                .rationale("Bundled third-party code may only be redistributed with its own license and, under Apache-2.0, attribution in NOTICE.")
                .remediation("Keep each vendored component's LICENSE file next to its code, and list bundled components in a NOTICE file.")
                .looks_at("components in `vendor/`, `third_party/`, `thirdparty/`, `third-party/`, `external/`, `extern/` and committed `node_modules/` (one directory below, or `host/org/name` for Go's vendor layout, `@scope/name` for npm), each of which must contain a license or NOTICE file; and a NOTICE file at the root when the project is Apache-2.0 and bundles third-party code. No such directories gives `skip`."),
            |plugin, check| plugin.on_files(check, third_party),
        )
    }
}

fledge_sdk::export_plugin!(License);

impl License {
    /// Evaluates a check on the identified license files.
    fn on_files(
        &mut self,
        check: &Check<'_>,
        evaluate: fn(&Repo, &[FileLicense], &Config) -> Result<CheckResult>,
    ) -> Result<CheckResult> {
        let config: Config = check.config()?;
        let files = self.identified(check.repo(), &config)?;
        evaluate(check.repo(), &files, &config)
    }

    fn identified(&mut self, repo: &Repo, config: &Config) -> Result<Vec<FileLicense>> {
        if let Some(files) = &self.identified {
            return Ok(files.clone());
        }
        let mut files = Vec::new();
        let entries = license_files(repo)?;
        // No license file: the README's License section, if it names one.
        if entries.is_empty()
            && let Some((path, _, section)) = readme::license_section(repo)?
        {
            let identification = identify::identify(&section, config.min_confidence);
            if matches!(identification, Identification::Identified { .. }) {
                files.push(FileLicense {
                    primary: true,
                    words: normalize::words(&section).len(),
                    identification,
                    template: None,
                    variants: Vec::new(),
                    either: offers_a_choice(&section),
                    path,
                });
            }
        }
        for entry in entries {
            let text = repo.read_text(&entry.path)?.unwrap_or_default();
            let lower = entry.path.to_ascii_lowercase();
            let text = if lower.ends_with(".html") || lower.ends_with(".htm") { html_text(&text) } else { text };
            let identification = identify::identify(&text, config.min_confidence);
            let template = match &identification {
                Identification::Identified { licenses, form: Form::Text, .. } if licenses.len() == 1 => {
                    match template::compare(&licenses[0], &text) {
                        // Two copies of a license with a line between them
                        // ("Portions were derived from ... under:") are not
                        // a modified license.
                        Some(template::Comparison::Differs(differences)) => Some(
                            compare_blocks(&text, licenses, config.min_confidence)
                                .unwrap_or(template::Comparison::Differs(differences)),
                        ),
                        other => other,
                    }
                }
                // Several texts in one file: each compared with its own
                // template where separator lines tell them apart.
                Identification::Identified { licenses, form: Form::Text, .. } => {
                    compare_blocks(&text, licenses, config.min_confidence)
                }
                _ => None,
            };
            // A modified or unrecognised text: name the variant, if known.
            let modified = matches!(template, Some(template::Comparison::Differs(_)))
                || matches!(identification, Identification::Unrecognised { .. });
            let either = match &identification {
                Identification::Identified { licenses, .. } if licenses.len() > 1 => {
                    offers_a_choice(&identify::prose(&text, licenses))
                }
                _ => false,
            };
            files.push(FileLicense {
                primary: is_primary(&entry.path),
                words: normalize::words(&text).len(),
                identification,
                template,
                variants: if modified { variants::named(&text) } else { Vec::new() },
                either,
                path: entry.path,
            });
        }
        self.identified = Some(files.clone());
        Ok(files)
    }
}

/// License files at the root, then REUSE texts in `LICENSES/`.
fn license_files(repo: &Repo) -> Result<Vec<TreeEntry>> {
    let mut files: Vec<TreeEntry> =
        repo.files_in("")?.into_iter().filter(|e| e.is_file() && is_license_file_name(e.name())).collect();
    if files.is_empty() {
        files = repo.files_in("LICENSES")?.into_iter().filter(TreeEntry::is_file).collect();
    }
    Ok(files)
}

/// Suffixes after LICENSE- / LICENSE. that name a license (so the file is
/// one of the project's own, as in LICENSE-MIT and LICENSE-APACHE).
const LICENSE_SUFFIXES: &[&str] = &[
    "",
    "md",
    "txt",
    "rst",
    "markdown",
    "html",
    "htm",
    "org",
    "adoc",
    "asciidoc",
    "mit",
    "apache",
    "apache2",
    "apache20",
    "bsd",
    "isc",
    "gpl",
    "lgpl",
    "agpl",
    "mpl",
    "zlib",
    "cc0",
    "boost",
    "bsl",
    "epl",
    "mulan",
    "unlicense",
    "lesser",
    "lib",
    "gpl2",
    "gpl3",
    "lgpl3",
];

/// The text of an HTML page: tags dropped (a block tag ends a line), the
/// common entities decoded.
fn html_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else {
            rest = "";
            break;
        };
        let tag = rest[start + 1..start + end].trim_start_matches('/').to_ascii_lowercase();
        let block = ["p", "br", "div", "li", "h1", "h2", "h3", "h4", "pre", "tr", "ul", "ol"]
            .iter()
            .any(|b| tag == *b || tag.starts_with(&format!("{b} ")));
        out.push(if block { '\n' } else { ' ' });
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    [("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&nbsp;", " "), ("&copy;", "©")]
        .iter()
        .fold(out, |text, (entity, character)| text.replace(entity, character))
}

/// LICENSE, LICENSE.md, LICENSE-MIT, COPYING.LESSER and REUSE texts are the
/// project's own; LICENSE.python or LICENSE-THIRD-PARTY are notices for
/// bundled code.
fn is_primary(path: &str) -> bool {
    if path.starts_with("LICENSES/") {
        return true;
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    let normalized = normalize_name(name);
    let suffix = ["unlicense", "license", "licence", "copying"]
        .iter()
        .find_map(|prefix| normalized.strip_prefix(prefix))
        .unwrap_or("x");
    let suffix: String = suffix.chars().filter(char::is_ascii_alphanumeric).collect();
    let suffix = suffix.strip_suffix("md").or(suffix.strip_suffix("txt")).unwrap_or(&suffix);
    LICENSE_SUFFIXES.contains(&suffix) || names_a_license(name)
}

/// True when a license file's name ends in a license's SPDX id or name:
/// `LICENSE-0BSD`, `LICENSE-Apache-2.0_WITH_LLVM-exception`,
/// `LICENSE-BSD-1`, `LICENSE-WHATWG`, `LICENSE.UNICODE` (but not
/// `LICENSE.python` or `LICENSE-THIRD-PARTY`, notices for bundled code).
fn names_a_license(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let Some(prefix) = ["unlicense", "license", "licence", "copying"].iter().find(|p| lower.starts_with(*p)) else {
        return false;
    };
    let rest = name[prefix.len()..].trim_start_matches(['-', '.', '_']);
    let rest = [".md", ".txt", ".MD", ".TXT"].iter().find_map(|ext| rest.strip_suffix(ext)).unwrap_or(rest);
    if rest.is_empty() {
        return false;
    }
    let (license, exception) = rest.split_once("_WITH_").or_else(|| rest.split_once(" WITH ")).unzip();
    let license = license.unwrap_or(rest);
    let known = spdx::license_id(license).is_some()
        || spdx::license_id(&format!("{license}-Clause")).is_some()
        || spdx::imprecise_license_id(license).is_some_and(|(_, used)| used == license.len())
        || ["whatwg", "unicode"].contains(&license.to_ascii_lowercase().as_str());
    known && exception.is_none_or(|e| spdx::exception_id(e).is_some())
}

fn license_file(repo: &Repo, identified: &[FileLicense]) -> Result<CheckResult> {
    let files = license_files(repo)?;
    Ok(match files.as_slice() {
        [] => match identified.first().zip(readme::license_section(repo)?) {
            // The README says which license applies, but the text is missing.
            Some((stated, (path, line, _))) => {
                let Identification::Identified { licenses, .. } = &stated.identification else {
                    return Ok(CheckResult::fail("no LICENSE, LICENCE or COPYING file at the root"));
                };
                let expression = licenses.join(" OR ");
                CheckResult::warn(format!(
                    "no LICENSE, LICENCE or COPYING file at the root; the README's License section names {expression}"
                ))
                .remediation(format!("Add the text of {expression} as LICENSE at the root (the README's statement is not the license text)."))
                .findings([Finding::new(Severity::Medium, format!("License section names {expression}")).at(&path).line(line)])
            }
            None => CheckResult::fail("no LICENSE, LICENCE or COPYING file at the root"),
        },
        files => {
            let names: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
            CheckResult::pass(names.join(", "))
                .findings(files.iter().map(|f| Finding::info("license file").at(&f.path)))
        }
    })
}

/// Compares a file of several license texts, split at separator lines
/// (`=====`, `-----`, `*****`), block by block: each block that is one
/// license's full text with its template, each other block only if it is
/// short prose that restricts nothing. `None` when the file has fewer than
/// two blocks, a block cannot be accounted for (an unrecognised text, a
/// license the file as a whole was not identified as, or a license without
/// a template), or no block is a license.
fn compare_blocks(text: &str, identified: &[String], threshold: f64) -> Option<template::Comparison> {
    let mut blocks: Vec<(u32, String)> = Vec::new();
    let (mut current, mut start) = (String::new(), 1u32);
    for (index, line) in (1u32..).zip(text.lines()) {
        let trimmed = line.trim();
        if trimmed.len() >= 3 && trimmed.chars().all(|c| "=-*_~#".contains(c)) {
            if !current.trim().is_empty() {
                blocks.push((start, std::mem::take(&mut current)));
            }
            current.clear();
            start = index + 1;
            continue;
        }
        current.push_str(line);
        current.push('\n');
    }
    if !current.trim().is_empty() {
        blocks.push((start, current));
    }
    if blocks.len() < 2 {
        return None;
    }
    let (mut licenses, mut differences) = (0, Vec::new());
    for (start, block) in &blocks {
        match identify::identify(block, threshold) {
            // Only the licenses the whole file was identified as: a block of
            // another license the identification missed is not accounted for.
            Identification::Identified { licenses: found, form: Form::Text, .. }
                if found.len() == 1 && identified.contains(&found[0]) =>
            {
                // A lead-in paragraph ("src/simd.rs is licensed under the
                // MIT license:") is prose like a block between texts.
                let compared = match template::compare(&found[0], block)? {
                    template::Comparison::Differs(differences) => block
                        .split_once("\n\n")
                        .filter(|(head, _)| is_harmless_prose(head))
                        .and_then(|(_, rest)| template::compare(&found[0], rest))
                        .filter(|c| *c == template::Comparison::Matches)
                        .unwrap_or(template::Comparison::Differs(differences)),
                    matches => matches,
                };
                match compared {
                    template::Comparison::Matches => licenses += 1,
                    template::Comparison::Differs(found) => {
                        licenses += 1;
                        differences.extend(found.into_iter().map(|mut d| {
                            d.line = d.line.map(|line| line + start - 1);
                            d
                        }));
                    }
                }
            }
            _ if is_harmless_prose(block) => {}
            _ => return None,
        }
    }
    let comparison =
        if differences.is_empty() { template::Comparison::Matches } else { template::Comparison::Differs(differences) };
    (licenses > 0).then_some(comparison)
}

/// Short prose that restricts nothing and names no known variant: a line
/// between license texts, or one that introduces one.
fn is_harmless_prose(text: &str) -> bool {
    let words = normalize::words(text);
    words.len() <= 60 && !template::restrictive(&words) && variants::named(text).is_empty()
}

/// True when `prose` (a file's own words around its license texts) offers
/// the licenses as a choice.
fn offers_a_choice(prose: &str) -> bool {
    const CHOICE: &[&str] = &[
        "at your option",
        "at your choice",
        "either",
        "dual licens",
        "dual licenc",
        "multi licens",
        "alternatively",
        "you may choose",
        "choice of",
        "any of the following",
    ];
    let words = variants::plain_words(prose);
    CHOICE.iter().any(|phrase| words.contains(phrase))
}

/// The ways one file's licenses may be taken: each alone when the file
/// offers a choice (or holds one license), else all together.
fn file_alternatives(licenses: &[String], either: bool) -> Vec<Vec<String>> {
    if either || licenses.len() == 1 {
        licenses.iter().map(|l| vec![l.clone()]).collect()
    } else {
        vec![licenses.to_vec()]
    }
}

/// Normalises a list of alternatives: the LGPL-3.0 is the GPL-3.0 plus
/// additional permissions, and projects ship both texts (COPYING and
/// COPYING.LESSER), so the license is the LGPL; each alternative sorted,
/// duplicates and empty ones dropped.
fn tidy(mut alternatives: Vec<Vec<String>>) -> Vec<Vec<String>> {
    let lgpl = alternatives.iter().flatten().any(|id| id.starts_with("LGPL-3.0"));
    for alternative in &mut alternatives {
        if lgpl {
            alternative.retain(|id| !id.starts_with("GPL-3.0"));
        }
        alternative.sort_by_key(|id| id.to_ascii_lowercase());
        alternative.dedup();
    }
    alternatives.retain(|a| !a.is_empty());
    alternatives.sort();
    alternatives.dedup();
    alternatives
}

/// An SPDX expression of alternatives: `A OR (B AND C)`.
fn expression_text(alternatives: &[Vec<String>]) -> String {
    alternatives
        .iter()
        .map(|a| if a.len() > 1 && alternatives.len() > 1 { format!("({})", a.join(" AND ")) } else { a.join(" AND ") })
        .collect::<Vec<_>>()
        .join(" OR ")
}

/// The project's licenses.
struct ProjectLicense {
    /// As an SPDX expression.
    expression: String,
    /// Every license id in it, sorted.
    ids: Vec<String>,
    /// The ways to take the software: separate license files are
    /// alternatives (LICENSE-MIT beside LICENSE-APACHE, and REUSE texts in
    /// `LICENSES/`, whose per-file tags say which covers what: a CC0-1.0
    /// text for trivial files does not make the code CC0); licenses in one
    /// file apply together unless the file offers a choice.
    alternatives: Vec<Vec<String>>,
    /// The lowest confidence.
    confidence: f64,
    /// Whether any primary file holds a full license text.
    full_text: bool,
}

/// The project's licenses; `None` when a primary file is unrecognised or
/// there is none.
fn expression(files: &[FileLicense]) -> Option<ProjectLicense> {
    let mut alternatives: Vec<Vec<String>> = Vec::new();
    let mut confidence: f64 = 1.0;
    let mut full_text = false;
    for file in files.iter().filter(|f| f.primary && !f.is_pointer(files)) {
        match &file.identification {
            Identification::Identified { licenses, confidence: c, form } => {
                confidence = confidence.min(*c);
                full_text |= *form == Form::Text;
                alternatives.extend(file_alternatives(licenses, file.either));
            }
            Identification::Unrecognised { .. } => return None,
        }
    }
    let alternatives = tidy(alternatives);
    if alternatives.is_empty() {
        return None;
    }
    let mut ids: Vec<String> = alternatives.iter().flatten().cloned().collect();
    ids.sort_by_key(|id| id.to_ascii_lowercase());
    ids.dedup();
    Some(ProjectLicense { expression: expression_text(&alternatives), ids, alternatives, confidence, full_text })
}

/// "LICENSE is a modified MIT (97% similar): 2 differences from the SPDX
/// template".
fn modified_message(
    file: &FileLicense,
    license: &str,
    confidence: f64,
    differences: &[template::Difference],
) -> String {
    let first = differences.first().map_or(String::new(), |d| format!(", first {}", d.describe()));
    let variant = variants::note(&file.variants).map_or(String::new(), |note| format!(", {note}"));
    format!(
        "{} is a modified {license} ({} similar){variant}: it differs from the SPDX template{first}",
        file.path,
        percent(confidence)
    )
}

fn percent(confidence: f64) -> String {
    format!("{:.0}%", (confidence * 100.0).floor())
}

fn identified(files: &[FileLicense], config: &Config) -> Result<CheckResult> {
    if files.is_empty() {
        return Ok(CheckResult::fail("no license file to identify"));
    }
    let mut findings = Vec::new();
    let mut unrecognised = Vec::new();
    let mut modified = Vec::new();
    for file in files {
        match &file.identification {
            Identification::Identified { licenses, confidence, form } => {
                if let Some(differences) = file.modified() {
                    let message = modified_message(
                        file,
                        &expression_text(&file_alternatives(licenses, file.either)),
                        *confidence,
                        differences,
                    );
                    let severity = if file.primary { Severity::High } else { Severity::Low };
                    findings.push(Finding::new(severity, message.clone()).at(&file.path));
                    findings.extend(differences.iter().map(|d| {
                        let at = Location::path(file.path.clone());
                        Finding::new(severity, d.describe()).location(match d.line {
                            Some(line) => at.line(line),
                            None => at,
                        })
                    }));
                    if file.primary {
                        modified.push(message);
                    }
                    continue;
                }
                let how = match form {
                    Form::Text => format!("{} confidence", percent(*confidence)),
                    Form::Notice => "standard notice only, not the license text".to_owned(),
                    Form::Name => "names the license, does not contain its text".to_owned(),
                };
                findings.push(Finding::info(format!("{} ({how})", licenses.join(" OR "))).at(&file.path));
            }
            Identification::Unrecognised { .. } if file.is_pointer(files) => {
                findings.push(Finding::info("a short note about the other license files").at(&file.path));
            }
            Identification::Unrecognised { closest } => {
                let closest = closest.as_ref().map_or_else(
                    || "no license text resembles it".to_owned(),
                    |m| format!("closest match {} ({})", m.id, percent(m.confidence)),
                );
                let variant = variants::note(&file.variants).map_or(String::new(), |note| format!(", {note}"));
                let message = format!("unrecognised or modified license in {}{variant}: {closest}", file.path);
                let severity = if file.primary { Severity::High } else { Severity::Low };
                findings.push(Finding::new(severity, message.clone()).at(&file.path));
                if file.primary {
                    unrecognised.push(message);
                }
            }
        }
    }
    if !unrecognised.is_empty() {
        return Ok(CheckResult::fail(unrecognised.join("; ")).findings(findings));
    }
    if !modified.is_empty() {
        return Ok(CheckResult::warn(modified.join("; "))
            .remediation(
                "Use the license's standard text unchanged (spdx.org/licenses), or have the OSPO review the changes: a modified license is not the original.",
            )
            .findings(findings));
    }
    let Some(ProjectLicense { expression, confidence, full_text, .. }) = expression(files) else {
        return Ok(CheckResult::fail("no license file of the project's own").findings(findings));
    };
    if !full_text {
        return Ok(CheckResult::warn(format!("{expression}: the license files name the license but do not contain its text"))
            .remediation("Add the full license text (from spdx.org/licenses) as LICENSE; most licenses require giving recipients a copy.")
            .findings(findings));
    }
    Ok(CheckResult::pass(format!("{expression} ({} confidence)", percent(confidence)))
        .findings(findings)
        .metric("confidence", confidence)
        .metric("min-confidence", config.min_confidence))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Verdict {
    Pass,
    Warn,
    Fail,
}

fn verdict(id: &str, config: &Config) -> (Verdict, String) {
    let listed = |list: &[String]| list.iter().any(|a| a.eq_ignore_ascii_case(id));
    let entry = identify::entry(id);
    let copyleft = entry.is_some_and(identify::Entry::is_copyleft);
    if listed(&config.denied) {
        return (Verdict::Fail, format!("{id} is denied by the policy"));
    }
    let allowed = if config.allowed.is_empty() {
        entry.is_some_and(identify::Entry::is_osi_approved)
    } else {
        listed(&config.allowed)
    };
    if !allowed {
        let list = if config.allowed.is_empty() { "OSI-approved licenses" } else { "the policy's allowed list" };
        return (Verdict::Fail, format!("{id} is not among {list}"));
    }
    if copyleft {
        let level = match config.copyleft.as_str() {
            "pass" => Verdict::Pass,
            "fail" => Verdict::Fail,
            _ => Verdict::Warn,
        };
        return (level, format!("{id} is copyleft"));
    }
    (Verdict::Pass, format!("{id} is approved"))
}

fn approved(files: &[FileLicense], config: &Config) -> Result<CheckResult> {
    let Some(ProjectLicense { expression, alternatives, .. }) = expression(files) else {
        let variant = variants::note(files.iter().filter(|f| f.primary).flat_map(|f| &f.variants))
            .map_or(String::new(), |note| format!(" ({note})"));
        return Ok(CheckResult::fail(format!("the license is not identified{variant}, so it cannot be approved"))
            .remediation("Fix license.identified first."));
    };
    // A modified license is not the one the policy approves.
    let modified: Vec<&FileLicense> = files.iter().filter(|f| f.primary && f.modified().is_some()).collect();
    if !modified.is_empty() {
        let paths: Vec<&str> = modified.iter().map(|f| f.path.as_str()).collect();
        let variant = variants::note(modified.iter().flat_map(|f| &f.variants))
            .map_or(String::new(), |note| format!(" ({note})"));
        return Ok(CheckResult::fail(format!(
            "{expression}: {} differs from the license's standard text{variant}; a modified license is not approved",
            paths.join(", ")
        ))
        .remediation(
            "Use the standard text unchanged, or have the OSPO review the changes and approve the modified license explicitly (an exemption with the reason).",
        ));
    }
    // An `OR` choice is as good as its best alternative; licenses that
    // apply together are as good as the worst of them.
    let mut reasons: Vec<String> = Vec::new();
    let best = alternatives
        .iter()
        .map(|alternative| {
            alternative
                .iter()
                .map(|id| {
                    let (verdict, reason) = verdict(id, config);
                    if !reasons.contains(&reason) {
                        reasons.push(reason);
                    }
                    verdict
                })
                .max()
                .unwrap_or(Verdict::Fail)
        })
        .min()
        .unwrap_or(Verdict::Fail);
    let message = format!("{expression}: {}", reasons.join("; "));
    Ok(match best {
        Verdict::Pass => CheckResult::pass(message),
        Verdict::Warn => CheckResult::warn(message).remediation(
            "Copyleft obliges users to share their changes; confirm with the OSPO that this is intended, or choose a permissive license.",
        ),
        Verdict::Fail => CheckResult::fail(message),
    })
}

/// The license files governing a package: their paths, what they identify
/// together, and the ways they offer to take it.
type Governing = (String, Identification, Vec<Vec<String>>);

/// The license files that govern `path`: every license file of the
/// nearest enclosing directory that has one (a package with `LICENSE-MIT`
/// and `UNLICENSE` is under both), their paths joined, and the licenses
/// they identify together (`Unrecognised` when none is identified); `None`
/// when only the root's apply.
fn governing_license(repo: &Repo, path: &str, threshold: f64) -> Result<Option<Governing>> {
    let mut dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    while !dir.is_empty() {
        let entries: Vec<TreeEntry> =
            repo.files_in(dir)?.into_iter().filter(|e| e.is_file() && is_license_file_name(e.name())).collect();
        if !entries.is_empty() {
            let mut licenses: Vec<String> = Vec::new();
            let mut ways: Vec<Vec<String>> = Vec::new();
            let (mut confidence, mut form, mut closest) = (1.0f64, None, None);
            for entry in &entries {
                let text = repo.read_text(&entry.path)?.unwrap_or_default();
                match identify::identify(&text, threshold) {
                    Identification::Identified { licenses: found, confidence: c, form: f } => {
                        let either = found.len() > 1 && offers_a_choice(&identify::prose(&text, &found));
                        ways.extend(file_alternatives(&found, either));
                        for license in found {
                            if !licenses.contains(&license) {
                                licenses.push(license);
                            }
                        }
                        confidence = confidence.min(c);
                        form.get_or_insert(f);
                    }
                    Identification::Unrecognised { closest: c } => closest = closest.or(c),
                }
            }
            let paths = entries.iter().map(|e| e.path.as_str()).collect::<Vec<_>>().join(", ");
            let identification = match form {
                Some(form) => Identification::Identified { licenses, confidence, form },
                None => Identification::Unrecognised { closest },
            };
            return Ok(Some((paths, identification, tidy(ways))));
        }
        dir = dir.rsplit_once('/').map_or("", |(d, _)| d);
    }
    Ok(None)
}

fn declared_consistent(repo: &Repo, files: &[FileLicense], config: &Config) -> Result<CheckResult> {
    let third_party = |path: &str| config.third_party_dirs.iter().any(|d| path.split('/').any(|part| part == d));
    let mut manifests: Vec<TreeEntry> = repo
        .files()?
        .filter(|e| e.is_file() && manifests::is_manifest(e.name()) && !third_party(&e.path))
        .cloned()
        .collect();
    manifests.truncate(200);
    let root = expression(files);
    let mut checked = 0;
    let mut findings = Vec::new();
    let mut mismatches = 0;
    let mut partial = 0;
    let mut nested_cache: BTreeMap<String, Option<Governing>> = BTreeMap::new();
    for manifest in &manifests {
        let Some(text) = repo.read_text(&manifest.path)? else { continue };
        let Some(declaration) = manifests::declared(&manifest.path, &text) else { continue };
        checked += 1;
        let dir = manifest.dir().to_owned();
        let nested = match nested_cache.get(&dir) {
            Some(found) => found.clone(),
            None => {
                let found = governing_license(repo, &manifest.path, config.min_confidence)?;
                nested_cache.insert(dir, found.clone());
                found
            }
        };
        let (license_path, actual, ways): (String, Option<Vec<String>>, &[Vec<String>]) = match (&nested, &root) {
            (Some((path, Identification::Identified { licenses, .. }, ways)), _) => {
                (path.clone(), Some(licenses.iter().map(|l| manifests::family(l)).collect()), ways)
            }
            (Some((path, Identification::Unrecognised { .. }, _)), _) => (path.clone(), None, &[]),
            (None, Some(project)) => (
                files.iter().filter(|f| f.primary).map(|f| f.path.as_str()).collect::<Vec<_>>().join(", "),
                Some(project.ids.iter().map(|l| manifests::family(l)).collect()),
                &project.alternatives,
            ),
            (None, None) => (String::new(), None, &[]),
        };
        let file_ways: Vec<manifests::Alternative> =
            ways.iter().map(|way| way.iter().map(|l| manifests::family(l)).collect()).collect();
        let Some(mut actual) = actual else {
            findings.push(
                Finding::new(
                    Severity::Low,
                    format!("declares `{}`; the license file is not identified", declaration.value),
                )
                .at(&declaration.path)
                .line(declaration.line),
            );
            continue;
        };
        actual.sort();
        actual.dedup();
        if actual.iter().any(|a| a.starts_with("LGPL-3.0")) {
            actual.retain(|a| !a.starts_with("GPL-3.0"));
        }
        let declared_ways = manifests::alternatives(&declaration.value);
        // Each way the manifest offers is one the license files offer (it
        // may offer fewer: `MIT OR Apache-2.0` from a file that also allows
        // CC0), or it names exactly the licenses the files hold.
        let agrees = manifests::families(&declaration.value).is_some_and(|declared| declared == actual)
            || declared_ways.as_ref().is_some_and(|d| d.iter().all(|way| file_ways.contains(way)));
        // Some ways match, others name licenses with no text in the package,
        // or a way leaves out licenses the files apply together with it.
        let partly = declared_ways
            .as_ref()
            .is_some_and(|d| d.iter().any(|way| file_ways.contains(way) || file_ways.iter().any(|f| way.is_subset(f))));
        match manifests::families(&declaration.value) {
            _ if agrees => findings.push(
                Finding::info(format!("declares `{}`, as {license_path} says", declaration.value))
                    .at(&declaration.path)
                    .line(declaration.line),
            ),
            _ if partly => {
                partial += 1;
                findings.push(
                    Finding::new(
                        Severity::Low,
                        format!(
                            "declares `{}`, which only partly matches {} in {license_path}: a declared license without its text in the package, or one that applies together with another the manifest leaves out",
                            declaration.value,
                            expression_text(ways)
                        ),
                    )
                    .at(&declaration.path)
                    .line(declaration.line),
                );
            }
            declared => {
                mismatches += 1;
                let what = if declared.is_none() { "an unknown license" } else { "a different license" };
                findings.push(
                    Finding::new(
                        Severity::Medium,
                        format!(
                            "declares `{}`, {what} from {} in {license_path}",
                            declaration.value,
                            actual.join(" OR ")
                        ),
                    )
                    .at(&declaration.path)
                    .line(declaration.line),
                );
            }
        }
    }
    if checked == 0 {
        return Ok(CheckResult::skip("no package manifest declares a license"));
    }
    let result = if mismatches > 0 {
        CheckResult::fail(format!("{mismatches} of {checked} manifests disagree with the license file"))
    } else if partial > 0 {
        CheckResult::warn(format!("{partial} of {checked} manifests only partly match the license files"))
    } else if findings.iter().any(|f| f.severity > Severity::Info) {
        CheckResult::warn(format!("{checked} manifests declare a license; the license file is not identified"))
    } else {
        CheckResult::pass(format!("{checked} manifests agree with the license file"))
    };
    Ok(result.findings(findings).metric("manifests", checked as f64).metric("mismatches", f64::from(mismatches)))
}

/// Extensions of source files that should carry a header.
const SOURCE_EXTENSIONS: &[&str] = &[
    "rs", "go", "py", "js", "jsx", "ts", "tsx", "mjs", "java", "kt", "kts", "scala", "c", "h", "cc", "cpp", "cxx",
    "hpp", "cs", "rb", "php", "swift", "m", "mm", "sh", "bash", "lua", "dart", "ex", "exs", "erl", "hs", "clj",
    "groovy", "pl", "r", "jl", "vue", "svelte", "proto", "sql",
];

/// What the license header check learns from the first 2 KB of a source
/// file, kept in the host's results cache by blob id: a re-check reads only
/// files it has not seen.
#[derive(Debug, Default, Serialize, Deserialize)]
struct HeadFacts {
    /// It carries a license header.
    header: bool,
    /// The kinds of license its header names (`foreign::header_kinds`).
    kinds: Vec<String>,
    /// The copyright holders it names.
    holders: Vec<String>,
    /// It reserves all rights (`copyright::reserves_all_rights`).
    reserves: bool,
}

impl HeadFacts {
    fn of(repo: &Repo, entry: &TreeEntry) -> Result<HeadFacts> {
        let key = format!("license/head/v1/{}", entry.id);
        if let Some(facts) = repo.cache_get(&key).and_then(|bytes| serde_json::from_slice(&bytes).ok()) {
            return Ok(facts);
        }
        let head = repo.read_text_bounded(&entry.path, 2048)?.unwrap_or_default();
        let facts = HeadFacts {
            header: has_header(&head),
            kinds: foreign::header_kinds(&head).into_iter().map(str::to_owned).collect(),
            holders: copyright::holders(&head),
            reserves: copyright::reserves_all_rights(&head),
        };
        if let Ok(bytes) = serde_json::to_vec(&facts) {
            repo.cache_put(&key, &bytes);
        }
        Ok(facts)
    }
}

fn has_header(head: &str) -> bool {
    let lower = head.to_lowercase();
    lower.contains("spdx-license-identifier")
        || lower.contains("licensed under")
        || lower.contains("permission is hereby granted")
        || lower.contains("this file is part of")
        || lower.contains("subject to the terms of the mozilla public")
        || (lower.contains("copyright") && (lower.contains("licen") || lower.contains("all rights reserved")))
}

fn headers(repo: &Repo, files: &[FileLicense], config: &Config) -> Result<CheckResult> {
    let third_party = |path: &str| config.third_party_dirs.iter().any(|d| path.split('/').any(|part| part == d));
    let sources: Vec<TreeEntry> = repo
        .files()?
        .filter(|e| {
            e.is_file()
                && !third_party(&e.path)
                && e.name()
                    .rsplit_once('.')
                    .is_some_and(|(_, ext)| SOURCE_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()))
        })
        .cloned()
        .collect();
    if sources.is_empty() {
        return Ok(CheckResult::skip("no source files"));
    }
    // Evenly spaced sample when there are very many files.
    let step = sources.len().div_ceil(config.header_max_files.max(1));
    let sample: Vec<&TreeEntry> = sources.iter().step_by(step.max(1)).collect();
    // The project's license, by kind, when every part of it has a known
    // kind (else a header cannot be told foreign).
    let project: Option<(String, Vec<&str>)> =
        expression(files).and_then(|ProjectLicense { expression, ids, .. }| {
            let kinds: Option<Vec<&str>> = ids.iter().map(|id| foreign::kind_of(id)).collect();
            kinds.map(|kinds| (expression, kinds))
        });
    let mut missing = Vec::new();
    let mut foreign_headers: Vec<(String, Vec<String>)> = Vec::new();
    let mut holders = Holders::default();
    for entry in &sample {
        let facts = HeadFacts::of(repo, entry)?;
        holders.add(&entry.path, &facts);
        if !facts.header {
            missing.push(entry.path.clone());
            continue;
        }
        if let Some((_, own)) = &project
            && !facts.kinds.is_empty()
            && !facts.kinds.iter().any(|k| own.contains(&k.as_str()))
        {
            foreign_headers.push((entry.path.clone(), facts.kinds));
        }
    }
    let with = sample.len() - missing.len();
    let share = with as f64 / sample.len() as f64;
    let figures = format!("{with} of {} source files ({:.0}%) carry a license header", sample.len(), share * 100.0);
    let mut findings: Vec<Finding> =
        missing.iter().take(20).map(|p| Finding::new(Severity::Low, "no license header").at(p).line(1)).collect();
    if let Some((expression, _)) = &project {
        findings.extend(foreign_headers.iter().take(50).map(|(path, kinds)| {
            Finding::new(
                Severity::Medium,
                format!(
                    "carries {} header, not the project's {expression}: code copied from elsewhere keeps its own license (move it under a third-party directory with its license, and list it in NOTICE) or is replaced",
                    foreign::with_article(&kinds.join("/"))
                ),
            )
            .at(path)
            .line(1)
        }));
    }
    let own = own_holders(repo, files)?;
    let (third_party_holders, reserved) = holders.third_party(&own);
    findings.extend(reserved.iter().take(50).map(|(path, holder)| {
        Finding::new(
            Severity::Medium,
            format!(
                "all rights reserved by {holder}, with no license: another holder's proprietary code may not be published without its permission"
            ),
        )
        .at(path)
        .line(1)
    }));
    findings.extend(third_party_holders.iter().take(50).map(|holder| {
        Finding::info(format!(
            "copyright held by {} in {} file{} (list it in NOTICE)",
            holder.name,
            holder.files,
            if holder.files == 1 { "" } else { "s" }
        ))
        .at(&holder.first)
        .line(1)
    }));
    let mut notes = String::new();
    match foreign_headers.len() {
        0 => {}
        1 => notes.push_str("; 1 file carries another license's header"),
        n => notes.push_str(&format!("; {n} files carry another license's header")),
    }
    match reserved.len() {
        0 => {}
        1 => notes.push_str("; 1 file reserves all rights to another holder"),
        n => notes.push_str(&format!("; {n} files reserve all rights to another holder")),
    }
    let clean = foreign_headers.is_empty() && reserved.is_empty();
    let result = if share >= config.header_threshold && clean {
        CheckResult::pass(figures)
    } else if share >= config.header_threshold {
        CheckResult::warn(format!("{figures}{notes}")).remediation(
            "Review each file with another license's header or another holder's reserved rights: keep it as third-party code under its license (with its holder in NOTICE), get the holder's permission, or replace it.",
        )
    } else {
        CheckResult::warn(format!("{figures}; the policy asks for {:.0}%{notes}", config.header_threshold * 100.0))
            .score((share * 100.0).round() as u8)
    };
    Ok(result
        .findings(findings)
        .metric("header-share", share)
        .metric("foreign-headers", foreign_headers.len() as f64)
        .metric("third-party-holders", third_party_holders.len() as f64))
}

/// A copyright holder named in file headers.
struct Holder {
    name: String,
    files: usize,
    /// The first file (in tree order) that names it.
    first: String,
}

/// The holders of the sampled files, and the files that reserve all rights
/// without a license, by holder key.
#[derive(Default)]
struct Holders {
    by_key: BTreeMap<String, Holder>,
    /// (path, holder keys) of headers reserving all rights with no license.
    reserved: Vec<(String, Vec<String>)>,
}

impl Holders {
    fn add(&mut self, path: &str, facts: &HeadFacts) {
        let names = &facts.holders;
        for name in names {
            let holder = self.by_key.entry(copyright::key(name)).or_insert_with(|| Holder {
                name: name.clone(),
                files: 0,
                first: path.to_owned(),
            });
            holder.files += 1;
        }
        // A header that names a license by its words grants it, whatever
        // rights it reserves first.
        if !names.is_empty() && facts.reserves && facts.kinds.is_empty() {
            self.reserved.push((path.to_owned(), names.iter().map(|n| copyright::key(n)).collect()));
        }
    }

    /// The holders that are not the project's (`own`: keys from its license
    /// and NOTICE files; without any, the holder of most headers when it
    /// holds at least half of them), most files first; and the files whose
    /// reserved rights belong to one of them.
    fn third_party(&self, own: &[String]) -> (Vec<&Holder>, Vec<(String, String)>) {
        let mut own: Vec<String> = own.to_vec();
        if own.is_empty() {
            let total: usize = self.by_key.values().map(|h| h.files).sum();
            if let Some((key, top)) = self.by_key.iter().max_by_key(|(_, h)| h.files)
                && top.files * 2 >= total
            {
                own.push(key.clone());
            }
        }
        // "Example" in LICENSE is the same holder as "Example Cloud" in a
        // header; an empty key (a name of legal forms only) matches nothing.
        let is_own = |key: &str| {
            own.iter().any(|o| !o.is_empty() && !key.is_empty() && (key.contains(o.as_str()) || o.contains(key)))
        };
        let mut third: Vec<&Holder> = self.by_key.iter().filter(|(k, _)| !is_own(k)).map(|(_, h)| h).collect();
        third.sort_by(|a, b| b.files.cmp(&a.files).then_with(|| a.name.cmp(&b.name)));
        let reserved = self
            .reserved
            .iter()
            .filter_map(|(path, keys)| {
                let other = keys.iter().find(|k| !is_own(k))?;
                Some((path.clone(), self.by_key.get(other).map_or_else(|| other.clone(), |h| h.name.clone())))
            })
            .collect();
        (third, reserved)
    }
}

/// The holders the project's own license files and root NOTICE name.
fn own_holders(repo: &Repo, files: &[FileLicense]) -> Result<Vec<String>> {
    let mut paths: Vec<String> = files.iter().filter(|f| f.primary).map(|f| f.path.clone()).collect();
    paths.extend(
        repo.files_in("")?
            .into_iter()
            .filter(|e| e.is_file() && normalize_name(stem(e.name())) == "notice")
            .map(|e| e.path),
    );
    let mut own = Vec::new();
    for path in paths {
        let text = repo.read_text_bounded(&path, 64 * 1024)?.unwrap_or_default();
        own.extend(copyright::holders(&text).iter().map(|h| copyright::key(h)));
    }
    Ok(own)
}

fn third_party(repo: &Repo, files: &[FileLicense], config: &Config) -> Result<CheckResult> {
    let mut components: BTreeMap<String, bool> = BTreeMap::new();
    for dir in &config.third_party_dirs {
        for entry in repo.files()?.filter(|e| e.path.split('/').any(|part| part == dir)) {
            // The component is the directory below the vendor directory
            // (two levels for Go's vendor/host/org/name layout).
            let parts: Vec<&str> = entry.path.split('/').collect();
            let Some(at) = parts.iter().position(|p| p == dir) else { continue };
            if parts.len() <= at + 2 {
                continue;
            }
            let depth = if dir == "vendor" && parts[at + 1].contains('.') {
                4
            } else if parts[at + 1].starts_with('@') {
                3
            } else {
                2
            };
            let end = (at + depth).min(parts.len() - 1);
            let component = parts[..end].join("/");
            let licensed = is_license_file_name(entry.name()) || normalize_name(stem(entry.name())) == "notice";
            let slot = components.entry(component).or_insert(false);
            *slot |= licensed;
        }
    }
    if components.is_empty() {
        return Ok(CheckResult::skip("no vendored or third-party directories"));
    }
    let unlicensed: Vec<&String> = components.iter().filter(|(_, licensed)| !**licensed).map(|(c, _)| c).collect();
    let mut findings: Vec<Finding> = unlicensed
        .iter()
        .take(50)
        .map(|c| Finding::new(Severity::Medium, format!("{c} has no license file of its own")).at(c.as_str()))
        .collect();
    let apache = expression(files).is_some_and(|p| p.ids.iter().any(|id| id.starts_with("Apache-2.0")));
    let notice = repo.find_first(&["notice"], &[""])?;
    let needs_notice = apache && notice.is_none();
    if needs_notice {
        findings
            .push(Finding::new(Severity::Medium, "Apache-2.0 project bundles third-party code but has no NOTICE file"));
    }
    let figures = format!("{} third-party components, {} without a license file", components.len(), unlicensed.len());
    let result = if unlicensed.is_empty() && !needs_notice {
        CheckResult::pass(figures)
    } else if unlicensed.is_empty() {
        CheckResult::warn(format!("{figures}; no NOTICE file for the Apache-2.0 attribution"))
    } else {
        CheckResult::fail(figures)
    };
    Ok(result.findings(findings).metric("third-party-components", components.len() as f64))
}

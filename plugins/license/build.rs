//! Builds the license corpus the plugin embeds: every non-deprecated SPDX
//! license text from the `spdx` crate, normalised (src/normalize.rs, the same
//! code the plugin runs) into sorted word-bigram hashes. Texts shared by
//! several ids (GPL-2.0-only and GPL-2.0-or-later) are stored once, under the
//! first id; licenses with a "How to apply" appendix after "END OF TERMS AND
//! CONDITIONS" get a second entry without it, since many copies omit it.
//!
//! Also stored: each license's standard notice (flag 16) and the SPDX
//! license exceptions (flag 8).
//!
//! Format, little-endian: per entry, id length (u8), id, flags (u8: 1 OSI
//! approved, 2 copyleft, 4 FSF libre, 8 exception, 16 notice), bigram count
//! (u32), bigrams (u32 each).
//!
//! And the SPDX license templates (`templates.bin`), from the SPDX
//! license-list data that the `license` crate's package ships (found through
//! `cargo metadata`, pinned by Cargo.lock): each template normalised like
//! the texts, with its variable and optional regions marked, for the exact
//! match of src/template.rs. Format: the word dictionary (count u32, then
//! each word as length u8 and bytes), then per template: id (length u8,
//! bytes), variable count (u16), each variable's `match` regex (length u16,
//! bytes), token count (u32), tokens (u16 dictionary indices).

#![allow(clippy::disallowed_macros)] // build scripts talk to cargo on stdout

use std::collections::HashMap;
use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "src/normalize.rs"]
mod normalize;

/// Flags of corpus entries.
const OSI: u8 = 1;
const COPYLEFT: u8 = 2;
const FSF: u8 = 4;
const EXCEPTION: u8 = 8;
const NOTICE: u8 = 16;

fn main() {
    println!("cargo:rerun-if-changed=src/normalize.rs");
    println!("cargo:rerun-if-changed=build.rs");
    let mut out = Vec::new();
    let mut seen: HashMap<&str, &str> = HashMap::new();
    let mut entries = 0;
    for (id, text) in spdx::text::LICENSE_TEXTS {
        let Some(license) = spdx::license_id(id) else { continue };
        if license.is_deprecated() || seen.contains_key(text) {
            continue;
        }
        seen.insert(text, id);
        let flags = if license.is_osi_approved() { OSI } else { 0 }
            | if license.is_copyleft() { COPYLEFT } else { 0 }
            | if license.is_fsf_free_libre() { FSF } else { 0 };
        let words = normalize::words(text);
        write_entry(&mut out, id, flags, &normalize::bigrams(&words));
        entries += 1;
        let end = words.windows(5).position(|w| w == ["end", "of", "terms", "and", "conditions"]);
        if let Some(end) = end.filter(|&end| end + 5 < words.len()) {
            write_entry(&mut out, id, flags, &normalize::bigrams(&words[..end + 5]));
            entries += 1;
        }
        // The standard notice the license's appendix asks projects to put in
        // their files; some repositories ship only that.
        if let Some((notice_id, notice)) = notice(id, text) {
            write_entry(&mut out, &notice_id, flags | NOTICE, &normalize::bigrams(&normalize::words(notice)));
            entries += 1;
        }
    }
    for (id, text) in spdx::text::EXCEPTION_TEXTS {
        if spdx::exception_id(id).is_none_or(|e| e.is_deprecated()) {
            continue;
        }
        write_entry(&mut out, id, EXCEPTION, &normalize::bigrams(&normalize::words(text)));
        entries += 1;
    }
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
    let path = out_dir.join("corpus.bin");
    fs::write(&path, out).unwrap_or_else(|e| panic!("failed to write {}: {e}", path.display()));
    assert!(entries > 500, "the SPDX corpus has only {entries} entries");
    let ids: Vec<&str> = seen.values().copied().collect();
    let data = license_list_data();
    let templates = templates(&data, &ids);
    let path = out_dir.join("templates.bin");
    fs::write(&path, templates).unwrap_or_else(|e| panic!("failed to write {}: {e}", path.display()));
    let path = out_dir.join("aliases.tsv");
    fs::write(&path, aliases(&data)).unwrap_or_else(|e| panic!("failed to write {}: {e}", path.display()));
}

/// Each non-deprecated license's name and see-also URLs, as lookup keys
/// (`normalize::name_key`, `normalize::url_key`), one `key<TAB>id` per
/// line; a key that two licenses share is left out (ambiguous).
fn aliases(dir: &Path) -> String {
    let mut keys: HashMap<String, Option<String>> = HashMap::new();
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        let Ok(text) = fs::read_to_string(&path) else { continue };
        let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else { continue };
        if json["isDeprecatedLicenseId"].as_bool() == Some(true) {
            continue;
        }
        let Some(id) = json["licenseId"].as_str() else { continue };
        let mut add = |key: String| {
            if key.is_empty() {
                return;
            }
            keys.entry(key)
                .and_modify(|other| {
                    if other.as_deref() != Some(id) {
                        *other = None;
                    }
                })
                .or_insert_with(|| Some(id.to_owned()));
        };
        add(format!("name:{}", normalize::name_key(json["name"].as_str().unwrap_or_default())));
        add(format!("name:{}", normalize::name_key(id)));
        for url in json["seeAlso"].as_array().into_iter().flatten().filter_map(|u| u.as_str()) {
            add(format!("url:{}", normalize::url_key(url)));
        }
    }
    let mut lines: Vec<String> = keys.into_iter().filter_map(|(key, id)| Some(format!("{key}\t{}", id?))).collect();
    lines.sort();
    lines.join("\n")
}

/// The `json/details` folder of the SPDX license-list data in the `license`
/// crate's package.
fn license_list_data() -> PathBuf {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked", "--manifest-path"])
        .arg(&manifest)
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo metadata: {e}"));
    assert!(output.status.success(), "cargo metadata failed: {}", String::from_utf8_lossy(&output.stderr));
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).expect("cargo metadata JSON");
    let package = metadata["packages"]
        .as_array()
        .and_then(|packages| packages.iter().find(|p| p["name"] == "license"))
        .expect("the `license` package (the SPDX license-list data) is in the dependency graph");
    let manifest_path = package["manifest_path"].as_str().expect("manifest_path");
    let dir = Path::new(manifest_path).parent().expect("package directory").join("license-list-data/json/details");
    println!("cargo:rerun-if-changed={}", dir.display());
    dir
}

/// Marks a region in a template before normalisation; a word of letters
/// and digits that no license uses.
const VAR_BEGIN: &str = "fledgevarbegin";
const VAR_END: &str = "fledgevarend";
const OPTIONAL_BEGIN: &str = "fledgeoptbegin";
const OPTIONAL_END: &str = "fledgeoptend";

/// The templates of the licenses `ids`, normalised and encoded.
fn templates(dir: &Path, ids: &[&str]) -> Vec<u8> {
    let mut dictionary: Vec<String> = Vec::new();
    let mut index: HashMap<String, u16> = HashMap::new();
    let mut body = Vec::new();
    let mut count = 0;
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    for id in sorted {
        let path = dir.join(format!("{id}.json"));
        let Ok(text) = fs::read_to_string(&path) else { continue };
        let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let Some(template) = json["standardLicenseTemplate"].as_str().filter(|t| !t.trim().is_empty()) else {
            continue;
        };
        let (marked, matches) = mark(template);
        let words = normalize::words(&marked);
        body.push(u8::try_from(id.len()).expect("short SPDX id"));
        body.extend_from_slice(id.as_bytes());
        body.extend_from_slice(&u16::try_from(matches.len()).expect("variables").to_le_bytes());
        for pattern in &matches {
            body.extend_from_slice(&u16::try_from(pattern.len()).expect("short regex").to_le_bytes());
            body.extend_from_slice(pattern.as_bytes());
        }
        body.extend_from_slice(&u32::try_from(words.len()).expect("token count").to_le_bytes());
        for word in words {
            let next = u16::try_from(dictionary.len()).expect("fewer than 65536 distinct words");
            let at = *index.entry(word.clone()).or_insert_with(|| {
                dictionary.push(word);
                next
            });
            body.extend_from_slice(&at.to_le_bytes());
        }
        count += 1;
    }
    assert!(count > 400, "only {count} SPDX templates");
    let mut out = Vec::new();
    out.extend_from_slice(&u32::try_from(dictionary.len()).expect("dictionary").to_le_bytes());
    for word in &dictionary {
        out.push(u8::try_from(word.len()).unwrap_or(u8::MAX));
        out.extend_from_slice(&word.as_bytes()[..word.len().min(255)]);
    }
    out.extend_from_slice(&body);
    out
}

/// The template's text with its regions marked: a variable becomes its
/// original text between `VAR_BEGIN<n>` and `VAR_END<n>`, an optional part
/// sits between `OPTIONAL_BEGIN` and `OPTIONAL_END`. Returns the text and
/// each variable's `match` regex.
fn mark(template: &str) -> (String, Vec<String>) {
    let mut out = String::with_capacity(template.len());
    let mut matches = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("<<") {
        out.push_str(&rest[..start]);
        let Some(len) = rest[start..].find(">>") else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let tag = &rest[start + 2..start + len];
        rest = &rest[start + len + 2..];
        if tag.starts_with("beginOptional") {
            out.push_str(&format!(" {OPTIONAL_BEGIN} "));
        } else if tag.starts_with("endOptional") {
            out.push_str(&format!(" {OPTIONAL_END} "));
        } else if let Some(var) = tag.strip_prefix("var;") {
            let original = field(var, "original").unwrap_or_default();
            // Inside a word or a URL (`gnu.org/<<var>>/why-not-lgpl.html`)
            // the original stays in place, so that the word or URL is whole.
            let inside = out.chars().last().is_some_and(|c| !c.is_whitespace())
                && rest.chars().next().is_some_and(|c| !c.is_whitespace() && c != '<');
            if inside {
                out.push_str(&original);
            } else {
                let n = matches.len();
                matches.push(field(var, "match").unwrap_or_default());
                out.push_str(&format!(" {VAR_BEGIN}{n} {original} {VAR_END}{n} "));
            }
        }
    }
    out.push_str(rest);
    (out, matches)
}

/// The value of `name="..."` in a template tag (a quote inside is escaped
/// with a backslash; other backslashes are the regex's own).
fn field(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
    let mut value = String::new();
    let mut chars = tag[start..].chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'"') => value.extend(chars.next()),
            '"' => return Some(value),
            c => value.push(c),
        }
    }
    Some(value)
}

/// The standard notice in a license's "How to apply" appendix: Apache's
/// "Licensed under the Apache License..." paragraph, or the GNU "This
/// program is free software..." notice (which grants "any later version").
fn notice<'a>(id: &str, text: &'a str) -> Option<(String, &'a str)> {
    if id == "Apache-2.0" {
        let start = text.find("Licensed under the Apache License, Version 2.0")?;
        return Some((id.to_owned(), &text[start..]));
    }
    let start = text.find("This program is free software").or_else(|| text.find("This library is free software"))?;
    let end = start + text[start..].find("Also add information")?;
    let id = id.strip_suffix("-only")?;
    Some((format!("{id}-or-later"), &text[start..end]))
}

fn write_entry(out: &mut Vec<u8>, id: &str, flags: u8, bigrams: &[u32]) {
    out.push(u8::try_from(id.len()).expect("short SPDX id"));
    out.extend_from_slice(id.as_bytes());
    out.push(flags);
    out.extend_from_slice(&u32::try_from(bigrams.len()).expect("bigram count").to_le_bytes());
    for hash in bigrams {
        out.extend_from_slice(&hash.to_le_bytes());
    }
}

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

#![allow(clippy::disallowed_macros)] // build scripts talk to cargo on stdout

use std::collections::HashMap;
use std::env;
use std::fs;
use std::path::PathBuf;

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
    let path = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR")).join("corpus.bin");
    fs::write(&path, out).unwrap_or_else(|e| panic!("failed to write {}: {e}", path.display()));
    assert!(entries > 500, "the SPDX corpus has only {entries} entries");
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

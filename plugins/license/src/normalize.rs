//! License text normalisation, shared by the build script (which turns the
//! SPDX texts into the corpus) and the plugin (which normalises the files it
//! reads), so both sides fold exactly the same differences away: case,
//! whitespace and wrapping, punctuation, bullets and numbering, copyright
//! statements, URLs, and British/American spellings.

/// The normalised words of a license text. CJK characters are words of
/// their own.
pub fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    for line in text.lines() {
        let lower = line.to_lowercase();
        if is_copyright_statement(&lower) {
            continue;
        }
        let lower = lower.replace("all rights reserved", " ");
        let mut word = String::new();
        for token in lower.split_whitespace() {
            // URLs differ in scheme and trailing slashes between copies; drop them.
            if token.contains("://") || token.trim_start_matches(['<', '(']).starts_with("www.") {
                push(&mut words, &mut word);
                continue;
            }
            for c in token.chars() {
                if is_cjk(c) {
                    push(&mut words, &mut word);
                    words.push(c.to_string());
                } else if c.is_alphanumeric() {
                    word.push(c);
                } else if matches!(c, '-' | '\u{2010}' | '\u{2011}' | '\'' | '\u{2019}') {
                    // Joined, not split: "sub-license" and "sublicense" are one word.
                } else {
                    push(&mut words, &mut word);
                }
            }
            push(&mut words, &mut word);
        }
    }
    words
}

fn push(words: &mut Vec<String>, word: &mut String) {
    if word.is_empty() {
        return;
    }
    let keep = !(word.chars().all(|c| c.is_ascii_digit()) || (word.len() == 1 && word.is_ascii()) || is_roman(word));
    if keep {
        words.push(canonical(word).to_owned());
    }
    word.clear();
}

/// List numbering such as `ii`, `iv`, `vii`.
fn is_roman(word: &str) -> bool {
    matches!(word, "ii" | "iii" | "iv" | "vi" | "vii" | "viii" | "ix" | "xi" | "xii")
}

fn canonical(word: &str) -> &str {
    match word {
        "licence" => "license",
        "licences" => "licenses",
        "licenced" => "licensed",
        "licencee" => "licensee",
        "licenser" => "licensor",
        "organisation" => "organization",
        "organisations" => "organizations",
        "acknowledgement" => "acknowledgment",
        "acknowledgements" => "acknowledgments",
        "favour" => "favor",
        "behaviour" => "behavior",
        "analogue" => "analog",
        "authorise" => "authorize",
        "authorised" => "authorized",
        "recognise" => "recognize",
        _ => word,
    }
}

/// `Copyright (c) 2024 Jane`, `(c) ACME`, `© 2024`, `Copyright <year> <owner>`;
/// not body text such as "copyright notice and this permission notice".
fn is_copyright_statement(lower: &str) -> bool {
    let trimmed =
        lower.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '*' | '#' | '/' | '-' | ';' | '"'));
    let starts = trimmed.starts_with("copyright")
        || trimmed.starts_with("(c)")
        || trimmed.starts_with('©')
        || trimmed.starts_with("copr.");
    if !starts {
        return false;
    }
    let has_year = trimmed.as_bytes().windows(4).any(|w| w.iter().all(u8::is_ascii_digit));
    // "(c) You must retain..." is item (c) of a list, not a copyright line.
    if trimmed.starts_with("(c)") && !has_year && !trimmed.contains("rights reserved") && !trimmed.contains('©') {
        return false;
    }
    has_year
        || trimmed.contains("(c)")
        || trimmed.contains('©')
        || ["<year>", "[yyyy]", "<owner>", "holder", "owner", "<name", "author", "[name", "{year}", "[year]"]
            .iter()
            .any(|m| trimmed.contains(m))
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF)
}

/// The sorted, distinct hashes of consecutive word pairs.
pub fn bigrams(words: &[String]) -> Vec<u32> {
    let mut hashes: Vec<u32> = words.windows(2).map(|pair| hash(&pair[0], &pair[1])).collect();
    hashes.sort_unstable();
    hashes.dedup();
    hashes
}

/// FNV-1a over `a`, a separator and `b`, folded to 32 bits.
fn hash(a: &str, b: &str) -> u32 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in a.bytes().chain(std::iter::once(0)).chain(b.bytes()) {
        h ^= u64::from(byte);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h ^ (h >> 32)) as u32
}

/// The key under which a license *name* is looked up: lower-case words of
/// letters and digits, without "the", "license", "version" and the like,
/// so that "The Apache License, Version 2.0" and "Apache License 2.0" meet.
pub fn name_key(name: &str) -> String {
    const NOISE: &[&str] =
        &["the", "license", "licence", "licenses", "version", "v", "software", "public", "open", "source"];
    let lower = name.to_lowercase();
    let words: Vec<&str> =
        lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty() && !NOISE.contains(w)).collect();
    words.join(" ")
}

/// The key under which a license *URL* is looked up: without scheme,
/// `www.`, a trailing slash or a `.txt`/`.html`/`.php` extension, lower-case.
pub fn url_key(url: &str) -> String {
    let lower = url.trim().to_lowercase();
    let rest = lower.split_once("://").map_or(lower.as_str(), |(_, r)| r);
    let rest = rest.strip_prefix("www.").unwrap_or(rest).trim_end_matches('/');
    let rest = [".txt", ".html", ".htm", ".php", ".md"].iter().fold(rest, |r, ext| r.strip_suffix(ext).unwrap_or(r));
    // opensource.org moved from /licenses/MIT (and /licenses/mit-license.php)
    // to /license/MIT; both forms are in use.
    match rest.strip_prefix("opensource.org/licenses/").or_else(|| rest.strip_prefix("opensource.org/license/")) {
        Some(id) => format!("opensource.org/license/{}", id.strip_suffix("-license").unwrap_or(id)),
        None => rest.to_owned(),
    }
}

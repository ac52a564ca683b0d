//! Identifying license texts against the SPDX corpus built by `build.rs`.
//!
//! A text's normalised word bigrams are compared with each corpus entry's by
//! the Sørensen–Dice coefficient (the share of bigrams the two have in
//! common): that is the confidence. A file holding several licenses is
//! recognised when several entries are each almost entirely contained in it
//! and together account for it; an SPDX exception found beside a license
//! gives `<license> WITH <exception>`. A file that only carries a license's
//! standard notice, or only names a license, is identified as such.

use std::sync::OnceLock;

use crate::normalize;

static CORPUS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/corpus.bin"));

const OSI: u8 = 1;
const COPYLEFT: u8 = 2;
const EXCEPTION: u8 = 8;
const NOTICE: u8 = 16;

/// One SPDX license, notice or exception (or a variant of its text) in the corpus.
pub struct Entry {
    pub id: &'static str,
    flags: u8,
    bigrams: Vec<u32>,
}

impl Entry {
    pub fn is_osi_approved(&self) -> bool {
        self.flags & OSI != 0
    }

    pub fn is_copyleft(&self) -> bool {
        self.flags & COPYLEFT != 0
    }

    fn is_exception(&self) -> bool {
        self.flags & EXCEPTION != 0
    }

    fn is_notice(&self) -> bool {
        self.flags & NOTICE != 0
    }
}

/// The corpus, parsed on first use.
pub fn corpus() -> &'static [Entry] {
    static PARSED: OnceLock<Vec<Entry>> = OnceLock::new();
    PARSED.get_or_init(|| {
        let mut entries = Vec::new();
        let mut rest = CORPUS;
        while let Some((&len, tail)) = rest.split_first() {
            let len = usize::from(len);
            let (Some(id), Some(&flags)) = (tail.get(..len), tail.get(len)) else { break };
            let Ok(id) = std::str::from_utf8(id) else { break };
            let Some(count) = tail.get(len + 1..len + 5).and_then(|b| b.try_into().ok()).map(u32::from_le_bytes) else {
                break;
            };
            let start = len + 5;
            let end = start + count as usize * 4;
            let Some(data) = tail.get(start..end) else { break };
            let bigrams = data.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
            entries.push(Entry { id, flags, bigrams });
            rest = &tail[end..];
        }
        entries
    })
}

/// For each bigram of the corpus, the licenses (not exceptions) that hold
/// it, by index in [`corpus`]: counting a file's bigrams through it gives
/// every entry's intersection with the file at once, exactly, instead of
/// merging the file with each of the hundreds of entries.
fn postings() -> &'static std::collections::HashMap<u32, Vec<u16>> {
    static INDEX: OnceLock<std::collections::HashMap<u32, Vec<u16>>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index: std::collections::HashMap<u32, Vec<u16>> = std::collections::HashMap::new();
        for (i, entry) in corpus().iter().enumerate() {
            let Ok(i) = u16::try_from(i) else { break };
            if entry.is_exception() {
                continue;
            }
            for &bigram in &entry.bigrams {
                index.entry(bigram).or_default().push(i);
            }
        }
        index
    })
}

/// Every license entry with the number of bigrams it shares with `file`.
fn shared_with(file: &[u32]) -> Vec<(&'static Entry, usize)> {
    let corpus = corpus();
    let mut counts = vec![0usize; corpus.len()];
    let index = postings();
    for bigram in file {
        for &i in index.get(bigram).map(Vec::as_slice).unwrap_or_default() {
            counts[usize::from(i)] += 1;
        }
    }
    corpus.iter().zip(counts).filter(|(e, _)| !e.is_exception()).collect()
}

/// The lines of `text` that belong to none of `licenses`' texts: what the
/// file says in its own words around them ("you may use it under either
/// the MIT or the Apache-2.0 license"). A line is a license's when most of
/// its word pairs are that license's.
pub fn prose(text: &str, licenses: &[String]) -> String {
    let mut known: Vec<u32> =
        licenses.iter().filter_map(|id| entry(id)).flat_map(|e| e.bigrams.iter().copied()).collect();
    known.sort_unstable();
    known.dedup();
    let mut out = String::new();
    for line in text.lines() {
        let words = normalize::words(line);
        if words.len() < 3 {
            continue;
        }
        let pairs = normalize::bigrams(&words);
        if intersection(&pairs, &known) * 5 < pairs.len() * 3 {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The license (not notice or exception) entry for `id`, if any.
pub fn entry(id: &str) -> Option<&'static Entry> {
    let base = id.split(" WITH ").next().unwrap_or(id);
    corpus().iter().find(|e| !e.is_exception() && e.id.eq_ignore_ascii_case(base))
}

/// A license that came close, with the confidence of the match (0-1).
#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    pub id: &'static str,
    pub confidence: f64,
}

/// How a file carries its license.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// The license text itself.
    Text,
    /// Only the standard notice ("Licensed under the Apache License...").
    Notice,
    /// Only the name ("This project is licensed under MIT").
    Name,
}

/// What a text turned out to hold.
#[derive(Clone, Debug, PartialEq)]
pub enum Identification {
    /// One license, or several in one file; `confidence` is for the whole.
    Identified { licenses: Vec<String>, confidence: f64, form: Form },
    /// Not close enough to any license; the closest one, if any.
    Unrecognised { closest: Option<Match> },
}

/// Licenses preferred when two texts match almost equally (MIT over
/// MIT-Modern-Variant, BSD-3-Clause over its lookalikes).
pub(crate) const PREFERRED: &[&str] = &[
    "MIT",
    "Apache-2.0",
    "BSD-3-Clause",
    "BSD-2-Clause",
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
    "0BSD",
    "EPL-1.0",
    "CDDL-1.0",
    "MIT-0",
    "Python-2.0",
    "PostgreSQL",
    "Artistic-2.0",
    "CC-BY-4.0",
];

fn merge(a: &[u32], b: &[u32], mut on_common: impl FnMut(u32)) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                on_common(a[i]);
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

fn intersection(a: &[u32], b: &[u32]) -> usize {
    merge(a, b, |_| {})
}

fn common(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = Vec::new();
    merge(a, b, |h| out.push(h));
    out
}

fn union(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out: Vec<u32> = a.iter().chain(b).copied().collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn dice(common: usize, a: usize, b: usize) -> f64 {
    if a + b == 0 { 0.0 } else { 2.0 * common as f64 / (a + b) as f64 }
}

fn preference(id: &str) -> usize {
    PREFERRED.iter().position(|p| *p == id).unwrap_or(PREFERRED.len())
}

/// Identifies the license(s) in `text`; a match needs `threshold` (0-1).
/// A text met before in the same run (the same license file copied into
/// each package of a workspace) is answered from memory.
pub fn identify(text: &str, threshold: f64) -> Identification {
    use sha2::Digest as _;
    type Key = ([u8; 32], u64);
    thread_local! {
        static SEEN: std::cell::RefCell<std::collections::HashMap<Key, Identification>> =
            std::cell::RefCell::new(std::collections::HashMap::new());
    }
    let key: Key = (sha2::Sha256::digest(text.as_bytes()).into(), threshold.to_bits());
    if let Some(known) = SEEN.with(|seen| seen.borrow().get(&key).cloned()) {
        return known;
    }
    let identification = identify_text(text, threshold);
    SEEN.with(|seen| {
        let mut seen = seen.borrow_mut();
        // Bounded: a run over a huge monorepo starts afresh now and then.
        if seen.len() >= 4096 {
            seen.clear();
        }
        seen.insert(key, identification.clone());
    });
    identification
}

fn identify_text(text: &str, threshold: f64) -> Identification {
    let words = normalize::words(text);
    if let Some(named) = named_only(text, words.len()) {
        return named;
    }
    let file = normalize::bigrams(&words);
    if file.len() < 8 {
        return Identification::Unrecognised { closest: None };
    }
    let scored = shared_with(&file);
    let best = scored.iter().map(|(e, common)| (*e, dice(*common, file.len(), e.bigrams.len()))).fold(
        None::<(&Entry, f64)>,
        |best, (e, d)| match best {
            Some((b, bd)) if bd > d + 0.005 || ((bd - d).abs() <= 0.005 && preference(b.id) <= preference(e.id)) => {
                Some((b, bd))
            }
            _ => Some((e, d)),
        },
    );
    let Some((best, best_dice)) = best else { return Identification::Unrecognised { closest: None } };
    let mut found: Option<(Vec<&'static Entry>, Vec<u32>, f64)> = None;
    // Several license texts in one file: entries almost wholly contained in
    // the file, best explained first, each adding text the others do not
    // cover. A short license next to a long one (MIT beside Apache-2.0)
    // barely lowers the long one's score, so this is tried even when one
    // entry matches.
    let mut candidates: Vec<&(&Entry, usize)> = scored
        .iter()
        .filter(|(e, common)| e.bigrams.len() >= 30 && *common as f64 >= 0.9 * e.bigrams.len() as f64)
        .collect();
    let net = |(entry, common): &&(&Entry, usize)| 2 * *common as i64 - entry.bigrams.len() as i64;
    candidates.sort_by(|a, b| net(b).cmp(&net(a)).then_with(|| preference(a.0.id).cmp(&preference(b.0.id))));
    let mut covered: Vec<u32> = Vec::new();
    let mut chosen: Vec<&'static Entry> = Vec::new();
    for (entry, shared) in candidates {
        if chosen.iter().any(|c| c.id == entry.id) {
            continue;
        }
        // Licenses share much legal phrasing: count only what is new.
        let already = intersection(&common(&entry.bigrams, &file), &covered);
        if (shared - already) as f64 >= (0.3 * entry.bigrams.len() as f64).max(20.0) {
            covered = union(&covered, &entry.bigrams);
            chosen.push(entry);
        }
    }
    if chosen.len() >= 2 {
        let confidence = dice(intersection(&file, &covered), file.len(), covered.len());
        if confidence >= threshold && confidence > best_dice + 0.01 {
            found = Some((chosen, covered, confidence));
        }
    }
    if found.is_none() && best_dice >= threshold {
        found = Some((vec![best], best.bigrams.clone(), best_dice));
    }
    let Some((entries, covered, mut confidence)) = found else {
        // A license plus an exception (Apache-2.0 WITH LLVM-exception)
        // scores low against the license alone; try the pair.
        if let Some((exception, with_exception)) = exception_in(&file, &best.bigrams) {
            let confidence = dice(intersection(&file, &with_exception), file.len(), with_exception.len());
            if confidence >= threshold {
                return Identification::Identified {
                    licenses: vec![format!("{} WITH {}", best.id, exception)],
                    confidence,
                    form: if best.is_notice() { Form::Notice } else { Form::Text },
                };
            }
        }
        return Identification::Unrecognised { closest: Some(Match { id: best.id, confidence: best_dice }) };
    };
    let mut licenses: Vec<String> = entries.iter().map(|e| e.id.to_owned()).collect();
    if let Some((exception, with_exception)) = exception_in(&file, &covered) {
        licenses[0] = format!("{} WITH {exception}", licenses[0]);
        confidence = confidence.max(dice(intersection(&file, &with_exception), file.len(), with_exception.len()));
    }
    let form = if entries.iter().all(|e| e.is_notice()) { Form::Notice } else { Form::Text };
    Identification::Identified { licenses, confidence, form }
}

/// An SPDX exception almost wholly contained in the file and adding text
/// beyond `covered`, with the union of both bigram sets.
fn exception_in(file: &[u32], covered: &[u32]) -> Option<(&'static str, Vec<u32>)> {
    corpus()
        .iter()
        .filter(|e| e.is_exception() && e.bigrams.len() >= 20)
        .filter_map(|e| {
            let shared = common(&e.bigrams, file);
            let new = shared.len() - intersection(&shared, covered);
            (shared.len() as f64 >= 0.9 * e.bigrams.len() as f64 && new >= 20).then_some((e, shared.len()))
        })
        .max_by_key(|(_, shared)| *shared)
        .map(|(e, _)| (e.id, union(covered, &e.bigrams)))
}

/// A short file that only names its license: `SPDX-License-Identifier: MIT`,
/// `Apache-2.0 OR MIT`, or a sentence such as "This project is dual-licensed
/// under the Unlicense and MIT licenses".
fn named_only(text: &str, words: usize) -> Option<Identification> {
    if words > 60 {
        return None;
    }
    let trimmed = text.trim();
    let expression = trimmed.strip_prefix("SPDX-License-Identifier:").unwrap_or(trimmed).trim();
    let mut licenses: Vec<String> = match spdx::Expression::parse(expression) {
        Ok(parsed) => parsed.requirements().filter_map(|r| r.req.license.id()).map(|id| id.name.to_owned()).collect(),
        Err(_) if trimmed.to_lowercase().contains("licen") => trimmed
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '"' | '`'))
            .map(|token| token.trim_end_matches('.'))
            .filter(|token| token.len() >= 3)
            .filter_map(spdx::license_id)
            .filter(|id| !id.is_deprecated())
            .map(|id| id.name.to_owned())
            .collect(),
        Err(_) => Vec::new(),
    };
    licenses.dedup();
    (!licenses.is_empty()).then_some(Identification::Identified { licenses, confidence: 1.0, form: Form::Name })
}

//! Exact matching against the SPDX license templates, after the SPDX
//! License List Matching Guidelines: a text is the license only when every
//! part of the template outside its variable regions (`<<var>>`: a
//! copyright line, a bullet, "Software" or "Materials") matches, optional
//! regions (`<<beginOptional>>`: a title, an appendix) present or not, after
//! the normalisation the identifier uses (case, punctuation, wrapping,
//! bullets and numbering, copyright statements, URLs, spellings). Anything
//! else is a modified license, reported with the words that differ.
//!
//! The templates come from the SPDX license-list data, normalised by
//! `build.rs`; a template becomes a small automaton (words, bounded
//! wildcards for variables, skips for optional parts) run over the file's
//! words.

use std::collections::HashMap;
use std::sync::OnceLock;

use similar::{Algorithm, DiffOp, capture_diff_slices};

use crate::normalize;

static TEMPLATES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/templates.bin"));

/// The region markers of `build.rs`.
const VAR_BEGIN: &str = "fledgevarbegin";
const VAR_END: &str = "fledgevarend";
const OPTIONAL_BEGIN: &str = "fledgeoptbegin";
const OPTIONAL_END: &str = "fledgeoptend";

/// Words before the license that are not part of it (a title such as "The
/// MIT License (MIT)"), at most.
const PREAMBLE: usize = 8;

/// Words in a preamble that would change what the license allows.
const RESTRICTIVE: &[&str] =
    &["not", "only", "except", "must", "shall", "prohibited", "restricted", "commercial", "noncommercial", "without"];

/// Licenses whose SPDX text, as the `spdx` crate ships it, does not match
/// their own template after normalisation (line breaks around copyright
/// lines, names inside the text, versions of the data that differ): their
/// template would call an unchanged copy modified, so it is not used and
/// the identification alone decides. The unit test keeps this list equal
/// to the licenses that fail.
const UNVERIFIED: &[&str] = &[
    "Apache-1.1",
    "Arphic-1999",
    "Artistic-dist",
    "BSD-3-Clause-LBNL",
    "BSD-Systemics",
    "BSD-Systemics-W3Works",
    "Bitstream-Charter",
    "CC-PDM-1.0",
    "Lucida-Bitmap-Fonts",
    "OCLC-2.0",
    "OGC-1.0",
    "OLDAP-2.2",
    "OLDAP-2.2.1",
    "OLDAP-2.2.2",
    "OLDAP-2.3",
    "OLDAP-2.4",
    "OLDAP-2.5",
    "OLDAP-2.6",
    "OLDAP-2.7",
    "OLDAP-2.8",
    "RSCPL",
    "SMAIL-GPL",
    "SSLeay-standalone",
    "Sun-PPP",
    "libpng-1.6.35",
];

/// A template as the build script stored it.
struct Stored {
    /// Each variable's `match` regex.
    matches: Vec<&'static str>,
    /// Dictionary indices.
    tokens: Vec<u16>,
}

struct Store {
    dictionary: Vec<&'static str>,
    templates: HashMap<&'static str, Stored>,
}

fn store() -> &'static Store {
    static STORE: OnceLock<Store> = OnceLock::new();
    STORE.get_or_init(|| parse(TEMPLATES).unwrap_or(Store { dictionary: Vec::new(), templates: HashMap::new() }))
}

fn parse(mut data: &'static [u8]) -> Option<Store> {
    fn take<'a>(data: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
        let (head, tail) = (data.get(..n)?, data.get(n..)?);
        *data = tail;
        Some(head)
    }
    fn u16_at(data: &mut &[u8]) -> Option<u16> {
        take(data, 2)?.try_into().ok().map(u16::from_le_bytes)
    }
    fn u32_at(data: &mut &[u8]) -> Option<u32> {
        take(data, 4)?.try_into().ok().map(u32::from_le_bytes)
    }
    let count = u32_at(&mut data)? as usize;
    let mut dictionary = Vec::with_capacity(count);
    for _ in 0..count {
        let len = usize::from(*take(&mut data, 1)?.first()?);
        dictionary.push(std::str::from_utf8(take(&mut data, len)?).ok()?);
    }
    let mut templates = HashMap::new();
    while !data.is_empty() {
        let len = usize::from(*take(&mut data, 1)?.first()?);
        let id = std::str::from_utf8(take(&mut data, len)?).ok()?;
        let vars = usize::from(u16_at(&mut data)?);
        let mut matches = Vec::with_capacity(vars);
        for _ in 0..vars {
            let len = usize::from(u16_at(&mut data)?);
            matches.push(std::str::from_utf8(take(&mut data, len)?).ok()?);
        }
        let tokens = u32_at(&mut data)? as usize;
        let raw = take(&mut data, tokens * 2)?;
        let tokens = raw.chunks_exact(2).map(|pair| u16::from_le_bytes([pair[0], pair[1]])).collect();
        templates.insert(id, Stored { matches, tokens });
    }
    Some(Store { dictionary, templates })
}

/// What comparing a text with its license's template found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Comparison {
    /// Every fixed part of the template matches.
    Matches,
    /// The text differs from the template: what was added and removed.
    Differs(Vec<Difference>),
}

/// Words the text adds to the license, or leaves out of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    pub added: bool,
    /// The words, normalised (at most 24).
    pub words: String,
    /// The line of the text where they are (added words) or would be.
    pub line: Option<u32>,
    /// Added words that end the text.
    pub ends_text: bool,
}

impl Difference {
    pub fn describe(&self) -> String {
        let line = self.line.map_or(String::new(), |l| format!("line {l}: "));
        let what = if self.added { "added" } else { "missing" };
        let words: Vec<&str> = self.words.split(' ').collect();
        let shown = if words.len() > 24 { format!("{} …", words[..24].join(" ")) } else { self.words.clone() };
        format!("{line}{what} \"{shown}\"")
    }
}

/// A word of a template, with where it stands.
#[derive(Clone, Copy)]
enum Token {
    Word(&'static str),
    /// A variable region: its `match` regex and how many original words
    /// follow (as `VarWord`s).
    Var(&'static str, usize),
    /// A word of a variable's original text (for reports only).
    VarWord,
    OptionalBegin,
    OptionalEnd,
}

/// One instruction of the matching automaton.
#[derive(Clone, Copy, Debug)]
enum Inst {
    Word(&'static str),
    Any,
    Split(usize, usize),
    Match,
}

/// Compares `text` with the template of license `id`; `None` when there is
/// no template.
pub fn compare(id: &str, text: &str) -> Option<Comparison> {
    if UNVERIFIED.contains(&id) {
        return None;
    }
    compare_with_template(id, text)
}

fn compare_with_template(id: &str, text: &str) -> Option<Comparison> {
    let store = store();
    let stored = store.templates.get(id)?;
    let tokens = tokens(store, stored);
    let words = normalize::words(text);
    let program = compile(&tokens);
    // A short title may precede the license ("The MIT License (MIT)"), but
    // not words that would restrict it.
    let preamble = (0..=PREAMBLE.min(words.len())).find(|&skip| accepts(&program, &words[skip..]));
    if let Some(skip) = preamble
        && !restrictive(&words[..skip])
    {
        return Some(Comparison::Matches);
    }
    // Copies of a license differ from the template in how lines break
    // around copyright lines and placeholders: a few words the template
    // itself uses, none restrictive, are not a change of terms; nor is a
    // short title before it.
    let vocabulary: std::collections::HashSet<&str> = tokens.iter().map(|(_, w)| *w).collect();
    let title = |d: &Difference| {
        d.added && d.line == word_lines(text).first().copied() && {
            let title: Vec<String> = d.words.split(' ').map(str::to_owned).collect();
            title.len() <= PREAMBLE && !restrictive(&title)
        }
    };
    // Nor is a notice after the license that restricts nothing ("Portions
    // of this software were adapted from ..."); an appended condition
    // (Commons Clause, "may not be used for ...") is a modification.
    let found = differences(&tokens, &words, text);
    let last = found.len().saturating_sub(1);
    let notice = |d: &Difference| {
        d.added && d.words.split(' ').count() <= 60 && d.ends_text && {
            let notice: Vec<String> = d.words.split(' ').map(str::to_owned).collect();
            !restrictive(&notice)
        }
    };
    let differences: Vec<Difference> = found
        .into_iter()
        .enumerate()
        .filter(|(i, d)| !(benign(d, &vocabulary) || (*i == 0 && title(d)) || (*i == last && notice(d))))
        .map(|(_, d)| d)
        .collect();
    Some(if differences.is_empty() { Comparison::Matches } else { Comparison::Differs(differences) })
}

/// The template's words and regions.
fn tokens(store: &Store, stored: &Stored) -> Vec<(Token, &'static str)> {
    let mut out = Vec::new();
    let mut tokens = stored.tokens.iter().map(|&i| store.dictionary.get(usize::from(i)).copied().unwrap_or(""));
    while let Some(word) = tokens.next() {
        if word == OPTIONAL_BEGIN {
            out.push((Token::OptionalBegin, word));
        } else if word == OPTIONAL_END {
            out.push((Token::OptionalEnd, word));
        } else if let Some(n) = word.strip_prefix(VAR_BEGIN) {
            let pattern = n.parse::<usize>().ok().and_then(|n| stored.matches.get(n)).copied().unwrap_or(".+");
            let end = format!("{VAR_END}{n}");
            let original: Vec<&str> = tokens.by_ref().take_while(|w| *w != end).collect();
            out.push((Token::Var(pattern, original.len()), word));
            out.extend(original.into_iter().map(|w| (Token::VarWord, w)));
        } else if word.starts_with(VAR_END) {
            // The end of a region whose start a copyright line took away.
        } else {
            out.push((Token::Word(word), word));
        }
    }
    out
}

/// The most words a variable region may hold, from its `match` regex:
/// `.{0,N}` characters, a free `.+`, or alternatives of a few words.
fn bound(pattern: &str, original: usize) -> usize {
    if let Some(rest) = pattern.strip_prefix(".{").and_then(|r| r.strip_suffix('}'))
        && let Some(max) = rest.split(',').nth(1).and_then(|m| m.trim().parse::<usize>().ok())
    {
        return (max / 6).clamp(1, 120);
    }
    if pattern.contains(".+") || pattern.contains(".*") {
        return (original * 2).max(12);
    }
    pattern
        .split('|')
        .map(|alternative| {
            alternative.split(|c: char| c.is_whitespace() || c == '+' || c == '\\').filter(|w| w.len() > 1).count()
        })
        .max()
        .unwrap_or(1)
        .max(original)
        + 1
}

fn compile(tokens: &[(Token, &'static str)]) -> Vec<Inst> {
    let mut program = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    for (token, _) in tokens {
        match *token {
            Token::Word(word) => program.push(Inst::Word(word)),
            Token::VarWord => {}
            Token::OptionalBegin => {
                open.push(program.len());
                program.push(Inst::Split(0, 0));
            }
            Token::OptionalEnd => {
                if let Some(at) = open.pop() {
                    let end = program.len();
                    program[at] = Inst::Split(at + 1, end);
                }
            }
            Token::Var(pattern, original) => {
                let slots = bound(pattern, original);
                let end = program.len() + 2 * slots;
                for _ in 0..slots {
                    let next = program.len() + 1;
                    program.push(Inst::Split(next, end));
                    program.push(Inst::Any);
                }
            }
        }
    }
    let end = program.len();
    for at in open {
        program[at] = Inst::Split(at + 1, end);
    }
    program.push(Inst::Match);
    program
}

/// True when the automaton, started before the first word, ends in `Match`
/// exactly after the last.
fn accepts(program: &[Inst], words: &[String]) -> bool {
    run(program, words).0
}

/// Runs the automaton over `words` (a Thompson simulation: linear in words
/// times instructions): whether it ends in `Match` after the last word, and
/// how many words it read before it stopped.
fn run(program: &[Inst], words: &[String]) -> (bool, usize) {
    let mut current = Vec::new();
    let mut seen = vec![usize::MAX; program.len()];
    add(program, &mut current, &mut seen, 0, 0);
    for (step, word) in words.iter().enumerate() {
        let mut next = Vec::new();
        for &pc in &current {
            let advance = match program[pc] {
                Inst::Word(expected) => expected == word,
                Inst::Any => true,
                _ => false,
            };
            if advance {
                add(program, &mut next, &mut seen, pc + 1, step + 1);
            }
        }
        if next.is_empty() {
            return (false, step);
        }
        current = next;
    }
    (current.iter().any(|&pc| matches!(program[pc], Inst::Match)), words.len())
}

/// Adds `pc` and what it reaches without reading a word.
fn add(program: &[Inst], states: &mut Vec<usize>, seen: &mut [usize], pc: usize, step: usize) {
    let mut stack = vec![pc];
    while let Some(pc) = stack.pop() {
        if pc >= program.len() || seen[pc] == step {
            continue;
        }
        seen[pc] = step;
        match program[pc] {
            Inst::Split(a, b) => {
                stack.push(b);
                stack.push(a);
            }
            _ => states.push(pc),
        }
    }
}

/// What the text adds to the template's fixed words, and which of them it
/// lacks (optional and variable words may be missing).
fn differences(tokens: &[(Token, &'static str)], words: &[String], text: &str) -> Vec<Difference> {
    // The template's words with whether each may be left out.
    let mut expected: Vec<(&str, bool)> = Vec::new();
    let mut depth = 0usize;
    for (token, word) in tokens {
        match token {
            Token::OptionalBegin => depth += 1,
            Token::OptionalEnd => depth = depth.saturating_sub(1),
            Token::Var(..) => {}
            Token::VarWord => expected.push((word, true)),
            Token::Word(_) => expected.push((word, depth > 0)),
        }
    }
    let old: Vec<&str> = expected.iter().map(|(w, _)| *w).collect();
    let new: Vec<&str> = words.iter().map(String::as_str).collect();
    let lines = word_lines(text);
    let mut found = Vec::new();
    let total = new.len();
    let mut push = |added: bool, run: &[&str], at: usize| {
        let shown: Vec<&str> = run.iter().take(60).copied().collect();
        let more = if run.len() > 60 { " …" } else { "" };
        found.push(Difference {
            added,
            words: format!("{}{more}", shown.join(" ")),
            line: lines.get(at).copied(),
            ends_text: added && at + run.len() == total,
        });
    };
    for op in capture_diff_slices(Algorithm::Myers, &old, &new) {
        match op {
            DiffOp::Equal { .. } => {}
            DiffOp::Delete { old_index, old_len, new_index } => {
                let run = &expected[old_index..old_index + old_len];
                if run.iter().any(|(_, optional)| !optional) {
                    push(false, &old[old_index..old_index + old_len], new_index);
                }
            }
            DiffOp::Insert { new_index, new_len, .. } => push(true, &new[new_index..new_index + new_len], new_index),
            DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                push(true, &new[new_index..new_index + new_len], new_index);
                if expected[old_index..old_index + old_len].iter().any(|(_, optional)| !optional) {
                    push(false, &old[old_index..old_index + old_len], new_index);
                }
            }
        }
    }
    found
}

/// True for a difference that does not change the terms: a copyright
/// line, a few added words the template uses elsewhere (none restrictive),
/// or one or two missing filler words.
fn benign(difference: &Difference, vocabulary: &std::collections::HashSet<&str>) -> bool {
    let words: Vec<&str> = difference.words.split(' ').filter(|w| !w.is_empty()).collect();
    // A copyright line that one side's line breaks kept and the other's
    // dropped.
    if words.first() == Some(&"copyright") && words.len() <= 12 {
        return true;
    }
    if difference.added {
        let known = |w: &&str| vocabulary.contains(w) || matches!(*w, "all" | "rights" | "reserved");
        words.len() <= 6 && words.iter().all(|w| known(w) && !RESTRICTIVE.contains(w))
    } else {
        // Only filler words may be missing: a missing "modify" changes the grant.
        const FILLER: &[&str] =
            &["the", "a", "an", "and", "or", "of", "to", "in", "this", "that", "by", "on", "for", "as", "at"];
        words.len() <= 2 && words.iter().all(|w| FILLER.contains(w))
    }
}

/// The 1-based line of each normalised word of `text`.
fn word_lines(text: &str) -> Vec<u32> {
    let mut lines = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let count = normalize::words(line).len();
        lines.extend(std::iter::repeat_n(u32::try_from(number + 1).unwrap_or(u32::MAX), count));
    }
    lines
}

/// True when the words before the license could restrict it.
pub fn restrictive(words: &[String]) -> bool {
    words.iter().any(|w| RESTRICTIVE.contains(&w.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spdx_text_matches_its_own_template_but_the_unverified() {
        let mut failures = Vec::new();
        let mut failing = Vec::new();
        let mut checked = 0;
        for (id, text) in spdx::text::LICENSE_TEXTS {
            let Some(stored) = store().templates.get(id) else { continue };
            checked += 1;
            if let Some(Comparison::Differs(differences)) = compare_with_template(id, text) {
                let words = normalize::words(text);
                let at = run(&compile(&tokens(store(), stored)), &words).1;
                let shown: Vec<String> = differences.iter().take(3).map(Difference::describe).collect();
                failures.push(format!("{id} at word {at}/{}: {}", words.len(), shown.join("; ")));
                failing.push(*id);
            }
        }
        assert!(checked > 600, "{checked} templates");
        failing.sort_unstable();
        assert_eq!(failing, UNVERIFIED, "\n{}", failures.join("\n"));
        // The licenses a policy usually allows (those the identifier
        // prefers) are all verified.
        for id in crate::identify::PREFERRED {
            assert!(store().templates.contains_key(id) && !UNVERIFIED.contains(id), "{id}");
        }
    }
}

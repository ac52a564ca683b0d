//! The scanner: finds credentials and internal references in one blob.
//!
//! A single Aho-Corasick pass over the blob finds which rules' keywords
//! occur (without regard to ASCII case; a keyword with capitals must then
//! match exactly), and only those rules' regexes run, each in a window
//! around its keywords sized to the credential's shape;
//! so the cost of a blob without candidates is about that of reading it.
//! The same pass finds where intranet URLs and private addresses may start
//! ([`Markers`]), for the internal references.
//! Regexes are compiled on first use.

use std::cell::OnceCell;

use regex::bytes::Regex;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::custom::CustomRules;
use crate::internal::{IP_MARKERS, Internal, Markers, Reference, URL_MARKER};
use crate::keywords::Keywords;
use crate::rules::{RULES, Shape, entropy, is_identifier, is_placeholder, looks_random, public_by_design};

/// A credential found in a blob.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hit {
    /// Index into [`RULES`].
    pub rule: usize,
    /// 1-based line.
    pub line: u32,
    /// Byte offset of the secret in the scanned data.
    pub offset: usize,
    /// The secret's length in bytes (0 when the hit is a whole file).
    pub len: usize,
    /// Stable fingerprint of the rule and secret (never the secret).
    pub fingerprint: String,
    /// The line with the secret redacted, shortened.
    pub excerpt: String,
    /// Why the key is public by design (a search-only or publishable
    /// key), when it is: reported for review, not as a leak.
    pub public: Option<String>,
}

/// How much text either side of a generic secret tells what it is for.
const CONTEXT: usize = 400;

/// The rule for any password, secret, token or key assigned a literal.
const GENERIC: &str = "generic-secret-assignment";

/// Markers that allow a line on purpose.
const ALLOW_MARKERS: &[&str] = &["fledge:allow", "gitleaks:allow", "pragma: allowlist secret"];

/// What a keyword of the scanner's automaton stands for.
#[derive(Clone, Copy)]
enum Keyword {
    /// A keyword of rule `.0`, and the keyword itself when it has capitals
    /// (it must then match exactly: `AKIA`, `SK`).
    Rule(usize, Option<&'static str>),
    /// [`URL_MARKER`].
    Url,
    /// One of [`IP_MARKERS`].
    Ip,
    /// One of [`Internal::domain_keywords`].
    Domain,
}

pub struct Scanner {
    /// Every rule's keywords and the internal references' markers in one
    /// automaton, matched without regard to ASCII case: one pass over a
    /// blob finds them all.
    keywords: Keywords,
    /// What each keyword stands for.
    keyword_kinds: Vec<Keyword>,
    regexes: Vec<OnceCell<Option<Regex>>>,
    /// How far around a keyword each rule's regex looks ([`Rule::window`]).
    windows: Vec<(usize, usize)>,
    pub internal: Internal,
    /// The policy's gitleaks rules; their hits' rule indices follow
    /// [`RULES`]'s.
    pub custom: CustomRules,
}

impl Scanner {
    pub fn new(internal: Internal, custom: CustomRules) -> Result<Scanner, String> {
        let mut keywords: Vec<(&str, Keyword)> = RULES
            .iter()
            .enumerate()
            .flat_map(|(index, rule)| {
                rule.keywords.iter().map(move |&keyword| {
                    let exact = keyword.chars().any(|c| c.is_ascii_uppercase()).then_some(keyword);
                    (keyword, Keyword::Rule(index, exact))
                })
            })
            .collect();
        keywords.push((URL_MARKER, Keyword::Url));
        keywords.extend(IP_MARKERS.iter().map(|&marker| (marker, Keyword::Ip)));
        keywords.extend(internal.domain_keywords().iter().map(|domain| (domain.as_str(), Keyword::Domain)));
        let (patterns, keyword_kinds): (Vec<&str>, Vec<Keyword>) = keywords.into_iter().unzip();
        let keywords = Keywords::new(&patterns)?;
        Ok(Scanner {
            keywords,
            keyword_kinds,
            regexes: RULES.iter().map(|_| OnceCell::new()).collect(),
            windows: RULES.iter().map(|rule| rule.window()).collect(),
            internal,
            custom,
        })
    }

    fn regex(&self, rule: usize) -> Option<&Regex> {
        // ASCII mode: credentials are ASCII, and it is faster.
        self.regexes[rule].get_or_init(|| Regex::new(&format!("(?-u){}", RULES[rule].pattern)).ok()).as_ref()
    }

    /// The id, description and severity of rule `index` (built-in, then
    /// the policy's own).
    pub fn rule(&self, index: usize) -> (&str, &str, fledge_sdk::Severity) {
        match index.checked_sub(RULES.len()).and_then(|i| self.custom.rules.get(i)) {
            Some(custom) => (custom.id.as_str(), custom.description.as_str(), fledge_sdk::Severity::High),
            None => builtin_rule(index),
        }
    }

    /// The credentials in `data`, the text of `path`.
    pub fn credentials(&self, path: &str, data: &[u8]) -> Vec<Hit> {
        self.scan(path, data, false).0
    }

    /// The credentials in `data`, the text of `path`, and its internal
    /// references when `internal` is set: one pass over the data.
    pub fn scan(&self, path: &str, data: &[u8], internal: bool) -> (Vec<Hit>, Vec<Reference>) {
        // Per rule, the windows around its keywords where its regex runs.
        let mut windows: Vec<Vec<(usize, usize)>> = vec![Vec::new(); RULES.len()];
        let mut markers = Markers::default();
        for found in self.keywords.find(data) {
            let (rule, exact) = match self.keyword_kinds[found.pattern] {
                Keyword::Rule(rule, exact) => (rule, exact),
                Keyword::Url => {
                    markers.urls.push(found.start);
                    continue;
                }
                Keyword::Ip => {
                    markers.ips.push(found.start);
                    continue;
                }
                Keyword::Domain => {
                    markers.domain = true;
                    continue;
                }
            };
            if exact.is_some_and(|keyword| &data[found.start..found.end] != keyword.as_bytes()) {
                continue;
            }
            let spans = &mut windows[rule];
            let (before, after) = self.windows[rule];
            let start = found.start.saturating_sub(before);
            let end = (found.end + after).min(data.len());
            match spans.last_mut() {
                // Keywords come by where they end: a longer one may start
                // before the last window does.
                Some(last) if start <= last.1 => *last = (last.0.min(start), last.1.max(end)),
                _ => spans.push((start, end)),
            }
        }
        let hits = self.credentials_in(path, data, &windows);
        let references = if internal {
            // Keywords come by where they end; the markers differ in length.
            markers.ips.sort_unstable();
            self.internal.find(path, data, &markers)
        } else {
            Vec::new()
        };
        (hits, references)
    }

    /// The credentials in `data`, the text of `path`, whose rules' regexes
    /// run in `windows` (per rule).
    fn credentials_in(&self, path: &str, data: &[u8], windows: &[Vec<(usize, usize)>]) -> Vec<Hit> {
        let doc = fledge_sdk::conventions::is_doc_path(path);
        let mut hits = Vec::new();
        // Each hit's line and secret, for the excerpts.
        let mut found: Vec<(String, String)> = Vec::new();
        // Values a provider's format names but whose checksum fails: not a
        // credential, and not a generic secret either.
        let mut refuted: Vec<(usize, usize)> = Vec::new();
        for (index, rule) in RULES.iter().enumerate().filter(|(i, r)| !windows[*i].is_empty() && (r.in_docs || !doc)) {
            let Some(regex) = self.regex(index) else { continue };
            // Windows are disjoint, but a match may straddle two; keep the first.
            let mut seen_end = 0;
            for &(start, end) in &windows[index] {
                for captures in regex.captures_iter(&data[start..end]) {
                    let Some(secret) = captures.get(1) else { continue };
                    let (secret_start, secret_end) = (start + secret.start(), start + secret.end());
                    if secret_end <= seen_end {
                        continue;
                    }
                    seen_end = secret_end;
                    let text = String::from_utf8_lossy(secret.as_bytes());
                    let generic = rule.entropy.is_some();
                    // A value's fixed start (`live_`, `secret_`) is the
                    // format's, not the part that must look generated.
                    let generated = match rule.shape {
                        Shape::Keyed { prefix, .. } => text.get(prefix.len()..).unwrap_or(&text),
                        _ => &text,
                    };
                    let weak = rule.entropy.is_some_and(|min| entropy(generated) < min || !looks_random(generated));
                    // A generic assignment of a constant's or an environment
                    // variable's name (`KEY = "DATA_STORE_ACCESS_KEY"`) names a
                    // secret kept elsewhere.
                    if weak || is_placeholder(generated) || (generic && is_identifier(generated)) {
                        continue;
                    }
                    // A format with a checksum that does not add up is not a
                    // credential of that kind (a made-up or mistyped value).
                    if rule.checksum.is_some_and(|checksum| !checksum.verify(&text)) {
                        refuted.push((secret_start, secret_end));
                        continue;
                    }
                    let whole = captures.get(0).map_or(secret.start(), |m| m.start());
                    if matches!(rule.shape, Shape::Keyed { .. }) && !starts_word(&data[start..end], whole) {
                        continue;
                    }
                    let (line_number, line) = line_at(data, secret_start);
                    if ALLOW_MARKERS.iter().any(|m| line.contains(m)) {
                        continue;
                    }
                    let name = &data[start + captures.get(0).map_or(0, |m| m.start())..secret_start];
                    let context = &data[secret_start.saturating_sub(CONTEXT)..(secret_end + CONTEXT).min(data.len())];
                    hits.push(Hit {
                        rule: index,
                        line: line_number,
                        offset: secret_start,
                        len: secret_end - secret_start,
                        fingerprint: fingerprint(rule.id, &text),
                        excerpt: String::new(),
                        public: if generic { public_by_design(name, context).map(str::to_owned) } else { None },
                    });
                    found.push((line, text.into_owned()));
                }
            }
        }
        for custom in self.custom.find(path, data) {
            let rule = &self.custom.rules[custom.rule];
            let (line_number, line) = line_at(data, custom.offset);
            if ALLOW_MARKERS.iter().any(|m| line.contains(m)) {
                continue;
            }
            hits.push(Hit {
                rule: RULES.len() + custom.rule,
                line: line_number,
                offset: custom.offset,
                len: custom.len,
                fingerprint: fingerprint(&rule.id, &custom.secret),
                excerpt: String::new(),
                public: None,
            });
            found.push((line, custom.secret));
        }
        // A value a provider's rule recognised is not also a generic
        // assignment: one secret, one finding, under its provider's name.
        let is_specific = |h: &Hit| RULES.get(h.rule).is_none_or(|r| r.id != GENERIC);
        let mut specific: Vec<(usize, usize)> =
            hits.iter().filter(|h| is_specific(h)).map(|h| (h.offset, h.offset + h.len)).collect();
        specific.extend(refuted);
        let keep: Vec<bool> = hits
            .iter()
            .map(|h| is_specific(h) || !specific.iter().any(|&(start, end)| h.offset < end && start < h.offset + h.len))
            .collect();
        let (mut hits, found): (Vec<Hit>, Vec<(String, String)>) =
            hits.into_iter().zip(found).zip(keep).filter_map(|(pair, keep)| keep.then_some(pair)).unzip();
        for (i, hit) in hits.iter_mut().enumerate() {
            let (line, secret) = &found[i];
            let others: Vec<&str> =
                found.iter().filter(|(other, _)| other == line).map(|(_, secret)| secret.as_str()).collect();
            hit.excerpt = excerpt(line, secret, &others);
        }
        hits
    }
}

/// True when a word starts at `at`: after a non-letter, or where a
/// lower-case letter is followed by a capital (`myEtsyKey`), so that a
/// provider's keyword is a word of the name, not part of another word
/// (`etsy` in `HalSetSystemInformation`).
fn starts_word(data: &[u8], at: usize) -> bool {
    match at.checked_sub(1).map(|i| data[i]) {
        None => true,
        Some(before) if !before.is_ascii_alphabetic() => true,
        Some(before) => before.is_ascii_lowercase() && data.get(at).is_some_and(u8::is_ascii_uppercase),
    }
}

/// The id, description and severity of built-in rule `index`.
pub fn builtin_rule(index: usize) -> (&'static str, &'static str, fledge_sdk::Severity) {
    RULES
        .get(index)
        .map_or(("unknown", "unknown rule", fledge_sdk::Severity::High), |r| (r.id, r.description, r.severity))
}

/// The 1-based line number of `offset` and that line's text (at most 2 KB
/// either side of `offset`, for minified files with enormous lines).
pub fn line_at(data: &[u8], offset: usize) -> (u32, String) {
    let before = &data[..offset];
    let number = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1).max(offset.saturating_sub(2048));
    let end = data[offset..].iter().position(|&b| b == b'\n').map_or(data.len(), |i| offset + i).min(offset + 2048);
    (u32::try_from(number).unwrap_or(u32::MAX), String::from_utf8_lossy(&data[start..end]).into_owned())
}

/// `sha256(rule:secret)`, first 16 hex digits.
pub fn fingerprint(rule: &str, secret: &str) -> String {
    let digest = Sha256::digest(format!("{rule}:{secret}").as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// A secret shown safely: its first four characters and its length.
pub fn redact(secret: &str) -> String {
    let first_line = secret.lines().next().unwrap_or(secret);
    if first_line.starts_with("-----BEGIN") || first_line.starts_with("PuTTY") {
        return format!("{first_line} …");
    }
    let shown: String = secret.chars().take(if secret.len() >= 16 { 4 } else { 2 }).collect();
    format!("{shown}…[{} chars]", secret.chars().count())
}

/// The line holding the secret, with the secret redacted and the line cut
/// to at most 120 characters around it.
fn excerpt(line: &str, secret: &str, others: &[&str]) -> String {
    // Every credential on the line is redacted, the longest first (one
    // may hold another: a webhook URL with a key in it).
    let mut secrets: Vec<&str> = others.iter().copied().chain([secret]).collect();
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets.dedup();
    let mut redacted = line.to_owned();
    for secret in secrets {
        let first = secret.lines().next().unwrap_or(secret);
        redacted = redacted.replace(first, &redact(secret));
    }
    let trimmed = redacted.trim();
    if trimmed.chars().count() <= 120 {
        return trimmed.to_owned();
    }
    let at = trimmed.find('…').unwrap_or(0);
    let start = trimmed.char_indices().map(|(i, _)| i).rfind(|&i| i + 60 <= at).unwrap_or(0);
    let cut: String = trimmed[start..].chars().take(120).collect();
    format!("{}{cut}…", if start > 0 { "…" } else { "" })
}

/// True when the data looks binary.
pub fn is_binary(data: &[u8]) -> bool {
    fledge_sdk::text::is_binary(data)
}

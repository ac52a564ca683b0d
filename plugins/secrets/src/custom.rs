//! A company's own rules, in the gitleaks (and Betterleaks) TOML format,
//! from files the policy names: `[[rules]]` with `id`, `description`,
//! `regex`, `secretGroup`, `entropy`, `keywords`, `path` and allowlists
//! (`[rules.allowlist]` or `[[rules.allowlists]]`: `regexes`,
//! `regexTarget`, `paths`, `stopwords`), and a global `[allowlist]` that
//! applies to these rules. `[extend] useDefault` is accepted: fledge's own
//! rules always run.
//!
//! A rule that cannot be loaded is an error, never silently left out: a
//! gate must not pass on a rule the policy asked for and that did not run.

use aho_corasick::AhoCorasick;
use regex::bytes::Regex;
use serde::Deserialize;

use crate::rules::entropy;

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct RawFile {
    rules: Vec<RawRule>,
    allowlist: Option<RawAllow>,
    allowlists: Vec<RawAllow>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct RawRule {
    id: String,
    description: String,
    regex: Option<String>,
    secret_group: Option<usize>,
    entropy: Option<f64>,
    keywords: Vec<String>,
    path: Option<String>,
    allowlist: Option<RawAllow>,
    allowlists: Vec<RawAllow>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct RawAllow {
    regexes: Vec<String>,
    regex_target: Option<String>,
    paths: Vec<String>,
    stopwords: Vec<String>,
}

/// What an allowlist lets through.
#[derive(Default)]
struct Allow {
    regexes: Vec<Regex>,
    /// Match `regexes` against the whole line rather than the secret.
    on_line: bool,
    paths: Vec<regex::Regex>,
    stopwords: Vec<String>,
}

impl Allow {
    fn new(raw: &RawAllow, rule: &str) -> Result<Allow, String> {
        let error =
            |pattern: &String, e: regex::Error| format!("gitleaks rule `{rule}`: allowlist regex `{pattern}`: {e}");
        Ok(Allow {
            regexes: raw.regexes.iter().map(|p| Regex::new(p).map_err(|e| error(p, e))).collect::<Result<_, _>>()?,
            on_line: raw.regex_target.as_deref() == Some("line"),
            paths: raw.paths.iter().map(|p| regex::Regex::new(p).map_err(|e| error(p, e))).collect::<Result<_, _>>()?,
            stopwords: raw.stopwords.iter().map(|w| w.to_ascii_lowercase()).collect(),
        })
    }

    fn allows(&self, path: &str, secret: &[u8], line: &[u8]) -> bool {
        let target = if self.on_line { line } else { secret };
        let lower = String::from_utf8_lossy(secret).to_ascii_lowercase();
        self.paths.iter().any(|p| p.is_match(path))
            || self.regexes.iter().any(|r| r.is_match(target))
            || self.stopwords.iter().any(|w| lower.contains(w.as_str()))
    }
}

/// One loaded rule.
pub struct CustomRule {
    pub id: String,
    pub description: String,
    regex: Option<Regex>,
    secret_group: Option<usize>,
    entropy: Option<f64>,
    /// Indices into the keyword automaton; the regex runs only on text
    /// that holds one of them (any, when there are none).
    keywords: Vec<usize>,
    path: Option<regex::Regex>,
    allow: Vec<Allow>,
}

/// The rules of every file the policy names.
#[derive(Default)]
pub struct CustomRules {
    pub rules: Vec<CustomRule>,
    global: Vec<Allow>,
    /// Every rule's keywords, matched without regard to ASCII case.
    keywords: Option<AhoCorasick>,
}

/// A custom rule's match: the rule (index into `rules`), where the secret
/// starts, and the secret.
pub struct CustomHit {
    pub rule: usize,
    pub offset: usize,
    /// The secret's length in bytes (0 for a path-only rule).
    pub len: usize,
    pub secret: String,
}

impl CustomRules {
    /// Loads the TOML `texts` (named `names` in errors).
    pub fn parse(texts: &[String], names: &[String]) -> Result<CustomRules, String> {
        let mut loaded = CustomRules::default();
        let mut keywords: Vec<String> = Vec::new();
        for (i, text) in texts.iter().enumerate() {
            let name = names.get(i).map_or("a rules file", String::as_str);
            let raw: RawFile = toml::from_str(text).map_err(|e| format!("{name}: not a gitleaks rules file: {e}"))?;
            for allow in raw.allowlist.iter().chain(&raw.allowlists) {
                loaded.global.push(Allow::new(allow, "(global allowlist)")?);
            }
            for rule in raw.rules {
                if rule.id.trim().is_empty() {
                    return Err(format!("{name}: a rule has no `id`"));
                }
                let error = |pattern: &String, what: &str, e: regex::Error| {
                    format!("{name}: gitleaks rule `{}`: {what} `{pattern}`: {e}", rule.id)
                };
                let regex = rule.regex.as_ref().map(|r| Regex::new(r).map_err(|e| error(r, "regex", e))).transpose()?;
                let path =
                    rule.path.as_ref().map(|p| regex::Regex::new(p).map_err(|e| error(p, "path", e))).transpose()?;
                if regex.is_none() && path.is_none() {
                    return Err(format!("{name}: gitleaks rule `{}` has neither `regex` nor `path`", rule.id));
                }
                let mut allow = Vec::new();
                for raw in rule.allowlist.iter().chain(&rule.allowlists) {
                    allow.push(Allow::new(raw, &rule.id)?);
                }
                let mut indices = Vec::new();
                for keyword in rule.keywords.iter().filter(|k| !k.is_empty()) {
                    indices.push(keywords.len());
                    keywords.push(keyword.to_ascii_lowercase());
                }
                loaded.rules.push(CustomRule {
                    description: if rule.description.trim().is_empty() { rule.id.clone() } else { rule.description },
                    id: rule.id,
                    regex,
                    secret_group: rule.secret_group,
                    entropy: rule.entropy,
                    keywords: indices,
                    path,
                    allow,
                });
            }
        }
        if !keywords.is_empty() {
            let automaton = AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(&keywords)
                .map_err(|e| format!("gitleaks keywords: {e}"))?;
            loaded.keywords = Some(automaton);
        }
        Ok(loaded)
    }

    /// The matches of every rule in `data`, the contents of `path`.
    pub fn find(&self, path: &str, data: &[u8]) -> Vec<CustomHit> {
        if self.rules.is_empty() {
            return Vec::new();
        }
        let mut present = std::collections::HashSet::new();
        if let Some(automaton) = &self.keywords {
            present.extend(automaton.find_overlapping_iter(data).map(|m| m.pattern().as_usize()));
        }
        let mut hits = Vec::new();
        for (index, rule) in self.rules.iter().enumerate() {
            if rule.path.as_ref().is_some_and(|p| !p.is_match(path)) {
                continue;
            }
            if !rule.keywords.is_empty() && !rule.keywords.iter().any(|k| present.contains(k)) {
                continue;
            }
            let Some(regex) = &rule.regex else {
                // A path-only rule: the file itself is the finding.
                hits.push(CustomHit { rule: index, offset: 0, len: 0, secret: path.to_owned() });
                continue;
            };
            for captures in regex.captures_iter(data) {
                let group = rule.secret_group.unwrap_or(if captures.len() > 1 { 1 } else { 0 });
                let Some(secret) = captures.get(group).or_else(|| captures.get(0)) else { continue };
                let value = String::from_utf8_lossy(secret.as_bytes());
                if value.is_empty() || rule.entropy.is_some_and(|min| entropy(&value) < min) {
                    continue;
                }
                let line_start = data[..secret.start()].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
                let line_end =
                    data[secret.end()..].iter().position(|&b| b == b'\n').map_or(data.len(), |i| secret.end() + i);
                let line = &data[line_start..line_end];
                if rule.allow.iter().chain(&self.global).any(|a| a.allows(path, secret.as_bytes(), line)) {
                    continue;
                }
                hits.push(CustomHit {
                    rule: index,
                    offset: secret.start(),
                    len: secret.len(),
                    secret: value.into_owned(),
                });
            }
        }
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
title = "ACME rules"
[extend]
useDefault = true

[[rules]]
id = "acme-internal-token"
description = "ACME internal service token"
regex = '''acme_(?:live|test)_([A-Za-z0-9]{24})'''
keywords = ["acme_"]
entropy = 3.0
[rules.allowlist]
stopwords = ["notreal"]

[[rules]]
id = "acme-vault-file"
path = '''(?:^|/)vault\.secrets$'''

[allowlist]
paths = ['''^third_party/''']
"#;

    fn rules() -> CustomRules {
        CustomRules::parse(&[FILE.to_owned()], &["acme.toml".to_owned()]).expect("loads")
    }

    #[test]
    fn rules_match_with_their_group_keywords_entropy_and_allowlists() {
        let rules = rules();
        let text = format!(
            "a = acme_live_{}\nb = acme_test_notrealnotrealnotrealnotre\nc = acme_live_{}\n",
            "Q7mZ2xR9kL4pW8vN3bT6yH1c", "aaaaaaaaaaaaaaaaaaaaaaaa"
        );
        let hits: Vec<(String, usize)> =
            rules.find("src/app.py", text.as_bytes()).into_iter().map(|h| (h.secret, h.offset)).collect();
        assert_eq!(hits, [("Q7mZ2xR9kL4pW8vN3bT6yH1c".to_owned(), 14)]);
        assert!(rules.find("third_party/x/app.py", text.as_bytes()).is_empty());
        let files: Vec<usize> = rules.find("deploy/vault.secrets", b"x").into_iter().map(|h| h.rule).collect();
        assert_eq!(files, [1]);
    }

    #[test]
    fn a_rule_that_cannot_load_is_an_error() {
        let bad = "[[rules]]\nid = \"x\"\nregex = '''(unclosed'''\n".to_owned();
        let err = CustomRules::parse(&[bad], &["bad.toml".to_owned()]).err().unwrap_or_default();
        assert!(err.starts_with("bad.toml: gitleaks rule `x`: regex `(unclosed`"), "{err}");
        let err = CustomRules::parse(&["rules = 3".to_owned()], &["t.toml".to_owned()]).err().unwrap_or_default();
        assert!(err.starts_with("t.toml: not a gitleaks rules file"), "{err}");
    }
}

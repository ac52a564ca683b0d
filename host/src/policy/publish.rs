//! `[publish]`: what `fledge publish` removes and rewrites on the way out.
//!
//! ```toml
//! [publish]
//! remove = ["internal/**", "*.internal.yml"]
//! replace = [{ pattern = "jira\\.corp\\.example\\.com/browse/[A-Z]+-[0-9]+", with = "(internal ticket)" }]
//! authors = { "*@corp.example.com" = "Payments SDK maintainers <payments-sdk@example.org>" }
//! mailmap = "publish.mailmap"
//! identity = "Example Corp Open Source <opensource@example.org>"
//! ```
//!
//! Every pattern is compiled here, so that a policy with a bad one fails
//! `fledge policy check` with its line, before anything is written.

use std::collections::BTreeMap;
use std::fmt;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use toml::Spanned;

use crate::located::Sink;

/// The `[publish]` table as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPublish {
    #[serde(default)]
    remove: Vec<Spanned<String>>,
    #[serde(default)]
    replace: Vec<Spanned<RawReplacement>>,
    #[serde(default)]
    authors: BTreeMap<Spanned<String>, Spanned<String>>,
    mailmap: Option<Spanned<String>>,
    identity: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReplacement {
    pattern: String,
    with: String,
}

/// A person as git records one: `Name <email>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub name: String,
    pub email: String,
}

impl Identity {
    /// Parses `Name <email>`: a name and an e-mail that git can write
    /// (no angle brackets, no line breaks, no NUL).
    pub fn parse(text: &str) -> Result<Identity, String> {
        let text = text.trim();
        let (name, rest) = text.split_once('<').ok_or_else(|| format!("`{text}` is not `Name <email>`"))?;
        let email = rest.strip_suffix('>').ok_or_else(|| format!("`{text}` is not `Name <email>`"))?;
        let (name, email) = (name.trim(), email.trim());
        let bad = |s: &str| s.chars().any(|c| matches!(c, '<' | '>' | '\n' | '\r' | '\0'));
        if name.is_empty() || bad(name) {
            return Err(format!("`{text}` has no usable name (`Name <email>`, without angle brackets in the name)"));
        }
        if email.is_empty() || bad(email) || email.chars().any(char::is_whitespace) || !email.contains('@') {
            return Err(format!("`{text}` has no usable e-mail address (`Name <email>`)"));
        }
        Ok(Identity { name: name.to_owned(), email: email.to_owned() })
    }
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} <{}>", self.name, self.email)
    }
}

/// One `replace` rule, compiled.
#[derive(Clone, Debug)]
pub struct Replacement {
    pub pattern: String,
    pub with: String,
    pub regex: regex::bytes::Regex,
}

impl PartialEq for Replacement {
    fn eq(&self, other: &Self) -> bool {
        self.pattern == other.pattern && self.with == other.with
    }
}

/// The `[publish]` table, checked and compiled.
#[derive(Clone, Debug, Default)]
pub struct PublishRules {
    /// Path globs dropped from every tree, as written.
    pub remove: Vec<String>,
    remove_set: Option<GlobSet>,
    pub replace: Vec<Replacement>,
    /// E-mail globs (compared without regard to case) and who they become.
    pub authors: Vec<(String, Identity)>,
    authors_set: Option<GlobSet>,
    /// A `.mailmap`-format file, relative to the policy, applied before
    /// `authors`.
    pub mailmap: Option<String>,
    /// Its text, read by whoever reads the policy file.
    pub mailmap_text: Option<String>,
    /// Who the squashed commit of `--history squash` is by.
    pub identity: Option<Identity>,
}

impl PartialEq for PublishRules {
    fn eq(&self, other: &Self) -> bool {
        self.remove == other.remove
            && self.replace == other.replace
            && self.authors == other.authors
            && self.mailmap == other.mailmap
            && self.identity == other.identity
    }
}

impl PublishRules {
    /// The index of the first `remove` glob that matches `path`.
    pub fn removed_by(&self, path: &str) -> Option<usize> {
        // Two globs per pattern: the pattern, and everything below it.
        self.remove_set.as_ref().and_then(|set| set.matches(path).first().map(|i| i / 2))
    }

    /// Who an `email` becomes under the `authors` rules, if one matches
    /// (the longest pattern, when several do).
    pub fn author(&self, email: &str) -> Option<&Identity> {
        let set = self.authors_set.as_ref()?;
        let matches = set.matches(email);
        let index = matches.iter().copied().max_by_key(|&i| self.authors.get(i).map_or(0, |(p, _)| p.len()))?;
        self.authors.get(index).map(|(_, identity)| identity)
    }

    /// True when the table asks for nothing (credentials are still removed).
    pub fn is_empty(&self) -> bool {
        self.remove.is_empty() && self.replace.is_empty() && self.authors.is_empty() && self.mailmap.is_none()
    }
}

fn glob(pattern: &str, case_insensitive: bool) -> Result<globset::Glob, String> {
    GlobBuilder::new(pattern)
        .case_insensitive(case_insensitive)
        .literal_separator(false)
        .build()
        .map_err(|e| e.kind().to_string())
}

/// Checks and compiles `[publish]`, noting every problem with its line.
pub(super) fn publish(raw: RawPublish, sink: &mut Sink<'_>) -> PublishRules {
    let mut rules = PublishRules::default();
    let mut removes = GlobSetBuilder::new();
    for pattern in &raw.remove {
        // `internal` and `internal/` mean the whole directory.
        let text = pattern.get_ref().trim_end_matches('/');
        match glob(text, false).and_then(|g| glob(&format!("{text}/**"), false).map(|all| (g, all))) {
            Ok((g, all)) => {
                removes.add(g);
                removes.add(all);
                rules.remove.push(pattern.get_ref().clone());
            }
            Err(why) => sink.at(pattern, format!("publish.remove: bad glob `{}`: {why}", pattern.get_ref())),
        }
    }
    rules.remove_set = removes.build().ok().filter(|_| !rules.remove.is_empty());
    for item in raw.replace {
        let line = sink.lines.of(&item);
        let RawReplacement { pattern, with } = item.into_inner();
        match regex::bytes::Regex::new(&pattern) {
            Ok(regex) if regex.is_match(b"") => sink.push(
                line,
                format!(
                    "publish.replace: pattern `{pattern}` matches the empty string, which would insert `{with}` between every two bytes"
                ),
            ),
            Ok(regex) => rules.replace.push(Replacement { pattern, with, regex }),
            Err(err) => sink.push(line, format!("publish.replace: pattern `{pattern}` does not compile: {err}")),
        }
    }
    let mut authors = GlobSetBuilder::new();
    for (pattern, identity) in &raw.authors {
        let compiled = glob(pattern.get_ref(), true);
        let parsed = Identity::parse(identity.get_ref());
        match (compiled, parsed) {
            (Ok(g), Ok(identity)) => {
                authors.add(g);
                rules.authors.push((pattern.get_ref().clone(), identity));
            }
            (Err(why), _) => sink.at(pattern, format!("publish.authors: bad glob `{}`: {why}", pattern.get_ref())),
            (_, Err(why)) => sink.at(identity, format!("publish.authors: `{}` maps to {why}", pattern.get_ref())),
        }
    }
    rules.authors_set = authors.build().ok().filter(|_| !rules.authors.is_empty());
    if let Some(identity) = &raw.identity {
        match Identity::parse(identity.get_ref()) {
            Ok(parsed) => rules.identity = Some(parsed),
            Err(why) => sink.at(identity, format!("publish.identity: {why}")),
        }
    }
    rules.mailmap = raw.mailmap.map(Spanned::into_inner);
    rules
}

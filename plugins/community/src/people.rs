//! People and organisations in a commit log: bot detection, authors by
//! identity, the bus factor, organisations from e-mail domains, and the
//! names in MAINTAINERS / CODEOWNERS files.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use fledge_sdk::{Commit, Signature};

/// Names and e-mails of well-known bots (substrings, lower case).
const BOTS: &[&str] = &[
    "[bot]",
    "dependabot",
    "renovate",
    "github-actions",
    "greenkeeper",
    "snyk-bot",
    "mergify",
    "pre-commit-ci",
    "semantic-release-bot",
    "allcontributors",
    "imgbot",
    "codecov",
    "gitlab-bot",
    "actions-user",
    "noreply@github.com",
    "copilot-swe-agent",
];

/// True for automated authors: well-known bots, names ending in `[bot]`,
/// and the configured `extra` names or e-mails.
pub fn is_bot(author: &Signature, extra: &[String]) -> bool {
    let name = author.name.to_lowercase();
    let email = author.email.to_lowercase();
    // GitHub's web-flow commits come from noreply@github.com but have a
    // human author; only the committer is the bot there.
    BOTS.iter().filter(|b| **b != "noreply@github.com").any(|b| name.contains(b) || email.contains(b))
        || email.ends_with("bot@users.noreply.github.com")
        || extra.iter().any(|b| {
            let b = b.to_lowercase();
            !b.is_empty() && (name.contains(&b) || email.contains(&b))
        })
}

/// One author's contribution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Author {
    pub name: String,
    pub commits: usize,
}

/// Authors by identity (e-mail, lower-cased; the name when there is none),
/// most commits first, then by name.
pub fn authors(commits: &[Commit]) -> Vec<(String, Author)> {
    let mut by_identity: HashMap<String, Author> = HashMap::new();
    for commit in commits {
        let identity = if commit.author.email.trim().is_empty() {
            commit.author.name.to_lowercase()
        } else {
            commit.author.email.to_lowercase()
        };
        by_identity
            .entry(identity)
            .or_insert_with(|| Author { name: commit.author.name.clone(), commits: 0 })
            .commits += 1;
    }
    let mut ranked: Vec<(String, Author)> = by_identity.into_iter().collect();
    ranked.sort_by(|a, b| b.1.commits.cmp(&a.1.commits).then_with(|| a.1.name.cmp(&b.1.name)));
    ranked
}

/// The smallest number of contributors who together made more than half of
/// the commits (CHAOSS contributor absence factor: sort, accumulate until
/// past 50%); `counts` in any order.
///
/// ```
/// use fledge_plugin_community::bus_factor;
/// assert_eq!(bus_factor(&[81, 10, 9]), 1);
/// assert_eq!(bus_factor(&[40, 40, 20]), 2);
/// assert_eq!(bus_factor(&[50, 50]), 2);
/// assert_eq!(bus_factor(&[]), 0);
/// ```
pub fn bus_factor(counts: &[usize]) -> usize {
    let mut sorted = counts.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let total: usize = sorted.iter().sum();
    let mut sum = 0;
    for (i, count) in sorted.iter().enumerate() {
        sum += count;
        if sum * 2 > total {
            return i + 1;
        }
    }
    0
}

/// Providers of personal e-mail addresses, which say nothing about an employer.
const PERSONAL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "yahoo.com",
    "icloud.com",
    "me.com",
    "protonmail.com",
    "proton.me",
    "qq.com",
    "163.com",
    "126.com",
    "foxmail.com",
    "users.noreply.github.com",
    "gmx.de",
    "web.de",
    "yandex.ru",
    "mail.ru",
    "aol.com",
    "fastmail.com",
];

/// The organisation of an e-mail address: the configured mapping (a full
/// address, or a domain matching the address's domain or a parent of it),
/// else the domain; `None` for personal addresses.
pub fn organization(email: &str, mapping: &BTreeMap<String, String>) -> Option<String> {
    let email = email.to_lowercase();
    if let Some(org) = mapping.iter().find(|(key, _)| key.to_lowercase() == email) {
        return Some(org.1.clone());
    }
    let domain = email.rsplit_once('@').map(|(_, d)| d)?.trim();
    if domain.is_empty() {
        return None;
    }
    let mut candidate = domain;
    loop {
        if let Some(org) = mapping.iter().find(|(key, _)| key.to_lowercase() == candidate) {
            return Some(org.1.clone());
        }
        match candidate.split_once('.') {
            Some((_, parent)) if parent.contains('.') => candidate = parent,
            _ => break,
        }
    }
    if PERSONAL_DOMAINS.iter().any(|p| domain == *p || domain.ends_with(&format!(".{p}"))) {
        return None;
    }
    Some(domain.to_owned())
}

/// The distinct people and teams a MAINTAINERS or CODEOWNERS file names:
/// `@handles` and `@org/teams`, e-mail addresses, and (in MAINTAINERS)
/// list items and table rows with a name.
pub fn named_maintainers(text: &str, codeowners: bool) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut fence = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            fence = !fence;
            continue;
        }
        if fence || trimmed.is_empty() || trimmed.starts_with('#') && codeowners {
            continue;
        }
        let mut found_on_line = false;
        for token in
            trimmed.split(|c: char| c.is_whitespace() || matches!(c, ',' | '|' | '(' | ')' | '[' | ']' | '<' | '>'))
        {
            let token = token.trim_matches(|c: char| matches!(c, '*' | '`' | '"' | '\'' | ';' | '.' | ':'));
            let handle = token.len() > 1 && token.starts_with('@') && !token.contains("@@");
            let email = token.contains('@') && token.contains('.') && !token.starts_with('@');
            if handle || email {
                names.insert(token.to_lowercase());
                found_on_line = true;
            }
        }
        // MAINTAINERS.md style "- Jane Doe" list items without handles.
        if !codeowners && !found_on_line {
            let item = trimmed.trim_start_matches(['-', '*', '+']).trim();
            let is_item = trimmed.starts_with(['-', '*', '+']) && item.split_whitespace().count() >= 2;
            if is_item && item.chars().next().is_some_and(char::is_alphabetic) && item.len() < 80 {
                names.insert(item.to_lowercase());
            }
        }
    }
    names
}

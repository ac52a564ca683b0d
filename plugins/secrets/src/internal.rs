//! Internal references: host names and e-mail addresses in the company's
//! domains, intranet URLs, private IP addresses in code and configuration
//! (not in documentation), and ticket ids. What counts as internal comes from
//! the plugin's configuration; private address ranges and intranet URL forms
//! are found without any.

use aho_corasick::AhoCorasick;
use regex::bytes::Regex;

use fledge_sdk::conventions::{is_doc_path, is_test_path};

use crate::scan::line_at;

/// The kind of an internal reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub enum Kind {
    Host,
    Email,
    IntranetUrl,
    PrivateIp,
    Ticket,
}

impl Kind {
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Host => "internal host name",
            Kind::Email => "employee e-mail address",
            Kind::IntranetUrl => "intranet URL",
            Kind::PrivateIp => "private IP address",
            Kind::Ticket => "internal ticket id",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Reference {
    pub kind: Kind,
    pub value: String,
    pub line: u32,
}

/// Top-level domains used only inside networks.
const INTERNAL_SUFFIXES: &[&str] = &["internal", "corp", "intranet", "intra", "lan"];
/// Single-label host names that are not internal hosts.
const NOT_HOSTS: &[&str] = &[
    "localhost",
    "example",
    "host",
    "hostname",
    "server",
    "yourhost",
    "your-host",
    "yourserver",
    "yourdomain",
    "domain",
    "foo",
    "bar",
    "baz",
    "myhost",
    "my-host",
    "proxy",
    "test",
    "testserver",
    "testhost",
    "dummy",
    "placeholder",
];

pub struct Internal {
    /// Prefilter for the URL and private-address patterns: "http", "10.",
    /// "172.", "192.168.".
    markers: AhoCorasick,
    domains: Option<(AhoCorasick, Regex, Regex)>,
    email_domains: Option<Regex>,
    tickets: Vec<Regex>,
    url: Regex,
    ip: Regex,
    private_ips: bool,
}

fn alternation(domains: &[String]) -> String {
    domains.iter().map(|d| regex::escape(d.trim_start_matches('.').trim())).collect::<Vec<_>>().join("|")
}

impl Internal {
    pub fn new(
        domains: &[String],
        email_domains: &[String],
        tickets: &[String],
        private_ips: bool,
    ) -> Result<Internal, String> {
        // ASCII mode: host names, addresses and ticket ids are ASCII.
        let compile =
            |pattern: &str| Regex::new(&format!("(?-u){pattern}")).map_err(|e| format!("bad pattern `{pattern}`: {e}"));
        let domains: Vec<String> = domains.iter().filter(|d| !d.trim().is_empty()).cloned().collect();
        let domain_matchers = if domains.is_empty() {
            None
        } else {
            let keywords = AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(domains.iter().map(|d| d.trim_start_matches('.')))
                .map_err(|e| e.to_string())?;
            let hosts =
                compile(&format!(r"(?i)(?:^|[^A-Za-z0-9@.\-])((?:[a-z0-9\-]+\.)*(?:{}))\b", alternation(&domains)))?;
            let emails =
                compile(&format!(r"(?i)\b([a-z0-9._%+\-]+@(?:[a-z0-9\-]+\.)*(?:{}))\b", alternation(&domains)))?;
            Some((keywords, hosts, emails))
        };
        let email_domains = if email_domains.is_empty() {
            None
        } else {
            Some(compile(&format!(r"(?i)\b([a-z0-9._%+\-]+@(?:[a-z0-9\-]+\.)*(?:{}))\b", alternation(email_domains)))?)
        };
        let tickets = tickets.iter().map(|t| compile(&format!("({t})"))).collect::<Result<Vec<_>, _>>()?;
        let markers = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(["http", "10.", "172.", "192.168."])
            .map_err(|e| e.to_string())?;
        Ok(Internal {
            markers,
            domains: domain_matchers,
            email_domains,
            tickets,
            url: compile(
                r#"(?i)\bhttps?://(?:[^\s/@]+@)?([a-z0-9\-]+(?:\.[a-z0-9\-]+)*)(?::[0-9]{1,5})?(?:[/?#\s"'<>)\]]|$)"#,
            )?,
            ip: compile(
                r"(?:^|[^0-9.])((?:10\.[0-9]{1,3}|172\.(?:1[6-9]|2[0-9]|3[01])|192\.168)\.[0-9]{1,3}\.[0-9]{1,3})(?:[^0-9.]|\.?$)",
            )?,
            private_ips,
        })
    }

    /// The internal references in `data`, the contents of `path`.
    pub fn find(&self, path: &str, data: &[u8]) -> Vec<Reference> {
        let mut found: Vec<Reference> = Vec::new();
        let mut push = |kind: Kind, value: &[u8], offset: usize| {
            let value = String::from_utf8_lossy(value).to_lowercase();
            if found.iter().any(|r| r.kind == kind && r.value == value) {
                return;
            }
            let (line, text) = line_at(data, offset);
            if text.contains("fledge:allow") {
                return;
            }
            found.push(Reference { kind, value, line });
        };
        if let Some((keywords, hosts, emails)) = &self.domains
            && keywords.is_match(data)
        {
            for m in emails.captures_iter(data).filter_map(|c| c.get(1)) {
                push(Kind::Email, m.as_bytes(), m.start());
            }
            for m in hosts.captures_iter(data).filter_map(|c| c.get(1)) {
                push(Kind::Host, m.as_bytes(), m.start());
            }
        }
        if let Some(emails) = &self.email_domains {
            for m in emails.captures_iter(data).filter_map(|c| c.get(1)) {
                push(Kind::Email, m.as_bytes(), m.start());
            }
        }
        // Tests and documentation are full of made-up hosts and example
        // addresses; the configured domains are reported everywhere.
        let example_prone = is_doc_path(path) || is_test_path(path);
        let (mut has_url, mut has_ip) = (false, false);
        for m in self.markers.find_overlapping_iter(data) {
            if m.pattern().as_usize() == 0 {
                has_url = true;
            } else {
                has_ip = true;
            }
            if has_url && has_ip {
                break;
            }
        }
        if has_url && !example_prone {
            for captures in self.url.captures_iter(data) {
                let (Some(whole), Some(host)) = (captures.get(0), captures.get(1)) else { continue };
                let name = String::from_utf8_lossy(host.as_bytes()).to_lowercase();
                // Single-label hosts (a wiki with no domain): at least three letters,
                // not an IPv6 fragment such as `fe80`.
                let single_label = !name.contains('.')
                    && name.len() >= 3
                    && !NOT_HOSTS.contains(&name.as_str())
                    && !name.chars().all(|c| c.is_ascii_hexdigit());
                let internal_suffix =
                    name.rsplit('.').next().is_some_and(|tld| INTERNAL_SUFFIXES.contains(&tld)) && name.contains('.');
                if single_label || internal_suffix {
                    push(Kind::IntranetUrl, whole.as_bytes(), whole.start());
                }
            }
        }
        if self.private_ips && has_ip && !example_prone {
            for m in self.ip.captures_iter(data).filter_map(|c| c.get(1)) {
                let valid = String::from_utf8_lossy(m.as_bytes()).split('.').all(|octet| octet.parse::<u8>().is_ok());
                if valid {
                    push(Kind::PrivateIp, m.as_bytes(), m.start());
                }
            }
        }
        for ticket in &self.tickets {
            for m in ticket.captures_iter(data).filter_map(|c| c.get(1)) {
                push(Kind::Ticket, m.as_bytes(), m.start());
            }
        }
        found
    }
}

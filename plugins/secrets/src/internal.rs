//! Internal references: host names and e-mail addresses in the company's
//! domains, intranet URLs, private IP addresses in code and configuration
//! (not in documentation), and ticket ids. What counts as internal comes from
//! the plugin's configuration; private address ranges and intranet URL forms
//! are found without any.

use regex::bytes::Regex;
use regex_automata::{Anchored, Input, meta};

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

/// The start of every URL: where the intranet URL pattern is tried.
pub const URL_MARKER: &str = "http";
/// The starts of the private address ranges: where the private address
/// pattern is tried.
pub const IP_MARKERS: &[&str] = &["10.", "172.", "192.168."];

/// Where the scanner's one keyword pass over a blob saw [`URL_MARKER`] and
/// [`IP_MARKERS`] (byte offsets, ascending): the only places an intranet URL
/// or a private address can start, so their patterns run there only,
/// anchored, instead of over the whole blob.
#[derive(Default)]
pub struct Markers {
    pub urls: Vec<usize>,
    pub ips: Vec<usize>,
    /// Whether one of the [`Internal::domain_keywords`] occurs.
    pub domain: bool,
}

pub struct Internal {
    /// The configured domains (the scanner's keywords), and the host and
    /// e-mail patterns tried on data that holds one.
    domains: Option<(Vec<String>, Regex, Regex)>,
    email_domains: Option<Regex>,
    tickets: Vec<Regex>,
    /// Tried anchored at each URL marker.
    url: meta::Regex,
    /// Tried anchored one byte before each address marker (the byte that
    /// must not be a digit or a dot).
    ip: meta::Regex,
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
            let keywords = domains.iter().map(|d| d.trim_start_matches('.').to_owned()).collect();
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
        // Byte patterns, like `regex::bytes`: blobs need not be UTF-8.
        let anchored = |pattern: &str| {
            meta::Regex::builder()
                .syntax(regex_automata::util::syntax::Config::new().utf8(false))
                .build(&format!("(?-u){pattern}"))
                .map_err(|e| format!("bad pattern `{pattern}`: {e}"))
        };
        Ok(Internal {
            domains: domain_matchers,
            email_domains,
            tickets,
            url: anchored(
                r#"(?i)\bhttps?://(?:[^\s/@]+@)?([a-z0-9\-]+(?:\.[a-z0-9\-]+)*)(?::[0-9]{1,5})?(?:[/?#\s"'<>)\]]|$)"#,
            )?,
            ip: anchored(
                r"(?:^|[^0-9.])((?:10\.[0-9]{1,3}|172\.(?:1[6-9]|2[0-9]|3[01])|192\.168)\.[0-9]{1,3}\.[0-9]{1,3})(?:[^0-9.]|\.?$)",
            )?,
            private_ips,
        })
    }

    /// The configured domains, for the scanner's keyword pass (compared
    /// without regard to ASCII case).
    pub fn domain_keywords(&self) -> &[String] {
        self.domains.as_ref().map_or(&[], |(keywords, _, _)| keywords)
    }

    /// The internal references in `data`, the contents of `path`, where
    /// the scanner saw `markers`.
    pub fn find(&self, path: &str, data: &[u8], markers: &Markers) -> Vec<Reference> {
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
        if let Some((_, hosts, emails)) = &self.domains
            && markers.domain
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
        if !example_prone && !markers.urls.is_empty() {
            let mut captures = self.url.create_captures();
            // As a search from left to right would: a URL inside another's
            // match is part of it.
            let mut covered = 0;
            for &at in &markers.urls {
                if at < covered {
                    continue;
                }
                self.url.search_captures(&Input::new(data).range(at..).anchored(Anchored::Yes), &mut captures);
                let (Some(whole), Some(host)) = (captures.get_group(0), captures.get_group(1)) else { continue };
                covered = whole.end;
                let name = String::from_utf8_lossy(&data[host.range()]).to_lowercase();
                // Single-label hosts (a wiki with no domain): at least three letters,
                // not an IPv6 fragment such as `fe80`.
                let single_label = !name.contains('.')
                    && name.len() >= 3
                    && !NOT_HOSTS.contains(&name.as_str())
                    && !name.chars().all(|c| c.is_ascii_hexdigit());
                let internal_suffix =
                    name.rsplit('.').next().is_some_and(|tld| INTERNAL_SUFFIXES.contains(&tld)) && name.contains('.');
                if single_label || internal_suffix {
                    push(Kind::IntranetUrl, &data[whole.range()], whole.start);
                }
            }
        }
        if self.private_ips && !example_prone && !markers.ips.is_empty() {
            let mut captures = self.ip.create_captures();
            for &at in &markers.ips {
                // Each address on its own: two separated by one space are two.
                let input = Input::new(data).range(at.saturating_sub(1)..).anchored(Anchored::Yes);
                self.ip.search_captures(&input, &mut captures);
                let Some(address) = captures.get_group(1) else { continue };
                let address = &data[address.range()];
                let valid = String::from_utf8_lossy(address).split('.').all(|octet| octet.parse::<u8>().is_ok());
                if valid {
                    push(Kind::PrivateIp, address, at);
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

//! The `secrets` plugin: nothing confidential may be published, not even in
//! an old commit.
//!
//! Checks: `secrets.credentials-head`, `secrets.credentials-history`,
//! `secrets.internal-references`, `secrets.key-files`. History is scanned
//! blob by blob, each distinct blob once (the host lists them with the path
//! and commit where each first appeared). One secret is one finding, with
//! every place it was found; secrets are never shown, only redacted.

use std::collections::{BTreeMap, HashMap, HashSet};

use fledge_sdk::conventions::is_throwaway_path;
use fledge_sdk::prelude::*;
use fledge_sdk::{HistoryBlob, Location, RepoError};
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};

mod custom;
mod internal;
mod keyfiles;
mod keywords;
pub mod rules;
#[cfg(test)]
mod samples;
pub mod scan;
#[cfg(test)]
mod tests;

use internal::{Internal, Reference};
use rules::RULES;
use scan::{Hit, Scanner};

/// Configuration (`[plugins.secrets]` in the policy).
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
struct Config {
    /// Domains whose host names and e-mail addresses are internal (default:
    /// the policy's `[organization]`).
    internal_domains: Option<Vec<String>>,
    /// Extra e-mail domains of employees (the internal domains count too;
    /// default: the policy's `[organization]`).
    email_domains: Option<Vec<String>>,
    /// Regexes of internal ticket ids (`"PAY-[0-9]+"`; default: the policy's
    /// `[organization]`).
    ticket_patterns: Option<Vec<String>>,
    /// Report private IP addresses in code and configuration.
    private_ips: bool,
    /// Known findings that may stay, each with a reason.
    allow: Vec<Allow>,
    /// Blobs larger than this are not scanned (and reported as not read,
    /// so that a gate does not pass on them). Default: no bound; large
    /// blobs are read in pieces.
    max_blob_bytes: u64,
    /// Scan the whole history for internal references and key files too.
    history: bool,
    /// gitleaks (or Betterleaks) rule files, relative to the policy.
    rules_files: Vec<String>,
    /// Their texts, read by fledge from `rules_files` (not a setting).
    #[schemars(skip)]
    rules_texts: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            internal_domains: None,
            email_domains: None,
            ticket_patterns: None,
            private_ips: true,
            allow: Vec::new(),
            max_blob_bytes: u64::MAX,
            history: true,
            rules_files: Vec::new(),
            rules_texts: Vec::new(),
        }
    }
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct Allow {
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    fingerprints: Vec<String>,
    reason: String,
}

/// What was learned of one blob.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct BlobScan {
    credentials: Vec<Hit>,
    internal: Vec<Reference>,
}

/// What a blob's scan found, as kept in the host's results cache: only
/// whole scans and binary blobs, never a read that failed.
#[derive(Serialize, Deserialize)]
struct Cached {
    /// The text's length when scanned; `None` for a binary blob.
    scanned: Option<u64>,
    #[serde(default)]
    binary: u64,
    #[serde(default)]
    scan: BlobScan,
}

/// The cache key of a blob's scan: its content, the path it was scanned
/// under (documentation, tests and the policy's path rules depend on it),
/// and whether internal references were looked for.
fn cache_key(id: &str, path: &str, internal: bool) -> String {
    format!("secrets/v2/{id}/{}/{path}", u8::from(internal))
}

/// What happened to a blob, so that nothing is silently ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome {
    Scanned(u64),
    Binary(u64),
    Oversize(u64),
    Unreadable(GapKind, String),
}

/// The kind of gap a refused read leaves.
fn unread_kind(err: &Error) -> GapKind {
    match err.repo_error() {
        Some(RepoError::Missing(why)) if why.contains("missing from the object database") => GapKind::Missing,
        Some(RepoError::Missing(_)) => GapKind::Corrupt,
        Some(RepoError::LimitExceeded(why)) if why.contains("above the read limit") => GapKind::TooLarge,
        Some(RepoError::LimitExceeded(_)) => GapKind::Budget,
        Some(RepoError::Denied(_)) => GapKind::Denied,
        _ => GapKind::Missing,
    }
}

/// Large blobs are scanned in pieces of this size...
const CHUNK: u64 = 1 << 20;
/// ...each read with this much of the text before and after it, so that a
/// credential (and the keyword that announces it) across a boundary is
/// found whole, in the piece where it starts.
const MARGIN: u64 = 16 << 10;

/// Counts of [`Outcome`]s over a set of blobs.
#[derive(Clone, Debug, Default)]
struct Stats {
    scanned: u64,
    bytes: u64,
    binary: u64,
    oversize: u64,
    unreadable: u64,
}

impl Stats {
    fn of<'a>(outcomes: impl Iterator<Item = &'a Outcome>) -> Stats {
        let mut stats = Stats::default();
        for outcome in outcomes {
            match outcome {
                Outcome::Scanned(bytes) => {
                    stats.scanned += 1;
                    stats.bytes += bytes;
                }
                Outcome::Binary(_) => stats.binary += 1,
                Outcome::Oversize(_) => stats.oversize += 1,
                Outcome::Unreadable(..) => stats.unreadable += 1,
            }
        }
        stats
    }
}

#[derive(Default)]
pub struct Secrets {
    scanner: Option<Scanner>,
    scans: HashMap<String, BlobScan>,
    outcomes: HashMap<String, Outcome>,
    /// The distinct blobs of the history, oldest first, once scanned.
    history: Option<Vec<HistoryBlob>>,
    /// Look for internal references too while scanning.
    want_internal: bool,
}

impl Plugin for Secrets {
    fn checks() -> CheckTable<Self> {
        CheckTable::<Self>::new(
            PluginMeta::new("secrets", env!("CARGO_PKG_VERSION"))
                .config::<Config>()
                .description("Credentials, internal references and key files, at HEAD and in the whole history")
                .about(about())
                .reads(&[Capability::Tree, Capability::Contents, Capability::History]),
        )
        .category("security")
        .check(
            CheckMeta::new("secrets.credentials-head", "No credentials in the files")
                .weight(10)
                .rationale("A credential in a published repository is compromised the moment it is pushed.")
                .remediation("Revoke and rotate the credential, remove it, and load it from the environment or a secret store.")
                .looks_at("every file of the checked commit, with the rules below."),
            Secrets::credentials_head,
        )
        .check(
            CheckMeta::new("secrets.credentials-history", "No credentials anywhere in the history")
                .weight(10)
                .rationale("Publishing a repository publishes every commit: a credential deleted long ago is still readable.")
                .remediation("Revoke and rotate each credential, then publish a history without it (`fledge publish` removes what this check finds).")
                .looks_at("every distinct blob ever committed (reachable from the checked commit), with the rules below; each finding names the path, line and the first commit that introduced the secret, and whether it is still in the files."),
            Secrets::credentials_history,
        )
        .check(
            CheckMeta::new("secrets.internal-references", "No internal hosts, addresses, e-mails or tickets")
                .weight(3)
                .rationale("Internal host names, addresses, e-mails and ticket ids map the company's infrastructure and people for attackers.")
                .remediation("Replace internal references with placeholders (example.com, RFC 5737 addresses) or configuration, and clean the history.")
                .looks_at("host names and e-mail addresses in `internal_domains` (and e-mails in `email_domains`), ticket ids matching `ticket_patterns`, intranet URLs (to single-label hosts such as a bare `wiki` or `jira`, and to `.internal`, `.corp`, `.intranet`, `.intra`, `.lan` hosts), and private IPv4 addresses (10/8, 172.16/12, 192.168/16) in code and configuration. Intranet URLs and private addresses are not looked for in documentation and tests, which are full of examples. Hosts, e-mails, tickets and intranet URLs in the files `fail`; private addresses only, or references left only in the history, `warn`."),
            Secrets::internal_references_check,
        )
        .check(
            CheckMeta::new("secrets.key-files", "No private key or keystore files")
                .weight(5)
                .rationale("Key and keystore files (id_rsa, .p12, .jks, .env with values) are credentials, whatever is inside.")
                .remediation("Delete the files, revoke the keys they hold, add them to .gitignore, and clean the history.")
                .looks_at("file names at the checked commit and in the history: SSH keys (`id_rsa`, `id_ed25519`...), `*.pem` and `*.key` holding a private key, PKCS#12 (`*.p12`, `*.pfx`), Java keystores (`*.jks`, `*.keystore`), PuTTY keys, KeePass databases, Terraform state, `.aws/credentials`, `.git-credentials`, `.htpasswd`; `.env` and `.env.<name>` files with values (not `.env.example`, `.env.sample`, `.env.template`...), `.npmrc`, `.pypirc`, `.netrc` and `.pgpass` with credentials."),
            Secrets::key_files,
        )
    }
}

/// How the plugin works, its configuration and its credential rules, for
/// the check reference.
fn about() -> String {
    let mut about = String::from(ABOUT);
    about.push_str(&format!("\n\n### Credential rules\n\n{} rules, by family.\n", RULES.len()));
    for (family, rules) in rules::FAMILIES {
        about.push_str(&format!("\n#### {family}\n\n| Rule | Credential |\n|---|---|\n"));
        for rule in *rules {
            let checksum = if rule.checksum.is_some() { " (checksum verified offline)" } else { "" };
            about.push_str(&format!("| `{}` | {}{checksum} |\n", rule.id, rule.description));
        }
    }
    about.trim_end().to_owned()
}

const ABOUT: &str = "Every blob is scanned once: the files at the checked commit, and, for the\nhistory checks, each distinct blob of the history (listed by the host with\nthe path and commit where it first appeared; not `git log -p`). A single\nAho-Corasick pass finds which rules' keywords occur; only those rules'\nregexes run. Text blobs of any size are read in 1 MiB pieces with 16 KiB\nof overlap (a credential across a boundary is found once, at its line);\nbinary blobs, and blobs over `max_blob_bytes` when it is set, are counted\nin an info finding and reported as not read (a binary blob does not stop\na pass under the default policy; anything else unread does). In a shallow\nclone the history checks say that the history is truncated and do not\npass. One secret (rule and value) is one finding\nwith every place it was found; findings show a redacted excerpt (the first\ncharacters and the length) and a fingerprint, never the secret.\n\nNot reported: placeholders (`AKIAIOSFODNN7EXAMPLE`, `xxxx`, `${VAR}`,\n`<your-token>`, `{{ var }}`, printf templates such as `%s` and\n`%(name)s`), generic values that look like words or name a constant or an\nenvironment variable (`KEY = \"DATA_STORE_ACCESS_KEY\"`) rather than\ngenerated secrets, generic assignments in documentation, lines with an\ninline `fledge:allow` (or `gitleaks:allow`, `pragma: allowlist secret`)\nmarker, and what the policy allows: `allow = [{ paths = [\"glob\"],\nfingerprints = [\"…\"], reason = \"…\" }]` (the reason is required).\n\nKeys that are public by design (search-only keys such as Algolia\nDocSearch's, publishable and CAPTCHA site keys) are `info` findings, not\nleaks. Credentials and key files found only in tests, fixtures and\nexamples give a `warn` (throwaway?), elsewhere a `fail`; more than three\nsuch values of one rule in one folder are one finding with a count.\n\nCommitted archives and packages (`.zip`, `.jar`, `.tar.gz`, `.whl`, `.apk`...) cannot be\nscanned as text: each is a finding of its own and content not read, of\nthe kind `archive` (which the default policy does not accept), so the\ncredential checks warn and the gates wait until it is reviewed and allowed\n(build wrappers such as `gradle-wrapper.jar` and archives in tests and\nexamples are `info` and count as binary content).\n\nConfiguration (`[plugins.secrets]` in the policy): `internal_domains`,\n`email_domains`, `ticket_patterns` (regexes; all three default to the\npolicy's `[organization]`), `private_ips` (true),\n`allow`, `max_blob_bytes` (no bound), `history` (true: internal references\nand key files are looked for in the history too), `rules_files` (the\ncompany's gitleaks or Betterleaks TOML rule files, relative to the policy:\n`[[rules]]` with `id`, `description`, `regex`, `secretGroup`, `keywords`,\n`entropy`, `path` and allowlists, and a global `[allowlist]` for them;\ntheir rules run beside fledge's own, and a file that cannot be read or a\nrule that cannot be compiled stops the check rather than being skipped).";

impl Secrets {
    /// The check's configuration and allowlist; notes whether internal
    /// references are wanted, so that a scan collects them in one pass.
    fn setup(&mut self, check: &Check<'_>) -> Result<(Config, Allowlist)> {
        let mut config: Config = check.config()?;
        // The company's facts come from `[organization]` unless the
        // plugin's own keys say otherwise.
        let organization = check.organization();
        config.internal_domains.get_or_insert_with(|| organization.internal_domains.clone());
        config.email_domains.get_or_insert_with(|| organization.email_domains.clone());
        config.ticket_patterns.get_or_insert_with(|| organization.ticket_patterns.clone());
        let allow = Allowlist::new(&config.allow)?;
        self.want_internal |= check.is_requested("secrets.internal-references");
        Ok((config, allow))
    }

    fn credentials_head(&mut self, check: &Check<'_>) -> Result<CheckResult> {
        let (config, allow) = self.setup(check)?;
        let repo = check.repo();
        self.scan_head(repo, &config)?;
        Ok(self.credentials(repo, &allow, false).unread(self.gaps(repo, &allow, false)))
    }

    fn credentials_history(&mut self, check: &Check<'_>) -> Result<CheckResult> {
        let (config, allow) = self.setup(check)?;
        let repo = check.repo();
        self.scan_history(repo, &config)?;
        self.scan_head(repo, &config)?;
        Ok(self.credentials(repo, &allow, true).unread(self.gaps(repo, &allow, true)))
    }

    fn internal_references_check(&mut self, check: &Check<'_>) -> Result<CheckResult> {
        let (config, allow) = self.setup(check)?;
        let repo = check.repo();
        if config.history {
            self.scan_history(repo, &config)?;
        }
        self.scan_head(repo, &config)?;
        Ok(self.internal_references(repo, &allow).unread(self.gaps(repo, &allow, config.history)))
    }

    fn key_files(&mut self, check: &Check<'_>) -> Result<CheckResult> {
        let (config, allow) = self.setup(check)?;
        let repo = check.repo();
        let history = if config.history { Some(self.history_list(repo)?) } else { None };
        let shallow = config.history && repo.head().shallow;
        Ok(keyfiles::check(repo, history.as_deref(), &allow)?.unread(shallow.then(Gap::shallow_history)))
    }
}

fledge_sdk::export_plugin!(Secrets);

/// True for an archive whose members a reviewer must look at: not a build
/// wrapper, not in tests or examples, not allowed by the policy.
fn to_review(path: &str, allow: &Allowlist) -> bool {
    is_archive(path) && !is_build_wrapper(path) && !is_throwaway_path(path) && !allow.path(path)
}

/// Allowlisted paths and fingerprints from the configuration.
pub(crate) struct Allowlist {
    paths: GlobSet,
    fingerprints: HashSet<String>,
}

impl Allowlist {
    fn new(entries: &[Allow]) -> Result<Allowlist> {
        let mut paths = GlobSetBuilder::new();
        let mut fingerprints = HashSet::new();
        for entry in entries {
            if entry.reason.trim().is_empty() {
                return Err(Error::new("every `allow` entry needs a `reason`"));
            }
            for path in &entry.paths {
                paths.add(Glob::new(path).map_err(|e| Error::new(format!("bad allow path `{path}`: {e}")))?);
            }
            fingerprints.extend(entry.fingerprints.iter().cloned());
        }
        Ok(Allowlist { paths: paths.build().map_err(|e| Error::new(e.to_string()))?, fingerprints })
    }

    pub(crate) fn path(&self, path: &str) -> bool {
        self.paths.is_match(path)
    }

    fn fingerprint(&self, fingerprint: &str) -> bool {
        self.fingerprints.contains(fingerprint)
    }
}

impl Secrets {
    fn scanner(&mut self, config: &Config) -> Result<&Scanner> {
        if self.scanner.is_none() {
            let domains = config.internal_domains.as_deref().unwrap_or_default();
            let mut emails = domains.to_vec();
            emails.extend(config.email_domains.iter().flatten().cloned());
            let tickets = config.ticket_patterns.as_deref().unwrap_or_default();
            let internal = Internal::new(domains, &emails, tickets, config.private_ips).map_err(Error::new)?;
            if config.rules_texts.len() != config.rules_files.len() {
                return Err(Error::new(
                    "`rules_files` were not read: run through fledge, which reads them relative to the policy",
                ));
            }
            let custom = custom::CustomRules::parse(&config.rules_texts, &config.rules_files).map_err(Error::new)?;
            self.scanner = Some(Scanner::new(internal, custom).map_err(Error::new)?);
        }
        self.scanner.as_ref().ok_or_else(|| Error::new("scanner unavailable"))
    }

    /// Reads and scans blob `id` (found at `path`) unless it was scanned:
    /// in pieces of [`CHUNK`] bytes with [`MARGIN`] either side, so memory
    /// stays bounded whatever the blob's size.
    fn scan_blob(&mut self, repo: &Repo, config: &Config, id: &str, path: &str, size: u64) -> Result<()> {
        if self.outcomes.contains_key(id) {
            return Ok(());
        }
        if size > config.max_blob_bytes {
            self.outcomes.insert(id.to_owned(), Outcome::Oversize(size));
            return Ok(());
        }
        let want_internal = self.want_internal;
        let key = cache_key(id, path, want_internal);
        if let Some(cached) = repo.cache_get(&key).and_then(|bytes| serde_json::from_slice::<Cached>(&bytes).ok()) {
            let outcome = cached.scanned.map_or(Outcome::Binary(cached.binary), Outcome::Scanned);
            if !cached.scan.credentials.is_empty() || !cached.scan.internal.is_empty() {
                self.scans.insert(id.to_owned(), cached.scan);
            }
            self.outcomes.insert(id.to_owned(), outcome);
            return Ok(());
        }
        let mut result = BlobScan::default();
        let (mut start, mut lines_before, mut scanned) = (0u64, 0u32, 0u64);
        let outcome = loop {
            let from = start.saturating_sub(MARGIN);
            let blob = match repo.read_blob_range(id, from, (start - from) + CHUNK + MARGIN) {
                Ok(blob) => blob,
                Err(err) => break Outcome::Unreadable(unread_kind(&err), err.to_string()),
            };
            if start == 0 && scan::is_binary(&blob.data) {
                break Outcome::Binary(blob.size);
            }
            let own = usize::try_from(start - from).unwrap_or(0);
            let own_end = own.saturating_add(usize::try_from(CHUNK).unwrap_or(usize::MAX)).min(blob.data.len());
            let last = !blob.truncated;
            let scanner = self.scanner(config)?;
            let (hits, references) = scanner.scan(path, &blob.data, want_internal);
            for mut hit in hits {
                if hit.offset >= own && (hit.offset < own_end || last) {
                    hit.line += lines_before;
                    // From here on, the offset is in the blob.
                    hit.offset = hit.offset.saturating_add(usize::try_from(from).unwrap_or(usize::MAX));
                    result.credentials.push(hit);
                }
            }
            for mut reference in references {
                reference.line += lines_before;
                if !result.internal.contains(&reference) {
                    result.internal.push(reference);
                }
            }
            scanned = scanned.saturating_add((own_end - own) as u64);
            if last || own_end == own {
                break Outcome::Scanned(scanned);
            }
            // The next piece's data starts MARGIN before its own part.
            let next_from = (start + CHUNK).saturating_sub(MARGIN);
            let skip = usize::try_from(next_from - from).unwrap_or(0).min(blob.data.len());
            lines_before += blob.data[..skip].iter().filter(|&&b| b == b'\n').count() as u32;
            start += CHUNK;
        };
        result.internal.sort_by_key(|r| r.line);
        let keep = match &outcome {
            Outcome::Scanned(bytes) => Some(Cached { scanned: Some(*bytes), binary: 0, scan: result.clone() }),
            Outcome::Binary(size) => Some(Cached { scanned: None, binary: *size, scan: BlobScan::default() }),
            Outcome::Oversize(_) | Outcome::Unreadable(..) => None,
        };
        if let Some(bytes) = keep.and_then(|cached| serde_json::to_vec(&cached).ok()) {
            repo.cache_put(&key, &bytes);
        }
        if !result.credentials.is_empty() || !result.internal.is_empty() {
            self.scans.insert(id.to_owned(), result);
        }
        self.outcomes.insert(id.to_owned(), outcome);
        Ok(())
    }

    /// What the blobs at HEAD (and of the history, with `history`) left
    /// unread: binary, over the configured bound, or unreadable; and the
    /// history itself when the clone is shallow.
    fn gaps(&self, repo: &Repo, allow: &Allowlist, history: bool) -> Vec<Gap> {
        let mut places: Vec<(&str, &str)> =
            repo.all_files().map(|f| f.iter().map(|e| (e.id.as_str(), e.path.as_str())).collect()).unwrap_or_default();
        if history {
            places.extend(self.history.iter().flatten().map(|b| (b.id.as_str(), b.path.as_str())));
        }
        let mut seen = HashSet::new();
        let mut gaps = Vec::new();
        for (id, path) in places {
            if !seen.insert(id) {
                continue;
            }
            match self.outcomes.get(id) {
                // An archive's members were not read: unlike other binary
                // content, it may hold credentials, so it is a kind of its
                // own, which the default policy does not accept (build
                // wrappers, tests and examples, and allowed paths aside).
                Some(Outcome::Binary(size)) if to_review(path, allow) => gaps.push(
                    Gap::new(GapKind::Archive, path, "archive not unpacked: it may hold credentials").bytes(*size),
                ),
                Some(Outcome::Binary(size)) => {
                    gaps.push(Gap::new(GapKind::Binary, path, "binary content").bytes(*size));
                }
                Some(Outcome::Oversize(size)) => gaps.push(
                    Gap::new(GapKind::TooLarge, path, format!("above max_blob_bytes ({})", megabytes(*size)))
                        .bytes(*size),
                ),
                Some(Outcome::Unreadable(kind, why)) => gaps.push(Gap::new(*kind, path, why.clone())),
                _ => {}
            }
        }
        if history && repo.head().shallow {
            gaps.push(Gap::shallow_history());
        }
        gaps
    }

    /// The id, description and severity of rule `index`.
    fn rule(&self, index: usize) -> (&str, &str, Severity) {
        self.scanner.as_ref().map_or_else(|| scan::builtin_rule(index), |scanner| scanner.rule(index))
    }

    /// Committed archives (binary blobs named like one), each once: at the
    /// checked commit and, with `history`, in the history. Their contents
    /// are not scanned, so each is a finding of its own.
    fn archives(&self, repo: &Repo, allow: &Allowlist, history: bool) -> Vec<Finding> {
        let mut places: Vec<(&str, &str, Option<&str>)> = repo
            .all_files()
            .map(|f| f.iter().map(|e| (e.id.as_str(), e.path.as_str(), None)).collect())
            .unwrap_or_default();
        if history {
            places.extend(
                self.history.iter().flatten().map(|b| (b.id.as_str(), b.path.as_str(), Some(b.commit.as_str()))),
            );
        }
        let mut seen = HashSet::new();
        let mut findings = Vec::new();
        for (id, path, commit) in places {
            let Some(Outcome::Binary(size)) = self.outcomes.get(id) else { continue };
            if !is_archive(path) || repo.is_ignored(path) || !seen.insert(id) {
                continue;
            }
            let (severity, what) = if !to_review(path, allow) {
                (
                    Severity::Info,
                    "archive not scanned (a build wrapper, in tests or examples, or allowed by the policy)",
                )
            } else {
                (Severity::Low, "archive not scanned: it may hold credentials; unpack and review it, or remove it")
            };
            let mut location = Location::path(path);
            location.commit = commit.map(str::to_owned);
            findings.push(Finding::new(severity, format!("{path} ({}): {what}", megabytes(*size))).location(location));
        }
        findings
    }

    /// What happened to the blobs at HEAD, or to every blob of the history.
    fn stats(&self, repo: &Repo, history: bool) -> Stats {
        let mut ids: HashSet<&str> =
            repo.all_files().map(|f| f.iter().map(|e| e.id.as_str()).collect()).unwrap_or_default();
        if history {
            ids.extend(self.history.iter().flatten().map(|b| b.id.as_str()));
        }
        Stats::of(ids.iter().filter_map(|id| self.outcomes.get(*id)))
    }

    fn scan_head(&mut self, repo: &Repo, config: &Config) -> Result<()> {
        let files: Vec<TreeEntry> = repo.files()?.filter(|e| e.is_file()).cloned().collect();
        for entry in files {
            self.scan_blob(repo, config, &entry.id, &entry.path, entry.size)?;
        }
        Ok(())
    }

    fn history_list(&mut self, repo: &Repo) -> Result<Vec<HistoryBlob>> {
        if let Some(history) = &self.history {
            return Ok(history.clone());
        }
        let list: Vec<HistoryBlob> = repo.history_blobs().collect::<Result<_>>()?;
        self.history = Some(list.clone());
        Ok(list)
    }

    fn scan_history(&mut self, repo: &Repo, config: &Config) -> Result<()> {
        for blob in self.history_list(repo)? {
            self.scan_blob(repo, config, &blob.id, &blob.path, blob.size)?;
        }
        Ok(())
    }

    /// Where each scanned blob with findings is: HEAD paths (no commit) and,
    /// when the history was scanned, where it first appeared.
    fn places(&self, repo: &Repo, with_history: bool) -> Vec<(String, String, Option<String>)> {
        let mut places = Vec::new();
        if with_history && let Some(history) = &self.history {
            for blob in history.iter().filter(|b| self.scans.contains_key(&b.id)) {
                places.push((blob.id.clone(), blob.path.clone(), Some(blob.commit.clone())));
            }
        }
        if let Ok(files) = repo.files() {
            for entry in files.filter(|e| self.scans.contains_key(&e.id)) {
                places.push((entry.id.clone(), entry.path.clone(), None));
            }
        }
        places
    }

    fn credentials(&self, repo: &Repo, allow: &Allowlist, history: bool) -> CheckResult {
        let head_ids: HashSet<&str> =
            repo.all_files().map(|f| f.iter().map(|e| e.id.as_str()).collect()).unwrap_or_default();
        let introduced: HashMap<&str, &HistoryBlob> =
            self.history.iter().flatten().map(|b| (b.id.as_str(), b)).collect();
        let checked_revision = repo.head().revision;
        // One secret (rule + value) is one finding, with all its places.
        let mut secrets: BTreeMap<String, Secret> = BTreeMap::new();
        let mut allowed = 0;
        for (id, path, commit) in self.places(repo, history) {
            if repo.is_ignored(&path) {
                continue;
            }
            let Some(scan) = self.scans.get(&id) else { continue };
            for hit in &scan.credentials {
                if allow.fingerprint(&hit.fingerprint) || allow.path(&path) {
                    allowed += 1;
                    continue;
                }
                let commit = commit.clone().or_else(|| introduced.get(id.as_str()).map(|b| b.commit.clone()));
                let other_ref = introduced
                    .get(id.as_str())
                    .map(|b| b.reference.as_str())
                    .filter(|r| !head_ids.contains(id.as_str()) && *r != checked_revision);
                let secret = secrets.entry(hit.fingerprint.clone()).or_insert_with(|| Secret {
                    rule: hit.rule,
                    public: hit.public.clone(),
                    other_ref: other_ref.map(str::to_owned),
                    excerpt: hit.excerpt.clone(),
                    first_commit: commit.clone(),
                    at_head: false,
                    locations: Vec::new(),
                });
                secret.at_head |= head_ids.contains(id.as_str());
                let mut location = Location::path(path.clone()).line(hit.line);
                location.commit = commit;
                if hit.len > 0 {
                    location = location.span(id.clone(), hit.offset as u64, (hit.offset + hit.len) as u64);
                }
                if !secret.locations.contains(&location) && secret.locations.len() < 50 {
                    secret.locations.push(location);
                }
            }
        }
        let (public, relevant): (Vec<Named<'_>>, Vec<Named<'_>>) =
            secrets.iter().filter(|(_, s)| history || s.at_head).partition(|(_, s)| s.public.is_some());
        let stats = self.stats(repo, history);
        let mut findings = secret_findings(&relevant, history, |index| self.rule(index));
        findings.extend(public.iter().map(|(fingerprint, secret)| {
            let first = &secret.locations[0];
            let line = first.line.map_or(String::new(), |l| format!(":{l}"));
            let why = secret.public.as_deref().unwrap_or("public by design");
            let mut finding = Finding::new(
                Severity::Info,
                format!(
                    "{} in {}{line} is {why}: not a leak; check that it can only read public data: {}",
                    self.rule(secret.rule).1,
                    first.path,
                    secret.excerpt
                ),
            )
            .fingerprint((*fingerprint).clone());
            finding.locations = secret.locations.clone();
            finding
        }));
        if let Some(note) = skipped_note(&stats) {
            findings.push(note);
        }
        let archives = self.archives(repo, allow, history);
        let to_review = archives.iter().filter(|f| f.severity > Severity::Info).count();
        findings.extend(archives);
        let scope = if history { "in the history" } else { "in the files" };
        let figures = format!("{} blobs ({}) scanned {scope}", stats.scanned, megabytes(stats.bytes));
        let allowed_note = if allowed > 0 { format!("; {allowed} allowed by the policy") } else { String::new() };
        // Keys and passwords that appear only in tests and examples are
        // usually fixtures: worth a look, not a block.
        let outside_tests =
            relevant.iter().filter(|(_, s)| s.locations.iter().any(|l| !is_throwaway_path(&l.path))).count();
        let result = if relevant.is_empty() {
            let public_note =
                if public.is_empty() { String::new() } else { format!("; {} public by design", public.len()) };
            let message = format!("no credentials; {figures}{allowed_note}{public_note}");
            if to_review > 0 {
                CheckResult::warn(format!("{message}; {} not scanned", plural(to_review, "archive")))
                    .remediation("Unpack each committed archive and review what it holds (or remove it), then allow it in the policy (path, with the reason).")
            } else {
                CheckResult::pass(message)
            }
        } else {
            let at_head = relevant.iter().filter(|(_, s)| s.at_head).count();
            let head_note = if history { format!(" ({at_head} still in the files)") } else { String::new() };
            let message = format!("{} credentials {scope}{head_note}; {figures}{allowed_note}", relevant.len());
            if outside_tests == 0 {
                CheckResult::warn(format!("{message}; all in tests or examples")).remediation(keyfiles::THROWAWAY_KEYS)
            } else {
                CheckResult::fail(message)
            }
        };
        result
            .findings(findings)
            .metric("credentials", relevant.len() as f64)
            .metric("blobs-scanned", stats.scanned as f64)
            .metric("blobs-skipped", (stats.binary + stats.oversize + stats.unreadable) as f64)
    }

    fn internal_references(&self, repo: &Repo, allow: &Allowlist) -> CheckResult {
        let head_ids: HashSet<&str> =
            repo.all_files().map(|f| f.iter().map(|e| e.id.as_str()).collect()).unwrap_or_default();
        let introduced: HashMap<&str, &HistoryBlob> =
            self.history.iter().flatten().map(|b| (b.id.as_str(), b)).collect();
        let mut references: BTreeMap<(internal::Kind, String), (bool, Vec<Location>)> = BTreeMap::new();
        for (id, path, commit) in self.places(repo, true) {
            if repo.is_ignored(&path) || allow.path(&path) {
                continue;
            }
            let Some(scan) = self.scans.get(&id) else { continue };
            for reference in &scan.internal {
                let entry = references.entry((reference.kind, reference.value.clone())).or_default();
                entry.0 |= head_ids.contains(id.as_str());
                let mut location = Location::path(path.clone()).line(reference.line);
                location.commit = commit.clone().or_else(|| introduced.get(id.as_str()).map(|b| b.commit.clone()));
                if !entry.1.contains(&location) && entry.1.len() < 20 {
                    entry.1.push(location);
                }
            }
        }
        references.retain(|(_, value), _| !allow.fingerprint(&scan::fingerprint("internal", value)));
        if references.is_empty() {
            return CheckResult::pass("no internal references");
        }
        let at_head = references.values().filter(|(head, _)| *head).count();
        let findings = references.iter().map(|((kind, value), (head, locations))| {
            let place = if *head { "" } else { " (only in history)" };
            let mut finding = Finding::new(Severity::Medium, format!("{} `{value}`{place}", kind.describe()))
                .fingerprint(scan::fingerprint("internal", value));
            finding.locations = locations.clone();
            finding
        });
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for (kind, _) in references.keys() {
            *counts.entry(kind.describe()).or_default() += 1;
        }
        let summary: Vec<String> = counts.iter().map(|(kind, n)| plural(*n, kind)).collect();
        let message = format!("{} ({at_head} in the files)", summary.join(", "));
        // Names of the company's own hosts, people and tickets block;
        // private addresses (often generic examples of a home router) and
        // references left only in history ask for a review.
        let blocking = references.iter().any(|((kind, _), (head, _))| *head && *kind != internal::Kind::PrivateIp);
        let result = if blocking {
            CheckResult::fail(message)
        } else if at_head > 0 {
            CheckResult::warn(message).remediation(
                "Replace private addresses in code and configuration with configuration or RFC 5737 example addresses.",
            )
        } else {
            CheckResult::warn(message)
                .remediation("The files are clean; publish a history without them (`fledge publish`, with a replace rule for the host names and an authors rule for the addresses).")
        };
        result.findings(findings).metric("internal-references", references.len() as f64)
    }
}

/// A secret and its fingerprint.
type Named<'a> = (&'a String, &'a Secret);

struct Secret {
    rule: usize,
    public: Option<String>,
    /// The ref that reaches the secret's first commit, when only a ref
    /// other than the checked revision does.
    other_ref: Option<String>,
    excerpt: String,
    first_commit: Option<String>,
    at_head: bool,
    locations: Vec<Location>,
}

/// Secrets in test and example files of one directory, by one rule, are
/// one finding once there are more than this many (a folder of test
/// vectors is one finding with a count, not a thousand).
const GROUP_ABOVE: usize = 3;

/// One finding per secret, except that throwaway secrets (only in tests
/// and examples) of one rule in one directory are grouped.
fn secret_findings<'a>(
    secrets: &[Named<'_>],
    history: bool,
    rule: impl Fn(usize) -> (&'a str, &'a str, Severity),
) -> Vec<Finding> {
    let throwaway = |secret: &Secret| secret.locations.iter().all(|l| is_throwaway_path(&l.path));
    let directory = |secret: &Secret| -> String {
        secret.locations[0].path.rsplit_once('/').map_or(String::new(), |(dir, _)| dir.to_owned())
    };
    let mut groups: BTreeMap<(usize, String), Vec<&Secret>> = BTreeMap::new();
    for (_, secret) in secrets.iter().filter(|(_, s)| throwaway(s)) {
        groups.entry((secret.rule, directory(secret))).or_default().push(secret);
    }
    groups.retain(|_, members| members.len() > GROUP_ABOVE);
    let mut findings: Vec<Finding> = secrets
        .iter()
        .filter(|(_, s)| !(throwaway(s) && groups.contains_key(&(s.rule, directory(s)))))
        .map(|(fingerprint, secret)| {
            let (_, description, severity) = rule(secret.rule);
            let first = &secret.locations[0];
            let line = first.line.map_or(String::new(), |l| format!(":{l}"));
            let on = secret.other_ref.as_ref().map_or(String::new(), |r| format!(" on {r}"));
            let introduced = secret
                .first_commit
                .as_ref()
                .map_or(String::new(), |c| format!(", introduced in commit {}{on}", short(c)));
            let status = if history && !secret.at_head { " (removed from the files, still in history)" } else { "" };
            let mut finding = Finding::new(
                severity,
                format!("{description} in {}{line}{introduced}{status}: {}", first.path, secret.excerpt),
            )
            .fingerprint((*fingerprint).clone());
            finding.locations = secret.locations.clone();
            finding
        })
        .collect();
    for ((index, dir), members) in groups {
        let (id, description, _) = rule(index);
        let first = &members[0].locations[0];
        let line = first.line.map_or(String::new(), |l| format!(":{l}"));
        let shown = if dir.is_empty() { "the root".to_owned() } else { format!("{dir}/") };
        let mut finding = Finding::new(
            Severity::Low,
            format!(
                "{} values of rule {id} ({description}) in test or example files under {shown}, e.g. {}{line}: {}",
                members.len(),
                first.path,
                members[0].excerpt
            ),
        )
        .fingerprint(scan::fingerprint("group", &format!("{id}\n{dir}")));
        finding.locations = members.iter().flat_map(|s| s.locations.iter().cloned()).take(50).collect();
        findings.push(finding);
    }
    findings
}

/// True for a file named like an archive or package, whose contents a
/// text scan cannot see.
fn is_archive(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    const EXTENSIONS: &[&str] = &[
        ".zip", ".jar", ".war", ".ear", ".aar", ".apk", ".ipa", ".tar", ".tgz", ".tar.gz", ".tar.bz2", ".tbz2",
        ".tar.xz", ".txz", ".tar.zst", ".gz", ".bz2", ".xz", ".zst", ".7z", ".rar", ".whl", ".egg", ".nupkg", ".gem",
        ".crate", ".deb", ".rpm", ".cab", ".msi",
    ];
    EXTENSIONS.iter().any(|e| lower.ends_with(e))
}

/// Build-tool wrappers that projects commit on purpose.
fn is_build_wrapper(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(name, "gradle-wrapper.jar" | "maven-wrapper.jar")
}

/// `1 intranet URL`, `2 private IP addresses`.
fn plural(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        _ if noun.ends_with('s') => format!("{n} {noun}es"),
        _ => format!("{n} {noun}s"),
    }
}

fn short(commit: &str) -> &str {
    &commit[..commit.len().min(10)]
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// An info finding counting what was not scanned, if anything.
fn skipped_note(stats: &Stats) -> Option<Finding> {
    let mut parts = Vec::new();
    if stats.binary > 0 {
        parts.push(format!("{} binary", stats.binary));
    }
    if stats.oversize > 0 {
        parts.push(format!("{} over the size limit", stats.oversize));
    }
    if stats.unreadable > 0 {
        parts.push(format!("{} unreadable", stats.unreadable));
    }
    (!parts.is_empty()).then(|| Finding::info(format!("not scanned: {} blobs", parts.join(", "))))
}

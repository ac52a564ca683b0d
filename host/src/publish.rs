//! `fledge publish`: writes the public repository, scrubbed, and proves it
//! clean.
//!
//! 1. Check the source (the checked revision's history) with the policy's
//!    plugins. Every finding that names the exact bytes it is about (a
//!    [`Span`](crate::model::Span)) and would warn or fail is something to
//!    remove: a value inside a file is replaced by [`REMOVED`] wherever it
//!    appears, a finding about a whole file (a key file) drops that file.
//! 2. Rewrite the history into a new repository ([`git::Acquired::rewrite`])
//!    with the policy's `[publish]` rules: paths removed, text replaced,
//!    identities mapped, and the values of step 1 replaced. The new
//!    repository is written beside its destination and moved into place
//!    only when complete, so an interrupted publish leaves no half-written
//!    destination.
//! 3. Check the result with the same plugins over its whole history: the
//!    proof. A secrets check that still fails there is named in the report.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use aho_corasick::{AhoCorasick, MatchKind};
use anyhow::{Context, Result};

use crate::check::{self, CheckOptions};
use crate::error::UserError;
use crate::git::{self, HistoryScope, Mailmap, RewriteError, RewriteMode, Scrubber, Snapshot, Target};
use crate::model::publish::{
    FailingCheck, IdentityChange, LeftOut, PUBLISH_SCHEMA_VERSION, PublishReport, PublishedTag, RuleCount,
    ScrubbedFinding, Verdict,
};
use crate::model::report::{Report, Tool};
use crate::model::{Severity, Status};
use crate::plugins::PluginSet;
use crate::policy::{Identity, Policy, PublishRules};
use crate::runtime::Runtime;

/// What a removed value is replaced with.
pub const REMOVED: &str = "***REMOVED***";

/// Values shorter than this are not replaced everywhere (they would match
/// unrelated text); the finding says so, and the proof check shows
/// whether they remain.
const MIN_VALUE: usize = 8;

/// How much history to publish.
#[derive(Clone, Debug)]
pub enum Mode {
    /// Every commit reachable from the revision, and the tags into it.
    Full,
    /// One commit of the revision's scrubbed tree, with this message.
    Squash { message: String },
}

/// What to publish, where, and how the checks run.
#[derive(Clone, Debug)]
pub struct PublishOptions {
    /// The source (its target and revision) and how the checks run.
    pub check: CheckOptions,
    pub destination: PathBuf,
    pub mode: Mode,
    /// Publish even when objects of the history cannot be read (they are
    /// left out and listed).
    pub allow_incomplete: bool,
}

/// Publishes `options.check.target` to `options.destination`.
pub fn publish(
    runtime: &Runtime,
    plugins: &PluginSet,
    policy: &Policy,
    options: &PublishOptions,
) -> Result<PublishReport> {
    let dest = &options.destination;
    let (parent, name) = destination_parts(dest)?;
    let squash_identity = match &options.mode {
        Mode::Squash { .. } => Some(policy.publish.identity.clone().ok_or_else(|| {
            UserError::new(
                "--history squash writes one commit by the organisation's public identity: set `identity = \"Name <email>\"` in the policy's [publish] table",
            )
        })?),
        Mode::Full => None,
    };
    let mailmap = match &policy.publish.mailmap {
        Some(file) => Mailmap::parse(
            policy
                .publish
                .mailmap_text
                .as_deref()
                .ok_or_else(|| UserError::new(format!("publish.mailmap `{file}` was not read")))?,
        ),
        None => Mailmap::default(),
    };

    // 1. The check of the source, on the history that is published.
    let started = std::time::Instant::now();
    let mut open = options.check.open.clone();
    open.ignore.extend(policy.ignore.iter().cloned());
    open.history = HistoryScope::Checked;
    let acquired = git::acquire(&options.check.target, &open)?;
    let revision = options.check.revision.as_deref();
    let snapshot = Arc::new(acquired.snapshot(revision, &open)?);
    let evaluation = check::evaluate(runtime, plugins, policy, &snapshot, &options.check);
    let before = check::decide(policy, evaluation, options.check.attestations.as_ref(), options.check.today);
    let targets = Targets::of(&before, &snapshot);
    log::info!("publish: source checked in {:.1} s", started.elapsed().as_secs_f64());
    let started = std::time::Instant::now();

    // 2. The rewrite, into a hidden directory beside the destination.
    let mode = match (&options.mode, squash_identity) {
        (Mode::Squash { message }, Some(Identity { name, email })) => {
            RewriteMode::Squash { message: message.clone(), name, email, time: jiff::Timestamp::now().as_second() }
        }
        _ => RewriteMode::Full,
    };
    let prefix = format!(".{name}.fledge-publish-");
    remove_stale_partials(&parent, &prefix);
    let partial = tempfile::Builder::new()
        .prefix(&prefix)
        .tempdir_in(&parent)
        .with_context(|| format!("cannot create a directory in {}", parent.display()))?;
    let mut scrubber = PolicyScrubber::new(&policy.publish, mailmap, &targets);
    let rewritten = acquired
        .rewrite(revision, partial.path(), &mode, options.allow_incomplete, &mut scrubber)
        .map_err(|err| match err {
            RewriteError::Incomplete(_) => anyhow::Error::new(UserError::new(format!(
                "refusing to publish {}: {err}. Repair the repository (fetch the missing objects, unshallow it) or publish what can be read with --allow-incomplete",
                snapshot.source
            ))),
            RewriteError::Revision(why) => UserError::new(why).into(),
            RewriteError::Write(why) => anyhow::anyhow!(why),
        })?;
    let map_file = partial.path().join("fledge").join("commit-map");
    let mut map_text = String::from("old new\n");
    for (old, new) in &rewritten.commit_map {
        map_text.push_str(&format!("{old} {new}\n"));
    }
    std::fs::create_dir_all(map_file.parent().unwrap_or(partial.path()))
        .and_then(|()| std::fs::write(&map_file, map_text))
        .with_context(|| format!("cannot write {}", map_file.display()))?;
    log::info!("publish: history written in {:.1} s", started.elapsed().as_secs_f64());
    let started = std::time::Instant::now();
    let written = partial.keep();
    if dest.is_dir() {
        // Checked empty above; rename() needs it gone on some systems.
        std::fs::remove_dir(dest).with_context(|| format!("cannot replace the empty directory {}", dest.display()))?;
    }
    std::fs::rename(&written, dest).with_context(|| format!("cannot move the new repository to {}", dest.display()))?;

    // 3. The proof: the same checks on the result, its whole history.
    let mut proof_options = options.check.clone();
    proof_options.target = Target::Local(dest.clone());
    proof_options.revision = None;
    proof_options.open.history = HistoryScope::AllRefs;
    let after = check::check_repository(runtime, plugins, policy, &proof_options)?;
    log::info!("publish: result checked in {:.1} s", started.elapsed().as_secs_f64());

    let head = rewritten.commit_map.last().map(|(_, new)| new.clone()).unwrap_or_default();
    let mut decisions = Vec::new();
    if rewritten.signatures_dropped > 0 {
        decisions.push(format!(
            "{} signatures dropped (commits and tags are rewritten, so they would not verify); sign the published tags again",
            rewritten.signatures_dropped
        ));
    }
    if !rewritten.submodules.is_empty() {
        let paths: BTreeSet<&str> = rewritten.submodules.iter().map(String::as_str).collect();
        decisions.push(format!(
            "submodules kept as links (their repositories are not published by this run): {}",
            paths.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    if !rewritten.lfs_pointers.is_empty() {
        decisions.push(format!(
            "{} Git LFS pointer files kept as they are (the LFS objects are not published by this run)",
            rewritten.lfs_pointers.len()
        ));
    }
    decisions.push(format!(
        "{} distinct files written, {} changed, {} binary passed through unchanged",
        rewritten.blobs, rewritten.changed_blobs, rewritten.binary_blobs
    ));
    if rewritten.changed_messages > 0 {
        decisions.push(format!("{} commit messages changed", rewritten.changed_messages));
    }
    Ok(PublishReport {
        schema_version: PUBLISH_SCHEMA_VERSION,
        tool: Tool::current(),
        source: snapshot.source.clone(),
        source_commit: snapshot.commit.clone(),
        destination: dest.display().to_string(),
        history: match options.mode {
            Mode::Full => "full",
            Mode::Squash { .. } => "squash",
        }
        .to_owned(),
        branch: rewritten.branch.clone(),
        head,
        commits: rewritten.commit_map.len(),
        tags: rewritten
            .tags
            .iter()
            .map(|(name, _, new)| PublishedTag { name: name.clone(), target: new.clone() })
            .collect(),
        tags_left_out: rewritten
            .tags_left_out
            .iter()
            .map(|(name, reason)| LeftOut { name: name.clone(), reason: reason.clone() })
            .collect(),
        removed: scrubber.removed_counts(),
        replaced: scrubber.replaced.clone(),
        credentials: scrubber.findings(),
        identities: scrubber.identity_changes(),
        decisions,
        unread: rewritten.unread,
        commit_map: Some(dest.join("fledge").join("commit-map").display().to_string()),
        before: verdict(&before, policy),
        after: verdict(&after, policy),
    })
}

/// The destination's parent directory and name; refused when it exists
/// and is not an empty directory.
fn destination_parts(dest: &Path) -> Result<(PathBuf, String)> {
    if let Ok(meta) = std::fs::symlink_metadata(dest) {
        let empty = meta.is_dir() && std::fs::read_dir(dest).map(|mut d| d.next().is_none()).unwrap_or(false);
        if !empty {
            return Err(UserError::new(format!(
                "{} exists and is not an empty directory: publish writes a new repository (remove it or choose another path)",
                dest.display()
            ))
            .into());
        }
    }
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| UserError::new(format!("{} does not name a directory to create", dest.display())))?;
    let parent = match dest.parent() {
        Some(p) if p.as_os_str().is_empty() => PathBuf::from("."),
        Some(p) => p.to_path_buf(),
        None => PathBuf::from("."),
    };
    if !parent.is_dir() {
        return Err(UserError::new(format!("{} does not exist: create it first", parent.display())).into());
    }
    Ok((parent, name))
}

/// Removes what an interrupted publish to the same destination left.
fn remove_stale_partials(parent: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(prefix)
            && entry.path().is_dir()
            && let Err(err) = std::fs::remove_dir_all(entry.path())
        {
            log::warn!("cannot remove {}: {err}", entry.path().display());
        }
    }
}

/// The stage of a check, and its secrets checks that fail a gate: that
/// fail or err, that a stage of the policy requires and do not pass (an
/// internal host name left is a warning, and a gate), or that did not read
/// content the policy does not accept unread (a gate must not pass on what
/// was not read).
fn verdict(report: &Report, policy: &Policy) -> Verdict {
    let gated = |id: &str| policy.stages.iter().any(|s| s.require.iter().any(|r| r.value == id));
    let failing = report
        .checks
        .iter()
        .filter(|c| c.plugin == "secrets")
        .filter_map(|c| {
            let unread = c.unread.as_ref().filter(|u| !u.accepted);
            match (c.status, unread) {
                (Status::Fail | Status::Error, _) => Some(c.message.clone()),
                (_, Some(unread)) => Some(format!("{}; {} pieces of content not read", c.message, unread.count)),
                (Status::Warn, None) if gated(&c.id) => Some(c.message.clone()),
                _ => None,
            }
            .map(|message| FailingCheck { id: c.id.clone(), message })
        })
        .collect();
    Verdict { stage: report.verdict.stage.clone(), score: report.score, failing }
}

/// What the checks of the source found to remove.
#[derive(Debug, Default)]
struct Targets {
    /// Values to replace, each with the index of its finding.
    values: Vec<(Vec<u8>, usize)>,
    /// Blobs to drop wherever they appear, with their finding.
    files: BTreeMap<String, usize>,
    findings: Vec<ScrubbedFinding>,
}

impl Targets {
    /// Every finding that names its bytes: those that would warn or fail
    /// are removed, the others (public-by-design keys, grouped test
    /// fixtures) kept and listed.
    fn of(report: &Report, snapshot: &Arc<Snapshot>) -> Targets {
        let mut targets = Targets::default();
        let reader = snapshot.reader().ok();
        let mut seen = HashSet::new();
        for check in &report.checks {
            for finding in &check.findings {
                let Some(location) = finding.locations.iter().find(|l| l.span.is_some()) else { continue };
                let Some(span) = &location.span else { continue };
                let index = targets.findings.len();
                let mut scrubbed = ScrubbedFinding {
                    check: check.id.clone(),
                    message: finding.message.clone(),
                    path: location.path.clone(),
                    line: location.line,
                    commit: location.commit.clone(),
                    fingerprint: finding.fingerprint.clone(),
                    action: String::new(),
                    replacements: 0,
                };
                let len = span.end.saturating_sub(span.start).min(1 << 20);
                let read = reader.as_ref().map(|r| r.read_blob(&span.blob, span.start, len));
                scrubbed.action = match read {
                    _ if finding.severity < Severity::Medium => {
                        "kept: informational (public by design, or test fixtures the policy accepts)".to_owned()
                    }
                    Some(Ok(blob)) if span.start == 0 && span.end >= blob.size => {
                        targets.files.insert(span.blob.clone(), index);
                        "removed: the file, wherever it appears".to_owned()
                    }
                    Some(Ok(blob)) if blob.data.len() < MIN_VALUE => format!(
                        "kept: {} bytes is too short to replace everywhere safely; remove it with a [publish] rule",
                        blob.data.len()
                    ),
                    Some(Ok(blob)) if !seen.insert(blob.data.clone()) => "replaced (same value as above)".to_owned(),
                    Some(Ok(blob)) => {
                        targets.values.push((blob.data, index));
                        "replaced".to_owned()
                    }
                    Some(Err(err)) => format!("kept: the value could not be read ({err})"),
                    None => "kept: the repository could not be read".to_owned(),
                };
                targets.findings.push(scrubbed);
            }
        }
        targets
    }
}

/// The policy's rules and the checks' findings, applied.
struct PolicyScrubber<'a> {
    rules: &'a PublishRules,
    mailmap: Mailmap,
    targets: &'a Targets,
    secrets: Option<AhoCorasick>,
    replacement_counts: Vec<usize>,
    /// Distinct paths removed per `remove` rule, and as key files.
    removed: Vec<BTreeSet<String>>,
    key_files: BTreeSet<String>,
    key_file_hits: BTreeMap<usize, usize>,
    replaced: Vec<RuleCount>,
    identities: BTreeMap<(String, String), usize>,
}

impl<'a> PolicyScrubber<'a> {
    fn new(rules: &'a PublishRules, mailmap: Mailmap, targets: &'a Targets) -> Self {
        let secrets = (!targets.values.is_empty())
            .then(|| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(targets.values.iter().map(|(v, _)| v))
                    .ok()
            })
            .flatten();
        PolicyScrubber {
            rules,
            mailmap,
            targets,
            secrets,
            replacement_counts: vec![0; targets.findings.len()],
            removed: vec![BTreeSet::new(); rules.remove.len()],
            key_files: BTreeSet::new(),
            key_file_hits: BTreeMap::new(),
            replaced: rules
                .replace
                .iter()
                .map(|r| RuleCount { rule: r.pattern.clone(), ..RuleCount::default() })
                .collect(),
            identities: BTreeMap::new(),
        }
    }

    /// `data` with every found value and every `replace` match replaced;
    /// `message` says whether it is a message (for the counts).
    fn scrub<'d>(&mut self, data: Cow<'d, [u8]>, message: bool) -> Cow<'d, [u8]> {
        let mut data = data;
        if let Some(secrets) = &self.secrets
            && secrets.is_match(data.as_ref())
        {
            let mut out = Vec::with_capacity(data.len());
            let mut last = 0;
            for found in secrets.find_iter(data.as_ref()) {
                let finding = self.targets.values[found.pattern().as_usize()].1;
                self.replacement_counts[finding] += 1;
                out.extend_from_slice(&data[last..found.start()]);
                out.extend_from_slice(REMOVED.as_bytes());
                last = found.end();
            }
            out.extend_from_slice(&data[last..]);
            data = Cow::Owned(out);
        }
        for (rule, count) in self.rules.replace.iter().zip(self.replaced.iter_mut()) {
            let matches = rule.regex.find_iter(data.as_ref()).count();
            if matches == 0 {
                continue;
            }
            count.matches += matches;
            if message {
                count.messages += 1;
            } else {
                count.files += 1;
            }
            data = Cow::Owned(rule.regex.replace_all(data.as_ref(), rule.with.as_bytes()).into_owned());
        }
        data
    }

    /// Trailers that name people (`Reviewed-by: Name <email>`) follow the
    /// identity rules.
    fn trailers<'d>(&mut self, message: &'d [u8]) -> Cow<'d, [u8]> {
        let Ok(text) = std::str::from_utf8(message) else { return Cow::Borrowed(message) };
        let mut changed = false;
        let mut out = String::with_capacity(text.len());
        for line in text.split_inclusive('\n') {
            let person = line.split_once(": ").and_then(|(key, rest)| {
                let is_key =
                    !key.is_empty() && key.len() < 40 && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
                let open = rest.find('<')?;
                let close = open + rest[open..].find('>')?;
                is_key.then(|| (key, rest[..open].trim(), &rest[open + 1..close], &rest[close + 1..]))
            });
            match person.and_then(|(key, name, email, tail)| Some((key, self.person(name, email)?, tail))) {
                Some((key, (name, email), tail)) => {
                    changed = true;
                    out.push_str(&format!("{key}: {name} <{email}>{tail}"));
                }
                None => out.push_str(line),
            }
        }
        if changed { Cow::Owned(out.into_bytes()) } else { Cow::Borrowed(message) }
    }

    fn removed_counts(&self) -> Vec<RuleCount> {
        let mut counts: Vec<RuleCount> = self
            .rules
            .remove
            .iter()
            .zip(&self.removed)
            .map(|(rule, paths)| RuleCount { rule: rule.clone(), files: paths.len(), ..RuleCount::default() })
            .collect();
        if !self.key_files.is_empty() {
            counts.push(RuleCount {
                rule: "key files the checks found".to_owned(),
                files: self.key_files.len(),
                ..RuleCount::default()
            });
        }
        counts
    }

    fn findings(&self) -> Vec<ScrubbedFinding> {
        let mut findings = self.targets.findings.clone();
        for (index, finding) in findings.iter_mut().enumerate() {
            finding.replacements =
                self.replacement_counts[index] + self.key_file_hits.get(&index).copied().unwrap_or_default();
        }
        findings
    }

    fn identity_changes(&self) -> Vec<IdentityChange> {
        self.identities
            .iter()
            .map(|((from, to), lines)| IdentityChange { from: from.clone(), to: to.clone(), lines: *lines })
            .collect()
    }
}

impl Scrubber for PolicyScrubber<'_> {
    fn removes(&mut self, path: &str, blob: &str) -> bool {
        if let Some(&finding) = self.targets.files.get(blob) {
            self.key_files.insert(path.to_owned());
            *self.key_file_hits.entry(finding).or_default() += 1;
            return true;
        }
        match self.rules.removed_by(path) {
            Some(rule) => {
                if let Some(paths) = self.removed.get_mut(rule) {
                    paths.insert(path.to_owned());
                }
                true
            }
            None => false,
        }
    }

    fn text(&mut self, _path: &str, data: &[u8]) -> Option<Vec<u8>> {
        match self.scrub(Cow::Borrowed(data), false) {
            Cow::Borrowed(_) => None,
            Cow::Owned(changed) => Some(changed),
        }
    }

    fn message(&mut self, data: &[u8]) -> Option<Vec<u8>> {
        let trailers = self.trailers(data);
        match self.scrub(trailers, true) {
            Cow::Owned(text) => Some(text),
            Cow::Borrowed(_) => None,
        }
    }

    fn person(&mut self, name: &str, email: &str) -> Option<(String, String)> {
        let (mapped_name, mapped_email) = self.mailmap.resolve(name.to_owned(), email.to_owned());
        let (new_name, new_email) = match self.rules.author(&mapped_email) {
            Some(identity) => (identity.name.clone(), identity.email.clone()),
            None => (mapped_name, mapped_email),
        };
        if new_name == name && new_email == email {
            return None;
        }
        *self.identities.entry((format!("{name} <{email}>"), format!("{new_name} <{new_email}>"))).or_default() += 1;
        Some((new_name, new_email))
    }
}

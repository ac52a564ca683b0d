//! The commit log of a snapshot, walked incrementally newest first (by
//! committer time, like `git log`), so that a plugin that only wants the
//! last year of a 100,000-commit history reads only that. Commits are parsed
//! from their raw objects (headers, signatures, trailers) and identities are
//! mapped through `.mailmap` as they are read. The walk is shared by every
//! plugin run on the snapshot and extended on demand.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use git2::Oid;

use crate::git::objects::Objects;
use crate::git::snapshot::{CommitInfo, Person, ReadError};

/// A commit the walk has produced, with its tree for the history index.
pub(crate) struct Walked {
    pub oid: Oid,
    pub info: Arc<CommitInfo>,
    pub tree: Oid,
}

struct Parsed {
    info: CommitInfo,
    tree: Oid,
    parents: Vec<Oid>,
}

/// The state of the walk: owned data only, so that it can live in the
/// shared snapshot while each reader extends it with its own repository.
#[derive(Default)]
pub(crate) struct CommitWalk {
    started: bool,
    /// Discovered, not yet produced: by committer time, then discovery order.
    queue: BinaryHeap<(i64, Reverse<u64>, Oid)>,
    pending: HashMap<Oid, Parsed>,
    seen: HashSet<Oid>,
    sequence: u64,
    pub produced: Vec<Walked>,
    /// Index in `produced` by commit id.
    pub index: HashMap<Oid, usize>,
    pub done: bool,
    failed: Option<ReadError>,
    /// Parents that could not be read, where the history ends early (a
    /// shallow clone's boundary, or a missing or damaged commit), with why.
    pub cut: Vec<(String, String)>,
    /// How many parents were cut (`cut` keeps the first few).
    pub cut_count: usize,
}

impl CommitWalk {
    /// A walk that never produces the commits in `known` (nor goes past
    /// them): for what other refs reach beyond an already walked history.
    pub fn excluding(known: HashSet<Oid>) -> CommitWalk {
        CommitWalk { started: true, seen: known, ..CommitWalk::default() }
    }

    /// Produces every commit reachable from `tip` that this walk has not
    /// seen, newest first (a tip that cannot be read is a cut, not an
    /// error).
    pub fn extend_from(
        &mut self,
        objects: &Objects<'_>,
        tip: Oid,
        mailmap: &Mailmap,
        deadline: Option<Instant>,
    ) -> Result<(), ReadError> {
        self.done = false;
        self.discover(objects, tip, mailmap, false)?;
        let mut steps = 0u32;
        while !self.queue.is_empty() {
            steps = steps.wrapping_add(1);
            if steps.is_multiple_of(256) && deadline.is_some_and(|d| Instant::now() >= d) {
                return Err(ReadError::Expired);
            }
            self.step(objects, mailmap)?;
        }
        self.done = true;
        Ok(())
    }

    /// Produces commits until there are `count` (or the history ends, or
    /// `deadline` passes: [`ReadError::Expired`], and the walk can go on
    /// later).
    pub fn extend_to(
        &mut self,
        objects: &Objects<'_>,
        head: Oid,
        mailmap: &Mailmap,
        count: usize,
        deadline: Option<Instant>,
    ) -> Result<(), ReadError> {
        self.extend_until(objects, head, mailmap, deadline, |walk| walk.produced.len() >= count)
    }

    /// Produces commits until `wanted` returns true, or the end.
    pub fn extend_until(
        &mut self,
        objects: &Objects<'_>,
        head: Oid,
        mailmap: &Mailmap,
        deadline: Option<Instant>,
        mut wanted: impl FnMut(&CommitWalk) -> bool,
    ) -> Result<(), ReadError> {
        if let Some(err) = &self.failed {
            return Err(err.clone());
        }
        let result = (|| {
            if !self.started {
                self.started = true;
                self.discover(objects, head, mailmap, true)?;
            }
            let mut steps = 0u32;
            while !self.done && !wanted(self) {
                steps = steps.wrapping_add(1);
                if steps.is_multiple_of(256) && deadline.is_some_and(|d| Instant::now() >= d) {
                    return Err(ReadError::Expired);
                }
                self.step(objects, mailmap)?;
            }
            Ok(())
        })();
        // A failed walk stays failed: later readers get the same error
        // rather than a silently shortened history. A deadline is the
        // reader's, not the walk's.
        if let Err(err) = &result
            && *err != ReadError::Expired
        {
            self.failed = Some(err.clone());
        }
        result
    }

    /// Reads and queues commit `id`. A parent that cannot be read ends the
    /// history there (a shallow clone, as `git log` treats it) and is
    /// recorded in `cut`; the checked commit itself must be readable.
    fn discover(&mut self, objects: &Objects<'_>, id: Oid, mailmap: &Mailmap, required: bool) -> Result<(), ReadError> {
        if !self.seen.insert(id) {
            return Ok(());
        }
        let parsed = objects.commit(id).and_then(|data| parse_commit(id, &data, mailmap));
        let parsed = match parsed {
            Ok(parsed) => parsed,
            Err(err) if !required => {
                self.cut_count += 1;
                if self.cut.len() < 20 {
                    self.cut.push((id.to_string(), err.to_string()));
                }
                return Ok(());
            }
            Err(err) => return Err(err),
        };
        self.sequence += 1;
        self.queue.push((parsed.info.committer.time, Reverse(self.sequence), id));
        self.pending.insert(id, parsed);
        Ok(())
    }

    fn step(&mut self, objects: &Objects<'_>, mailmap: &Mailmap) -> Result<(), ReadError> {
        let Some((_, _, id)) = self.queue.pop() else {
            self.done = true;
            return Ok(());
        };
        let Some(parsed) = self.pending.remove(&id) else { return Ok(()) };
        for parent in &parsed.parents {
            self.discover(objects, *parent, mailmap, false)?;
        }
        self.index.insert(id, self.produced.len());
        self.produced.push(Walked { oid: id, info: Arc::new(parsed.info), tree: parsed.tree });
        if self.queue.is_empty() {
            self.done = true;
        }
        Ok(())
    }
}

/// Parses a raw commit object.
fn parse_commit(id: Oid, data: &[u8], mailmap: &Mailmap) -> Result<Parsed, ReadError> {
    let invalid = |what: &str| ReadError::Corrupt(format!("commit {id} is malformed: {what}"));
    let split = data.windows(2).position(|w| w == b"\n\n").unwrap_or(data.len());
    let (headers, message) = (&data[..split], data.get(split + 2..).unwrap_or_default());
    let (mut tree, mut parents, mut author, mut committer) = (None, Vec::new(), None, None);
    for line in headers.split(|&b| b == b'\n') {
        // Continuation lines (a signature's body) start with a space.
        let Some(space) = line.iter().position(|&b| b == b' ').filter(|_| !line.starts_with(b" ")) else { continue };
        let (key, value) = (&line[..space], &line[space + 1..]);
        match key {
            b"tree" => tree = Some(oid(value).ok_or_else(|| invalid("tree"))?),
            b"parent" => parents.push(oid(value).ok_or_else(|| invalid("parent"))?),
            b"author" => author = Some(signature(value, mailmap)),
            b"committer" => committer = Some(signature(value, mailmap)),
            _ => {}
        }
    }
    let message = String::from_utf8_lossy(message);
    let author = author.ok_or_else(|| invalid("no author"))?;
    let committer = committer.unwrap_or_else(|| author.clone());
    Ok(Parsed {
        tree: tree.ok_or_else(|| invalid("no tree"))?,
        info: CommitInfo {
            id: id.to_string(),
            parents: parents.iter().map(Oid::to_string).collect(),
            author,
            committer,
            summary: message.lines().next().unwrap_or_default().trim_end().to_owned(),
            trailers: trailers(&message),
        },
        parents,
    })
}

fn oid(hex: &[u8]) -> Option<Oid> {
    Oid::from_str(std::str::from_utf8(hex).ok()?.trim()).ok()
}

/// `Name <email> 1700000000 +0100`, mapped through the mailmap.
fn signature(value: &[u8], mailmap: &Mailmap) -> Person {
    let text = String::from_utf8_lossy(value);
    let (identity, when) = text.rsplit_once('>').map_or((text.as_ref(), ""), |(i, w)| (i, w));
    let (name, email) = identity.split_once('<').map_or((identity, ""), |(n, e)| (n, e));
    let mut parts = when.split_whitespace();
    let time = parts.next().and_then(|t| t.parse::<i64>().ok()).unwrap_or(0);
    let offset_minutes = parts
        .next()
        .and_then(|tz| {
            let sign = if tz.starts_with('-') { -1 } else { 1 };
            let digits = tz.trim_start_matches(['+', '-']);
            let hours: i32 = digits.get(..2)?.parse().ok()?;
            let minutes: i32 = digits.get(2..4)?.parse().ok()?;
            Some(sign * (hours * 60 + minutes))
        })
        .unwrap_or(0);
    let (name, email) = mailmap.resolve(name.trim().to_owned(), email.trim().to_owned());
    Person { name, email, time, offset_minutes }
}

/// The `Key: value` trailers of the message's last paragraph.
fn trailers(message: &str) -> Vec<(String, String)> {
    let last = message.trim_end().rsplit("\n\n").next().unwrap_or_default();
    let mut found = Vec::new();
    for line in last.lines() {
        let Some((key, value)) = line.split_once(": ") else {
            // A continuation line of the previous trailer.
            if line.starts_with([' ', '\t']) && !found.is_empty() {
                continue;
            }
            return Vec::new();
        };
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Vec::new();
        }
        found.push((key.to_owned(), value.trim().to_owned()));
    }
    // The summary alone is not a trailer block.
    if last == message.trim_end() && !message.trim_end().contains('\n') {
        return Vec::new();
    }
    found
}

/// A parsed `.mailmap` (see gitmailmap(5)): maps the name and e-mail a
/// commit carries to the canonical ones. Entries are indexed by the
/// lower-cased commit e-mail, so a lookup costs the same for a mailmap of
/// ten lines or of a million.
#[derive(Clone, Debug, Default)]
pub struct Mailmap {
    entries: HashMap<String, Vec<MailmapEntry>>,
}

#[derive(Clone, Debug)]
struct MailmapEntry {
    name: Option<String>,
    email: Option<String>,
    commit_name: Option<String>,
}

impl Mailmap {
    /// Parses the lines `Name <email>`, `<email> <commit-email>`,
    /// `Name <email> <commit-email>` and `Name <email> Commit Name <commit-email>`.
    pub fn parse(text: &str) -> Mailmap {
        let mut entries: HashMap<String, Vec<MailmapEntry>> = HashMap::new();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or_default();
            let mut parts = Vec::new();
            let mut rest = line;
            while let Some(open) = rest.find('<') {
                let Some(close) = rest[open..].find('>') else { break };
                let name = rest[..open].trim();
                parts.push((
                    (!name.is_empty()).then(|| name.to_owned()),
                    rest[open + 1..open + close].trim().to_owned(),
                ));
                rest = &rest[open + close + 1..];
                if parts.len() > 2 {
                    break;
                }
            }
            let (key, entry) = match parts.as_slice() {
                [(name, email)] => {
                    (email.to_ascii_lowercase(), MailmapEntry { name: name.clone(), email: None, commit_name: None })
                }
                [(name, email), (commit_name, commit_email)] => (
                    commit_email.to_ascii_lowercase(),
                    MailmapEntry { name: name.clone(), email: Some(email.clone()), commit_name: commit_name.clone() },
                ),
                _ => continue,
            };
            entries.entry(key).or_default().push(entry);
        }
        Mailmap { entries }
    }

    /// The canonical name and e-mail for a commit's `name` and `email`.
    pub fn resolve(&self, name: String, email: String) -> (String, String) {
        if self.entries.is_empty() {
            return (name, email);
        }
        let found = self.entries.get(&email.to_ascii_lowercase()).and_then(|candidates| {
            candidates
                .iter()
                .filter(|e| e.commit_name.as_ref().is_none_or(|n| n.eq_ignore_ascii_case(&name)))
                .max_by_key(|e| e.commit_name.is_some())
        });
        match found {
            Some(entry) => (entry.name.clone().unwrap_or(name), entry.email.clone().unwrap_or(email)),
            None => (name, email),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailmap_forms() {
        let map = Mailmap::parse(
            "# comment\nAlice Doe <alice@example.com>\n<bob@example.com> <bob@old.example>\n\
             Carol <carol@example.com> <c@home.example>\nDan <dan@example.com> dan-laptop <root@localhost>\n",
        );
        let resolve = |n: &str, e: &str| map.resolve(n.to_owned(), e.to_owned());
        assert_eq!(resolve("alice", "ALICE@example.com"), ("Alice Doe".to_owned(), "ALICE@example.com".to_owned()));
        assert_eq!(resolve("Bob", "bob@old.example"), ("Bob".to_owned(), "bob@example.com".to_owned()));
        assert_eq!(resolve("c", "c@home.example"), ("Carol".to_owned(), "carol@example.com".to_owned()));
        assert_eq!(resolve("dan-laptop", "root@localhost"), ("Dan".to_owned(), "dan@example.com".to_owned()));
        assert_eq!(resolve("eve", "root@localhost"), ("eve".to_owned(), "root@localhost".to_owned()));
    }

    #[test]
    fn raw_commits() {
        let raw = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\
parent 1111111111111111111111111111111111111111\n\
author Alice Doe <alice@example.com> 1700000000 +0130\n\
committer Bob <bob@example.com> 1700000500 -0800\n\
gpgsig -----BEGIN PGP SIGNATURE-----\n \n abc\n -----END PGP SIGNATURE-----\n\n\
Fix the parser\n\nLonger text.\n\nSigned-off-by: Alice Doe <alice@example.com>\nCo-authored-by: Carol <c@example.com>\n";
        let id = Oid::from_str("2222222222222222222222222222222222222222").unwrap();
        let parsed = parse_commit(id, raw, &Mailmap::default()).unwrap();
        assert_eq!(parsed.info.summary, "Fix the parser");
        assert_eq!(parsed.info.author.name, "Alice Doe");
        assert_eq!(parsed.info.author.offset_minutes, 90);
        assert_eq!(parsed.info.committer.time, 1_700_000_500);
        assert_eq!(parsed.info.committer.offset_minutes, -480);
        assert_eq!(parsed.parents.len(), 1);
        assert_eq!(
            parsed.info.trailers,
            [
                ("Signed-off-by".to_owned(), "Alice Doe <alice@example.com>".to_owned()),
                ("Co-authored-by".to_owned(), "Carol <c@example.com>".to_owned())
            ]
        );
        assert_eq!(trailers("Just a summary"), Vec::<(String, String)>::new());
        assert_eq!(trailers("Summary\n\nThis: is prose, not a trailer block\nreally"), Vec::<(String, String)>::new());
    }
}

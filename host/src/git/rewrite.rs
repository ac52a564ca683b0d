//! Writing a scrubbed copy of a history into a new repository
//! (`fledge publish`): every commit reachable from one revision, with its
//! graph, dates and messages, and the tags that point into it; or one
//! squashed commit of that revision's tree.
//!
//! Objects are read with fledge's own bounded reader ([`Objects`]) and
//! written straight into the new repository's object database, as one pack
//! ([`PackWriter`]): no work tree, no checkout. Each blob is transformed once (cached by id) and
//! each tree once per path (cached by id and path, since removals depend
//! on the path), so a long history costs about its number of distinct
//! objects. What is removed and replaced is the [`Scrubber`]'s business;
//! this module only walks and writes. Commits are written from their raw
//! text, so every header the scrubber does not touch (encoding, dates,
//! time zones) is kept byte for byte; signatures are dropped, since they
//! could not verify on rewritten content.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use git2::{ObjectType, Oid, Repository};

use crate::git::objects::{Kind, Objects, RawEntry, header_field};
use crate::git::pack::PackWriter;
use crate::git::snapshot::ReadError;

/// The largest blob read whole for rewriting (larger ones are unread).
const MAX_BLOB: u64 = 1 << 30;
/// Trees nested deeper than this are unread (a hostile repository).
const MAX_DEPTH: usize = 512;

/// What to write.
#[derive(Clone, Debug)]
pub enum RewriteMode {
    /// Every commit reachable from the revision, and the tags into it.
    Full,
    /// One commit of the revision's tree, with this message, by this
    /// person (name, e-mail), dated `time` (seconds since the epoch).
    Squash { message: String, name: String, email: String, time: i64 },
}

/// Decides what changes on the way out. Called once per distinct blob
/// (`text`), once per path of each distinct tree (`removes`), once per
/// commit or tag message and once per person line.
pub trait Scrubber {
    /// True when the file at `path` (blob `blob`) is left out.
    fn removes(&mut self, path: &str, blob: &str) -> bool;
    /// The new content of a text blob first seen at `path`, if it changes.
    fn text(&mut self, path: &str, data: &[u8]) -> Option<Vec<u8>>;
    /// The new text of a commit or tag message, if it changes.
    fn message(&mut self, data: &[u8]) -> Option<Vec<u8>>;
    /// Who a person (`name`, `email`) becomes, if anyone else.
    fn person(&mut self, name: &str, email: &str) -> Option<(String, String)>;
}

/// What was written, and what was decided on the way.
#[derive(Clone, Debug, Default)]
pub struct Rewritten {
    /// The branch written (the revision's branch name, or `main`).
    pub branch: String,
    /// Old and new id of every commit, oldest first.
    pub commit_map: Vec<(String, String)>,
    /// Tags written: name, old target, new target.
    pub tags: Vec<(String, String, String)>,
    /// Tags left out, with why.
    pub tags_left_out: Vec<(String, String)>,
    /// Signatures (commit `gpgsig`, `mergetag`, signed tags) dropped.
    pub signatures_dropped: usize,
    /// Submodule links kept, by path.
    pub submodules: Vec<String>,
    /// Git LFS pointer files kept, by path.
    pub lfs_pointers: Vec<String>,
    /// Distinct blobs written, binary blobs among them (passed through
    /// unchanged), text blobs whose content changed.
    pub blobs: usize,
    pub binary_blobs: usize,
    pub changed_blobs: usize,
    /// Commits whose message changed.
    pub changed_messages: usize,
    /// What could not be read (missing or damaged objects, a shallow
    /// history's cut), each with the object and why.
    pub unread: Vec<String>,
}

/// Why a rewrite stopped.
#[derive(Debug)]
pub enum RewriteError {
    /// The revision cannot be read.
    Revision(String),
    /// Objects could not be read and the caller did not allow it.
    Incomplete(Vec<String>),
    /// Writing the new repository failed.
    Write(String),
}

impl std::fmt::Display for RewriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RewriteError::Revision(why) | RewriteError::Write(why) => f.write_str(why),
            RewriteError::Incomplete(unread) => {
                let shown: Vec<&str> = unread.iter().take(10).map(String::as_str).collect();
                let more = unread.len().saturating_sub(shown.len());
                let what = crate::text::count(unread.len(), "object");
                write!(f, "{what} of the history could not be read: {}", shown.join("; "))?;
                if more > 0 {
                    write!(f, "; and {more} more")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for RewriteError {}

/// Writes the scrubbed history of `head` (named `revision`) of `source`
/// into the empty repository at `dest` (created here, bare).
/// Unreadable objects stop it unless `allow_incomplete`, in which case
/// they are left out and listed.
pub(crate) fn rewrite(
    source: &Repository,
    head: Oid,
    revision: &str,
    dest: &Path,
    mode: &RewriteMode,
    allow_incomplete: bool,
    scrubber: &mut dyn Scrubber,
) -> Result<Rewritten, RewriteError> {
    let write_err = |what: &str, err: git2::Error| RewriteError::Write(format!("{what}: {}", err.message()));
    // Every object is read once: libgit2's object cache would only grow
    // (by hundreds of MB on a long history). Back on when done.
    let _no_cache = NoObjectCache::new();
    let objects = Objects::new(source).map_err(|e| RewriteError::Revision(e.to_string()))?;
    let target = Repository::init_bare(dest).map_err(|e| write_err("cannot create the new repository", e))?;
    let odb = target.odb().map_err(|e| write_err("cannot open the new object database", e))?;
    let pack = PackWriter::new().map_err(|e| RewriteError::Write(format!("cannot write the pack: {e}")))?;
    let mut writer = Writer {
        objects,
        pack,
        scrubber,
        blobs: HashMap::new(),
        trees: HashMap::new(),
        out: Rewritten::default(),
        shallow: shallow_cuts(source),
    };
    let branch = branch_name(source, revision);
    let new_head = match mode {
        RewriteMode::Full => writer.full_history(head)?,
        RewriteMode::Squash { message, name, email, time } => writer.squash(head, message, name, email, *time)?,
    };
    if !writer.out.unread.is_empty() && !allow_incomplete {
        return Err(RewriteError::Incomplete(std::mem::take(&mut writer.out.unread)));
    }
    if matches!(mode, RewriteMode::Full) {
        writer.tags(source)?;
    }
    let Writer { pack, mut out, .. } = writer;
    pack.finish(&odb).map_err(RewriteError::Write)?;
    for (name, _, new) in &out.tags {
        let oid = Oid::from_str(new).map_err(|e| write_err("bad tag id", e))?;
        target
            .reference(&format!("refs/tags/{name}"), oid, true, "fledge publish")
            .map_err(|e| write_err(&format!("cannot write tag {name}"), e))?;
    }
    let reference = format!("refs/heads/{branch}");
    target
        .reference(&reference, new_head, true, "fledge publish")
        .map_err(|e| write_err("cannot write the branch", e))?;
    target.set_head(&reference).map_err(|e| write_err("cannot set HEAD", e))?;
    out.branch = branch;
    Ok(out)
}

/// Turns libgit2's object cache off while it lives.
struct NoObjectCache;

impl NoObjectCache {
    fn new() -> NoObjectCache {
        git2::opts::enable_caching(false);
        NoObjectCache
    }
}

impl Drop for NoObjectCache {
    fn drop(&mut self) {
        git2::opts::enable_caching(true);
    }
}

/// The branch to write: the revision's own branch name when it names one
/// (or HEAD points at one), else `main`.
fn branch_name(repo: &Repository, revision: &str) -> String {
    let from_ref = |name: &str| name.strip_prefix("refs/heads/").map(str::to_owned);
    let named = if revision == "HEAD" {
        repo.find_reference("HEAD").ok().and_then(|r| r.symbolic_target().ok().flatten().and_then(from_ref))
    } else {
        repo.resolve_reference_from_short_name(revision).ok().and_then(|r| r.name().ok().and_then(from_ref))
    };
    named.filter(|n| git2::Reference::is_valid_name(&format!("refs/heads/{n}"))).unwrap_or_else(|| "main".to_owned())
}

/// The commits a shallow clone's history is cut at.
fn shallow_cuts(repo: &Repository) -> HashSet<Oid> {
    std::fs::read_to_string(repo.path().join("shallow"))
        .map(|text| text.lines().filter_map(|l| Oid::from_str(l.trim()).ok()).collect())
        .unwrap_or_default()
}

struct Writer<'r, 's> {
    objects: Objects<'r>,
    pack: PackWriter,
    scrubber: &'s mut dyn Scrubber,
    /// Old blob → new blob (`None`: left out as unreadable).
    blobs: HashMap<Oid, Option<Oid>>,
    /// (old tree, its path) → new tree (`None`: empty once scrubbed, or
    /// unreadable).
    trees: HashMap<(Oid, String), Option<Oid>>,
    out: Rewritten,
    shallow: HashSet<Oid>,
}

/// A commit's raw text, split: header lines (continuations joined to
/// their line) and the message.
struct RawCommit<'d> {
    headers: Vec<&'d [u8]>,
    message: &'d [u8],
}

fn split_object(data: &[u8]) -> RawCommit<'_> {
    let end = data.windows(2).position(|w| w == b"\n\n");
    let (head, message) = match end {
        Some(at) => (&data[..at], &data[at + 2..]),
        None => (data, &[][..]),
    };
    // A header's continuation lines start with a space; keep them with it.
    let mut headers: Vec<&[u8]> = Vec::new();
    let mut start = 0;
    for (i, _) in head.iter().enumerate().filter(|(_, b)| **b == b'\n') {
        if head.get(i + 1) != Some(&b' ') {
            headers.push(&head[start..i]);
            start = i + 1;
        }
    }
    if start < head.len() {
        headers.push(&head[start..]);
    }
    RawCommit { headers, message }
}

/// The commit a `parent <hex>` header line names (none when malformed).
fn parent_of(line: &[u8]) -> Option<Oid> {
    let hex = std::str::from_utf8(line.get(7..)?).ok()?;
    Oid::from_str(hex.trim()).ok()
}

fn header_name(line: &[u8]) -> &[u8] {
    line.split(|&b| b == b' ').next().unwrap_or_default()
}

impl Writer<'_, '_> {
    fn write(&mut self, kind: ObjectType, data: &[u8]) -> Result<Oid, RewriteError> {
        self.pack.add(kind, data).map_err(RewriteError::Write)
    }

    fn unread(&mut self, what: String) {
        if self.out.unread.len() < 10_000 {
            self.out.unread.push(what);
        }
    }

    /// The commits reachable from `head`, parents before children, each
    /// with its readable parents.
    fn commit_order(&mut self, head: Oid) -> Vec<(Oid, Vec<u8>)> {
        let mut order = Vec::new();
        let mut seen: HashSet<Oid> = HashSet::from([head]);
        // (commit, raw text, parents still to visit)
        let mut stack: Vec<(Oid, Vec<u8>, Vec<Oid>)> = Vec::new();
        let push =
            |writer: &mut Self, oid: Oid, stack: &mut Vec<(Oid, Vec<u8>, Vec<Oid>)>| match writer.objects.commit(oid) {
                Ok(raw) if writer.shallow.contains(&oid) => {
                    writer.unread(format!("commit {oid}: the history is shallow (its parents were not fetched)"));
                    stack.push((oid, raw, Vec::new()));
                }
                Ok(raw) => {
                    let parents: Vec<Oid> = split_object(&raw)
                        .headers
                        .iter()
                        .filter(|h| header_name(h) == b"parent")
                        .filter_map(|h| parent_of(h))
                        .collect();
                    stack.push((oid, raw, parents));
                }
                Err(err) => writer.unread(format!("commit {oid}: {err}")),
            };
        push(self, head, &mut stack);
        while let Some((_, _, parents)) = stack.last_mut() {
            match parents.pop() {
                Some(parent) if seen.insert(parent) => push(self, parent, &mut stack),
                Some(_) => {}
                None => {
                    if let Some((oid, raw, _)) = stack.pop() {
                        order.push((oid, raw));
                    }
                }
            }
        }
        order
    }

    fn full_history(&mut self, head: Oid) -> Result<Oid, RewriteError> {
        let order = self.commit_order(head);
        let mut map: HashMap<Oid, Oid> = HashMap::with_capacity(order.len());
        for (oid, raw) in order {
            let new = self.commit(oid, &raw, &map)?;
            map.insert(oid, new);
            self.out.commit_map.push((oid.to_string(), new.to_string()));
        }
        map.get(&head)
            .copied()
            .ok_or_else(|| RewriteError::Incomplete(vec![format!("commit {head} could not be read")]))
    }

    fn squash(&mut self, head: Oid, message: &str, name: &str, email: &str, time: i64) -> Result<Oid, RewriteError> {
        let raw = self.objects.commit(head).map_err(|e| RewriteError::Revision(e.to_string()))?;
        let tree = tree_of(&raw).ok_or_else(|| RewriteError::Revision(format!("commit {head} has no tree")))?;
        let new_tree = self.tree(tree, String::new(), 0)?;
        let new_tree = match new_tree {
            Some(tree) => tree,
            None => self.write(ObjectType::Tree, b"")?,
        };
        let person = format!("{name} <{email}> {time} +0000");
        let mut text = format!("tree {new_tree}\nauthor {person}\ncommitter {person}\n\n{}", message.trim_end());
        text.push('\n');
        let new = self.write(ObjectType::Commit, text.as_bytes())?;
        self.out.commit_map.push((head.to_string(), new.to_string()));
        Ok(new)
    }

    /// Rewrites one commit whose parents are in `map` already.
    fn commit(&mut self, oid: Oid, raw: &[u8], map: &HashMap<Oid, Oid>) -> Result<Oid, RewriteError> {
        let parsed = split_object(raw);
        let mut text: Vec<u8> = Vec::with_capacity(raw.len());
        let mut signed = false;
        for header in &parsed.headers {
            match header_name(header) {
                b"tree" => {
                    let tree =
                        tree_of(raw).ok_or_else(|| RewriteError::Revision(format!("commit {oid} has no tree")))?;
                    let new = match self.tree(tree, String::new(), 0)? {
                        Some(tree) => tree,
                        None => self.write(ObjectType::Tree, b"")?,
                    };
                    text.extend_from_slice(format!("tree {new}\n").as_bytes());
                }
                b"parent" => {
                    let old = parent_of(header);
                    // A parent not rewritten was unreadable, or beyond a
                    // shallow history's cut: noted when the walk met it.
                    if let Some(new) = old.and_then(|old| map.get(&old)) {
                        text.extend_from_slice(format!("parent {new}\n").as_bytes());
                    }
                }
                b"author" | b"committer" => {
                    let line = self.person_line(header);
                    text.extend_from_slice(&line);
                    text.push(b'\n');
                }
                b"gpgsig" | b"gpgsig-sha256" | b"mergetag" => signed = true,
                _ => {
                    text.extend_from_slice(header);
                    text.push(b'\n');
                }
            }
        }
        if signed {
            self.out.signatures_dropped += 1;
        }
        text.push(b'\n');
        match self.scrubber.message(parsed.message) {
            Some(message) => {
                self.out.changed_messages += 1;
                text.extend_from_slice(&message);
            }
            None => text.extend_from_slice(parsed.message),
        }
        self.write(ObjectType::Commit, &text)
    }

    /// `author Name <email> time zone`, with the person mapped.
    fn person_line(&mut self, line: &[u8]) -> Vec<u8> {
        let text = String::from_utf8_lossy(line);
        let parsed = text.split_once(' ').and_then(|(field, rest)| {
            let open = rest.find('<')?;
            let close = open + rest[open..].find('>')?;
            Some((field, rest[..open].trim(), &rest[open + 1..close], &rest[close + 1..]))
        });
        let Some((field, name, email, when)) = parsed else { return line.to_vec() };
        match self.scrubber.person(name, email) {
            Some((name, email)) => format!("{field} {name} <{email}>{when}").into_bytes(),
            None => line.to_vec(),
        }
    }

    /// The rewritten tree `oid` found at `path` (`""` for the root).
    fn tree(&mut self, oid: Oid, path: String, depth: usize) -> Result<Option<Oid>, RewriteError> {
        let key = (oid, path);
        if let Some(known) = self.trees.get(&key) {
            return Ok(*known);
        }
        let (oid, path) = key;
        if depth > MAX_DEPTH {
            self.unread(format!("tree {oid} at `{path}`: nested more than {MAX_DEPTH} levels deep"));
            return Ok(None);
        }
        let entries = match self.objects.tree(oid) {
            Ok(entries) => entries,
            Err(err) => {
                self.unread(format!("tree {oid} at `{}`: {err}", display_path(&path)));
                self.trees.insert((oid, path), None);
                return Ok(None);
            }
        };
        let mut kept: Vec<RawEntry> = Vec::with_capacity(entries.len());
        for entry in entries {
            let name = String::from_utf8_lossy(&entry.name);
            let full = if path.is_empty() { name.into_owned() } else { format!("{path}/{name}") };
            let new = match entry.mode {
                0o040000 => self.tree(entry.oid, full, depth + 1)?,
                _ if self.scrubber.removes(&full, &entry.oid.to_string()) => None,
                0o160000 => {
                    self.out.submodules.push(full);
                    Some(entry.oid)
                }
                _ => self.blob(entry.oid, &full)?,
            };
            if let Some(new) = new {
                kept.push(RawEntry { mode: entry.mode, name: entry.name, oid: new });
            }
        }
        // A directory left empty is left out, as git has no empty trees.
        let result = if kept.is_empty() { None } else { Some(self.write(ObjectType::Tree, &tree_bytes(&kept))?) };
        self.trees.insert((oid, path), result);
        Ok(result)
    }

    /// The rewritten blob `oid`, first met at `path`.
    fn blob(&mut self, oid: Oid, path: &str) -> Result<Option<Oid>, RewriteError> {
        if let Some(known) = self.blobs.get(&oid) {
            return Ok(*known);
        }
        let data = match self.objects.read(oid, Kind::Blob, MAX_BLOB) {
            Ok(data) => data,
            Err(err) => {
                let why = match err {
                    ReadError::TooLarge { size, .. } => format!("{size} bytes, above the bound of {MAX_BLOB}"),
                    other => other.to_string(),
                };
                self.unread(format!("blob {oid} at `{path}`: {why}"));
                self.blobs.insert(oid, None);
                return Ok(None);
            }
        };
        self.out.blobs += 1;
        let new = if is_binary(&data) {
            self.out.binary_blobs += 1;
            self.write(ObjectType::Blob, &data)?
        } else if data.starts_with(b"version https://git-lfs.github.com/spec/") {
            self.out.lfs_pointers.push(path.to_owned());
            self.write(ObjectType::Blob, &data)?
        } else {
            match self.scrubber.text(path, &data) {
                Some(changed) => {
                    self.out.changed_blobs += 1;
                    self.write(ObjectType::Blob, &changed)?
                }
                None => self.write(ObjectType::Blob, &data)?,
            }
        };
        self.blobs.insert(oid, Some(new));
        Ok(Some(new))
    }

    /// The tags of `source` that point into the rewritten history, as new
    /// objects (annotated tags) or new targets (lightweight ones).
    fn tags(&mut self, source: &Repository) -> Result<(), RewriteError> {
        let map: HashMap<Oid, Oid> = self
            .out
            .commit_map
            .iter()
            .filter_map(|(old, new)| Some((Oid::from_str(old).ok()?, Oid::from_str(new).ok()?)))
            .collect();
        for (name, target) in crate::git::snapshot::refs(source) {
            let Some(tag) = name.strip_prefix("refs/tags/") else { continue };
            let commit = match self.objects.peel_to_commit(target) {
                Ok(commit) => commit,
                Err(err) => {
                    self.out.tags_left_out.push((tag.to_owned(), format!("it does not point at a commit ({err})")));
                    continue;
                }
            };
            let Some(new_commit) = map.get(&commit) else {
                self.out.tags_left_out.push((tag.to_owned(), "it is not in the published history".to_owned()));
                continue;
            };
            let new = if commit == target {
                *new_commit
            } else {
                let raw = match self.objects.read(target, Kind::Tag, 64 << 20) {
                    Ok(raw) => raw,
                    Err(err) => {
                        self.out.tags_left_out.push((tag.to_owned(), err.to_string()));
                        continue;
                    }
                };
                self.tag(&raw, *new_commit)?
            };
            self.out.tags.push((tag.to_owned(), target.to_string(), new.to_string()));
        }
        Ok(())
    }

    /// An annotated tag, rewritten to point at `commit` (a tag of a tag
    /// becomes a tag of the commit).
    fn tag(&mut self, raw: &[u8], commit: Oid) -> Result<Oid, RewriteError> {
        let parsed = split_object(raw);
        let mut text = Vec::with_capacity(raw.len());
        for header in &parsed.headers {
            match header_name(header) {
                b"object" => text.extend_from_slice(format!("object {commit}\n").as_bytes()),
                b"type" => text.extend_from_slice(b"type commit\n"),
                b"tagger" => {
                    let line = self.person_line(header);
                    text.extend_from_slice(&line);
                    text.push(b'\n');
                }
                b"gpgsig" | b"gpgsig-sha256" => {}
                _ => {
                    text.extend_from_slice(header);
                    text.push(b'\n');
                }
            }
        }
        text.push(b'\n');
        // A signed tag carries its signature at the end of its message.
        let mut message = parsed.message;
        for marker in
            [&b"-----BEGIN PGP SIGNATURE-----"[..], b"-----BEGIN SSH SIGNATURE-----", b"-----BEGIN SIGNED MESSAGE-----"]
        {
            if let Some(at) = message.windows(marker.len()).position(|w| w == marker) {
                message = &message[..at];
                self.out.signatures_dropped += 1;
                break;
            }
        }
        match self.scrubber.message(message) {
            Some(changed) => text.extend_from_slice(&changed),
            None => text.extend_from_slice(message),
        }
        self.write(ObjectType::Tag, &text)
    }
}

fn tree_of(raw: &[u8]) -> Option<Oid> {
    header_field(raw, b"tree").and_then(|hex| Oid::from_str(hex).ok())
}

fn display_path(path: &str) -> &str {
    if path.is_empty() { "(root)" } else { path }
}

/// Binary by the rule plugins use (`fledge_sdk::text::is_binary`: a NUL in
/// the first 8 KiB), so that what the checks read as text is scrubbed as
/// text.
fn is_binary(data: &[u8]) -> bool {
    data[..data.len().min(8192)].contains(&0)
}

/// A tree object's bytes, entries in the order given (already sorted).
fn tree_bytes(entries: &[RawEntry]) -> Vec<u8> {
    let mut data = Vec::with_capacity(entries.len() * 40);
    for entry in entries {
        data.extend_from_slice(format!("{:o} ", entry.mode).as_bytes());
        data.extend_from_slice(&entry.name);
        data.push(0);
        data.extend_from_slice(entry.oid.as_bytes());
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_split_into_headers_and_message() {
        let raw = b"tree 1\nparent 2\nauthor A <a@x> 1 +0000\ngpgsig -----BEGIN\n line\n -----END\ncommitter C <c@x> 2 +0100\n\nsubject\n\nbody\n";
        let parsed = split_object(raw);
        let names: Vec<&[u8]> = parsed.headers.iter().map(|h| header_name(h)).collect();
        assert_eq!(names, vec![&b"tree"[..], b"parent", b"author", b"gpgsig", b"committer"]);
        assert_eq!(parsed.headers[3], &b"gpgsig -----BEGIN\n line\n -----END"[..]);
        assert_eq!(parsed.message, b"subject\n\nbody\n");
        // Malformed parent lines name no commit (and do not panic).
        assert_eq!(parent_of(b"parent"), None);
        assert_eq!(parent_of(b"parent zz"), None);
        assert!(parent_of(b"parent 0123456789012345678901234567890123456789").is_some());
    }
}

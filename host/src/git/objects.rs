//! Reading objects, bounded. Loose objects are inflated here (flate2),
//! with their declared size as a hard bound, because libgit2 spins forever
//! on some truncated zlib streams; packed objects are read through
//! libgit2's object database. Every failure names the object and says what
//! it is (missing, corrupt, too large), so that callers can carry it as a
//! per-object fact instead of ending the run.
//!
//! Trees are parsed here too, so that a walk never hands a damaged object
//! to libgit2's own parsers.

use std::io::Read;
use std::path::PathBuf;

use flate2::read::ZlibDecoder;
use git2::{ObjectType, Odb, Oid, Repository};
use sha1::{Digest, Sha1};

use crate::git::snapshot::ReadError;

/// The kinds of git objects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Commit,
    Tree,
    Blob,
    Tag,
}

impl Kind {
    fn parse(name: &[u8]) -> Option<Kind> {
        match name {
            b"commit" => Some(Kind::Commit),
            b"tree" => Some(Kind::Tree),
            b"blob" => Some(Kind::Blob),
            b"tag" => Some(Kind::Tag),
            _ => None,
        }
    }

    pub(crate) fn from_git(kind: ObjectType) -> Option<Kind> {
        match kind {
            ObjectType::Commit => Some(Kind::Commit),
            ObjectType::Tree => Some(Kind::Tree),
            ObjectType::Blob => Some(Kind::Blob),
            ObjectType::Tag => Some(Kind::Tag),
            _ => None,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Commit => "commit",
            Kind::Tree => "tree",
            Kind::Blob => "blob",
            Kind::Tag => "tag",
        }
    }
}

/// Objects larger than this are never inflated whole (a tree or commit of
/// this size is hostile).
const MAX_METADATA_OBJECT: u64 = 64 << 20;

/// The object database of one repository handle.
pub(crate) struct Objects<'r> {
    odb: Odb<'r>,
    /// `objects/` and the directories of its alternates.
    loose_dirs: Vec<PathBuf>,
}

impl<'r> Objects<'r> {
    pub(crate) fn new(repo: &'r Repository) -> Result<Objects<'r>, ReadError> {
        Objects::with_loose_dirs(repo, loose_dirs(repo))
    }

    /// With the loose-object directories known already ([`loose_dirs`]).
    pub(crate) fn with_loose_dirs(repo: &'r Repository, loose_dirs: Vec<PathBuf>) -> Result<Objects<'r>, ReadError> {
        // Every object read whole is checked against its id here ([`Objects::read`]),
        // loose or packed, with the `sha1` crate (hardware SHA-1 where the
        // processor has it); libgit2's own check (collision-detecting
        // SHA-1, several times slower) would only repeat it for packed ones.
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| git2::opts::strict_hash_verification(false));
        let odb = repo.odb().map_err(|e| ReadError::Git(e.message().to_owned()))?;
        Ok(Objects { odb, loose_dirs })
    }

    fn loose_path(&self, oid: Oid) -> Option<PathBuf> {
        let hex = oid.to_string();
        self.loose_dirs.iter().map(|dir| dir.join(&hex[..2]).join(&hex[2..])).find(|p| p.is_file())
    }

    /// The kind and size of `oid`.
    pub(crate) fn header(&self, oid: Oid) -> Result<(Kind, u64), ReadError> {
        if let Some(path) = self.loose_path(oid) {
            let (kind, size, _) = read_loose(&path, oid, None)?;
            return Ok((kind, size));
        }
        let (size, kind) = self.odb.read_header(oid).map_err(|err| git_error(oid, &err))?;
        let kind = Kind::from_git(kind).ok_or_else(|| ReadError::Corrupt(format!("object {oid} has no valid type")))?;
        Ok((kind, size as u64))
    }

    /// The whole of `oid`, which must be of `kind` and at most `limit` bytes.
    pub(crate) fn read(&self, oid: Oid, kind: Kind, limit: u64) -> Result<Vec<u8>, ReadError> {
        let (found, data) = if let Some(path) = self.loose_path(oid) {
            let (found, _, data) = read_loose(&path, oid, Some(limit))?;
            (found, data.unwrap_or_default())
        } else {
            let (size, found) = self.odb.read_header(oid).map_err(|err| git_error(oid, &err))?;
            let found =
                Kind::from_git(found).ok_or_else(|| ReadError::Corrupt(format!("object {oid} has no valid type")))?;
            if size as u64 > limit {
                return Err(ReadError::TooLarge { id: oid.to_string(), size: size as u64, limit });
            }
            let object = self.odb.read(oid).map_err(|err| git_error(oid, &err))?;
            (found, object.data().to_vec())
        };
        if found != kind {
            return Err(ReadError::NotFound(format!("{oid} is a {}, not a {}", found.name(), kind.name())));
        }
        if object_id(kind, &data) != oid {
            return Err(ReadError::Corrupt(format!("object {oid} does not match its id (its content was altered)")));
        }
        Ok(data)
    }

    /// A tree's entries.
    pub(crate) fn tree(&self, oid: Oid) -> Result<Vec<RawEntry>, ReadError> {
        let data = self.read(oid, Kind::Tree, MAX_METADATA_OBJECT)?;
        parse_tree(&data).ok_or_else(|| ReadError::Corrupt(format!("tree {oid} is malformed")))
    }

    /// A commit's raw text.
    pub(crate) fn commit(&self, oid: Oid) -> Result<Vec<u8>, ReadError> {
        self.read(oid, Kind::Commit, MAX_METADATA_OBJECT)
    }

    /// The commit `oid` names, peeling annotated tags (at most 16 deep).
    pub(crate) fn peel_to_commit(&self, mut oid: Oid) -> Result<Oid, ReadError> {
        for _ in 0..16 {
            match self.header(oid)?.0 {
                Kind::Commit => return Ok(oid),
                Kind::Tag => {
                    let data = self.read(oid, Kind::Tag, MAX_METADATA_OBJECT)?;
                    oid = header_field(&data, b"object")
                        .and_then(|hex| Oid::from_str(hex).ok())
                        .ok_or_else(|| ReadError::Corrupt(format!("tag {oid} is malformed")))?;
                }
                other => return Err(ReadError::NotFound(format!("{oid} is a {}, not a commit", other.name()))),
            }
        }
        Err(ReadError::Corrupt(format!("tag chain at {oid} is too deep")))
    }

    /// The tagger time of an annotated tag, if `oid` is one.
    pub(crate) fn tagger_time(&self, oid: Oid) -> Option<i64> {
        if self.header(oid).ok()?.0 != Kind::Tag {
            return None;
        }
        let data = self.read(oid, Kind::Tag, MAX_METADATA_OBJECT).ok()?;
        let tagger = header_field(&data, b"tagger")?;
        let (_, rest) = tagger.rsplit_once("> ")?;
        rest.split_whitespace().next()?.parse().ok()
    }
}

/// The id of an object of `kind` with content `data`: the SHA-1 of
/// `<kind> <size>\0<data>`.
pub(crate) fn object_id(kind: Kind, data: &[u8]) -> Oid {
    let mut hasher = Sha1::new();
    hasher.update(format!("{} {}\0", kind.name(), data.len()).as_bytes());
    hasher.update(data);
    let digest: [u8; 20] = hasher.finalize().into();
    Oid::from_bytes(&digest).unwrap_or(Oid::ZERO_SHA1)
}

/// Where `repo` keeps loose objects: `objects/` and its alternates.
pub(crate) fn loose_dirs(repo: &Repository) -> Vec<PathBuf> {
    let objects = repo.path().join("objects");
    let mut dirs = vec![objects.clone()];
    if let Ok(text) = std::fs::read_to_string(objects.join("info/alternates")) {
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).take(16) {
            let path = PathBuf::from(line);
            dirs.push(if path.is_absolute() { path } else { objects.join(path) });
        }
    }
    dirs
}

/// The value of a header line (`object <hex>`) of a commit or tag.
pub(crate) fn header_field<'d>(data: &'d [u8], name: &[u8]) -> Option<&'d str> {
    for line in data.split(|&b| b == b'\n') {
        if line.is_empty() {
            break;
        }
        if line.len() > name.len() && line.starts_with(name) && line[name.len()] == b' ' {
            return std::str::from_utf8(&line[name.len() + 1..]).ok();
        }
    }
    None
}

fn git_error(oid: Oid, err: &git2::Error) -> ReadError {
    if err.code() == git2::ErrorCode::NotFound {
        ReadError::Missing(oid.to_string())
    } else {
        ReadError::Corrupt(format!("object {oid}: {}", err.message()))
    }
}

/// Reads a loose object: its kind, declared size and (when `limit` is
/// given) its content. The compressed file is read whole (its size is on
/// disk already); inflation stops at the declared size, so a hostile
/// stream cannot make it run longer or use more memory than the object
/// claims, and a truncated stream is reported as corrupt.
fn read_loose(path: &std::path::Path, oid: Oid, limit: Option<u64>) -> Result<(Kind, u64, Option<Vec<u8>>), ReadError> {
    let corrupt = |why: &str| ReadError::Corrupt(format!("loose object {oid} is {why}"));
    let file = std::fs::File::open(path).map_err(|e| ReadError::Corrupt(format!("loose object {oid}: {e}")))?;
    let mut decoder = ZlibDecoder::new(std::io::BufReader::new(file));
    // The header: `<kind> <size>\0`, at most a few dozen bytes.
    let mut header = Vec::with_capacity(32);
    let mut byte = [0u8; 1];
    loop {
        match decoder.read(&mut byte) {
            Ok(1) if byte[0] == 0 => break,
            Ok(1) if header.len() < 32 => header.push(byte[0]),
            Ok(1) => return Err(corrupt("malformed (header too long)")),
            Ok(_) => return Err(corrupt("truncated (no header)")),
            Err(_) => return Err(corrupt("not a valid zlib stream")),
        }
    }
    let (kind, size) = std::str::from_utf8(&header)
        .ok()
        .and_then(|text| text.split_once(' '))
        .and_then(|(kind, size)| Some((Kind::parse(kind.as_bytes())?, size.parse::<u64>().ok()?)))
        .ok_or_else(|| corrupt("malformed (bad header)"))?;
    let Some(limit) = limit else { return Ok((kind, size, None)) };
    if size > limit {
        return Err(ReadError::TooLarge { id: oid.to_string(), size, limit });
    }
    let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0).min(1 << 24));
    let read = (&mut decoder).take(size).read_to_end(&mut data);
    match read {
        Ok(n) if n as u64 == size => Ok((kind, size, Some(data))),
        Ok(n) => Err(corrupt(&format!("truncated ({n} of {size} bytes)"))),
        Err(_) => Err(corrupt(&format!("truncated or damaged after {} of {size} bytes", data.len()))),
    }
}

/// An entry of a tree object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RawEntry {
    pub mode: u32,
    pub name: Vec<u8>,
    pub oid: Oid,
}

/// Parses a tree object: `<octal mode> <name>\0<20-byte id>`, repeated.
pub(crate) fn parse_tree(mut data: &[u8]) -> Option<Vec<RawEntry>> {
    let mut entries = Vec::new();
    while !data.is_empty() {
        let space = data.iter().position(|&b| b == b' ')?;
        let mode = u32::from_str_radix(std::str::from_utf8(&data[..space]).ok()?, 8).ok()?;
        let rest = &data[space + 1..];
        let nul = rest.iter().position(|&b| b == 0)?;
        let name = rest[..nul].to_vec();
        let id = rest.get(nul + 1..nul + 21)?;
        entries.push(RawEntry { mode, name, oid: Oid::from_bytes(id).ok()? });
        data = &rest[nul + 21..];
    }
    Some(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trees_parse_and_reject_garbage() {
        let mut data = b"100644 a.txt\0".to_vec();
        data.extend_from_slice(&[7u8; 20]);
        data.extend_from_slice(b"40000 dir\0");
        data.extend_from_slice(&[9u8; 20]);
        let entries = parse_tree(&data).expect("a valid tree");
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].name, b"a.txt");
        assert_eq!(entries[1].mode, 0o040000);
        assert_eq!(parse_tree(&data[..data.len() - 3]), None);
        assert_eq!(parse_tree(b"zz a\0"), None);
    }

    #[test]
    fn ids_are_git_s_and_an_altered_object_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = Repository::init_bare(dir.path()).expect("init");
        for (kind, data) in [(ObjectType::Blob, &b"hello\n"[..]), (ObjectType::Blob, b""), (ObjectType::Commit, b"x")] {
            let known = Kind::from_git(kind).expect("a kind");
            assert_eq!(object_id(known, data), Oid::hash_object(kind, data).expect("hash"));
        }
        let good = repo.blob(b"the real content\n").expect("blob");
        let other = repo.blob(b"something else\n").expect("blob");
        let path = |oid: Oid| {
            let hex = oid.to_string();
            dir.path().join("objects").join(&hex[..2]).join(&hex[2..])
        };
        let objects = Objects::new(&repo).expect("objects");
        assert_eq!(objects.read(good, Kind::Blob, 1 << 20).expect("read"), b"the real content\n");
        // The other blob's (valid) stream under the first one's id.
        let mut permissions = std::fs::metadata(path(good)).expect("metadata").permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        permissions.set_readonly(false);
        std::fs::set_permissions(path(good), permissions).expect("chmod");
        std::fs::copy(path(other), path(good)).expect("copy");
        match objects.read(good, Kind::Blob, 1 << 20) {
            Err(ReadError::Corrupt(why)) => assert!(why.contains("does not match its id"), "{why}"),
            other => panic!("read an altered object: {other:?}"),
        }
    }

    #[test]
    fn header_fields() {
        let tag = b"object 0123456789012345678901234567890123456789\ntype commit\ntagger A <a@b> 1700000000 +0000\n\nmsg object x";
        assert_eq!(header_field(tag, b"object"), Some("0123456789012345678901234567890123456789"));
        assert_eq!(header_field(tag, b"type"), Some("commit"));
        assert_eq!(header_field(tag, b"msg"), None);
    }
}

//! Reading objects, bounded. Loose objects are inflated here (flate2),
//! with their declared size as a hard bound, because libgit2 spins forever
//! on some truncated zlib streams; packed objects are read through
//! libgit2's object database. Every failure names the object and says what
//! it is (missing, corrupt, too large), so that callers can carry it as a
//! per-object fact instead of ending the run.
//!
//! Trees are parsed here too, so that a walk never hands a damaged object
//! to libgit2's own parsers.

use std::cell::RefCell;
use std::io::Read;
use std::path::PathBuf;

use flate2::{Decompress, FlushDecompress, Status};
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

thread_local! {
    /// One inflater per thread, reset for each loose object: making a new
    /// one allocates and clears its state, which costs more than inflating
    /// a small object (a tree, a short source file).
    static INFLATER: RefCell<Decompress> = RefCell::new(Decompress::new(true));
}

/// Compressed bytes read at a time for a header alone (`<kind> <size>\0`
/// comes out of the first few dozen).
const HEADER_INPUT: u64 = 4096;

/// Reads a loose object: its kind, declared size and (when `limit` is
/// given) its content. For the content, the compressed file is read whole
/// (its size is on disk already); inflation stops at the declared size, so
/// a hostile stream cannot make it run longer or use more memory than the
/// object claims, and a truncated stream is reported as corrupt.
fn read_loose(path: &std::path::Path, oid: Oid, limit: Option<u64>) -> Result<(Kind, u64, Option<Vec<u8>>), ReadError> {
    let corrupt = |why: &str| ReadError::Corrupt(format!("loose object {oid} is {why}"));
    let io_error = |e: std::io::Error| ReadError::Corrupt(format!("loose object {oid}: {e}"));
    let mut file = std::fs::File::open(path).map_err(io_error)?;
    let mut input = Vec::new();
    match limit {
        Some(_) => file.read_to_end(&mut input),
        None => (&mut file).take(HEADER_INPUT).read_to_end(&mut input),
    }
    .map_err(io_error)?;
    INFLATER.with_borrow_mut(|inflater| {
        inflater.reset(true);
        // The header: `<kind> <size>\0`, at most 32 bytes before the NUL;
        // what follows it is the start of the content.
        let mut head = [0u8; 64];
        let mut got = 0;
        loop {
            let (read, written) = (inflater.total_in(), inflater.total_out());
            let status = inflater
                .decompress(unread(&input, read), &mut head[got..], FlushDecompress::None)
                .map_err(|_| corrupt("not a valid zlib stream"))?;
            got = usize::try_from(inflater.total_out()).unwrap_or(head.len()).min(head.len());
            if head[..got].contains(&0) || got == head.len() || status == Status::StreamEnd {
                break;
            }
            if (inflater.total_in(), inflater.total_out()) == (read, written) {
                // The header needs more of the file than was read.
                let had = input.len();
                (&mut file).take(HEADER_INPUT).read_to_end(&mut input).map_err(io_error)?;
                if input.len() == had {
                    break;
                }
            }
        }
        let nul = match head[..got].iter().position(|&b| b == 0) {
            Some(nul) if nul <= 32 => nul,
            None if got <= 32 => return Err(corrupt("truncated (no header)")),
            _ => return Err(corrupt("malformed (header too long)")),
        };
        let (kind, size) = std::str::from_utf8(&head[..nul])
            .ok()
            .and_then(|text| text.split_once(' '))
            .and_then(|(kind, size)| Some((Kind::parse(kind.as_bytes())?, size.parse::<u64>().ok()?)))
            .ok_or_else(|| corrupt("malformed (bad header)"))?;
        let Some(limit) = limit else { return Ok((kind, size, None)) };
        if size > limit {
            return Err(ReadError::TooLarge { id: oid.to_string(), size, limit });
        }
        let wanted = usize::try_from(size).map_err(|_| ReadError::TooLarge { id: oid.to_string(), size, limit })?;
        // Memory grows with what is inflated, not with what the header claims.
        const STEP: usize = 1 << 24;
        let first = &head[nul + 1..got];
        let mut data = Vec::with_capacity(wanted.min(STEP).max(first.len().min(wanted)));
        data.extend_from_slice(&first[..first.len().min(wanted)]);
        while data.len() < wanted {
            if data.len() == data.capacity() {
                data.reserve_exact((wanted - data.len()).min(STEP));
            }
            let (read, written) = (inflater.total_in(), inflater.total_out());
            let status =
                inflater.decompress_vec(unread(&input, read), &mut data, FlushDecompress::None).map_err(|_| {
                    corrupt(&format!("truncated or damaged after {} of {size} bytes", data.len().min(wanted)))
                })?;
            let stalled = (inflater.total_in(), inflater.total_out()) == (read, written);
            if data.len() < wanted && (status == Status::StreamEnd || stalled) {
                return Err(corrupt(&format!("truncated ({} of {size} bytes)", data.len())));
            }
        }
        data.truncate(wanted);
        Ok((kind, size, Some(data)))
    })
}

/// What the inflater has not taken yet of `input`, of which it took `taken`
/// bytes.
fn unread(input: &[u8], taken: u64) -> &[u8] {
    input.get(usize::try_from(taken).unwrap_or(usize::MAX)..).unwrap_or_default()
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

    /// `content` deflated as git stores a loose object.
    fn deflated(content: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(content).expect("deflate");
        encoder.finish().expect("deflate")
    }

    /// Reads `stored` as a loose object file; the content too when `whole`.
    fn loose(stored: &[u8], whole: bool) -> Result<(Kind, u64, Option<Vec<u8>>), ReadError> {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("object");
        std::fs::write(&path, stored).expect("write");
        read_loose(&path, Oid::ZERO_SHA1, whole.then_some(u64::MAX))
    }

    fn corrupt_reason(result: Result<(Kind, u64, Option<Vec<u8>>), ReadError>) -> String {
        match result {
            Err(ReadError::Corrupt(why)) => why,
            other => panic!("not refused as corrupt: {other:?}"),
        }
    }

    #[test]
    fn loose_objects_are_inflated_exactly_and_damage_is_named() {
        // Several deflate blocks' worth of text that does not compress away.
        let mut state: u32 = 1;
        let content: Vec<u8> = (0..300_000)
            .map(|_| {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                b"abcdefghijklmnopqrstuvwxyz \n"[(state >> 16) as usize % 28]
            })
            .collect();
        let mut object = format!("blob {}\0", content.len()).into_bytes();
        object.extend_from_slice(&content);
        let stored = deflated(&object);
        // Twice: the inflater is reused, and reset, between objects.
        for _ in 0..2 {
            assert_eq!(loose(&stored, false).expect("header"), (Kind::Blob, 300_000, None));
            assert_eq!(loose(&stored, true).expect("read"), (Kind::Blob, 300_000, Some(content.clone())));
        }
        let tiny = deflated(b"tree 0\0");
        assert_eq!(loose(&tiny, true).expect("read"), (Kind::Tree, 0, Some(Vec::new())));
        // A cut stream, garbage, a header that never ends or says too little.
        let cut = corrupt_reason(loose(&stored[..stored.len() / 2], true));
        assert!(cut.contains("truncated") && cut.contains("of 300000 bytes"), "{cut}");
        assert!(corrupt_reason(loose(b"not zlib at all", false)).ends_with("is not a valid zlib stream"));
        assert!(corrupt_reason(loose(b"", false)).ends_with("is truncated (no header)"));
        assert!(corrupt_reason(loose(&deflated(&[b'x'; 100]), false)).ends_with("is malformed (header too long)"));
        assert!(corrupt_reason(loose(&deflated(b"blob"), false)).ends_with("is truncated (no header)"));
        assert!(corrupt_reason(loose(&deflated(b"bolb 3\0abc"), false)).ends_with("is malformed (bad header)"));
        let short = corrupt_reason(loose(&deflated(b"blob 10\0abc"), true));
        assert!(short.ends_with("is truncated (3 of 10 bytes)"), "{short}");
        // A size over the bound is refused before anything is inflated.
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("o"), &stored).expect("write");
        assert!(matches!(
            read_loose(&dir.path().join("o"), Oid::ZERO_SHA1, Some(1000)),
            Err(ReadError::TooLarge { size: 300_000, limit: 1000, .. })
        ));
    }

    #[test]
    fn a_header_far_into_the_stream_is_still_found() {
        // A valid zlib stream that starts with 2,000 empty stored blocks
        // (10,000 bytes) before the one holding the object.
        let object = b"blob 5\0hello";
        let mut stored = vec![0x78, 0x01];
        for _ in 0..2000 {
            stored.extend_from_slice(&[0x00, 0x00, 0x00, 0xff, 0xff]);
        }
        let len = object.len() as u16;
        stored.push(0x01);
        stored.extend_from_slice(&len.to_le_bytes());
        stored.extend_from_slice(&(!len).to_le_bytes());
        stored.extend_from_slice(object);
        let (mut a, mut b) = (1u32, 0u32);
        for &byte in object {
            a = (a + u32::from(byte)) % 65_521;
            b = (b + a) % 65_521;
        }
        stored.extend_from_slice(&((b << 16) | a).to_be_bytes());
        assert_eq!(loose(&stored, false).expect("header"), (Kind::Blob, 5, None));
        assert_eq!(loose(&stored, true).expect("read"), (Kind::Blob, 5, Some(b"hello".to_vec())));
    }

    #[test]
    fn header_fields() {
        let tag = b"object 0123456789012345678901234567890123456789\ntype commit\ntagger A <a@b> 1700000000 +0000\n\nmsg object x";
        assert_eq!(header_field(tag, b"object"), Some("0123456789012345678901234567890123456789"));
        assert_eq!(header_field(tag, b"type"), Some("commit"));
        assert_eq!(header_field(tag, b"msg"), None);
    }
}

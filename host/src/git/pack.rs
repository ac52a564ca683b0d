//! Writing many new objects as one pack instead of one loose file each:
//! a rewritten history is tens of thousands of objects, and creating a file
//! per object costs more than everything else together.
//!
//! Objects are compressed into a spool file as they come (bounded memory);
//! [`PackWriter::finish`] streams the pack (header, the spooled entries,
//! SHA-1 trailer) through libgit2's pack writer, which indexes it into the
//! repository. Entries are whole objects (no deltas): `git gc` or the
//! server's repack deltifies them later.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, Write};

use flate2::{Compress, Compression, FlushCompress, Status};
use git2::{ObjectType, Odb, Oid};
use sha1::{Digest, Sha1};

use crate::git::objects::{Kind, object_id};

/// Objects up to this size are stored without compression (zlib's
/// "stored" blocks): setting up a compressor costs more than small trees
/// and commits gain from it.
const STORE_BELOW: usize = 1024;

/// A pack being written.
pub(crate) struct PackWriter {
    spool: BufWriter<File>,
    written: HashSet<Oid>,
    /// One compressor, reset for each object.
    compress: Compress,
    buffer: Vec<u8>,
}

fn type_code(kind: ObjectType) -> u8 {
    match kind {
        ObjectType::Commit => 1,
        ObjectType::Tree => 2,
        ObjectType::Tag => 4,
        _ => 3,
    }
}

impl PackWriter {
    pub(crate) fn new() -> std::io::Result<PackWriter> {
        Ok(PackWriter {
            spool: BufWriter::with_capacity(1 << 20, tempfile::tempfile()?),
            written: HashSet::new(),
            compress: Compress::new(Compression::fast(), true),
            buffer: Vec::new(),
        })
    }

    /// Adds an object (once, whatever the number of calls) and returns its id.
    pub(crate) fn add(&mut self, kind: ObjectType, data: &[u8]) -> Result<Oid, String> {
        let oid = Kind::from_git(kind)
            .map(|known| object_id(known, data))
            .ok_or_else(|| format!("cannot write an object of type {kind}"))?;
        if !self.written.insert(oid) {
            return Ok(oid);
        }
        // Type and size: 3 bits of type, then the size 4 bits first and 7
        // bits per following byte.
        let mut size = data.len() as u64;
        let mut header = vec![(type_code(kind) << 4) | (size & 0x0f) as u8];
        size >>= 4;
        while size > 0 {
            if let Some(last) = header.last_mut() {
                *last |= 0x80;
            }
            header.push((size & 0x7f) as u8);
            size >>= 7;
        }
        let io = |e: std::io::Error| format!("cannot write the pack: {e}");
        self.spool.write_all(&header).map_err(io)?;
        if data.len() < STORE_BELOW {
            stored(&mut self.spool, data).map_err(io)?;
        } else {
            self.compress.reset();
            self.buffer.clear();
            self.buffer.reserve(data.len() / 2 + 64);
            loop {
                let consumed = usize::try_from(self.compress.total_in()).unwrap_or(usize::MAX);
                let status = self
                    .compress
                    .compress_vec(&data[consumed.min(data.len())..], &mut self.buffer, FlushCompress::Finish)
                    .map_err(|e| format!("cannot compress an object: {e}"))?;
                if status == Status::StreamEnd {
                    break;
                }
                self.buffer.reserve(self.buffer.capacity().max(4096));
            }
            self.spool.write_all(&self.buffer).map_err(io)?;
        }
        Ok(oid)
    }

    /// Writes the pack into `odb` (indexed, in `objects/pack/`).
    pub(crate) fn finish(self, odb: &Odb<'_>) -> Result<(), String> {
        let io = |e: std::io::Error| format!("cannot write the pack: {e}");
        let count = u32::try_from(self.written.len()).map_err(|_| "too many objects for one pack".to_owned())?;
        let mut spool = self.spool.into_inner().map_err(|e| io(e.into_error()))?;
        spool.rewind().map_err(io)?;
        let mut writer = odb.packwriter().map_err(|e| e.message().to_owned())?;
        let mut hasher = Sha1::new();
        let mut header = Vec::with_capacity(12);
        header.extend_from_slice(b"PACK");
        header.extend_from_slice(&2u32.to_be_bytes());
        header.extend_from_slice(&count.to_be_bytes());
        hasher.update(&header);
        writer.write_all(&header).map_err(io)?;
        let mut reader = BufReader::with_capacity(1 << 20, spool);
        let mut buffer = vec![0u8; 1 << 20];
        loop {
            let n = reader.read(&mut buffer).map_err(io)?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
            writer.write_all(&buffer[..n]).map_err(io)?;
        }
        writer.write_all(&hasher.finalize()).map_err(io)?;
        writer.commit().map_err(|e| format!("cannot index the pack: {}", e.message()))?;
        Ok(())
    }
}

/// `data` as a zlib stream of stored (uncompressed) blocks.
fn stored(out: &mut impl Write, data: &[u8]) -> std::io::Result<()> {
    // CMF (deflate, 32K window) and FLG (fastest; header checksum).
    out.write_all(&[0x78, 0x01])?;
    let mut chunks = data.chunks(0xffff).peekable();
    if chunks.peek().is_none() {
        out.write_all(&[1, 0, 0, 0xff, 0xff])?;
    }
    while let Some(chunk) = chunks.next() {
        let last = u8::from(chunks.peek().is_none());
        let len = chunk.len() as u16;
        out.write_all(&[last])?;
        out.write_all(&len.to_le_bytes())?;
        out.write_all(&(!len).to_le_bytes())?;
        out.write_all(chunk)?;
    }
    out.write_all(&adler2::adler32_slice(data).to_be_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_pack_reads_back() {
        let dir = tempfile::tempdir().expect("temp dir");
        let repo = git2::Repository::init_bare(dir.path()).expect("init");
        let odb = repo.odb().expect("odb");
        let mut pack = PackWriter::new().expect("pack");
        let big: Vec<u8> = (0..100_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let small = pack.add(ObjectType::Blob, b"hello\n").expect("add");
        let empty = pack.add(ObjectType::Blob, b"").expect("add");
        let large = pack.add(ObjectType::Blob, &big).expect("add");
        assert_eq!(pack.add(ObjectType::Blob, b"hello\n").expect("add"), small, "added once");
        pack.finish(&odb).expect("finish");
        assert_eq!(small.to_string(), "ce013625030ba8dba906f756967f9e9ca394464a");
        assert_eq!(odb.read(large).expect("read").data(), &big[..]);
        assert_eq!(odb.read(small).expect("read").data(), b"hello\n");
        assert_eq!(odb.read(empty).expect("read").data(), b"");
        let packs: Vec<_> = std::fs::read_dir(dir.path().join("objects/pack")).expect("dir").flatten().collect();
        assert_eq!(packs.len(), 2, "a pack and its index");
    }
}

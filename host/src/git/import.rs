//! Turning a plain directory into a one-commit repository, so that
//! `fledge plugin test` can run a plugin on a fixture directory.

use std::fs;
use std::path::Path;

use git2::{IndexEntry, IndexTime, Oid, Repository, Signature, Time};
use tempfile::TempDir;

use crate::git::acquire::{AcquireError, AcquireErrorKind};

/// Files larger than this are left out of the import.
const MAX_FILE: u64 = 64 << 20;

/// Commits the files under `dir` (without any `.git` directory) to a new
/// bare repository in a temporary directory, which lives as long as the
/// returned value.
pub fn import_directory(dir: &Path) -> Result<TempDir, AcquireError> {
    let fail = |what: String| AcquireError::new(AcquireErrorKind::Other, what);
    let temp = tempfile::Builder::new()
        .prefix("fledge-import-")
        .tempdir()
        .map_err(|e| fail(format!("failed to create a temporary repository: {e}")))?;
    let repo = Repository::init_bare(temp.path())
        .map_err(|e| fail(format!("failed to create a temporary repository: {}", e.message())))?;
    let mut index = git2::Index::new().map_err(|e| fail(e.message().to_owned()))?;
    let mut newest = 0i64;
    add_dir(&repo, &mut index, dir, "", &mut newest)
        .map_err(|e| fail(format!("failed to import {}: {e}", dir.display())))?;
    let tree = index.write_tree_to(&repo).map_err(|e| fail(e.message().to_owned()))?;
    let tree = repo.find_tree(tree).map_err(|e| fail(e.message().to_owned()))?;
    let signature = Signature::new("fledge", "fledge@localhost", &Time::new(newest, 0))
        .map_err(|e| fail(e.message().to_owned()))?;
    repo.commit(Some("HEAD"), &signature, &signature, &format!("import of {}", dir.display()), &tree, &[])
        .map_err(|e| fail(e.message().to_owned()))?;
    Ok(temp)
}

fn add_dir(
    repo: &Repository,
    index: &mut git2::Index,
    dir: &Path,
    prefix: &str,
    newest: &mut i64,
) -> std::io::Result<()> {
    let mut entries: Vec<fs::DirEntry> = fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(fs::DirEntry::file_name);
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == ".git" {
            continue;
        }
        let path = format!("{prefix}{name}");
        let kind = entry.file_type()?;
        let metadata = entry.metadata()?;
        if let Ok(modified) = metadata.modified()
            && let Ok(since) = modified.duration_since(std::time::UNIX_EPOCH)
        {
            *newest = (*newest).max(i64::try_from(since.as_secs()).unwrap_or(0));
        }
        let (mode, data) = if kind.is_dir() {
            add_dir(repo, index, &entry.path(), &format!("{path}/"), newest)?;
            continue;
        } else if kind.is_symlink() {
            (0o120000, fs::read_link(entry.path())?.to_string_lossy().into_owned().into_bytes())
        } else if !kind.is_file() {
            // A FIFO would block the read forever; a device could be endless.
            return Err(std::io::Error::other(format!(
                "{path} is not a regular file, directory or symbolic link (a FIFO, socket or device); remove it or copy the files elsewhere"
            )));
        } else if metadata.len() > MAX_FILE {
            continue;
        } else {
            (if is_executable(&metadata) { 0o100755 } else { 0o100644 }, fs::read(entry.path())?)
        };
        let id: Oid = repo.blob(&data).map_err(std::io::Error::other)?;
        let entry = IndexEntry {
            ctime: IndexTime::new(0, 0),
            mtime: IndexTime::new(0, 0),
            dev: 0,
            ino: 0,
            mode,
            uid: 0,
            gid: 0,
            file_size: u32::try_from(data.len()).unwrap_or(u32::MAX),
            id,
            flags: 0,
            flags_extended: 0,
            path: path.into_bytes(),
        };
        index.add(&entry).map_err(std::io::Error::other)?;
    }
    Ok(())
}

#[cfg(unix)]
fn is_executable(metadata: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    metadata.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_: &fs::Metadata) -> bool {
    false
}

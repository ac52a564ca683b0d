//! Results plugins keep between runs (`cache-get` / `cache-put` in the
//! contract), in one SQLite file beside the compiled plugins.
//!
//! Every entry belongs to a namespace: the sha256 of the component's digest
//! and the run's configuration. A plugin therefore only ever reads what the
//! same build, configured the same way, stored; a new rule or a changed
//! setting starts from nothing. Plugins key their entries by content that
//! cannot change under the key (git blob ids, which libgit2 computes with
//! SHA-1 collision detection).
//!
//! The store is bounded: values over [`MAX_VALUE`] and puts past
//! [`MAX_PUTS_PER_RUN`] are dropped, and when the file grows past
//! [`MAX_BYTES`] the least recently written half is deleted. A store that
//! cannot be opened or written is a warning: the plugins then compute
//! everything, as they would with the cache turned off.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

/// Largest value kept.
pub(crate) const MAX_VALUE: usize = 64 << 10;
/// Puts kept from one plugin run.
pub(crate) const MAX_PUTS_PER_RUN: usize = 1_000_000;
/// Size of the file past which the oldest half is deleted.
const MAX_BYTES: u64 = 1 << 30;

/// The results store, shared by every run of a process.
pub(crate) struct ResultStore {
    path: PathBuf,
    conn: Mutex<Connection>,
}

impl ResultStore {
    /// Opens (or creates) the store at `path`.
    pub(crate) fn open(path: &Path) -> Result<ResultStore> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("failed to create {}", dir.display()))?;
        }
        let conn =
            Connection::open(path).with_context(|| format!("failed to open the results cache {}", path.display()))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS results (
                namespace BLOB NOT NULL,
                key TEXT NOT NULL,
                value BLOB NOT NULL,
                written INTEGER NOT NULL,
                PRIMARY KEY (namespace, key)
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS results_written ON results (written);",
        )
        .with_context(|| format!("failed to prepare the results cache {}", path.display()))?;
        Ok(ResultStore { path: path.to_owned(), conn: Mutex::new(conn) })
    }

    /// The namespace of a plugin build (`digest`) run with `config`.
    pub(crate) fn namespace(digest: &str, config: &str) -> Vec<u8> {
        let mut hasher = Sha256::new();
        hasher.update(digest.as_bytes());
        hasher.update([0]);
        hasher.update(config.as_bytes());
        hasher.finalize().to_vec()
    }

    /// The value under `key`, if any.
    pub(crate) fn get(&self, namespace: &[u8], key: &str) -> Option<Vec<u8>> {
        let conn = self.conn.lock().ok()?;
        let found = conn
            .prepare_cached("SELECT value FROM results WHERE namespace = ?1 AND key = ?2")
            .and_then(|mut statement| statement.query_row(params![namespace, key], |row| row.get(0)).optional());
        match found {
            Ok(value) => value,
            Err(err) => {
                log::warn!("results cache {}: {err}", self.path.display());
                None
            }
        }
    }

    /// Stores `entries` in one transaction, then trims the file if it grew
    /// past its bound.
    pub(crate) fn put(&self, namespace: &[u8], entries: &[(String, Vec<u8>)]) {
        if entries.is_empty() {
            return;
        }
        let Ok(mut conn) = self.conn.lock() else { return };
        if let Err(err) = write(&mut conn, namespace, entries).and_then(|()| trim(&conn)) {
            log::warn!("results cache {}: could not store results: {err}", self.path.display());
        }
    }
}

fn write(conn: &mut Connection, namespace: &[u8], entries: &[(String, Vec<u8>)]) -> rusqlite::Result<()> {
    let now = jiff::Timestamp::now().as_second();
    let transaction = conn.transaction()?;
    {
        let mut statement = transaction.prepare_cached(
            "INSERT OR REPLACE INTO results (namespace, key, value, written) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for (key, value) in entries {
            statement.execute(params![namespace, key, value, now])?;
        }
    }
    transaction.commit()
}

/// Deletes the least recently written half when the file is over its bound.
fn trim(conn: &Connection) -> rusqlite::Result<()> {
    let pages: i64 = conn.query_row("PRAGMA page_count", [], |row| row.get(0))?;
    let page_size: i64 = conn.query_row("PRAGMA page_size", [], |row| row.get(0))?;
    if u64::try_from(pages.saturating_mul(page_size)).unwrap_or(0) <= MAX_BYTES {
        return Ok(());
    }
    conn.execute(
        "DELETE FROM results WHERE written <= (SELECT written FROM results ORDER BY written
            LIMIT 1 OFFSET (SELECT COUNT(*) / 2 FROM results))",
        [],
    )?;
    conn.execute_batch("VACUUM")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_are_kept_per_namespace_and_across_processes() {
        let dir = tempfile::tempdir().unwrap();
        let store = ResultStore::open(&dir.path().join("results.sqlite")).unwrap();
        let one = ResultStore::namespace("digest", "{}");
        let other = ResultStore::namespace("digest", r#"{"rules":1}"#);
        assert_ne!(one, other);
        store.put(&one, &[("blob:1".to_owned(), b"clean".to_vec())]);
        assert_eq!(store.get(&one, "blob:1").as_deref(), Some(&b"clean"[..]));
        // Another configuration never sees it.
        assert_eq!(store.get(&other, "blob:1"), None);
        // A second process opening the same file sees it too.
        let again = ResultStore::open(&dir.path().join("results.sqlite")).unwrap();
        assert_eq!(again.get(&one, "blob:1").as_deref(), Some(&b"clean"[..]));
    }
}

//! The scan store: an embedded SQLite database of runs, per-repository
//! results, and the evaluations and reports behind them (stored once per
//! content digest), with the checks, category scores and findings of each
//! report in tables of their own for queries. Schema changes are numbered
//! migrations (`store/NNN-*.sql`), applied on open.
//!
//! Every repository's result is committed on its own, so a scan killed at
//! any point keeps what it finished.
//!
//! The plugins' results cache ([`results`]) is a second, separate SQLite
//! file in the cache directory.

pub mod results;

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, params};
use sha2::{Digest, Sha256};

use crate::error::UserError;
use crate::model::evaluation::Evaluation;
use crate::model::report::Report;
use crate::model::scan::{Headline, ResultOutcome, ResultRow, Run, RunId, RunState, ScanErrorKind};

/// The migrations, in order; the database's `user_version` is how many
/// have been applied.
const MIGRATIONS: &[&str] = &[include_str!("store/001-initial.sql")];

/// The database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// Held while a scan writes to a database: one scan per database at a time.
#[derive(Debug)]
pub struct ScanLock {
    _file: File,
}

impl Store {
    /// The default database: `$XDG_DATA_HOME/fledge/fledge.db`.
    pub fn default_path() -> PathBuf {
        dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join("fledge").join("fledge.db")
    }

    /// Opens (creating if needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).with_context(|| format!("failed to create {}", parent.display()))?;
        }
        let conn = Connection::open(path).with_context(|| format!("failed to open the database {}", path.display()))?;
        let store = Store { conn, path: path.to_path_buf() };
        store.configure().with_context(|| format!("failed to open the database {}", path.display()))?;
        store.migrate()?;
        Ok(store)
    }

    /// Opens an existing database to read it (`report`, `history`, the
    /// shards of `merge`): nothing is written, so a read-only file or
    /// directory serves; a missing database is a user error.
    pub fn open_existing(path: &Path) -> Result<Store> {
        if !path.is_file() {
            return Err(UserError::new(format!(
                "no scan database at {} (run `fledge scan` first, or pass --db)",
                path.display()
            ))
            .into());
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let open = |uri: String| -> rusqlite::Result<Connection> {
            let conn = Connection::open_with_flags(uri, flags)?;
            conn.busy_timeout(std::time::Duration::from_secs(10))?;
            // Reading needs the WAL index, which a read-only directory
            // cannot hold; the probe says whether it works.
            conn.pragma_query_value(None, "user_version", |row| row.get::<_, i64>(0))?;
            Ok(conn)
        };
        let uri = |extra: &str| {
            let mut encoded = String::from("file:");
            for byte in path.display().to_string().bytes() {
                match byte {
                    b'%' | b'?' | b'#' => encoded.push_str(&format!("%{byte:02X}")),
                    byte => encoded.push(char::from(byte)),
                }
            }
            format!("{encoded}?mode=ro{extra}")
        };
        // A database nobody can write to cannot change under us either.
        let conn = open(uri(""))
            .or_else(|_| open(uri("&immutable=1")))
            .with_context(|| format!("failed to open the database {} for reading", path.display()))?;
        let store = Store { conn, path: path.to_path_buf() };
        let version: i64 = store.conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
        if usize::try_from(version).ok() != Some(MIGRATIONS.len()) {
            return Err(UserError::new(format!(
                "the database {} has schema {version}, this fledge reads schema {}: run `fledge scan` with this fledge to upgrade it",
                path.display(),
                MIGRATIONS.len()
            ))
            .into());
        }
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn configure(&self) -> rusqlite::Result<()> {
        self.conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // WAL with synchronous=NORMAL: a committed result survives the
        // process being killed; readers never block the scan.
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        Ok(())
    }

    /// Applies the migrations this database lacks, in one immediate
    /// transaction: two processes opening a new database at once apply
    /// them once (the second waits, then finds nothing to do).
    fn migrate(&self) -> Result<()> {
        self.conn.execute_batch("BEGIN IMMEDIATE").context("failed to lock the database for its migrations")?;
        let result = self.migrate_locked();
        let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
        self.conn.execute_batch(end).with_context(|| format!("failed to finish the migrations ({end})"))?;
        result
    }

    fn migrate_locked(&self) -> Result<()> {
        let version: i64 = self.conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
        let version = usize::try_from(version).unwrap_or(usize::MAX);
        if version > MIGRATIONS.len() {
            return Err(UserError::new(format!(
                "the database {} was written by a newer fledge (schema {version}, this one knows {}); upgrade fledge",
                self.path.display(),
                MIGRATIONS.len()
            ))
            .into());
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
            self.conn
                .execute_batch(sql)
                .with_context(|| format!("migration {} of {} failed", i + 1, self.path.display()))?;
            self.conn.pragma_update(None, "user_version", i64::try_from(i + 1)?)?;
        }
        Ok(())
    }

    /// Takes the scan lock of this database, or fails saying who holds it.
    pub fn lock_for_scan(&self) -> Result<ScanLock> {
        let path = PathBuf::from(format!("{}.lock", self.path.display()));
        let file = File::create(&path).with_context(|| format!("failed to create {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(ScanLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(UserError::new(format!(
                "another `fledge scan` is writing to {}; wait for it, or give this one its own --db",
                self.path.display()
            ))
            .into()),
            Err(std::fs::TryLockError::Error(e)) => {
                Err(e).with_context(|| format!("failed to lock {}", path.display()))
            }
        }
    }

    // --- runs -----------------------------------------------------------

    /// Starts a run.
    pub fn start_run(
        &self,
        catalog: &str,
        catalog_digest: &str,
        settings_digest: &str,
        shard: Option<&str>,
        total: usize,
    ) -> Result<RunId> {
        self.conn
            .execute(
                "INSERT INTO runs (catalog, catalog_digest, settings_digest, shard, started_at, state, total)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'running', ?6)",
                params![catalog, catalog_digest, settings_digest, shard, now(), count(total)],
            )
            .context("failed to record the run")?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The unfinished run of `catalog` (and `shard`) a new scan should
    /// continue: the latest run of it, if it is not complete and was made
    /// with the same catalog and settings. An unfinished run made with
    /// other settings is left as it is (interrupted) and `None` returned.
    pub fn resumable_run(
        &self,
        catalog: &str,
        shard: Option<&str>,
        catalog_digest: &str,
        settings_digest: &str,
    ) -> Result<Option<RunId>> {
        let latest = self
            .conn
            .query_row(
                "SELECT id, state, catalog_digest, settings_digest FROM runs
                 WHERE catalog = ?1 AND shard IS ?2 AND merged_from IS NULL ORDER BY id DESC LIMIT 1",
                params![catalog, shard],
                |row| {
                    Ok((
                        row.get::<_, RunId>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, String>(3)?,
                    ))
                },
            )
            .optional()
            .context("failed to read the runs")?;
        let Some((id, state, catalog_was, settings_was)) = latest else { return Ok(None) };
        if state == "complete" {
            return Ok(None);
        }
        if catalog_was == catalog_digest && settings_was == settings_digest {
            return Ok(Some(id));
        }
        self.set_state(id, RunState::Interrupted)?;
        Ok(None)
    }

    /// Continues run `id` after an interruption.
    pub fn resume_run(&self, id: RunId) -> Result<()> {
        self.conn
            .execute(
                "UPDATE runs SET state = 'running', interruptions = interruptions + 1, finished_at = NULL WHERE id = ?1",
                [id],
            )
            .context("failed to update the run")?;
        Ok(())
    }

    /// Ends run `id` in `state`.
    pub fn finish_run(&self, id: RunId, state: RunState) -> Result<()> {
        self.conn
            .execute("UPDATE runs SET state = ?2, finished_at = ?3 WHERE id = ?1", params![id, state.as_str(), now()])
            .context("failed to update the run")?;
        Ok(())
    }

    fn set_state(&self, id: RunId, state: RunState) -> Result<()> {
        self.conn
            .execute("UPDATE runs SET state = ?2 WHERE id = ?1", params![id, state.as_str()])
            .context("failed to update the run")?;
        Ok(())
    }

    /// Every run, newest first.
    pub fn runs(&self) -> Result<Vec<Run>> {
        let mut statement = self.conn.prepare(&format!("SELECT {RUN_COLUMNS} FROM runs ORDER BY id DESC"))?;
        let runs = statement.query_map([], run_from_row)?.collect::<rusqlite::Result<Vec<Run>>>()?;
        Ok(runs)
    }

    /// Run `id`.
    pub fn run(&self, id: RunId) -> Result<Option<Run>> {
        Ok(self
            .conn
            .query_row(&format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = ?1"), [id], run_from_row)
            .optional()?)
    }

    // --- results --------------------------------------------------------

    /// The repositories run `id` has a result for.
    pub fn done(&self, id: RunId) -> Result<HashSet<String>> {
        let mut statement = self.conn.prepare("SELECT repository FROM results WHERE run_id = ?1")?;
        let names = statement.query_map([id], |row| row.get(0))?.collect::<rusqlite::Result<HashSet<String>>>()?;
        Ok(names)
    }

    /// Records one repository's result in run `id`, with the evaluation and
    /// report behind it, in one transaction.
    pub fn record(
        &self,
        id: RunId,
        row: &ResultRow,
        evaluation: Option<&Evaluation>,
        report: Option<&Report>,
    ) -> Result<()> {
        let tx = self.conn.unchecked_transaction()?;
        let evaluation = match evaluation {
            Some(e) => Some(insert_document(&tx, &serde_json::to_string(e)?)?.0),
            None => row.evaluation.clone(),
        };
        let report = match report {
            Some(report) => {
                let (digest, new) = insert_document(&tx, &serde_json::to_string(report)?)?;
                if new {
                    index_report(&tx, &digest, report)?;
                }
                Some(digest)
            }
            None => row.report.clone(),
        };
        tx.execute(
            "INSERT INTO results (run_id, repository, team, url, recorded_stage, outcome, commit_id, cache_key, stage,
                 score, error_kind, error, attempts, git_ms, plugin_ms, evaluation, report, finished_at, stage_rank)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
            params![
                id,
                row.repository,
                row.team,
                row.url,
                row.recorded_stage,
                row.outcome.as_str(),
                row.commit,
                row.cache_key,
                row.stage,
                row.score,
                row.error_kind.map(ScanErrorKind::as_str),
                row.error,
                row.attempts,
                row.git_ms,
                row.plugin_ms,
                evaluation,
                report,
                row.finished_at,
                row.stage_rank,
            ],
        )
        .with_context(|| format!("failed to record the result of {}", row.repository))?;
        tx.commit().with_context(|| format!("failed to record the result of {}", row.repository))?;
        Ok(())
    }

    /// The results of run `id`, by repository name.
    pub fn results(&self, id: RunId) -> Result<Vec<ResultRow>> {
        let mut statement = self
            .conn
            .prepare(&format!("SELECT {RESULT_COLUMNS} FROM results WHERE run_id = ?1 ORDER BY repository"))?;
        let rows = statement.query_map([id], result_from_row)?.collect::<rusqlite::Result<Vec<ResultRow>>>()?;
        Ok(rows)
    }

    /// Repository `name`'s results, oldest run first.
    /// Every repository name with a result, sorted.
    pub fn repositories(&self) -> Result<Vec<String>> {
        let mut statement = self
            .conn
            .prepare("SELECT DISTINCT repository FROM results ORDER BY repository")
            .context("failed to list repositories")?;
        let names = statement
            .query_map([], |row| row.get::<_, String>(0))
            .context("failed to list repositories")?
            .collect::<rusqlite::Result<Vec<String>>>()
            .context("failed to read repository names")?;
        Ok(names)
    }

    pub fn history(&self, name: &str) -> Result<Vec<(Run, ResultRow)>> {
        let qualified = |table: &str, columns: &str| {
            columns.split(", ").map(|c| format!("{table}.{c}")).collect::<Vec<_>>().join(", ")
        };
        let columns = format!("{}, {}", qualified("runs", RUN_COLUMNS), qualified("results", RESULT_COLUMNS));
        let mut statement = self.conn.prepare(&format!(
            "SELECT {columns} FROM results JOIN runs ON runs.id = results.run_id
             WHERE results.repository = ?1 ORDER BY runs.id"
        ))?;
        let rows = statement
            .query_map([name], |row| Ok((run_from_row(row)?, result_from_row_at(row, RUN_COLUMN_COUNT)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The headline of every result of runs `ids`: (run, repository,
    /// outcome, stage, stage rank, score), for trends.
    pub fn headlines(&self, ids: &[RunId]) -> Result<Vec<Headline>> {
        let list = ids.iter().map(RunId::to_string).collect::<Vec<_>>().join(",");
        let mut statement = self.conn.prepare(&format!(
            "SELECT run_id, repository, outcome, stage, stage_rank, score FROM results WHERE run_id IN ({list})
             ORDER BY run_id, repository"
        ))?;
        let rows = statement
            .query_map([], |row| {
                Ok(Headline {
                    run: row.get(0)?,
                    repository: row.get(1)?,
                    outcome: ResultOutcome::parse(&row.get::<_, String>(2)?),
                    stage: row.get(3)?,
                    stage_rank: row.get(4)?,
                    score: row.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Per repository, the cache key and evaluation of its latest result
    /// that can be reused: scanned or cached, with no plugin failure.
    pub fn reusable(&self) -> Result<HashMap<String, (String, String)>> {
        let mut statement = self.conn.prepare(
            "SELECT r.repository, r.cache_key, r.evaluation FROM results r JOIN
                 (SELECT repository, MAX(run_id) AS run_id FROM results
                  WHERE outcome != 'error' AND error_kind IS NULL AND cache_key IS NOT NULL AND evaluation IS NOT NULL
                  GROUP BY repository) latest
             ON r.repository = latest.repository AND r.run_id = latest.run_id",
        )?;
        let rows = statement.query_map([], |row| Ok((row.get::<_, String>(0)?, (row.get(1)?, row.get(2)?))))?;
        Ok(rows.collect::<rusqlite::Result<HashMap<_, _>>>()?)
    }

    /// A stored document, parsed.
    pub fn document<T: serde::de::DeserializeOwned>(&self, digest: &str) -> Result<T> {
        let json: String = self
            .conn
            .query_row("SELECT json FROM documents WHERE digest = ?1", [digest], |row| row.get(0))
            .with_context(|| format!("document {digest} is missing from {}", self.path.display()))?;
        serde_json::from_str(&json)
            .with_context(|| format!("document {digest} in {} is malformed", self.path.display()))
    }

    // --- merge ----------------------------------------------------------

    /// Copies the results of run `from` of the database at `other` into run
    /// `into` of this one, with their documents.
    pub fn import(&self, other: &Path, from: RunId, into: RunId) -> Result<usize> {
        self.conn
            .execute("ATTACH DATABASE ?1 AS shard", [other.display().to_string()])
            .with_context(|| format!("failed to attach {}", other.display()))?;
        let copied = (|| -> Result<usize> {
            let tx = self.conn.unchecked_transaction()?;
            // The report documents this database does not have yet: only
            // their checks and findings are copied.
            tx.execute(
                "CREATE TEMP TABLE new_reports AS SELECT DISTINCT report AS digest FROM shard.results
                 WHERE run_id = ?1 AND report IS NOT NULL AND report NOT IN (SELECT digest FROM main.documents)",
                [from],
            )?;
            tx.execute(
                "INSERT OR IGNORE INTO main.documents SELECT digest, json FROM shard.documents WHERE digest IN
                 (SELECT evaluation FROM shard.results WHERE run_id = ?1 UNION SELECT report FROM shard.results WHERE run_id = ?1)",
                [from],
            )?;
            for table in ["checks", "category_scores", "findings"] {
                tx.execute(
                    &format!(
                        "INSERT OR IGNORE INTO main.{table} SELECT * FROM shard.{table} WHERE report IN (SELECT digest FROM temp.new_reports)"
                    ),
                    [],
                )?;
            }
            tx.execute("DROP TABLE temp.new_reports", [])?;
            let copied = tx.execute(
                &format!("INSERT INTO main.results SELECT ?2, {RESULT_COLUMNS} FROM shard.results WHERE run_id = ?1"),
                params![from, into],
            )?;
            tx.commit()?;
            Ok(copied)
        })();
        self.conn.execute("DETACH DATABASE shard", []).context("failed to detach the shard database")?;
        copied.with_context(|| format!("failed to import {}", other.display()))
    }

    /// Records a merged run combining `shards`.
    pub fn start_merged_run(&self, template: &Run, shards: &str, started_at: &str, total: usize) -> Result<RunId> {
        self.conn
            .execute(
                "INSERT INTO runs (catalog, catalog_digest, settings_digest, shard, started_at, state, total, merged_from)
                 VALUES (?1, ?2, ?3, NULL, ?4, 'running', ?5, ?6)",
                params![
                    template.catalog,
                    template.catalog_digest,
                    template.settings_digest,
                    started_at,
                    count(total),
                    shards
                ],
            )
            .context("failed to record the merged run")?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Sets when run `id` finished and how.
    pub fn close_run(&self, id: RunId, state: RunState, finished_at: &str, interruptions: u32) -> Result<()> {
        self.conn.execute(
            "UPDATE runs SET state = ?2, finished_at = ?3, interruptions = ?4 WHERE id = ?1",
            params![id, state.as_str(), finished_at, interruptions],
        )?;
        Ok(())
    }
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The current time, RFC 3339 UTC.
pub fn now() -> String {
    let now = jiff::Timestamp::now();
    now.round(jiff::Unit::Second).unwrap_or(now).to_string()
}

fn insert_document(tx: &rusqlite::Transaction<'_>, json: &str) -> Result<(String, bool)> {
    let digest = hex::encode(Sha256::digest(json.as_bytes()));
    let inserted =
        tx.execute("INSERT OR IGNORE INTO documents (digest, json) VALUES (?1, ?2)", params![digest, json])?;
    Ok((digest, inserted == 1))
}

fn index_report(tx: &rusqlite::Transaction<'_>, digest: &str, report: &Report) -> Result<()> {
    let mut check = tx.prepare_cached(
        "INSERT OR IGNORE INTO checks (report, check_id, category, status, score) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut finding = tx.prepare_cached(
        "INSERT INTO findings (report, check_id, severity, message, path, line, commit_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for c in &report.checks {
        check.execute(params![digest, c.id, c.category, c.status.as_str(), c.score])?;
        for f in &c.findings {
            let location = f.locations.first();
            finding.execute(params![
                digest,
                c.id,
                f.severity.as_str(),
                f.message,
                location.map(|l| &l.path),
                location.and_then(|l| l.line),
                location.and_then(|l| l.commit.as_ref()),
            ])?;
        }
    }
    let mut category =
        tx.prepare_cached("INSERT OR IGNORE INTO category_scores (report, category, score) VALUES (?1, ?2, ?3)")?;
    for c in &report.categories {
        category.execute(params![digest, c.name, c.score])?;
    }
    Ok(())
}

const RUN_COLUMNS: &str = "id, catalog, catalog_digest, settings_digest, shard, started_at, finished_at, state, interruptions, total, merged_from";
const RUN_COLUMN_COUNT: usize = 11;
const RESULT_COLUMNS: &str = "repository, team, url, recorded_stage, outcome, commit_id, cache_key, stage, score, error_kind, error, attempts, git_ms, plugin_ms, evaluation, report, finished_at, stage_rank";

fn run_from_row(row: &Row<'_>) -> rusqlite::Result<Run> {
    Ok(Run {
        id: row.get(0)?,
        catalog: row.get(1)?,
        catalog_digest: row.get(2)?,
        settings_digest: row.get(3)?,
        shard: row.get(4)?,
        started_at: row.get(5)?,
        finished_at: row.get(6)?,
        state: RunState::parse(&row.get::<_, String>(7)?),
        interruptions: row.get(8)?,
        total: row.get(9)?,
        merged_from: row.get(10)?,
    })
}

fn result_from_row(row: &Row<'_>) -> rusqlite::Result<ResultRow> {
    result_from_row_at(row, 0)
}

fn result_from_row_at(row: &Row<'_>, at: usize) -> rusqlite::Result<ResultRow> {
    Ok(ResultRow {
        repository: row.get(at)?,
        team: row.get(at + 1)?,
        url: row.get(at + 2)?,
        recorded_stage: row.get(at + 3)?,
        outcome: ResultOutcome::parse(&row.get::<_, String>(at + 4)?),
        commit: row.get(at + 5)?,
        cache_key: row.get(at + 6)?,
        stage: row.get(at + 7)?,
        score: row.get(at + 8)?,
        error_kind: row.get::<_, Option<String>>(at + 9)?.as_deref().map(ScanErrorKind::parse),
        error: row.get(at + 10)?,
        attempts: row.get(at + 11)?,
        git_ms: row.get(at + 12)?,
        plugin_ms: row.get(at + 13)?,
        evaluation: row.get(at + 14)?,
        report: row.get(at + 15)?,
        finished_at: row.get(at + 16)?,
        stage_rank: row.get(at + 17)?,
    })
}

/// Fails unless every run in `runs` describes the same scan setup.
pub fn ensure_same_setup(runs: &[(PathBuf, Run)]) -> Result<()> {
    let Some((first_path, first)) = runs.first() else { return Ok(()) };
    for (path, run) in &runs[1..] {
        if run.catalog_digest != first.catalog_digest || run.settings_digest != first.settings_digest {
            return Err(UserError::new(format!(
                "{} and {} come from scans of different catalogs, policies or plugins; merge only shards of one scan",
                first_path.display(),
                path.display()
            ))
            .into());
        }
    }
    Ok(())
}

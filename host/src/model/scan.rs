//! The nightly scan's records: runs, per-repository results and their
//! tallies, as the store keeps them and the reports show them.

use serde::Serialize;

pub type RunId = i64;

/// How a run ended (or that it has not).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunState {
    /// In progress, or killed without a chance to say so (the scan lock
    /// tells which).
    Running,
    /// Stopped by a signal; the next scan of the same catalog resumes it.
    Interrupted,
    Complete,
}

impl RunState {
    pub fn as_str(self) -> &'static str {
        match self {
            RunState::Running => "running",
            RunState::Interrupted => "interrupted",
            RunState::Complete => "complete",
        }
    }

    pub(crate) fn parse(text: &str) -> RunState {
        match text {
            "complete" => RunState::Complete,
            "interrupted" => RunState::Interrupted,
            _ => RunState::Running,
        }
    }
}

/// A run of `fledge scan` or `fledge merge`.
#[derive(Clone, Debug, Serialize)]
pub struct Run {
    pub id: RunId,
    pub catalog: String,
    pub catalog_digest: String,
    pub settings_digest: String,
    pub shard: Option<String>,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub state: RunState,
    pub interruptions: u32,
    pub total: u32,
    pub merged_from: Option<String>,
}

/// What became of one repository in a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ResultOutcome {
    /// Checked by the plugins.
    Scanned,
    /// Unchanged since a successful scan (commit, plugins, policy): that
    /// result was reused.
    Cached,
    /// Not checked; see the error.
    Error,
}

impl ResultOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            ResultOutcome::Scanned => "scanned",
            ResultOutcome::Cached => "cached",
            ResultOutcome::Error => "error",
        }
    }

    pub(crate) fn parse(text: &str) -> ResultOutcome {
        match text {
            "scanned" => ResultOutcome::Scanned,
            "cached" => ResultOutcome::Cached,
            _ => ResultOutcome::Error,
        }
    }
}

/// Why a repository has no result in a run (or, for `Plugin`, why its
/// result is incomplete).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScanErrorKind {
    PathMissing,
    NotARepository,
    NoCommits,
    UnknownRevision,
    /// The remote could not be reached; retried on the next scan.
    Unreachable,
    Auth,
    Corrupt,
    /// The repository took longer than `--repo-timeout`.
    Timeout,
    /// Some plugin failed on the repository (the result is kept).
    Plugin,
    /// fledge itself failed (a worker, a pool).
    Internal,
    Other,
}

impl ScanErrorKind {
    const ALL: [ScanErrorKind; 11] = [
        ScanErrorKind::PathMissing,
        ScanErrorKind::NotARepository,
        ScanErrorKind::NoCommits,
        ScanErrorKind::UnknownRevision,
        ScanErrorKind::Unreachable,
        ScanErrorKind::Auth,
        ScanErrorKind::Corrupt,
        ScanErrorKind::Timeout,
        ScanErrorKind::Plugin,
        ScanErrorKind::Internal,
        ScanErrorKind::Other,
    ];

    /// The kind's stable name, as recorded in the store and the reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ScanErrorKind::PathMissing => "path-missing",
            ScanErrorKind::NotARepository => "not-a-repository",
            ScanErrorKind::NoCommits => "no-commits",
            ScanErrorKind::UnknownRevision => "unknown-revision",
            ScanErrorKind::Unreachable => "unreachable",
            ScanErrorKind::Auth => "auth",
            ScanErrorKind::Corrupt => "corrupt",
            ScanErrorKind::Timeout => "timeout",
            ScanErrorKind::Plugin => "plugin",
            ScanErrorKind::Internal => "internal",
            ScanErrorKind::Other => "other",
        }
    }

    /// The kind named `text`; a name this version does not know is `Other`.
    pub(crate) fn parse(text: &str) -> ScanErrorKind {
        ScanErrorKind::ALL.into_iter().find(|k| k.as_str() == text).unwrap_or(ScanErrorKind::Other)
    }
}

impl std::fmt::Display for ScanErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One repository's result in a run.
#[derive(Clone, Debug, Serialize)]
pub struct ResultRow {
    pub repository: String,
    pub team: Option<String>,
    pub url: String,
    /// The stage the catalog has on record.
    pub recorded_stage: Option<String>,
    pub outcome: ResultOutcome,
    pub commit: Option<String>,
    #[serde(skip)]
    pub cache_key: Option<String>,
    pub stage: Option<String>,
    pub score: Option<f64>,
    /// `unreachable`, `auth`, `corrupt`, `timeout`, `plugin`... (a
    /// `plugin` error comes with a result: some plugin failed on it).
    pub error_kind: Option<ScanErrorKind>,
    pub error: Option<String>,
    pub attempts: u32,
    /// Time acquiring (fetch) and reading the repository, in ms.
    pub git_ms: f64,
    /// Time running the plugins, in ms.
    pub plugin_ms: f64,
    /// Digest of the stored evaluation.
    #[serde(skip)]
    pub evaluation: Option<String>,
    /// Digest of the stored report.
    #[serde(skip)]
    pub report: Option<String>,
    pub finished_at: String,
    /// The stage's position among the policy's stages (0 = the first), to
    /// tell a regression from an improvement.
    pub stage_rank: Option<u32>,
}

/// Results counted by outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub scanned: usize,
    pub cached: usize,
    pub errors: usize,
    /// Scanned or cached, but some plugin failed on it.
    pub plugin_errors: usize,
}

impl Tally {
    pub fn add(&mut self, row: &ResultRow) {
        match row.outcome {
            ResultOutcome::Scanned => self.scanned += 1,
            ResultOutcome::Cached => self.cached += 1,
            ResultOutcome::Error => self.errors += 1,
        }
        if row.outcome != ResultOutcome::Error && row.error_kind.is_some() {
            self.plugin_errors += 1;
        }
    }
}

/// "15 scanned, 480 cached, 5 errors (2 with a plugin error)"
impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} scanned, {} cached, {} errors", self.scanned, self.cached, self.errors)?;
        if self.plugin_errors > 0 {
            write!(f, " ({} with a plugin error)", self.plugin_errors)?;
        }
        Ok(())
    }
}

/// The headline of one result: enough for trends and sparklines.
#[derive(Clone, Debug)]
pub struct Headline {
    pub run: RunId,
    pub repository: String,
    pub outcome: ResultOutcome,
    pub stage: Option<String>,
    pub stage_rank: Option<u32>,
    pub score: Option<f64>,
}

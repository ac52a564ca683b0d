//! The nightly-scan commands: `fledge scan`, `report`, `history` and
//! `merge`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;

use super::{DbArgs, PluginArgs, RuntimeArgs, UserError, load_setup, today, write_output, write_stdout};
use crate::catalog::{Catalog, Entry, Shard};
use crate::located::FileErrors;
use crate::model::scan::{Run, RunState};
use crate::report::{self, Format};
use crate::scan::ProgressMode;
use crate::scan::{self, Job, ScanSettings, Setup};
use crate::store::{self, Store};
use crate::trends::{self, Selection};

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// The catalog (TOML; see docs/nightly.md).
    pub catalog: PathBuf,
    /// Repositories checked at the same time (default: the number of cores).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Clones and fetches at the same time.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub fetch_jobs: usize,
    /// Scan only shard K of N (a deterministic split by name), e.g. 3/10.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    #[command(flatten)]
    pub db: DbArgs,
    /// The policy of repositories the catalog gives none (overrides the
    /// catalog's top-level `policy`).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Exit with code 1 if any repository could not be scanned or a plugin failed.
    #[arg(long)]
    pub fail_on_error: bool,
    /// Retries of a fetch that failed on a network error.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub retries: u32,
    /// Seconds before the first retry (doubled for each next one).
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0)]
    pub retry_delay: f64,
    /// Seconds after which one repository is given up (recorded as a timeout).
    #[arg(long, value_name = "SECONDS", default_value_t = 1800.0)]
    pub repo_timeout: f64,
    /// Check every repository, even those unchanged since their last scan.
    #[arg(long)]
    pub force: bool,
    /// Progress on stderr: a bar on a terminal, else one line per repository.
    #[arg(long, value_enum, default_value_t = ProgressMode::Auto)]
    pub progress: ProgressMode,
    #[command(flatten)]
    pub plugins: PluginArgs,
    #[command(flatten)]
    pub runtime: RuntimeArgs,
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The run to report on (default: the latest).
    #[arg(long, value_name = "ID")]
    pub run: Option<i64>,
    /// Changes over this period (e.g. 7d, 24h, 2w) instead of since the previous run.
    #[arg(long, value_name = "PERIOD")]
    pub since: Option<String>,
    /// Smallest score change reported, in points.
    #[arg(long, value_name = "POINTS", default_value_t = 1.0)]
    pub min_change: f64,
    /// Output format.
    #[arg(long, default_value = "table", value_parser = Format::parser(Format::RUN))]
    pub format: Format,
    /// Write the report to this file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write each repository's SVG badge into this directory (created
    /// if missing); the dashboard shows each badge's embed snippet.
    #[arg(long, value_name = "DIR")]
    pub badges: Option<PathBuf>,
    /// The address the badges are served from, for the embed snippets
    /// (default: the --badges directory as given).
    #[arg(long, value_name = "URL", requires = "badges")]
    pub badge_url: Option<String>,
}

#[derive(Args, Debug)]
pub struct HistoryArgs {
    /// The repository's name in the catalog.
    pub name: String,
    #[command(flatten)]
    pub db: DbArgs,
    /// Output format.
    #[arg(long, default_value = "table", value_parser = Format::parser(Format::LIST))]
    pub format: Format,
}

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// The shards' databases (each from `fledge scan --shard K/N --db FILE`).
    #[arg(required = true, value_name = "SHARD_DB")]
    pub shards: Vec<PathBuf>,
    /// The database to merge into.
    #[command(flatten)]
    pub db: DbArgs,
    /// Merge even if some shards of the split are missing.
    #[arg(long)]
    pub partial: bool,
}

/// Exit code of a scan stopped by a signal (128 + SIGINT).
const INTERRUPTED: u8 = 130;

fn seconds(value: f64, flag: &str) -> Result<Duration> {
    super::seconds(value, flag, 0.0)
}

pub fn scan(args: &ScanArgs) -> Result<ExitCode> {
    let limits = args.runtime.limits()?;
    let open = args.runtime.open_options();
    let catalog = Catalog::load(&args.catalog)?;
    let entries = catalog.select(args.shard);
    if entries.is_empty() {
        log::warn!(
            "shard {} of {} has no repositories",
            args.shard.map_or_else(String::new, |s| s.to_string()),
            catalog.source
        );
    }
    let runtime = Arc::new(args.runtime.runtime()?);
    let default_policy = args.policy.clone().or_else(|| catalog.policy.clone());
    // Loading the plugins (compiling them on first use, which can take
    // minutes) is part of what a scan costs, and is reported as such.
    let setup_start = std::time::Instant::now();
    // The setups of the whole catalog, not only of this shard: the run's
    // settings digest must be the same in every shard, empty ones included,
    // for `fledge merge` to accept them as one scan.
    let mut setups: HashMap<Option<PathBuf>, Arc<Setup>> = HashMap::new();
    for entry in &catalog.repositories {
        let policy_path = entry.policy.clone().or_else(|| default_policy.clone());
        if let std::collections::hash_map::Entry::Vacant(slot) = setups.entry(policy_path) {
            let (policy, plugins) = load_setup(slot.key().as_deref(), &args.plugins, &runtime)?;
            slot.insert(Arc::new(Setup::new(policy, plugins, &open, &limits)));
        }
    }
    let mut errors = Vec::new();
    let mut jobs = Vec::with_capacity(entries.len());
    for entry in entries {
        let policy_path = entry.policy.clone().or_else(|| default_policy.clone());
        let Some(setup) = setups.get(&policy_path).map(Arc::clone) else { continue };
        check_entry(entry, &setup, policy_path.as_deref(), &mut errors);
        jobs.push(Job { entry: entry.clone(), setup });
    }
    let setup_time = setup_start.elapsed();
    if !errors.is_empty() {
        return Err(UserError::new(FileErrors { file: catalog.source.clone(), errors }.to_string()).into());
    }

    // Every argument is checked before the database is touched.
    let retry_delay = seconds(args.retry_delay, "--retry-delay")?;
    let repo_timeout = seconds(args.repo_timeout, "--repo-timeout")?;
    let today = today()?;
    let db = args.db.path();
    let store = Store::open(&db)?;
    let _lock = store.lock_for_scan()?;
    let stale = crate::git::acquire::clean_stale_mirrors(&args.runtime.cache_dir());
    if stale > 0 {
        log::info!("removed {stale} partial clones left by stopped scans");
    }
    // The catalog is known by its absolute path, so that runs from any
    // directory resume one another.
    let catalog_key =
        std::fs::canonicalize(&args.catalog).unwrap_or_else(|_| args.catalog.clone()).display().to_string();
    let shard = args.shard.map(|s| s.to_string());
    let settings_digest = scan::settings_digest(setups.values());
    let run = match store.resumable_run(&catalog_key, shard.as_deref(), &catalog.digest, &settings_digest)? {
        Some(id) => {
            store.resume_run(id)?;
            log::warn!("resuming run {id}, which was interrupted");
            id
        }
        None => store.start_run(&catalog_key, &catalog.digest, &settings_digest, shard.as_deref(), jobs.len())?,
    };
    let settings = ScanSettings {
        jobs: args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get())).max(1),
        fetch_jobs: args.fetch_jobs.max(1),
        retries: args.retries,
        retry_delay,
        repo_timeout,
        force: args.force,
        open,
        limits,
        today,
        progress: args.progress,
    };
    let summary = scan::scan(runtime, store, run, jobs, settings)?;
    let mut text = format!(
        "run {}{}: {} repositories in {:.1} s (plus {:.1} s loading plugins): {}",
        summary.run,
        shard.as_ref().map_or(String::new(), |s| format!(" (shard {s})")),
        summary.total,
        summary.elapsed.as_secs_f64(),
        setup_time.as_secs_f64(),
        summary.tally
    );
    if summary.resumed > 0 {
        text.push_str(&format!(", {} from before the interruption", summary.resumed));
    }
    text.push_str(&format!(
        "\ntime summed over repositories: git {:.1} s, plugins {:.1} s\n",
        summary.git.as_secs_f64(),
        summary.plugins.as_secs_f64()
    ));
    if summary.interrupted {
        text.push_str("interrupted: run the same command again to resume\n");
    } else {
        text.push_str(&format!("database {}; see `fledge report`\n", db.display()));
    }
    write_stdout(&text)?;
    if summary.interrupted {
        return Ok(ExitCode::from(INTERRUPTED));
    }
    if args.fail_on_error && summary.tally.errors + summary.tally.plugin_errors > 0 {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// Catalog errors only the policy can reveal: a stage or kind it does not define.
fn check_entry(entry: &Entry, setup: &Setup, policy: Option<&Path>, errors: &mut Vec<(usize, String)>) {
    let policy_name = policy.map_or_else(|| "the built-in policy".to_owned(), |p| format!("policy {}", p.display()));
    let policy = &setup.policy;
    if let Some(stage) = &entry.stage
        && !policy.stages.iter().any(|s| s.name == *stage)
    {
        let names: Vec<&str> = policy.stages.iter().map(|s| s.name.as_str()).collect();
        errors.push((
            entry.line,
            format!("`{}`: stage `{stage}` is not a stage of {policy_name} ({})", entry.name, names.join(", ")),
        ));
    }
    if let Some(kind) = &entry.kind
        && !policy.kinds.contains_key(kind)
    {
        let kinds: Vec<&str> = policy.kinds.keys().map(String::as_str).collect();
        let known = if kinds.is_empty() { "it defines none".to_owned() } else { kinds.join(", ") };
        errors.push((entry.line, format!("`{}`: kind `{kind}` is not defined by {policy_name} ({known})", entry.name)));
    }
}

/// Parses a period such as `7d`, `36h`, `2w` or `1w 3d`.
fn period(text: &str) -> Result<Duration> {
    let invalid = |e: &dyn std::fmt::Display| {
        UserError::new(format!("--since `{text}` is not a period such as 7d, 24h or 2w: {e}"))
    };
    let span: jiff::Span = text.parse().map_err(|e| invalid(&e))?;
    let duration = span.to_duration(jiff::SpanRelativeTo::days_are_24_hours()).map_err(|e| invalid(&e))?;
    Duration::try_from(duration).map_err(|e| invalid(&e).into())
}

pub fn report(args: &ReportArgs) -> Result<ExitCode> {
    if !(args.min_change.is_finite() && args.min_change >= 0.0) {
        return Err(UserError::new("--min-change must be a number of points, 0 or more").into());
    }
    let selection = Selection {
        run: args.run,
        since: args.since.as_deref().map(period).transpose()?,
        min_change: args.min_change,
        ..Selection::default()
    };
    let store = Store::open_existing(&args.db.path())?;
    let mut report = trends::run_report(&store, &selection)?;
    if let Some(dir) = &args.badges {
        write_badges(&mut report, dir, args.badge_url.as_deref())?;
    }
    let text = report::render_run(&report, args.format)?;
    write_output(args.output.as_deref(), &text)?;
    Ok(ExitCode::SUCCESS)
}

/// Writes the badge of every repository with a stage into `dir` and
/// records where it is served from.
fn write_badges(report: &mut trends::RunReport, dir: &Path, url: Option<&str>) -> Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| UserError::new(format!("cannot create the badge directory {}: {e}", dir.display())))?;
    let base = url.map_or_else(|| dir.display().to_string(), str::to_owned);
    for entry in &mut report.repositories {
        let (Some(stage), Some(score)) = (&entry.result.stage, entry.result.score) else { continue };
        let name = report::badge::file_name(&entry.result.repository);
        let svg = report::badge::svg(stage, score, report::badge::colour(&entry.stages));
        let path = dir.join(&name);
        std::fs::write(&path, svg)
            .map_err(|e| UserError::new(format!("cannot write the badge {}: {e}", path.display())))?;
        entry.badge = Some(format!("{}/{name}", base.trim_end_matches('/')));
    }
    Ok(())
}

pub fn history(args: &HistoryArgs) -> Result<ExitCode> {
    let store = Store::open_existing(&args.db.path())?;
    let entries = trends::history(&store, &args.name)?;
    let text = match args.format {
        Format::Json => serde_json::to_string_pretty(&entries).context("failed to serialise the history")? + "\n",
        _ => {
            let mut out = format!("{} ({} runs)\n", args.name, entries.len());
            out.push_str(&format!(
                "  {:>5}  {:<20}  {:<8}  {:<12}  {:<12}  {:>6}  {:>6}  {}\n",
                "RUN", "STARTED", "OUTCOME", "COMMIT", "STAGE", "SCORE", "CHANGE", "ERROR"
            ));
            for entry in &entries {
                let result = &entry.result;
                let commit = result.commit.as_deref().map_or("-", |c| &c[..c.len().min(12)]);
                out.push_str(&format!(
                    "  {:>5}  {:<20}  {:<8}  {:<12}  {:<12}  {:>6}  {:>6}  {}\n",
                    entry.run,
                    entry.started_at.get(..19).unwrap_or(&entry.started_at),
                    result.outcome.as_str(),
                    commit,
                    result.stage.as_deref().unwrap_or("-"),
                    result.score.map_or_else(|| "-".to_owned(), |s| format!("{s:.1}")),
                    report::run::signed(entry.score_change),
                    result.error.as_deref().unwrap_or("")
                ));
            }
            out
        }
    };
    write_stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}

pub fn merge(args: &MergeArgs) -> Result<ExitCode> {
    let target_path = args.db.path();
    let mut shards: Vec<(PathBuf, Run, Shard)> = Vec::new();
    for path in &args.shards {
        if let (Ok(shard), Ok(target)) = (std::fs::canonicalize(path), std::fs::canonicalize(&target_path))
            && shard == target
        {
            return Err(UserError::new(format!(
                "{} is the database merged into; pass the shards' databases",
                path.display()
            ))
            .into());
        }
        let store = Store::open_existing(path)?;
        let run = store.runs()?.into_iter().find(|r| r.shard.is_some()).ok_or_else(|| {
            UserError::new(format!(
                "{} holds no shard run (scan with --shard K/N --db {})",
                path.display(),
                path.display()
            ))
        })?;
        let shard: Shard = run.shard.as_deref().unwrap_or_default().parse().map_err(UserError::new)?;
        if run.state != RunState::Complete {
            return Err(UserError::new(format!(
                "{}: shard {shard} (run {}) is {}; run its scan again to finish it before merging",
                path.display(),
                run.id,
                run.state.as_str()
            ))
            .into());
        }
        if let Some((other, ..)) = shards.iter().find(|(_, r, _)| r.shard == run.shard) {
            return Err(
                UserError::new(format!("{} and {} both hold shard {shard}", other.display(), path.display())).into()
            );
        }
        shards.push((path.clone(), run, shard));
    }
    let runs: Vec<(PathBuf, Run)> = shards.iter().map(|(p, r, _)| (p.clone(), r.clone())).collect();
    store::ensure_same_setup(&runs)?;
    shards.sort_by_key(|(_, _, s)| s.index);
    let count = shards.first().map_or(0, |(_, _, s)| s.count);
    if let Some((path, _, shard)) = shards.iter().find(|(_, _, s)| s.count != count) {
        return Err(
            UserError::new(format!("{} holds shard {shard}, of a split other than {count}", path.display())).into()
        );
    }
    let missing: Vec<String> =
        (1..=count).filter(|k| !shards.iter().any(|(_, _, s)| s.index == *k)).map(|k| format!("{k}/{count}")).collect();
    if !missing.is_empty() && !args.partial {
        return Err(UserError::new(format!(
            "shards {} are missing; pass their databases, or --partial to merge without them",
            missing.join(", ")
        ))
        .into());
    }

    let starts: Vec<jiff::Timestamp> = shards.iter().filter_map(|(_, r, _)| r.started_at.parse().ok()).collect();
    if let (Some(first), Some(last)) = (starts.iter().min(), starts.iter().max())
        && last.duration_since(*first) > jiff::SignedDuration::from_hours(12)
    {
        log::warn!(
            "the shard runs started more than 12 hours apart ({first} to {last}); is one of them from another night?"
        );
    }
    let target = Store::open(&target_path)?;
    let _lock = target.lock_for_scan()?;
    let merged_from: Vec<String> =
        shards.iter().map(|(_, run, shard)| format!("{shard} (run {}, {})", run.id, run.started_at)).collect();
    let merged_from = merged_from.join(", ");
    // Merged already (a retried job, or a night with nothing new): nothing
    // to do, which is not a failure; merging again would count them twice.
    if let Some(existing) = target.runs()?.iter().find(|r| r.merged_from.as_deref() == Some(merged_from.as_str())) {
        write_stdout(&format!(
            "these shard runs are already merged into {} as run {}; nothing to merge\n",
            target_path.display(),
            existing.id
        ))?;
        return Ok(ExitCode::SUCCESS);
    }
    let template = &shards[0].1;
    let started_at = shards.iter().map(|(_, r, _)| r.started_at.as_str()).min().unwrap_or_default().to_owned();
    let finished_at = shards.iter().filter_map(|(_, r, _)| r.finished_at.clone()).max().unwrap_or_else(store::now);
    let total: usize = shards.iter().map(|(_, r, _)| r.total as usize).sum();
    let interruptions: u32 = shards.iter().map(|(_, r, _)| r.interruptions).sum();
    let merged = target.start_merged_run(template, &merged_from, &started_at, total)?;
    let mut imported = 0;
    for (path, run, _) in &shards {
        imported += target.import(path, run.id, merged)?;
    }
    let state = if missing.is_empty() { RunState::Complete } else { RunState::Interrupted };
    target.close_run(merged, state, &finished_at, interruptions)?;
    write_stdout(&format!(
        "merged {} shards ({imported} repositories) into run {merged} of {}{}\n",
        shards.len(),
        target_path.display(),
        if missing.is_empty() { String::new() } else { format!("; missing shards {}", missing.join(", ")) }
    ))?;
    Ok(ExitCode::SUCCESS)
}

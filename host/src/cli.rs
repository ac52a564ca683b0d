//! The command line: parses arguments into typed options and dispatches to
//! the commands. Exit codes are part of the interface (see [`EXIT_CODES`]).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};

mod attest;
mod nightly;

use crate::catalog::Shard;
use crate::check::{self, CheckOptions};
pub use crate::error::{UserError, exit_code_for};
use crate::git::{OpenOptions, Target};
use crate::plugins::{PluginSet, PluginSources};
use crate::policy::{DEFAULT_POLICY, Policy};
use crate::report::terminal::{self, Style};
use crate::report::{badge, markdown, printable, sarif};
use crate::runtime::{Limits, Runtime};
use crate::scaffold::{self, Language};
use crate::scan::ProgressMode;
use crate::store::Store;
use crate::trial;

pub const EXIT_CODES: &str = "Exit codes:
  0  success
  1  a required stage was not reached (--require-stage), results differ (plugin test --expect),
     or a repository failed (scan --fail-on-error)
  2  usage or input error (bad arguments, missing repository, bad plugin)
  3  internal error
  130  the scan was interrupted (SIGINT/SIGTERM); the next scan resumes it";

#[derive(Parser, Debug)]
#[command(
    name = "fledge",
    version,
    about = "Decides when an inner-source project is ready to become public open source",
    after_help = EXIT_CODES
)]
pub struct Cli {
    /// More log output on stderr (-v info, -vv debug); FLEDGE_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// When to colour the output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    /// Seconds to wait for a git server to accept a connection.
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0, global = true)]
    pub connect_timeout: f64,
    /// Seconds a git server may stay silent during a clone or fetch.
    #[arg(long, value_name = "SECONDS", default_value_t = 60.0, global = true)]
    pub network_timeout: f64,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check one repository's readiness for publication.
    Check(CheckArgs),
    /// List the plugins and the checks each provides.
    Plugins(PluginsArgs),
    /// Write out or validate a graduation policy.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Write a new plugin, or try one out.
    #[command(subcommand)]
    Plugin(PluginCommand),
    /// Scan every repository of a catalog into the scan database.
    Scan(ScanArgs),
    /// Report on a scan run: what changed, what fails, a dashboard.
    Report(ReportArgs),
    /// One repository's results over time.
    History(HistoryArgs),
    /// Combine the databases of a sharded scan into one run.
    Merge(MergeArgs),
    /// Sign or verify the committee's attestations.
    #[command(subcommand)]
    Attest(attest::AttestCommand),
}

#[derive(Args, Debug)]
pub struct DbArgs {
    /// The scan database (default: the XDG data directory, e.g.
    /// ~/.local/share/fledge/fledge.db).
    #[arg(long, env = "FLEDGE_DB", value_name = "FILE")]
    pub db: Option<PathBuf>,
}

impl DbArgs {
    pub fn path(&self) -> PathBuf {
        self.db.clone().unwrap_or_else(Store::default_path)
    }
}

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

/// Formats of the run report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RunFormat {
    /// A summary and the changes.
    Table,
    /// JSON, see docs/report-schema.md.
    Json,
    /// Markdown: summary, changes, every repository.
    Markdown,
    /// A single-file HTML dashboard.
    Html,
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
    #[arg(long, value_enum, default_value_t = RunFormat::Table)]
    pub format: RunFormat,
    /// Write the report to this file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct HistoryArgs {
    /// The repository's name in the catalog.
    pub name: String,
    #[command(flatten)]
    pub db: DbArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
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

#[derive(Subcommand, Debug)]
pub enum PluginCommand {
    /// Create a plugin project that builds against this fledge's contract.
    New {
        /// The plugin's name (lowercase, dashes); check ids start with it.
        name: String,
        /// The language of the plugin.
        #[arg(long, value_enum, default_value_t = Language::Rust)]
        lang: Language,
        /// Where to create it (default: a directory named like the plugin).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Run one plugin on a repository or a plain directory and show what it found.
    Test {
        /// The plugin (a wasm32-wasip2 component).
        plugin: PathBuf,
        /// A repository (path or URL) or a plain directory.
        target: String,
        /// The plugin's configuration, as JSON.
        #[arg(long, value_name = "JSON", default_value = "{}")]
        config: String,
        /// Compare with the expected results in this JSON file; exit 1 on a difference.
        #[arg(long, value_name = "FILE")]
        expect: Option<PathBuf>,
        /// With --expect: write the results to the file instead of comparing.
        #[arg(long, requires = "expect")]
        bless: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
        #[command(flatten)]
        runtime: RuntimeArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum PolicyCommand {
    /// Write the default policy, commented, to a file (or `-` for stdout).
    Init {
        /// Where to write it.
        #[arg(default_value = "fledge-policy.toml")]
        path: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Validate a policy file against the plugins' checks.
    Check {
        /// The policy file.
        path: PathBuf,
        #[command(flatten)]
        plugins: PluginArgs,
        #[command(flatten)]
        runtime: RuntimeArgs,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A readable table.
    Table,
    /// JSON, see docs/report-schema.md.
    Json,
    /// Markdown, for a review ticket or a pull request comment.
    Markdown,
    /// SARIF 2.1.0, for code-scanning interfaces.
    Sarif,
    /// An SVG badge with the stage and the score.
    Badge,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The repository: a local path (working tree or bare) or a URL
    /// (https://, ssh://, git@host:path, file://).
    pub target: String,
    /// The revision to check (branch, tag or commit); default HEAD.
    #[arg(long)]
    pub rev: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the report to this file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The graduation policy (default: the built-in one; see `fledge policy init`).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Exit with code 1 unless this stage is reached.
    #[arg(long, value_name = "STAGE")]
    pub require_stage: Option<String>,
    /// The repository's name, which exemptions match (default: from
    /// .fledge/repository.toml, else the URL's path or the directory's name).
    #[arg(long)]
    pub name: Option<String>,
    /// The repository's kind: a check set of the policy (library, service, docs, sample...).
    #[arg(long)]
    pub kind: Option<String>,
    #[command(flatten)]
    pub plugins: PluginArgs,
    #[command(flatten)]
    pub runtime: RuntimeArgs,
    /// Plugins run at the same time (default: the number of cores).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
}

/// Formats of listings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// A readable table.
    Table,
    /// JSON.
    Json,
}

#[derive(Args, Debug)]
pub struct PluginsArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
    /// Also list the plugins this policy pins.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    #[command(flatten)]
    pub plugins: PluginArgs,
    #[command(flatten)]
    pub runtime: RuntimeArgs,
}

#[derive(Args, Debug)]
pub struct PluginArgs {
    /// Add a plugin (a wasm32-wasip2 component); repeatable.
    #[arg(long = "plugin", value_name = "WASM")]
    pub plugins: Vec<PathBuf>,
    /// Add every plugin in a directory (site-wide plugins); repeatable.
    #[arg(long = "plugin-dir", value_name = "DIR", env = "FLEDGE_PLUGIN_DIR", value_delimiter = ':')]
    pub plugin_dirs: Vec<PathBuf>,
    /// Leave out the built-in plugins.
    #[arg(long)]
    pub no_builtin: bool,
}

impl PluginArgs {
    /// The plugin sources of a run: these arguments plus the plugins
    /// `policy` (read from `policy_path`) pins.
    pub fn sources(&self, policy: &Policy, policy_path: Option<&Path>) -> PluginSources {
        let policy_dir = policy_path.and_then(Path::parent).unwrap_or(Path::new("."));
        PluginSources {
            builtins: !self.no_builtin,
            dirs: self.plugin_dirs.clone(),
            paths: self.plugins.clone(),
            pinned: PluginSources::pinned_by(policy, policy_dir),
        }
    }
}

#[derive(Args, Debug)]
pub struct RuntimeArgs {
    /// Where remote mirrors and compiled plugins are kept
    /// (default: the XDG cache directory, e.g. ~/.cache/fledge).
    #[arg(long, env = "FLEDGE_CACHE_DIR", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// CPU time limit per plugin run, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60.0)]
    pub timeout: f64,
    /// Memory limit per plugin run, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 512)]
    pub memory_limit: u64,
    /// Bytes a plugin run may read from the repository, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 4096)]
    pub read_limit: u64,
    /// Blobs larger than this are never read, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 64)]
    pub max_blob_size: u64,
    /// Findings kept per plugin run.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub max_findings: usize,
}

impl RuntimeArgs {
    pub fn limits(&self) -> Result<Limits> {
        let timeout = seconds(self.timeout, "--timeout", f64::MIN_POSITIVE)?;
        for (value, flag, max) in [
            (self.memory_limit, "--memory-limit", 1 << 20),
            (self.read_limit, "--read-limit", 1 << 30),
            (self.max_blob_size, "--max-blob-size", 1 << 20),
            (self.max_findings as u64, "--max-findings", 10_000_000),
        ] {
            if !(1..=max).contains(&value) {
                return Err(
                    UserError::new(format!("{flag} must be a whole number from 1 to {max}, not {value}")).into()
                );
            }
        }
        Ok(Limits {
            max_memory_bytes: self.memory_limit.saturating_mul(1 << 20),
            timeout,
            max_read_bytes: self.read_limit.saturating_mul(1 << 20),
            max_findings: self.max_findings,
            ..Limits::default()
        })
    }

    pub fn cache_dir(&self) -> PathBuf {
        self.cache_dir.clone().unwrap_or_else(default_cache_dir)
    }

    pub fn open_options(&self) -> OpenOptions {
        OpenOptions {
            cache_dir: self.cache_dir(),
            max_blob_bytes: self.max_blob_size.saturating_mul(1 << 20),
            ignore: Vec::new(),
            deadline: None,
        }
    }

    /// The runtime, caching compiled plugins under the cache directory.
    pub fn runtime(&self) -> Result<Runtime> {
        Runtime::new(Some(self.cache_dir().join("compiled")))
    }
}

/// The longest duration any flag takes: a week.
const MAX_SECONDS: f64 = 7.0 * 86_400.0;

/// A duration flag: a finite number of seconds from `min` to a week.
pub(crate) fn seconds(value: f64, flag: &str, min: f64) -> Result<Duration> {
    if value.is_finite() && value >= min && value <= MAX_SECONDS {
        Ok(Duration::from_secs_f64(value))
    } else {
        let low = if min > 0.0 { "above 0" } else { "0" };
        let shown = crate::text::shown_number(value);
        Err(UserError::new(format!("{flag} must be a number of seconds from {low} to {MAX_SECONDS}, not {shown}"))
            .into())
    }
}

/// `$XDG_CACHE_HOME/fledge`, `~/.cache/fledge`, or a directory in the
/// system's temporary directory when there is no home.
pub fn default_cache_dir() -> PathBuf {
    dirs::cache_dir().unwrap_or_else(std::env::temp_dir).join("fledge")
}

/// Parses the command line and runs the command.
pub fn run() -> Result<ExitCode> {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let connect = seconds(cli.connect_timeout, "--connect-timeout", 0.001)?;
    let io = seconds(cli.network_timeout, "--network-timeout", 0.001)?;
    crate::git::set_network_timeouts(connect, io).map_err(|e| anyhow::anyhow!("cannot set network timeouts: {e}"))?;
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    match cli.command {
        Command::Check(args) => run_check(&args, Style::new(color), cli.verbose > 0),
        Command::Plugins(args) => run_plugins(&args),
        Command::Policy(PolicyCommand::Init { path, force }) => policy_init(&path, force),
        Command::Policy(PolicyCommand::Check { path, plugins, runtime }) => policy_check(&path, &plugins, &runtime),
        Command::Plugin(PluginCommand::New { name, lang, dir }) => plugin_new(&name, lang, dir),
        Command::Plugin(PluginCommand::Test { plugin, target, config, expect, bless, format, runtime }) => {
            plugin_test(&plugin, &target, &config, expect.as_deref(), bless, format, &runtime)
        }
        Command::Scan(args) => nightly::scan(&args),
        Command::Report(args) => nightly::report(&args),
        Command::History(args) => nightly::history(&args),
        Command::Merge(args) => nightly::merge(&args),
        Command::Attest(command) => attest::run(&command),
    }
}

fn plugin_new(name: &str, lang: Language, dir: Option<PathBuf>) -> Result<ExitCode> {
    let dir = dir.unwrap_or_else(|| PathBuf::from(name));
    let files = scaffold::create(name, lang, &dir)?;
    let next = match lang {
        Language::Rust => format!(
            "cd {dir} && cargo test && cargo build --release --target wasm32-wasip2\nfledge plugin test {dir}/target/wasm32-wasip2/release/{crate_name}.wasm ../some-repo",
            dir = dir.display(),
            crate_name = name.replace('-', "_")
        ),
        Language::Python => format!(
            "cd {} && python -m unittest && pip install componentize-py=={} && componentize-py -d wit -w plugin componentize app -o {name}.wasm",
            dir.display(),
            scaffold::COMPONENTIZE_PY_VERSION
        ),
        Language::Js => format!("cd {} && npm install && npm test && npm run build", dir.display()),
    };
    write_stdout(&format!("created {} files in {}; next:\n{next}\n", files.len(), dir.display()))?;
    Ok(ExitCode::SUCCESS)
}

fn plugin_test(
    plugin: &Path,
    target: &str,
    config: &str,
    expect: Option<&Path>,
    bless: bool,
    format: ListFormat,
    runtime_args: &RuntimeArgs,
) -> Result<ExitCode> {
    let config: serde_json::Value =
        serde_json::from_str(config).map_err(|e| UserError::new(format!("--config is not valid JSON: {e}")))?;
    let runtime = runtime_args.runtime()?;
    let sources = PluginSources { paths: vec![plugin.to_path_buf()], ..PluginSources::default() };
    let set = PluginSet::load(&runtime, &sources)?;
    let Some(loaded) = set.plugins.first() else { return Err(UserError::new("no plugin loaded").into()) };
    let (results, failure, log) =
        trial::run(&runtime, loaded, target, config, &runtime_args.open_options(), &runtime_args.limits()?)?;
    if let Some(path) = expect.filter(|_| bless) {
        let text = serde_json::to_string_pretty(&results).context("failed to serialise results")? + "\n";
        std::fs::write(path, text).with_context(|| format!("failed to write {}", path.display()))?;
        write_stdout(&format!("wrote {} results to {}\n", results.len(), path.display()))?;
        return Ok(ExitCode::SUCCESS);
    }
    let text = match format {
        ListFormat::Json => serde_json::to_string_pretty(&results).context("failed to serialise results")? + "\n",
        ListFormat::Table => {
            let mut out = format!("{} {} ({})\n", loaded.meta.name, loaded.meta.version, plugin.display());
            let width = results.iter().map(|r| r.id.len()).max().unwrap_or(0);
            for result in &results {
                let outcome = &result.outcome;
                let status = outcome.status.as_str().to_uppercase();
                out.push_str(&format!(
                    "  {status:<6} {:<width$}  {:>3}  {}\n",
                    result.id,
                    outcome.score,
                    printable(&outcome.message)
                ));
                for finding in &result.outcome.findings {
                    out.push_str(&format!("         - {}\n", printable(&terminal::finding_line(finding))));
                }
            }
            if let Some(failure) = &failure {
                out.push_str(&format!("plugin failed: {}\n", printable(failure)));
            }
            for line in &log {
                out.push_str(&format!("log: {}\n", printable(line)));
            }
            out
        }
    };
    write_stdout(&text)?;
    if let Some(path) = expect {
        let expected_text = std::fs::read_to_string(path)
            .map_err(|e| UserError::new(format!("cannot read {}: {e}", path.display())))?;
        let expected: serde_json::Value = serde_json::from_str(&expected_text)
            .map_err(|e| UserError::new(format!("{} is not valid JSON: {e}", path.display())))?;
        let differences = trial::compare(&expected, &results)?;
        if !differences.is_empty() {
            // The differences are the command's diagnostic output.
            #[allow(clippy::disallowed_macros)]
            {
                eprintln!("{} differences from {}:", differences.len(), path.display());
                for difference in &differences {
                    eprintln!("  {}", printable(difference));
                }
            }
            return Ok(ExitCode::from(1));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Today's date for exemptions: `FLEDGE_TODAY` (YYYY-MM-DD) when set, for
/// reproducible reruns, else the local date.
pub fn today() -> Result<jiff::civil::Date> {
    match std::env::var("FLEDGE_TODAY") {
        Ok(text) => {
            text.parse().map_err(|e| UserError::new(format!("FLEDGE_TODAY must be a date (YYYY-MM-DD): {e}")).into())
        }
        Err(_) => Ok(jiff::Zoned::now().date()),
    }
}

/// Reads and parses a policy file (or the default), without the check ids
/// validation that needs the plugins.
pub fn load_policy(path: Option<&Path>) -> Result<Policy> {
    let Some(path) = path else { return Ok(Policy::default_policy()) };
    let text = std::fs::read_to_string(path)
        .map_err(|e| UserError::new(format!("cannot read policy {}: {e}", path.display())))?;
    let mut policy =
        Policy::parse(&text, &path.display().to_string(), today()?).map_err(|e| UserError::new(e.to_string()))?;
    // The allowed_signers files, relative to the policy; one that cannot be
    // read makes its attestations invalid (and says why), not the run fail.
    let dir = path.parent().unwrap_or(Path::new("."));
    for file in policy.signer_paths() {
        let text = std::fs::read_to_string(dir.join(&file)).map_err(|e| e.to_string());
        policy.signer_files.insert(file, text);
    }
    Ok(policy)
}

fn policy_init(path: &Path, force: bool) -> Result<ExitCode> {
    if path.as_os_str() == "-" {
        write_stdout(DEFAULT_POLICY)?;
        return Ok(ExitCode::SUCCESS);
    }
    if path.exists() && !force {
        return Err(UserError::new(format!("{} exists; pass --force to overwrite it", path.display())).into());
    }
    std::fs::write(path, DEFAULT_POLICY).with_context(|| format!("failed to write {}", path.display()))?;
    write_stdout(&format!("wrote the default policy to {}\n", path.display()))?;
    Ok(ExitCode::SUCCESS)
}

fn policy_check(path: &Path, plugin_args: &PluginArgs, runtime_args: &RuntimeArgs) -> Result<ExitCode> {
    let policy = load_policy(Some(path))?;
    let runtime = runtime_args.runtime()?;
    let plugins = PluginSet::load(&runtime, &plugin_args.sources(&policy, Some(path)))?;
    let known = plugins.checks();
    policy.validate(&known, &plugins.absent_builtins()).map_err(|e| UserError::new(e.to_string()))?;
    write_stdout(&format!(
        "{}: valid ({} stages: {}; {} checks known)\n",
        path.display(),
        policy.stages.len(),
        policy.stages.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(" -> "),
        known.len()
    ))?;
    Ok(ExitCode::SUCCESS)
}

fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let mut builder = env_logger::Builder::new();
    builder.parse_filters(&format!("{level},cranelift=warn,wasmtime=warn"));
    if let Ok(filters) = std::env::var("FLEDGE_LOG") {
        builder.parse_filters(&filters);
    }
    builder.format_timestamp(None).format_target(false).target(env_logger::Target::Stderr);
    let _ = builder.try_init();
}

fn run_check(args: &CheckArgs, style: Style, verbose: bool) -> Result<ExitCode> {
    let limits = args.runtime.limits()?;
    let policy = load_policy(args.policy.as_deref())?;
    if let Some(stage) = &args.require_stage
        && !policy.stages.iter().any(|s| s.name == *stage)
    {
        let names: Vec<&str> = policy.stages.iter().map(|s| s.name.as_str()).collect();
        return Err(
            UserError::new(format!("--require-stage {stage}: the policy's stages are {}", names.join(", "))).into()
        );
    }
    let runtime = args.runtime.runtime()?;
    let plugins = PluginSet::load(&runtime, &args.plugins.sources(&policy, args.policy.as_deref()))?;
    policy.validate(&plugins.checks(), &plugins.absent_builtins()).map_err(|e| UserError::new(e.to_string()))?;
    let options = CheckOptions {
        target: Target::parse(&args.target),
        revision: args.rev.clone(),
        open: args.runtime.open_options(),
        limits,
        jobs: args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get())),
        name: args.name.clone(),
        kind: args.kind.clone(),
        attestations: None,
        today: today()?,
    };
    let report = check::check_repository(&runtime, &plugins, &policy, &options)?;
    let text = match args.format {
        Format::Table => {
            terminal::render(&report, if args.output.is_some() { Style::new(false) } else { style }, verbose)
        }
        Format::Json => report.to_json() + "\n",
        Format::Markdown => markdown::render(&report),
        Format::Sarif => {
            serde_json::to_string_pretty(&sarif::render(&report)).context("failed to serialise SARIF")? + "\n"
        }
        Format::Badge => badge::render(&report),
    };
    write_output(args.output.as_deref(), &text)?;
    let reached = |name: &str| policy.stages.iter().position(|s| s.name == name);
    if let Some(required) = &args.require_stage
        && reached(&report.verdict.stage).is_none_or(|at| Some(at) < reached(required))
    {
        log::warn!("stage `{required}` is not reached (the repository is at `{}`)", report.verdict.stage);
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn run_plugins(args: &PluginsArgs) -> Result<ExitCode> {
    let runtime = args.runtime.runtime()?;
    let policy = load_policy(args.policy.as_deref())?;
    let plugins = PluginSet::load(&runtime, &args.plugins.sources(&policy, args.policy.as_deref()))?;
    let text = match args.format {
        ListFormat::Json => {
            let metas: Vec<serde_json::Value> = plugins
                .plugins
                .iter()
                .map(|p| {
                    serde_json::json!({
                        "name": p.meta.name, "version": p.meta.version, "description": p.meta.description,
                        "origin": p.origin, "digest": p.digest, "reads": p.meta.reads, "checks": p.meta.checks,
                    })
                })
                .collect();
            serde_json::to_string_pretty(&metas).context("failed to serialise the plugin list")? + "\n"
        }
        ListFormat::Table => {
            let mut out = String::new();
            for plugin in &plugins.plugins {
                let reads: Vec<&str> = plugin.meta.reads.iter().map(|c| c.as_str()).collect();
                out.push_str(&format!(
                    "{} {} ({}; reads {})\n  {}\n",
                    plugin.meta.name,
                    plugin.meta.version,
                    plugin.origin,
                    reads.join(", "),
                    plugin.meta.description
                ));
                let width = plugin.meta.checks.iter().map(|c| c.id.len()).max().unwrap_or(0);
                for check in &plugin.meta.checks {
                    out.push_str(&format!(
                        "  {:<width$}  {:<13} w{:<2} {}\n",
                        check.id, check.category, check.weight, check.title
                    ));
                }
                out.push('\n');
            }
            out
        }
    };
    write_stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// Writes a report to `output`, or to stdout when there is none.
pub fn write_output(output: Option<&Path>, text: &str) -> Result<()> {
    match output {
        Some(path) => std::fs::write(path, text).with_context(|| format!("failed to write {}", path.display())),
        None => write_stdout(text),
    }
}

/// Writes to stdout; a closed pipe (`fledge … | head`) is not an error.
pub fn write_stdout(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("failed to write to stdout"),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    /// The help of every command, pinned: a changed flag or text shows up
    /// in review (`snapshots/`).
    #[test]
    fn help_of_every_command() {
        fn walk(command: &mut clap::Command, path: &str, out: &mut Vec<(String, String)>) {
            // The values of environment variables set where the test runs
            // are not part of the help.
            let help: Vec<String> = command
                .render_long_help()
                .to_string()
                .lines()
                .map(|line| match line.find("[env: ") {
                    Some(at) => {
                        let name_end = line[at..].find('=').map_or(line.len(), |i| at + i);
                        format!("{}]", &line[..name_end])
                    }
                    None => line.to_owned(),
                })
                .collect();
            out.push((path.to_owned(), help.join("\n")));
            for sub in command.get_subcommands_mut().filter(|s| s.get_name() != "help") {
                let name = format!("{path} {}", sub.get_name());
                walk(sub, &name, out);
            }
        }
        let mut command = Cli::command().term_width(100);
        command.build();
        let mut helps = Vec::new();
        walk(&mut command, "fledge", &mut helps);
        for (path, help) in helps {
            insta::assert_snapshot!(path.replace(' ', "_"), help);
        }
    }

    #[test]
    fn durations_are_checked() {
        assert_eq!(seconds(1.5, "--x", 0.0).ok(), Some(Duration::from_millis(1500)));
        for bad in [f64::NAN, f64::INFINITY, -1.0, 1e300, 8.0 * 86_400.0] {
            assert!(seconds(bad, "--x", 0.0).is_err(), "{bad}");
        }
        assert!(seconds(0.0, "--x", 0.001).is_err());
    }
}

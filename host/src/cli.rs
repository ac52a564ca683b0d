//! The command line: parses arguments into typed options and dispatches to
//! the commands. Exit codes are part of the interface (see [`EXIT_CODES`]).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};

mod attest;
mod cache;
mod check;
mod nightly;
mod plugin;
mod policy;
mod publish;

pub use check::CheckArgs;
pub use nightly::{HistoryArgs, MergeArgs, ReportArgs, ScanArgs};
pub use plugin::{PluginCommand, PluginsArgs};
pub use policy::PolicyCommand;
pub use publish::PublishArgs;

pub use crate::error::{UserError, exit_code_for};
use crate::git::{HistoryScope, OpenOptions};
use crate::plugins::{PluginSet, PluginSources};
use crate::policy::Policy;
use crate::report::terminal::Style;
use crate::runtime::{Limits, Runtime};
use crate::store::Store;

pub const EXIT_CODES: &str = "Exit codes:
  0  success
  1  a required stage was not reached (--require-stage), results differ (plugin test --expect),
     a repository failed (scan --fail-on-error), or a published repository still fails a
     secrets check (publish)
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
    /// Empty the cache of compiled plugins, kept results and mirrors.
    #[command(subcommand)]
    Cache(cache::CacheCommand),
    /// Write the public repository: the history scrubbed by the policy's
    /// [publish] rules and of every credential the checks find, then checked.
    Publish(PublishArgs),
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
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

/// How plugins run and what they may read, with the history scope.
#[derive(Args, Debug)]
pub struct RuntimeArgs {
    #[command(flatten)]
    pub engine: EngineArgs,
    /// What the history checks read: every commit of every ref (branches,
    /// tags, notes, stash: what publishing the repository publishes), or
    /// only the checked revision's history.
    #[arg(long, value_enum, default_value_t = HistoryArg::All)]
    pub history: HistoryArg,
}

/// How plugins run and what they may read.
#[derive(Args, Debug)]
pub struct EngineArgs {
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
    /// Do not let plugins reuse or keep results between runs (the secrets
    /// scan of each blob, kept in results.sqlite in the cache directory):
    /// everything is computed again.
    #[arg(long, env = "FLEDGE_NO_RESULT_CACHE", value_parser = clap::builder::FalseyValueParser::new())]
    pub no_result_cache: bool,
}

/// `--history`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum HistoryArg {
    /// Every ref.
    All,
    /// The checked revision and its ancestors.
    Head,
}

impl RuntimeArgs {
    pub fn limits(&self) -> Result<Limits> {
        self.engine.limits()
    }

    pub fn cache_dir(&self) -> PathBuf {
        self.engine.cache_dir()
    }

    pub fn open_options(&self) -> OpenOptions {
        self.engine.open_options(match self.history {
            HistoryArg::All => HistoryScope::AllRefs,
            HistoryArg::Head => HistoryScope::Checked,
        })
    }

    pub fn runtime(&self) -> Result<Runtime> {
        self.engine.runtime()
    }
}

impl EngineArgs {
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

    pub fn open_options(&self, history: HistoryScope) -> OpenOptions {
        OpenOptions {
            cache_dir: self.cache_dir(),
            max_blob_bytes: self.max_blob_size.saturating_mul(1 << 20),
            ignore: Vec::new(),
            deadline: None,
            history,
        }
    }

    /// The runtime, caching compiled plugins and, unless turned off, the
    /// plugins' results under the cache directory.
    pub fn runtime(&self) -> Result<Runtime> {
        let runtime = Runtime::new(Some(self.cache_dir().join("compiled")))?;
        Ok(if self.no_result_cache { runtime } else { runtime.with_results(&self.cache_dir().join("results.sqlite")) })
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
        Command::Check(args) => check::run_check(&args, Style::new(color), cli.verbose > 0),
        Command::Plugins(args) => plugin::run_plugins(&args),
        Command::Policy(PolicyCommand::Init { path, force }) => policy::policy_init(&path, force),
        Command::Policy(PolicyCommand::Check { path, plugins, runtime }) => {
            policy::policy_check(&path, &plugins, &runtime)
        }
        Command::Plugin(PluginCommand::New { name, lang, dir }) => plugin::plugin_new(&name, lang, dir),
        Command::Plugin(PluginCommand::Test { plugin, target, config, policy, expect, bless, format, runtime }) => {
            let args = plugin::TestArgs {
                plugin: &plugin,
                target: &target,
                config: config.as_deref(),
                policy: policy.as_deref(),
                expect: expect.as_deref(),
                bless,
                format,
            };
            plugin::plugin_test(&args, &runtime)
        }
        Command::Scan(args) => nightly::scan(&args),
        Command::Report(args) => nightly::report(&args),
        Command::History(args) => nightly::history(&args),
        Command::Merge(args) => nightly::merge(&args),
        Command::Attest(command) => attest::run(&command),
        Command::Cache(command) => cache::run(&command),
        Command::Publish(args) => publish::run_publish(&args, Style::new(color)),
    }
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
/// The policy at `policy_path` (or the built-in one) and the plugins of
/// the run, the policy checked against the plugins' checks.
pub fn load_setup(policy_path: Option<&Path>, plugins: &PluginArgs, runtime: &Runtime) -> Result<(Policy, PluginSet)> {
    let policy = load_policy(policy_path)?;
    let mut set = PluginSet::load(runtime, &plugins.sources(&policy, policy_path))?;
    set.declare_rules(&policy);
    let metas: Vec<&crate::model::PluginMeta> = set.plugins.iter().map(|p| &p.meta).collect();
    policy.validate(&set.checks(), &metas, &set.absent_builtins()).map_err(|e| UserError::new(e.to_string()))?;
    Ok((policy, set))
}

pub fn load_policy(path: Option<&Path>) -> Result<Policy> {
    let Some(path) = path else { return Ok(Policy::default_policy()) };
    let text = std::fs::read_to_string(path)
        .map_err(|e| UserError::new(format!("cannot read policy {}: {e}", path.display())))?;
    let mut policy =
        Policy::parse(&text, &path.display().to_string(), today()?).map_err(|e| UserError::new(e.to_string()))?;
    // Files plugin configurations name (`rules_files = [...]`), relative to
    // the policy: one that cannot be read is an error, since a check must
    // not run without rules the policy asked for.
    let dir = path.parent().unwrap_or(Path::new("."));
    for (plugin, key, files) in policy.config_file_paths() {
        let mut texts = Vec::new();
        for file in files {
            let full = dir.join(&file);
            let text = read_bounded_text(&full, 4 << 20).map_err(|e| {
                UserError::new(format!(
                    "{}: [plugins.{plugin}] {key}: cannot read {}: {e}",
                    path.display(),
                    full.display()
                ))
            })?;
            texts.push(text);
        }
        policy.set_config_texts(&plugin, &key, texts);
    }
    // The identity map of `fledge publish`: a file it cannot read is an
    // error, since identities it names would be published unmapped.
    if let Some(file) = policy.publish.mailmap.clone() {
        let full = dir.join(&file);
        let text = read_bounded_text(&full, 64 << 20).map_err(|e| {
            UserError::new(format!("{}: [publish] mailmap: cannot read {}: {e}", path.display(), full.display()))
        })?;
        policy.publish.mailmap_text = Some(text);
    }
    // The allowed_signers files, relative to the policy; one that cannot be
    // read makes its attestations invalid (and says why), not the run fail.
    for file in policy.signer_paths() {
        let text = read_bounded_text(&dir.join(&file), 4 << 20);
        policy.signer_files.insert(file, text);
    }
    Ok(policy)
}

/// The text of `path`, refused when it is not a regular file (a FIFO would
/// block), above `max` bytes, or not UTF-8.
fn read_bounded_text(path: &Path, max: u64) -> std::result::Result<String, String> {
    let metadata = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !metadata.is_file() {
        return Err("not a regular file".to_owned());
    }
    let size = metadata.len();
    if size > max {
        return Err(format!("{size} bytes, above the bound of {max}"));
    }
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_owned())
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

/// The columns the terminal report wraps to: `COLUMNS` when set, else the
/// terminal's width, else (a file, a pipe) 100.
pub fn terminal_width(to_file: bool) -> usize {
    if let Some(columns) = std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<usize>().ok()) {
        return columns.clamp(40, 1000);
    }
    match terminal_size::terminal_size() {
        Some((terminal_size::Width(columns), _)) if !to_file && std::io::stdout().is_terminal() => {
            usize::from(columns).clamp(40, 1000)
        }
        _ => 100,
    }
}

/// Writes a report to `output` (creating its directory, as a deployment's
/// `-o /data/www/index.html` expects), or to stdout when there is none. A
/// file that cannot be written is the caller's input error.
pub fn write_output(output: Option<&Path>, text: &str) -> Result<()> {
    let Some(path) = output else { return write_stdout(text) };
    let written = match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) => std::fs::create_dir_all(dir).and_then(|()| std::fs::write(path, text)),
        None => std::fs::write(path, text),
    };
    written.map_err(|e| UserError::new(format!("cannot write {}: {e}", path.display())).into())
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

//! The command line: parses arguments into typed options and dispatches to
//! the commands. Exit codes are part of the interface (see [`EXIT_CODES`]).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::check::{self, CheckOptions};
use crate::git::{AcquireError, OpenOptions, Target};
use crate::plugins::PluginSet;
use crate::report::terminal::{self, Style};
use crate::runtime::{Limits, Runtime};

pub const EXIT_CODES: &str = "Exit codes:
  0  success
  1  a required gate or stage was not met
  2  usage or input error (bad arguments, missing repository, bad plugin)
  3  internal error";

/// An error caused by the user's input (exit code 2), as opposed to an
/// internal failure (exit code 3).
#[derive(Debug)]
pub struct UserError(String);

impl UserError {
    pub fn new(message: impl Into<String>) -> UserError {
        UserError(message.into())
    }
}

impl std::fmt::Display for UserError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UserError {}

/// The exit code for an error: 2 for input errors, 3 for the rest.
pub fn exit_code_for(err: &anyhow::Error) -> u8 {
    let input = err.chain().any(|cause| cause.is::<UserError>() || cause.is::<AcquireError>());
    if input { 2 } else { 3 }
}

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
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check one repository's readiness for publication.
    Check(CheckArgs),
    /// List the plugins and the checks each provides.
    Plugins(PluginsArgs),
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
    #[command(flatten)]
    pub plugins: PluginArgs,
    #[command(flatten)]
    pub runtime: RuntimeArgs,
    /// Plugins run at the same time (default: the number of cores).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
}

#[derive(Args, Debug)]
pub struct PluginsArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
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
    /// Leave out the built-in plugins.
    #[arg(long)]
    pub no_builtin: bool,
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
        if !(self.timeout.is_finite() && self.timeout > 0.0) {
            return Err(UserError::new("--timeout must be a positive number of seconds").into());
        }
        Ok(Limits {
            max_memory_bytes: self.memory_limit.saturating_mul(1 << 20),
            timeout: Duration::from_secs_f64(self.timeout),
            max_read_bytes: self.read_limit.saturating_mul(1 << 20),
            max_findings: self.max_findings,
            ..Limits::default()
        })
    }

    pub fn cache_dir(&self) -> PathBuf {
        self.cache_dir.clone().unwrap_or_else(default_cache_dir)
    }

    pub fn open_options(&self) -> OpenOptions {
        OpenOptions { cache_dir: self.cache_dir(), max_blob_bytes: self.max_blob_size.saturating_mul(1 << 20) }
    }

    /// The runtime, caching compiled plugins under the cache directory.
    pub fn runtime(&self) -> Result<Runtime> {
        Runtime::new(Some(self.cache_dir().join("compiled")))
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
    }
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
    let runtime = args.runtime.runtime()?;
    let plugins = PluginSet::load(&runtime, !args.plugins.no_builtin, &args.plugins.plugins)?;
    let options = CheckOptions {
        target: Target::parse(&args.target),
        revision: args.rev.clone(),
        open: args.runtime.open_options(),
        limits,
        jobs: args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get())),
    };
    let report = check::check_repository(&runtime, &plugins, &options)?;
    let text = match args.format {
        Format::Table => terminal::render(&report, style, verbose),
        Format::Json => report.to_json() + "\n",
    };
    write_stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn run_plugins(args: &PluginsArgs) -> Result<ExitCode> {
    let runtime = args.runtime.runtime()?;
    let plugins = PluginSet::load(&runtime, !args.plugins.no_builtin, &args.plugins.plugins)?;
    let text = match args.format {
        Format::Json => {
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
        Format::Table => {
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

/// Writes to stdout; a closed pipe (`fledge … | head`) is not an error.
pub fn write_stdout(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("failed to write to stdout"),
    }
}

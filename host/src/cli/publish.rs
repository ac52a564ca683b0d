//! `fledge publish`: writes the public repository, scrubbed, and proves it
//! clean (see [`crate::publish`]).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, ValueEnum};

use super::{EngineArgs, PluginArgs, load_setup, today, write_output};
use crate::check::CheckOptions;
use crate::git::{HistoryScope, Target};
use crate::publish::{self, Mode, PublishOptions};
use crate::report::terminal::Style;
use crate::report::{self, Format};

#[derive(Args, Debug)]
pub struct PublishArgs {
    /// The repository to publish: a local path or a URL, as for `fledge check`.
    /// It is never modified.
    pub source: String,
    /// The new repository to write (bare); refused if it exists and is not
    /// an empty directory.
    pub destination: PathBuf,
    /// The revision to publish (branch, tag or commit); default HEAD.
    #[arg(long)]
    pub rev: Option<String>,
    /// `full`: every commit reachable from the revision, and the tags into
    /// it, rewritten; `squash`: one commit of the revision's scrubbed tree.
    #[arg(long, value_enum, default_value_t = HistoryMode::Full)]
    pub history: HistoryMode,
    /// The message of the squashed commit (with --history squash).
    #[arg(long, default_value = "Initial public release")]
    pub message: String,
    /// The policy whose [publish] table says what to remove and rewrite, and
    /// whose checks prove the result.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Publish even when objects of the history cannot be read (they are
    /// left out of the result and listed in the report).
    #[arg(long)]
    pub allow_incomplete: bool,
    /// Output format of the publication report.
    #[arg(long, default_value = "table", value_parser = Format::parser(Format::PUBLISH))]
    pub format: Format,
    /// Write the report to this file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub plugins: PluginArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// `--history` of `fledge publish`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum HistoryMode {
    /// Every commit, rewritten.
    Full,
    /// One commit.
    Squash,
}

pub(super) fn run_publish(args: &PublishArgs, style: Style) -> Result<ExitCode> {
    let mut limits = args.engine.limits()?;
    // Every finding counts: one left out would be a value left in.
    limits.max_findings = limits.max_findings.max(1_000_000);
    let runtime = args.engine.runtime()?;
    let (policy, plugins) = load_setup(args.policy.as_deref(), &args.plugins, &runtime)?;
    let options = PublishOptions {
        check: CheckOptions {
            target: Target::parse(&args.source),
            revision: args.rev.clone(),
            open: args.engine.open_options(HistoryScope::Checked),
            limits,
            jobs: std::thread::available_parallelism().map_or(2, |n| n.get()),
            name: None,
            kind: None,
            attestations: None,
            today: today()?,
        },
        destination: args.destination.clone(),
        mode: match args.history {
            HistoryMode::Full => Mode::Full,
            HistoryMode::Squash => Mode::Squash { message: args.message.clone() },
        },
        allow_incomplete: args.allow_incomplete,
    };
    let report = publish::publish(&runtime, &plugins, &policy, &options)?;
    let style = if args.output.is_some() { Style::new(false) } else { style };
    write_output(args.output.as_deref(), &report::render_publish(&report, args.format, style)?)?;
    if !report.clean() {
        log::warn!("the published repository still fails secrets checks: see the report's proof");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

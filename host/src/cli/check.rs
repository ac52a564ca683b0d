//! `fledge check`: one repository, with the policy, to a report in the
//! format asked for.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::{PluginArgs, RuntimeArgs, UserError, load_setup, today, write_output};
use crate::check::{self, CheckOptions};
use crate::git::Target;
use crate::report::terminal::Style;
use crate::report::{self, Format, TableOptions};

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The repository: a local path (working tree or bare) or a URL
    /// (https://, ssh://, git@host:path, file://).
    pub target: String,
    /// The revision to check (branch, tag or commit); default HEAD.
    #[arg(long)]
    pub rev: Option<String>,
    /// Output format (the JSON report is described in docs/report-schema.md).
    #[arg(long, default_value = "table", value_parser = Format::parser(Format::CHECK))]
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

pub(super) fn run_check(args: &CheckArgs, style: Style, verbose: bool) -> Result<ExitCode> {
    let limits = args.runtime.limits()?;
    let runtime = args.runtime.runtime()?;
    let (policy, plugins) = load_setup(args.policy.as_deref(), &args.plugins, &runtime)?;
    if let Some(stage) = &args.require_stage
        && !policy.stages.iter().any(|s| s.name == *stage)
    {
        let names: Vec<&str> = policy.stages.iter().map(|s| s.name.as_str()).collect();
        return Err(
            UserError::new(format!("--require-stage {stage}: the policy's stages are {}", names.join(", "))).into()
        );
    }
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
    let style = if args.output.is_some() { Style::new(false) } else { style };
    let text = report::render(
        &report,
        args.format,
        TableOptions { style, verbose, width: super::terminal_width(args.output.is_some()) },
    )?;
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

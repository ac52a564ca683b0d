//! `fledge policy init` and `fledge policy check`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Subcommand;

use super::{PluginArgs, RuntimeArgs, UserError, load_setup, write_stdout};
use crate::policy::DEFAULT_POLICY;

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

pub(super) fn policy_init(path: &Path, force: bool) -> Result<ExitCode> {
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

pub(super) fn policy_check(path: &Path, plugin_args: &PluginArgs, runtime_args: &RuntimeArgs) -> Result<ExitCode> {
    let runtime = runtime_args.runtime()?;
    let (policy, plugins) = load_setup(Some(path), plugin_args, &runtime)?;
    let known = plugins.checks();
    write_stdout(&format!(
        "{}: valid ({} stages: {}; {} checks known)\n",
        path.display(),
        policy.stages.len(),
        policy.stages.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(" -> "),
        known.len()
    ))?;
    Ok(ExitCode::SUCCESS)
}

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
    let mut text = format!(
        "{}: valid ({} stages: {}; {} checks known)\n",
        path.display(),
        policy.stages.len(),
        policy.stages.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(" -> "),
        known.len()
    );
    // Configuration of a plugin that is not loaded is read by nobody: a
    // misspelt name silently leaves the real plugin unconfigured.
    let source = std::fs::read_to_string(path).unwrap_or_default();
    let loaded: Vec<&str> = plugins.plugins.iter().map(|p| p.meta.name.as_str()).collect();
    let unknown: Vec<&String> = policy.plugins.keys().filter(|name| !loaded.contains(&name.as_str())).collect();
    for name in unknown {
        let header = format!("[plugins.{name}");
        let line = source
            .lines()
            .position(|l| l.trim_start().starts_with(&header))
            .map_or_else(String::new, |i| format!(":{}", i + 1));
        text.push_str(&format!(
            "warning: {}{line}: [plugins.{}] configures a plugin that is not loaded{}; its settings are not read\n",
            path.display(),
            crate::text::printable(name),
            crate::text::did_you_mean(name, &loaded)
        ));
    }
    write_stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}

//! `fledge plugins`, `fledge plugin new` and `fledge plugin test`: listing,
//! creating and trying plugins.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};

use super::{PluginArgs, RuntimeArgs, UserError, load_setup, write_output, write_stdout};
use crate::model::PluginMeta;
use crate::plugins::{PluginSet, PluginSources};
use crate::report::{Format, printable, reference, terminal};
use crate::scaffold::{self, Language};
use crate::trial;

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
        /// The plugin's configuration, as JSON (default: the expected-results
        /// file's, else `{}`).
        #[arg(long, value_name = "JSON", conflicts_with = "policy")]
        config: Option<String>,
        /// Take the plugin's configuration, the organisation and the checks'
        /// ignored paths from this policy file, validated against the
        /// plugin's schema as `fledge policy check` would.
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
        /// Compare with the expected results in this JSON file; exit 1 on a difference.
        #[arg(long, value_name = "FILE")]
        expect: Option<PathBuf>,
        /// With --expect: write the results, and the configuration they were
        /// obtained with, to the file instead of comparing.
        #[arg(long, requires = "expect")]
        bless: bool,
        /// Output format.
        #[arg(long, default_value = "table", value_parser = Format::parser(Format::LIST))]
        format: Format,
        #[command(flatten)]
        runtime: RuntimeArgs,
    },
}

#[derive(Args, Debug)]
pub struct PluginsArgs {
    /// Output format.
    #[arg(long, default_value = "table", value_parser = Format::parser(Format::PLUGINS))]
    pub format: Format,
    /// Write the list to this file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also list the plugins this policy pins.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    #[command(flatten)]
    pub plugins: PluginArgs,
    #[command(flatten)]
    pub runtime: RuntimeArgs,
}

pub(super) fn plugin_new(name: &str, lang: Language, dir: Option<PathBuf>) -> Result<ExitCode> {
    let dir = dir.unwrap_or_else(|| PathBuf::from(name));
    let files = scaffold::create(name, lang, &dir)?;
    let next = match lang {
        Language::Rust => format!(
            // The second line runs where the first left off: in the plugin's directory.
            "cd {dir} && cargo test && cargo build --release --target wasm32-wasip2\nfledge plugin test target/wasm32-wasip2/release/{crate_name}.wasm ../some-repo",
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

/// What `fledge plugin test` was asked.
pub(super) struct TestArgs<'a> {
    pub plugin: &'a Path,
    pub target: &'a str,
    pub config: Option<&'a str>,
    pub policy: Option<&'a Path>,
    pub expect: Option<&'a Path>,
    pub bless: bool,
    pub format: Format,
}

pub(super) fn plugin_test(args: &TestArgs<'_>, runtime_args: &RuntimeArgs) -> Result<ExitCode> {
    let runtime = runtime_args.runtime()?;
    let sources = PluginSources { paths: vec![args.plugin.to_path_buf()], ..PluginSources::default() };
    let set = PluginSet::load(&runtime, &sources)?;
    let Some(loaded) = set.plugins.first() else { return Err(UserError::new("no plugin loaded").into()) };
    let expected = match args.expect.filter(|_| !args.bless) {
        Some(path) => Some(trial::Expected::read(path)?),
        None => None,
    };
    // The configuration: the policy's, the command line's, or the one the
    // expected results were written with.
    let settings = match (args.policy, args.config) {
        (Some(path), _) => {
            let policy = super::load_policy(Some(path))?;
            policy.validate_config(&[&loaded.meta]).map_err(|e| UserError::new(e.to_string()))?;
            let ignore = loaded
                .meta
                .checks
                .iter()
                .map(|c| {
                    let mut globs = policy.ignore.clone();
                    globs.extend(policy.check(&c.id).ignore);
                    (c.id.clone(), globs)
                })
                .filter(|(_, globs)| !globs.is_empty())
                .collect();
            Some(trial::Settings {
                config: policy.plugin_config(&loaded.meta.name),
                organization: policy.organization.clone(),
                ignore,
            })
        }
        (None, Some(json)) => Some(trial::Settings {
            config: serde_json::from_str(json)
                .map_err(|e| UserError::new(format!("--config is not valid JSON: {e}")))?,
            organization: serde_json::json!({}),
            ignore: Default::default(),
        }),
        (None, None) => None,
    };
    let given = settings.is_some();
    let settings =
        settings.or_else(|| expected.as_ref().and_then(|e| e.settings.clone())).unwrap_or_else(trial::Settings::empty);
    let (results, failure, log) =
        trial::run(&runtime, loaded, args.target, &settings, &runtime_args.open_options(), &runtime_args.limits()?)?;
    if let Some(path) = args.expect.filter(|_| args.bless) {
        let text = trial::Expected::render(&settings, &results)?;
        std::fs::write(path, text).with_context(|| format!("failed to write {}", path.display()))?;
        write_stdout(&format!("wrote {} results to {}\n", results.len(), path.display()))?;
        return Ok(ExitCode::SUCCESS);
    }
    let text = match args.format {
        Format::Json => serde_json::to_string_pretty(&results).context("failed to serialise results")? + "\n",
        _ => table(loaded, args.plugin, &results, failure.as_deref(), &log),
    };
    write_stdout(&text)?;
    if let (Some(path), Some(expected)) = (args.expect, &expected) {
        let mut differences = Vec::new();
        if given && let Some(recorded) = expected.settings.as_ref().filter(|recorded| **recorded != settings) {
            differences.push(format!(
                "configuration: the expected results were written with {}, this run used {}",
                recorded.describe(),
                settings.describe()
            ));
        }
        differences.extend(trial::compare(&expected.results, &results)?);
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

/// The results as a table: status, id, score and message, then each
/// finding, and how to fix a failure or a warning.
fn table(
    loaded: &crate::runtime::LoadedPlugin,
    plugin: &Path,
    results: &[trial::TrialResult],
    failure: Option<&str>,
    log: &[String],
) -> String {
    let mut out = format!("{} {} ({})\n", loaded.meta.name, loaded.meta.version, plugin.display());
    let width = results.iter().map(|r| r.id.len()).max().unwrap_or(0);
    for result in results {
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
        // A fix is for a failure or a warning; an error is not one.
        if matches!(outcome.status, crate::model::Status::Fail | crate::model::Status::Warn) {
            let own = loaded.meta.checks.iter().find(|c| c.id == result.id).map(|c| c.remediation.as_str());
            if let Some(fix) = outcome.remediation.as_deref().or(own).filter(|f| !f.is_empty()) {
                out.push_str(&format!("         fix: {}\n", printable(fix)));
            }
        }
    }
    if let Some(failure) = failure {
        out.push_str(&format!("plugin failed: {}\n", printable(failure)));
    }
    for line in log {
        out.push_str(&format!("log: {}\n", printable(line)));
    }
    out
}

pub(super) fn run_plugins(args: &PluginsArgs) -> Result<ExitCode> {
    let runtime = args.runtime.runtime()?;
    let (_, plugins) = load_setup(args.policy.as_deref(), &args.plugins, &runtime)?;
    let text = match args.format {
        Format::Markdown => {
            let metas: Vec<&PluginMeta> = plugins.plugins.iter().map(|p| &p.meta).collect();
            reference::markdown(&metas)
        }
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
        _ => {
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
    write_output(args.output.as_deref(), &text)?;
    Ok(ExitCode::SUCCESS)
}

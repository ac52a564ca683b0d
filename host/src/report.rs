//! The report of one repository ([`Report`]) and its renderings: the
//! terminal table ([`terminal`]), JSON (documented in
//! `docs/report-schema.md` and `docs/report-schema.json`, versioned by
//! [`SCHEMA_VERSION`]), Markdown ([`markdown`]), SARIF 2.1.0 ([`sarif`])
//! and an SVG badge ([`badge`]). The check reference of the loaded
//! plugins renders as Markdown ([`reference`]). The report of a whole scan run
//! ([`crate::trends::RunReport`]) renders as a summary and Markdown ([`run`])
//! and as an HTML dashboard ([`dashboard`]).
//!
//! Architecture invariant: only `report` and `cli` write to stdout.

pub mod badge;
pub mod dashboard;
pub mod markdown;
pub mod publish;
pub mod reference;
pub mod run;
pub mod sarif;
pub mod terminal;

pub use crate::text::{printable, rfc3339};

pub use crate::model::report::{
    CheckReport, Completeness, PluginReport, PolicyInfo, Report, Repository, SCHEMA_VERSION, Tool,
};

#[cfg(test)]
mod tests;

use anyhow::{Context, Result};
use clap::ValueEnum;
use clap::builder::{PossibleValuesParser, TypedValueParser};

use crate::trends::RunReport;

/// Every output format. A command accepts those its documents render
/// to ([`Format::parser`]); adding a format is a variant here and a
/// renderer module.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A readable table.
    Table,
    /// JSON, for programs.
    Json,
    /// Markdown, for a review ticket, a pull request comment or a page of documentation.
    Markdown,
    /// SARIF 2.1.0, for code-scanning interfaces.
    Sarif,
    /// An SVG badge with the stage and the score.
    Badge,
    /// A single-file HTML dashboard.
    Html,
}

impl Format {
    /// The formats of a repository's report.
    pub const CHECK: &[Format] = &[Format::Table, Format::Json, Format::Markdown, Format::Sarif, Format::Badge];
    /// The formats of a scan run's report.
    pub const RUN: &[Format] = &[Format::Table, Format::Json, Format::Markdown, Format::Html];
    /// The formats of listings.
    pub const LIST: &[Format] = &[Format::Table, Format::Json];
    /// The formats of the plugin list.
    pub const PLUGINS: &[Format] = &[Format::Table, Format::Json, Format::Markdown];
    /// The formats of a publication report.
    pub const PUBLISH: &[Format] = &[Format::Table, Format::Json, Format::Markdown];

    /// A command-line parser that accepts only `accepted`.
    pub fn parser(accepted: &'static [Format]) -> impl TypedValueParser<Value = Format> {
        PossibleValuesParser::new(accepted.iter().filter_map(ValueEnum::to_possible_value))
            .try_map(|name: String| Format::from_str(&name, false))
    }

    fn unsupported(self, document: &str) -> anyhow::Error {
        crate::error::UserError::new(format!("{document} cannot be rendered as {self:?}")).into()
    }
}

/// How the table format looks.
#[derive(Clone, Copy, Debug)]
pub struct TableOptions {
    pub style: terminal::Style,
    /// Also list passing checks and every finding.
    pub verbose: bool,
    /// Columns to wrap to.
    pub width: usize,
}

/// A repository's report in `format`.
pub fn render(report: &Report, format: Format, table: TableOptions) -> Result<String> {
    Ok(match format {
        Format::Table => terminal::render(report, table.style, table.verbose, table.width),
        Format::Json => report.to_json() + "\n",
        Format::Markdown => markdown::render(report),
        Format::Sarif => {
            serde_json::to_string_pretty(&sarif::render(report)).context("failed to serialise SARIF")? + "\n"
        }
        Format::Badge => badge::render(report),
        Format::Html => return Err(format.unsupported("a repository's report")),
    })
}

/// A scan run's report in `format`.
pub fn render_run(report: &RunReport, format: Format) -> Result<String> {
    Ok(match format {
        Format::Table => run::table(report),
        Format::Json => serde_json::to_string_pretty(report).context("failed to serialise the run report")? + "\n",
        Format::Markdown => run::markdown(report),
        Format::Html => dashboard::render(report),
        Format::Sarif | Format::Badge => return Err(format.unsupported("a run report")),
    })
}

/// A publication report in `format`.
pub fn render_publish(
    report: &crate::model::publish::PublishReport,
    format: Format,
    style: terminal::Style,
) -> Result<String> {
    Ok(match format {
        Format::Table => publish::table(report, style),
        Format::Json => {
            serde_json::to_string_pretty(report).context("failed to serialise the publication report")? + "\n"
        }
        Format::Markdown => publish::markdown(report),
        Format::Sarif | Format::Badge | Format::Html => return Err(format.unsupported("a publication report")),
    })
}

//! The report of one repository ([`Report`]) and its renderings: the
//! terminal table ([`terminal`]), JSON (documented in
//! `docs/report-schema.md` and `docs/report-schema.json`, versioned by
//! [`SCHEMA_VERSION`]), Markdown ([`markdown`]), SARIF 2.1.0 ([`sarif`])
//! and an SVG badge ([`badge`]). The report of a whole scan run
//! ([`crate::trends::RunReport`]) renders as a summary and Markdown ([`run`])
//! and as an HTML dashboard ([`dashboard`]).
//!
//! Architecture invariant: only `report` and `cli` write to stdout.

pub mod badge;
pub mod dashboard;
pub mod markdown;
pub mod run;
pub mod sarif;
pub mod terminal;

pub use crate::text::{printable, rfc3339};

pub use crate::model::report::{
    CheckReport, Completeness, PluginReport, PolicyInfo, Report, Repository, SCHEMA_VERSION, Tool,
};

#[cfg(test)]
mod tests;

//! Progress of a scan on stderr: a bar (repositories done, failing, rate,
//! ETA) on a terminal, one plain line per repository otherwise (for CI
//! logs), or nothing.

use std::io::IsTerminal;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::model::scan::{ResultOutcome, ResultRow, ScanErrorKind};

/// How to show progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ProgressMode {
    /// A bar when stderr is a terminal, else lines.
    Auto,
    Lines,
    Quiet,
}

pub(super) struct Progress {
    bar: Option<ProgressBar>,
    lines: bool,
    total: usize,
    done: usize,
    failing: usize,
    started: Instant,
}

impl Progress {
    pub(super) fn new(mode: ProgressMode, total: usize, already_done: usize) -> Progress {
        let terminal = std::io::stderr().is_terminal();
        let bar = (mode == ProgressMode::Auto && terminal).then(|| {
            let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{elapsed_precise} [{wide_bar}] {pos}/{len} repositories · {msg} · {per_sec} · ETA {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.set_position(already_done as u64);
            bar.set_message("0 failing");
            bar
        });
        let lines = mode == ProgressMode::Lines || (mode == ProgressMode::Auto && !terminal);
        Progress { bar, lines, total, done: already_done, failing: 0, started: Instant::now() }
    }

    pub(super) fn record(&mut self, row: &ResultRow) {
        self.done += 1;
        if row.error_kind.is_some() {
            self.failing += 1;
        }
        if let Some(bar) = &self.bar {
            bar.inc(1);
            bar.set_message(format!("{} failing", self.failing));
        }
        if self.lines {
            let what = match (row.outcome, &row.stage, row.score) {
                (ResultOutcome::Error, ..) => {
                    format!(
                        "error ({}): {}",
                        row.error_kind.map_or("?", ScanErrorKind::as_str),
                        row.error.as_deref().unwrap_or("")
                    )
                }
                (outcome, Some(stage), Some(score)) => format!("{}, {stage}, {score:.1}", outcome.as_str()),
                (outcome, ..) => outcome.as_str().to_owned(),
            };
            let plugin_error = match (row.outcome, &row.error) {
                (ResultOutcome::Scanned | ResultOutcome::Cached, Some(error)) => format!(" [{error}]"),
                _ => String::new(),
            };
            // Progress lines go to stderr as they happen (sanctioned output).
            #[allow(clippy::disallowed_macros)]
            {
                eprintln!(
                    "fledge scan: [{}/{}] {}",
                    self.done,
                    self.total,
                    crate::text::printable(&format!(
                        "{}: {what}{plugin_error} ({:.1} s elapsed)",
                        row.repository,
                        self.started.elapsed().as_secs_f64()
                    ))
                );
            }
        }
    }

    pub(super) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

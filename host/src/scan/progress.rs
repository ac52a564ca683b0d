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
    /// Repositories done by an earlier, interrupted scan of this run.
    resumed: usize,
}

/// "2 failing · 1.3 repositories/s · about 2 min left", saying so when
/// repositories wait to retry (the time left is then not known).
fn status(failing: usize, finished: usize, left: usize, elapsed: std::time::Duration, retrying: usize) -> String {
    let seconds = elapsed.as_secs_f64();
    let rate = if seconds > 0.0 { finished as f64 / seconds } else { 0.0 };
    let shown_rate = if rate >= 1.0 {
        format!("{rate:.1} repositories/s")
    } else if rate > 0.0 {
        format!("{:.0} s per repository", 1.0 / rate)
    } else {
        "starting".to_owned()
    };
    let left = if retrying > 0 {
        format!("{retrying} waiting to retry, time left unknown")
    } else if rate > 0.0 && left > 0 {
        format!("about {} left", crate::text::human_duration(left as f64 / rate))
    } else {
        String::new()
    };
    [format!("{failing} failing"), shown_rate, left]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

impl Progress {
    pub(super) fn new(mode: ProgressMode, total: usize, already_done: usize) -> Progress {
        let terminal = std::io::stderr().is_terminal();
        let bar = (mode == ProgressMode::Auto && terminal).then(|| {
            let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template("{elapsed_precise} [{wide_bar}] {pos}/{len} repositories · {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
            bar.set_style(style);
            bar.set_position(already_done as u64);
            bar.set_message("0 failing");
            bar
        });
        let lines = mode == ProgressMode::Lines || (mode == ProgressMode::Auto && !terminal);
        Progress { bar, lines, total, done: already_done, failing: 0, started: Instant::now(), resumed: already_done }
    }

    /// Updates the bar's status (failing, rate, time left), with the
    /// repositories now waiting to retry a fetch.
    pub(super) fn refresh(&self, retrying: usize) {
        if let Some(bar) = &self.bar {
            let finished = self.done - self.resumed;
            bar.set_message(status(self.failing, finished, self.total - self.done, self.started.elapsed(), retrying));
        }
    }

    pub(super) fn record(&mut self, row: &ResultRow) {
        self.done += 1;
        if row.error_kind.is_some() {
            self.failing += 1;
        }
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
        self.refresh(0);
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::status;

    #[test]
    fn the_status_reads_as_figures_a_person_uses() {
        assert_eq!(status(2, 24, 36, Duration::from_secs(19), 0), "2 failing · 1.3 repositories/s · about 29 s left");
        assert_eq!(
            status(0, 3, 100, Duration::from_secs(60), 0),
            "0 failing · 20 s per repository · about 34 min left"
        );
        assert_eq!(
            status(1, 10, 5, Duration::from_secs(5), 2),
            "1 failing · 2.0 repositories/s · 2 waiting to retry, time left unknown"
        );
        assert_eq!(status(0, 0, 5, Duration::ZERO, 0), "0 failing · starting");
    }
}

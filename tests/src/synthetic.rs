//! Synthetic repositories for benchmarks, written with `git fast-import`
//! (far faster than building tens of thousands of commits through git2).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

/// The shape of a synthetic history.
#[derive(Clone, Debug)]
pub struct Spec {
    /// Files in the first commit.
    pub files: usize,
    /// Commits in all (the first one included).
    pub commits: usize,
    /// Files changed by each later commit.
    pub changes_per_commit: usize,
    /// Approximate size of each file version in bytes.
    pub file_bytes: usize,
    /// Distinct authors, taking turns.
    pub authors: usize,
    /// Seconds between commits.
    pub interval: i64,
    /// Time of the first commit.
    pub start: i64,
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            files: 1000,
            commits: 100,
            changes_per_commit: 1,
            file_bytes: 200,
            authors: 5,
            interval: 3600,
            start: crate::EPOCH,
        }
    }
}

/// A cheap deterministic generator of source-like text.
struct Words(u64);

impl Words {
    const VOCABULARY: &'static [&'static str] = &[
        "fn", "let", "value", "config", "return", "match", "self", "items", "len", "map", "error", "result", "request",
        "handler", "state", "index", "buffer", "write", "read", "Some", "None", "Ok", "parse",
    ];

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn text(&mut self, bytes: usize, tag: usize) -> String {
        let mut out = format!("// file version {tag}\n");
        while out.len() < bytes {
            let word = Self::VOCABULARY[(self.next() % Self::VOCABULARY.len() as u64) as usize];
            out.push_str(word);
            out.push_str(if self.next().is_multiple_of(8) { "\n" } else { " " });
            if self.next().is_multiple_of(16) {
                out.push_str(&format!("{:x} ", self.next()));
            }
        }
        out.push('\n');
        out
    }
}

/// Creates a bare repository at `dir` with the history `spec` describes.
pub fn create(dir: &Path, spec: &Spec) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("failed to create {}", dir.display()))?;
    git(&["init", "--quiet", "--bare", "--initial-branch=main"], dir)?;
    let mut child = Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .spawn()
        .context("failed to run git fast-import")?;
    let stdin = child.stdin.as_mut().context("no stdin")?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, stdin);
    let mut words = Words(42);
    let path = |i: usize| format!("src/dir{:03}/sub{:02}/file{i:06}.rs", i % 200, (i / 200) % 50);
    for commit in 0..spec.commits {
        let author = commit % spec.authors.max(1);
        let time = spec.start + commit as i64 * spec.interval;
        let message = format!("change {commit}\n\nSigned-off-by: Author {author} <author{author}@example.com>\n");
        writeln!(out, "commit refs/heads/main")?;
        writeln!(out, "author Author {author} <author{author}@example.com> {time} +0000")?;
        writeln!(out, "committer Author {author} <author{author}@example.com> {time} +0000")?;
        writeln!(out, "data {}\n{message}", message.len())?;
        let changed: Vec<usize> = if commit == 0 {
            (0..spec.files).collect()
        } else {
            (0..spec.changes_per_commit).map(|k| (commit * spec.changes_per_commit + k) % spec.files.max(1)).collect()
        };
        if commit == 0 {
            let readme = "# Synthetic\n\nA generated repository.\n";
            writeln!(out, "M 100644 inline README.md\ndata {}\n{readme}", readme.len())?;
        }
        for file in changed {
            let text = words.text(spec.file_bytes, commit);
            writeln!(out, "M 100644 inline {}\ndata {}\n{text}", path(file), text.len())?;
        }
        writeln!(out)?;
    }
    out.flush()?;
    drop(out);
    let status = child.wait().context("git fast-import failed")?;
    if !status.success() {
        bail!("git fast-import exited with {status}");
    }
    // Pack with deltas, as a real server's repository is.
    git(&["repack", "-adq"], dir)?;
    Ok(())
}

fn git(args: &[&str], dir: &Path) -> Result<()> {
    let status = Command::new("git")
        .args(args)
        .current_dir(dir)
        .status()
        .with_context(|| format!("failed to run git {args:?}"))?;
    if !status.success() {
        bail!("git {args:?} exited with {status}");
    }
    Ok(())
}

//! `cargo bench -p fledge --bench performance [-- PART...]`: the performance
//! figures of docs/performance.md. Parts: `check` (open, snapshot, plugin
//! runs and whole-binary times on 20,000 files and 10,000 commits; cold
//! start), `secrets` (full-history secret scan of 10,000 commits and about
//! 200 MB of distinct blobs, of this project's history and of the crates in
//! cargo's registry cache, against `git cat-file --batch-all-objects` and
//! Kingfisher; and a re-check after one commit with the results cache).
//! `community` (the community plugin on 100,000 commits, against `git log`).
//! `languages` (the same check written in Rust, Python and JavaScript:
//! compile, load and run costs; installs componentize-py and -js).
//! `scan` (`fledge scan` of a catalog of 500 generated repositories served
//! as file:// remotes and by a local `git daemon` over git://: cold against
//! `git clone --mirror` of the same, then warm with nothing changed, then
//! the reports).
//! `publish` (`fledge publish` of 10,000 commits with one replacement rule,
//! against `git filter-repo --replace-text` with the same replacement and
//! against `git fast-export | git fast-import`; git-filter-repo is installed
//! from PyPI when missing).
//! With no part given, all run.
//!
//! Each figure is the median of several runs, with the compiled-plugin cache
//! warm (a first, unmeasured run fills it).

#![allow(clippy::disallowed_macros)] // test and benchmark code reports on stdout and stderr

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use fledge::git::{self, HistoryScope, OpenOptions, Target};
use fledge::plugins::{PluginSet, PluginSources};
use fledge::runtime::{Limits, RunRequest, Runtime};
use fledge::scaffold::{COMPONENTIZE_JS_VERSION, COMPONENTIZE_PY_VERSION};
use fledge_tests::synthetic::{self, Spec};
use fledge_tests::{ACME_HEADERS_PLUGIN, RepoBuilder, polyglot};

fn main() -> anyhow::Result<()> {
    let parts: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let wants = |part: &str| parts.is_empty() || parts.iter().any(|p| p == part);
    let work = tempfile::tempdir()?;
    if wants("check") {
        check(work.path())?;
    }
    if wants("secrets") {
        secrets(work.path())?;
    }
    if wants("community") {
        community(work.path())?;
    }
    if wants("scan") {
        scan(work.path())?;
    }
    if wants("languages") {
        languages(work.path())?;
    }
    if wants("publish") {
        publish(work.path())?;
    }
    if parts.iter().any(|p| p == "profile-plugins") {
        profile_plugins(work.path())?;
    }
    Ok(())
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(f());
                start.elapsed()
            })
            .collect(),
    )
}

/// The read options, runtime and built-in plugins of a benchmark, with
/// caches under `work/cache`.
fn builtin_setup(work: &Path) -> anyhow::Result<(OpenOptions, Runtime, PluginSet)> {
    let cache = work.join("cache");
    let open = OpenOptions {
        cache_dir: cache.clone(),
        max_blob_bytes: 64 << 20,
        ignore: Vec::new(),
        deadline: None,
        history: HistoryScope::AllRefs,
    };
    let runtime = Runtime::new(Some(cache.join("compiled")))?;
    let plugins = PluginSet::load(&runtime, &PluginSources { builtins: true, ..PluginSources::default() })?;
    Ok((open, runtime, plugins))
}

/// Built-in plugin `name` of `plugins`.
fn builtin<'a>(plugins: &'a PluginSet, name: &str) -> anyhow::Result<&'a fledge::runtime::LoadedPlugin> {
    plugins.plugins.iter().find(|p| p.meta.name == name).ok_or_else(|| anyhow::anyhow!("no {name} plugin"))
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn fledge_command(cache: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_fledge"));
    command.env("FLEDGE_CACHE_DIR", cache);
    command
}

fn check(work: &Path) -> anyhow::Result<()> {
    let repo = work.join("large.git");
    let spec = Spec { files: 20_000, commits: 10_000, ..Spec::default() };
    let start = Instant::now();
    synthetic::create(&repo, &spec)?;
    println!(
        "check: synthetic repository of {} files and {} commits built in {:.1} s",
        spec.files,
        spec.commits,
        start.elapsed().as_secs_f64()
    );

    let (open, runtime, plugins) = builtin_setup(work)?;
    let cache = open.cache_dir.clone();
    let target = Target::Local(repo.clone());
    let snapshot_time = time(10, || git::open(&target, None, &open).map(|s| s.files().len()));
    println!("  open + snapshot (file list of 20,000 files): {}", ms(snapshot_time));

    let load_time = time(10, || {
        PluginSet::load(&runtime, &PluginSources { builtins: true, ..PluginSources::default() })
            .map(|p| p.plugins.len())
    });
    println!("  load built-in plugins (cached, per process): {}", ms(load_time));
    let snapshot = Arc::new(git::open(&target, None, &open)?);
    let limits = Limits::default();
    let mut together = Duration::ZERO;
    for plugin in &plugins.plugins {
        let request = RunRequest {
            checks: plugin.meta.checks.iter().map(|c| (c.id.clone(), Vec::new())).collect(),
            ..RunRequest::default()
        };
        runtime.run(plugin, &snapshot, &request, &limits);
        let per_run = time(20, || runtime.run(plugin, &snapshot, &request, &limits).outcomes.len());
        println!("  plugin {:<12} instantiate + run: {}", plugin.meta.name, ms(per_run));
        if matches!(plugin.meta.name.as_str(), "docs" | "governance") {
            together += per_run;
        }
    }
    println!("  docs + governance together: {} (target < 10 ms)", ms(together));

    let whole = time(5, || {
        fledge_command(&cache).args(["check", repo.to_str().unwrap_or_default(), "--format", "json"]).output()
    });
    println!("  fledge check (binary, whole run): {} (target < 1 s)", ms(whole));

    let tiny = work.join("tiny.git");
    synthetic::create(&tiny, &Spec { files: 10, commits: 3, ..Spec::default() })?;
    let cold = time(10, || fledge_command(&cache).args(["check", tiny.to_str().unwrap_or_default()]).output());
    println!("  cold start, fledge check of a 10-file repository with cached plugins: {} (target < 150 ms)", ms(cold));
    Ok(())
}

/// Runs the built-in plugins in a loop on the large repository, for `perf`.
fn profile_plugins(work: &Path) -> anyhow::Result<()> {
    let repo = work.join("profile.git");
    synthetic::create(&repo, &Spec { files: 20_000, commits: 100, ..Spec::default() })?;
    let (open, runtime, plugins) = builtin_setup(work)?;
    let snapshot = Arc::new(git::open(&Target::Local(repo), None, &open)?);
    for plugin in &plugins.plugins {
        for check in &plugin.meta.checks {
            let request = RunRequest { checks: vec![(check.id.clone(), Vec::new())], ..RunRequest::default() };
            let t = time(20, || runtime.run(plugin, &snapshot, &request, &Limits::default()).outcomes.len());
            println!("  {:<30} alone: {}", check.id, ms(t));
        }
    }
    let start = Instant::now();
    for _ in 0..200 {
        for plugin in &plugins.plugins {
            let request = RunRequest {
                checks: plugin.meta.checks.iter().map(|c| (c.id.clone(), Vec::new())).collect(),
                ..RunRequest::default()
            };
            runtime.run(plugin, &snapshot, &request, &Limits::default());
        }
    }
    println!("profile: 200 rounds in {:.2} s", start.elapsed().as_secs_f64());
    Ok(())
}

/// Full-history secret scan against the floor of reading every object
/// and against Kingfisher (`kingfisher scan REPO --no-validate`, from PyPI
/// `kingfisher-bin`, when installed), on a synthetic history, on this
/// project's own history and on the sources of the crates in cargo's
/// registry cache committed as one tree; then a re-check after one commit
/// with the results cache.
fn secrets(work: &Path) -> anyhow::Result<()> {
    let repo = work.join("history.git");
    let spec = Spec { files: 1000, commits: 10_000, changes_per_commit: 1, file_bytes: 19_000, ..Spec::default() };
    let start = Instant::now();
    synthetic::create(&repo, &spec)?;
    println!(
        "secrets: synthetic repository of {} commits built in {:.1} s",
        spec.commits,
        start.elapsed().as_secs_f64()
    );
    let (open, runtime, plugins) = builtin_setup(work)?;
    let kingfisher = kingfisher();
    if kingfisher.is_none() {
        println!("  (kingfisher not found: `pip install --user kingfisher-bin` to compare)");
    }
    compare_secrets("synthetic history", &repo, &open, &runtime, &plugins, kingfisher.as_deref())?;
    // This project's own history, as a mirror.
    let own = work.join("own.git");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let cloned =
        Command::new("git").args(["clone", "--quiet", "--mirror", "--no-local"]).arg(&root).arg(&own).status()?;
    if cloned.success() {
        compare_secrets("this project's history", &own, &open, &runtime, &plugins, kingfisher.as_deref())?;
    }
    // Real projects' sources: every crate in cargo's registry cache, one tree.
    if let Some(corpus) = crates_corpus(work)? {
        compare_secrets("registry crates, one commit", &corpus, &open, &runtime, &plugins, kingfisher.as_deref())?;
        incremental(work, &corpus)?;
    }
    Ok(())
}

/// The secrets history scan of `repo` against `git cat-file` and Kingfisher.
fn compare_secrets(
    label: &str,
    repo: &Path,
    open: &OpenOptions,
    runtime: &Runtime,
    plugins: &PluginSet,
    kingfisher: Option<&Path>,
) -> anyhow::Result<()> {
    println!("secrets on {label} ({}):", repo.display());
    let floor = measure(3, || {
        Command::new("git")
            .args(["cat-file", "--batch-all-objects", "--batch"])
            .current_dir(repo)
            .stdout(std::process::Stdio::null())
            .status()
    });
    let secrets = builtin(plugins, "secrets")?;
    let request =
        RunRequest { checks: vec![("secrets.credentials-history".to_owned(), Vec::new())], ..RunRequest::default() };
    let mut bytes = 0;
    let mut blobs = 0.0;
    let mut status = String::new();
    let scan = measure(3, || {
        // A fresh snapshot each time: the history index is part of the cost.
        let snapshot = Arc::new(git::open(&Target::Local(repo.to_owned()), None, open).expect("open"));
        let output = runtime.run(secrets, &snapshot, &request, &Limits::default());
        bytes = output.bytes_read;
        blobs = output.outcomes[0].1.metrics.iter().find(|m| m.name == "blobs-scanned").map_or(0.0, |m| m.value);
        status = format!("{:?}: {}", output.outcomes[0].1.status, output.outcomes[0].1.message);
    });
    let mb = bytes as f64 / 1e6;
    println!("  blobs scanned: {blobs}, content read: {mb:.0} MB; {status}");
    println!("  floor, git cat-file --batch-all-objects --batch: {floor}");
    println!("  secrets.credentials-history (every ref): {scan}, {:.0} MB/s", mb / scan.wall.as_secs_f64());
    println!(
        "  ratio to the floor: {:.2}x wall, {:.2}x CPU (target < 1x)",
        scan.wall.as_secs_f64() / floor.wall.as_secs_f64(),
        scan.cpu / floor.cpu.max(1e-3)
    );
    if let Some(kingfisher) = kingfisher {
        let peer = measure(2, || {
            Command::new(kingfisher)
                .args(["scan", "--no-validate", "--no-update-check", "--format", "json"])
                .arg(repo)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
        });
        println!("  kingfisher scan --no-validate: {peer}");
        println!("  fledge CPU / Kingfisher CPU: {:.2} (target <= 0.5)", scan.cpu / peer.cpu.max(1e-3));
    }
    Ok(())
}

/// A whole `fledge check` of `corpus`, then of the same after one commit,
/// with the results cache: the second scans only the new blob.
fn incremental(work: &Path, corpus: &Path) -> anyhow::Result<()> {
    let cache = work.join("incremental-cache");
    let check = |extra: &[&str]| {
        fledge_command(&cache)
            .args(["check", corpus.to_str().unwrap_or_default(), "--format", "json"])
            .args(extra)
            .output()
    };
    check(&["--no-result-cache"])?; // compiles the plugins
    let uncached = measure(3, || check(&["--no-result-cache"]));
    check(&[])?; // fills the results cache
    let warm = measure(3, || check(&[]));
    let add = |name: &str| -> anyhow::Result<()> {
        std::fs::write(corpus.join(name), format!("{name}\n"))?;
        let ok = Command::new("git").args(["add", name]).current_dir(corpus).status()?.success()
            && commit_all(corpus, name)?;
        anyhow::ensure!(ok, "could not commit {name}");
        Ok(())
    };
    add("one-more-file.txt")?;
    let started = Instant::now();
    let output = check(&[])?;
    let one_commit = started.elapsed();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    let cache_use = report["plugins"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["name"] == "secrets"))
        .map(|p| p["cache"].to_string())
        .unwrap_or_default();
    println!("incremental: whole `fledge check` of the registry crates");
    println!("  results cache off: {uncached}");
    println!("  results cache warm, nothing changed: {warm}");
    println!("  after one new commit: {} (secrets cache use: {cache_use})", ms(one_commit));
    Ok(())
}

/// Every crate in cargo's registry cache, committed as one tree (about
/// 20,000 files of real projects' sources), or `None` when there is none.
fn crates_corpus(work: &Path) -> anyhow::Result<Option<PathBuf>> {
    let Some(registry) = dirs_registry() else { return Ok(None) };
    let corpus = work.join("crates");
    std::fs::create_dir_all(&corpus)?;
    let copied = Command::new("cp").arg("-r").args(registry).arg(&corpus).status()?;
    let git = |args: &[&str]| Command::new("git").args(args).current_dir(&corpus).status();
    let ok = copied.success()
        && git(&["init", "--quiet"])?.success()
        && git(&["add", "--all", "--force"])?.success()
        && commit_all(&corpus, "crates")?;
    Ok(ok.then_some(corpus))
}

/// Commits what is staged in `repo`, with no automatic `gc` in the
/// background: the objects stay loose, and nothing else runs while the
/// floor and the scan are timed.
fn commit_all(repo: &Path, message: &str) -> anyhow::Result<bool> {
    let args = ["-c", "gc.auto=0", "-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit"];
    Ok(Command::new("git").args(args).args(["--quiet", "-m", message]).current_dir(repo).status()?.success())
}

/// The unpacked crates of cargo's registry cache.
fn dirs_registry() -> Option<Vec<PathBuf>> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
    let src = std::fs::read_dir(home.join("registry/src")).ok()?;
    let crates: Vec<PathBuf> = src
        .flatten()
        .flat_map(|index| std::fs::read_dir(index.path()).into_iter().flatten().flatten().map(|e| e.path()))
        .collect();
    (!crates.is_empty()).then_some(crates)
}

/// The Kingfisher binary: `$KINGFISHER`, on `PATH`, or where `pip install
/// --user` puts it.
fn kingfisher() -> Option<PathBuf> {
    let candidates = std::env::var_os("KINGFISHER").map(PathBuf::from).into_iter().chain(
        std::env::var_os("PATH")
            .into_iter()
            .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
            .chain(std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/bin")))
            .map(|dir| dir.join("kingfisher")),
    );
    candidates.into_iter().find(|p| p.is_file())
}

/// Wall time and CPU time (this process and the children it waited for).
struct Cost {
    wall: Duration,
    cpu: f64,
}

impl std::fmt::Display for Cost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} wall, {:.2} s CPU", ms(self.wall), self.cpu)
    }
}

/// The median wall time and CPU time of `runs` runs of `f`.
fn measure<T>(runs: usize, mut f: impl FnMut() -> T) -> Cost {
    let mut walls = Vec::new();
    let mut cpus = Vec::new();
    for _ in 0..runs {
        let (cpu_before, start) = (cpu_seconds(), Instant::now());
        std::hint::black_box(f());
        walls.push(start.elapsed());
        cpus.push(cpu_seconds() - cpu_before);
    }
    cpus.sort_by(f64::total_cmp);
    Cost { wall: median(walls), cpu: cpus[cpus.len() / 2] }
}

/// CPU seconds of this process and its waited-for children, from
/// /proc/self/stat (utime, stime, cutime, cstime, in clock ticks of 1/100 s).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    // Fields after the name start at field 3; utime is field 14.
    let fields: Vec<f64> = after_name.split_whitespace().skip(11).take(4).filter_map(|f| f.parse().ok()).collect();
    fields.iter().sum::<f64>() / 100.0
}

/// The community plugin on a long history against `git log`.
fn community(work: &Path) -> anyhow::Result<()> {
    let repo = work.join("long.git");
    // 100,000 commits an hour apart: about 11 years, the last one holding
    // about 8,760 commits.
    let spec =
        Spec { files: 100, commits: 100_000, changes_per_commit: 1, file_bytes: 64, authors: 40, ..Spec::default() };
    let start = Instant::now();
    synthetic::create(&repo, &spec)?;
    println!(
        "community: synthetic repository of {} commits built in {:.1} s",
        spec.commits,
        start.elapsed().as_secs_f64()
    );
    let floor = time(3, || {
        Command::new("git")
            .args(["log", "--format=%H %ae %at"])
            .current_dir(&repo)
            .stdout(std::process::Stdio::null())
            .status()
    });
    let (open, runtime, plugins) = builtin_setup(work)?;
    let community = builtin(&plugins, "community")?;
    let request = RunRequest {
        checks: community.meta.checks.iter().map(|c| (c.id.clone(), Vec::new())).collect(),
        ..RunRequest::default()
    };
    let mut bus = String::new();
    let run = time(3, || {
        let snapshot = Arc::new(git::open(&Target::Local(repo.clone()), None, &open).expect("open"));
        let output = runtime.run(community, &snapshot, &request, &Limits::default());
        bus = output
            .outcomes
            .iter()
            .find(|(id, _)| id == "community.bus-factor")
            .map(|(_, o)| o.message.clone())
            .unwrap_or_default();
    });
    // The whole log through the host, for the worst case of a history that
    // is all recent.
    let whole = time(3, || {
        let snapshot = Arc::new(git::open(&Target::Local(repo.clone()), None, &open).expect("open"));
        let reader = snapshot.reader().expect("reader");
        let mut n = 0;
        loop {
            let page = reader.commits(n, 2000).expect("commits");
            if page.is_empty() {
                break n;
            }
            n += page.len() as u32;
        }
    });
    println!("  floor, git log --format='%H %ae %at' (all 100,000 commits): {}", ms(floor));
    println!(
        "  community plugin, all six checks (reads the last 12 months): {} ({:.2}x the floor; target < 2x)",
        ms(run),
        run.as_secs_f64() / floor.as_secs_f64()
    );
    println!(
        "  host commit log, all 100,000 commits, natively: {} ({:.2}x the floor)",
        ms(whole),
        whole.as_secs_f64() / floor.as_secs_f64()
    );
    println!("  {bus}");
    Ok(())
}

/// The `acme.headers` check in Rust, Python and JavaScript: component size,
/// compile time, load from the compile cache, and a run (instantiation
/// included) with no checks, on 10 files and on 2,000 files.
fn languages(work: &Path) -> anyhow::Result<()> {
    let toolchains = Path::new(env!("CARGO_TARGET_TMPDIR")).join("toolchains");
    let mut plugins = vec![("Rust", PathBuf::from(ACME_HEADERS_PLUGIN))];
    match polyglot::install_componentize_py(&toolchains, COMPONENTIZE_PY_VERSION) {
        Ok(tool) => {
            let wasm = work.join("acme-python.wasm");
            let source = polyglot::workspace().join("examples/acme-headers/python");
            polyglot::build_python(&tool, &source, &polyglot::workspace().join("sdk/wit"), &wasm)?;
            plugins.push(("Python", wasm));
        }
        Err(e) => println!("languages: no Python plugin, componentize-py cannot be installed: {e:#}"),
    }
    match polyglot::install_componentize_js(&toolchains, COMPONENTIZE_JS_VERSION) {
        Ok(toolchain) => {
            let wasm = work.join("acme-js.wasm");
            polyglot::build_js_example(&toolchain, &wasm)?;
            plugins.push(("JavaScript", wasm));
        }
        Err(e) => println!("languages: no JavaScript plugin, componentize-js cannot be installed: {e:#}"),
    }
    let open = OpenOptions {
        cache_dir: work.join("cache"),
        max_blob_bytes: 64 << 20,
        ignore: Vec::new(),
        deadline: None,
        history: HistoryScope::AllRefs,
    };
    let fixture = |files: usize| -> anyhow::Result<(RepoBuilder, Arc<git::Snapshot>)> {
        let mut repo = RepoBuilder::new();
        for i in 0..files {
            let header = if i % 2 == 0 { "// Copyright ACME\n" } else { "" };
            repo.file(&format!("src/m{}/f{i}.rs", i % 40), format!("{header}pub fn f{i}() {{}}\n"));
        }
        repo.commit("sources");
        let snapshot = Arc::new(git::open(&Target::Local(repo.path().to_path_buf()), None, &open)?);
        Ok((repo, snapshot))
    };
    let ((_small_repo, small), (_large_repo, large)) = (fixture(10)?, fixture(2000)?);
    let request = RunRequest { checks: vec![("acme.headers".to_owned(), Vec::new())], ..RunRequest::default() };
    let native_reads = time(5, || {
        let reader = large.reader().expect("reader");
        large.files().iter().map(|f| reader.read_file(&f.path, 512).map(|b| b.data.len()).unwrap_or(0)).sum::<usize>()
    });
    println!("languages: the 2,000 reads alone, natively through the host's reader: {}", ms(native_reads));
    println!("languages: the acme.headers check (median of runs, compile cache warm except for compile)");
    println!(
        "  {:<11} {:>9} {:>11} {:>11} {:>13} {:>11} {:>13}",
        "", "size", "compile", "load", "instantiate", "10 files", "2,000 files"
    );
    for (language, path) in &plugins {
        let bytes = std::fs::read(path)?;
        let compile = time(3, || Runtime::new(None).and_then(|r| r.load(&bytes, "bench")).map(|p| p.digest));
        let compiled = work.join(format!("compiled-{language}"));
        Runtime::new(Some(compiled.clone()))?.load(&bytes, "bench")?;
        let load =
            time(5, || Runtime::new(Some(compiled.clone())).and_then(|r| r.load(&bytes, "bench")).map(|p| p.digest));
        let runtime = Runtime::new(Some(compiled))?;
        let plugin = runtime.load(&bytes, "bench")?;
        let output = runtime.run(&plugin, &large, &request, &Limits::default());
        anyhow::ensure!(output.failure.is_none(), "{language} plugin failed: {:?}", output.failure);
        let instantiate =
            time(20, || runtime.run(&plugin, &small, &RunRequest::default(), &Limits::default()).duration);
        let run_small = time(20, || runtime.run(&plugin, &small, &request, &Limits::default()).duration);
        let run_large = time(5, || runtime.run(&plugin, &large, &request, &Limits::default()).duration);
        println!(
            "  {:<11} {:>6.1} MB {:>11} {:>11} {:>13} {:>11} {:>13}",
            language,
            bytes.len() as f64 / 1e6,
            ms(compile),
            ms(load),
            ms(instantiate),
            ms(run_small),
            ms(run_large)
        );
    }
    Ok(())
}

/// A line of `fledge scan`'s summary: "time summed over repositories: git
/// 1.0 s, plugins 2.0 s" → (1.0, 2.0).
fn scan_times(stdout: &str) -> (f64, f64) {
    let line = stdout.lines().find(|l| l.starts_with("time summed")).unwrap_or_default();
    let number = |label: &str| -> f64 {
        line.split(label)
            .nth(1)
            .and_then(|rest| rest.trim().split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0.0)
    };
    (number("git "), number("plugins "))
}

/// `git clone --mirror` of every URL into `dest`, two at a time (the
/// machine's cores), as a cold scan must clone them.
fn git_mirror_all(urls: &[String], dest: &Path) -> anyhow::Result<Duration> {
    let start = Instant::now();
    for (pair_index, pair) in urls.chunks(2).enumerate() {
        let children: Vec<_> = pair
            .iter()
            .enumerate()
            .map(|(i, url)| {
                Command::new("git")
                    .args(["clone", "--quiet", "--mirror"])
                    .arg(url)
                    .arg(dest.join(format!("{}.git", pair_index * 2 + i)))
                    .spawn()
            })
            .collect::<Result<_, _>>()?;
        for mut child in children {
            anyhow::ensure!(child.wait()?.success(), "git clone --mirror failed");
        }
    }
    Ok(start.elapsed())
}

/// A `git daemon` serving `root` over git:// on 127.0.0.1, stopped on drop.
struct GitDaemon {
    child: std::process::Child,
    port: u16,
}

impl GitDaemon {
    fn start(root: &Path) -> anyhow::Result<GitDaemon> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new("git")
            .args(["daemon", "--export-all", "--reuseaddr", "--listen=127.0.0.1"])
            .arg(format!("--port={port}"))
            .arg(format!("--base-path={}", root.display()))
            .arg(root)
            .stderr(std::process::Stdio::null())
            .spawn()?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            anyhow::ensure!(Instant::now() < deadline, "git daemon did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(GitDaemon { child, port })
    }
}

impl Drop for GitDaemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn scan(work: &Path) -> anyhow::Result<()> {
    const REPOSITORIES: usize = 500;
    // Sizes vary as in a real catalog: most small, some large.
    let shapes = [(20, 10), (60, 30), (150, 80), (400, 200), (1500, 600)];
    let root = work.join("catalog");
    std::fs::create_dir_all(&root)?;
    let start = Instant::now();
    let (mut files, mut commits) = (0, 0);
    let mut names = Vec::new();
    for i in 0..REPOSITORIES {
        let (f, c) = shapes[(i * 7) % shapes.len()];
        let (f, c) = if i % 50 == 0 { (f * 4, c * 4) } else { (f, c) };
        let name = format!("repo-{i:03}.git");
        synthetic::create(&root.join(&name), &Spec { files: f, commits: c, ..Spec::default() })?;
        files += f;
        commits += c;
        names.push(name);
    }
    println!(
        "scan: {REPOSITORIES} repositories ({files} files, {commits} commits in all) generated in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    let catalog_of = |urls: &[String], path: &Path| -> anyhow::Result<()> {
        let mut catalog = String::new();
        for (i, url) in urls.iter().enumerate() {
            catalog.push_str(&format!(
                "[[repository]]\nname = \"bench/repo-{i:03}\"\nurl = \"{url}\"\nteam = \"team-{}\"\n\n",
                i % 12
            ));
        }
        Ok(std::fs::write(path, catalog)?)
    };
    let cache = work.join("scan-cache");
    // Compile the plugins once; the scan's summary reports it apart.
    fledge_command(&cache).arg("plugins").output()?;
    let run_scan = |catalog: &Path, db: &Path, extra: &[&str]| -> anyhow::Result<(Duration, String)> {
        let start = Instant::now();
        let output = fledge_command(&cache)
            .arg("scan")
            .arg(catalog)
            .arg("--db")
            .arg(db)
            .args(["--progress", "quiet"])
            .args(extra)
            .output()?;
        let elapsed = start.elapsed();
        anyhow::ensure!(output.status.success(), "scan failed: {}", String::from_utf8_lossy(&output.stderr));
        Ok((elapsed, String::from_utf8(output.stdout)?))
    };
    // The plugins' own share: a forced re-scan runs every plugin and
    // fetches nothing new.
    let mut plugins_wall = Duration::ZERO;
    let daemon = GitDaemon::start(&root)?;
    for transport in ["file", "git"] {
        let urls: Vec<String> = names
            .iter()
            .map(|name| match transport {
                "file" => format!("file://{}", root.join(name).display()),
                _ => format!("git://127.0.0.1:{}/{name}", daemon.port),
            })
            .collect();
        let catalog = work.join(format!("catalog-{transport}.toml"));
        catalog_of(&urls, &catalog)?;
        let mirrors = work.join(format!("git-mirrors-{transport}"));
        std::fs::create_dir_all(&mirrors)?;
        let floor = git_mirror_all(&urls, &mirrors)?;
        std::fs::remove_dir_all(&mirrors)?;
        println!("  {transport}://: git clone --mirror of every repository, 2 at a time: {:.1} s", floor.as_secs_f64());
        let _ = std::fs::remove_dir_all(cache.join("mirrors"));
        let db = work.join(format!("scan-{transport}.db"));
        let (cold, stdout) = run_scan(&catalog, &db, &[])?;
        let (git, plugins) = scan_times(&stdout);
        println!(
            "  {transport}://: cold scan: {:.1} s wall ({:.1} repositories/s)",
            cold.as_secs_f64(),
            REPOSITORIES as f64 / cold.as_secs_f64()
        );
        println!(
            "    summed over repositories: git {git:.1} s ({:.0} %), plugins {plugins:.1} s ({:.0} %)",
            100.0 * git / (git + plugins).max(f64::EPSILON),
            100.0 * plugins / (git + plugins).max(f64::EPSILON)
        );
        println!("    {}", stdout.lines().next().unwrap_or_default());
        if transport == "file" {
            let mut warm = Vec::new();
            for _ in 0..3 {
                let (elapsed, stdout) = run_scan(&catalog, &db, &[])?;
                anyhow::ensure!(
                    stdout.contains(&format!("0 scanned, {REPOSITORIES} cached")),
                    "not all cached: {stdout}"
                );
                warm.push(elapsed);
            }
            let warm = median(warm);
            println!("  warm re-scan, nothing changed: {:.2} s wall (target < 10 s)", warm.as_secs_f64());
            let (forced, stdout) = run_scan(&catalog, &db, &["--force"])?;
            let (git, plugins) = scan_times(&stdout);
            plugins_wall = forced;
            println!(
                "  forced re-scan (fetch, no clone; every plugin runs): {:.1} s wall; git {git:.1} s, plugins {plugins:.1} s summed",
                forced.as_secs_f64()
            );
            for format in ["table", "json", "html"] {
                let out = work.join(format!("report.{format}"));
                let elapsed = time(3, || {
                    fledge_command(&cache)
                        .args(["report", "--format", format, "--db"])
                        .arg(&db)
                        .arg("-o")
                        .arg(&out)
                        .output()
                        .map(|o| o.status.success())
                });
                let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
                println!("  report --format {format}: {} ({} KB)", ms(elapsed), size / 1024);
            }
            println!("  database: {} KB after {} runs", std::fs::metadata(&db)?.len() / 1024, 5);
        }
        // The target: within 2x git's cloning, plus the plugins' own time.
        println!(
            "  {transport}://: cold scan / (git clone --mirror + forced re-scan) = {:.2} (target <= 2)",
            cold.as_secs_f64() / (floor + plugins_wall).as_secs_f64()
        );
    }
    Ok(())
}

/// `fledge publish` of a long history against the tools teams use today.
fn publish(work: &Path) -> anyhow::Result<()> {
    let source = work.join("publish-source.git");
    let spec = Spec { files: 2000, commits: 10_000, changes_per_commit: 2, file_bytes: 4000, ..Spec::default() };
    synthetic::create(&source, &spec)?;
    let filter_repo = match polyglot::which("git-filter-repo") {
        Some(path) => path,
        None => {
            let status = Command::new("python3")
                .args(["-m", "pip", "install", "--quiet", "--user", "git-filter-repo==2.47.0"])
                .status()?;
            anyhow::ensure!(status.success(), "cannot install git-filter-repo from PyPI");
            polyglot::which("git-filter-repo").ok_or_else(|| anyhow::anyhow!("git-filter-repo is not on PATH"))?
        }
    };
    // The same replacement for both: a word of the generated text.
    let policy = work.join("publish-policy.toml");
    std::fs::write(
        &policy,
        format!(
            "{}\n[publish]\nreplace = [{{ pattern = \"handler\", with = \"HANDLER\" }}]\n",
            fledge::policy::DEFAULT_POLICY
        ),
    )?;
    let expressions = work.join("replacements.txt");
    std::fs::write(&expressions, "handler==>HANDLER\n")?;
    let cache = work.join("cache");
    let runs = 3;
    let mut round = 0;
    let fledge_time = time(runs, || {
        round += 1;
        let dest = work.join(format!("published-{round}"));
        let status = fledge_command(&cache)
            .args(["publish", source.to_str().unwrap_or_default(), dest.to_str().unwrap_or_default(), "--policy"])
            .arg(&policy)
            .env("FLEDGE_LOG", "fledge::publish=info")
            .stdout(std::process::Stdio::null())
            .status()
            .expect("fledge publish");
        assert!(status.success(), "fledge publish failed");
    });
    let filter_time = median(
        (0..runs)
            .map(|_| {
                round += 1;
                let clone = work.join(format!("filter-repo-{round}"));
                let cloned = Command::new("git")
                    .args(["clone", "--quiet", "--bare", "--no-local"])
                    .arg(&source)
                    .arg(&clone)
                    .status()
                    .expect("git clone");
                assert!(cloned.success());
                let start = Instant::now();
                let status = Command::new(&filter_repo)
                    .args(["--quiet", "--force", "--replace-text"])
                    .arg(&expressions)
                    .current_dir(&clone)
                    .status()
                    .expect("git filter-repo");
                assert!(status.success(), "git filter-repo failed");
                start.elapsed()
            })
            .collect(),
    );
    let floor = time(runs, || {
        round += 1;
        let dest = work.join(format!("fast-import-{round}"));
        std::fs::create_dir_all(&dest).expect("mkdir");
        let init = Command::new("git").args(["init", "--quiet", "--bare"]).current_dir(&dest).status();
        assert!(init.is_ok_and(|s| s.success()));
        let mut export = Command::new("git")
            .args(["fast-export", "--all", "--reencode=no", "--signed-tags=strip"])
            .current_dir(&source)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("git fast-export");
        let import = Command::new("git")
            .args(["fast-import", "--quiet"])
            .current_dir(&dest)
            .stdin(export.stdout.take().expect("pipe"))
            .status()
            .expect("git fast-import");
        assert!(import.success() && export.wait().is_ok_and(|s| s.success()));
    });
    println!("publish: {} commits, {} files, one replacement rule (median of {runs})", spec.commits, spec.files);
    println!("  git fast-export | git fast-import: {}", ms(floor));
    println!("  git filter-repo --replace-text (after a clone, not timed): {}", ms(filter_time));
    println!(
        "  fledge publish (check of the source, rewrite, check of the result): {}, {:.2}x git filter-repo (target <= 1x), {:.2}x fast-export|fast-import (target <= 2x)",
        ms(fledge_time),
        fledge_time.as_secs_f64() / filter_time.as_secs_f64(),
        fledge_time.as_secs_f64() / floor.as_secs_f64()
    );
    Ok(())
}

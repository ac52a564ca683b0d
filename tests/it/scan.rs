//! The nightly scan: `fledge scan` over a catalog of fixture repositories
//! served as file:// remotes, then `report`, `history` and `merge`, with
//! the results read back from the scan database.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use fledge_tests::{HOSTILE_PLUGIN, RepoBuilder, WELL_RUN_README, well_governed};
use serde_json::Value;
use tempfile::TempDir;

use crate::util::{fledge, stderr};

/// A scan's working directory: the catalog and its database.
struct Nightly {
    dir: TempDir,
}

impl Nightly {
    /// A catalog of `(name, url, extra TOML)` entries.
    fn new(entries: &[(&str, &str, &str)]) -> Nightly {
        let nightly = Nightly { dir: tempfile::tempdir().unwrap() };
        nightly.write_catalog(entries);
        nightly
    }

    fn write_catalog(&self, entries: &[(&str, &str, &str)]) {
        let mut text = String::from("# The inner-source catalog.\n");
        for (name, url, extra) in entries {
            text.push_str(&format!("\n[[repository]]\nname = \"{name}\"\nurl = \"{url}\"\n{extra}"));
        }
        std::fs::write(self.catalog(), text).unwrap();
    }

    fn catalog(&self) -> PathBuf {
        self.dir.path().join("catalog.toml")
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("fledge.db")
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    /// `fledge scan` with the standard test options and `extra`.
    fn scan_command(&self, db: &Path, extra: &[&str]) -> std::process::Command {
        let mut command = fledge();
        command
            .arg("scan")
            .arg(self.catalog())
            .arg("--db")
            .arg(db)
            .args(["--progress", "lines", "--retry-delay", "0.01"])
            .args(extra);
        command
    }

    fn scan(&self, extra: &[&str]) -> Output {
        self.scan_command(&self.db(), extra).output().unwrap()
    }

    /// `fledge scan` that must succeed.
    fn scan_ok(&self, extra: &[&str]) -> Output {
        let output = self.scan(extra);
        assert!(output.status.success(), "scan failed: {}", stderr(&output));
        output
    }

    /// `fledge <args> --db <db>`, which must succeed; stdout.
    fn ok(&self, args: &[&str]) -> String {
        let output = fledge().args(args).arg("--db").arg(self.db()).output().unwrap();
        assert!(output.status.success(), "fledge {args:?} failed: {}", stderr(&output));
        String::from_utf8(output.stdout).unwrap()
    }

    fn report(&self, extra: &[&str]) -> Value {
        let mut args = vec!["report", "--format", "json"];
        args.extend_from_slice(extra);
        serde_json::from_str(&self.ok(&args)).unwrap()
    }
}

/// Per repository of the latest run in `db`: outcome and error kind.
fn outcomes(db: &Path) -> BTreeMap<String, (String, Option<String>)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut statement = conn
        .prepare(
            "SELECT repository, outcome, error_kind FROM results WHERE run_id = (SELECT MAX(id) FROM runs)
             ORDER BY repository",
        )
        .unwrap();
    statement
        .query_map([], |row| Ok((row.get(0)?, (row.get(1)?, row.get(2)?))))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// A repository's commit, stage and score.
type Standing = (Option<String>, Option<String>, Option<f64>);

/// Per repository of the latest run in `db`: its standing.
fn standings(db: &Path) -> BTreeMap<String, Standing> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut statement = conn
        .prepare("SELECT repository, commit_id, stage, score FROM results WHERE run_id = (SELECT MAX(id) FROM runs)")
        .unwrap();
    statement
        .query_map([], |row| Ok((row.get(0)?, (row.get(1)?, row.get(2)?, row.get(3)?))))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// `(id, state, interruptions, total)` of every run in `db`.
fn runs(db: &Path) -> Vec<(i64, String, u32, u32)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut statement = conn.prepare("SELECT id, state, interruptions, total FROM runs ORDER BY id").unwrap();
    statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

fn result_count(db: &Path) -> i64 {
    let Ok(conn) = rusqlite::Connection::open(db) else { return 0 };
    conn.query_row("SELECT COUNT(*) FROM results", [], |row| row.get(0)).unwrap_or(0)
}

fn document_count(db: &Path) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("SELECT COUNT(*) FROM documents", [], |row| row.get(0)).unwrap()
}

fn owned(map: &[(&str, &str, Option<&str>)]) -> BTreeMap<String, (String, Option<String>)> {
    map.iter().map(|(n, o, k)| ((*n).to_owned(), ((*o).to_owned(), k.map(str::to_owned)))).collect()
}

/// Three repositories at different stages of readiness.
fn three_repositories() -> Vec<RepoBuilder> {
    let mut governed = RepoBuilder::new();
    well_governed(&mut governed);
    governed.commit("initial");
    let mut readme = RepoBuilder::new();
    readme.file("README.md", WELL_RUN_README);
    readme.commit("initial");
    let mut bare = RepoBuilder::new();
    bare.file("main.c", "int main(void) { return 0; }\n");
    bare.commit("initial");
    vec![governed, readme, bare]
}

#[test]
fn unchanged_repositories_are_cached_and_a_new_commit_is_rescanned() {
    let mut repos = three_repositories();
    let (a, b, c) = (repos[0].url(), repos[1].url(), repos[2].url());
    let nightly = Nightly::new(&[
        ("core/governed", &a, "team = \"core\"\nstage = \"sandbox\"\n"),
        ("core/readme", &b, "team = \"core\"\n"),
        ("web/bare", &c, "team = \"web\"\n"),
    ]);
    let first = nightly.scan_ok(&[]);
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(stdout.starts_with("run 1: 3 repositories in "), "{stdout}");
    assert!(stdout.contains("3 scanned, 0 cached, 0 errors"), "{stdout}");
    // Not a terminal: one progress line per repository.
    assert_eq!(stderr(&first).matches("fledge scan: [").count(), 3, "{}", stderr(&first));
    let scanned =
        owned(&[("core/governed", "scanned", None), ("core/readme", "scanned", None), ("web/bare", "scanned", None)]);
    assert_eq!(outcomes(&nightly.db()), scanned);
    let before = standings(&nightly.db());
    let documents = document_count(&nightly.db());

    let second = nightly.scan_ok(&[]);
    assert!(String::from_utf8_lossy(&second.stdout).contains("0 scanned, 3 cached, 0 errors"));
    let cached =
        owned(&[("core/governed", "cached", None), ("core/readme", "cached", None), ("web/bare", "cached", None)]);
    assert_eq!(outcomes(&nightly.db()), cached);
    // A cached result is the same result, stored once: an unchanged night
    // does not grow the database.
    assert_eq!(standings(&nightly.db()), before);
    assert_eq!(document_count(&nightly.db()), documents);

    // A new commit in one repository: only that one is checked again.
    repos[2].file("README.md", WELL_RUN_README).file("LICENSE", fledge_tests::MIT_LICENSE);
    let new_commit = repos[2].commit("docs");
    nightly.scan_ok(&[]);
    let mixed =
        owned(&[("core/governed", "cached", None), ("core/readme", "cached", None), ("web/bare", "scanned", None)]);
    assert_eq!(outcomes(&nightly.db()), mixed);
    let after = standings(&nightly.db());
    assert_eq!(after["web/bare"].0.as_deref(), Some(new_commit.as_str()));
    assert!(after["web/bare"].2 > before["web/bare"].2, "{before:?} -> {after:?}");

    // The report compares with the previous run: one improvement.
    let report = nightly.report(&[]);
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["run"]["id"], 3);
    assert_eq!(report["baseline"]["id"], 2);
    let changes: Vec<(&str, &str)> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["kind"].as_str().unwrap(), c["repository"].as_str().unwrap()))
        .collect();
    assert_eq!(changes, [("improved", "web/bare")]);
    // ... that names the checks that moved.
    let moved: Vec<(&str, &str, &str)> = report["changes"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap(), c["before"].as_str().unwrap_or("-"), c["after"].as_str().unwrap_or("-")))
        .collect();
    for expected in
        [("docs.readme", "fail", "pass"), ("governance.license", "fail", "pass"), ("license.file", "fail", "pass")]
    {
        assert!(moved.contains(&expected), "{expected:?} not in {moved:?}");
    }
    let table = nightly.ok(&["report"]);
    assert!(table.lines().any(|l| l.trim() == "docs.readme fail → pass"), "{table}");
    assert_eq!(report["summary"]["scanned"], 1);
    assert_eq!(report["summary"]["cached"], 2);
    let bare = report["repositories"].as_array().unwrap().iter().find(|r| r["repository"] == "web/bare").unwrap();
    assert_eq!(bare["history"].as_array().unwrap().len(), 3);
    assert!(bare["score_change"].as_f64().unwrap() > 0.0);
    assert!(!bare["blockers"].as_array().unwrap().is_empty(), "{bare:#}");

    // --force checks everything again.
    let forced = nightly.scan_ok(&["--force"]);
    assert!(String::from_utf8_lossy(&forced.stdout).contains("3 scanned, 0 cached"));

    // history: one row per run, oldest first.
    let history = nightly.ok(&["history", "web/bare"]);
    let lines: Vec<&str> = history.lines().collect();
    assert_eq!(lines[0], "web/bare (4 runs)");
    assert_eq!(lines.len(), 6, "{history}");
    assert!(lines[2].contains("scanned") && lines[3].contains("cached") && lines[4].contains("scanned"), "{history}");
    let json: Value = serde_json::from_str(&nightly.ok(&["history", "web/bare", "--format", "json"])).unwrap();
    let commits: Vec<&str> = json.as_array().unwrap().iter().map(|e| e["commit"].as_str().unwrap()).collect();
    assert_eq!(commits[2], new_commit);
    assert_ne!(commits[1], new_commit);
    // A name that is almost right gets a suggestion.
    let output = fledge().args(["history", "web/bar", "--db"]).arg(nightly.db()).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("has no results for `web/bar` (did you mean `web/bare`?)"), "{}", stderr(&output));
}

#[test]
fn a_vanished_repository_is_recorded_as_an_error_and_the_others_stand() {
    let repos = three_repositories();
    let urls: Vec<String> = repos.iter().map(RepoBuilder::url).collect();
    let nightly = Nightly::new(&[
        ("a/governed", &urls[0], ""),
        ("a/readme", &urls[1], ""),
        ("b/gone", &urls[2], "team = \"b\"\n"),
    ]);
    nightly.scan_ok(&[]);
    std::fs::remove_dir_all(repos[2].path()).unwrap();

    let output = nightly.scan(&["--retries", "2"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let expected = owned(&[
        ("a/governed", "cached", None),
        ("a/readme", "cached", None),
        ("b/gone", "error", Some("unreachable")),
    ]);
    assert_eq!(outcomes(&nightly.db()), expected);
    // Network errors are retried: 1 + 2 attempts.
    let conn = rusqlite::Connection::open(nightly.db()).unwrap();
    let (attempts, error): (u32, String) = conn
        .query_row("SELECT attempts, error FROM results WHERE repository = 'b/gone' AND run_id = 2", [], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .unwrap();
    assert_eq!(attempts, 3);
    assert!(error.contains("unreachable"), "{error}");

    // Only when asked does the exit code reflect it.
    let output = nightly.scan(&["--retries", "0", "--fail-on-error"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));

    let report = nightly.report(&["--run", "2"]);
    let failing = &report["changes"][0];
    assert_eq!((failing["kind"].as_str(), failing["repository"].as_str()), (Some("failing"), Some("b/gone")));
    assert_eq!(report["summary"]["errors"], 1);
    let table = nightly.ok(&["report", "--run", "3"]);
    assert!(table.contains("FAILING    b/gone  still failing; unreachable: "), "{table}");
}

#[test]
fn a_damaged_file_remote_is_copied_and_its_report_names_what_is_missing() {
    // A local copy takes the damage along, as a local path does: the
    // report says what could not be read, and no check passes on it.
    let repos = three_repositories();
    let blob = RepoBuilder::blob_id(WELL_RUN_README);
    std::fs::remove_file(repos[1].loose_object(&blob)).unwrap();
    let nightly = Nightly::new(&[("a/damaged", &repos[1].url(), "")]);
    nightly.scan_ok(&[]);
    let report = nightly.report(&[]);
    let entry = &report["repositories"][0];
    assert_eq!(entry["outcome"], "scanned");
    let readme = entry["checks"].as_array().unwrap().iter().find(|c| c["id"] == "docs.readme-substance").unwrap();
    assert_ne!(readme["status"], "pass", "{readme}");
}

#[test]
fn a_damaged_remote_is_corrupt_not_unreachable_and_is_not_retried() {
    // The remote borrows its objects from another repository (`git clone
    // --shared`), so it is fetched rather than copied; the repository it
    // borrows from lost the blob of its README.
    let repos = three_repositories();
    let shared = tempfile::tempdir().unwrap();
    let cloned = std::process::Command::new("git")
        .args(["clone", "-q", "--bare", "--shared"])
        .arg(repos[1].path())
        .arg(shared.path().join("damaged.git"))
        .status()
        .unwrap();
    assert!(cloned.success());
    let blob = RepoBuilder::blob_id(WELL_RUN_README);
    std::fs::remove_file(repos[1].loose_object(&blob)).unwrap();
    let damaged = format!("file://{}", shared.path().join("damaged.git").display());
    let nightly = Nightly::new(&[("a/governed", &repos[0].url(), ""), ("a/damaged", &damaged, "")]);
    let output = nightly.scan(&["--retries", "2"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let expected = owned(&[("a/governed", "scanned", None), ("a/damaged", "error", Some("corrupt"))]);
    assert_eq!(outcomes(&nightly.db()), expected);
    let conn = rusqlite::Connection::open(nightly.db()).unwrap();
    let (attempts, error): (u32, String) = conn
        .query_row("SELECT attempts, error FROM results WHERE repository = 'a/damaged'", [], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .unwrap();
    assert_eq!(attempts, 1, "{error}");
    assert!(error.contains("the repository is damaged or incomplete"), "{error}");
    assert!(error.contains(&blob), "{error}");
}

#[test]
fn partial_clones_left_by_stopped_scans_are_removed() {
    let cache = tempfile::tempdir().unwrap();
    // A process id above Linux's largest: nobody is working on this one.
    let stale = cache.path().join("mirrors/team_x.git-0123.tmp-4194999");
    std::fs::create_dir_all(stale.join("objects")).unwrap();
    let repos = three_repositories();
    let nightly = Nightly::new(&[("a/readme", &repos[1].url(), "")]);
    let output =
        nightly.scan_command(&nightly.db(), &["--cache-dir", cache.path().to_str().unwrap()]).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!stale.exists());
}

#[test]
fn a_plugin_timing_out_on_one_repository_spares_the_others() {
    let mut looping = RepoBuilder::new();
    looping.file("README.md", WELL_RUN_README).file("hostile.txt", "loop");
    looping.commit("loops");
    let mut calm = RepoBuilder::new();
    calm.file("README.md", WELL_RUN_README).file("hostile.txt", "clock");
    calm.commit("calm");
    let (l, c) = (looping.url(), calm.url());
    let nightly = Nightly::new(&[("x/looping", &l, ""), ("x/calm", &c, "")]);
    let args = ["--plugin", HOSTILE_PLUGIN, "--timeout", "1", "--fail-on-error"];
    let output = nightly.scan(&args);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let expected = owned(&[("x/calm", "scanned", None), ("x/looping", "scanned", Some("plugin"))]);
    assert_eq!(outcomes(&nightly.db()), expected);
    // The looping repository still has its other checks and a stage.
    let report = nightly.report(&[]);
    let looping_entry =
        report["repositories"].as_array().unwrap().iter().find(|r| r["repository"] == "x/looping").unwrap();
    assert!(looping_entry["stage"].is_string(), "{looping_entry:#}");
    assert!(looping_entry["error"].as_str().unwrap().contains("hostile"), "{looping_entry:#}");
    assert_eq!(report["summary"]["plugin_errors"], 1);

    // A result with a plugin failure is never reused: the next scan tries again.
    nightly.scan(&args);
    let expected = owned(&[("x/calm", "cached", None), ("x/looping", "scanned", Some("plugin"))]);
    assert_eq!(outcomes(&nightly.db()), expected);
}

/// Waits until `db` holds at least `n` results, or the scan ends.
fn wait_for_results(child: &mut Child, db: &Path, n: i64) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while result_count(db) < n {
        assert!(child.try_wait().unwrap().is_none(), "the scan ended before recording {n} results");
        assert!(Instant::now() < deadline, "no {n} results after 2 minutes");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_scan_stopped_or_killed_midway_resumes_without_losing_or_repeating_work() {
    // Each repository holds its plugin for a second, so the scan can be
    // stopped between results.
    let repos: Vec<RepoBuilder> = (0..5)
        .map(|i| {
            let mut repo = RepoBuilder::new();
            repo.file("README.md", format!("# Project {i}\n")).file("hostile.txt", "loop");
            repo.commit("slow");
            repo
        })
        .collect();
    let urls: Vec<String> = repos.iter().map(RepoBuilder::url).collect();
    let names: Vec<String> = (0..5).map(|i| format!("slow/{i}")).collect();
    let entries: Vec<(&str, &str, &str)> = names.iter().zip(&urls).map(|(n, u)| (n.as_str(), u.as_str(), "")).collect();
    let nightly = Nightly::new(&entries);
    let db = nightly.db();
    let slow = ["--plugin", HOSTILE_PLUGIN, "--timeout", "1", "--jobs", "1"];

    // SIGTERM: the scan says it was interrupted and exits 130.
    let mut child = nightly.scan_command(&db, &slow).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    wait_for_results(&mut child, &db, 1);
    let pid = child.id().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("interrupted: run the same command again to resume"));
    let recorded = result_count(&db);
    assert!((1..5).contains(&recorded), "{recorded} results");
    assert_eq!(runs(&db), [(1, "interrupted".to_owned(), 0, 5)]);

    // kill -9: no chance to say anything; what was recorded stays.
    let mut child = nightly.scan_command(&db, &slow).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    wait_for_results(&mut child, &db, recorded + 1);
    child.kill().unwrap();
    child.wait().unwrap();
    let recorded = result_count(&db);
    assert!(recorded < 5, "the scan finished before it was killed");
    assert_eq!(runs(&db)[0].1, "running");

    // The next scan resumes the same run and checks only what is left.
    let output = nightly.scan(&slow);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains(&format!("{recorded} from before the interruption")), "{stdout}");
    assert_eq!(stderr(&output).matches("fledge scan: [").count(), 5 - usize::try_from(recorded).unwrap());
    assert_eq!(runs(&db), [(1, "complete".to_owned(), 2, 5)]);
    let found: Vec<String> = outcomes(&db).into_keys().collect();
    assert_eq!(found, names);
    assert_eq!(result_count(&db), 5);
}

#[test]
fn shards_merge_into_the_result_of_one_unsharded_scan() {
    let mut repos = Vec::new();
    for i in 0..8 {
        let mut repo = RepoBuilder::new();
        if i % 2 == 0 {
            well_governed(&mut repo);
        }
        repo.file("README.md", format!("# Service {i}\n\n{}", if i % 3 == 0 { WELL_RUN_README } else { "" }));
        repo.commit("initial");
        repos.push(repo);
    }
    let urls: Vec<String> = repos.iter().map(RepoBuilder::url).collect();
    let names: Vec<String> = (0..8).map(|i| format!("fleet/service-{i}")).collect();
    let teams: Vec<String> = (0..8).map(|i| format!("team = \"t{}\"\n", i % 3)).collect();
    let entries: Vec<(&str, &str, &str)> =
        (0..8).map(|i| (names[i].as_str(), urls[i].as_str(), teams[i].as_str())).collect();
    let nightly = Nightly::new(&entries);
    nightly.scan_ok(&[]);
    let whole = standings(&nightly.db());
    assert_eq!(whole.len(), 8);

    let shard_dbs: Vec<PathBuf> = (1..=3).map(|k| nightly.dir.path().join(format!("shard-{k}.db"))).collect();
    let mut sizes = 0;
    for (k, db) in shard_dbs.iter().enumerate() {
        let shard = format!("{}/3", k + 1);
        let output = nightly.scan_command(db, &["--shard", &shard]).output().unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        sizes += standings(db).len();
    }
    assert_eq!(sizes, 8, "every repository is in exactly one shard");

    let merged_db = nightly.path("merged.db");
    let merge = |dbs: &[&PathBuf], extra: &[&str]| {
        let mut command = fledge();
        command.arg("merge").args(dbs).args(["--db", &merged_db]).args(extra);
        command.output().unwrap()
    };
    // A missing shard is refused unless asked.
    let output = merge(&[&shard_dbs[0], &shard_dbs[2]], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("shards 2/3 are missing"), "{}", stderr(&output));

    let output = merge(&[&shard_dbs[0], &shard_dbs[1], &shard_dbs[2]], &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("merged 3 shards (8 repositories) into run 1 of "));
    assert_eq!(standings(Path::new(&merged_db)), whole);
    assert_eq!(runs(Path::new(&merged_db)), [(1, "complete".to_owned(), 0, 8)]);
    // The merged database reports like any other.
    let report: Value = serde_json::from_slice(
        &fledge().args(["report", "--format", "json", "--db", &merged_db]).output().unwrap().stdout,
    )
    .unwrap();
    assert_eq!(report["summary"]["repositories"], 8);
    assert!(report["run"]["merged_from"].as_str().unwrap().starts_with("1/3 (run 1, "));
    // The deployment's dashboard path: its directory is created.
    let page = Path::new(&merged_db).parent().unwrap().join("www/index.html");
    let output = fledge().args(["report", "--format", "html", "--db", &merged_db, "-o"]).arg(&page).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(std::fs::read_to_string(&page).unwrap().starts_with("<!DOCTYPE html>"));

    // Merging the same shard runs again (a retried job, a night with
    // nothing new) succeeds and changes nothing: they are not counted twice.
    let output = merge(&[&shard_dbs[0], &shard_dbs[1], &shard_dbs[2]], &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("already merged"), "{}", stderr(&output));
    assert_eq!(runs(Path::new(&merged_db)), [(1, "complete".to_owned(), 0, 8)]);
    // Shards of another catalog do not mix.
    let other = Nightly::new(&[("fleet/other", &urls[0], "")]);
    let other_db = other.dir.path().join("other.db");
    assert!(other.scan_command(&other_db, &["--shard", "2/3"]).output().unwrap().status.success());
    let output = merge(&[&shard_dbs[0], &other_db, &shard_dbs[2]], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("different catalogs"), "{}", stderr(&output));
}

#[test]
fn malformed_catalog_entries_fail_with_file_and_line() {
    let nightly = Nightly { dir: tempfile::tempdir().unwrap() };
    // Entries with what they lack, each named with its line.
    let text = "[[repository]]\nname = \"a\"\nurl = \"x\"\n\n[[repository]]\nname = \"b\"\n\n[[repository]]\nname = \"a\"\nurl = \"y\"\n";
    std::fs::write(nightly.catalog(), text).unwrap();
    let output = nightly.scan(&[]);
    assert_eq!(output.status.code(), Some(2));
    let catalog = nightly.catalog().display().to_string();
    let expected = format!(
        "error: {catalog}:5: repository `b` has no `url`\n{catalog}:8: repository `a` is listed twice (first on line 1)\n"
    );
    assert_eq!(stderr(&output), expected);
    // A key that is not part of the format, named at its own line.
    std::fs::write(nightly.catalog(), "[[repository]]\nname = \"a\"\nurl = \"x\"\ncolour = \"red\"\n").unwrap();
    let message = stderr(&nightly.scan(&[]));
    assert!(
        message.starts_with(&format!("error: {catalog}:4: unknown field `colour`, expected one of `name`")),
        "{message}"
    );
    assert!(!nightly.db().exists(), "nothing is written for a bad catalog");

    // Stages and kinds the policy does not know, with the entry's line.
    std::fs::write(
        nightly.catalog(),
        "[[repository]]\nname = \"a\"\nurl = \"x\"\nstage = \"graduated\"\n\n[[repository]]\nname = \"b\"\nurl = \"y\"\nkind = \"gizmo\"\n",
    )
    .unwrap();
    let message = stderr(&nightly.scan(&[]));
    assert!(
        message.contains(&format!("{catalog}:1: `a`: stage `graduated` is not a stage of the built-in policy")),
        "{message}"
    );
    assert!(
        message.contains(&format!("{catalog}:6: `b`: kind `gizmo` is not defined by the built-in policy")),
        "{message}"
    );

    let output = fledge().args(["report", "--db", &nightly.path("nowhere.db")]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("run `fledge scan` first"), "{}", stderr(&output));
}

#[test]
fn the_dashboard_is_one_escaped_self_contained_page() {
    let repos = three_repositories();
    let (a, b) = (repos[0].url(), repos[1].url());
    let nightly = Nightly::new(&[
        ("core/<script>alert(1)</script>", &a, "team = \"R&D\"\n"),
        ("core/readme", &b, "team = \"core\"\n"),
    ]);
    nightly.scan_ok(&[]);
    nightly.scan_ok(&[]);
    let html_path = nightly.path("dashboard.html");
    nightly.ok(&["report", "--format", "html", "-o", &html_path]);
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<table id=\"repos\">"));
    assert!(html.contains("core/&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script>alert"), "unescaped repository name");
    assert!(html.contains("<option>R&amp;D</option>"));
    // One page: no external script, style, image or font.
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http") && !html.contains("@import"));
    assert_eq!(html.matches("<script>").count(), 1);
    // A section per repository, with what blocks it.
    assert!(html.contains("id=\"r0\"") && html.contains("id=\"r1\""));
    assert!(html.contains("What blocks <b>"), "no blockers shown");
    // Two runs: a trend chart (on a labelled percentage scale) and sparklines.
    assert!(html.contains("aria-label=\"mean score and share of repositories with errors per run\""));
    assert!(html.contains("Latest: mean score "), "the chart says what its lines are at");
    assert!(html.contains("aria-label=\"score over 2 runs\""));
    // A report per repository: categories, every check with a link to
    // its explanation, which is on the page.
    assert!(html.contains("<span class=\"cat\">documentation <b>"), "category scores");
    assert!(html.contains("<a class=\"id\" href=\"#check-license.file\">license.file</a>"));
    assert!(html.contains("<dt id=\"check-license.file\">"), "the check's explanation");
    assert!(html.contains("passing or skipped</summary>"), "passing checks folded");
    assert!(html.contains("<h2>What to fix first</h2>"));

    let markdown = nightly.ok(&["report", "--format", "markdown"]);
    assert!(markdown.starts_with("## fledge scan: run 2 (complete)"), "{markdown}");
    assert!(markdown.contains("| `core/readme` | core | "), "{markdown}");
    let table = nightly.ok(&["report", "--since", "7d"]);
    assert!(table.contains("note: no run is that old; changes are since the oldest run, 1 of "), "{table}");
    let bad = fledge().args(["report", "--since", "soon"]).arg("--db").arg(nightly.db()).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("--since `soon` is not a period"), "{}", stderr(&bad));
}

/// A headless browser, if one is installed.
fn browser() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"].iter().find_map(|name| {
        std::env::split_paths(&std::env::var_os("PATH")?).map(|dir| dir.join(name)).find(|p| p.is_file())
    })
}

/// The page's DOM after its script ran, with `fragment` as the address's
/// `#…` part.
fn rendered(browser: &Path, page: &str, fragment: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("file://{page}#{fragment}"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// The repositories the rendered table shows.
fn shown_rows(dom: &str) -> Vec<String> {
    dom.split("<tr data-repo=")
        .skip(1)
        .filter(|row| !row[..row.find('>').unwrap_or(0)].contains(" hidden"))
        .filter_map(|row| row.split("<a href=\"#r").nth(1)?.split('>').nth(1)?.split('<').next().map(str::to_owned))
        .collect()
}

#[test]
fn the_dashboard_filters_and_badges_work_in_a_browser() {
    let repos = three_repositories();
    let nightly = Nightly::new(&[
        ("core/governed", &repos[0].url(), "team = \"core\"\n"),
        ("core/readme", &repos[1].url(), "team = \"core\"\n"),
        ("apps/<img src=x onerror=alert(1)>", &repos[2].url(), "team = \"apps\"\n"),
    ]);
    nightly.scan_ok(&[]);
    let page = nightly.path("www/index.html");
    let badges = nightly.path("www/badges");
    nightly.ok(&[
        "report",
        "--format",
        "html",
        "-o",
        &page,
        "--badges",
        &badges,
        "--badge-url",
        "https://ospo.example/b",
    ]);
    let html = std::fs::read_to_string(&page).unwrap();
    // A badge per repository, and its snippet.
    let written = std::fs::read_dir(&badges).unwrap().count();
    assert_eq!(written, 3);
    assert!(html.contains("![fledge: "), "embed snippets");
    assert!(html.contains("](https://ospo.example/b/core_governed-"), "snippets link the served badges");
    assert!(
        std::fs::read_to_string(Path::new(&badges).join(fledge::report::badge::file_name("core/readme")))
            .unwrap()
            .starts_with("<svg")
    );

    let Some(browser) = browser() else {
        println!("skipped the browser part: no chromium on the PATH (Debian: apt-get install chromium)");
        return;
    };
    let all = rendered(&browser, &page, "");
    assert_eq!(shown_rows(&all).len(), 3, "{all}");
    assert!(all.contains("3 of 3 shown"));
    // The hostile name is text, not an element.
    assert!(!all.contains("<img src=\"x\""), "an element was injected");
    // Filters from the address: team, then a failing check, then both.
    assert_eq!(shown_rows(&rendered(&browser, &page, "team=core")), ["core/governed", "core/readme"]);
    let no_license = rendered(&browser, &page, "check=license.file");
    assert_eq!(shown_rows(&no_license).len(), 2, "the two without a LICENSE");
    assert!(!shown_rows(&no_license).contains(&"core/governed".to_owned()));
    assert_eq!(shown_rows(&rendered(&browser, &page, "team=core&check=license.file")), ["core/readme"]);
    // The per-repository reports follow the filter.
    let filtered = rendered(&browser, &page, "team=apps");
    assert!(filtered.contains("<article class=\"repo\" id=\"r1\" hidden=\"\""), "{filtered}");
    assert!(filtered.contains("1 of 3 shown"));
}

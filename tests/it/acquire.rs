//! Bad input gets a clear error and exit code 2: missing paths, non
//! repositories, empty repositories, unknown revisions, unreachable and
//! unauthorised remotes (no token ever printed), damaged repositories; and
//! hostile repositories (huge blobs, odd paths, symlinks, submodules) are
//! checked without harm.

use std::io::{Read, Write};
use std::net::TcpListener;

use fledge_tests::{RepoBuilder, WELL_RUN_README};

use crate::util::{check, check_json, fledge, run, stderr};

fn fails_with(args: &[&str], expected: &str) {
    let output = run(args);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_eq!(stderr(&output), format!("error: {expected}\n"));
}

#[test]
fn not_a_repository() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().display().to_string();
    fails_with(
        &["check", &path],
        &format!("not a git repository: {path} (pass the root of a working tree or a bare repository)"),
    );
}

#[test]
fn repository_without_commits() {
    let repo = RepoBuilder::new();
    fails_with(&["check", &repo.arg()], &format!("repository {} has no commits", repo.arg()));
}

#[test]
fn unknown_revision() {
    let mut repo = RepoBuilder::new();
    repo.file("a", "a");
    repo.commit("a");
    fails_with(&["check", &repo.arg(), "--rev", "v9.9.9"], &format!("unknown revision `v9.9.9` in {}", repo.arg()));
}

#[test]
fn unreachable_remotes() {
    let output = run(&["check", "https://127.0.0.1:1/team/proj.git", "--cache-dir", "/tmp/fledge-test-unreachable"]);
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(
        text.starts_with("error: failed to fetch https://127.0.0.1:1/team/proj.git: remote unreachable ("),
        "{text}"
    );
    let output = run(&["check", "file:///nonexistent/x.git", "--cache-dir", "/tmp/fledge-test-unreachable"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("remote unreachable"), "{}", stderr(&output));
}

/// An HTTP server that answers every request with 401.
fn refusing_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer);
            let _ = stream.write_all(
                b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"git\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    port
}

#[test]
fn unauthorised_remote_never_prints_the_token() {
    let port = refusing_server();
    let url = format!("http://deploy:url-password@127.0.0.1:{port}/team/proj.git");
    let cache = tempfile::tempdir().unwrap();
    let output = fledge()
        .args(["check", &url, "--cache-dir", cache.path().to_str().unwrap()])
        .env("FLEDGE_GIT_TOKEN", "tok-ab12cd34ef56")
        .env("HOME", cache.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(
        text.starts_with(&format!(
            "error: failed to fetch http://127.0.0.1:{port}/team/proj.git: authentication required or refused"
        )),
        "{text}"
    );
    assert!(text.contains("set FLEDGE_GIT_TOKEN"), "{text}");
    assert!(!text.contains("tok-ab12cd34ef56") && !text.contains("url-password"), "{text}");
}

#[test]
fn damaged_repository_still_gets_a_report() {
    let mut repo = RepoBuilder::new();
    repo.file("README.md", "hello");
    repo.commit("a");
    let blob = repo.repo().blob(b"hello").unwrap().to_string();
    std::fs::remove_file(repo.path().join(".git/objects").join(&blob[..2]).join(&blob[2..])).unwrap();
    let report = check_json(&[&repo.arg()]);
    let gap = &report["repository"]["completeness"]["unread"]["gaps"][0];
    assert_eq!((gap["path"].as_str(), gap["id"].as_str()), (Some("README.md"), Some(blob.as_str())));
    assert_ne!(check(&report, "docs.readme-substance")["status"], "pass");
}

#[test]
fn a_server_that_never_answers_times_out() {
    // Accepts connections and never says a word.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    let cache = tempfile::tempdir().unwrap();
    // Compile the plugins into this cache first: only the fetch is timed.
    let warm = run(&["plugins", "--cache-dir", cache.path().to_str().unwrap()]);
    assert!(warm.status.success(), "{}", stderr(&warm));
    let started = std::time::Instant::now();
    let output = run(&[
        "check",
        &format!("http://127.0.0.1:{port}/team/proj.git"),
        "--cache-dir",
        cache.path().to_str().unwrap(),
        "--network-timeout",
        "2",
    ]);
    let elapsed = started.elapsed();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(elapsed < std::time::Duration::from_secs(30), "{elapsed:?}");
    let text = stderr(&output);
    assert!(text.starts_with(&format!("error: failed to fetch http://127.0.0.1:{port}/team/proj.git: ")), "{text}");
    // No half-written mirror is left behind.
    let mirrors = cache.path().join("mirrors");
    let left: Vec<_> = std::fs::read_dir(&mirrors)
        .map(|d| d.flatten().map(|e| e.file_name()).filter(|n| !n.to_string_lossy().ends_with(".lock")).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn huge_blobs_are_not_read() {
    let mut repo = RepoBuilder::new();
    let big = format!("{WELL_RUN_README}{}", " ".repeat(2 << 20));
    repo.file("README.md", &big);
    let commit = repo.commit("big");
    let blob = repo.repo().blob(big.as_bytes()).unwrap();
    let report = check_json(&[&repo.arg(), "--max-blob-size", "1"]);
    assert_eq!(report["repository"]["commit"], commit.as_str());
    assert_eq!(check(&report, "docs.readme")["status"], "pass");
    let substance = check(&report, "docs.readme-substance");
    assert_eq!(substance["status"], "error");
    assert_eq!(
        substance["message"],
        format!("limit exceeded: blob {blob} is {} bytes, above the read limit of 1048576 bytes", big.len())
    );
}

#[test]
fn odd_paths_symlinks_and_submodules() {
    let mut repo = RepoBuilder::new();
    repo.file("docs/README.md", WELL_RUN_README)
        .symlink("README.md", "docs/README.md")
        .symlink("LICENSE", "../../../../etc/passwd")
        .file_raw_path(b"weird-\xff\xfe-name.txt", "not utf-8")
        .file("line\nbreak.md", "x")
        .file("spaces and \u{1F600}.md", "x")
        .submodule("vendor/lib", "0123456789abcdef0123456789abcdef01234567");
    repo.commit("odd");
    let report = check_json(&[&repo.arg()]);
    // The README symlink is followed inside the repository.
    assert_eq!(check(&report, "docs.readme-substance")["status"], "pass");
    // A link that leaves the repository is not followed; the name still counts.
    assert_eq!(check(&report, "governance.license")["status"], "fail");
}

/// The one mirror in a cache directory.
fn the_mirror(cache: &std::path::Path) -> git2::Repository {
    let mirrors: Vec<_> = std::fs::read_dir(cache.join("mirrors"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "git"))
        .collect();
    assert_eq!(mirrors.len(), 1, "{mirrors:?}");
    git2::Repository::open_bare(&mirrors[0]).unwrap()
}

#[test]
fn file_remotes_are_mirrored_by_linking_their_objects() {
    use std::os::unix::fs::MetadataExt as _;
    let mut repo = RepoBuilder::new();
    repo.file("README.md", WELL_RUN_README).commit("first");
    repo.tag("v1", true);
    repo.branch("feature");
    repo.file("src/feature.rs", "pub fn feature() {}\n").commit("feature");
    repo.checkout("main");
    // Most objects in a pack, the newest loose, as in a working repository.
    let packed = std::process::Command::new("git").args(["repack", "-a", "-d", "-q"]).current_dir(repo.path()).status();
    assert!(packed.unwrap().success());
    repo.file("CHANGELOG.md", "# Changelog\n").commit("loose");
    let cache = crate::util::fresh_cache();
    let report = check_json(&[&repo.url(), "--cache-dir", cache.path().to_str().unwrap()]);
    assert_eq!(report["repository"]["commit"], repo.repo().head().unwrap().target().unwrap().to_string());

    let mirror = the_mirror(cache.path());
    // Every pack file is the source's, linked rather than copied or rebuilt.
    let source_packs = repo.path().join(".git/objects/pack");
    let mut linked = 0;
    for entry in std::fs::read_dir(&source_packs).unwrap().flatten() {
        let copy = mirror.path().join("objects/pack").join(entry.file_name());
        assert_eq!(std::fs::metadata(&copy).unwrap().ino(), entry.metadata().unwrap().ino(), "{copy:?}");
        linked += 1;
    }
    assert!(linked >= 2, "a pack and its index");
    // Heads, tags and HEAD as in the source.
    for name in ["refs/heads/main", "refs/heads/feature", "refs/tags/v1"] {
        assert_eq!(mirror.refname_to_id(name).unwrap(), repo.repo().refname_to_id(name).unwrap(), "{name}");
    }
    assert_eq!(mirror.find_reference("HEAD").unwrap().symbolic_target().unwrap(), Some("refs/heads/main"));
    // The next scan fetches into the mirror as into any other.
    repo.file("NEWS.md", "news\n").commit("after the mirror");
    let report = check_json(&[&repo.url(), "--cache-dir", cache.path().to_str().unwrap()]);
    assert_eq!(report["repository"]["commit"], repo.repo().head().unwrap().target().unwrap().to_string());
}

#[test]
fn a_shallow_file_remote_is_mirrored_shallow_and_said_so() {
    let mut repo = RepoBuilder::new();
    for i in 0..3 {
        repo.file("README.md", format!("{WELL_RUN_README}\n{i}\n")).commit(&format!("c{i}"));
    }
    let shallow = tempfile::tempdir().unwrap();
    let cloned = std::process::Command::new("git")
        .args(["clone", "-q", "--depth", "1", &repo.url()])
        .arg(shallow.path().join("s"))
        .status()
        .unwrap();
    assert!(cloned.success());
    let cache = crate::util::fresh_cache();
    let url = format!("file://{}", shallow.path().join("s").display());
    let report = check_json(&[&url, "--cache-dir", cache.path().to_str().unwrap()]);
    assert_eq!(report["repository"]["completeness"]["shallow"], true, "{}", report["repository"]);
    assert_eq!(report["repository"]["completeness"]["history"]["commits"], 1);
    let history = check(&report, "secrets.credentials-history");
    assert_ne!(history["status"], "pass", "a truncated history never passes: {history}");
}

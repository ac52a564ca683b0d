//! `fledge publish`: the written repository, read object by object.

use std::collections::BTreeSet;
use std::path::Path;

use fledge_tests::RepoBuilder;
use git2::{ObjectType, Oid, Repository, Signature, Time};
use serde_json::Value;

use crate::util::{check_json, run, stderr};

const TOKEN: &str = "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";
const KEYSTORE: &[u8] = b"\xfe\xed\xfe\xed\x00\x00\x00\x02 keystore bytes";
const INTERNAL_HOST: &str = "build.corp.example.com";

const PUBLISH_RULES: &str = r#"
[publish]
remove = ["internal/**"]
replace = [{ pattern = "[a-z]+\\.corp\\.example\\.com", with = "example.org" }]
authors = { "*@corp.example.com" = "Widget Maintainers <widget@example.org>" }
identity = "Example Open Source <opensource@example.org>"
"#;

/// The default policy with `extra` appended, written beside the fixture.
fn policy(dir: &Path, extra: &str) -> String {
    let path = dir.join("policy.toml");
    let text = format!("{}\n{extra}", fledge::policy::DEFAULT_POLICY);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// A history with a token added and later removed, a keystore added and
/// removed, an internal host name in a file and in a message, internal
/// identities (with a trailer), an `internal/` folder, a merge, and tags.
fn fixture() -> RepoBuilder {
    let mut repo = RepoBuilder::new();
    repo.author("Alice Internal", "alice@corp.example.com")
        .file("README.md", "# Widget\n\nA widget.\n")
        .file("internal/plan.md", "launch plan\n")
        .file("deploy.txt", format!("host = {INTERNAL_HOST}\n"))
        .file("src/app.py", format!("GITHUB_TOKEN = \"{TOKEN}\"\n"));
    repo.commit("Start; see https://jira.corp.example.com/browse/WID-1");
    repo.file("certs/server.jks", KEYSTORE);
    repo.commit("Add the keystore");
    repo.branch("feature").file("feature.txt", "feature\n");
    let feature = repo.commit("Feature work");
    repo.checkout("main").remove("feature.txt").file("main.txt", "main\n");
    let main = repo.commit("Main work");
    // A merge of the two.
    {
        let git = repo.repo();
        let ours = git.find_commit(Oid::from_str(&main).unwrap()).unwrap();
        let theirs = git.find_commit(Oid::from_str(&feature).unwrap()).unwrap();
        let mut index = git.merge_commits(&ours, &theirs, None).unwrap();
        let tree = git.find_tree(index.write_tree_to(git).unwrap()).unwrap();
        let who = Signature::new("Alice Internal", "alice@corp.example.com", &Time::new(1_700_100_000, 0)).unwrap();
        git.commit(Some("HEAD"), &who, &who, "Merge feature", &tree, &[&ours, &theirs]).unwrap();
    }
    repo.file("feature.txt", "feature\n")
        .remove("src/app.py")
        .remove("certs/server.jks")
        .file("src/app.py", "import os\n");
    repo.commit("Read the token from the environment\n\nReviewed-by: Bob Internal <bob@corp.example.com>\n");
    repo.tag("v1.0", true).tag("latest", false);
    repo
}

/// Every object of the repository at `path`, as bytes.
fn all_objects(path: &Path) -> Vec<(Oid, ObjectType, Vec<u8>)> {
    let repo = Repository::open(path).unwrap();
    let odb = repo.odb().unwrap();
    let mut ids = Vec::new();
    odb.foreach(|id| {
        ids.push(*id);
        true
    })
    .unwrap();
    ids.into_iter()
        .map(|id| {
            let object = odb.read(id).unwrap();
            (id, object.kind(), object.data().to_vec())
        })
        .collect()
}

/// Refs and objects, to show that the source did not change.
fn state(path: &Path) -> (Vec<(String, Oid)>, BTreeSet<Oid>) {
    let repo = Repository::open(path).unwrap();
    let mut refs: Vec<(String, Oid)> =
        repo.references().unwrap().flatten().filter_map(|r| Some((r.name().ok()?.to_owned(), r.target()?))).collect();
    refs.sort();
    (refs, all_objects(path).into_iter().map(|(id, _, _)| id).collect())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn publish_json(args: &[&str]) -> (std::process::Output, Value) {
    let mut all = vec!["publish"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let output = run(&all);
    let report = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (output, report)
}

#[test]
fn full_history_is_scrubbed_kept_whole_and_proved_clean() {
    let source = fixture();
    let work = tempfile::tempdir().unwrap();
    let policy = policy(work.path(), PUBLISH_RULES);
    let dest = work.path().join("widget-public");
    let before = state(source.path());

    let (output, report) = publish_json(&[&source.arg(), dest.to_str().unwrap(), "--policy", &policy]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(state(source.path()), before, "the source must not change");

    // Nothing removed survives in any object.
    let objects = all_objects(&dest);
    for (id, kind, data) in &objects {
        for needle in [TOKEN.as_bytes(), KEYSTORE, b"corp.example.com", b"launch plan", b"Internal <"] {
            assert!(!contains(data, needle), "{kind} {id} still holds {:?}", String::from_utf8_lossy(needle));
        }
    }
    assert!(objects.iter().any(|(_, _, data)| contains(data, b"***REMOVED***")));

    // The graph is kept: six commits, one merge, dates unchanged.
    let published = Repository::open(&dest).unwrap();
    let original = source.repo();
    let mut walk = published.revwalk().unwrap();
    walk.push_head().unwrap();
    let commits: Vec<git2::Commit<'_>> = walk.map(|id| published.find_commit(id.unwrap()).unwrap()).collect();
    assert_eq!(commits.len(), 6);
    assert_eq!(commits.iter().filter(|c| c.parent_count() == 2).count(), 1);
    let mut original_walk = original.revwalk().unwrap();
    original_walk.push_head().unwrap();
    let original_times: BTreeSet<i64> =
        original_walk.map(|id| original.find_commit(id.unwrap()).unwrap().time().seconds()).collect();
    let times: BTreeSet<i64> = commits.iter().map(|c| c.time().seconds()).collect();
    assert_eq!(times, original_times);
    assert!(commits.iter().all(|c| c.author().email().ok() == Some("widget@example.org")));
    let head = &commits[0];
    assert!(head.message().unwrap().contains("Reviewed-by: Widget Maintainers <widget@example.org>"));

    // Unchanged files are byte-identical; the tags follow the history.
    let tree = head.tree().unwrap();
    let original_tree = original.head().unwrap().peel_to_tree().unwrap();
    for path in ["README.md", "src/app.py", "feature.txt"] {
        let ours = tree.get_path(Path::new(path)).unwrap().id();
        assert_eq!(ours, original_tree.get_path(Path::new(path)).unwrap().id(), "{path}");
    }
    assert!(tree.get_path(Path::new("internal")).is_err());
    assert!(tree.get_path(Path::new("certs")).is_err());
    for tag in ["v1.0", "latest"] {
        let target = published.revparse_single(&format!("{tag}^{{commit}}")).unwrap().id();
        assert_eq!(target, head.id(), "{tag}");
    }

    // The report says what was done, and the map covers every commit.
    assert_eq!(report["commits"], 6);
    assert_eq!(report["branch"], "main");
    assert_eq!(report["removed"][0]["rule"], "internal/**");
    assert_eq!(report["removed"][0]["files"], 1);
    assert_eq!(report["replaced"][0]["files"], 1);
    assert_eq!(report["replaced"][0]["messages"], 1);
    let actions: Vec<(&str, &str)> = report["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["check"].as_str().unwrap(), c["action"].as_str().unwrap()))
        .collect();
    assert!(actions.contains(&("secrets.credentials-history", "replaced")), "{actions:?}");
    assert!(actions.contains(&("secrets.key-files", "removed: the file, wherever it appears")), "{actions:?}");
    assert!(!report.to_string().contains(TOKEN), "the report never shows a secret");
    assert_eq!(report["after"]["failing"], serde_json::json!([]));
    let map = std::fs::read_to_string(dest.join("fledge/commit-map")).unwrap();
    assert_eq!(map.lines().count(), 7);

    // The proof holds when checked on its own.
    let checked = check_json(&[dest.to_str().unwrap()]);
    for id in ["secrets.credentials-history", "secrets.key-files", "secrets.credentials-head"] {
        let status = crate::util::check(&checked, id)["status"].as_str().unwrap().to_owned();
        assert_eq!(status, "pass", "{id}");
    }
}

#[test]
fn squash_writes_one_commit_of_the_scrubbed_tree() {
    let source = fixture();
    let work = tempfile::tempdir().unwrap();
    let policy = policy(work.path(), PUBLISH_RULES);
    let full = work.path().join("full");
    let squashed = work.path().join("squashed");
    assert!(run(&["publish", &source.arg(), full.to_str().unwrap(), "--policy", &policy]).status.success());
    // What an interrupted publish to the same destination left.
    let stale = work.path().join(".squashed.fledge-publish-Ab12Cd");
    std::fs::create_dir_all(stale.join("objects")).unwrap();
    let (output, report) = publish_json(&[
        &source.arg(),
        squashed.to_str().unwrap(),
        "--policy",
        &policy,
        "--history",
        "squash",
        "--message",
        "Initial public release",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(report["commits"], 1);
    assert!(!stale.exists(), "an interrupted publish's leftovers are removed");
    let repo = Repository::open(&squashed).unwrap();
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    assert_eq!(head.parent_count(), 0);
    assert_eq!(head.message().ok(), Some("Initial public release\n"));
    assert_eq!(head.author().email().ok(), Some("opensource@example.org"));
    assert!(repo.tag_names(None).unwrap().is_empty());
    // The same tree as the last commit of the full history.
    let full_tree = Repository::open(&full).unwrap().head().unwrap().peel_to_tree().unwrap().id();
    assert_eq!(head.tree_id(), full_tree);
    assert_eq!(all_objects(&squashed).len(), 1 + 2 + 5, "one commit, two trees, five blobs");
}

#[test]
fn bad_destinations_and_rules_are_refused_before_anything_is_written() {
    let source = fixture();
    let work = tempfile::tempdir().unwrap();
    let good = policy(work.path(), PUBLISH_RULES);

    let taken = work.path().join("taken");
    std::fs::create_dir(&taken).unwrap();
    std::fs::write(taken.join("keep.txt"), "mine").unwrap();
    let output = run(&["publish", &source.arg(), taken.to_str().unwrap(), "--policy", &good]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("exists and is not an empty directory"), "{}", stderr(&output));
    assert_eq!(std::fs::read_to_string(taken.join("keep.txt")).unwrap(), "mine");

    let dest = work.path().join("out");
    for (rules, expected) in [
        ("[publish]\nreplace = [{ pattern = \"(unclosed\", with = \"x\" }]\n", "does not compile"),
        ("[publish]\nreplace = [{ pattern = \"a*\", with = \"x\" }]\n", "matches the empty string"),
        ("[publish]\nauthors = { \"*@corp.example.com\" = \"nobody\" }\n", "is not `Name <email>`"),
        ("[publish]\nremove = [\"a[\"]\n", "bad glob"),
    ] {
        let bad = policy(work.path(), rules);
        let output = run(&["publish", &source.arg(), dest.to_str().unwrap(), "--policy", &bad]);
        assert_eq!(output.status.code(), Some(2), "{rules}");
        assert!(stderr(&output).contains(expected), "{rules}: {}", stderr(&output));
        assert!(stderr(&output).contains("policy.toml:"), "the error names the line: {}", stderr(&output));
        assert!(!dest.exists());
    }

    // Squashing needs the organisation's identity.
    let no_identity = policy(work.path(), "[publish]\nremove = [\"internal\"]\n");
    let output =
        run(&["publish", &source.arg(), dest.to_str().unwrap(), "--policy", &no_identity, "--history", "squash"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("identity = "), "{}", stderr(&output));
    assert!(!dest.exists());
    let leftovers: Vec<_> = std::fs::read_dir(work.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert!(!leftovers.iter().any(|n| n.to_string_lossy().contains("fledge-publish")), "{leftovers:?}");
}

#[test]
fn missing_objects_refuse_the_publish_unless_allowed() {
    let source = fixture();
    // A blob of every commit, deleted from the object database.
    let plan = RepoBuilder::blob_id("launch plan\n");
    let deploy = RepoBuilder::blob_id(format!("host = {INTERNAL_HOST}\n"));
    std::fs::remove_file(source.loose_object(&deploy)).unwrap();
    let work = tempfile::tempdir().unwrap();
    let policy = policy(work.path(), PUBLISH_RULES);
    let dest = work.path().join("out");

    let output = run(&["publish", &source.arg(), dest.to_str().unwrap(), "--policy", &policy]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(message.contains("refusing to publish") && message.contains(&deploy), "{message}");
    assert!(message.contains("--allow-incomplete"), "{message}");
    assert!(!dest.exists());

    let (output, report) =
        publish_json(&[&source.arg(), dest.to_str().unwrap(), "--policy", &policy, "--allow-incomplete"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let unread = report["unread"].as_array().unwrap();
    assert_eq!(unread.len(), 1, "{unread:?}");
    assert!(unread[0].as_str().unwrap().contains(&deploy));
    assert!(!all_objects(&dest).iter().any(|(id, _, _)| id.to_string() == plan), "internal/ is still removed");

    // A shallow clone's history ends early: refused, and said so.
    let fresh = fixture();
    let shallow = work.path().join("shallow");
    let cloned = std::process::Command::new("git")
        .args(["clone", "--quiet", "--depth", "1", &format!("file://{}", fresh.path().display())])
        .arg(&shallow)
        .status()
        .unwrap();
    assert!(cloned.success());
    let dest = work.path().join("from-shallow");
    let output = run(&["publish", shallow.to_str().unwrap(), dest.to_str().unwrap(), "--policy", &policy]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("1 object of the history could not be read"), "{}", stderr(&output));
    assert!(stderr(&output).contains("the history is shallow"), "{}", stderr(&output));
    assert!(!dest.exists());
}

#[test]
fn signatures_submodules_and_lfs_pointers_are_reported_decisions() {
    let mut source = RepoBuilder::new();
    source
        .file("README.md", "# Widget\n")
        .file("big.bin", "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 12345\n")
        .submodule("vendor/lib", "0123456789012345678901234567890123456789")
        .submodule("internal/tool", "1123456789012345678901234567890123456789");
    source.commit("Start");
    // A signed commit on top.
    {
        let git = source.repo();
        let head = git.head().unwrap().peel_to_commit().unwrap();
        let who = Signature::new("Alice Example", "alice@example.com", &Time::new(1_700_200_000, 0)).unwrap();
        let buffer = git.commit_create_buffer(&who, &who, "Signed\n", &head.tree().unwrap(), &[&head]).unwrap();
        let signed = git
            .commit_signed(
                buffer.as_str().unwrap(),
                "-----BEGIN PGP SIGNATURE-----\n\nwsBcBAABCAAQ\n-----END PGP SIGNATURE-----",
                None,
            )
            .unwrap();
        git.reference("refs/heads/main", signed, true, "signed").unwrap();
        // And a signed tag of it.
        let tag = format!(
            "object {signed}\ntype commit\ntag v1\ntagger Alice Example <alice@example.com> 1700200000 +0000\n\nrelease 1\n-----BEGIN PGP SIGNATURE-----\n\nwsBcBAABCAAQ\n-----END PGP SIGNATURE-----\n"
        );
        let tag = git.odb().unwrap().write(ObjectType::Tag, tag.as_bytes()).unwrap();
        git.reference("refs/tags/v1", tag, true, "signed tag").unwrap();
    }
    let work = tempfile::tempdir().unwrap();
    let policy = policy(work.path(), "[publish]\nremove = [\"internal\"]\n");
    let dest = work.path().join("out");
    let (output, report) = publish_json(&[&source.arg(), dest.to_str().unwrap(), "--policy", &policy]);
    assert!(output.status.success(), "{}", stderr(&output));
    let decisions: Vec<&str> = report["decisions"].as_array().unwrap().iter().map(|d| d.as_str().unwrap()).collect();
    assert!(decisions.iter().any(|d| d.starts_with("2 signatures dropped")), "{decisions:?}");
    assert!(
        decisions.iter().any(|d| d.contains("submodules kept as links") && d.contains("vendor/lib")),
        "{decisions:?}"
    );
    assert!(decisions.iter().any(|d| d.starts_with("1 Git LFS pointer files kept")), "{decisions:?}");
    let repo = Repository::open(&dest).unwrap();
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    assert!(head.header_field_bytes("gpgsig").is_err());
    let tag = repo.find_reference("refs/tags/v1").unwrap().peel_to_tag().unwrap();
    assert_eq!(tag.message().ok().flatten(), Some("release 1\n"));
    assert_eq!(tag.target_id(), head.id());
    let tree = head.tree().unwrap();
    assert_eq!(tree.get_path(Path::new("vendor/lib")).unwrap().filemode(), 0o160000);
    assert!(tree.get_path(Path::new("internal")).is_err(), "a removed path's submodule goes too");
    assert!(!decisions.iter().any(|d| d.contains("internal/tool")), "{decisions:?}");
}

#[test]
fn a_mailmap_maps_identities_before_the_author_globs() {
    let source = fixture();
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("publish.mailmap"), "Bob Public <bob@example.org> <bob@corp.example.com>\n")
        .unwrap();
    let policy = policy(work.path(), &format!("{PUBLISH_RULES}mailmap = \"publish.mailmap\"\n"));
    let dest = work.path().join("out");
    let (output, report) = publish_json(&[&source.arg(), dest.to_str().unwrap(), "--policy", &policy]);
    assert!(output.status.success(), "{}", stderr(&output));
    let published = Repository::open(&dest).unwrap();
    let head = published.head().unwrap().peel_to_commit().unwrap();
    assert!(head.message().unwrap().contains("Reviewed-by: Bob Public <bob@example.org>"));
    let changes: Vec<(&str, &str)> = report["identities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["from"].as_str().unwrap(), i["to"].as_str().unwrap()))
        .collect();
    assert_eq!(
        changes,
        [
            ("Alice Internal <alice@corp.example.com>", "Widget Maintainers <widget@example.org>"),
            ("Bob Internal <bob@corp.example.com>", "Bob Public <bob@example.org>"),
        ]
    );

    std::fs::remove_file(work.path().join("publish.mailmap")).unwrap();
    let again = work.path().join("again");
    let output = run(&["publish", &source.arg(), again.to_str().unwrap(), "--policy", &policy]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("[publish] mailmap: cannot read"), "{}", stderr(&output));
    assert!(!again.exists());
}

#[test]
fn an_internal_host_left_in_the_result_fails_the_proof() {
    let source = fixture();
    let work = tempfile::tempdir().unwrap();
    // The company's domain is known; no rule replaces its host names.
    let path = work.path().join("policy.toml");
    let text =
        fledge::policy::DEFAULT_POLICY.replace("internal_domains = []", "internal_domains = [\"corp.example.com\"]");
    std::fs::write(&path, format!("{text}\n[publish]\nremove = [\"internal\"]\n")).unwrap();
    let dest = work.path().join("out");
    let (output, report) = publish_json(&[&source.arg(), dest.to_str().unwrap(), "--policy", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(dest.exists(), "the result is written, and said not to be clean");
    let failing: Vec<&str> =
        report["after"]["failing"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert_eq!(failing, ["secrets.internal-references"]);

    // With a rule for the host names (and the identities), it is clean.
    let fixed = format!(
        "{text}\n[publish]\nremove = [\"internal\"]\nreplace = [{{ pattern = \"[a-z]+\\\\.corp\\\\.example\\\\.com\", with = \"example.org\" }}]\nauthors = {{ \"*@corp.example.com\" = \"Widget Maintainers <widget@example.org>\" }}\n"
    );
    std::fs::write(&path, fixed).unwrap();
    let dest = work.path().join("out-fixed");
    let (output, report) = publish_json(&[&source.arg(), dest.to_str().unwrap(), "--policy", path.to_str().unwrap()]);
    assert!(output.status.success(), "{} {}", stderr(&output), report["after"]);
    assert_eq!(report["after"]["failing"], serde_json::json!([]));
}

//! `deploy/`: the Kubernetes manifests are valid for Kubernetes 1.29 (the
//! vendored strict schemas), their commands run as written on a real
//! catalog (every shard, the merge, a retried merge and a night with
//! nothing new), the CI example names real commands and flags, and the
//! Dockerfile builds what the workspace says.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use clap::Parser as _;
use fledge_tests::{RepoBuilder, well_governed};
use serde_json::Value;

use crate::util::seed_compiled_plugins;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace").to_path_buf()
}

/// Every document of every manifest in `deploy/kubernetes`, by file.
fn manifests() -> Vec<(String, Value)> {
    let dir = workspace().join("deploy/kubernetes");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let mut documents = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        for document in serde_norway::Deserializer::from_str(&text) {
            let value: Value = serde::Deserialize::deserialize(document).unwrap_or_else(|e| panic!("{name}: {e}"));
            documents.push((name.clone(), value));
        }
    }
    documents
}

/// The strict schema of `kind`, with the definitions it reaches.
fn schema(api_version: &str, kind: &str) -> Option<Value> {
    let file = match (api_version, kind) {
        ("batch/v1", "CronJob") => "cronjob-batch-v1.json",
        ("v1", "PersistentVolumeClaim") => "persistentvolumeclaim-v1.json",
        ("v1", "ConfigMap") => "configmap-v1.json",
        _ => return None,
    };
    let dir = workspace().join("tests/fixtures/kubernetes-1.29");
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    // The kind's references into the definitions file become local ones.
    let mut schema: Value = serde_json::from_str(&read(file).replace("/api/_definitions.json#", "#")).unwrap();
    let definitions: Value = serde_json::from_str(&read("_definitions.json")).unwrap();
    schema["$defs"] = definitions["$defs"].clone();
    Some(schema)
}

/// The schema's complaints about `document`, or why it has no schema.
fn violations(document: &Value) -> Vec<String> {
    if document["apiVersion"] == "kustomize.config.k8s.io/v1beta1" {
        return Vec::new();
    }
    let (api_version, kind) = (document["apiVersion"].as_str().unwrap_or(""), document["kind"].as_str().unwrap_or(""));
    let Some(schema) = schema(api_version, kind) else {
        return vec![format!("no vendored schema for {api_version} {kind}: add it to tests/fixtures/kubernetes-1.29")];
    };
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    validator.iter_errors(document).map(|e| format!("{}: {e}", e.instance_path())).collect()
}

#[test]
fn kubernetes_manifests_are_valid_for_kubernetes_1_29() {
    let documents = manifests();
    let kinds: Vec<&str> = documents.iter().filter_map(|(_, d)| d["kind"].as_str()).collect();
    assert_eq!(kinds, ["ConfigMap", "PersistentVolumeClaim", "Kustomization", "CronJob", "CronJob"]);
    for (file, document) in &documents {
        assert_eq!(violations(document), Vec::<String>::new(), "{file}");
    }
    // The schemas are strict: a misspelt key is refused.
    let (_, scan) = documents.iter().find(|(f, _)| f == "scan-cronjob.yaml").unwrap();
    let mut misspelt = scan.clone();
    let job = misspelt["spec"]["jobTemplate"]["spec"].as_object_mut().unwrap();
    let limit = job.remove("backoffLimitPerIndex").unwrap();
    job.insert("backoffLimitPerIndx".to_owned(), limit);
    let complaints = violations(&misspelt);
    assert!(complaints.iter().any(|c| c.contains("backoffLimitPerIndx")), "{complaints:?}");
    // The kustomization lists every manifest.
    let (_, kustomization) = documents.iter().find(|(_, d)| d["kind"] == "Kustomization").unwrap();
    let mut listed: Vec<&str> =
        kustomization["resources"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    listed.sort_unstable();
    let mut files: Vec<&str> =
        documents.iter().map(|(f, _)| f.as_str()).filter(|f| *f != "kustomization.yaml").collect();
    files.dedup();
    assert_eq!(listed, files);
}

/// The shell command of the first container of a CronJob.
fn command(document: &Value) -> (String, BTreeMap<String, String>) {
    let container = &document["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["command"], serde_json::json!(["/bin/sh", "-c"]));
    let script = container["args"][0].as_str().unwrap().to_owned();
    let env = container["env"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| Some((e["name"].as_str()?.to_owned(), e["value"].as_str()?.to_owned())))
        .collect();
    (script, env)
}

/// Runs a manifest's script with its volumes at `root` (`/data` →
/// `root/data`, `/config` → `root/config`) and the real binary on the PATH.
fn run_script(script: &str, env: &BTreeMap<String, String>, root: &Path, index: Option<usize>) -> String {
    let script = script
        .replace("/data", &root.join("data").display().to_string())
        .replace("/config", &root.join("config").display().to_string());
    let bin = Path::new(env!("CARGO_BIN_EXE_fledge")).parent().unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let mut command = Command::new("/bin/sh");
    command.arg("-c").arg(&script).env("PATH", path).env("NO_COLOR", "1").env_remove("FLEDGE_GIT_TOKEN");
    command.envs(env);
    if let Some(index) = index {
        command.env("JOB_COMPLETION_INDEX", index.to_string());
    }
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{script}\nexit {:?}\n{}{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn the_nightly_runs_as_the_manifests_say() {
    let documents = manifests();
    let cronjob = |file: &str| documents.iter().find(|(f, _)| f == file).map(|(_, d)| d.clone()).unwrap();
    let (scan, merge) = (cronjob("scan-cronjob.yaml"), cronjob("merge-cronjob.yaml"));
    let job = &scan["spec"]["jobTemplate"]["spec"];
    let shards = job["completions"].as_u64().unwrap() as usize;
    assert_eq!(job["parallelism"].as_u64(), Some(shards as u64), "one pod per shard");
    let (scan_script, scan_env) = command(&scan);
    assert!(scan_script.contains(&format!("/{shards} ")), "the shard count matches completions: {scan_script}");
    let (merge_script, merge_env) = command(&merge);

    // A catalog of three repositories on this machine, in the ConfigMap's place.
    let root = tempfile::tempdir().unwrap();
    let mut catalog = String::new();
    let mut fixtures = Vec::new();
    for (i, name) in ["widgets", "pipeline", "portal"].iter().enumerate() {
        let mut repo = RepoBuilder::bare();
        well_governed(&mut repo).commit(&format!("{name}: first"));
        catalog.push_str(&format!(
            "[[repository]]\nname = \"team/{name}\"\nurl = \"{}\"\nteam = \"team-{}\"\n\n",
            repo.url(),
            i % 2
        ));
        fixtures.push(repo);
    }
    std::fs::create_dir_all(root.path().join("config")).unwrap();
    std::fs::write(root.path().join("config/catalog.toml"), catalog).unwrap();
    // Each shard keeps its own cache; the compiled plugins are seeded from
    // the tests' cache, as they are after a first night.
    for shard in 1..=shards {
        seed_compiled_plugins(&root.path().join(format!("data/cache-{shard}")));
    }

    for night in 1..=2 {
        for index in 0..shards {
            run_script(&scan_script, &scan_env, root.path(), Some(index));
        }
        // The merge, then the same merge again (a retried Job).
        run_script(&merge_script, &merge_env, root.path(), None);
        run_script(&merge_script, &merge_env, root.path(), None);
        let www = root.path().join("data/www");
        let html = std::fs::read_to_string(www.join("index.html")).unwrap();
        for name in ["team/widgets", "team/pipeline", "team/portal"] {
            assert!(html.contains(name), "night {night}: {name} is on the dashboard");
        }
        let report: Value = serde_json::from_str(&std::fs::read_to_string(www.join("report.json")).unwrap()).unwrap();
        assert_eq!(report["repositories"].as_array().unwrap().len(), 3, "night {night}");
        let badges = std::fs::read_dir(www.join("badges")).unwrap().count();
        assert_eq!(badges, 3, "night {night}: a badge per repository");
        let url = &merge_env["DASHBOARD_URL"];
        assert!(html.contains(&format!("({url}/badges/")), "the embed snippet points at the served badge");
        if night == 2 {
            // Nothing new: every repository is cached and nothing changed.
            assert_eq!(report["summary"]["cached"], 3, "{}", report["summary"]);
            assert_eq!(report["changes"], serde_json::json!([]));
        }
    }
}

#[test]
fn the_ci_example_runs_real_commands() {
    let text = std::fs::read_to_string(workspace().join("deploy/ci/github-actions.yml")).unwrap();
    let workflow: Value = serde_norway::from_str(&text).unwrap();
    let shards = workflow["jobs"]["scan"]["strategy"]["matrix"]["shard"].as_array().unwrap().len();
    let mut commands = 0;
    for job in workflow["jobs"].as_object().unwrap().values() {
        for step in job["steps"].as_array().unwrap() {
            let Some(script) = step["run"].as_str() else { continue };
            // Folded (`>-`) commands are one line; literal blocks, one per line.
            for line in script.lines().filter(|l| l.trim_start().starts_with("fledge ")) {
                let line = line.split(">>").next().unwrap();
                let line = substitute_expressions(line);
                let words: Vec<String> = line.split_whitespace().map(|w| w.trim_matches('"').to_owned()).collect();
                if let Err(error) = fledge::cli::Cli::try_parse_from(&words) {
                    panic!("{line}\n{error}");
                }
                if words[1] == "scan" {
                    assert!(line.contains(&format!("/{shards} ")), "the shard count matches the matrix: {line}");
                }
                commands += 1;
            }
        }
    }
    assert_eq!(commands, 5, "scan, merge and three reports");
}

/// `${{ expression }}` → `1`, as the runner would put a value there.
fn substitute_expressions(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        match rest[start..].find("}}") {
            Some(end) => {
                out.push('1');
                rest = &rest[start + end + 2..];
            }
            None => {
                rest = &rest[start..];
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn the_dockerfile_builds_what_the_workspace_says() {
    let dockerfile = std::fs::read_to_string(workspace().join("deploy/Dockerfile")).unwrap();
    let manifest = std::fs::read_to_string(workspace().join("Cargo.toml")).unwrap();
    let rust_version = manifest
        .lines()
        .find_map(|l| l.trim().strip_prefix("rust-version = \"").and_then(|v| v.strip_suffix('"')))
        .expect("the workspace states its rust-version");
    let stages: Vec<&str> = dockerfile.lines().filter(|l| l.starts_with("FROM ")).collect();
    assert_eq!(stages.len(), 2, "a build stage and a runtime stage: {stages:?}");
    assert!(stages[0].contains(&format!("rust:{rust_version}")), "the toolchain the workspace needs: {stages:?}");
    for needed in ["rustup target add wasm32-wasip2", "cargo build --release --locked -p fledge"] {
        assert!(dockerfile.contains(needed), "{needed}");
    }
    let runtime = dockerfile.split("\nFROM ").nth(2).unwrap();
    for needed in ["ca-certificates", "COPY --from=build /usr/local/bin/fledge /usr/local/bin/fledge", "USER 10001"] {
        assert!(runtime.contains(needed), "the runtime stage has {needed}");
    }
    // The image the manifests run runs as the same user.
    for (file, document) in manifests() {
        if document["kind"] == "CronJob" {
            let pod = &document["spec"]["jobTemplate"]["spec"]["template"]["spec"];
            assert_eq!(pod["securityContext"]["runAsUser"], 10001, "{file}");
        }
    }
}

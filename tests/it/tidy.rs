//! The architecture's invariants (docs/ARCHITECTURE.md), checked on the
//! source: which modules may use which crates, who may name the CLI, and
//! that the host's modules form a DAG.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The workspace root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every `.rs` file under `dir`, with its text.
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path, text));
            }
        }
    }
    out.sort();
    out
}

/// The host module a file belongs to: `git` for `host/src/git/snapshot.rs`.
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap();
    let first = relative.components().next().unwrap().as_os_str().to_string_lossy().into_owned();
    first.trim_end_matches(".rs").to_owned()
}

/// Code lines: comments and doc comments left out.
fn code(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().filter(|(_, l)| !l.trim_start().starts_with("//")).map(|(i, l)| (i + 1, l))
}

/// The host modules `text` names through `crate::`.
fn uses(text: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (_, line) in code(text) {
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                // `use crate::{a, b::c};`: each top-level name.
                let group = &group[..group.find('}').unwrap_or(group.len())];
                found.extend(group.split(',').map(|p| p.trim().split("::").next().unwrap_or("").to_owned()));
            } else {
                let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                found.insert(name);
            }
        }
    }
    found.retain(|m| modules.contains(m));
    found
}

fn violations_of(files: &[(PathBuf, String)], needle: &str, allowed: impl Fn(&Path) -> bool) -> Vec<String> {
    let mut out = Vec::new();
    for (path, text) in files {
        if allowed(path) {
            continue;
        }
        for (number, line) in code(text) {
            if line.contains(needle) {
                out.push(format!("{}:{number}: {}", path.display(), line.trim()));
            }
        }
    }
    out
}

#[test]
fn crates_stay_in_their_modules() {
    let src = root().join("host/src");
    let files = sources(&src);
    let under = |dir: &str| {
        let dir = src.join(dir);
        move |path: &Path| path.starts_with(&dir) || path == dir.with_extension("rs")
    };
    let mut problems = Vec::new();
    problems.extend(violations_of(&files, "git2::", under("git")));
    problems.extend(violations_of(&files, "wasmtime::", under("runtime")));
    problems.extend(violations_of(&files, "wasmtime_wasi::", under("runtime")));
    problems.extend(violations_of(&files, "rusqlite", under("store")));
    let cli = under("cli");
    let main = src.join("main.rs");
    problems.extend(violations_of(&files, "crate::cli", |p| cli(p) || p == main));
    // The SDK's generated bindings are touched only by its guest module.
    let sdk = root().join("sdk/src");
    let guest = sdk.join("guest.rs");
    let bindings = sdk.join("bindings.rs");
    problems.extend(violations_of(&sources(&sdk), "bindings::", |p| p == guest || p == bindings));
    assert!(problems.is_empty(), "architecture invariants broken (see docs/ARCHITECTURE.md):\n{}", problems.join("\n"));
}

#[test]
fn host_modules_form_a_dag() {
    let src = root().join("host/src");
    let files = sources(&src);
    let modules: BTreeSet<String> =
        files.iter().map(|(p, _)| module_of(&src, p)).filter(|m| m != "lib" && m != "main").collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, text) in &files {
        let module = module_of(&src, path);
        if !modules.contains(&module) || path.ends_with("tests.rs") {
            continue;
        }
        // Unit tests may reach across (they are not part of the build).
        let text = text.split("#[cfg(test)]").next().unwrap_or_default();
        let mut used = uses(text, &modules);
        used.remove(&module);
        graph.entry(module).or_default().extend(used);
    }
    // Depth-first search for a cycle, reported as the path around it.
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_owned(), 1);
        stack.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next.as_str()) {
                Some(1) => {
                    let at = stack.iter().position(|n| n == next).unwrap_or(0);
                    let mut cycle = stack[at..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Some(_) => {}
                None => {
                    if let Some(cycle) = visit(next, graph, state, stack) {
                        return Some(cycle);
                    }
                }
            }
        }
        stack.pop();
        state.insert(node.to_owned(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for module in graph.keys() {
        if !state.contains_key(module.as_str()) {
            let cycle = visit(module, &graph, &mut state, &mut Vec::new());
            assert!(cycle.is_none(), "module cycle: {}\nthe graph: {graph:#?}", cycle.unwrap_or_default().join(" -> "));
        }
    }
    // The bottom layers depend on nothing above them.
    for leaf in ["text", "attest", "located"] {
        assert_eq!(graph.get(leaf).cloned().unwrap_or_default(), BTreeSet::new(), "{leaf} must be a leaf");
    }
    for (low, forbidden) in [
        ("model", &["check", "cli", "report", "scan", "store", "trends", "verdict", "runtime", "git", "publish"][..]),
        ("git", &["check", "cli", "policy", "report", "runtime", "scan", "store", "verdict", "publish"][..]),
        ("verdict", &["check", "cli", "report", "scan", "store", "runtime", "git", "publish"][..]),
        ("store", &["check", "cli", "report", "scan", "trends", "verdict", "publish"][..]),
        ("check", &["cli", "report", "scan", "publish"][..]),
        ("report", &["check", "cli", "scan", "publish"][..]),
    ] {
        let reached = graph.get(low).cloned().unwrap_or_default();
        for module in forbidden {
            assert!(!reached.contains(*module), "`{low}` must not use `{module}`: {reached:?}");
        }
    }
}

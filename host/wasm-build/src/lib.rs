//! Build-script helper: compiles plugin crates of this workspace to
//! `wasm32-wasip2` components and tells the calling build script where they
//! are. Used by `host/build.rs` (the built-in plugins) and `tests/build.rs`
//! (the hostile test plugins).
//!
//! The plugins are built by a nested `cargo build` in one invocation (so the
//! plugins share dependency builds) with the `plugin` profile, into a
//! `plugins` directory beside the outer target directory, so repeated builds
//! are incremental.

#![allow(clippy::disallowed_macros)] // build scripts talk to cargo on stdout

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The wasm target plugins are built for.
pub const TARGET: &str = "wasm32-wasip2";

/// A plugin crate to build.
#[derive(Clone, Debug)]
pub struct PluginCrate {
    /// The package name (`fledge-plugin-docs`).
    pub package: String,
    /// The crate directory.
    pub dir: PathBuf,
}

impl PluginCrate {
    /// The name of the component file cargo produces.
    pub fn wasm_file_name(&self) -> String {
        format!("{}.wasm", self.package.replace('-', "_"))
    }
}

/// The plugin crates in the immediate subdirectories of `dir`, sorted by
/// directory name. Each is a directory with a `Cargo.toml` whose `[package]`
/// `name` is read.
pub fn crates_in(dir: &Path) -> Result<Vec<PluginCrate>, String> {
    let mut crates = Vec::new();
    let entries = fs::read_dir(dir).map_err(|e| format!("failed to list {}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("failed to list {}: {e}", dir.display()))?;
        let manifest = entry.path().join("Cargo.toml");
        if !manifest.is_file() {
            continue;
        }
        let text = fs::read_to_string(&manifest).map_err(|e| format!("failed to read {}: {e}", manifest.display()))?;
        let package = text
            .lines()
            .map(str::trim)
            .find_map(|line| line.strip_prefix("name = \"").and_then(|rest| rest.strip_suffix('"')))
            .ok_or_else(|| format!("no package name in {}", manifest.display()))?;
        crates.push(PluginCrate { package: package.to_owned(), dir: entry.path() });
    }
    crates.sort_by(|a, b| a.dir.cmp(&b.dir));
    Ok(crates)
}

/// Builds `crates` to components and returns the path of each, in order.
/// `workspace` is the workspace root. Must be called from a build script.
pub fn build(workspace: &Path, crates: &[PluginCrate]) -> Result<Vec<PathBuf>, String> {
    let target_dir = plugin_target_dir()?;
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(workspace)
        .args(["build", "--quiet", "--target", TARGET, "--profile", "plugin", "--target-dir"])
        .arg(&target_dir);
    for krate in crates {
        command.args(["--package", &krate.package]);
    }
    // The outer build's flags and wrappers are for the host target (clippy's
    // wrapper, coverage flags); the plugins must not inherit them. The
    // jobserver (CARGO_MAKEFLAGS) is kept so both builds share the cores.
    for var in [
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_PRIMARY_PACKAGE",
        "CLIPPY_ARGS",
        "__CARGO_FIX_PLZ",
    ] {
        command.env_remove(var);
    }
    let output = command.output().map_err(|e| format!("failed to run cargo: {e}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let hint = if stderr.contains("target may not be installed") || stderr.contains("can't find crate for `core`") {
            format!("\nhint: install the target with `rustup target add {TARGET}`")
        } else {
            String::new()
        };
        return Err(format!("building the plugins for {TARGET} failed:\n{stderr}{hint}"));
    }
    let out = target_dir.join(TARGET).join("plugin");
    crates
        .iter()
        .map(|krate| {
            let path = out.join(krate.wasm_file_name());
            if path.is_file() { Ok(path) } else { Err(format!("cargo did not produce {}", path.display())) }
        })
        .collect()
}

/// Tells cargo to rerun the build script when a plugin's sources, the SDK or
/// the contract change.
pub fn rerun_if_changed(workspace: &Path, crates: &[PluginCrate]) {
    for path in [workspace.join("sdk"), workspace.join("Cargo.lock")] {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    for krate in crates {
        println!("cargo:rerun-if-changed={}", krate.dir.display());
    }
}

/// `<outer target dir>/plugins`: found from OUT_DIR by looking for the
/// `CACHEDIR.TAG` cargo writes at the root of a target directory.
fn plugin_target_dir() -> Result<PathBuf, String> {
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").ok_or("OUT_DIR is not set: call from a build script")?);
    let target = out_dir
        .ancestors()
        .find(|dir| dir.join("CACHEDIR.TAG").is_file())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| out_dir.clone());
    Ok(target.join("plugins"))
}

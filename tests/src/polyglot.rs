//! The Python and JavaScript plugin toolchains (componentize-py from PyPI,
//! componentize-js from npm), installed on demand under a directory that
//! persists between runs, and builds of the `acme-headers` examples with
//! them. Used by the authoring tests and the language benchmark.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// The workspace's root directory.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Installs componentize-py `version` into a virtual environment under
/// `root` (once) and returns the path of its executable.
pub fn install_componentize_py(root: &Path, version: &str) -> Result<PathBuf> {
    let venv = root.join(format!("componentize-py-{version}"));
    let bin = venv.join("bin/componentize-py");
    if bin.is_file() {
        return Ok(bin);
    }
    let python = which("python3").context("python3 is not installed")?;
    run(Command::new(python).arg("-m").arg("venv").arg(&venv))?;
    run(Command::new(venv.join("bin/pip")).args(["install", "--quiet", &format!("componentize-py=={version}")]))?;
    Ok(bin)
}

/// Installs componentize-js `version` into `node_modules` of a directory
/// under `root` (once) and returns that directory: a project placed inside
/// it finds the package there.
pub fn install_componentize_js(root: &Path, version: &str) -> Result<PathBuf> {
    let dir = root.join(format!("componentize-js-{version}"));
    if dir.join("node_modules/@bytecodealliance/componentize-js/package.json").is_file() {
        return Ok(dir);
    }
    which("node").context("node is not installed")?;
    let npm = which("npm").context("npm is not installed")?;
    std::fs::create_dir_all(&dir).with_context(|| format!("failed to create {}", dir.display()))?;
    std::fs::write(dir.join("package.json"), r#"{"private": true}"#).context("failed to write package.json")?;
    run(Command::new(npm)
        .args(["install", "--no-audit", "--no-fund", "--silent"])
        .arg(format!("@bytecodealliance/componentize-js@{version}"))
        .current_dir(&dir))?;
    Ok(dir)
}

/// Builds the Python plugin whose `app.py` is in `source` against the
/// contract in `wit` into `output`.
pub fn build_python(tool: &Path, source: &Path, wit: &Path, output: &Path) -> Result<()> {
    // componentize-py writes __pycache__ next to the sources: build a copy.
    let work = tempfile::tempdir().context("failed to create a directory")?;
    copy_dir(source, work.path())?;
    run(Command::new(tool)
        .arg("-d")
        .arg(wit)
        .args(["-w", "plugin", "componentize", "app", "-o"])
        .arg(output)
        .current_dir(work.path()))
}

/// Builds the JavaScript `acme-headers` example into `output` with its own
/// build script, from a copy inside `toolchain` (see
/// [`install_componentize_js`]).
pub fn build_js_example(toolchain: &Path, output: &Path) -> Result<()> {
    // The build script finds the contract at ../../../sdk/wit.
    let work = tempfile::tempdir_in(toolchain).context("failed to create a directory")?;
    let example = work.path().join("examples/acme-headers/js");
    copy_dir(&workspace().join("examples/acme-headers/js"), &example)?;
    copy_dir(&workspace().join("sdk/wit"), &work.path().join("sdk/wit"))?;
    run(Command::new("node").arg("build.mjs").arg(output).current_dir(&example))
}

/// Copies a directory tree, without `node_modules` and `__pycache__`.
pub fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("failed to create {}", to.display()))?;
    for entry in std::fs::read_dir(from).with_context(|| format!("failed to read {}", from.display()))? {
        let entry = entry.with_context(|| format!("failed to read {}", from.display()))?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            if entry.file_name() != "node_modules" && entry.file_name() != "__pycache__" {
                copy_dir(&entry.path(), &target)?;
            }
        } else {
            std::fs::copy(entry.path(), &target).with_context(|| format!("failed to copy {}", target.display()))?;
        }
    }
    Ok(())
}

/// The program's path on `PATH`.
pub fn which(program: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths).map(|dir| dir.join(program)).find(|path| path.is_file())
}

/// Runs `command`; its output is the error when it fails.
pub fn run(command: &mut Command) -> Result<()> {
    let output = command.output().with_context(|| format!("cannot run {command:?}"))?;
    if !output.status.success() {
        bail!(
            "{command:?} failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

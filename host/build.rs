//! Builds the built-in plugins (`plugins/*`) to wasm32-wasip2 components and
//! generates `builtin_plugins.rs`, which embeds them in the binary, with
//! the SDK's sources for `fledge plugin new`.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let workspace = manifest_dir.parent().expect("host/ has a parent").to_path_buf();
    let crates = fledge_wasm_build::crates_in(&workspace.join("plugins")).unwrap_or_else(|e| panic!("{e}"));
    fledge_wasm_build::rerun_if_changed(&workspace, &crates);
    let wasm = fledge_wasm_build::build(&workspace, &crates).unwrap_or_else(|e| panic!("{e}"));

    let mut code = String::from("/// The built-in plugins: (crate directory name, component bytes).\n");
    code.push_str("pub(crate) static BUILTIN_PLUGINS: &[(&str, &[u8])] = &[\n");
    for (krate, path) in crates.iter().zip(&wasm) {
        let name = krate.dir.file_name().and_then(|n| n.to_str()).expect("utf-8 plugin directory");
        writeln!(code, "    ({name:?}, include_bytes!({:?})),", path.display().to_string()).expect("write to string");
    }
    code.push_str("];\n");
    // The SDK's sources, which `fledge plugin new` vendors into new plugins.
    code.push_str("/// The plugin SDK's sources: (path in the SDK, contents).\n");
    code.push_str("pub(crate) static SDK_FILES: &[(&str, &str)] = &[\n");
    let sdk = workspace.join("sdk");
    let mut files = Vec::new();
    for dir in ["src", "wit"] {
        collect(&sdk.join(dir), &mut files);
    }
    files.sort();
    for file in files {
        let relative =
            file.strip_prefix(&sdk).expect("inside the SDK").to_str().expect("utf-8 path").replace('\\', "/");
        writeln!(code, "    ({relative:?}, include_str!({:?})),", file.display().to_string()).expect("write to string");
    }
    code.push_str("];\n");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR")).join("builtin_plugins.rs");
    fs::write(&out, code).unwrap_or_else(|e| panic!("failed to write {}: {e}", out.display()));
}

fn collect(dir: &std::path::Path, files: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("failed to list {}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}

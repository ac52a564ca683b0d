//! Builds the built-in plugins (`plugins/*`) to wasm32-wasip2 components and
//! generates `builtin_plugins.rs`, which embeds them in the binary.

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
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR")).join("builtin_plugins.rs");
    fs::write(&out, code).unwrap_or_else(|e| panic!("failed to write {}: {e}", out.display()));
}

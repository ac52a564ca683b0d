//! Builds the test plugins (`tests/plugins/*`) to wasm32-wasip2 components
//! and generates a constant with the path of each.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let workspace = manifest_dir.parent().expect("tests/ has a parent").to_path_buf();
    let mut crates = fledge_wasm_build::crates_in(&manifest_dir.join("plugins")).unwrap_or_else(|e| panic!("{e}"));
    // The Rust example of the plugin guide, compared with its Python and
    // JavaScript twins.
    crates.push(fledge_wasm_build::PluginCrate {
        package: "acme-headers".to_owned(),
        dir: workspace.join("examples/acme-headers/rust"),
    });
    fledge_wasm_build::rerun_if_changed(&workspace, &crates);
    let wasm = fledge_wasm_build::build(&workspace, &crates).unwrap_or_else(|e| panic!("{e}"));
    let mut code = String::new();
    for (krate, path) in crates.iter().zip(&wasm) {
        let name = krate.package.trim_start_matches("fledge-test-plugin-").to_uppercase().replace('-', "_");
        writeln!(code, "/// The `{}` test plugin component.", krate.package).expect("write");
        writeln!(code, "pub const {name}_PLUGIN: &str = {:?};", path.display().to_string()).expect("write");
    }
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR")).join("test_plugins.rs");
    fs::write(&out, code).unwrap_or_else(|e| panic!("failed to write {}: {e}", out.display()));
}

//! Identifies license files the way the `license` plugin does, natively:
//! `cargo run -p fledge-plugin-license --example identify -- FILE...`
//! prints one line per file: the SPDX ids and the confidence, or the closest
//! match. Useful to validate the identifier against a collection of texts.

#![allow(clippy::disallowed_macros)] // a command-line example prints its results

use fledge_plugin_license::identify::{Identification, identify};

fn main() {
    let mut failures = 0;
    for path in std::env::args().skip(1) {
        let text = match std::fs::read(&path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(err) => {
                eprintln!("{path}: {err}");
                failures += 1;
                continue;
            }
        };
        match identify(&text, 0.9) {
            Identification::Identified { licenses, confidence, form } => {
                println!("{path}\t{}\t{confidence:.3}\t{form:?}", licenses.join(" OR "));
            }
            Identification::Unrecognised { closest } => {
                let closest = closest.map_or_else(|| "-".to_owned(), |m| format!("{} {:.3}", m.id, m.confidence));
                println!("{path}\tUNRECOGNISED\tclosest {closest}");
            }
        }
    }
    std::process::exit(i32::from(failures > 0));
}

//! The `fledge` binary: parse, run, map the outcome to an exit code.

use std::process::ExitCode;

fn main() -> ExitCode {
    match fledge::cli::run() {
        Ok(code) => code,
        Err(err) => {
            // The one place errors are printed; their text may quote the
            // repository (paths), so it is made printable first.
            #[allow(clippy::disallowed_macros)]
            {
                eprintln!("error: {}", fledge::text::printable_lines(&format!("{err:#}")));
            }
            ExitCode::from(fledge::cli::exit_code_for(&err))
        }
    }
}

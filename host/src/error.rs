//! The errors callers tell apart: input errors (exit code 2) and the rest
//! (exit code 3). Everything else is `anyhow` with context.

use crate::git::AcquireError;

/// An error caused by the user's input (exit code 2), as opposed to an
/// internal failure (exit code 3).
#[derive(Debug)]
pub struct UserError(String);

impl UserError {
    pub fn new(message: impl Into<String>) -> UserError {
        UserError(message.into())
    }
}

impl std::fmt::Display for UserError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UserError {}

/// The exit code for an error: 2 for input errors, 3 for the rest.
pub fn exit_code_for(err: &anyhow::Error) -> u8 {
    let input = err.chain().any(|cause| cause.is::<UserError>() || cause.is::<AcquireError>());
    if input { 2 } else { 3 }
}

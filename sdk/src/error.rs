//! The error type of check functions.

use std::fmt;

use crate::RepoError;

/// Why a check could not be evaluated. Returning it from
/// [`Plugin::check`](crate::Plugin::check) gives the check the status
/// `error` with this message; a failing check is a
/// [`CheckResult::fail`](crate::CheckResult::fail), not an `Error`.
///
/// Any `std::error::Error` converts into it, so `?` works on repository
/// reads, JSON and I/O errors alike.
///
/// ```
/// use fledge_sdk::Error;
/// fn parse(text: &str) -> Result<u32, Error> {
///     if text.is_empty() {
///         return Err(Error::new("empty input"));
///     }
///     Ok(text.parse::<u32>()?)
/// }
/// assert_eq!(parse("").unwrap_err().to_string(), "empty input");
/// assert!(parse("x").is_err());
/// ```
pub struct Error {
    message: String,
    /// The host's refusal, when the error is one.
    repo: Option<RepoError>,
}

impl Error {
    /// An error with `message`.
    pub fn new(message: impl Into<String>) -> Self {
        Error { message: message.into(), repo: None }
    }

    /// The host's refusal behind this error, if it is one (a missing
    /// object, a denied capability, a spent budget...).
    pub fn repo_error(&self) -> Option<&RepoError> {
        self.repo.as_ref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.message, f)
    }
}

impl<E: std::error::Error + 'static> From<E> for Error {
    fn from(err: E) -> Self {
        let repo = (&err as &dyn std::any::Any).downcast_ref::<RepoError>().cloned();
        Error { message: err.to_string(), repo }
    }
}

/// `Result` with [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

//! Logging to fledge's log. Plugins have no stdout of their own: what they
//! print is captured (bounded) and shown only in verbose mode; use these
//! functions for messages meant for the operator. The host bounds the number
//! and size of log lines per run.

/// Logs a debug message.
pub fn debug(message: impl AsRef<str>) {
    write(Level::Debug, message.as_ref());
}

/// Logs an informational message.
pub fn info(message: impl AsRef<str>) {
    write(Level::Info, message.as_ref());
}

/// Logs a warning.
pub fn warn(message: impl AsRef<str>) {
    write(Level::Warn, message.as_ref());
}

/// Logs an error.
pub fn error(message: impl AsRef<str>) {
    write(Level::Error, message.as_ref());
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum Level {
    Debug,
    Info,
    Warn,
    Error,
}

#[cfg(target_arch = "wasm32")]
fn write(level: Level, message: &str) {
    crate::guest::log(level, message);
}

/// Natively (unit tests), the log goes to stderr.
#[cfg(not(target_arch = "wasm32"))]
#[allow(clippy::print_stderr, clippy::disallowed_macros)]
fn write(level: Level, message: &str) {
    eprintln!("[{level:?}] {message}");
}

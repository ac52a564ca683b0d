//! Line-numbered errors in the TOML files users write (policies,
//! catalogs): every problem names the file and the line.

use std::fmt;

use toml::Spanned;

/// Errors in one file, each with its line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileErrors {
    pub file: String,
    pub errors: Vec<(usize, String)>,
}

impl FileErrors {
    /// The error of a file `toml` could not deserialise.
    pub fn from_toml(file: &str, text: &str, err: &toml::de::Error) -> FileErrors {
        let line = err.span().map_or(1, |span| Lines(text).at(span.start));
        FileErrors { file: file.to_owned(), errors: vec![(line, err.message().trim_end_matches('.').to_owned())] }
    }
}

impl fmt::Display for FileErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> =
            self.errors.iter().map(|(line, message)| format!("{}:{line}: {message}", self.file)).collect();
        f.write_str(&lines.join("\n"))
    }
}

impl std::error::Error for FileErrors {}

/// Line numbers of byte offsets in a text.
#[derive(Clone, Copy)]
pub struct Lines<'a>(pub &'a str);

impl Lines<'_> {
    /// The line of a spanned value.
    pub fn of<T>(&self, spanned: &Spanned<T>) -> usize {
        self.at(spanned.span().start)
    }

    /// The line of byte `offset`.
    pub fn at(&self, offset: usize) -> usize {
        self.0.as_bytes()[..offset.min(self.0.len())].iter().filter(|&&b| b == b'\n').count() + 1
    }
}

/// Where the validators of one file note their errors, by line.
pub struct Sink<'a> {
    pub lines: Lines<'a>,
    errors: Vec<(usize, String)>,
}

impl<'a> Sink<'a> {
    pub fn new(text: &'a str) -> Self {
        Sink { lines: Lines(text), errors: Vec::new() }
    }

    /// Notes an error at `line`.
    pub fn push(&mut self, line: usize, message: impl Into<String>) {
        self.errors.push((line, message.into()));
    }

    /// Notes an error at the line of `spanned`.
    pub fn at<T>(&mut self, spanned: &Spanned<T>, message: impl Into<String>) {
        let line = self.lines.of(spanned);
        self.push(line, message);
    }

    /// True when no error was noted.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// The errors of `file`, in line order, if there are any.
    pub fn finish(mut self, file: &str) -> Result<(), FileErrors> {
        if self.errors.is_empty() {
            return Ok(());
        }
        self.errors.sort();
        Err(FileErrors { file: file.to_owned(), errors: self.errors })
    }
}

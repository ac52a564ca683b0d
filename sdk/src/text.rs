//! Decoding file contents to text without a heavyweight encoding library:
//! UTF-8 (with or without a BOM), UTF-16 with a BOM, and Latin-1 for
//! anything else that is not binary.

use std::borrow::Cow;

/// Decodes `bytes` as text; `None` when the data looks binary (a NUL byte in
/// the first 8 KiB of data that has no UTF-16 byte-order mark).
///
/// ```
/// use fledge_sdk::text::decode;
/// assert_eq!(decode(b"hello").as_deref(), Some("hello"));
/// assert_eq!(decode(&[0xff, 0xfe, b'h', 0, b'i', 0]).as_deref(), Some("hi"));
/// assert_eq!(decode(b"caf\xe9").as_deref(), Some("caf\u{e9}"));
/// assert_eq!(decode(b"\x7fELF\x02\x01\x01\x00"), None);
/// ```
pub fn decode(bytes: &[u8]) -> Option<Cow<'_, str>> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return Some(String::from_utf8_lossy(rest));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return Some(Cow::Owned(decode_utf16(rest, u16::from_le_bytes)));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return Some(Cow::Owned(decode_utf16(rest, u16::from_be_bytes)));
    }
    if is_binary(bytes) {
        return None;
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Some(Cow::Borrowed(text)),
        Err(_) => Some(Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect())),
    }
}

/// Like [`decode`] for a prefix cut at a read bound: an incomplete UTF-8
/// sequence at the very end is dropped rather than making the whole text
/// decode as Latin-1.
pub fn decode_prefix(bytes: &[u8]) -> Option<Cow<'_, str>> {
    if let Err(err) = std::str::from_utf8(bytes)
        && err.error_len().is_none()
        && bytes.len() - err.valid_up_to() < 4
    {
        return decode(&bytes[..err.valid_up_to()]);
    }
    decode(bytes)
}

/// True when `bytes` looks like binary data: a NUL byte in the first 8 KiB.
pub fn is_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(8192)].contains(&0)
}

fn decode_utf16(bytes: &[u8], read: fn([u8; 2]) -> u16) -> String {
    let units = bytes.chunks_exact(2).map(|pair| read([pair[0], pair[1]]));
    char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect()
}

/// A section heading of a Markdown, reStructuredText or AsciiDoc document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heading {
    /// 1-based line of the heading text.
    pub line: u32,
    /// The heading text, without markup.
    pub title: String,
}

/// The headings of a document: Markdown `#` and setext headings, HTML
/// `<h1>`..`<h6>`, reStructuredText underlined titles and AsciiDoc `=` titles.
/// Lines inside fenced code blocks are skipped.
///
/// ```
/// use fledge_sdk::text::headings;
/// let doc = "# Tool\n\n## Install\n```\n# not a heading\n```\nUsage\n-----\n<h2>Build</h2>\n";
/// let titles: Vec<_> = headings(doc).into_iter().map(|h| h.title).collect();
/// assert_eq!(titles, ["Tool", "Install", "Usage", "Build"]);
/// ```
pub fn headings(text: &str) -> Vec<Heading> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    let mut fence: Option<&str> = None;
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        if let Some(marker) = fence {
            if trimmed.starts_with(marker) {
                fence = None;
            }
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
            continue;
        }
        let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let title = if let Some(rest) = trimmed.strip_prefix('#') {
            let rest = rest.trim_start_matches('#');
            (rest.starts_with(' ') || rest.is_empty()).then(|| rest.trim().trim_end_matches('#').trim())
        } else if trimmed.starts_with('=') && !is_underline(trimmed) {
            let rest = trimmed.trim_start_matches('=');
            rest.starts_with(' ').then(|| rest.trim())
        } else if let Some(title) = html_heading(trimmed) {
            Some(title)
        } else if !trimmed.is_empty()
            && !is_underline(trimmed)
            && lines.get(i + 1).is_some_and(|next| is_underline(next.trim()) && next.trim().len() >= 3)
        {
            Some(trimmed)
        } else {
            None
        };
        if let Some(title) = title.filter(|t| !t.is_empty()) {
            found.push(Heading { line: number, title: strip_inline_markup(title) });
        }
    }
    found
}

fn is_underline(line: &str) -> bool {
    let Some(first) = line.chars().next() else { return false };
    matches!(first, '=' | '-' | '~' | '^' | '*' | '+' | '#' | '"') && line.chars().all(|c| c == first)
}

fn html_heading(line: &str) -> Option<&str> {
    let lower = line.get(..3)?.to_ascii_lowercase();
    if !(lower.starts_with("<h") && lower.as_bytes()[2].is_ascii_digit()) {
        return None;
    }
    let start = line.find('>')? + 1;
    let end = line[start..].find("</").map_or(line.len(), |e| start + e);
    Some(line[start..end].trim())
}

fn strip_inline_markup(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    let mut in_tag = false;
    for c in title.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            '*' | '`' | '_' | '[' | ']' if !in_tag => {}
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    // Drop the target of a Markdown link, `[Title](url)` -> `Title`.
    if let Some(i) = out.find("](") {
        out.truncate(i);
    } else if let Some(i) = out.find('(').filter(|&i| out[i..].contains("://")) {
        out.truncate(i);
    }
    out.trim().to_owned()
}

/// The URLs in a text (`http://`, `https://`), in order.
///
/// ```
/// use fledge_sdk::text::urls;
/// assert_eq!(urls("see [docs](https://docs.rs/x) or <http://a.b/c>."), ["https://docs.rs/x", "http://a.b/c"]);
/// ```
pub fn urls(text: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("http") {
        let candidate = &rest[i..];
        if candidate.starts_with("http://") || candidate.starts_with("https://") {
            let end = candidate
                .find(|c: char| c.is_whitespace() || matches!(c, ')' | '>' | '"' | '\'' | ']' | '`' | '<'))
                .unwrap_or(candidate.len());
            let url = candidate[..end].trim_end_matches(['.', ',', ';', ':']);
            found.push(url);
            rest = &candidate[end..];
        } else {
            rest = &candidate[4..];
        }
    }
    found
}

//! Text for people: what is safe to print (nothing from a repository or a
//! plugin reaches a terminal or a document raw), and numbers, sizes and
//! times as a person reads them. A leaf: it depends on nothing of fledge.

/// `text` made safe to show: control characters (ESC, OSC, BEL, carriage
/// returns, newlines...) and bidirectional overrides are written as visible
/// escapes (`\x1b`, `\u{202e}`), so that nothing read from a repository
/// or a plugin can move the cursor, set the title or reorder a line.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    escape(text, false)
}

/// Like [`printable`], keeping line breaks (for multi-line messages such
/// as a list of policy errors).
pub fn printable_lines(text: &str) -> std::borrow::Cow<'_, str> {
    escape(text, true)
}

fn escape(text: &str, keep_newlines: bool) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        (c.is_control() && !(keep_newlines && c == '\n'))
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' if keep_newlines => out.push('\n'),
            '\n' | '\t' => out.push(' '),
            c if (c as u32) < 0x100 && unsafe_char(c) => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if unsafe_char(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// RFC 3339 for a Unix time (UTC).
pub fn rfc3339(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds).map(|t| t.to_string()).unwrap_or_else(|_| seconds.to_string())
}

/// `4.2 MB`, `812 KB`, `12 B`.
pub fn human_bytes(bytes: u64) -> String {
    match bytes {
        b if b >= 1_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        b if b >= 1_000 => format!("{:.0} KB", b as f64 / 1e3),
        b => format!("{b} B"),
    }
}

/// A number as a user would write it: `-1`, `0.5`, `NaN`, and `1e308`
/// rather than 309 digits.
pub fn shown_number(value: f64) -> String {
    if value.is_finite() && value.abs() >= 1e9 { format!("{value:e}") } else { value.to_string() }
}

/// Text for HTML content and attribute values.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// " (did you mean `x`?)" for the entry of `known` closest to `word`, if
/// it is close enough (Levenshtein distance up to a quarter of its length,
/// at least 3), else "".
pub fn did_you_mean(word: &str, known: &[&str]) -> String {
    known
        .iter()
        .map(|k| (strsim::levenshtein(word, k), *k))
        .filter(|(distance, _)| *distance <= 3.max(word.len() / 4))
        .min()
        .map_or_else(String::new, |(_, k)| format!(" (did you mean `{k}`?)"))
}

/// `count` and `noun`, in the plural unless there is exactly one
/// (`1 file`, `3 files`, `2 matches`).
pub fn count(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else if noun.ends_with("ch") || noun.ends_with('s') || noun.ends_with('x') {
        format!("{count} {noun}es")
    } else {
        format!("{count} {noun}s")
    }
}

/// A duration in seconds as a person says it: `29 s`, `33 min`, `2 h 5 min`.
pub fn human_duration(seconds: f64) -> String {
    let seconds = if seconds.is_finite() { seconds.max(0.0).round() as u64 } else { 0 };
    match seconds {
        0..=59 => format!("{seconds} s"),
        60..=3599 => format!("{} min", seconds.div_ceil(60)),
        _ => {
            let minutes = seconds.div_ceil(60);
            format!("{} h {} min", minutes / 60, minutes % 60)
        }
    }
}

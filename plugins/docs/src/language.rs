//! Is a text in English? Decided offline from the writing system of its
//! letters and, for Latin-script text, the share of common English words.
//! Code, URLs and markup are removed first, since a Chinese README is full
//! of English code.

/// What [`assess`] concluded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    English,
    /// Latin script, but few English function words.
    OtherLatin,
    /// Mostly letters of another writing system.
    Script(&'static str),
    /// Too little prose to tell.
    TooShort,
}

impl Verdict {
    pub fn is_english(self) -> bool {
        matches!(self, Verdict::English)
    }

    pub fn describe(self) -> String {
        match self {
            Verdict::English => "English".to_owned(),
            Verdict::OtherLatin => "a language other than English".to_owned(),
            Verdict::Script(script) => format!("{script} script"),
            Verdict::TooShort => "too little prose".to_owned(),
        }
    }
}

/// The prose of a Markdown / reStructuredText document: fenced and indented
/// code blocks, inline code, HTML tags, URLs and link targets removed.
pub fn prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut fence = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = !fence;
            continue;
        }
        if fence || line.starts_with("    ") || line.starts_with('\t') || trimmed.starts_with(".. ") {
            continue;
        }
        let mut in_code = false;
        let mut in_tag = false;
        let mut word = String::new();
        for c in line.chars().chain(std::iter::once(' ')) {
            match c {
                '`' => in_code = !in_code,
                '<' if !in_code => in_tag = true,
                '>' if in_tag => in_tag = false,
                _ if in_code || in_tag => {}
                c if c.is_whitespace() || c == '(' || c == ')' || c == '[' || c == ']' => {
                    if !word.contains("://") && !word.starts_with("www.") {
                        out.push_str(&word);
                    }
                    out.push(' ');
                    word.clear();
                }
                c => word.push(c),
            }
        }
        out.push('\n');
    }
    out
}

/// Words in `text`: runs of Latin/Cyrillic/... letters count one each;
/// CJK characters count one word per two characters.
pub fn word_count(text: &str) -> usize {
    let mut words = 0;
    let mut cjk = 0;
    let mut in_word = false;
    for c in text.chars() {
        if is_cjk(c) {
            cjk += 1;
            in_word = false;
        } else if c.is_alphanumeric() {
            if !in_word {
                words += 1;
            }
            in_word = true;
        } else {
            in_word = false;
        }
    }
    words + cjk / 2
}

fn is_cjk(c: char) -> bool {
    script(c).is_some_and(|s| matches!(s, "Han" | "Hiragana/Katakana" | "Hangul"))
}

/// The writing system of a letter outside ASCII, for the scripts a README is
/// most likely written in.
fn script(c: char) -> Option<&'static str> {
    let cp = c as u32;
    Some(match cp {
        0x0041..=0x005A | 0x0061..=0x007A | 0x00C0..=0x024F | 0x1E00..=0x1EFF => "Latin",
        0x0370..=0x03FF => "Greek",
        0x0400..=0x052F => "Cyrillic",
        0x0590..=0x05FF => "Hebrew",
        0x0600..=0x06FF | 0x0750..=0x077F => "Arabic",
        0x0900..=0x097F => "Devanagari",
        0x0E00..=0x0E7F => "Thai",
        0x3040..=0x30FF | 0x31F0..=0x31FF => "Hiragana/Katakana",
        0x1100..=0x11FF | 0xAC00..=0xD7AF | 0x3130..=0x318F => "Hangul",
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F => "Han",
        _ => return None,
    })
}

/// Frequent English function words; English prose has them at 20-35 % of
/// words, other Latin-script languages at a few percent.
const ENGLISH_WORDS: &[&str] = &[
    "the", "and", "of", "to", "is", "for", "with", "this", "that", "you", "are", "be", "it", "on", "as", "can", "from",
    "by", "your", "use", "not", "or", "which", "have", "a", "if", "how", "we", "our", "all", "more", "see", "using",
    "when", "will", "in",
];

pub fn assess(prose: &str) -> Verdict {
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    for c in prose.chars() {
        if let Some(s) = script(c) {
            match counts.iter_mut().find(|(name, _)| *name == s) {
                Some((_, n)) => *n += 1,
                None => counts.push((s, 1)),
            }
        }
    }
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    if total < 80 {
        return Verdict::TooShort;
    }
    let latin = counts.iter().find(|(s, _)| *s == "Latin").map_or(0, |(_, n)| *n);
    // Chinese and Japanese letters carry several times the content of a
    // Latin letter, so a Latin share below 75 % already means a mostly
    // non-Latin text.
    let cjk: usize =
        counts.iter().filter(|(s, _)| matches!(*s, "Han" | "Hiragana/Katakana" | "Hangul")).map(|(_, n)| n).sum();
    let non_latin_weight = (total - latin - cjk) + cjk * 3;
    if non_latin_weight > latin {
        let (dominant, _) =
            counts.iter().filter(|(s, _)| *s != "Latin").max_by_key(|(_, n)| *n).copied().unwrap_or(("non-Latin", 0));
        return Verdict::Script(if dominant == "Hiragana/Katakana" { "Japanese" } else { dominant });
    }
    let words: Vec<String> = prose
        .split(|c: char| !c.is_alphabetic() && c != '\'')
        .filter(|w| !w.is_empty() && w.chars().all(|c| script(c) == Some("Latin")))
        .map(str::to_lowercase)
        .collect();
    if words.len() < 30 {
        return Verdict::TooShort;
    }
    let english = words.iter().filter(|w| ENGLISH_WORDS.contains(&w.as_str())).count();
    if english * 100 >= words.len() * 8 { Verdict::English } else { Verdict::OtherLatin }
}

/// True when a README's file name says it is the English edition
/// (`README.en.md`, `README_EN.md`, `README-english.rst`, `docs/en/README.md`).
pub fn names_english(path: &str) -> bool {
    let lower = path.to_lowercase();
    if lower.starts_with("docs/en/") || lower.starts_with("en/") {
        return true;
    }
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let Some(rest) = name.strip_prefix("readme") else { return false };
    let rest = rest.trim_start_matches(['.', '_', '-']);
    ["en.", "en_", "en-", "eng.", "english."].iter().any(|p| rest.starts_with(p)) || rest == "en" || rest == "english"
}

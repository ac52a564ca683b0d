//! The credential rules: one per credential type, with the provider's
//! documented format, in one table per family (`cloud.rs`, `devtools.rs`,
//! ...). `keywords` feed the Aho-Corasick prefilter (a rule's regex only
//! runs on blobs that contain one of its keywords, compared without regard
//! to ASCII case); group 1 of `pattern` is the secret.
//!
//! Most rules are one line: [`token!`] for a format with a fixed prefix
//! (`token!("id", "What it is", "prefix_", alnum, 36)`), [`keyed!`] for a
//! value without one, which counts only when it is assigned to a name that
//! holds the provider's keyword (`keyed!("id", "What it is", "keyword",
//! hex, 32)`). Both record the shape of the credential, from which the
//! tests make a true sample and near misses for every such rule. Formats
//! that fit neither are written out with [`rule!`] and have a hand-made
//! sample in `samples.rs`.

use std::sync::LazyLock;

use fledge_sdk::Severity;

/// A credential type.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    /// Stable id, used in findings and allowlists.
    pub id: &'static str,
    /// What the credential is.
    pub description: &'static str,
    /// At least one must occur in a blob for the regex to run.
    pub keywords: &'static [&'static str],
    /// Group 1 is the secret.
    pub pattern: &'static str,
    /// Minimum Shannon entropy (bits per character) of the secret, for
    /// formats without a distinctive prefix.
    pub entropy: Option<f64>,
    pub severity: Severity,
    /// False for rules whose matches in documentation are examples
    /// (`password: "s3cret"` in a README); provider formats apply everywhere.
    pub in_docs: bool,
    /// The credential's shape, when a macro wrote the pattern from it.
    pub shape: Shape,
    /// A checksum the format carries, verified offline: a value whose
    /// checksum does not match is not a credential of this kind.
    pub checksum: Option<Checksum>,
    /// How far before and after a keyword a hand-written pattern can
    /// match, when less than the default ([`Rule::window`]).
    pub reach: Option<(usize, usize)>,
}

/// The shape [`token!`] and [`keyed!`] build a pattern from.
#[derive(Clone, Copy, Debug)]
pub enum Shape {
    /// Written out by hand.
    Custom,
    /// `prefix` then `min..=max` characters of `class` (a regex character
    /// class body, such as `A-Za-z0-9`), or a UUID when `class` is `uuid`.
    Token { prefix: &'static str, class: &'static str, min: usize, max: usize },
    /// A value of that shape assigned to a name holding `keyword`.
    Keyed { keyword: &'static str, prefix: &'static str, class: &'static str, min: usize, max: usize },
}

/// Checksums carried by credential formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checksum {
    /// GitHub's and npm's token formats: after the prefix, 30 random
    /// base62 characters, then the CRC32 of those 30 as 6 base62 digits.
    Crc32Base62,
}

impl Rule {
    /// The same rule, whose matches lie within `before` bytes before and
    /// `after` bytes after its keyword (a pattern on one line).
    pub const fn reach(mut self, before: usize, after: usize) -> Rule {
        self.reach = Some((before, after));
        self
    }

    /// How far before and after a keyword the rule's regex must look to
    /// see a whole credential: from the shape for [`token!`] and
    /// [`keyed!`] rules (the match starts at the keyword; one byte before
    /// it tells whether a word starts there), else 256 bytes before and
    /// 8 KB after (a private key, a service-account file).
    pub fn window(&self) -> (usize, usize) {
        let longest = |class: &str, max: usize| if class == "uuid" { 36 } else { max };
        match self.shape {
            Shape::Token { prefix, class, max, .. } => (1, prefix.len() + longest(class, max) + 2),
            Shape::Keyed { keyword, prefix, class, max, .. } => {
                // The name after the keyword, quotes and separators, the value.
                (1, keyword.len() + 24 + 10 + prefix.len() + longest(class, max) + 2)
            }
            Shape::Custom => self.reach.unwrap_or((256, 8192)),
        }
    }
}

impl Checksum {
    /// True when `secret` carries a valid checksum.
    pub fn verify(self, secret: &str) -> bool {
        match self {
            Checksum::Crc32Base62 => {
                let Some((_, body)) = secret.rsplit_once('_') else { return false };
                if body.len() != 36 || !body.is_ascii() {
                    return false;
                }
                let (data, check) = body.split_at(30);
                base62(check).is_some_and(|value| value == u64::from(crc32fast::hash(data.as_bytes())))
            }
        }
    }
}

/// The value of base62 digits (`0-9A-Za-z`).
fn base62(digits: &str) -> Option<u64> {
    digits.bytes().try_fold(0u64, |value, digit| {
        let d = match digit {
            b'0'..=b'9' => digit - b'0',
            b'A'..=b'Z' => digit - b'A' + 10,
            b'a'..=b'z' => digit - b'a' + 36,
            _ => return None,
        };
        value.checked_mul(62)?.checked_add(u64::from(d))
    })
}

const C: Severity = Severity::Critical;
const H: Severity = Severity::High;

/// A rule written out by hand (see the module documentation).
macro_rules! rule {
    ($id:literal, $description:literal, [$($keyword:literal),+], $pattern:literal) => {
        Rule { id: $id, description: $description, keywords: &[$($keyword),+], pattern: $pattern, entropy: None, severity: C, in_docs: true, shape: Shape::Custom, checksum: None, reach: None }
    };
    ($id:literal, $description:literal, [$($keyword:literal),+], $pattern:literal, checksum $checksum:expr) => {
        Rule { id: $id, description: $description, keywords: &[$($keyword),+], pattern: $pattern, entropy: None, severity: C, in_docs: true, shape: Shape::Custom, checksum: Some($checksum), reach: None }
    };
    ($id:literal, $description:literal, [$($keyword:literal),+], $pattern:literal, entropy $entropy:literal) => {
        Rule { id: $id, description: $description, keywords: &[$($keyword),+], pattern: $pattern, entropy: Some($entropy), severity: C, in_docs: true, shape: Shape::Custom, checksum: None, reach: None }
    };
    ($id:literal, $description:literal, [$($keyword:literal),+], $pattern:literal, severity $severity:expr) => {
        Rule { id: $id, description: $description, keywords: &[$($keyword),+], pattern: $pattern, entropy: None, severity: $severity, in_docs: true, shape: Shape::Custom, checksum: None, reach: None }
    };
    ($id:literal, $description:literal, [$($keyword:literal),+], $pattern:literal, not in docs) => {
        Rule { id: $id, description: $description, keywords: &[$($keyword),+], pattern: $pattern, entropy: None, severity: C, in_docs: false, shape: Shape::Custom, checksum: None, reach: None }
    };
    ($id:literal, $description:literal, [$($keyword:literal),+], $pattern:literal, entropy $entropy:literal, severity $severity:expr) => {
        Rule { id: $id, description: $description, keywords: &[$($keyword),+], pattern: $pattern, entropy: Some($entropy), severity: $severity, in_docs: false, shape: Shape::Custom, checksum: None, reach: None }
    };
}

/// Character classes of credential bodies, as regex class bodies.
macro_rules! class {
    (alnum) => {
        "A-Za-z0-9"
    };
    (alpha) => {
        "A-Za-z"
    };
    (hex) => {
        "a-f0-9"
    };
    (HEX) => {
        "A-F0-9"
    };
    (upper) => {
        "A-Z0-9"
    };
    (lower) => {
        "a-z0-9"
    };
    (digits) => {
        "0-9"
    };
    (url) => {
        "A-Za-z0-9_\\-"
    };
    (b64) => {
        "A-Za-z0-9+/="
    };
}

/// A body of `$class` characters, `{min,max}` long (or a UUID).
macro_rules! body {
    (uuid, $min:literal, $max:literal) => {
        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    };
    ($class:ident, $min:literal, $max:literal) => {
        concat!("[", class!($class), "]{", $min, ",", $max, "}")
    };
}

/// The class recorded in a [`Shape`].
macro_rules! shape_class {
    (uuid) => {
        "uuid"
    };
    ($class:ident) => {
        class!($class)
    };
}

/// A credential with a fixed prefix: `token!(id, description, prefix,
/// class, length)` or `(…, class, min, max)`; `prefix` must be plain
/// (letters, digits, `_`, `-`, `=`), else give its regex form after `as`.
macro_rules! token {
    ($id:literal, $description:literal, $prefix:literal, $class:ident, $min:literal) => {
        token!($id, $description, $prefix as $prefix, $class, $min, $min)
    };
    ($id:literal, $description:literal, $prefix:literal, $class:ident, $min:literal, $max:literal) => {
        token!($id, $description, $prefix as $prefix, $class, $min, $max)
    };
    ($id:literal, $description:literal, $prefix:literal as $regex:literal, $class:ident, $min:literal) => {
        token!($id, $description, $prefix as $regex, $class, $min, $min)
    };
    ($id:literal, $description:literal, $prefix:literal as $regex:literal, $class:ident, $min:literal, $max:literal) => {
        Rule {
            id: $id,
            description: $description,
            keywords: &[$prefix],
            pattern: concat!(r"\b(", $regex, body!($class, $min, $max), r")(?:[^A-Za-z0-9_\-]|$)"),
            entropy: None,
            severity: C,
            in_docs: true,
            shape: Shape::Token { prefix: $prefix, class: shape_class!($class), min: $min, max: $max },
            checksum: None,
            reach: None,
        }
    };
}

/// A credential without a prefix of its own, recognised by the name it is
/// assigned to: `keyed!(id, description, keyword, class, length)`, `(…,
/// class, min, max)`, or with a fixed start of the value: `(…, keyword,
/// "start" class, length)`. The keyword (lower case, plain) must occur in
/// the name; the value must have the entropy of a generated secret.
macro_rules! keyed {
    ($id:literal, $description:literal, $keyword:literal, $class:ident, $min:literal) => {
        keyed!($id, $description, $keyword, "" $class, $min, $min)
    };
    ($id:literal, $description:literal, $keyword:literal, $class:ident, $min:literal, $max:literal) => {
        keyed!($id, $description, $keyword, "" $class, $min, $max)
    };
    ($id:literal, $description:literal, $keyword:literal, $prefix:literal $class:ident, $min:literal) => {
        keyed!($id, $description, $keyword, $prefix $class, $min, $min)
    };
    ($id:literal, $description:literal, $keyword:literal, $prefix:literal $class:ident, $min:literal, $max:literal) => {
        Rule {
            id: $id,
            description: $description,
            keywords: &[$keyword],
            pattern: concat!(
                r#"(?i)"#,
                $keyword,
                r#"[\w.\-]{0,24}["']?[ \t]{0,3}(?:=|:|=>|:=|\?=)[ \t]{0,3}["'`]?("#,
                $prefix,
                body!($class, $min, $max),
                r#")(?:["'`\s;,)]|\\[nr]|$)"#
            ),
            entropy: Some(3.0),
            severity: H,
            in_docs: false,
            shape: Shape::Keyed { keyword: $keyword, prefix: $prefix, class: shape_class!($class), min: $min, max: $max },
            checksum: None,
            reach: None,
        }
    };
}

mod ai;
mod cloud;
mod commerce;
mod devtools;
mod keys;
mod messaging;
mod saas;

/// The rule families, in the order findings are reported: a title and
/// the family's table.
pub const FAMILIES: &[(&str, &[Rule])] = &[
    ("Cloud and hosting", cloud::RULES),
    ("Source forges, CI, registries and infrastructure", devtools::RULES),
    ("Messaging, e-mail and webhooks", messaging::RULES),
    ("AI platforms", ai::RULES),
    ("Payments and commerce", commerce::RULES),
    ("Observability and SaaS", saas::RULES),
    ("Private keys, connection strings and generic assignments", keys::RULES),
];

/// Every rule, in the order findings are reported.
pub static RULES: LazyLock<Vec<Rule>> =
    LazyLock::new(|| FAMILIES.iter().flat_map(|(_, rules)| rules.iter().copied()).collect());

/// Values that look like credentials but are documentation, templates or
/// references to real secrets kept elsewhere.
pub fn is_placeholder(secret: &str) -> bool {
    let lower = secret.to_ascii_lowercase();
    const MARKERS: &[&str] = &[
        "example",
        "sample",
        "dummy",
        "placeholder",
        "changeme",
        "change_me",
        "change-me",
        "your_",
        "your-",
        "yourtoken",
        "yourkey",
        "yourpassword",
        "<",
        ">",
        "${",
        "{{",
        "}}",
        "%(",
        "$(",
        "xxxx",
        "****",
        "....",
        "redacted",
        "fake",
        "notreal",
        "not_real",
        "not-real",
        "insert",
        "replace",
        "secret_here",
        "token_here",
        "password_here",
        "todo",
        "fixme",
        "foobar",
        "1234567",
        "abcdef",
        "qwerty",
    ];
    if MARKERS.iter().any(|m| lower.contains(m)) {
        return true;
    }
    if lower.starts_with('$')
        || lower.starts_with("env.")
        || lower.starts_with("process.env")
        || lower.starts_with("os.environ")
    {
        return true;
    }
    if is_format_template(secret) {
        return true;
    }
    let mut distinct: Vec<char> = lower.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    distinct.len() < 5
}

/// True for printf- and strftime-style templates (`"%s"`, `"%(name)s"`,
/// `"user:%d"`, `"%Y-%m-%d"`): a conversion (`%`, optional flags, width and
/// precision, a letter) that ends the value or is followed by something
/// other than a letter or digit. A password with a `%` inside
/// (`"Pa%sw0rd9x"`) is not a template.
fn is_format_template(value: &str) -> bool {
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        if bytes.get(j) == Some(&b'(') {
            return bytes[j..].contains(&b')');
        }
        while j < bytes.len() && (b"-+ 0#.".contains(&bytes[j]) || bytes[j].is_ascii_digit()) {
            j += 1;
        }
        if bytes.get(j).is_some_and(u8::is_ascii_alphabetic)
            && bytes.get(j + 1).is_none_or(|next| !next.is_ascii_alphanumeric())
        {
            return true;
        }
        i = j.max(i + 1);
    }
    false
}

/// True for a constant's or an environment variable's name
/// (`DATA_STORAGE_S3_ACCESSKEYID`, `db.password.key`): upper-case words
/// joined by `_`, or lower-case words joined by `_`, `.` or `-` at least
/// twice. Generated secrets are not spelled like identifiers.
pub fn is_identifier(value: &str) -> bool {
    let words = |separators: &[char]| -> Vec<&str> { value.split(separators).collect() };
    let upper = words(&['_']);
    if upper.len() >= 2
        && upper.iter().all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()))
        && upper.iter().any(|w| w.bytes().any(|b| b.is_ascii_uppercase()))
        && value.bytes().filter(u8::is_ascii_digit).count() * 3 < value.len()
    {
        return true;
    }
    let lower = words(&['_', '.', '-']);
    lower.len() >= 3
        && value.bytes().filter(u8::is_ascii_digit).count() * 10 <= value.len()
        && lower.iter().all(|w| {
            w.len() >= 2
                && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                && w.as_bytes()[0].is_ascii_lowercase()
        })
}

/// The reasons [`public_by_design`] gives.
pub const PUBLIC_REASONS: [&str; 3] = [
    "a search-only key, public by design",
    "an Algolia search-only key (DocSearch), public by design",
    "a publishable or site key, public by design",
];

/// Why a generic secret is public by design, from the name it is assigned
/// to and the text around it: search-only and publishable keys, and the
/// site keys of CAPTCHA services, are meant to be shipped to browsers.
pub fn public_by_design(name: &[u8], context: &[u8]) -> Option<&'static str> {
    let name = String::from_utf8_lossy(name).to_ascii_lowercase();
    let context = String::from_utf8_lossy(context).to_ascii_lowercase();
    if ["admin", "write", "secret", "private", "master"].iter().any(|m| name.contains(m)) {
        return None;
    }
    let search_only =
        ["search_only", "searchonly", "search-only", "search_api_key", "searchapikey", "searchkey", "search_key"];
    if search_only.iter().any(|m| name.contains(m)) {
        return Some(PUBLIC_REASONS[0]);
    }
    // DocSearch configurations carry a search-only key; a plain Algolia
    // client (`algoliasearch(appId, apiKey)`) may be given the admin key.
    if context.contains("docsearch") {
        return Some(PUBLIC_REASONS[1]);
    }
    if ["publishable", "public_key", "publickey", "public-key", "site_key", "sitekey"].iter().any(|m| name.contains(m))
    {
        return Some(PUBLIC_REASONS[2]);
    }
    None
}

/// True when a value mixes character classes as generated secrets do: it
/// has a digit, or both upper- and lower-case letters. Words and identifiers
/// (`same-origin`, `rapunzel`) do not.
/// A value holding the word it stands for (`password: "password_hash"`) is
/// not a secret either.
pub fn looks_random(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    let mixed = value.bytes().any(|b| b.is_ascii_digit())
        || (value.bytes().any(|b| b.is_ascii_uppercase()) && value.bytes().any(|b| b.is_ascii_lowercase()));
    mixed && !["password", "passwd", "secret", "token", "apikey", "api_key"].iter().any(|w| lower.contains(w))
}

/// Shannon entropy in bits per character.
pub fn entropy(text: &str) -> f64 {
    let mut counts = [0u32; 256];
    for byte in text.bytes() {
        counts[usize::from(byte)] += 1;
    }
    let len = text.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

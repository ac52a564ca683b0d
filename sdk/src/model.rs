//! What a plugin says about itself ([`PluginMeta`], [`CheckMeta`]) and what a
//! check returns ([`CheckResult`], [`Finding`], [`Location`]).
//!
//! These are plain Rust types with builders; they are converted to the WIT
//! types only at the component boundary.

use std::fmt;

/// What a plugin reads from the repository. Declared in [`PluginMeta::reads`];
/// a policy may deny a capability, and the host then refuses the matching calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Capability {
    /// The file list at the checked commit.
    Tree,
    /// File and blob contents.
    Contents,
    /// Commits, tags and the blobs of the whole history.
    History,
}

impl Capability {
    /// The capability's name as used in policies: `tree`, `contents`, `history`.
    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Tree => "tree",
            Capability::Contents => "contents",
            Capability::History => "history",
        }
    }
}

/// The outcome of a check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// The repository meets the check.
    Pass,
    /// Acceptable, with a reservation a maintainer should read.
    Warn,
    /// The repository does not meet the check.
    Fail,
    /// The check does not apply (e.g. no package manifests to compare).
    Skip,
    /// The check could not be evaluated.
    Error,
}

impl Status {
    /// The status's name: `pass`, `warn`, `fail`, `skip`, `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Skip => "skip",
            Status::Error => "error",
        }
    }

    /// The score a result with this status gets unless the check sets one.
    pub fn default_score(self) -> u8 {
        match self {
            Status::Pass => 100,
            Status::Warn => 50,
            Status::Fail | Status::Skip | Status::Error => 0,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much a single finding matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Context for the reader, nothing to fix.
    Info,
    /// Worth fixing.
    Low,
    /// Should be fixed before publishing.
    Medium,
    /// Must be fixed before publishing.
    High,
    /// Must be fixed now (e.g. a live credential).
    Critical,
}

impl Severity {
    /// The severity's name: `info`, `low`, `medium`, `high`, `critical`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// Describes one check a plugin provides.
///
/// ```
/// use fledge_sdk::CheckMeta;
/// let meta = CheckMeta::new("acme.headers", "Source files carry the ACME header")
///     .category("license")
///     .weight(2)
///     .rationale("Published code must say who owns it.")
///     .remediation("Add the two-line ACME header to every source file.");
/// assert_eq!(meta.id, "acme.headers");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckMeta {
    /// Globally unique and stable: `plugin.kebab-case`.
    pub id: String,
    /// A short title.
    pub title: String,
    /// The category the check's score counts towards.
    pub category: String,
    /// Weight within the category (a policy may override it).
    pub weight: u32,
    /// One line: why this matters before publishing.
    pub rationale: String,
    /// One line: how to fix a failure.
    pub remediation: String,
    /// Markdown: what the check reads and when it passes, warns or fails,
    /// for the generated check reference.
    pub looks_at: String,
}

impl CheckMeta {
    /// A check with weight 1 and no category yet (a [`CheckTable`](crate::CheckTable)
    /// gives it the table's category, or `quality`); use the builder
    /// methods to set the rest.
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> Self {
        CheckMeta {
            id: id.into(),
            title: title.into(),
            category: String::new(),
            weight: 1,
            rationale: String::new(),
            remediation: String::new(),
            looks_at: String::new(),
        }
    }

    /// Sets the category.
    pub fn category(mut self, category: impl Into<String>) -> Self {
        self.category = category.into();
        self
    }

    /// Sets the default weight.
    pub fn weight(mut self, weight: u32) -> Self {
        self.weight = weight;
        self
    }

    /// Sets the one-line rationale.
    pub fn rationale(mut self, rationale: impl Into<String>) -> Self {
        self.rationale = rationale.into();
        self
    }

    /// Sets the one-line remediation hint.
    pub fn remediation(mut self, remediation: impl Into<String>) -> Self {
        self.remediation = remediation.into();
        self
    }

    /// Sets what the check looks at (Markdown; may span lines).
    pub fn looks_at(mut self, looks_at: impl Into<String>) -> Self {
        self.looks_at = looks_at.into();
        self
    }
}

/// Describes a plugin: its name, version, what it reads and its checks
/// (which a [`CheckTable`](crate::CheckTable) fills in).
///
/// ```
/// use fledge_sdk::{Capability, PluginMeta};
/// let meta = PluginMeta::new("acme", "1.0.0")
///     .description("ACME's own publishing rules")
///     .reads(&[Capability::Tree, Capability::Contents]);
/// assert!(meta.checks.is_empty());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct PluginMeta {
    /// The plugin's name; check ids start with it.
    pub name: String,
    /// The plugin's own version.
    pub version: String,
    /// One line about the plugin.
    pub description: String,
    /// Markdown paragraphs: how the plugin works and its configuration.
    pub about: String,
    /// What the plugin reads.
    pub reads: Vec<Capability>,
    /// The checks the plugin provides.
    pub checks: Vec<CheckMeta>,
    /// The JSON Schema of the plugin's configuration table, if declared
    /// (see [`PluginMeta::config`]).
    pub config_schema: Option<serde_json::Value>,
}

impl PluginMeta {
    /// A plugin with no checks that reads the tree and file contents.
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        PluginMeta {
            name: name.into(),
            version: version.into(),
            description: String::new(),
            about: String::new(),
            reads: vec![Capability::Tree, Capability::Contents],
            checks: Vec::new(),
            config_schema: None,
        }
    }

    /// Declares the plugin's configuration type, so that `fledge policy
    /// check` refuses a misspelt key, a wrong type or a missing required
    /// key in the policy before any check runs. Derive
    /// [`JsonSchema`](schemars::JsonSchema) next to `Deserialize`, and give
    /// the type `#[serde(deny_unknown_fields)]` so that the schema refuses
    /// unknown keys too.
    ///
    /// ```
    /// use fledge_sdk::PluginMeta;
    /// #[derive(serde::Deserialize, schemars::JsonSchema)]
    /// #[serde(default, deny_unknown_fields)]
    /// #[derive(Default)]
    /// struct Config { internal_domains: Vec<String> }
    /// let meta = PluginMeta::new("acme", "1.0.0").config::<Config>();
    /// let schema = meta.config_schema.unwrap();
    /// assert_eq!(schema["additionalProperties"], false);
    /// assert_eq!(schema["properties"]["internal_domains"]["type"], "array");
    /// ```
    pub fn config<T: schemars::JsonSchema>(self) -> Self {
        let schema = schemars::SchemaGenerator::default().into_root_schema_for::<T>();
        self.config_schema(schema.to_value())
    }

    /// Declares that the plugin takes no configuration: `fledge policy
    /// check` refuses any key in its table.
    pub fn no_config(self) -> Self {
        self.config_schema(serde_json::json!({"type": "object", "properties": {}, "additionalProperties": false}))
    }

    /// Declares the JSON Schema of the plugin's configuration, written by
    /// hand (the subset `fledge` documents: `type`, `properties`,
    /// `required`, `additionalProperties`, `items`, `enum`, `minimum`,
    /// `maximum`, `$defs` and `$ref`, `anyOf`).
    pub fn config_schema(mut self, schema: serde_json::Value) -> Self {
        self.config_schema = Some(schema);
        self
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// Sets the Markdown paragraphs about how the plugin works.
    pub fn about(mut self, about: impl Into<String>) -> Self {
        self.about = about.into();
        self
    }

    /// Sets what the plugin reads.
    pub fn reads(mut self, reads: &[Capability]) -> Self {
        self.reads = reads.to_vec();
        self
    }
}

/// Where a finding is.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    /// Path relative to the repository root.
    pub path: String,
    /// 1-based line number.
    pub line: Option<u32>,
    /// The commit that introduced the problem.
    pub commit: Option<String>,
    /// Exactly which bytes of which blob the finding is about (a
    /// credential's value, a whole key file), for tools that rewrite the
    /// repository (`fledge publish`). Never the bytes themselves.
    pub span: Option<Span>,
}

/// Bytes `start..end` of blob `blob`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// The blob's id.
    pub blob: String,
    /// The first byte.
    pub start: u64,
    /// The byte after the last.
    pub end: u64,
}

impl Location {
    /// A location naming a path only.
    pub fn path(path: impl Into<String>) -> Self {
        Location { path: path.into(), line: None, commit: None, span: None }
    }

    /// Sets the bytes the finding is about: `start..end` of blob `blob`.
    pub fn span(mut self, blob: impl Into<String>, start: u64, end: u64) -> Self {
        self.span = Some(Span { blob: blob.into(), start, end });
        self
    }

    /// Sets the line.
    pub fn line(mut self, line: u32) -> Self {
        self.line = Some(line);
        self
    }

    /// Sets the commit.
    pub fn commit(mut self, commit: impl Into<String>) -> Self {
        self.commit = Some(commit.into());
        self
    }
}

/// One thing a check found, with where it is.
///
/// ```
/// use fledge_sdk::{Finding, Severity};
/// let finding = Finding::new(Severity::Medium, "no license header")
///     .at("src/main.rs")
///     .line(1);
/// assert_eq!(finding.locations[0].line, Some(1));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// What was found.
    pub message: String,
    /// How much it matters.
    pub severity: Severity,
    /// Where it is; may be empty for findings about the repository as a whole.
    pub locations: Vec<Location>,
    /// A stable id for deduplication and allowlists (never a secret itself).
    pub fingerprint: Option<String>,
}

impl Finding {
    /// A finding with no location.
    pub fn new(severity: Severity, message: impl Into<String>) -> Self {
        Finding { message: message.into(), severity, locations: Vec::new(), fingerprint: None }
    }

    /// An informational finding.
    pub fn info(message: impl Into<String>) -> Self {
        Finding::new(Severity::Info, message)
    }

    /// Adds a location at `path`.
    pub fn at(mut self, path: impl Into<String>) -> Self {
        self.locations.push(Location::path(path));
        self
    }

    /// Adds a location.
    pub fn location(mut self, location: Location) -> Self {
        self.locations.push(location);
        self
    }

    /// Sets the line of the last location added.
    pub fn line(mut self, line: u32) -> Self {
        if let Some(last) = self.locations.last_mut() {
            last.line = Some(line);
        }
        self
    }

    /// Sets the commit of the last location added.
    pub fn commit(mut self, commit: impl Into<String>) -> Self {
        if let Some(last) = self.locations.last_mut() {
            last.commit = Some(commit.into());
        }
        self
    }

    /// Sets the fingerprint.
    pub fn fingerprint(mut self, fingerprint: impl Into<String>) -> Self {
        self.fingerprint = Some(fingerprint.into());
        self
    }
}

/// A figure a check measured, kept for trends.
#[derive(Clone, Debug, PartialEq)]
pub struct Metric {
    /// kebab-case name, e.g. `bus-factor`.
    pub name: String,
    /// The value.
    pub value: f64,
}

/// The result of one check: a status, a score, a one-line message with the
/// figures behind it, and the findings.
///
/// ```
/// use fledge_sdk::{CheckResult, Finding, Severity, Status};
/// let result = CheckResult::fail("2 of 10 source files lack a header")
///     .finding(Finding::new(Severity::Low, "no header").at("src/a.rs"))
///     .metric("coverage", 0.8);
/// assert_eq!(result.status, Status::Fail);
/// assert_eq!(result.score, 0);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct CheckResult {
    /// Filled in by the SDK with the id of the check that returned it.
    pub check_id: String,
    /// The outcome.
    pub status: Status,
    /// 0 to 100.
    pub score: u8,
    /// One line saying what was found.
    pub message: String,
    /// A remediation more specific than the check's own hint.
    pub remediation: Option<String>,
    /// The findings, with locations.
    pub findings: Vec<Finding>,
    /// Measured figures.
    pub metrics: Vec<Metric>,
    /// What the check needed and did not read (the host adds what it saw
    /// itself). A passing check with gaps does not pass a gate unless the
    /// policy accepts their kind.
    pub unread: Vec<Gap>,
}

/// Why some content was not read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GapKind {
    /// The object is not in the repository's database.
    Missing,
    /// The object cannot be decoded.
    Corrupt,
    /// Above a size bound.
    TooLarge,
    /// Binary content the check does not read.
    Binary,
    /// The history ends early (shallow clone).
    Shallow,
    /// The policy denied the read.
    Denied,
    /// The read budget or time limit was spent.
    Budget,
    /// An archive or package whose members were not unpacked and read.
    Archive,
}

/// Content a check needed and did not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gap {
    /// Why.
    pub kind: GapKind,
    /// The path ("" for the history as a whole).
    pub path: String,
    /// Bytes not read, if known.
    pub bytes: u64,
    /// A few words on why.
    pub reason: String,
}

impl Gap {
    /// A gap of `kind` at `path`.
    pub fn new(kind: GapKind, path: impl Into<String>, reason: impl Into<String>) -> Self {
        Gap { kind, path: path.into(), bytes: 0, reason: reason.into() }
    }

    /// The gap of a shallow clone whose history ends inside what a check
    /// looks at.
    pub fn shallow_history() -> Self {
        Gap::new(GapKind::Shallow, "", "history truncated (shallow clone): fetch the full history")
    }

    /// Sets the number of bytes not read.
    pub fn bytes(mut self, bytes: u64) -> Self {
        self.bytes = bytes;
        self
    }
}

impl CheckResult {
    /// A result with `status` and the status's default score.
    pub fn new(status: Status, message: impl Into<String>) -> Self {
        CheckResult {
            check_id: String::new(),
            status,
            score: status.default_score(),
            message: message.into(),
            remediation: None,
            findings: Vec::new(),
            metrics: Vec::new(),
            unread: Vec::new(),
        }
    }

    /// A passing result (score 100).
    pub fn pass(message: impl Into<String>) -> Self {
        CheckResult::new(Status::Pass, message)
    }

    /// A warning (score 50).
    pub fn warn(message: impl Into<String>) -> Self {
        CheckResult::new(Status::Warn, message)
    }

    /// A failure (score 0).
    pub fn fail(message: impl Into<String>) -> Self {
        CheckResult::new(Status::Fail, message)
    }

    /// The check does not apply; it does not count towards the score.
    pub fn skip(message: impl Into<String>) -> Self {
        CheckResult::new(Status::Skip, message)
    }

    /// The check could not be evaluated.
    pub fn error(message: impl Into<String>) -> Self {
        CheckResult::new(Status::Error, message)
    }

    /// Sets the score, capped at 100.
    pub fn score(mut self, score: u8) -> Self {
        self.score = score.min(100);
        self
    }

    /// Sets a specific remediation.
    pub fn remediation(mut self, remediation: impl Into<String>) -> Self {
        self.remediation = Some(remediation.into());
        self
    }

    /// Adds a finding.
    pub fn finding(mut self, finding: Finding) -> Self {
        self.findings.push(finding);
        self
    }

    /// Adds findings.
    pub fn findings(mut self, findings: impl IntoIterator<Item = Finding>) -> Self {
        self.findings.extend(findings);
        self
    }

    /// Records a measured figure.
    pub fn metric(mut self, name: impl Into<String>, value: f64) -> Self {
        self.metrics.push(Metric { name: name.into(), value });
        self
    }

    /// Records content the check did not read.
    pub fn unread(mut self, gaps: impl IntoIterator<Item = Gap>) -> Self {
        self.unread.extend(gaps);
        self
    }
}

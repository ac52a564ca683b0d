//! The component side: converts between the WIT types and the SDK's types,
//! and reads the repository through the host's `repo` imports.

use crate::bindings::fledge::plugin::{repo as wit_repo, types as wit};
use crate::repo::{Blob, Commit, EntryKind, Head, HistoryBlob, RepoError, Signature, Source, Tag, TreeEntry};
use crate::{Capability, CheckRequest, CheckResult, GapKind, Organization, Plugin, PluginMeta, Repo, Severity, Status};

/// Writes a line to fledge's log.
#[cfg(target_arch = "wasm32")]
pub(crate) fn log(level: crate::log::Level, message: &str) {
    use crate::bindings::fledge::plugin::host;
    let level = match level {
        crate::log::Level::Debug => wit::LogLevel::Debug,
        crate::log::Level::Info => wit::LogLevel::Info,
        crate::log::Level::Warn => wit::LogLevel::Warn,
        crate::log::Level::Error => wit::LogLevel::Error,
    };
    host::log(level, message);
}

/// The `describe` export.
pub fn describe<P: Plugin>() -> wit::PluginMeta {
    plugin_meta_to_wit(P::checks().into_meta())
}

/// The `run` export.
pub fn run<P: Plugin>(request: wit::RunRequest) -> Result<Vec<wit::CheckResult>, String> {
    let config: serde_json::Value = if request.config.trim().is_empty() {
        serde_json::Value::Object(Default::default())
    } else {
        serde_json::from_str(&request.config).map_err(|e| format!("invalid plugin configuration: {e}"))?
    };
    let organization: Organization = if request.organization.trim().is_empty() {
        Organization::default()
    } else {
        serde_json::from_str(&request.organization).map_err(|e| format!("invalid organization settings: {e}"))?
    };
    let requests: Vec<CheckRequest> =
        request.checks.into_iter().map(|c| CheckRequest { id: c.id, ignore: c.ignore }).collect();
    let repo = Repo::new(Box::new(HostSource));
    Ok(crate::run_checks::<P>(&repo, &requests, &config, &organization).into_iter().map(check_result_to_wit).collect())
}

struct HostSource;

impl Source for HostSource {
    fn head(&self) -> Head {
        let h = wit_repo::head();
        Head { commit: h.commit, revision: h.revision, time: h.time, summary: h.summary, shallow: h.shallow }
    }

    fn files(&self) -> Result<Vec<TreeEntry>, RepoError> {
        Ok(wit_repo::files().map_err(repo_error)?.into_iter().map(tree_entry).collect())
    }

    fn list_dir(&self, dir: &str, recursive: bool) -> Result<Vec<TreeEntry>, RepoError> {
        Ok(wit_repo::list_dir(dir, recursive).map_err(repo_error)?.into_iter().map(tree_entry).collect())
    }

    fn entry(&self, path: &str) -> Result<Option<TreeEntry>, RepoError> {
        Ok(wit_repo::entry(path).map_err(repo_error)?.map(tree_entry))
    }

    fn entry_at(&self, commit: &str, path: &str) -> Result<Option<TreeEntry>, RepoError> {
        Ok(wit_repo::entry_at(commit, path).map_err(repo_error)?.map(tree_entry))
    }

    fn read_file(&self, path: &str, max_bytes: u64) -> Result<Blob, RepoError> {
        wit_repo::read_file(path, max_bytes).map(blob).map_err(repo_error)
    }

    fn read_blob(&self, id: &str, max_bytes: u64) -> Result<Blob, RepoError> {
        wit_repo::read_blob(id, max_bytes).map(blob).map_err(repo_error)
    }

    fn read_blob_range(&self, id: &str, offset: u64, max_bytes: u64) -> Result<Blob, RepoError> {
        wit_repo::read_blob_range(id, offset, max_bytes).map(blob).map_err(repo_error)
    }

    fn begin_check(&self, id: &str) {
        crate::bindings::fledge::plugin::host::begin_check(id);
    }

    fn cache_get(&self, key: &str) -> Option<Vec<u8>> {
        crate::bindings::fledge::plugin::host::cache_get(key)
    }

    fn cache_put(&self, key: &str, value: &[u8]) {
        crate::bindings::fledge::plugin::host::cache_put(key, value);
    }

    fn commits(&self, start: u32, limit: u32) -> Result<Vec<Commit>, RepoError> {
        Ok(wit_repo::commits(start, limit).map_err(repo_error)?.into_iter().map(commit).collect())
    }

    fn tags(&self) -> Result<Vec<Tag>, RepoError> {
        Ok(wit_repo::tags()
            .map_err(repo_error)?
            .into_iter()
            .map(|t| Tag { name: t.name, target: t.target, time: t.time, annotated: t.annotated })
            .collect())
    }

    fn history_blobs(&self, start: u32, limit: u32) -> Result<Vec<HistoryBlob>, RepoError> {
        Ok(wit_repo::history_blobs(start, limit)
            .map_err(repo_error)?
            .into_iter()
            .map(|b| HistoryBlob { id: b.id, size: b.size, path: b.path, commit: b.commit, reference: b.reference })
            .collect())
    }
}

fn repo_error(err: wit::RepoError) -> RepoError {
    match err {
        wit::RepoError::NotFound(s) => RepoError::NotFound(s),
        wit::RepoError::Missing(s) => RepoError::Missing(s),
        wit::RepoError::Denied(s) => RepoError::Denied(s),
        wit::RepoError::LimitExceeded(s) => RepoError::LimitExceeded(s),
        wit::RepoError::Invalid(s) => RepoError::Invalid(s),
    }
}

fn tree_entry(e: wit::TreeEntry) -> TreeEntry {
    let kind = match e.kind {
        wit::EntryKind::File => EntryKind::File,
        wit::EntryKind::Executable => EntryKind::Executable,
        wit::EntryKind::Symlink => EntryKind::Symlink,
        wit::EntryKind::Submodule => EntryKind::Submodule,
    };
    TreeEntry { path: e.path, kind, size: e.size, id: e.id }
}

fn blob(b: wit::Blob) -> Blob {
    Blob { id: b.id, size: b.size, data: b.data, truncated: b.truncated }
}

fn signature(s: wit::Signature) -> Signature {
    Signature { name: s.name, email: s.email, time: s.time, offset_minutes: s.offset_minutes }
}

fn commit(c: wit::CommitInfo) -> Commit {
    Commit {
        id: c.id,
        parents: c.parents,
        author: signature(c.author),
        committer: signature(c.committer),
        summary: c.summary,
        trailers: c.trailers.into_iter().map(|t| (t.key, t.value)).collect(),
    }
}

fn plugin_meta_to_wit(meta: PluginMeta) -> wit::PluginMeta {
    wit::PluginMeta {
        config_schema: meta.config_schema.map(|schema| schema.to_string()).unwrap_or_default(),
        name: meta.name,
        version: meta.version,
        description: meta.description,
        about: meta.about,
        reads: meta
            .reads
            .into_iter()
            .map(|c| match c {
                Capability::Tree => wit::Capability::Tree,
                Capability::Contents => wit::Capability::Contents,
                Capability::History => wit::Capability::History,
            })
            .collect(),
        checks: meta
            .checks
            .into_iter()
            .map(|c| wit::CheckMeta {
                id: c.id,
                title: c.title,
                category: c.category,
                weight: c.weight,
                rationale: c.rationale,
                remediation: c.remediation,
                looks_at: c.looks_at,
            })
            .collect(),
    }
}

fn check_result_to_wit(r: CheckResult) -> wit::CheckResult {
    wit::CheckResult {
        check_id: r.check_id,
        status: match r.status {
            Status::Pass => wit::Status::Pass,
            Status::Warn => wit::Status::Warn,
            Status::Fail => wit::Status::Fail,
            Status::Skip => wit::Status::Skip,
            Status::Error => wit::Status::Error,
        },
        score: r.score,
        message: r.message,
        remediation: r.remediation,
        findings: r
            .findings
            .into_iter()
            .map(|f| wit::Finding {
                message: f.message,
                severity: match f.severity {
                    Severity::Info => wit::Severity::Info,
                    Severity::Low => wit::Severity::Low,
                    Severity::Medium => wit::Severity::Medium,
                    Severity::High => wit::Severity::High,
                    Severity::Critical => wit::Severity::Critical,
                },
                locations: f
                    .locations
                    .into_iter()
                    .map(|l| wit::Location {
                        path: l.path,
                        line: l.line,
                        commit: l.commit,
                        span: l.span.map(|s| wit::Span { blob: s.blob, start: s.start, end: s.end }),
                    })
                    .collect(),
                fingerprint: f.fingerprint,
            })
            .collect(),
        metrics: r.metrics.into_iter().map(|m| wit::Metric { name: m.name, value: m.value }).collect(),
        unread: r
            .unread
            .into_iter()
            .map(|g| wit::Gap {
                kind: match g.kind {
                    GapKind::Missing => wit::GapKind::Missing,
                    GapKind::Corrupt => wit::GapKind::Corrupt,
                    GapKind::TooLarge => wit::GapKind::TooLarge,
                    GapKind::Binary => wit::GapKind::Binary,
                    GapKind::Shallow => wit::GapKind::Shallow,
                    GapKind::Denied => wit::GapKind::Denied,
                    GapKind::Budget => wit::GapKind::Budget,
                    GapKind::Archive => wit::GapKind::Archive,
                },
                path: g.path,
                bytes: g.bytes,
                reason: g.reason,
            })
            .collect(),
    }
}

/// Turns a [`Plugin`] into the component's exports. Use it once, at the
/// crate root of a `cdylib` crate.
#[macro_export]
macro_rules! export_plugin {
    ($plugin:ty) => {
        #[allow(unsafe_code)]
        const _: () = {
            struct FledgeExport;
            impl $crate::bindings::Guest for FledgeExport {
                fn describe() -> $crate::bindings::fledge::plugin::types::PluginMeta {
                    $crate::__private::describe::<$plugin>()
                }
                fn run(
                    request: $crate::bindings::fledge::plugin::types::RunRequest,
                ) -> ::core::result::Result<
                    ::std::vec::Vec<$crate::bindings::fledge::plugin::types::CheckResult>,
                    ::std::string::String,
                > {
                    $crate::__private::run::<$plugin>(request)
                }
            }
    $crate::bindings::export!(FledgeExport with_types_in $crate::bindings);
        };
    };
}

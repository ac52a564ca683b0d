//! The WebAssembly runtime (wasmtime 48): compiles plugins once (cached on
//! disk), checks their contract version, and runs each on a repository in a
//! fresh, limited store.
//!
//! Architecture invariants: no `wasmtime` type leaves this module; a plugin
//! that traps, panics, runs out of time or memory, or returns malformed
//! results produces `error` outcomes for its own checks and never an `Err`
//! for the run.

mod bindings;
mod cache;
pub use cache::prune as prune_compiled;
mod sandbox;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use sha2::{Digest, Sha256};
use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::{Config, Engine, Store, UpdateDeadline};

use crate::git::Snapshot;
use crate::model::{
    Capability, CheckMeta, Finding, Gap, GapKind, Location, Metric, Outcome, PluginMeta, Severity, Span, Status,
};
use crate::store::results::ResultStore;
use bindings::fledge::plugin::types as wit;
use bindings::{Plugin, PluginPre};
use sandbox::RunState;

pub(crate) use sandbox::truncate;

pub use crate::model::CONTRACT_VERSION;
const CONTRACT_PACKAGE: &str = "fledge:plugin";

/// How often the epoch ticks; the CPU deadline's resolution.
const TICK: Duration = Duration::from_millis(10);

/// Limits of one plugin run. All have defaults and can be set on the
/// command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Linear memory of the plugin.
    pub max_memory_bytes: u64,
    /// Time the plugin run may take, time in host calls included.
    pub timeout: Duration,
    /// Bytes the plugin may read through the repository interface.
    pub max_read_bytes: u64,
    /// Findings kept per run; the rest are dropped with a note.
    pub max_findings: usize,
    /// Bytes of stdout and of stderr kept.
    pub max_output_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_memory_bytes: 512 << 20,
            timeout: Duration::from_secs(60),
            max_read_bytes: 4 << 30,
            max_findings: 1000,
            max_output_bytes: 64 << 10,
        }
    }
}

/// A compiled plugin, ready to instantiate, with what it said about itself.
pub struct LoadedPlugin {
    pub meta: PluginMeta,
    /// sha256 of the component bytes, hex.
    pub digest: String,
    /// Where it came from (`builtin:docs`, a path).
    pub origin: String,
    pre: PluginPre<RunState>,
}

impl std::fmt::Debug for LoadedPlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedPlugin").field("name", &self.meta.name).field("origin", &self.origin).finish()
    }
}

/// What to run: the checks (with their extra ignore globs), the plugin's
/// configuration, and the capabilities the policy denies.
#[derive(Clone, Debug, Default)]
pub struct RunRequest {
    pub checks: Vec<(String, Vec<String>)>,
    pub config: serde_json::Value,
    /// The policy's `[organization]` table (`{}` when it has none).
    pub organization: serde_json::Value,
    pub denied: Vec<(Capability, String)>,
}

/// What a run produced: one outcome per requested check, in request order.
#[derive(Debug)]
pub struct RunOutput {
    pub outcomes: Vec<(String, Outcome)>,
    /// Why the whole run failed, when it did (every outcome is then `error`).
    pub failure: Option<String>,
    pub duration: Duration,
    pub bytes_read: u64,
    /// The plugin's log lines and captured output.
    pub log: Vec<String>,
    /// What the plugin found in, and kept in, the results cache.
    pub cache: CacheUse,
}

/// A plugin run's use of the results cache.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheUse {
    /// Results found from earlier runs.
    pub reused: u64,
    /// Results this run stored.
    pub stored: u64,
}

/// The engine, the linker with the host's imports, and the compile cache.
pub struct Runtime {
    engine: Engine,
    linker: Linker<RunState>,
    cache: Option<cache::CompileCache>,
    compiled: Mutex<HashMap<String, Component>>,
    results: Option<Arc<ResultStore>>,
}

impl Runtime {
    /// A runtime; compiled plugins are cached under `cache_dir` when given.
    pub fn new(cache_dir: Option<PathBuf>) -> Result<Runtime> {
        let mut config = Config::new();
        config.wasm_component_model(true);
        config.epoch_interruption(true);
        let engine = Engine::new(&config)?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
        Plugin::add_to_linker::<RunState, HasSelf<RunState>>(&mut linker, |state| state)?;
        // One ticker per engine drives every store's deadline; it stops when
        // the engine is dropped.
        let weak = engine.weak();
        std::thread::Builder::new()
            .name("fledge-epoch".to_owned())
            .spawn(move || {
                while let Some(engine) = weak.upgrade() {
                    engine.increment_epoch();
                    drop(engine);
                    std::thread::sleep(TICK);
                }
            })
            .context("failed to start the deadline timer thread")?;
        Ok(Runtime {
            engine,
            linker,
            cache: cache_dir.map(cache::CompileCache::new),
            compiled: Mutex::new(HashMap::new()),
            results: None,
        })
    }

    /// Lets plugins keep results between runs in the SQLite file at `path`
    /// (`cache-get` / `cache-put`). A file that cannot be opened leaves the
    /// cache off, with a warning: plugins then compute everything.
    pub fn with_results(mut self, path: &Path) -> Runtime {
        match ResultStore::open(path) {
            Ok(store) => self.results = Some(Arc::new(store)),
            Err(err) => log::warn!("results cache off: {err:#}"),
        }
        self
    }

    /// Compiles (or loads from the cache) a plugin, checks that it was built
    /// for a compatible contract, and asks it to describe itself.
    pub fn load(&self, bytes: &[u8], origin: &str) -> Result<LoadedPlugin> {
        match bytes.get(..8) {
            Some([0, b'a', b's', b'm', 1, 0, 0, 0]) => bail!(
                "plugin {origin} is a core WebAssembly module, not a component: build it for the wasm32-wasip2 target (not wasm32-wasip1 or wasm32-unknown-unknown)"
            ),
            Some([0, b'a', b's', b'm', ..]) => {}
            _ => bail!("plugin {origin} is not a WebAssembly component (no `\\0asm` header)"),
        }
        let digest = hex::encode(Sha256::digest(bytes));
        let component = self.component(bytes, &digest).with_context(|| format!("failed to compile plugin {origin}"))?;
        check_contract_version(&self.engine, &component, origin)?;
        let instance_pre = self.linker.instantiate_pre(&component).map_err(|err| {
            anyhow!("plugin {origin} does not fit the {CONTRACT_PACKAGE}@{CONTRACT_VERSION} contract: {err}")
        })?;
        let pre = PluginPre::new(instance_pre).map_err(|err| {
            anyhow!("plugin {origin} does not export the {CONTRACT_PACKAGE}@{CONTRACT_VERSION} world: {err}")
        })?;
        let limits = Limits { timeout: Duration::from_secs(10), ..Limits::default() };
        let mut store = self.store(RunState::new(None, Vec::new(), Vec::new(), limits.clone(), 0, Vec::new()), &limits);
        let meta = pre.instantiate(&mut store).and_then(|plugin| plugin.call_describe(&mut store)).map_err(|err| {
            anyhow!("plugin {origin} failed to describe itself: {}", failure_reason(&store, &limits, &err))
        })?;
        let meta = plugin_meta(meta).with_context(|| format!("plugin {origin} describes itself wrongly"))?;
        validate_meta(&meta).with_context(|| format!("plugin {origin} describes itself wrongly"))?;
        Ok(LoadedPlugin { meta, digest, origin: origin.to_owned(), pre })
    }

    fn component(&self, bytes: &[u8], digest: &str) -> Result<Component> {
        if let Some(component) = self.compiled.lock().ok().and_then(|map| map.get(digest).cloned()) {
            return Ok(component);
        }
        let component = match &self.cache {
            Some(cache) => cache.load_or_compile(&self.engine, bytes, digest)?,
            None => Component::new(&self.engine, bytes)?,
        };
        if let Ok(mut map) = self.compiled.lock() {
            map.insert(digest.to_owned(), component.clone());
        }
        Ok(component)
    }

    fn store(&self, state: RunState, limits: &Limits) -> Store<RunState> {
        let mut store = Store::new(&self.engine, state);
        store.limiter(|state| state);
        let timeout = limits.timeout;
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |mut context| {
            let state = context.data_mut();
            let elapsed = state.started.elapsed();
            if elapsed >= timeout {
                state.timed_out = true;
                return Ok(UpdateDeadline::Interrupt);
            }
            let remaining = (timeout - elapsed).as_millis() / TICK.as_millis();
            Ok(UpdateDeadline::Continue(u64::try_from(remaining).unwrap_or(u64::MAX).max(1)))
        });
        store
    }

    /// Runs `request` of `plugin` on `snapshot` in a fresh store.
    pub fn run(
        &self,
        plugin: &LoadedPlugin,
        snapshot: &Arc<Snapshot>,
        request: &RunRequest,
        limits: &Limits,
    ) -> RunOutput {
        let started = Instant::now();
        let reader = match snapshot.reader() {
            Ok(reader) => reader,
            Err(err) => return RunOutput::failed(request, format!("failed to open the repository: {err}"), started),
        };
        let allowed: Vec<Capability> = plugin
            .meta
            .reads
            .iter()
            .copied()
            .filter(|c| !request.denied.iter().any(|(denied, _)| denied == c))
            .collect();
        let checks: Vec<String> = request.checks.iter().map(|(id, _)| id.clone()).collect();
        let config = if request.config.is_null() { "{}".to_owned() } else { request.config.to_string() };
        let organization =
            if request.organization.is_null() { "{}".to_owned() } else { request.organization.to_string() };
        let mut state =
            RunState::new(Some(reader), allowed, request.denied.clone(), limits.clone(), snapshot.time, checks);
        if let Some(results) = &self.results {
            // The organisation's domains and patterns decide results as much
            // as the plugin's own configuration does.
            let settings = format!("{config}\n{organization}");
            state = state.with_results(results.clone(), ResultStore::namespace(&plugin.digest, &settings));
        }
        let mut store = self.store(state, limits);
        let wit_request = wit::RunRequest {
            checks: request
                .checks
                .iter()
                .map(|(id, ignore)| wit::CheckRequest { id: id.clone(), ignore: ignore.clone() })
                .collect(),
            // The contract promises an object; no configuration is `{}`.
            config,
            organization,
        };
        let result =
            plugin.pre.instantiate(&mut store).and_then(|instance| instance.call_run(&mut store, &wit_request));
        let mut output = match result {
            Ok(Ok(results)) => match collect_outcomes(&plugin.meta, request, results, limits) {
                Ok(outcomes) => RunOutput {
                    outcomes,
                    failure: None,
                    duration: started.elapsed(),
                    bytes_read: 0,
                    log: Vec::new(),
                    cache: CacheUse::default(),
                },
                Err(reason) => RunOutput::failed(request, format!("malformed result: {reason}"), started),
            },
            Ok(Err(message)) => {
                let mut message = message;
                truncate(&mut message, 2000);
                RunOutput::failed(request, format!("plugin error: {message}"), started)
            }
            Err(err) => RunOutput::failed(request, failure_reason(&store, limits, &err), started),
        };
        let state = store.data();
        // What the host saw go unread, charged to the check the plugin was
        // working on (or to all of them when it did not say).
        for (id, outcome) in &mut output.outcomes {
            let declared = std::mem::take(&mut outcome.unread);
            outcome.unread = state
                .gaps
                .iter()
                .filter(|(check, _)| check.as_ref().is_none_or(|c| c == id))
                .map(|(_, g)| g.clone())
                .chain(declared)
                .collect();
            dedup_gaps(&mut outcome.unread);
        }
        output.bytes_read = state.bytes_read;
        // Results of a run that failed are not kept: only what a run that
        // completed computed is known to be whole.
        if output.failure.is_none() {
            output.cache.stored = state.store_results();
        }
        output.cache.reused = state.reused;
        output.log = state.log.clone();
        if state.log_dropped() > 0 {
            output.log.push(format!("[{} more log lines dropped]", state.log_dropped()));
        }
        for (name, pipe) in [("stdout", &state.stdout), ("stderr", &state.stderr)] {
            let text = pipe.contents();
            if !text.is_empty() {
                output.log.push(format!("{name}: {text}"));
            }
        }
        output
    }
}

impl RunOutput {
    fn failed(request: &RunRequest, reason: String, started: Instant) -> RunOutput {
        RunOutput {
            outcomes: request.checks.iter().map(|(id, _)| (id.clone(), Outcome::error(reason.clone()))).collect(),
            failure: Some(reason),
            duration: started.elapsed(),
            bytes_read: 0,
            log: Vec::new(),
            cache: CacheUse::default(),
        }
    }
}

/// Explains why a call into the guest failed, in the user's terms.
fn failure_reason(store: &Store<RunState>, limits: &Limits, err: &wasmtime::Error) -> String {
    let state = store.data();
    if state.timed_out {
        return format!("plugin exceeded the time limit of {:?}", limits.timeout);
    }
    if let Some(desired) = state.memory_denied {
        return format!(
            "plugin exceeded the memory limit of {} MiB (it asked for {} MiB)",
            limits.max_memory_bytes >> 20,
            desired >> 20
        );
    }
    let stderr = state.stderr.contents();
    let panic = stderr.lines().find(|l| l.contains("panicked at")).map(|first| {
        let rest: Vec<&str> = stderr.lines().skip_while(|l| *l != first).take(3).collect();
        rest.join(" ")
    });
    let trap = err.downcast_ref::<wasmtime::Trap>().map(|t| t.to_string()).unwrap_or_else(|| format!("{err:#}"));
    let mut reason = match panic {
        Some(panic) => format!("plugin panicked: {panic}"),
        None => format!("plugin trapped: {trap}"),
    };
    truncate(&mut reason, 2000);
    reason
}

/// Refuses a component built for another contract version, naming both.
fn check_contract_version(engine: &Engine, component: &Component, origin: &str) -> Result<()> {
    let ty = component.component_type();
    let names: Vec<String> = ty.imports(engine).map(|(name, _)| name.to_owned()).collect();
    for name in names {
        let Some(rest) = name.strip_prefix(&format!("{CONTRACT_PACKAGE}/")) else { continue };
        let version = rest.split_once('@').map_or("", |(_, v)| v);
        if !compatible(version, CONTRACT_VERSION) {
            let shown = if version.is_empty() {
                "an unversioned contract".to_owned()
            } else {
                format!("{CONTRACT_PACKAGE}@{version}")
            };
            bail!(
                "plugin {origin} was built for {shown}, but this fledge supports {CONTRACT_PACKAGE}@{CONTRACT_VERSION}; rebuild it against fledge-sdk {CONTRACT_VERSION}"
            );
        }
    }
    Ok(())
}

/// Semver compatibility: same major; for 0.x the same minor.
fn compatible(version: &str, supported: &str) -> bool {
    let parse = |v: &str| -> Option<(u64, u64)> {
        let mut parts = v.split('.');
        Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
    };
    match (parse(version), parse(supported)) {
        (Some((0, minor)), Some((0, supported_minor))) => minor == supported_minor,
        (Some((major, _)), Some((supported_major, _))) => major == supported_major,
        _ => false,
    }
}

fn validate_meta(meta: &PluginMeta) -> Result<()> {
    if meta.name.is_empty() || !meta.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        bail!("plugin name `{}` must be non-empty lowercase kebab-case", meta.name);
    }
    let mut seen = std::collections::HashSet::new();
    for check in &meta.checks {
        let valid_id = check.id.split_once('.').is_some_and(|(plugin, rest)| {
            plugin == meta.name
                && !rest.is_empty()
                && rest.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        });
        if !valid_id {
            bail!("check id `{}` must be `{}.<kebab-case>`", check.id, meta.name);
        }
        if !seen.insert(check.id.as_str()) {
            bail!("check id `{}` appears twice", check.id);
        }
        if check.category.is_empty() {
            bail!("check `{}` has no category", check.id);
        }
    }
    Ok(())
}

/// Turns the plugin's results into outcomes, one per requested check,
/// enforcing the limits. `Err` when the results are malformed.
fn collect_outcomes(
    meta: &PluginMeta,
    request: &RunRequest,
    results: Vec<wit::CheckResult>,
    limits: &Limits,
) -> Result<Vec<(String, Outcome)>, String> {
    let mut by_id: HashMap<String, Outcome> = HashMap::new();
    let mut findings_left = limits.max_findings;
    for result in results {
        if !request.checks.iter().any(|(id, _)| *id == result.check_id) {
            let known = meta.checks.iter().any(|c| c.id == result.check_id);
            return Err(format!(
                "result for {} check `{}`",
                if known { "unrequested" } else { "unknown" },
                result.check_id
            ));
        }
        if result.score > 100 {
            return Err(format!("score {} for `{}` is above 100", result.score, result.check_id));
        }
        if by_id.contains_key(&result.check_id) {
            return Err(format!("two results for `{}`", result.check_id));
        }
        let mut outcome = outcome(result.clone());
        let ignore = request.checks.iter().find(|(id, _)| *id == result.check_id).map(|(_, ignore)| ignore);
        drop_ignored(&mut outcome, ignore.map_or(&[][..], Vec::as_slice));
        let total = outcome.findings.len();
        if total > findings_left {
            outcome.findings.truncate(findings_left);
            outcome.findings.push(Finding {
                message: format!(
                    "{} more findings dropped: the run reached the limit of {} findings",
                    total - findings_left,
                    limits.max_findings
                ),
                severity: Severity::Info,
                locations: Vec::new(),
                fingerprint: None,
            });
        }
        findings_left = findings_left.saturating_sub(total);
        by_id.insert(result.check_id, outcome);
    }
    Ok(request
        .checks
        .iter()
        .map(|(id, _)| {
            let outcome = by_id
                .remove(id)
                .unwrap_or_else(|| Outcome::error(format!("plugin `{}` returned no result for this check", meta.name)));
            (id.clone(), outcome)
        })
        .collect())
}

/// Leaves out what a check reported at paths its policy `ignore` globs
/// match, whatever the plugin did with them: findings all of whose places
/// are ignored, the ignored places of the others, and unread content at
/// ignored paths. (A glob that does not compile is the plugin's error to
/// report; it leaves the outcome as it is.)
fn drop_ignored(outcome: &mut Outcome, ignore: &[String]) {
    let Ok(Some(set)) = crate::git::ignore_set(ignore) else { return };
    outcome.findings.retain_mut(|finding| {
        if finding.locations.is_empty() {
            return true;
        }
        finding.locations.retain(|l| !set.is_match(&l.path));
        !finding.locations.is_empty()
    });
    outcome.unread.retain(|gap| gap.path.is_empty() || !set.is_match(&gap.path));
}

/// Drops repeated gaps (the host and the plugin reporting the same
/// unread path), keeping the first of each: the host's, which names the
/// object.
fn dedup_gaps(gaps: &mut Vec<Gap>) {
    let mut seen = std::collections::HashSet::new();
    gaps.retain(|g| {
        let key = match (g.path.is_empty(), g.kind) {
            // One fact per path (the host's account first), and one per
            // check for a truncated history or a spent budget.
            (false, _) => (None, g.path.clone()),
            (true, GapKind::Shallow | GapKind::Budget) => (Some(g.kind), String::new()),
            (true, _) => (Some(g.kind), g.reason.clone()),
        };
        seen.insert(key)
    });
}

fn bounded(mut text: String, max: usize) -> String {
    truncate(&mut text, max);
    text
}

fn outcome(result: wit::CheckResult) -> Outcome {
    Outcome {
        status: match result.status {
            wit::Status::Pass => Status::Pass,
            wit::Status::Warn => Status::Warn,
            wit::Status::Fail => Status::Fail,
            wit::Status::Skip => Status::Skip,
            wit::Status::Error => Status::Error,
        },
        score: result.score,
        message: bounded(result.message, 1000),
        remediation: result.remediation.map(|r| bounded(r, 1000)),
        findings: result
            .findings
            .into_iter()
            .map(|f| Finding {
                message: bounded(f.message, 1000),
                severity: match f.severity {
                    wit::Severity::Info => Severity::Info,
                    wit::Severity::Low => Severity::Low,
                    wit::Severity::Medium => Severity::Medium,
                    wit::Severity::High => Severity::High,
                    wit::Severity::Critical => Severity::Critical,
                },
                locations: f
                    .locations
                    .into_iter()
                    .take(100)
                    .map(|l| Location {
                        path: bounded(l.path, 1000),
                        line: l.line,
                        commit: l.commit.map(|c| bounded(c, 64)),
                        span: l.span.filter(|s| s.start < s.end && s.blob.len() <= 64).map(|s| Span {
                            blob: s.blob,
                            start: s.start,
                            end: s.end,
                        }),
                    })
                    .collect(),
                fingerprint: f.fingerprint.map(|fp| bounded(fp, 128)),
            })
            .collect(),
        metrics: result
            .metrics
            .into_iter()
            .take(50)
            .filter(|m| m.value.is_finite())
            .map(|m| Metric { name: bounded(m.name, 64), value: m.value })
            .collect(),
        unread: result
            .unread
            .into_iter()
            .take(10_000)
            .map(|g| Gap {
                kind: match g.kind {
                    wit::GapKind::Missing => GapKind::Missing,
                    wit::GapKind::Corrupt => GapKind::Corrupt,
                    wit::GapKind::TooLarge => GapKind::TooLarge,
                    wit::GapKind::Binary => GapKind::Binary,
                    wit::GapKind::Shallow => GapKind::Shallow,
                    wit::GapKind::Denied => GapKind::Denied,
                    wit::GapKind::Budget => GapKind::Budget,
                    wit::GapKind::Archive => GapKind::Archive,
                },
                path: bounded(g.path, 1000),
                id: None,
                bytes: g.bytes,
                reason: bounded(g.reason, 500),
            })
            .collect(),
    }
}

/// The largest configuration schema a plugin may declare.
const MAX_CONFIG_SCHEMA: usize = 256 * 1024;

fn plugin_meta(meta: wit::PluginMeta) -> Result<PluginMeta> {
    let config_schema = match meta.config_schema.trim() {
        "" => None,
        text if text.len() > MAX_CONFIG_SCHEMA => {
            bail!("its configuration schema is {} bytes, over the bound of {MAX_CONFIG_SCHEMA}", text.len())
        }
        text => {
            let schema: serde_json::Value =
                serde_json::from_str(text).context("its configuration schema is not JSON")?;
            jsonschema::validator_for(&schema)
                .map_err(|err| anyhow!("its configuration schema is not a valid JSON Schema: {err}"))?;
            Some(schema)
        }
    };
    Ok(PluginMeta {
        config_schema,
        name: bounded(meta.name, 64),
        version: bounded(meta.version, 64),
        description: bounded(meta.description, 500),
        about: bounded(meta.about, 16 * 1024),
        reads: meta
            .reads
            .into_iter()
            .map(|c| match c {
                wit::Capability::Tree => Capability::Tree,
                wit::Capability::Contents => Capability::Contents,
                wit::Capability::History => Capability::History,
            })
            .collect(),
        checks: meta
            .checks
            .into_iter()
            .take(500)
            .map(|c| CheckMeta {
                id: bounded(c.id, 128),
                title: bounded(c.title, 200),
                category: bounded(c.category, 64),
                weight: c.weight,
                rationale: bounded(c.rationale, 500),
                remediation: bounded(c.remediation, 500),
                looks_at: bounded(c.looks_at, 4096),
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_plugin_reports_at_ignored_paths_is_left_out() {
        let at = |path: &str| Location { path: path.to_owned(), line: Some(1), commit: None, span: None };
        let finding = |paths: &[&str]| Finding {
            message: "m".to_owned(),
            severity: Severity::High,
            locations: paths.iter().map(|p| at(p)).collect(),
            fingerprint: None,
        };
        let gap =
            |path: &str| Gap { kind: GapKind::Binary, path: path.to_owned(), id: None, bytes: 0, reason: "r".into() };
        let mut outcome = Outcome::error("x");
        outcome.findings = vec![finding(&["vendor/a.js"]), finding(&["src/a.rs", "vendor/b.js"]), finding(&[])];
        outcome.unread = vec![gap("vendor/c.bin"), gap("src/d.bin"), gap("")];
        drop_ignored(&mut outcome, &["vendor".to_owned()]);
        let places: Vec<Vec<&str>> =
            outcome.findings.iter().map(|f| f.locations.iter().map(|l| l.path.as_str()).collect()).collect();
        assert_eq!(places, [vec!["src/a.rs"], vec![]]);
        let gaps: Vec<&str> = outcome.unread.iter().map(|g| g.path.as_str()).collect();
        assert_eq!(gaps, ["src/d.bin", ""]);
    }

    #[test]
    fn contract_version_matches_the_wit_file() {
        let wit = include_str!("../../sdk/wit/plugin.wit");
        assert!(wit.contains(&format!("package {CONTRACT_PACKAGE}@{CONTRACT_VERSION};")));
        assert_eq!(CONTRACT_VERSION, fledge_sdk_version());
    }

    fn fledge_sdk_version() -> &'static str {
        // The SDK states its contract version too; keep them in step.
        let sdk = include_str!("../../sdk/src/lib.rs");
        let line = sdk.lines().find(|l| l.starts_with("pub const CONTRACT_VERSION")).unwrap_or_default();
        line.split('"').nth(1).unwrap_or_default()
    }

    #[test]
    fn version_compatibility() {
        assert!(compatible("0.2.0", "0.2.0"));
        assert!(compatible("0.2.7", "0.2.0"));
        assert!(!compatible("0.1.0", "0.2.0"));
        assert!(!compatible("0.3.0", "0.2.0"));
        assert!(!compatible("1.0.0", "0.2.0"));
        assert!(compatible("1.4.0", "1.0.0"));
        assert!(!compatible("", "0.2.0"));
    }
}

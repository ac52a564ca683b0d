//! The `security` plugin: basic security hygiene visible in the tree.
//!
//! Checks: `security.policy-contact`, `security.dependency-updates`,
//! `security.lockfiles`, `security.binary-artifacts`, `security.large-files`,
//! `security.ci-workflows`.

use fledge_sdk::prelude::*;
use serde::Deserialize;

mod artifacts;
#[cfg(test)]
mod tests;
mod workflows;

pub use artifacts::artifact_kind;

/// Configuration (`[plugins.security]` in the policy).
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
struct Config {
    /// Files larger than this at the checked commit are reported.
    max_file_bytes: u64,
    /// How many of the history's largest blobs to list.
    largest_blobs: usize,
    /// Action owners trusted without pinning (besides `actions` and `github`).
    trusted_action_owners: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config { max_file_bytes: 5 << 20, largest_blobs: 5, trusted_action_owners: Vec::new() }
    }
}

#[derive(Default)]
pub struct Security;

impl Plugin for Security {
    fn checks() -> CheckTable<Self> {
        CheckTable::<Self>::new(
            PluginMeta::new("security", env!("CARGO_PKG_VERSION"))
                .config::<Config>()
                .description("Security policy contact, dependency updates, lockfiles, binaries, large files, CI workflows")
                .about("Configuration (`[plugins.security]` in the policy): `max_file_bytes`\n(5 MiB), `largest_blobs` (5), `trusted_action_owners` (action owners\ntrusted without pinning, besides `actions` and `github`).")
                .reads(&[Capability::Tree, Capability::Contents, Capability::History]),
        )
        .category("security")
        .check(
            CheckMeta::new("security.policy-contact", "Security policy says how to report")
                .weight(3)
                .rationale("A security policy is only useful if it tells a researcher where to send a report privately.")
                .remediation("Put a private reporting address (security@...) or a link to a private reporting form in SECURITY.md.")
                .looks_at("SECURITY (any extension) in the root, `.github/` or `docs/`, for an e-mail address or a URL. A policy without either warns."),
            |_, check| policy_contact(check.repo()),
        )
        .check(
            CheckMeta::new("security.dependency-updates", "Dependency updates automated")
                .weight(2)
                .rationale("Public projects are expected to pick up dependency fixes quickly; a bot makes that routine.")
                .remediation("Configure Dependabot (.github/dependabot.yml) or Renovate (renovate.json).")
                .looks_at("Dependabot (`.github/dependabot.yml`), Renovate (`renovate.json(5)`, `.renovaterc*`, `.github/renovate.json`, a `renovate` key in package.json), PyUp, Depfu, Snyk, Scala Steward."),
            |_, check| dependency_updates(check.repo()),
        )
        .check(
            CheckMeta::new("security.lockfiles", "Applications commit lockfiles")
                .weight(2)
                .rationale("Without a lockfile, every build of an application may pull different, unreviewed dependency versions.")
                .remediation("Commit the lockfile of each application's package manager (Cargo.lock, package-lock.json, go.sum, poetry.lock...).")
                .looks_at("each manifest (Cargo.toml, package.json, go.mod, pyproject.toml, Pipfile, Gemfile, composer.json, outside vendored directories) and its lockfile beside it or at the root (Cargo.lock, package-lock.json, yarn.lock, pnpm-lock.yaml, go.sum, poetry.lock, uv.lock, Pipfile.lock, Gemfile.lock, composer.lock). Applications (a binary target, a private package, Go modules, Poetry/uv/PDM projects) need one; libraries do not."),
            |_, check| lockfiles(check.repo()),
        )
        .check(
            CheckMeta::new("security.binary-artifacts", "No compiled artifacts committed")
                .weight(3)
                .rationale("Binaries cannot be reviewed; a committed executable or library may hide anything.")
                .remediation("Remove compiled artifacts and build them in CI from source; publish them as release assets instead.")
                .looks_at("the first 512 bytes of every file, by content magic whatever the name: ELF, Windows PE, Mach-O (thin and universal), Java classes, jar/war/ear/aar/apk archives, Python wheels and bytecode, WebAssembly modules, static libraries. Each is listed with its path."),
            |_, check| artifacts::check(check.repo()),
        )
        .check(
            CheckMeta::new("security.large-files", "No large files")
                .weight(1)
                .rationale("Large blobs bloat every clone forever and often are data dumps or artifacts that should not be published.")
                .remediation("Remove large files (and from history), and keep data in an artifact store or Git LFS.")
                .looks_at("files above `max_file_bytes` at the checked commit; the `largest_blobs` largest blobs of the whole history are listed for information, with the commit that added them."),
            |_, check| large_files(check.repo(), &check.config()?),
        )
        .check(
            CheckMeta::new("security.ci-workflows", "CI workflows are safe")
                .weight(3)
                .rationale("CI runs with repository secrets; dangerous workflow patterns let anyone who opens a pull request steal them.")
                .remediation("Never check out pull-request code in pull_request_target, pass untrusted ${{ github.event... }} values through env:, and pin third-party actions to a commit SHA.")
                .looks_at("CI configuration (GitHub Actions, GitLab CI, Jenkins, CircleCI, Azure Pipelines, Drone, Buildkite, Travis, AppVeyor, Bitbucket, Woodpecker, Tekton, Cirrus, Gitea/Forgejo Actions, Cloud Build, TeamCity), and in GitHub-style workflows the patterns OpenSSF Scorecard calls dangerous: a `pull_request_target` workflow that checks out the pull request's head, and untrusted `${{ github.event... }}` values (issue and PR titles and bodies, comments, head refs, commit messages and authors...) interpolated into `run:` scripts; third-party actions not pinned to a commit SHA warn. No CI at all fails."),
            |_, check| workflows::check(check.repo(), &check.config::<Config>()?.trusted_action_owners),
        )
    }
}

fledge_sdk::export_plugin!(Security);

fn policy_contact(repo: &Repo) -> Result<CheckResult> {
    let Some(policy) = repo.find_first(&["security"], &["", ".github", "docs"])? else {
        return Ok(CheckResult::fail("no SECURITY policy in the root, .github/ or docs/"));
    };
    let text = repo.read_text(&policy.path)?.unwrap_or_default();
    let email = text
        .split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '(' | ')' | '[' | ']' | '`' | '*' | ',' | ';'))
        .map(|t| t.trim_start_matches("mailto:").trim_end_matches(['.', ':']))
        .find(|t| {
            t.split_once('@')
                .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.') && !domain.starts_with('.'))
        });
    let url = fledge_sdk::text::urls(&text).into_iter().find(|u| !u.contains("shields.io") && !u.ends_with(".svg"));
    Ok(match (email, url) {
        (Some(email), _) => {
            let line = text.lines().position(|l| l.contains(email)).map_or(1, |i| i + 1);
            CheckResult::pass(format!("{} gives a reporting address: {email}", policy.path))
                .finding(Finding::info("contact").at(&policy.path).line(u32::try_from(line).unwrap_or(1)))
        }
        (None, Some(url)) => CheckResult::pass(format!("{} gives a reporting link: {url}", policy.path)),
        (None, None) => CheckResult::warn(format!("{} says nothing about where to report", policy.path))
            .finding(Finding::new(Severity::Medium, "no e-mail address or URL").at(&policy.path)),
    })
}

/// Configuration files of dependency-update tools.
const UPDATE_TOOLS: &[(&str, &str)] = &[
    (".github/dependabot.yml", "Dependabot"),
    (".github/dependabot.yaml", "Dependabot"),
    ("renovate.json", "Renovate"),
    ("renovate.json5", "Renovate"),
    (".renovaterc", "Renovate"),
    (".renovaterc.json", "Renovate"),
    (".renovaterc.json5", "Renovate"),
    (".github/renovate.json", "Renovate"),
    (".github/renovate.json5", "Renovate"),
    (".gitlab/renovate.json", "Renovate"),
    (".pyup.yml", "PyUp"),
    (".depfu.yml", "Depfu"),
    (".snyk", "Snyk"),
    (".scala-steward.conf", "Scala Steward"),
    (".github/workflows/update-flake-lock.yml", "update-flake-lock"),
];

fn dependency_updates(repo: &Repo) -> Result<CheckResult> {
    for (path, tool) in UPDATE_TOOLS {
        if repo.entry(path)?.is_some() {
            return Ok(CheckResult::pass(format!("{tool} ({path})")));
        }
    }
    if let Some(package) = repo.entry("package.json")?
        && repo.read_text(&package.path)?.is_some_and(|t| t.contains("\"renovate\""))
    {
        return Ok(CheckResult::pass("Renovate (package.json)"));
    }
    Ok(CheckResult::fail("no Dependabot, Renovate or similar configuration"))
}

/// A package manager: its manifest, its lockfiles, and whether a project
/// without a lockfile is acceptable because it is a library.
struct Manager {
    name: &'static str,
    manifest: &'static str,
    lockfiles: &'static [&'static str],
}

const MANAGERS: &[Manager] = &[
    Manager { name: "Cargo", manifest: "Cargo.toml", lockfiles: &["Cargo.lock"] },
    Manager {
        name: "npm/yarn/pnpm",
        manifest: "package.json",
        lockfiles: &[
            "package-lock.json",
            "yarn.lock",
            "pnpm-lock.yaml",
            "npm-shrinkwrap.json",
            "bun.lockb",
            "bun.lock",
        ],
    },
    Manager { name: "Go modules", manifest: "go.mod", lockfiles: &["go.sum"] },
    Manager {
        name: "Poetry",
        manifest: "pyproject.toml",
        lockfiles: &["poetry.lock", "uv.lock", "pdm.lock", "Pipfile.lock", "requirements.txt"],
    },
    Manager { name: "Pipenv", manifest: "Pipfile", lockfiles: &["Pipfile.lock"] },
    Manager { name: "Bundler", manifest: "Gemfile", lockfiles: &["Gemfile.lock"] },
    Manager { name: "Composer", manifest: "composer.json", lockfiles: &["composer.lock"] },
];

/// True when the project in `dir` is an application rather than a library:
/// it has a binary target or is marked private.
fn is_application(repo: &Repo, manager: &Manager, dir: &str, manifest: &str) -> Result<bool> {
    let join = |name: &str| if dir.is_empty() { name.to_owned() } else { format!("{dir}/{name}") };
    Ok(match manager.manifest {
        "Cargo.toml" => {
            manifest.contains("[[bin]]")
                || repo.entry(&join("src/main.rs"))?.is_some()
                || (manifest.contains("[workspace]") && !manifest.contains("[package]"))
        }
        "package.json" => manifest.contains("\"private\": true") || manifest.contains("\"bin\""),
        "go.mod" => true,
        "pyproject.toml" => {
            manifest.contains("[tool.poetry]") || manifest.contains("[tool.uv]") || manifest.contains("[tool.pdm]")
        }
        "composer.json" => !manifest.contains("\"type\": \"library\""),
        "Gemfile" => repo.files_in(dir)?.iter().all(|e| !e.name().ends_with(".gemspec")),
        _ => true,
    })
}

fn lockfiles(repo: &Repo) -> Result<CheckResult> {
    let mut findings = Vec::new();
    let mut missing = 0;
    let mut found = 0;
    for manager in MANAGERS {
        for entry in repo.files()?.filter(|e| e.name() == manager.manifest && !is_vendored(&e.path)) {
            let dir = entry.dir();
            let text = repo.read_text(&entry.path)?.unwrap_or_default();
            let sibling = |name: &str| if dir.is_empty() { name.to_owned() } else { format!("{dir}/{name}") };
            // Workspace members share the root's lockfile.
            let lock = manager
                .lockfiles
                .iter()
                .find_map(|l| repo.entry(&sibling(l)).ok().flatten().or_else(|| repo.entry(l).ok().flatten()));
            match lock {
                Some(lock) => {
                    found += 1;
                    findings.push(Finding::info(format!("{}: {}", manager.name, lock.path)).at(&entry.path));
                }
                None if is_application(repo, manager, dir, &text)? => {
                    missing += 1;
                    findings.push(
                        Finding::new(
                            Severity::Medium,
                            format!("{} application without a lockfile ({})", manager.name, manager.lockfiles[0]),
                        )
                        .at(&entry.path),
                    );
                }
                None => findings
                    .push(Finding::info(format!("{} library: no lockfile needed", manager.name)).at(&entry.path)),
            }
        }
    }
    if findings.is_empty() {
        return Ok(CheckResult::skip("no package manifests"));
    }
    Ok(if missing > 0 {
        CheckResult::fail(format!("{missing} applications without a lockfile; {found} lockfiles present"))
            .findings(findings)
    } else {
        CheckResult::pass(format!("{found} lockfiles present; libraries need none")).findings(findings)
    })
}

fn is_vendored(path: &str) -> bool {
    path.split('/').any(|p| matches!(p, "node_modules" | "vendor" | "third_party" | "testdata" | "fixtures"))
}

fn large_files(repo: &Repo, config: &Config) -> Result<CheckResult> {
    let mut large: Vec<TreeEntry> =
        repo.files()?.filter(|e| e.is_file() && e.size > config.max_file_bytes).cloned().collect();
    large.sort_by_key(|e| std::cmp::Reverse(e.size));
    let mut findings: Vec<Finding> = large
        .iter()
        .map(|e| Finding::new(Severity::Medium, format!("{} ({})", e.path, size(e.size))).at(&e.path))
        .collect();
    // The largest blobs the history ever held, for information.
    let mut history: Vec<fledge_sdk::HistoryBlob> = repo.history_blobs().collect::<Result<_>>()?;
    history.sort_by_key(|b| std::cmp::Reverse(b.size));
    for blob in history.iter().take(config.largest_blobs) {
        findings.push(
            Finding::info(format!("largest in history: {} ({})", blob.path, size(blob.size)))
                .location(Location::path(&blob.path).commit(&blob.commit)),
        );
    }
    let history_total: u64 = history.iter().map(|b| b.size).sum();
    let result = if large.is_empty() {
        CheckResult::pass(format!(
            "no file above {}; the history holds {}",
            size(config.max_file_bytes),
            size(history_total)
        ))
    } else {
        CheckResult::fail(format!("{} files above {}", large.len(), size(config.max_file_bytes)))
    };
    Ok(result.findings(findings).metric("history-bytes", history_total as f64))
}

fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
    } else {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    }
}

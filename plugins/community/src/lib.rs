//! The `community` plugin: is the project alive, and does it depend on more
//! than one person or team? Computed from the commit log and tags alone (no
//! hosting-service API), measured from the checked commit's date so that
//! results are reproducible.
//!
//! Checks: `community.recent-activity`, `community.contributors`,
//! `community.bus-factor`, `community.org-diversity`, `community.releases`,
//! `community.maintainers`.

use std::collections::{BTreeMap, BTreeSet};

use fledge_sdk::prelude::*;
use fledge_sdk::{Commit, Tag};
use serde::Deserialize;

mod people;
#[cfg(test)]
mod tests;

pub use people::{bus_factor, is_bot};

const DAY: i64 = 86_400;
const YEAR: i64 = 365 * DAY;

/// Configuration (`[plugins.community]` in the policy).
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
struct Config {
    /// Days counted as "recent".
    activity_days: i64,
    /// Human commits in that window for a pass.
    min_recent_commits: usize,
    /// Active human authors in the last 12 months for a pass.
    min_contributors: usize,
    /// Bus factor for a pass.
    min_bus_factor: usize,
    /// Organisations covering half the commits, for a pass.
    min_org_diversity: usize,
    /// Extra bot names or e-mails (substrings, case-insensitive).
    bots: Vec<String>,
    /// E-mail domain (or full address) → organisation or team (default:
    /// the `teams` of the policy's `[organization]`).
    organizations: Option<BTreeMap<String, String>>,
    /// `active` (default) or `maintenance`: a maintenance-mode project is
    /// not failed for a quiet history.
    status: String,
    /// The "now" of the checks, in seconds since the epoch; default: the
    /// checked commit's time.
    as_of: Option<i64>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            activity_days: 90,
            min_recent_commits: 5,
            min_contributors: 3,
            min_bus_factor: 2,
            min_org_diversity: 2,
            bots: Vec::new(),
            organizations: None,
            status: "active".to_owned(),
            as_of: None,
        }
    }
}

#[derive(Default)]
pub struct Community {
    /// Human commits of the last 12 months, newest first, read once.
    year: Option<Vec<Commit>>,
    /// The walk for `year` reached the end of the history.
    reached_end: bool,
}

impl Plugin for Community {
    fn checks() -> CheckTable<Self> {
        CheckTable::<Self>::new(
            PluginMeta::new("community", env!("CARGO_PKG_VERSION"))
                .config::<Config>()
                .description("Activity, contributors, bus factor, organisational diversity, releases, maintainers")
                .about("Computed from the commit log and tags alone, with identities mapped\nthrough `.mailmap` by the host. \"Now\" is the checked commit's time (or\n`as_of`), so results do not depend on when fledge runs. Bots are excluded\neverywhere: names ending in `[bot]`, Dependabot, Renovate, GitHub Actions\nand other well-known bots, plus `bots` from the configuration. The log is\nread newest first and only as far back as 12 months. In a shallow clone\nwhose history ends inside those 12 months (and always for releases), the\nresult says that the history is truncated and cannot pass.\n\nConfiguration (`[plugins.community]` in the policy): `activity_days` (90),\n`min_recent_commits` (5), `min_contributors` (3), `min_bus_factor` (2),\n`min_org_diversity` (2), `bots`, `organizations` (e-mail domain or address\n→ organisation or team; default: the `teams` of the policy's\n`[organization]`), `status` (`active` or `maintenance`), `as_of`\n(seconds since the epoch).")
                .reads(&[Capability::Tree, Capability::Contents, Capability::History]),
        )
        .category("community")
        .check(
            CheckMeta::new("community.recent-activity", "Recent activity")
                .weight(3)
                .rationale("Outsiders only adopt projects that are alive; a silent project will not answer their issues.")
                .remediation("Keep committing, or declare `status = \"maintenance\"` and cut releases so that a quiet history reads as stable.")
                .looks_at("human commits in the `activity_days` before \"now\", and the days since the last human commit. Below `min_recent_commits` it warns; with none it fails, unless the project declares `status = \"maintenance\"` or released in the last 12 months, which turn a quiet history into a `warn` with the reason."),
            |plugin, check| plugin.on_year(check, recent_activity),
        )
        .check(
            CheckMeta::new("community.contributors", "Active contributors")
                .weight(2)
                .rationale("A project with one or two active people cannot absorb the questions and contributions of a public community.")
                .remediation("Bring more people into regular work on the project before publishing it.")
                .looks_at("distinct human authors (by e-mail after `.mailmap`) with commits in the last 12 months; passes from `min_contributors`, warns at 2."),
            |plugin, check| plugin.on_year(check, |_, year, config, _| Ok(contributors(year, config))),
        )
        .check(
            CheckMeta::new("community.bus-factor", "Bus factor")
                .weight(3)
                .rationale("If one person writes most of the code, the project stops when they leave (CHAOSS contributor absence factor).")
                .remediation("Spread the work: pair on changes, rotate reviews, and document what only one person knows.")
                .looks_at("the smallest number of authors who together made more than half of the human commits of the last 12 months (CHAOSS contributor absence factor), reported with the figures (\"bus factor 1: alice wrote 81% of 240 commits\"); passes at 2 or more."),
            |plugin, check| plugin.on_year(check, |_, year, _, _| Ok(bus_factor_check(year))),
        )
        .check(
            CheckMeta::new("community.org-diversity", "Organisational diversity")
                .weight(2)
                .rationale("A project owned by a single team is at the mercy of that team's priorities (CHAOSS elephant factor).")
                .remediation("Get a second team to contribute regularly, and map e-mail domains to teams in the policy (`teams` in `[organization]`).")
                .looks_at("the same measure over organisations (CHAOSS elephant factor): an author's organisation is the configured mapping of their address or domain (for inner source, map domains or addresses to teams), else their e-mail domain; personal addresses (gmail.com, GitHub noreply...) are not counted. Passes from `min_org_diversity`."),
            |plugin, check| plugin.on_year(check, |_, year, config, _| Ok(org_diversity(year, config))),
        )
        .check(
            CheckMeta::new("community.releases", "Regular, versioned releases")
                .weight(2)
                .rationale("Users need releases with clear version numbers and notes to depend on a project.")
                .remediation("Tag releases with semantic versions (v1.2.3) at least yearly and update the CHANGELOG with each.")
                .looks_at("tags reachable from the checked commit: how many in the last 12 months, whether they are semantic versions (`v1.2.3`, `1.2.3-rc.1`), and whether the CHANGELOG changed between each release and the one before. No tags at all fails; no tag in 12 months, non-semver tags or releases without notes warn."),
            |_, check| {
                let repo = check.repo();
                let now = check.config::<Config>()?.as_of.unwrap_or(repo.head().time);
                Ok(releases(repo, now)?.unread(shallow_gap(repo.head().shallow)))
            },
        )
        .check(
            CheckMeta::new("community.maintainers", "At least two maintainers named")
                .weight(2)
                .rationale("Someone must be named to answer; one name is a single point of failure.")
                .remediation("List at least two people or teams in MAINTAINERS or CODEOWNERS.")
                .looks_at("MAINTAINERS, CODEOWNERS, OWNERS and COMMITTERS in the conventional places: `@handles`, `@org/teams`, e-mail addresses and (in MAINTAINERS) list items naming a person. Two or more pass; one warns."),
            |_, check| maintainers(check.repo()),
        )
    }
}

fledge_sdk::export_plugin!(Community);

impl Community {
    /// Evaluates a check on the human commits of the last 12 months, and
    /// says when a shallow history ends inside them, so that no gate passes
    /// on a truncated history.
    fn on_year(
        &mut self,
        check: &Check<'_>,
        evaluate: fn(&Repo, &[Commit], &Config, i64) -> Result<CheckResult>,
    ) -> Result<CheckResult> {
        let mut config: Config = check.config()?;
        config.organizations.get_or_insert_with(|| check.organization().teams.clone());
        let repo = check.repo();
        let now = config.as_of.unwrap_or(repo.head().time);
        let year = self.year(repo, &config, now)?;
        let result = evaluate(repo, &year, &config, now)?;
        Ok(result.unread(shallow_gap(repo.head().shallow && self.reached_end)))
    }

    /// Human commits of the 12 months before `now`: the log is read newest
    /// first and only as far back as needed.
    fn year(&mut self, repo: &Repo, config: &Config, now: i64) -> Result<Vec<Commit>> {
        if let Some(year) = &self.year {
            return Ok(year.clone());
        }
        let since = now - YEAR;
        let mut year = Vec::new();
        self.reached_end = true;
        for commit in repo.commits() {
            let commit = commit?;
            if commit.committer.time <= since && commit.author.time <= since {
                self.reached_end = false;
                break;
            }
            if commit.author.time > now || commit.author.time <= since || is_bot(&commit.author, &config.bots) {
                continue;
            }
            year.push(commit);
        }
        self.year = Some(year.clone());
        Ok(year)
    }
}

/// The gap of a shallow history, when `truncated`.
fn shallow_gap(truncated: bool) -> Option<Gap> {
    truncated.then(Gap::shallow_history)
}

fn days(seconds: i64) -> i64 {
    seconds.max(0) / DAY
}

fn recent_activity(repo: &Repo, year: &[Commit], config: &Config, now: i64) -> Result<CheckResult> {
    let window = config.activity_days * DAY;
    let recent = year.iter().filter(|c| c.author.time > now - window).count();
    let last = year.iter().map(|c| c.author.time).max();
    let since_last = match last {
        Some(time) => format!("last human commit {} days before", days(now - time)),
        None => "no human commit in the last 12 months".to_owned(),
    };
    let as_of = date(now);
    let message = format!("{recent} human commits in the {} days before {as_of}; {since_last}", config.activity_days);
    let result = if recent >= config.min_recent_commits {
        CheckResult::pass(message)
    } else {
        // A stable project in maintenance is not failed on activity alone.
        let releases = repo.tags()?.iter().filter(|t| t.time > now - YEAR && t.time <= now).count();
        let reason = if config.status == "maintenance" {
            Some("the project declares maintenance status".to_owned())
        } else if releases > 0 {
            Some(format!("{releases} releases in the last 12 months"))
        } else {
            None
        };
        match (reason, recent) {
            (Some(reason), _) => CheckResult::warn(format!("{message}; quiet, but {reason}")),
            (None, 0) => CheckResult::fail(message),
            (None, _) => CheckResult::warn(message),
        }
    };
    Ok(result
        .metric("recent-commits", recent as f64)
        .metric("days-since-last-commit", last.map_or(-1.0, |t| days(now - t) as f64)))
}

fn contributors(year: &[Commit], config: &Config) -> CheckResult {
    let authors = people::authors(year);
    let count = authors.len();
    let names: Vec<&str> = authors.iter().take(5).map(|(_, a)| a.name.as_str()).collect();
    let more = if count > 5 { format!(" and {} more", count - 5) } else { String::new() };
    let message = if count == 0 {
        "no human authors in the last 12 months".to_owned()
    } else {
        format!("{count} active human authors in the last 12 months: {}{more}", names.join(", "))
    };
    let result = if count >= config.min_contributors {
        CheckResult::pass(message)
    } else if count >= 2 {
        CheckResult::warn(message)
    } else {
        CheckResult::fail(message)
    };
    result.metric("contributors", count as f64)
}

fn bus_factor_check(year: &[Commit]) -> CheckResult {
    let authors = people::authors(year);
    let counts: Vec<usize> = authors.iter().map(|(_, a)| a.commits).collect();
    let total: usize = counts.iter().sum();
    if total == 0 {
        return CheckResult::fail("no human commits in the last 12 months").metric("bus-factor", 0.0);
    }
    let factor = bus_factor(&counts);
    let top: Vec<String> = authors
        .iter()
        .take(factor.min(3))
        .map(|(_, a)| format!("{} wrote {}%", a.name, a.commits * 100 / total))
        .collect();
    let more = if factor > 3 {
        let covered: usize = authors.iter().take(factor).map(|(_, a)| a.commits).sum();
        format!(" and {} more ({}% together)", factor - 3, covered * 100 / total)
    } else {
        String::new()
    };
    let message = format!("bus factor {factor}: {}{more} of {total} commits", top.join(", "));
    let result = if factor >= 2 { CheckResult::pass(message) } else { CheckResult::fail(message) };
    result.metric("bus-factor", factor as f64).metric("commits", total as f64)
}

fn org_diversity(year: &[Commit], config: &Config) -> CheckResult {
    let mut orgs: BTreeMap<String, usize> = BTreeMap::new();
    let mut unaffiliated = 0;
    for commit in year {
        match people::organization(&commit.author.email, config.organizations.as_ref().unwrap_or(&BTreeMap::new())) {
            Some(org) => *orgs.entry(org).or_default() += 1,
            None => unaffiliated += 1,
        }
    }
    let mut ranked: Vec<(String, usize)> = orgs.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let total: usize = ranked.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return CheckResult::fail("no commits attributable to an organisation in the last 12 months")
            .metric("org-diversity", 0.0);
    }
    let counts: Vec<usize> = ranked.iter().map(|(_, n)| *n).collect();
    let factor = bus_factor(&counts);
    let top: Vec<String> =
        ranked.iter().take(factor.max(1)).map(|(org, n)| format!("{org} {}%", n * 100 / total)).collect();
    let unaffiliated = if unaffiliated > 0 {
        format!(" ({unaffiliated} commits from personal addresses not counted)")
    } else {
        String::new()
    };
    let message = format!(
        "{factor} of {} organisations make half of {total} commits: {}{unaffiliated}",
        ranked.len(),
        top.join(", ")
    );
    let result =
        if factor >= config.min_org_diversity { CheckResult::pass(message) } else { CheckResult::fail(message) };
    result.metric("org-diversity", factor as f64).metric("organizations", ranked.len() as f64)
}

/// `v1.2.3`, `1.2.3`, `release-1.2.3`? Only the first two: semantic versions
/// with an optional `v` and optional pre-release and build parts.
pub fn is_semver(tag: &str) -> bool {
    let version = tag.strip_prefix('v').unwrap_or(tag);
    let core = version.split(['-', '+']).next().unwrap_or_default();
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) && (p.len() == 1 || !p.starts_with('0')))
}

const CHANGELOG_NAMES: &[&str] =
    &["changelog", "changes", "history", "news", "releases", "release notes", "releasenotes"];

fn releases(repo: &Repo, now: i64) -> Result<CheckResult> {
    let tags: Vec<Tag> = repo.tags()?.into_iter().filter(|t| t.time <= now).collect();
    if tags.is_empty() {
        return Ok(CheckResult::fail("no tags: the project has never been released").metric("releases-12-months", 0.0));
    }
    let recent: Vec<&Tag> = tags.iter().filter(|t| t.time > now - YEAR).collect();
    let changelog = repo.find_first(CHANGELOG_NAMES, CONVENTIONAL_DIRS)?;
    // Did the changelog change between each recent release and the one before?
    let mut with_notes = 0;
    let mut findings = Vec::new();
    for (i, tag) in tags.iter().enumerate().filter(|(_, t)| t.time > now - YEAR) {
        let Some(changelog) = &changelog else { break };
        let at_tag = repo.entry_at(&tag.target, &changelog.path)?.map(|e| e.id);
        let before = match i.checked_sub(1).and_then(|p| tags.get(p)) {
            Some(previous) => repo.entry_at(&previous.target, &changelog.path)?.map(|e| e.id),
            None => None,
        };
        if at_tag.is_some() && at_tag != before {
            with_notes += 1;
        } else {
            findings.push(Finding::new(Severity::Low, format!("{} did not update {}", tag.name, changelog.path)));
        }
    }
    let non_semver: Vec<&str> = recent.iter().filter(|t| !is_semver(&t.name)).map(|t| t.name.as_str()).collect();
    for name in &non_semver {
        findings.push(Finding::new(Severity::Low, format!("tag `{name}` is not a semantic version")));
    }
    let latest = tags.iter().max_by_key(|t| t.time).map(|t| (t.name.as_str(), days(now - t.time)));
    let latest = latest.map_or(String::new(), |(name, age)| format!("; latest {name}, {age} days before"));
    let notes = match &changelog {
        Some(c) if !recent.is_empty() => format!("; {with_notes} of {} updated {}", recent.len(), c.path),
        Some(_) => String::new(),
        None => "; no CHANGELOG".to_owned(),
    };
    let message = format!(
        "{} tags in the last 12 months, {} semantic versions{notes}{latest}",
        recent.len(),
        recent.len() - non_semver.len()
    );
    let result = if recent.is_empty() {
        CheckResult::warn(message).remediation("Cut a release: the last one is more than a year old.")
    } else if non_semver.is_empty() && changelog.is_some() && with_notes * 2 >= recent.len() {
        CheckResult::pass(message)
    } else {
        CheckResult::warn(message)
    };
    Ok(result.findings(findings).metric("releases-12-months", recent.len() as f64))
}

fn maintainers(repo: &Repo) -> Result<CheckResult> {
    let files = repo.find(&["maintainers", "codeowners", "owners", "committers"], CONVENTIONAL_DIRS)?;
    let Some(first) = files.first() else {
        return Ok(CheckResult::fail("no MAINTAINERS, OWNERS or CODEOWNERS file"));
    };
    let mut names: BTreeSet<String> = BTreeSet::new();
    for file in &files {
        let text = repo.read_text(&file.path)?.unwrap_or_default();
        let codeowners =
            file.name().to_ascii_lowercase().contains("codeowners") || file.name().eq_ignore_ascii_case("OWNERS");
        names.extend(people::named_maintainers(&text, codeowners));
    }
    let listed: Vec<&str> = names.iter().take(5).map(String::as_str).collect();
    let message = match names.len() {
        0 => format!("{} names nobody", first.path),
        n => format!(
            "{n} people or teams named in {}: {}",
            files.iter().map(|f| f.path.as_str()).collect::<Vec<_>>().join(", "),
            listed.join(", ")
        ),
    };
    let result = match names.len() {
        0 => CheckResult::fail(message),
        1 => CheckResult::warn(message),
        _ => CheckResult::pass(message),
    };
    Ok(result.metric("maintainers", names.len() as f64))
}

/// `YYYY-MM-DD` of a Unix time (UTC), without a date library.
fn date(seconds: i64) -> String {
    // Howard Hinnant's days-to-civil algorithm.
    let z = seconds.div_euclid(DAY) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

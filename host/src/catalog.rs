//! The catalog of inner-source repositories the nightly scan covers (TOML,
//! see docs/nightly.md), and its deterministic split into shards.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::attest::AttestationRecords;
use crate::git::Target;
use crate::located::{FileErrors, Sink};

/// A parsed catalog.
#[derive(Clone, Debug)]
pub struct Catalog {
    /// The file, as given.
    pub source: String,
    /// sha256 of its text.
    pub digest: String,
    /// The default policy of its repositories, resolved against the
    /// catalog's directory.
    pub policy: Option<PathBuf>,
    pub repositories: Vec<Entry>,
}

/// One repository of the catalog.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Unique in the catalog; exemptions match it and history is kept by it.
    pub name: String,
    /// URL or path (a relative path is resolved against the catalog's directory).
    pub target: Target,
    /// The URL as written, for reports.
    pub url: String,
    pub team: Option<String>,
    /// The stage the OSPO has on record for the repository.
    pub stage: Option<String>,
    /// The branch to check (default: the remote's default branch).
    pub branch: Option<String>,
    pub kind: Option<String>,
    /// A policy of its own, resolved against the catalog's directory.
    pub policy: Option<PathBuf>,
    /// Committee signatures kept in the catalog (instead of in the repository).
    pub attestations: Option<AttestationRecords>,
    /// The line of its `[[repository]]` table.
    pub line: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    policy: Option<String>,
    #[serde(default)]
    repository: Vec<Spanned<RawEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    name: Option<String>,
    url: Option<String>,
    team: Option<String>,
    stage: Option<String>,
    branch: Option<String>,
    kind: Option<String>,
    policy: Option<String>,
    attestations: Option<AttestationRecords>,
}

impl Catalog {
    /// Reads and checks the catalog at `path`.
    pub fn load(path: &Path) -> anyhow::Result<Catalog> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| crate::error::UserError::new(format!("cannot read catalog {}: {e}", path.display())))?;
        let base = path.parent().unwrap_or(Path::new("."));
        Catalog::parse(&text, &path.display().to_string(), base)
            .map_err(|e| crate::error::UserError::new(e.to_string()).into())
    }

    /// Parses a catalog; `file` names it in errors and relative paths are
    /// resolved against `base`.
    pub fn parse(text: &str, file: &str, base: &Path) -> Result<Catalog, FileErrors> {
        let raw: RawCatalog = toml::from_str(text).map_err(|err| FileErrors::from_toml(file, text, &err))?;
        let mut sink = Sink::new(text);
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let mut repositories = Vec::new();
        for spanned in raw.repository {
            let line = sink.lines.of(&spanned);
            let raw = spanned.into_inner();
            let name = raw.name.unwrap_or_default();
            let url = raw.url.unwrap_or_default();
            if name.trim().is_empty() {
                sink.push(line, "repository has no `name`");
            } else if name.trim() != name || name.chars().any(char::is_control) {
                sink.push(line, format!("repository name `{name}` has surrounding spaces or control characters"));
            } else if let Some(first) = seen.insert(name.clone(), line) {
                sink.push(line, format!("repository `{name}` is listed twice (first on line {first})"));
            }
            if url.trim().is_empty() {
                sink.push(line, format!("repository `{name}` has no `url`"));
            }
            let target = match Target::parse(&url) {
                Target::Local(path) if path.is_relative() => Target::Local(base.join(path)),
                target => target,
            };
            repositories.push(Entry {
                name,
                target,
                url,
                team: raw.team,
                stage: raw.stage,
                branch: raw.branch,
                kind: raw.kind,
                policy: raw.policy.map(|p| base.join(p)),
                attestations: raw.attestations,
                line,
            });
        }
        if repositories.is_empty() && sink.is_empty() {
            sink.push(1, "the catalog lists no repositories (add [[repository]] tables)");
        }
        sink.finish(file)?;
        Ok(Catalog {
            source: file.to_owned(),
            digest: hex::encode(Sha256::digest(text.as_bytes())),
            policy: raw.policy.map(|p| base.join(p)),
            repositories,
        })
    }

    /// The repositories of `shard` (all when `None`), in catalog order.
    pub fn select(&self, shard: Option<Shard>) -> Vec<&Entry> {
        self.repositories.iter().filter(|e| shard.is_none_or(|s| s.contains(&e.name))).collect()
    }
}

/// Shard `index` of `count` (1-based): `--shard 3/10`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// True when repository `name` belongs to this shard. The split depends
    /// only on the name, so adding a repository to the catalog never moves
    /// the others between shards.
    pub fn contains(&self, name: &str) -> bool {
        let digest = Sha256::digest(name.as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first) % u64::from(self.count) == u64::from(self.index - 1)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Shard, String> {
        let parsed = text.split_once('/').and_then(|(k, n)| Some((k.trim().parse().ok()?, n.trim().parse().ok()?)));
        match parsed {
            Some((index, count)) if count >= 1 && (1..=count).contains(&index) => Ok(Shard { index, count }),
            _ => Err(format!("`{text}` is not a shard: write K/N with 1 <= K <= N, e.g. 3/10")),
        }
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Catalog, String> {
        Catalog::parse(text, "catalog.toml", Path::new("/srv")).map_err(|e| e.to_string())
    }

    #[test]
    fn entries_and_defaults() {
        let catalog = parse(
            "policy = \"ospo.toml\"\n\n[[repository]]\nname = \"payments/sdk\"\nurl = \"https://git.example.com/payments/sdk.git\"\nteam = \"payments\"\nstage = \"incubating\"\nbranch = \"main\"\n\n[[repository]]\nname = \"tools/lint\"\nurl = \"repos/lint\"\npolicy = \"strict.toml\"\n[repository.attestations.legal-review]\nsigned_by = \"Legal\"\ndate = 2026-10-01\n",
        )
        .unwrap();
        assert_eq!(catalog.policy.as_deref(), Some(Path::new("/srv/ospo.toml")));
        let [sdk, lint] = &catalog.repositories[..] else { panic!("two entries") };
        assert_eq!((sdk.name.as_str(), sdk.line, sdk.team.as_deref()), ("payments/sdk", 3, Some("payments")));
        assert_eq!(sdk.target, Target::Remote("https://git.example.com/payments/sdk.git".to_owned()));
        assert_eq!(lint.target, Target::Local(PathBuf::from("/srv/repos/lint")));
        assert_eq!(lint.policy.as_deref(), Some(Path::new("/srv/strict.toml")));
        assert_eq!(lint.attestations.as_ref().unwrap()["legal-review"].signer.as_deref(), Some("Legal"));
    }

    #[test]
    fn malformed_entries_are_named_with_their_line() {
        let text = "[[repository]]\nname = \"a\"\nurl = \"/r/a\"\n\n[[repository]]\nurl = \"/r/b\"\n\n[[repository]]\nname = \"a\"\n";
        assert_eq!(
            parse(text).unwrap_err(),
            "catalog.toml:5: repository has no `name`\ncatalog.toml:8: repository `a` has no `url`\ncatalog.toml:8: repository `a` is listed twice (first on line 1)"
        );
        assert_eq!(
            parse("[[repository]]\nname = \"a\"\nurl = \"/r/a\"\nowner = \"x\"\n").unwrap_err(),
            "catalog.toml:4: unknown field `owner`, expected one of `name`, `url`, `team`, `stage`, `branch`, `kind`, `policy`, `attestations`"
        );
        assert_eq!(parse("[[repository]\n").unwrap_err().lines().count(), 1);
        assert_eq!(
            parse("").unwrap_err(),
            "catalog.toml:1: the catalog lists no repositories (add [[repository]] tables)"
        );
    }

    #[test]
    fn shards_split_the_catalog_exactly() {
        let names: Vec<String> = (0..200).map(|i| format!("team{}/repo{i}", i % 7)).collect();
        let shards: Vec<Shard> = (1..=4).map(|k| format!("{k}/4").parse().unwrap()).collect();
        for name in &names {
            assert_eq!(shards.iter().filter(|s| s.contains(name)).count(), 1, "{name}");
        }
        let sizes: Vec<usize> = shards.iter().map(|s| names.iter().filter(|n| s.contains(n)).count()).collect();
        assert!(sizes.iter().all(|&n| (30..=70).contains(&n)), "{sizes:?}");
        for bad in ["0/3", "4/3", "3", "a/b", "1/0"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        assert_eq!("3/10".parse::<Shard>().unwrap().to_string(), "3/10");
    }
}

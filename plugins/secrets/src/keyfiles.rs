//! `secrets.key-files`: files that are credentials by their nature, found by
//! name (and, for ambiguous names, by content) at the checked commit and in
//! the history.

use fledge_sdk::conventions::is_throwaway_path;
use fledge_sdk::prelude::*;
use fledge_sdk::{HistoryBlob, Location};

use crate::Allowlist;

/// Why a file is a key file, if it is one by its name alone; `Some("")`
/// when its content must decide.
fn by_name(path: &str) -> Option<&'static str> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map_or("", |(_, ext)| ext);
    match lower.as_str() {
        "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519" | "id_ecdsa_sk" | "id_ed25519_sk" => {
            return Some("SSH private key");
        }
        ".git-credentials" => return Some("git credential store"),
        ".htpasswd" => return Some("Apache password file"),
        ".netrc" | "_netrc" | ".pgpass" | ".npmrc" | ".pypirc" | ".env" => return Some(""),
        "terraform.tfstate" => return Some("Terraform state (holds resource secrets)"),
        _ => {}
    }
    if path.to_ascii_lowercase().ends_with(".aws/credentials") {
        return Some("AWS credentials file");
    }
    if let Some(variant) = lower.strip_prefix(".env.") {
        return (!["example", "sample", "template", "dist", "defaults", "default", "schema", "tmpl", "tpl"]
            .contains(&variant))
        .then_some("");
    }
    match ext {
        "p12" | "pfx" => Some("PKCS#12 keystore"),
        "jks" | "keystore" | "bks" => Some("Java keystore"),
        "ppk" => Some("PuTTY private key"),
        "kdbx" | "kdb" => Some("KeePass database"),
        "tfstate" => Some("Terraform state (holds resource secrets)"),
        "pem" | "key" => Some(""),
        _ => None,
    }
}

/// For names that need it, whether the content makes the file a key file.
fn by_content(path: &str, text: &str) -> Option<&'static str> {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    if name.ends_with(".pem") || name.ends_with(".key") {
        return text.contains("PRIVATE KEY-----").then_some("PEM private key");
    }
    if name == ".npmrc" {
        return has_value(text, &["_authtoken", "_auth", "_password"]).then_some("npm credentials");
    }
    if name == ".pypirc" {
        return has_value(text, &["password"]).then_some("PyPI credentials");
    }
    if name == ".netrc" || name == "_netrc" {
        return text.contains("password").then_some("netrc credentials");
    }
    if name == ".pgpass" {
        return text.lines().any(|l| l.split(':').count() >= 5).then_some("PostgreSQL password file");
    }
    // .env and .env.<environment>: any variable with a real value.
    has_env_value(text).then_some("environment file with values")
}

fn has_value(text: &str, keys: &[&str]) -> bool {
    text.lines().any(|line| {
        let lower = line.to_ascii_lowercase();
        keys.iter().any(|k| lower.contains(k))
            && line.split_once('=').is_some_and(|(_, v)| {
                let v = v.trim().trim_matches(['"', '\'']);
                !v.is_empty() && !crate::rules::is_placeholder(v)
            })
    })
}

fn has_env_value(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim().trim_start_matches("export ").trim();
        if line.starts_with('#') {
            return false;
        }
        let Some((key, value)) = line.split_once('=') else { return false };
        let value = value.trim().trim_matches(['"', '\'']);
        !key.trim().is_empty() && !value.is_empty() && !crate::rules::is_placeholder(value) && value.len() >= 4
    })
}

/// What to do about keys that are probably throwaway.
pub(crate) const THROWAWAY_KEYS: &str = "Throwaway? Check that the keys in tests and examples were generated for them and never used elsewhere, then allow them in the policy (path or fingerprint, with the reason).";

pub(crate) fn check(repo: &Repo, history: Option<&[HistoryBlob]>, allow: &Allowlist) -> Result<CheckResult> {
    let head: Vec<(String, String, u64, Option<String>)> =
        repo.files()?.filter(|e| e.is_file()).map(|e| (e.id.clone(), e.path.clone(), e.size, None)).collect();
    let old =
        history.unwrap_or_default().iter().map(|b| (b.id.clone(), b.path.clone(), b.size, Some(b.commit.clone())));
    let mut found: Vec<(String, &'static str, Location, bool)> = Vec::new();
    let mut allowed = 0;
    for (id, path, size, commit) in head.iter().cloned().chain(old) {
        if repo.is_ignored(&path) {
            continue;
        }
        let Some(mut why) = by_name(&path) else { continue };
        if why.is_empty() {
            let Ok(blob) = repo.read_blob(&id, 1 << 20) else { continue };
            let Some(reason) = by_content(&path, &String::from_utf8_lossy(&blob.data)) else { continue };
            why = reason;
        }
        if allow.path(&path) {
            allowed += 1;
            continue;
        }
        let at_head = commit.is_none();
        if found.iter().any(|(known, _, location, _)| *known == id && location.path == path) {
            continue;
        }
        // The whole file is the finding.
        let mut location = Location::path(path).span(id.clone(), 0, size);
        location.commit = commit;
        found.push((id, why, location, at_head));
    }
    let allowed_note = if allowed > 0 { format!("; {allowed} allowed by the policy") } else { String::new() };
    if found.is_empty() {
        return Ok(CheckResult::pass(format!("no key or keystore files{allowed_note}")));
    }
    let at_head = found.iter().filter(|(_, _, _, head)| *head).count();
    let findings = found.iter().map(|(_, why, location, head)| {
        let place = if *head { String::new() } else { " (removed, still in history)".to_owned() };
        Finding::new(Severity::High, format!("{why}: {}{place}", location.path)).location(location.clone())
    });
    let message = format!("{} key files ({at_head} in the files){allowed_note}", found.len());
    let result = if found.iter().all(|(_, _, location, _)| is_throwaway_path(&location.path)) {
        CheckResult::warn(format!("{message}; all in tests or examples")).remediation(THROWAWAY_KEYS)
    } else {
        CheckResult::fail(message)
    };
    Ok(result.findings(findings).metric("key-files", found.len() as f64))
}

//! Committee sign-offs that can be trusted: records in
//! `.fledge/attestations.toml` signed with SSH keys (OpenSSH's SSHSIG, as
//! git signs commits), verified against the policy's allowed_signers file.
//!
//! A record binds the repository's name, the item, the decision, the date,
//! the note and the commit attested. It counts only when its signature
//! verifies with a key the allowed_signers file lists for the signer (and,
//! with a `namespaces` option, for fledge's namespace), the attested commit
//! is the checked commit or an ancestor of it, and it is not older than the
//! policy allows. The cryptography is RustCrypto's `ssh-key`; this module
//! only parses the allowed_signers lines and composes the signed message.
//! No I/O: callers read the files.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ssh_key::{HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};

/// The SSHSIG namespace of fledge's attestations: a signature made for git
/// commits or for files (`ssh-keygen -Y sign -n file`) cannot be replayed
/// as one.
pub const NAMESPACE: &str = "fledge-attestation";

/// One record of `.fledge/attestations.toml` (a table per item), or given
/// by a catalog.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttestationRecord {
    /// The signer's identity, as the allowed_signers file names it.
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "signed_by")]
    pub signer: Option<String>,
    /// The repository's name the record is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// `approved` or `rejected`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<toml::value::Datetime>,
    /// The commit attested (full id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    #[serde(default)]
    pub note: String,
    /// The armored SSHSIG signature of [`message`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

/// Attestation records by item id.
pub type AttestationRecords = BTreeMap<String, AttestationRecord>;

/// The exact bytes a record's signature covers: a JSON object with the
/// fields in a fixed order, so that nothing can be added or moved.
pub fn message(item: &str, record: &AttestationRecord) -> String {
    serde_json::json!({
        "format": "fledge-attestation/1",
        "repository": record.repository.as_deref().unwrap_or_default(),
        "item": item,
        "decision": record.decision.as_deref().unwrap_or_default(),
        "date": record.date.as_ref().map(ToString::to_string).unwrap_or_default(),
        "commit": record.commit.as_deref().unwrap_or_default(),
        "signer": record.signer.as_deref().unwrap_or_default(),
        "note": record.note,
    })
    .to_string()
}

/// Signs `record` for `item` with `key` (an OpenSSH private key), filling in
/// its signature.
pub fn sign(item: &str, record: &mut AttestationRecord, key: &str) -> Result<(), String> {
    let key = PrivateKey::from_openssh(key).map_err(|e| format!("not an OpenSSH private key: {e}"))?;
    if key.is_encrypted() {
        return Err("the private key is encrypted: give an unencrypted key file (e.g. a copy made for signing)".into());
    }
    record.signature = None;
    let signature = key
        .sign(NAMESPACE, HashAlg::Sha512, message(item, record).as_bytes())
        .and_then(|sig| sig.to_pem(LineEnding::LF))
        .map_err(|e| format!("signing failed: {e}"))?;
    record.signature = Some(signature);
    Ok(())
}

/// One line of an allowed_signers file.
#[derive(Clone, Debug)]
struct Signer {
    principals: Vec<globset::GlobMatcher>,
    namespaces: Option<Vec<globset::GlobMatcher>>,
    valid_after: Option<String>,
    valid_before: Option<String>,
    key: PublicKey,
}

/// A parsed OpenSSH allowed_signers file (see ssh-keygen(1), "ALLOWED
/// SIGNERS"): `principals [options] keytype key [comment]` per line.
#[derive(Clone, Debug, Default)]
pub struct AllowedSigners {
    signers: Vec<Signer>,
}

/// Key types OpenSSH writes, to tell the options field from the key.
fn is_key_type(word: &str) -> bool {
    word.starts_with("ssh-") || word.starts_with("ecdsa-") || word.starts_with("sk-")
}

/// Splits `text` at the first whitespace outside double quotes.
fn split_field(text: &str) -> (&str, &str) {
    let mut quoted = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => return (&text[..i], text[i..].trim_start()),
            _ => {}
        }
    }
    (text, "")
}

fn patterns(list: &str) -> Result<Vec<globset::GlobMatcher>, String> {
    list.split(',')
        .map(|p| {
            globset::GlobBuilder::new(p.trim())
                .literal_separator(false)
                .build()
                .map(|g| g.compile_matcher())
                .map_err(|e| format!("bad pattern `{p}`: {e}"))
        })
        .collect()
}

impl AllowedSigners {
    /// Parses the file's text; `Err` names the line of the first problem.
    /// `cert-authority` lines are refused (certificates are not supported).
    pub fn parse(text: &str) -> Result<AllowedSigners, String> {
        let mut signers = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let at = |why: String| format!("line {}: {why}", number + 1);
            let (principals, rest) = split_field(line);
            let (mut options, mut rest) = ("", rest);
            if !is_key_type(rest.split_whitespace().next().unwrap_or_default()) {
                (options, rest) = split_field(rest);
            }
            let mut namespaces = None;
            let (mut valid_after, mut valid_before) = (None, None);
            for option in options.split(',').filter(|o| !o.is_empty()) {
                let (name, value) = option.split_once('=').unwrap_or((option, ""));
                let value = value.trim_matches('"');
                match name.to_ascii_lowercase().as_str() {
                    "namespaces" => namespaces = Some(patterns(value).map_err(at)?),
                    "valid-after" => valid_after = Some(value.to_owned()),
                    "valid-before" => valid_before = Some(value.to_owned()),
                    "cert-authority" => return Err(at("cert-authority keys are not supported".to_owned())),
                    other => return Err(at(format!("unknown option `{other}`"))),
                }
            }
            let mut words = rest.split_whitespace();
            let key_text = format!("{} {}", words.next().unwrap_or_default(), words.next().unwrap_or_default());
            let key = PublicKey::from_openssh(&key_text).map_err(|e| at(format!("not a public key: {e}")))?;
            signers.push(Signer {
                principals: patterns(principals).map_err(at)?,
                namespaces,
                valid_after,
                valid_before,
                key,
            });
        }
        Ok(AllowedSigners { signers })
    }

    /// The keys `identity` may sign fledge attestations with on `date`
    /// (`YYYYMMDD`).
    fn keys_for<'a>(&'a self, identity: &'a str, date: &'a str) -> impl Iterator<Item = &'a PublicKey> + 'a {
        self.signers
            .iter()
            .filter(move |s| s.principals.iter().any(|p| p.is_match(identity)))
            .filter(|s| s.namespaces.as_ref().is_none_or(|ns| ns.iter().any(|n| n.is_match(NAMESPACE))))
            .filter(move |s| s.valid_after.as_deref().is_none_or(|after| date >= &after[..after.len().min(8)]))
            .filter(move |s| s.valid_before.as_deref().is_none_or(|before| date < &before[..before.len().min(8)]))
            .map(|s| &s.key)
    }
}

/// What a record is worth.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verified {
    /// Signed by an allowed signer, approving.
    Approved { signer: String, date: String },
    /// Signed by an allowed signer, rejecting.
    Rejected { signer: String, date: String },
    /// Not signed, or the signature does not hold: counts as missing.
    Invalid(String),
}

/// What verification needs besides the record.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    pub repository: &'a str,
    pub today: jiff::civil::Date,
    pub max_age_days: u32,
    /// None when the policy names no allowed_signers file.
    pub signers: Option<&'a AllowedSigners>,
    /// Whether the attested commit is the checked commit or an ancestor
    /// (`None`: not known for this commit).
    pub in_history: Option<bool>,
}

/// Verifies `record` for `item`.
pub fn verify(item: &str, record: &AttestationRecord, context: &Context<'_>) -> Verified {
    let Some(armored) = &record.signature else {
        return Verified::Invalid("not signed (`fledge attest sign` writes signed records)".to_owned());
    };
    let Some(signers) = context.signers else {
        return Verified::Invalid(
            "the policy names no allowed_signers file, so no signature can be trusted".to_owned(),
        );
    };
    let signer = record.signer.clone().unwrap_or_default();
    let Some(date) = record.date.as_ref().and_then(|d| d.to_string().parse::<jiff::civil::Date>().ok()) else {
        return Verified::Invalid("the record has no valid date".to_owned());
    };
    let Ok(signature) = SshSig::from_pem(armored) else {
        return Verified::Invalid("the signature is not an SSH signature".to_owned());
    };
    let message = message(item, record);
    let compact = date.strftime("%Y%m%d").to_string();
    let allowed: Vec<&PublicKey> = signers.keys_for(&signer, &compact).collect();
    if allowed.is_empty() {
        return Verified::Invalid(format!("`{signer}` is not an allowed signer of fledge attestations on {date}"));
    }
    if !allowed.iter().any(|key| key.verify(NAMESPACE, message.as_bytes(), &signature).is_ok()) {
        return Verified::Invalid(format!(
            "the signature does not verify with any key allowed for `{signer}` (the record was changed after signing, or signed with another key)"
        ));
    }
    if record.repository.as_deref() != Some(context.repository) {
        return Verified::Invalid(format!(
            "signed for repository `{}`, not `{}`",
            record.repository.as_deref().unwrap_or_default(),
            context.repository
        ));
    }
    match context.in_history {
        Some(true) => {}
        Some(false) => {
            return Verified::Invalid(format!(
                "the attested commit {} is not the checked commit or one of its ancestors",
                record.commit.as_deref().unwrap_or("(none)")
            ));
        }
        None => {
            return Verified::Invalid("the attested commit was not checked against this history".to_owned());
        }
    }
    let age = (context.today - date).get_days();
    if age > i32::try_from(context.max_age_days).unwrap_or(i32::MAX) {
        return Verified::Invalid(format!(
            "signed on {date}, more than {} days ago: sign it again",
            context.max_age_days
        ));
    }
    if date > context.today {
        return Verified::Invalid(format!("dated {date}, in the future"));
    }
    let date = date.to_string();
    match record.decision.as_deref() {
        Some("approved") => Verified::Approved { signer, date },
        Some("rejected") => Verified::Rejected { signer, date },
        other => Verified::Invalid(format!("unknown decision `{}`", other.unwrap_or_default())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> (String, String) {
        let key = PrivateKey::random(&mut ssh_key::rand_core::OsRng, ssh_key::Algorithm::Ed25519).unwrap();
        let public = key.public_key().to_openssh().unwrap();
        (key.to_openssh(LineEnding::LF).unwrap().to_string(), public)
    }

    fn record(commit: &str) -> AttestationRecord {
        AttestationRecord {
            signer: Some("legal@example.com".to_owned()),
            repository: Some("payments/sdk".to_owned()),
            decision: Some("approved".to_owned()),
            date: Some("2026-11-30".parse().unwrap()),
            commit: Some(commit.to_owned()),
            note: "cleared".to_owned(),
            signature: None,
        }
    }

    #[test]
    fn signed_tampered_foreign_and_expired_records() {
        let (private, public) = key();
        let signers = AllowedSigners::parse(&format!(
            "# the committee\nlegal@example.com,*@ospo.example.com namespaces=\"fledge-attestation\" {public} legal\n"
        ))
        .unwrap();
        let context = Context {
            repository: "payments/sdk",
            today: jiff::civil::date(2026, 12, 2),
            max_age_days: 30,
            signers: Some(&signers),
            in_history: Some(true),
        };
        let mut good = record("a");
        sign("trademark", &mut good, &private).unwrap();
        assert_eq!(
            verify("trademark", &good, &context),
            Verified::Approved { signer: "legal@example.com".to_owned(), date: "2026-11-30".to_owned() }
        );
        // Replayed for another item, or edited after signing.
        assert!(matches!(verify("technical-merit", &good, &context), Verified::Invalid(_)));
        let mut edited = good.clone();
        edited.decision = Some("approved".to_owned());
        edited.note = "cleared, and more".to_owned();
        assert!(
            matches!(verify("trademark", &edited, &context), Verified::Invalid(m) if m.contains("does not verify"))
        );
        // Another repository, an unrelated commit, too old.
        let other = Context { repository: "payments/other", ..context };
        assert!(
            matches!(verify("trademark", &good, &other), Verified::Invalid(m) if m.contains("signed for repository"))
        );
        let outside = Context { in_history: Some(false), ..context };
        assert!(
            matches!(verify("trademark", &good, &outside), Verified::Invalid(m) if m.contains("not the checked commit"))
        );
        let later = Context { today: jiff::civil::date(2027, 6, 1), ..context };
        assert!(matches!(verify("trademark", &good, &later), Verified::Invalid(m) if m.contains("sign it again")));
        // A key that is not allowed, and a signer the file does not name.
        let (stranger, _) = key();
        let mut forged = record("a");
        sign("trademark", &mut forged, &stranger).unwrap();
        assert!(
            matches!(verify("trademark", &forged, &context), Verified::Invalid(m) if m.contains("does not verify"))
        );
        let mut unknown = record("a");
        unknown.signer = Some("mallory@example.com".to_owned());
        sign("trademark", &mut unknown, &private).unwrap();
        assert!(
            matches!(verify("trademark", &unknown, &context), Verified::Invalid(m) if m.contains("not an allowed signer"))
        );
        // Unsigned, and no allowed signers at all.
        assert!(
            matches!(verify("trademark", &record("a"), &context), Verified::Invalid(m) if m.starts_with("not signed"))
        );
        let untrusted = Context { signers: None, ..context };
        assert!(
            matches!(verify("trademark", &good, &untrusted), Verified::Invalid(m) if m.contains("no allowed_signers"))
        );
    }

    #[test]
    fn allowed_signers_lines() {
        let (_, public) = key();
        let file = format!(
            "alice@example.com {public}\nbob@example.com valid-after=\"20270101\",namespaces=\"git\" {public} bob\n"
        );
        let signers = AllowedSigners::parse(&file).unwrap();
        assert_eq!(signers.keys_for("alice@example.com", "20261201").count(), 1);
        // Bob's key is for git only, and only from 2027.
        assert_eq!(signers.keys_for("bob@example.com", "20270201").count(), 0);
        assert!(AllowedSigners::parse("alice cert-authority ssh-ed25519 AAAA").unwrap_err().starts_with("line 1:"));
        assert!(AllowedSigners::parse("alice ssh-ed25519 not-base64").unwrap_err().contains("not a public key"));
    }
}

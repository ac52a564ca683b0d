//! `fledge attest`: committee members sign attestation records with their
//! SSH keys (`sign`), and anyone can see what each record is worth under a
//! policy (`verify`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};

use super::{RuntimeArgs, UserError, load_policy, today, write_stdout};
use crate::attest::{self, AttestationRecord};
use crate::check::{self, ATTESTATIONS_FILE};
use crate::git::{self, Target};
use crate::report::printable;
use crate::verdict::{self, Subject};

#[derive(Subcommand, Debug)]
pub enum AttestCommand {
    /// Sign an attestation item for a repository: writes a signed record to
    /// .fledge/attestations.toml in its working tree, for the maintainers
    /// to commit.
    Sign(SignArgs),
    /// Show what each attestation record of a repository is worth under a policy.
    Verify(VerifyArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Decision {
    Approved,
    Rejected,
}

#[derive(Args, Debug)]
pub struct SignArgs {
    /// The repository's working tree.
    pub repo: PathBuf,
    /// The attestation item (an [attestations] key of the policy).
    #[arg(long)]
    pub item: String,
    /// The signer's private key (OpenSSH format, unencrypted).
    #[arg(long, value_name = "PRIVATE_KEY")]
    pub key: PathBuf,
    /// The signer's identity, as the policy's allowed_signers file names it.
    #[arg(long, value_name = "IDENTITY")]
    pub signer: String,
    /// What the committee decided.
    #[arg(long, value_enum, default_value_t = Decision::Approved)]
    pub decision: Decision,
    /// A note kept with the record.
    #[arg(long, default_value = "")]
    pub note: String,
    #[command(flatten)]
    pub record: RecordArgs,
}

/// Which records: the commit, the repository's name, the policy.
#[derive(Args, Debug)]
pub struct RecordArgs {
    /// The commit attested, or whose records are verified (default HEAD).
    #[arg(long)]
    pub rev: Option<String>,
    /// The repository's name, as `fledge check --name` or the catalog gives it.
    #[arg(long)]
    pub name: Option<String>,
    /// The policy with the attestation items and allowed signers (default: the built-in one).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The repository (path or URL).
    pub repo: String,
    #[command(flatten)]
    pub record: RecordArgs,
    #[command(flatten)]
    pub runtime: RuntimeArgs,
}

pub fn run(command: &AttestCommand) -> Result<ExitCode> {
    match command {
        AttestCommand::Sign(args) => sign(args),
        AttestCommand::Verify(args) => verify(args),
    }
}

fn sign(args: &SignArgs) -> Result<ExitCode> {
    let policy = load_policy(args.record.policy.as_deref())?;
    if !policy.attestations.contains_key(&args.item) {
        let known: Vec<&str> = policy.attestations.keys().map(String::as_str).collect();
        return Err(UserError::new(format!(
            "the policy has no attestation item `{}` (items: {})",
            args.item,
            known.join(", ")
        ))
        .into());
    }
    let key = std::fs::read_to_string(&args.key)
        .map_err(|e| UserError::new(format!("cannot read key {}: {e}", args.key.display())))?;
    if !args.repo.join(".git").exists() {
        return Err(UserError::new(format!(
            "{} is not the root of a working tree: the record is written there for the maintainers to commit",
            args.repo.display()
        ))
        .into());
    }
    let target = Target::Local(args.repo.clone());
    let options = git::OpenOptions {
        cache_dir: std::env::temp_dir(),
        max_blob_bytes: 1 << 20,
        ignore: Vec::new(),
        deadline: None,
        history: git::HistoryScope::Checked,
    };
    let snapshot = Arc::new(git::open(&target, args.record.rev.as_deref(), &options)?);
    let (name, _, _, _) = check::attestation_view(&snapshot, &target, args.record.name.as_deref());
    let date: toml::value::Datetime =
        today()?.to_string().parse().context("today's date does not fit TOML (this is a bug)")?;
    let mut record = AttestationRecord {
        signer: Some(args.signer.clone()),
        repository: Some(name.clone()),
        decision: Some(
            match args.decision {
                Decision::Approved => "approved",
                Decision::Rejected => "rejected",
            }
            .to_owned(),
        ),
        date: Some(date),
        commit: Some(snapshot.commit.clone()),
        note: args.note.clone(),
        signature: None,
    };
    attest::sign(&args.item, &mut record, &key)
        .map_err(|e| UserError::new(format!("cannot sign with {}: {e}", args.key.display())))?;
    let path = args.repo.join(ATTESTATIONS_FILE);
    write_record(&path, &args.item, &record)?;
    write_stdout(&format!(
        "signed `{}` ({}) for {} at commit {} as {}; commit {}\n",
        args.item,
        record.decision.as_deref().unwrap_or_default(),
        printable(&name),
        &snapshot.commit[..12],
        printable(&args.signer),
        ATTESTATIONS_FILE
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// Replaces the record of `item` in the TOML file at `path`, keeping the
/// others; the file is written whole to a temporary file and renamed, so
/// that an interruption never leaves it half-written.
fn write_record(path: &Path, item: &str, record: &AttestationRecord) -> Result<()> {
    let mut table: toml::Table = match std::fs::read_to_string(path) {
        Ok(text) => toml::from_str(&text)
            .map_err(|e| UserError::new(format!("{} is not valid TOML; fix or remove it: {e}", path.display())))?,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => toml::Table::new(),
        Err(err) => return Err(err).with_context(|| format!("cannot read {}", path.display())),
    };
    table.insert(item.to_owned(), toml::Value::try_from(record).context("cannot write the record as TOML")?);
    let text = toml::to_string(&table).context("cannot write the records as TOML")?;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let temporary =
        tempfile::NamedTempFile::new_in(dir).with_context(|| format!("cannot write in {}", dir.display()))?;
    std::fs::write(temporary.path(), text).with_context(|| format!("cannot write {}", temporary.path().display()))?;
    temporary.persist(path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn verify(args: &VerifyArgs) -> Result<ExitCode> {
    let policy = load_policy(args.record.policy.as_deref())?;
    let target = Target::parse(&args.repo);
    let snapshot = Arc::new(git::open(&target, args.record.rev.as_deref(), &args.runtime.open_options())?);
    let (name, records, history, warnings) = check::attestation_view(&snapshot, &target, args.record.name.as_deref());
    let subject = Subject { name: &name, today: today()?, attestations: &records, history: &history };
    let mut items: Vec<&String> = policy.attestations.keys().collect();
    items.extend(records.keys().filter(|k| !policy.attestations.contains_key(*k)));
    let mut out = format!("attestations of {} at {}:\n", printable(&name), &snapshot.commit[..12]);
    for item in items {
        let status = verdict::attestation_state(&policy, &subject, item);
        let detail = match (&status.signed_by, &status.date, &status.reason) {
            (Some(by), Some(date), _) => format!("by {by} on {date}"),
            (_, _, Some(reason)) => reason.clone(),
            _ => format!("to be signed by {}", status.signers.join(" or ")),
        };
        out.push_str(&format!("  {:<8} {:<22} {}\n", status.state, item, printable(&detail)));
    }
    for warning in warnings {
        out.push_str(&format!("warning: {}\n", printable(&warning)));
    }
    write_stdout(&out)?;
    Ok(ExitCode::SUCCESS)
}

//! Getting a repository to check: a local path is opened in place; a URL is
//! mirrored (bare, heads and tags) into the cache directory and fetched again
//! on later runs. Failures are typed ([`AcquireError`]) because callers act on
//! the kind: the catalog scan retries only transient network errors.
//!
//! Credentials never appear in messages: URLs are shown without their
//! user-info, and the token is never formatted.

use std::fmt;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::time::Instant;

use git2::{AutotagOption, Cred, CredentialType, ErrorClass, ErrorCode, FetchOptions, RemoteCallbacks, Repository};
use sha2::{Digest, Sha256};

/// The environment variable holding an https token for remotes.
pub const TOKEN_ENV: &str = "FLEDGE_GIT_TOKEN";
/// The environment variable holding the user name that goes with the token.
pub const USER_ENV: &str = "FLEDGE_GIT_USER";

/// What the user asked to check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A local repository: a working tree or a bare repository.
    Local(PathBuf),
    /// A remote URL: https, http, ssh, git or file.
    Remote(String),
}

impl Target {
    /// `https://…`, `ssh://…`, `git://…`, `file://…` and scp-like
    /// `user@host:path` are remotes; anything else is a local path.
    pub fn parse(text: &str) -> Target {
        let is_scp_like = || {
            let Some((user_host, path)) = text.split_once(':') else { return false };
            user_host.contains('@') && !user_host.contains('/') && !path.starts_with("//") && !path.is_empty()
        };
        if text.contains("://") || is_scp_like() {
            Target::Remote(text.to_owned())
        } else {
            Target::Local(PathBuf::from(text))
        }
    }

    /// The target as it may be shown: paths as given, URLs without credentials.
    pub fn display(&self) -> String {
        match self {
            Target::Local(path) => path.display().to_string(),
            Target::Remote(url) => redact_url(url),
        }
    }
}

/// Why a repository could not be acquired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AcquireErrorKind {
    /// The local path does not exist.
    PathMissing,
    /// The path exists but is not a git repository.
    NotARepository,
    /// The repository has no commits.
    NoCommits,
    /// The revision does not name a commit.
    UnknownRevision,
    /// The remote could not be reached (network, DNS, refused, not found).
    Unreachable,
    /// The remote refused the credentials, or asked for some and none were given.
    Auth,
    /// The repository's objects are damaged or missing.
    Corrupt,
    /// Anything else (cache directory not writable...).
    Other,
}

impl AcquireErrorKind {
    /// The kind's stable name, as recorded in reports and the scan store.
    pub fn as_str(self) -> &'static str {
        match self {
            AcquireErrorKind::PathMissing => "path-missing",
            AcquireErrorKind::NotARepository => "not-a-repository",
            AcquireErrorKind::NoCommits => "no-commits",
            AcquireErrorKind::UnknownRevision => "unknown-revision",
            AcquireErrorKind::Unreachable => "unreachable",
            AcquireErrorKind::Auth => "auth",
            AcquireErrorKind::Corrupt => "corrupt",
            AcquireErrorKind::Other => "other",
        }
    }

    /// True for failures worth retrying later (network trouble).
    pub fn is_transient(self) -> bool {
        matches!(self, AcquireErrorKind::Unreachable)
    }
}

impl From<AcquireErrorKind> for crate::model::scan::ScanErrorKind {
    fn from(kind: AcquireErrorKind) -> Self {
        use crate::model::scan::ScanErrorKind as Scan;
        match kind {
            AcquireErrorKind::PathMissing => Scan::PathMissing,
            AcquireErrorKind::NotARepository => Scan::NotARepository,
            AcquireErrorKind::NoCommits => Scan::NoCommits,
            AcquireErrorKind::UnknownRevision => Scan::UnknownRevision,
            AcquireErrorKind::Unreachable => Scan::Unreachable,
            AcquireErrorKind::Auth => Scan::Auth,
            AcquireErrorKind::Corrupt => Scan::Corrupt,
            AcquireErrorKind::Other => Scan::Other,
        }
    }
}

/// A failure to acquire a repository, with a message fit for the user.
#[derive(Clone, Debug)]
pub struct AcquireError {
    pub kind: AcquireErrorKind,
    message: String,
}

impl AcquireError {
    pub fn new(kind: AcquireErrorKind, message: impl Into<String>) -> Self {
        AcquireError { kind, message: message.into() }
    }
}

impl fmt::Display for AcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AcquireError {}

/// Opens a local repository in place (no copy, no search of parent
/// directories). Working trees and bare repositories both work.
pub(crate) fn open_local(path: &Path) -> Result<Repository, AcquireError> {
    if !path.exists() {
        return Err(AcquireError::new(
            AcquireErrorKind::PathMissing,
            format!("repository path does not exist: {}", path.display()),
        ));
    }
    Repository::open_ext(path, git2::RepositoryOpenFlags::NO_SEARCH, &[] as &[&std::ffi::OsStr]).map_err(|err| {
        if err.code() == ErrorCode::NotFound {
            AcquireError::new(
                AcquireErrorKind::NotARepository,
                format!(
                    "not a git repository: {} (pass the root of a working tree or a bare repository)",
                    path.display()
                ),
            )
        } else {
            AcquireError::new(
                AcquireErrorKind::Corrupt,
                format!("failed to open repository {}: {}", path.display(), err.message()),
            )
        }
    })
}

/// Mirrors `url` into `cache_dir` (cloning on first use, fetching after) and
/// opens the mirror. The mirror's HEAD follows the remote's default branch.
pub(crate) fn mirror(url: &str, cache_dir: &Path, deadline: Option<Instant>) -> Result<Repository, AcquireError> {
    let shown = redact_url(url);
    let other = |what: &str, err: &dyn fmt::Display| {
        AcquireError::new(AcquireErrorKind::Other, format!("failed to {what} for {shown}: {err}"))
    };
    let mirrors = cache_dir.join("mirrors");
    fs::create_dir_all(&mirrors).map_err(|e| other(&format!("create cache directory {}", mirrors.display()), &e))?;
    let path = mirrors.join(mirror_name(url));
    // One process at a time updates a mirror; others wait for it.
    let lock_path = path.with_extension("lock");
    let lock = File::create(&lock_path).map_err(|e| other(&format!("create lock file {}", lock_path.display()), &e))?;
    lock.lock().map_err(|e| other(&format!("lock {}", lock_path.display()), &e))?;

    let fresh = !path.join("HEAD").is_file();
    let stale_prefix = format!("{}.tmp-", mirror_name(url));
    let work_path = if fresh { mirrors.join(format!("{stale_prefix}{}", std::process::id())) } else { path.clone() };
    // Partial clones of this mirror left by a killed or timed-out process:
    // nobody else works on them while we hold the lock.
    for entry in fs::read_dir(&mirrors).into_iter().flatten().flatten() {
        if entry.file_name().to_string_lossy().starts_with(&stale_prefix) {
            fs::remove_dir_all(entry.path()).map_err(|e| other("clear a stale partial clone", &e))?;
        }
    }
    // A repository on this machine is copied as `git clone --local` copies
    // it; anything that copy cannot take (a borrowing source, a damaged
    // ref) goes through a fetch, which says what is wrong.
    let linked = fresh
        && local_source(url).is_some_and(|source| match clone_local(&source, &work_path) {
            Ok(()) => true,
            Err(reason) => {
                log::debug!("{shown}: no local copy ({reason}); fetching");
                let _ = fs::remove_dir_all(&work_path);
                false
            }
        });
    if !linked {
        let repo = if fresh {
            Repository::init_bare(&work_path).map_err(|e| other("create the mirror", &e))?
        } else {
            Repository::open_bare(&work_path).map_err(|e| {
                AcquireError::new(
                    AcquireErrorKind::Corrupt,
                    format!(
                        "mirror of {shown} at {} is damaged: {} (delete it to clone afresh)",
                        path.display(),
                        e.message()
                    ),
                )
            })?
        };
        if let Err(err) = fetch(&repo, url, deadline) {
            if fresh {
                drop(repo);
                let _ = fs::remove_dir_all(&work_path);
            }
            return Err(err);
        }
    }
    if fresh {
        fs::rename(&work_path, &path).map_err(|e| other("move the new mirror into place", &e))?;
    }
    drop(lock);
    Repository::open_bare(&path).map_err(|e| other("open the mirror", &e.message()))
}

fn fetch(repo: &Repository, url: &str, deadline: Option<Instant>) -> Result<(), AcquireError> {
    let shown = redact_url(url);
    let mut remote = repo.remote_anonymous(url).map_err(|e| classify(&shown, &e, false))?;
    let mut attempts = 0u32;
    let mut asked_for_credentials = false;
    let mut callbacks = RemoteCallbacks::new();
    callbacks.credentials(|cred_url, username_from_url, allowed| {
        attempts += 1;
        asked_for_credentials = true;
        // libgit2 calls again after a refusal; give up rather than loop.
        if attempts > 3 {
            return Err(git2::Error::from_str("authentication failed"));
        }
        credentials(cred_url, username_from_url, allowed, attempts)
    });
    // Returning false stops the transfer.
    callbacks.transfer_progress(|_| deadline.is_none_or(|d| Instant::now() < d));
    let mut options = FetchOptions::new();
    options.remote_callbacks(callbacks).download_tags(AutotagOption::All).prune(git2::FetchPrune::On);
    let refspecs = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"];
    let result = remote.fetch(&refspecs, Some(&mut options), Some("fledge: fetch"));
    drop(options);
    if let Err(err) = result {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(AcquireError::new(
                AcquireErrorKind::Other,
                format!("fetch of {shown} stopped at the repository's time limit"),
            ));
        }
        return Err(classify(&shown, &err, asked_for_credentials));
    }
    // Point HEAD at the remote's default branch, so that checking "HEAD"
    // means what it means in a clone.
    let default = remote.default_branch().ok().and_then(|d| d.as_str().ok().map(str::to_owned));
    point_head(repo, default.as_deref()).map_err(|e| classify(&shown, &e, false))
}

/// Points a mirror's HEAD at the source's default branch when the mirror
/// has it, else (HEAD dangling) at `main` or `master`.
fn point_head(repo: &Repository, default: Option<&str>) -> Result<(), git2::Error> {
    if let Some(name) = default
        && repo.find_reference(name).is_ok()
    {
        repo.set_head(name)?;
    } else if repo.head().is_err() {
        for candidate in ["refs/heads/main", "refs/heads/master"] {
            if repo.find_reference(candidate).is_ok() {
                let _ = repo.set_head(candidate);
                break;
            }
        }
    }
    Ok(())
}

/// The directory a `file://` URL names, if it is one.
fn local_source(url: &str) -> Option<PathBuf> {
    let parsed = url::Url::parse(url).ok()?;
    (parsed.scheme() == "file").then(|| parsed.to_file_path().ok()).flatten()
}

/// Makes `dest` a mirror of the repository at `source` (heads, tags and
/// HEAD) the way `git clone --local` does: the object files (packs and loose
/// objects, which git never changes once written) are hard-linked, or
/// copied where a link cannot be made, instead of being packed afresh and
/// indexed again as a fetch does; a shallow source's boundary (`shallow`) is
/// copied with them. Refuses, with the reason, what a copy of the files
/// would get wrong: a source that borrows objects from another
/// (`objects/info/alternates`).
fn clone_local(source: &Path, dest: &Path) -> Result<(), String> {
    let src = Repository::open_ext(source, git2::RepositoryOpenFlags::NO_SEARCH, &[] as &[&std::ffi::OsStr])
        .map_err(|e| e.message().to_owned())?;
    let objects = src.path().join("objects");
    if objects.join("info/alternates").exists() {
        return Err("the source borrows objects from another repository".to_owned());
    }
    let repo = Repository::init_bare(dest).map_err(|e| e.message().to_owned())?;
    link_objects(&objects, &dest.join("objects")).map_err(|e| format!("copying objects: {e}"))?;
    // A shallow source's boundary goes with it, so that the mirror is known
    // to be shallow and its history said to be truncated.
    if src.is_shallow() {
        fs::copy(src.path().join("shallow"), dest.join("shallow")).map_err(|e| format!("copying `shallow`: {e}"))?;
    }
    for pattern in ["refs/heads/*", "refs/tags/*"] {
        let refs = src.references_glob(pattern).map_err(|e| e.message().to_owned())?;
        for reference in refs {
            let reference = reference.map_err(|e| e.message().to_owned())?;
            // A ref a copy cannot take as it is (a name that is not UTF-8, a
            // symbolic ref that leads nowhere) sends the mirror to a fetch.
            let name = reference.name().map_err(|e| e.message().to_owned())?.to_owned();
            // A symbolic head is copied as what it points at, as a fetch does.
            let target = reference
                .resolve()
                .ok()
                .and_then(|r| r.target())
                .ok_or_else(|| format!("{name} does not resolve to an object"))?;
            repo.reference(&name, target, true, "fledge: local clone").map_err(|e| e.message().to_owned())?;
        }
    }
    let head = src.find_reference("HEAD").ok().and_then(|h| h.symbolic_target().ok().flatten().map(str::to_owned));
    point_head(&repo, head.as_deref()).map_err(|e| e.message().to_owned())
}

/// Hard-links (or copies) the loose objects and packs under `from` into
/// `to`; temporary and lock files of a writer at work are left out.
fn link_objects(from: &Path, to: &Path) -> std::io::Result<()> {
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let is_loose_dir = name.len() == 2 && name.bytes().all(|b| b.is_ascii_hexdigit());
        if !(is_loose_dir || name == "pack") || !entry.file_type()?.is_dir() {
            continue;
        }
        let target = to.join(name);
        fs::create_dir_all(&target)?;
        for file in fs::read_dir(entry.path())? {
            let file = file?;
            let file_name = file.file_name();
            let keep = file_name.to_str().is_some_and(|n| {
                !n.starts_with("tmp") && !n.ends_with(".lock") && !n.ends_with(".keep") && !n.starts_with('.')
            });
            if !keep || !file.file_type()?.is_file() {
                continue;
            }
            let dest = target.join(&file_name);
            if fs::hard_link(file.path(), &dest).is_err() {
                fs::copy(file.path(), &dest)?;
            }
        }
    }
    Ok(())
}

fn credentials(
    url: &str,
    username_from_url: Option<&str>,
    allowed: CredentialType,
    attempt: u32,
) -> Result<Cred, git2::Error> {
    let env_user = std::env::var(USER_ENV).ok();
    if allowed.contains(CredentialType::USER_PASS_PLAINTEXT) {
        if let Ok(token) = std::env::var(TOKEN_ENV)
            && attempt == 1
        {
            let user = username_from_url.or(env_user.as_deref()).unwrap_or("x-access-token");
            return Cred::userpass_plaintext(user, &token);
        }
        if let Ok(config) = git2::Config::open_default()
            && let Ok(cred) = Cred::credential_helper(&config, url, username_from_url)
        {
            return Ok(cred);
        }
        return Err(git2::Error::from_str("no credentials"));
    }
    if allowed.contains(CredentialType::SSH_KEY) {
        return Cred::ssh_key_from_agent(username_from_url.or(env_user.as_deref()).unwrap_or("git"));
    }
    if allowed.contains(CredentialType::USERNAME) {
        return Cred::username(username_from_url.or(env_user.as_deref()).unwrap_or("git"));
    }
    if allowed.contains(CredentialType::DEFAULT) {
        return Cred::default();
    }
    Err(git2::Error::from_str("no supported credential type"))
}

/// Sorts a libgit2 failure into an [`AcquireError`] with a message that says
/// what to do.
fn classify(shown: &str, err: &git2::Error, asked_for_credentials: bool) -> AcquireError {
    let detail = redact_text(err.message());
    let lower = detail.to_lowercase();
    let auth = err.code() == ErrorCode::Auth
        || asked_for_credentials
        || lower.contains("authentication")
        || lower.contains("401")
        || lower.contains("403")
        || lower.contains("credentials");
    if auth {
        return AcquireError::new(
            AcquireErrorKind::Auth,
            format!(
                "failed to fetch {shown}: authentication required or refused ({detail}); set {TOKEN_ENV} (and {USER_ENV}) or configure a git credential helper for https, or load a key into ssh-agent for ssh"
            ),
        );
    }
    // A remote that cannot pack its own objects is damaged, not away: no
    // retry will help.
    if matches!(err.class(), ErrorClass::Odb | ErrorClass::Zlib | ErrorClass::Object)
        || lower.contains("object not found")
        || lower.contains("packfile")
    {
        return AcquireError::new(
            AcquireErrorKind::Corrupt,
            format!("failed to fetch {shown}: the repository is damaged or incomplete ({detail})"),
        );
    }
    let network =
        matches!(err.class(), ErrorClass::Net | ErrorClass::Http | ErrorClass::Ssh | ErrorClass::Os | ErrorClass::Ssl)
            || err.code() == ErrorCode::NotFound
            || lower.contains("could not find repository")
            || lower.contains("failed to resolve")
            || lower.contains("connection");
    if network {
        return AcquireError::new(
            AcquireErrorKind::Unreachable,
            format!("failed to fetch {shown}: remote unreachable ({detail})"),
        );
    }
    AcquireError::new(AcquireErrorKind::Other, format!("failed to fetch {shown}: {detail}"))
}

/// Removes partial clones (`<mirror>.tmp-<pid>`) in `cache_dir` whose
/// process is gone (killed, or stopped by a timeout); returns how many.
pub fn clean_stale_mirrors(cache_dir: &Path) -> usize {
    let mut removed = 0;
    for entry in fs::read_dir(cache_dir.join("mirrors")).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((_, pid)) = name.rsplit_once(".tmp-") else { continue };
        let alive = pid
            .parse::<u32>()
            .is_ok_and(|pid| pid == std::process::id() || Path::new("/proc").join(pid.to_string()).exists());
        if !alive && fs::remove_dir_all(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// The directory name of a URL's mirror: readable, and unique by a hash of
/// the URL without credentials.
fn mirror_name(url: &str) -> String {
    let clean = redact_url(url);
    let digest = Sha256::digest(clean.as_bytes());
    let readable: String = clean
        .split("://")
        .last()
        .unwrap_or(&clean)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' })
        .take(80)
        .collect();
    format!("{}-{}.git", readable.trim_matches('_'), hex::encode(&digest[..6]))
}

/// `https://user:secret@host/path` → `https://host/path`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
    let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    if path.is_empty() && !rest.contains('/') {
        format!("{scheme}://{host}")
    } else {
        format!("{scheme}://{host}/{path}")
    }
}

/// Removes the configured token and any URL user-info from a message.
pub fn redact_text(text: &str) -> String {
    let mut out = text.to_owned();
    if let Ok(token) = std::env::var(TOKEN_ENV)
        && token.len() >= 4
    {
        out = out.replace(&token, "***");
    }
    let mut result = String::with_capacity(out.len());
    for word in out.split_inclusive(char::is_whitespace) {
        if word.contains("://") && word.contains('@') {
            result.push_str(&redact_url(word.trim_end()));
            result.push_str(&word[word.trim_end().len()..]);
        } else {
            result.push_str(word);
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(Target::parse("../repo"), Target::Local(PathBuf::from("../repo")));
        assert_eq!(Target::parse("C:x"), Target::Local(PathBuf::from("C:x")));
        assert!(matches!(Target::parse("git@example.com:team/x.git"), Target::Remote(_)));
        assert!(matches!(Target::parse("file:///srv/x.git"), Target::Remote(_)));
    }

    #[test]
    fn urls_lose_credentials() {
        assert_eq!(redact_url("https://bob:s3cret@git.example.com/a/b.git"), "https://git.example.com/a/b.git");
        assert_eq!(redact_url("https://git.example.com"), "https://git.example.com");
        assert_eq!(redact_text("failed for https://tok@h.example/x: 401"), "failed for https://h.example/x: 401");
        let name = mirror_name("https://bob:pw@git.example.com/team/proj.git");
        assert!(name.starts_with("git.example.com_team_proj.git-"), "{name}");
        assert!(!name.contains("pw"));
    }
}

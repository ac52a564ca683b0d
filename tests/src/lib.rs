//! Test support for fledge: git repositories built with git2 in a temporary
//! directory ([`RepoBuilder`]), and the paths of the test plugins built by
//! this crate's build script.

#![allow(clippy::disallowed_macros)] // test and benchmark code reports on stdout and stderr
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use git2::{IndexEntry, IndexTime, Oid, Repository, Signature, Time};
use tempfile::TempDir;

pub mod polyglot;
pub mod synthetic;

include!(concat!(env!("OUT_DIR"), "/test_plugins.rs"));

/// A day in seconds.
pub const DAY: i64 = 86_400;
/// The built-in graduation policy, to extend in tests.
pub const DEFAULT_POLICY: &str = include_str!("../../host/src/policy/default.toml");

/// 2026-01-01T00:00:00Z, the default time of the first commit.
pub const EPOCH: i64 = 1_767_225_600;

#[derive(Clone, Debug)]
enum Entry {
    Blob(u32, Vec<u8>),
    Submodule(Oid),
}

/// Builds a git repository commit by commit, writing objects directly (no
/// working-tree checkout). Commits get increasing times from [`EPOCH`]
/// unless given one.
pub struct RepoBuilder {
    dir: TempDir,
    repo: Repository,
    files: BTreeMap<Vec<u8>, Entry>,
    time: i64,
    author: (String, String),
}

impl RepoBuilder {
    /// A repository with a working tree, on branch `main`.
    pub fn new() -> RepoBuilder {
        Self::init(false)
    }

    /// A bare repository, on branch `main`.
    pub fn bare() -> RepoBuilder {
        Self::init(true)
    }

    fn init(bare: bool) -> RepoBuilder {
        let dir = tempfile::Builder::new().prefix("fledge-fixture-").tempdir().unwrap();
        let mut options = git2::RepositoryInitOptions::new();
        options.bare(bare).initial_head("main");
        let repo = Repository::init_opts(dir.path(), &options).unwrap();
        RepoBuilder {
            dir,
            repo,
            files: BTreeMap::new(),
            time: EPOCH,
            author: ("Alice Example".to_owned(), "alice@example.com".to_owned()),
        }
    }

    /// The repository's directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The repository's directory as a string (for command lines).
    pub fn arg(&self) -> String {
        self.path().display().to_string()
    }

    /// A `file://` URL of the repository.
    pub fn url(&self) -> String {
        format!("file://{}", self.path().display())
    }

    /// The git2 handle, for what the builder does not cover.
    pub fn repo(&self) -> &Repository {
        &self.repo
    }

    /// Stages a regular file for the next commit.
    pub fn file(&mut self, path: &str, contents: impl AsRef<[u8]>) -> &mut Self {
        self.files.insert(path.as_bytes().to_vec(), Entry::Blob(0o100644, contents.as_ref().to_vec()));
        self
    }

    /// Stages an executable file.
    pub fn executable(&mut self, path: &str, contents: impl AsRef<[u8]>) -> &mut Self {
        self.files.insert(path.as_bytes().to_vec(), Entry::Blob(0o100755, contents.as_ref().to_vec()));
        self
    }

    /// Stages a symbolic link to `target`.
    pub fn symlink(&mut self, path: &str, target: &str) -> &mut Self {
        self.files.insert(path.as_bytes().to_vec(), Entry::Blob(0o120000, target.as_bytes().to_vec()));
        self
    }

    /// Stages a submodule (gitlink) pointing at `commit`.
    pub fn submodule(&mut self, path: &str, commit: &str) -> &mut Self {
        self.files.insert(path.as_bytes().to_vec(), Entry::Submodule(Oid::from_str(commit).unwrap()));
        self
    }

    /// Stages a file whose path is raw bytes (which need not be UTF-8).
    pub fn file_raw_path(&mut self, path: &[u8], contents: impl AsRef<[u8]>) -> &mut Self {
        self.files.insert(path.to_vec(), Entry::Blob(0o100644, contents.as_ref().to_vec()));
        self
    }

    /// Removes a file from the next commit.
    pub fn remove(&mut self, path: &str) -> &mut Self {
        self.files.remove(path.as_bytes());
        self
    }

    /// Sets the author of the following commits.
    pub fn author(&mut self, name: &str, email: &str) -> &mut Self {
        self.author = (name.to_owned(), email.to_owned());
        self
    }

    /// Commits the staged files one hour after the previous commit.
    pub fn commit(&mut self, message: &str) -> String {
        let time = self.time + 3600;
        self.commit_at(message, time)
    }

    /// Commits the staged files at `time` (seconds since the epoch).
    pub fn commit_at(&mut self, message: &str, time: i64) -> String {
        self.time = time;
        let mut index = git2::Index::new().unwrap();
        for (path, entry) in &self.files {
            let mut index_entry = IndexEntry {
                ctime: IndexTime::new(0, 0),
                mtime: IndexTime::new(0, 0),
                dev: 0,
                ino: 0,
                mode: 0,
                uid: 0,
                gid: 0,
                file_size: 0,
                id: Oid::ZERO_SHA1,
                flags: 0,
                flags_extended: 0,
                path: path.clone(),
            };
            match entry {
                Entry::Blob(mode, data) => {
                    index_entry.mode = *mode;
                    index_entry.id = self.repo.blob(data).unwrap();
                    index_entry.file_size = u32::try_from(data.len()).unwrap_or(u32::MAX);
                }
                Entry::Submodule(commit) => {
                    index_entry.mode = 0o160000;
                    index_entry.id = *commit;
                }
            }
            index.add(&index_entry).unwrap();
        }
        let tree_id = index.write_tree_to(&self.repo).unwrap();
        let tree = self.repo.find_tree(tree_id).unwrap();
        let signature = Signature::new(&self.author.0, &self.author.1, &Time::new(time, 0)).unwrap();
        let parent = self.repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        let id = self.repo.commit(Some("HEAD"), &signature, &signature, message, &tree, &parents).unwrap();
        id.to_string()
    }

    /// Tags HEAD; annotated tags get a tagger at the commit's time.
    pub fn tag(&mut self, name: &str, annotated: bool) -> &mut Self {
        {
            let head = self.repo.head().unwrap().peel_to_commit().unwrap();
            if annotated {
                let signature = Signature::new(&self.author.0, &self.author.1, &Time::new(self.time, 0)).unwrap();
                self.repo.tag(name, head.as_object(), &signature, &format!("release {name}"), false).unwrap();
            } else {
                self.repo.tag_lightweight(name, head.as_object(), false).unwrap();
            }
        }
        self
    }

    /// Creates branch `name` at HEAD and makes it HEAD: later commits go there.
    pub fn branch(&mut self, name: &str) -> &mut Self {
        {
            let head = self.repo.head().unwrap().peel_to_commit().unwrap();
            self.repo.branch(name, &head, false).unwrap();
        }
        self.checkout(name)
    }

    /// Makes branch `name` HEAD (the staged files stay as they are).
    pub fn checkout(&mut self, name: &str) -> &mut Self {
        self.repo.set_head(&format!("refs/heads/{name}")).unwrap();
        self
    }

    /// The file of loose object `id` (fixtures are written loose).
    pub fn loose_object(&self, id: &str) -> PathBuf {
        self.repo.path().join("objects").join(&id[..2]).join(&id[2..])
    }

    /// The blob id of `contents`.
    pub fn blob_id(contents: impl AsRef<[u8]>) -> String {
        Oid::hash_object(git2::ObjectType::Blob, contents.as_ref()).unwrap().to_string()
    }

    /// Writes a file into the working tree only (not committed).
    pub fn write_worktree(&self, path: &str, contents: &str) {
        let full = self.path().join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(full, contents).unwrap();
    }

    /// Keeps the directory after the builder is dropped (for debugging).
    pub fn keep(self) -> PathBuf {
        self.dir.keep()
    }
}

impl Default for RepoBuilder {
    fn default() -> Self {
        Self::new()
    }
}

/// Files of a well-run project, as public projects lay them out.
pub fn well_governed(builder: &mut RepoBuilder) -> &mut RepoBuilder {
    builder
        .file("README.md", WELL_RUN_README)
        .file("LICENSE", MIT_LICENSE)
        .file("CONTRIBUTING.md", "# Contributing\n\nOpen a pull request; run `cargo test` first.\n")
        .file("CHANGELOG.md", "# Changelog\n\n## 1.0.0\n\n- First release.\n")
        .file("CODE_OF_CONDUCT.md", "# Contributor Covenant Code of Conduct\n\nReport to conduct@example.com.\n")
        .file("SECURITY.md", "# Security\n\nReport vulnerabilities to security@example.com.\n")
        .file("GOVERNANCE.md", "# Governance\n\nMaintainers decide by lazy consensus.\n")
        .file(".github/CODEOWNERS", "* @alice @bob\n")
        .file(".github/ISSUE_TEMPLATE/bug_report.md", "---\nname: Bug report\n---\n")
        .file(".github/PULL_REQUEST_TEMPLATE.md", "## What does this change?\n")
        .file("docs/guide.md", "# Guide\n\nHow to use widget.\n")
        .file("src/lib.rs", "//! Widget.\npub fn widget() {}\n")
}

/// A README with the sections a public project needs.
pub const WELL_RUN_README: &str = "# Widget\n\nWidget turns the configuration of a service into a deployable \
bundle. It is used by several teams and is ready for anyone who needs the same thing. This document explains how \
to install it, how to use it from the command line and from a build pipeline, and how to build it from source if \
you want to change it.\n\n## Installation\n\nDownload the latest release from the releases page and put the binary \
on your path. You can also install it with the package manager of your platform, which keeps it up to date for \
you.\n\n## Usage\n\nRun `widget build` in the directory that holds your service. The tool reads the configuration, \
checks it, and writes the bundle to the output folder. Use the `--help` flag to see every option.\n\n## Building\n\n\
You need a recent compiler. Run the tests before you open a pull request so that the reviewers can focus on the \
change itself.\n\n## Contributing\n\nSee CONTRIBUTING.md.\n\n## License\n\nMIT, see LICENSE.\n";

/// The MIT license text with a copyright line.
pub const MIT_LICENSE: &str = "MIT License\n\nCopyright (c) 2026 Example Corp.\n\nPermission is hereby granted, free of \
charge, to any person obtaining a copy\nof this software and associated documentation files (the \"Software\"), to \
deal\nin the Software without restriction, including without limitation the rights\nto use, copy, modify, merge, \
publish, distribute, sublicense, and/or sell\ncopies of the Software, and to permit persons to whom the Software is\n\
furnished to do so, subject to the following conditions:\n\nThe above copyright notice and this permission notice \
shall be included in all\ncopies or substantial portions of the Software.\n\nTHE SOFTWARE IS PROVIDED \"AS IS\", \
WITHOUT WARRANTY OF ANY KIND, EXPRESS OR\nIMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,\n\
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE\nAUTHORS OR COPYRIGHT HOLDERS BE LIABLE \
FOR ANY CLAIM, DAMAGES OR OTHER\nLIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,\nOUT \
OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE\nSOFTWARE.\n";

/// A well-run project: [`well_governed`] files plus CI with pinned actions,
/// tests, a manifest with its lockfile, Dependabot, a security contact and
/// a year of commits by three people in two organisations, with releases.
pub fn well_run() -> RepoBuilder {
    let mut repo = RepoBuilder::new();
    well_governed(&mut repo)
        .file("Cargo.toml", "[package]\nname = \"widget\"\nversion = \"1.1.0\"\nedition = \"2024\"\nlicense = \"MIT\"\n")
        .file("Cargo.lock", "# This file is automatically @generated by Cargo.\nversion = 4\n")
        .file("src/main.rs", "fn main() {\n    println!(\"widget\");\n}\n")
        .file("tests/cli.rs", "#[test]\nfn runs() {}\n")
        .file(".gitignore", "/target\n")
        .file(".github/dependabot.yml", "version: 2\nupdates:\n  - package-ecosystem: cargo\n    directory: /\n    schedule:\n      interval: weekly\n")
        .file(
            ".github/workflows/ci.yml",
            "on: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: cargo test\n",
        )
        .file("MAINTAINERS.md", "# Maintainers\n\n- Alice Example <alice@a.example>\n- Bob Builder <bob@b.example>\n");
    let people =
        [("Alice Example", "alice@a.example"), ("Bob Builder", "bob@b.example"), ("Carol Coder", "carol@a.example")];
    for day in 0..60 {
        let (name, email) = people[day % 3];
        repo.author(name, email);
        repo.file("src/history.txt", format!("change {day}"));
        let changelog = format!("# Changelog\n\n## 1.{}.0\n\n- Release.\n", day / 30);
        repo.file("CHANGELOG.md", changelog);
        repo.commit_at(&format!("change {day}"), EPOCH + day as i64 * 3 * DAY);
        if day % 30 == 29 {
            repo.tag(&format!("v1.{}.0", day / 30), true);
        }
    }
    repo
}

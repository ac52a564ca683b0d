//! A plugin that misbehaves on request, to test the sandbox. It reads the
//! file `hostile.txt` of the repository under check and does what it says:
//! `loop`, `alloc`, `open-file`, `env`, `network`, `clock`, `flood`,
//! `stdout-flood`, `panic`, `bad-score`, `read-all`, `history` (reads the
//! commit log, which a policy may deny), `host-loop` (calls the host
//! forever), `other-ref` (asks for content outside the checked history).

#![allow(clippy::disallowed_macros)] // test and benchmark code reports on stdout and stderr

use std::hint::black_box;

use fledge_sdk::prelude::*;

#[derive(Default)]
pub struct Hostile;

impl Plugin for Hostile {
    fn checks() -> CheckTable<Self> {
        CheckTable::<Self>::new(PluginMeta::new("hostile", "0.1.0").description("misbehaves on request").reads(&[
            Capability::Tree,
            Capability::Contents,
            Capability::History,
        ]))
        .check(
            CheckMeta::new("hostile.act", "does what hostile.txt says").rationale("test").remediation("none"),
            |_, check| act(check),
        )
    }
}

fledge_sdk::export_plugin!(Hostile);

fn act(check: &Check<'_>) -> Result<CheckResult> {
    let repo = check.repo();
    let mode = repo.read_text("hostile.txt")?.unwrap_or_default();
    let mode = mode.trim();
    Ok(match mode {
        "loop" => {
            let mut n: u64 = 0;
            loop {
                n = black_box(n.wrapping_add(1));
            }
        }
        "alloc" => {
            let big = vec![1u8; 1 << 30];
            CheckResult::pass(format!("allocated {}", black_box(big).len()))
        }
        "open-file" => match std::fs::read("/etc/passwd") {
            Ok(data) => CheckResult::fail(format!("read {} bytes of /etc/passwd", data.len())),
            Err(err) => CheckResult::pass(format!("open refused: {err}")),
        },
        "env" => {
            let vars: Vec<String> = std::env::vars().map(|(k, _)| k).collect();
            let home = std::env::var("HOME").ok();
            if vars.is_empty() && home.is_none() {
                CheckResult::pass("no environment")
            } else {
                CheckResult::fail(format!("saw {} variables", vars.len()))
            }
        }
        "network" => match std::net::TcpStream::connect("127.0.0.1:80") {
            Ok(_) => CheckResult::fail("connected"),
            Err(err) => CheckResult::pass(format!("connect refused: {err}")),
        },
        "clock" => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or_default();
            CheckResult::pass(format!("clock says {now}, commit time {}", repo.head().time))
        }
        "flood" => CheckResult::fail("flood")
            .findings((0..100_000).map(|i| Finding::new(Severity::Low, format!("finding {i}")).at("x").line(i))),
        "stdout-flood" => {
            let line = "x".repeat(1000);
            for _ in 0..10_000 {
                println!("{line}");
            }
            CheckResult::pass("printed 10 MB")
        }
        "panic" => panic!("hostile plugin panics on purpose"),
        "bad-score" => {
            let mut result = CheckResult::pass("score out of range");
            result.score = 200;
            result
        }
        "read-all" => {
            let mut total = 0u64;
            for _ in 0..1000 {
                match repo.read("hostile.txt", u64::MAX) {
                    Ok(blob) => total += blob.data.len() as u64,
                    Err(err) => return Ok(CheckResult::pass(format!("after {total} bytes: {err}"))),
                }
            }
            CheckResult::fail(format!("read {total} bytes without limit"))
        }
        "history" => match repo.commits().next() {
            Some(Err(err)) => CheckResult::pass(format!("history refused: {err}")),
            Some(Ok(commit)) => CheckResult::fail(format!("read commit {}", commit.id)),
            None => CheckResult::fail("no commits"),
        },
        "host-loop" => {
            let head = repo.head().commit;
            loop {
                let _ = black_box(repo.entry_at(&head, "hostile.txt"));
                let _ = black_box(repo.commits().count());
            }
        }
        "other-ref" => {
            let mut refused = Vec::new();
            for revision in ["refs/heads/other", "other", ":/secret", "HEAD~1", "HEAD"] {
                match repo.entry_at(revision, "secret.txt") {
                    Ok(Some(entry)) => return Ok(CheckResult::fail(format!("read {} at {revision}", entry.id))),
                    Ok(None) => refused.push(format!("{revision}: none")),
                    Err(err) => refused.push(format!("{revision}: {err}")),
                }
            }
            CheckResult::pass(refused.join("; "))
        }
        other => CheckResult::skip(format!("unknown mode `{other}`")),
    })
}

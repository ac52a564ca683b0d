use fledge_sdk::testing::MemRepo;
use fledge_sdk::{Gap, GapKind};
use fledge_sdk::{Plugin, Severity, Status};
use serde_json::json;

use crate::Secrets;
use crate::internal::Internal;
use std::collections::HashSet;

use crate::rules::{RULES, Rule, Shape};
use crate::samples::SAMPLES;
use crate::scan::Scanner;

fn scanner() -> Scanner {
    Scanner::new(Internal::new(&[], &[], &[], true).unwrap(), Default::default()).unwrap()
}

fn rules_hit(text: &str) -> Vec<&'static str> {
    scanner().credentials("config/app.conf", text.as_bytes()).iter().map(|h| RULES[h.rule].id).collect()
}

/// A true sample of `rule` and near misses it must not match: written by
/// hand for a pattern written by hand, else made from the rule's shape.
fn sample_of(rule: &Rule) -> (String, Vec<String>) {
    let mut random = Random::new(rule.id);
    match rule.shape {
        Shape::Custom => {
            let Some((_, parts, near_miss)) = SAMPLES.iter().find(|(id, _, _)| *id == rule.id) else {
                panic!("no sample for {}", rule.id);
            };
            (parts.concat(), vec![(*near_miss).to_owned()])
        }
        Shape::Token { prefix, class, min, .. } => {
            let body = random.body(class, min);
            let short = random.body(class, min).chars().skip(1).collect::<String>();
            let mut misses = vec![format!("value = {prefix}{short}\n")];
            if prefix.starts_with(|c: char| c.is_ascii_alphanumeric()) {
                misses.push(format!("value = x{prefix}{body}\n"));
            }
            (format!("value = {prefix}{body}\n"), misses)
        }
        Shape::Keyed { keyword, prefix, class, min, .. } => {
            let body = random.body(class, min);
            let short = random.body(class, min).chars().skip(1).collect::<String>();
            let misses = vec![
                format!("value = \"{prefix}{body}\"\n"),
                format!("{keyword}_key = \"{prefix}{short}\"\n"),
                format!("{keyword}_key = \"${{{}}}\"\n", keyword.to_ascii_uppercase()),
            ];
            (format!("{keyword}_key = \"{prefix}{body}\"\n"), misses)
        }
    }
}

/// Deterministic characters for samples (xorshift, seeded by the rule id).
struct Random(u64);

impl Random {
    fn new(seed: &str) -> Random {
        Random(seed.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)))
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// `len` characters of a regex class body (`A-Za-z0-9_\-`), or a UUID.
    fn body(&mut self, class: &str, len: usize) -> String {
        if class == "uuid" {
            let hex = self.body("a-f0-9", 32);
            return format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..]);
        }
        let bytes = class.as_bytes();
        let mut chars = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'\\' {
                chars.push(bytes[i + 1]);
                i += 2;
            } else if bytes.get(i + 1) == Some(&b'-') && i + 2 < bytes.len() {
                chars.extend(bytes[i]..=bytes[i + 2]);
                i += 3;
            } else {
                chars.push(bytes[i]);
                i += 1;
            }
        }
        (0..len).map(|_| char::from(chars[(self.next() % chars.len() as u64) as usize])).collect()
    }
}

#[test]
fn at_least_250_rules_each_with_a_true_sample_and_near_misses() {
    assert!(RULES.len() >= 250, "{} rules", RULES.len());
    let mut ids = HashSet::new();
    for rule in RULES.iter() {
        assert!(ids.insert(rule.id), "two rules are called {}", rule.id);
        let (sample, misses) = sample_of(rule);
        assert!(rules_hit(&sample).contains(&rule.id), "{} does not match its sample {sample:?}", rule.id);
        for miss in misses {
            assert!(!rules_hit(&miss).contains(&rule.id), "{} matches its near miss {miss:?}", rule.id);
        }
    }
    // Hand-made samples are for hand-written patterns only.
    for (id, _, _) in SAMPLES {
        let rule = RULES.iter().find(|r| r.id == *id).unwrap_or_else(|| panic!("sample for no rule: {id}"));
        assert!(matches!(rule.shape, Shape::Custom), "{id} has a shape; its sample is made from it");
    }
}

#[test]
fn github_and_npm_tokens_are_verified_by_their_checksum() {
    // Published examples of valid classic tokens, and one mistyped.
    let valid = ["ghp_", "M7H4jxUDDWHP4kZ6A4dx", "lQYsQIWJuq11T4V4"].concat();
    let padded = ["ghp_", "QdwULL38u41vs1OcAjhK", "qcaSZ9W63r0Zu4ln"].concat();
    let mistyped = ["ghp_", "M7H4jxUDDWHP4kZ6A4dx", "lQYsQIWJuq11T4V3"].concat();
    assert_eq!(rules_hit(&format!("token = {valid}\n")), ["github-pat"]);
    assert_eq!(rules_hit(&format!("token = {padded}\n")), ["github-pat"]);
    assert_eq!(rules_hit(&format!("token = {mistyped}\n")), Vec::<&str>::new());
    // Nor is it a generic secret once quoted: its format says what it is.
    assert_eq!(rules_hit(&format!("token = '{mistyped}'\n")), Vec::<&str>::new());
    assert_eq!(rules_hit(&format!("token = '{valid}'\n")), ["github-pat"]);
    // A made-up npm token (right shape, no checksum) is not one.
    let made_up = ["npm_", "hDFLGWrhhhz4iILo3o", "jQKDVzk80b8OySAM1M"].concat();
    assert_eq!(rules_hit(&format!("//registry.npmjs.org/:_authToken={made_up}\n")), Vec::<&str>::new());
}

#[test]
fn a_provider_keyword_must_be_a_word_of_the_name() {
    let value = ["abcd1x9k2m", "3n4p5q6r7s8t9v2w"].concat();
    assert_eq!(rules_hit(&format!("pub HalSetSystemInformation: {}\n", &value[..24])), Vec::<&str>::new());
    assert_eq!(rules_hit(&format!("myEtsyKey = \"{}\"\n", &value[..24])), ["etsy-api-key"]);
    assert_eq!(rules_hit(&format!("ETSY_KEY = \"{}\"\n", &value[..24])), ["etsy-api-key"]);
}

#[test]
fn a_provider_key_is_one_finding_not_also_a_generic_one() {
    let line = ["twilio_auth_token = \"", "8e0f3c1d6b2a4f9e", "7c5d1a0b3e6f2d4c", "\"\n"].concat();
    assert_eq!(rules_hit(&line), ["twilio-auth-token"]);
}

#[test]
fn secrets_are_never_shown_whole() {
    for rule in RULES.iter() {
        let (sample, _) = sample_of(rule);
        let id = rule.id;
        for hit in scanner().credentials("config/app.conf", sample.as_bytes()) {
            let secret_body: String = sample.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
            let shown: String = hit.excerpt.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
            // The excerpt keeps a short prefix at most.
            assert!(!shown.contains(&secret_body[secret_body.len().saturating_sub(24)..]), "{id}: {}", hit.excerpt);
            assert!(!hit.fingerprint.is_empty() && !sample.contains(&hit.fingerprint));
        }
    }
}

#[test]
fn placeholders_and_allow_markers_are_not_findings() {
    let text = concat!(
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
        "password = \"xxxxxxxxxxxx\"\n",
        "token = \"${GITHUB_TOKEN}\"\n",
        "api_key = \"<your-api-key>\"\n",
        "secret = \"{{ vault_secret }}\"\n",
    );
    assert_eq!(rules_hit(text), Vec::<&str>::new());
    let token = ["ghp_", "Zr8kP2mQ7vX4nB9cT1wL", "5yH3jD6fG0116Nxq"].concat();
    assert_eq!(rules_hit(&format!("token = {token}\n")), ["github-pat"]);
    assert_eq!(rules_hit(&format!("token = {token}  # fledge:allow\n")), Vec::<&str>::new());
}

fn aws_key() -> String {
    ["AKIA", "Q3ZT7RW5", "HN2KLMPY"].concat()
}

#[test]
fn a_secret_committed_then_deleted_is_found_in_history_only() {
    let repo = MemRepo::new()
        .file("README.md", "# app")
        .historic_file(
            "config/prod.env",
            format!("# prod\nAWS_ACCESS_KEY_ID={}\n", aws_key()),
            "c0ffee0000000000000000000000000000000001",
        )
        .commit_by("Alice", "alice@example.com", 1_700_000_000);
    assert_eq!(repo.run::<Secrets>("secrets.credentials-head").status, Status::Pass);
    let history = repo.run::<Secrets>("secrets.credentials-history");
    assert_eq!(history.status, Status::Fail);
    assert!(history.message.starts_with("1 credentials in the history (0 still in the files)"), "{}", history.message);
    let finding = &history.findings[0];
    assert_eq!(finding.severity, Severity::Critical);
    assert_eq!(
        finding.message,
        "AWS access key id in config/prod.env:2, introduced in commit c0ffee0000 (removed from the files, still in history): AWS_ACCESS_KEY_ID=AKIA…[20 chars]"
    );
    assert_eq!(finding.locations[0].path, "config/prod.env");
    assert_eq!(finding.locations[0].line, Some(2));
    assert_eq!(finding.locations[0].commit.as_deref(), Some("c0ffee0000000000000000000000000000000001"));
    assert!(!format!("{history:?}").contains(&aws_key()), "the secret leaked into the result");
}

#[test]
fn one_secret_in_many_places_is_one_finding() {
    let key = aws_key();
    let repo = MemRepo::new()
        .file("a/settings.py", format!("KEY = '{key}'\n"))
        .file("b/deploy.sh", format!("export AWS_ACCESS_KEY_ID={key}\n"))
        .historic_file("old/config.ini", format!("[aws]\nid={key}\n"), "1111111111111111111111111111111111111111");
    let head = repo.run::<Secrets>("secrets.credentials-head");
    assert_eq!(head.status, Status::Fail);
    assert_eq!(head.findings.len(), 1, "{:?}", head.findings);
    assert_eq!(head.findings[0].locations.len(), 2);
    let history = repo.run::<Secrets>("secrets.credentials-history");
    assert_eq!(history.findings.len(), 1);
    let paths: Vec<&str> = history.findings[0].locations.iter().map(|l| l.path.as_str()).collect();
    assert_eq!(paths, ["old/config.ini", "a/settings.py", "b/deploy.sh"]);
}

#[test]
fn the_policy_allowlist_needs_a_reason() {
    let key = aws_key();
    let repo = MemRepo::new().file("tests/fixtures/creds.txt", format!("{key}\n")).file("src/app.py", "x = 1\n");
    let by_path = repo.run_with::<Secrets>(
        "secrets.credentials-head",
        json!({"allow": [{"paths": ["tests/fixtures/**"], "reason": "revoked test key"}]}),
    );
    assert_eq!(by_path.status, Status::Pass);
    assert!(by_path.message.ends_with("; 1 allowed by the policy"), "{}", by_path.message);
    let fingerprint = repo.run::<Secrets>("secrets.credentials-head").findings[0].fingerprint.clone().unwrap();
    let by_fingerprint = repo.run_with::<Secrets>(
        "secrets.credentials-head",
        json!({"allow": [{"fingerprints": [fingerprint], "reason": "revoked 2026-01"}]}),
    );
    assert_eq!(by_fingerprint.status, Status::Pass);
    let in_tests = MemRepo::new().file("tests/fixtures/creds.txt", format!("{key}\n"));
    let result = in_tests.run::<Secrets>("secrets.credentials-head");
    assert_eq!(result.status, Status::Warn);
    assert!(result.message.ends_with("; all in tests or examples"), "{}", result.message);
    let no_reason =
        repo.run_with::<Secrets>("secrets.credentials-head", json!({"allow": [{"paths": ["x"], "reason": ""}]}));
    assert_eq!((no_reason.status, no_reason.message.as_str()), (Status::Error, "every `allow` entry needs a `reason`"));
}

#[test]
fn binary_and_oversize_blobs_are_counted_and_reported_as_unread() {
    let big = format!("{}\nGITHUB_TOKEN=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\n", "a".repeat(3 << 20));
    let repo = MemRepo::new()
        .file("bin/tool", b"\x7fELF\x02\x01\x01\x00\x00\x00")
        .file("big.txt", &big)
        .file("ok.txt", "hello\n");
    // Large text is read in pieces: the token at its end is found.
    let result = repo.run::<Secrets>("secrets.credentials-head");
    assert_eq!(result.status, Status::Fail);
    assert_eq!(result.findings[0].locations[0].line, Some(2));
    assert_eq!(result.unread, [Gap::new(GapKind::Binary, "bin/tool", "binary content").bytes(10)]);
    // With a bound of its own, the plugin says what it left out.
    let bounded = repo.run_with::<Secrets>("secrets.credentials-head", json!({"max_blob_bytes": 1_000_000}));
    assert_eq!(bounded.findings.last().unwrap().message, "not scanned: 1 binary, 1 over the size limit blobs");
    let kinds: Vec<(GapKind, &str)> = bounded.unread.iter().map(|g| (g.kind, g.path.as_str())).collect();
    assert_eq!(kinds, [(GapKind::TooLarge, "big.txt"), (GapKind::Binary, "bin/tool")]);
}

#[test]
fn internal_references() {
    let repo = MemRepo::new()
        .file("deploy/config.yaml", "db: postgres.corp.example.com\nbackup: 10.20.30.40\nwiki: http://wiki/Page\nowner: jane.doe@corp.example.com\n")
        .file("docs/network.md", "Example: 10.0.0.1 is the gateway.\n")
        .file("src/app.py", "# fixes PAY-1234\nURL = 'https://api.example.org/v1'\nLOCAL = 'http://localhost:8080'\n");
    let config = json!({"internal_domains": ["corp.example.com"], "ticket_patterns": ["PAY-[0-9]+"]});
    let result = repo.run_with::<Secrets>("secrets.internal-references", config);
    assert_eq!(result.status, Status::Fail);
    let mut messages: Vec<(&str, String)> = result
        .findings
        .iter()
        .map(|f| (f.message.as_str(), format!("{}:{}", f.locations[0].path, f.locations[0].line.unwrap())))
        .collect();
    messages.sort();
    assert_eq!(
        messages,
        [
            ("employee e-mail address `jane.doe@corp.example.com`", "deploy/config.yaml:4".to_owned()),
            ("internal host name `postgres.corp.example.com`", "deploy/config.yaml:1".to_owned()),
            ("internal ticket id `pay-1234`", "src/app.py:1".to_owned()),
            ("intranet URL `http://wiki/`", "deploy/config.yaml:3".to_owned()),
            ("private IP address `10.20.30.40`", "deploy/config.yaml:2".to_owned()),
        ]
    );
    assert_eq!(
        result.message,
        "1 employee e-mail address, 1 internal host name, 1 internal ticket id, 1 intranet URL, 1 private IP address (5 in the files)"
    );
    let clean = MemRepo::new().file("a.py", "x = 'http://localhost:1/'\nversion = '10.2.3'\n");
    assert_eq!(clean.run::<Secrets>("secrets.internal-references").status, Status::Pass);
}

/// Intranet URLs and private addresses are tried where the keyword pass saw
/// them start: every one is found, wherever it is, and only those.
#[test]
fn internal_references_at_their_markers() {
    let scanner = scanner();
    let found = |text: &str| -> Vec<(String, u32)> {
        let (_, references) = scanner.scan("etc/hosts.conf", text.as_bytes(), true);
        references.into_iter().map(|r| (r.value, r.line)).collect()
    };
    let owned = |pairs: &[(&str, u32)]| pairs.iter().map(|&(v, l)| (v.to_owned(), l)).collect::<Vec<_>>();
    // Two addresses one space apart are two (the space ends one and starts the other).
    assert_eq!(found("hosts: 10.1.2.3 10.4.5.6\n"), owned(&[("10.1.2.3", 1), ("10.4.5.6", 1)]));
    // At the very start and end of the data, in upper case, after a user name.
    assert_eq!(found("192.168.0.1"), owned(&[("192.168.0.1", 1)]));
    assert_eq!(
        found("a\nsee HTTP://Wiki/Page and https://ops:pw@build.corp:8443/x\n"),
        owned(&[("http://wiki/", 2), ("https://ops:pw@build.corp:8443/", 2)])
    );
    // Not an address: part of a longer number, a version, a range outside 172.16/12.
    assert_eq!(found("v110.1.2.3 1.10.2.3.4 172.32.0.1 10.1.2.999\n"), owned(&[]));
    // A URL whose user part holds `http` is one URL.
    assert_eq!(found("http://http@wiki/\n"), owned(&[("http://http@wiki/", 1)]));
    // Not a URL start: `http` inside a word, or without `://`.
    assert_eq!(found("xhttp://wiki/ httpd wiki\n"), owned(&[]));
}

#[test]
fn key_files_by_name_and_content() {
    let key = [
        "-----BEGIN PRIVATE KEY-----\n",
        "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
        "BKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n",
    ]
    .concat();
    let repo = MemRepo::new()
        .file(".ssh/id_rsa", "whatever")
        .file("certs/server.pem", &key)
        .file("certs/ca.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
        .file("release.jks", b"\xfe\xed\xfe\xed")
        .file(".env", "DB_HOST=db\nDB_PASSWORD=s3cr3t-Pa55\n")
        .file(".env.example", "DB_PASSWORD=changeme\n")
        .historic_file("deploy/prod.p12", b"\x30\x82", "2222222222222222222222222222222222222222");
    let result = repo.run::<Secrets>("secrets.key-files");
    assert_eq!((result.status, result.message.as_str()), (Status::Fail, "5 key files (4 in the files)"));
    let messages: Vec<&str> = result.findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "environment file with values: .env",
            "SSH private key: .ssh/id_rsa",
            "PEM private key: certs/server.pem",
            "Java keystore: release.jks",
            "PKCS#12 keystore: deploy/prod.p12 (removed, still in history)",
        ]
    );
}

#[test]
fn the_reference_lists_every_rule() {
    let about = Secrets::checks().into_meta().about;
    for rule in RULES.iter() {
        assert!(about.contains(&format!("| `{}` | {}", rule.id, rule.description)), "{}", rule.id);
    }
}

#[test]
fn names_templates_and_public_keys_are_not_leaks() {
    use crate::rules::{is_identifier, is_placeholder};
    // Names of secrets kept elsewhere.
    assert!(is_identifier("DATA_STORAGE_S3_ACCESSKEYID"));
    assert!(is_identifier("db.password.key"));
    assert!(!is_identifier("Zt8_Qm3_x9LpRr2"));
    assert!(!is_identifier("abcd1234-ef56-ab12-cd34-ef567890abcd"));
    // printf templates are placeholders; a password with a `%` is not.
    assert!(is_placeholder("user:%s@host"));
    assert!(is_placeholder("%(password)s"));
    assert!(!is_placeholder("Pa%sw0rdQx9Lt"));
    let name = "_S3_ACCESSKEYID = 'DATA_STORAGE_S3_ACCESSKEYID'\n";
    let percent = ["db_password = \"K7%q", "Lm2xZr9vT\"\n"].concat();
    let repo = MemRepo::new().file("src/settings.py", name).file("src/db.py", &percent);
    let result = repo.run::<Secrets>("secrets.credentials-head");
    assert_eq!(result.status, Status::Fail, "{}", result.message);
    let paths: Vec<&str> = result.findings.iter().map(|f| f.locations[0].path.as_str()).collect();
    assert_eq!(paths, ["src/db.py"]);
    // A DocSearch key, even commented out, is public by design: info, not a leak.
    let docsearch =
        ["// docsearch({ indexName: 'proj', apiKey: '", "8f2b", "c91d7e4a06f35b2e", "9d1c7a3f58e6', })\n"].concat();
    let public = MemRepo::new().file("website/config.js", &docsearch).run::<Secrets>("secrets.credentials-head");
    assert_eq!(public.status, Status::Pass, "{}", public.message);
    assert!(public.message.ends_with("; 1 public by design"), "{}", public.message);
    assert_eq!(public.findings[0].severity, Severity::Info);
    assert!(public.findings[0].message.contains("DocSearch"), "{}", public.findings[0].message);
    // A plain Algolia client may hold the admin key: not public by design.
    let client = [
        "const client = algoliasearch('APPID', '",
        "8f2b",
        "c91d7e4a06f35b2e",
        "9d1c7a3f58e6');\nconst apiKey = '",
        "8f2b",
        "c91d7e4a06f35b2e",
        "9d1c7a3f58e6';\n",
    ]
    .concat();
    let backend = MemRepo::new().file("server/search.js", &client).run::<Secrets>("secrets.credentials-head");
    assert_eq!(backend.status, Status::Fail, "{}", backend.message);
}

#[test]
fn fixture_folders_are_one_finding_and_examples_are_throwaway() {
    let mut repo = MemRepo::new();
    for i in 0..12 {
        let value = format!("{}{i:02}Qz", ["Zt8Qm3x9Lp", "Rr2Kv7Wd"].concat());
        repo = repo.file(&format!("test/vectors/case{i}.py"), format!("password = \"{value}\"\n"));
    }
    repo = repo.file("examples/client/settings.py", ["token = \"", "Hq7Ld9Xw2Rm4Tz8Kp3\"\n"].concat());
    let result = repo.run::<Secrets>("secrets.credentials-head");
    assert_eq!(result.status, Status::Warn, "{}", result.message);
    assert_eq!(result.remediation.as_deref(), Some(crate::keyfiles::THROWAWAY_KEYS));
    let messages: Vec<&str> = result.findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[1].starts_with("12 values of rule generic-secret-assignment"), "{}", messages[1]);
    assert!(messages[1].contains("under test/vectors/"), "{}", messages[1]);
    assert_eq!(result.findings[1].severity, Severity::Low);
    assert_eq!(result.findings[1].locations.len(), 12);
    // A keystore in an example, only in history, is throwaway too.
    let keys = MemRepo::new().file("examples/android/debug.keystore", b"\xfe\xed\xfe\xed");
    let keys = keys.run::<Secrets>("secrets.key-files");
    assert_eq!(keys.status, Status::Warn, "{}", keys.message);
}

#[test]
fn a_secret_only_another_ref_reaches_names_the_ref() {
    let key = aws_key();
    let repo = MemRepo::new().file("README.md", "# app\n").file_on_ref(
        "refs/heads/wip",
        "tools/upload.py",
        format!("KEY = \"{key}\"\n"),
        "1234567890abcdef1234567890abcdef12345678",
    );
    let result = repo.run::<Secrets>("secrets.credentials-history");
    assert_eq!(result.status, Status::Fail);
    assert!(
        result.findings[0].message.contains(", introduced in commit 1234567890 on refs/heads/wip (removed"),
        "{}",
        result.findings[0].message
    );
}

#[test]
fn committed_archives_are_findings_of_their_own() {
    let zip = b"PK\x03\x04\x14\x00\x00\x00\x08\x00binary\x00data";
    let repo = MemRepo::new()
        .file("README.md", "# app\n")
        .file("lib/vendor-tools.jar", zip)
        .file("gradle/wrapper/gradle-wrapper.jar", zip.iter().rev().copied().collect::<Vec<u8>>())
        .file("tests/data/sample.zip", [zip.as_slice(), b"!"].concat());
    let result = repo.run::<Secrets>("secrets.credentials-head");
    assert_eq!(result.status, Status::Warn, "{}", result.message);
    assert!(result.message.ends_with("; 1 archive not scanned"), "{}", result.message);
    let archives: Vec<(Severity, &str)> = result
        .findings
        .iter()
        .filter(|f| f.message.contains("archive"))
        .map(|f| (f.severity, f.locations[0].path.as_str()))
        .collect();
    assert_eq!(
        archives,
        [
            (Severity::Info, "gradle/wrapper/gradle-wrapper.jar"),
            (Severity::Low, "lib/vendor-tools.jar"),
            (Severity::Info, "tests/data/sample.zip")
        ]
    );
    // Its members were not read: a gap of its own kind, which the default
    // policy does not accept; the wrapper and the test archive are binary.
    let gaps: Vec<(GapKind, &str)> = result.unread.iter().map(|g| (g.kind, g.path.as_str())).collect();
    assert_eq!(
        gaps,
        [
            (GapKind::Binary, "gradle/wrapper/gradle-wrapper.jar"),
            (GapKind::Archive, "lib/vendor-tools.jar"),
            (GapKind::Binary, "tests/data/sample.zip")
        ]
    );
    // An allowed archive is reviewed: binary content like any other.
    let allowed = repo.run_with::<Secrets>(
        "secrets.credentials-head",
        json!({"allow": [{"paths": ["lib/vendor-tools.jar"], "reason": "unpacked and reviewed"}]}),
    );
    assert_eq!(allowed.status, Status::Pass, "{}", allowed.message);
    assert!(allowed.unread.iter().all(|g| g.kind == GapKind::Binary));
    // Without archives to review the check passes.
    let clean = MemRepo::new().file("gradle/wrapper/gradle-wrapper.jar", zip);
    assert_eq!(clean.run::<Secrets>("secrets.credentials-head").status, Status::Pass);
}

#[test]
fn findings_name_the_exact_bytes_of_each_credential_and_key_file() {
    let token = ["ghp_", "Zr8kP2mQ7vX4nB9cT1wL", "5yH3jD6fG0116Nxq"].concat();
    // The second token lies past the first piece a large file is read in.
    let mut big = "x = 1\n".repeat(200_000).into_bytes();
    big.extend_from_slice(format!("token = {token}\n").as_bytes());
    let small = format!("GITHUB_TOKEN={token}\n");
    let keystore = b"\xfe\xed\xfe\xed\x00\x00\x00\x02 keystore".to_vec();
    let repo = MemRepo::new().file("src/big.py", &big).file("deploy.sh", &small).file("certs/app.jks", &keystore);
    let contents = |path: &str| match path {
        "src/big.py" => big.clone(),
        "deploy.sh" => small.clone().into_bytes(),
        _ => keystore.clone(),
    };
    let head = repo.run::<Secrets>("secrets.credentials-head");
    let mut spans = 0;
    for finding in &head.findings {
        for location in &finding.locations {
            let span = location.span.as_ref().expect("a credential names its bytes");
            let data = contents(&location.path);
            assert_eq!(&data[span.start as usize..span.end as usize], token.as_bytes(), "{}", location.path);
            spans += 1;
        }
    }
    assert_eq!(spans, 2);
    let keys = repo.run::<Secrets>("secrets.key-files");
    let span = keys.findings[0].locations[0].span.as_ref().expect("a key file names its bytes");
    assert_eq!((span.start, span.end), (0, keystore.len() as u64), "the whole file");
}

#[test]
fn a_second_run_reuses_the_scan_of_every_blob_it_has_seen() {
    use fledge_sdk::testing::MemCache;
    let token = ["ghp_", "Zr8kP2mQ7vX4nB9cT1wL", "5yH3jD6fG0116Nxq"].concat();
    let cache = MemCache::new();
    let first = MemRepo::new()
        .cache(&cache)
        .file("src/config.py", format!("TOKEN = \"{token}\"\n"))
        .file("README.md", "# app\n")
        .file("logo.png", b"\x89PNG\r\n\x1a\n\0\0");
    let before = first.run::<Secrets>("secrets.credentials-head");
    assert_eq!((cache.len(), cache.hits()), (3, 0));
    // One new file: only it is scanned; the others' results are reused,
    // the credential and the binary blob included.
    let second = first.clone().file("src/new.py", "print('hello')\n");
    let after = second.run::<Secrets>("secrets.credentials-head");
    assert_eq!((cache.len(), cache.hits()), (4, 3));
    assert_eq!((after.status, after.findings.len()), (before.status, before.findings.len()));
    assert_eq!(after.findings[0].message, before.findings[0].message);
    assert_eq!(after.unread, before.unread);
}

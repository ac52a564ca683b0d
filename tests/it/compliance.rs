//! The license and secrets plugins through the binary, on repositories with
//! real git history.

use fledge_tests::{MIT_LICENSE, RepoBuilder};

use crate::util::{check, check_json};

/// A fake AWS access key id, assembled so that no literal here is one.
fn aws_key() -> String {
    ["AKIA", "Q3ZT7RW5", "HN2KLMPY"].concat()
}

#[test]
fn a_secret_committed_then_deleted_is_found_in_history_with_its_commit() {
    let mut repo = RepoBuilder::new();
    repo.file("README.md", "# app\n");
    repo.commit("start");
    let settings = format!("REGION=eu-west-1\nAWS_ACCESS_KEY_ID={}\n", aws_key());
    repo.file("deploy/prod.env", &settings);
    let introducing = repo.commit("add deployment settings");
    repo.remove("deploy/prod.env");
    repo.commit("remove settings");
    let report = check_json(&[&repo.arg()]);
    assert_eq!(check(&report, "secrets.credentials-head")["status"], "pass");
    let history = check(&report, "secrets.credentials-history");
    assert_eq!(history["status"], "fail");
    let finding = &history["findings"][0];
    assert_eq!(finding["severity"], "critical");
    assert_eq!(
        finding["locations"][0],
        serde_json::json!({
            "path": "deploy/prod.env",
            "line": 2,
            "commit": introducing,
            // The key's bytes, for `fledge publish`.
            "span": {"blob": RepoBuilder::blob_id(&settings), "start": 35, "end": 55},
        })
    );
    assert_eq!(
        finding["message"],
        format!(
            "AWS access key id in deploy/prod.env:2, introduced in commit {} (removed from the files, still in history): AWS_ACCESS_KEY_ID=AKIA…[20 chars]",
            &introducing[..10]
        )
    );
    // The secret appears nowhere in the output.
    assert!(!report.to_string().contains(&aws_key()));
}

#[test]
fn a_key_file_deleted_from_the_files_is_found_in_history() {
    let mut repo = RepoBuilder::new();
    repo.file("README.md", "# app\n").file(".ssh/id_ed25519", "not really a key, but named like one\n");
    let introducing = repo.commit("oops");
    repo.remove(".ssh/id_ed25519");
    repo.commit("remove key");
    let report = check_json(&[&repo.arg()]);
    let keys = check(&report, "secrets.key-files");
    assert_eq!(keys["status"], "fail");
    assert_eq!(keys["message"], "1 key files (0 in the files)");
    assert_eq!(keys["findings"][0]["locations"][0]["commit"], introducing.as_str());
}

#[test]
fn a_manifest_that_disagrees_with_the_license_file() {
    let mut repo = RepoBuilder::new();
    repo.file("LICENSE", MIT_LICENSE).file(
        "Cargo.toml",
        "[package]\nname = \"widget\"\nversion = \"0.1.0\"\nedition = \"2024\"\nlicense = \"Apache-2.0\"\n",
    );
    repo.commit("start");
    let report = check_json(&[&repo.arg()]);
    assert_eq!(check(&report, "license.identified")["message"], "MIT (100% confidence)");
    assert_eq!(check(&report, "license.approved")["status"], "pass");
    let consistent = check(&report, "license.declared-consistent");
    assert_eq!(consistent["status"], "fail");
    let mismatch = &consistent["findings"][0];
    assert_eq!(mismatch["message"], "declares `Apache-2.0`, a different license from MIT in LICENSE");
    assert_eq!(mismatch["locations"][0], serde_json::json!({"path": "Cargo.toml", "line": 5}));
}

#[test]
fn a_modified_license_is_flagged() {
    let mut repo = RepoBuilder::new();
    let modified = MIT_LICENSE.replace(
        "The above copyright notice",
        "The Software may not be used by competitors of Example Corp. or for any military purpose.\n\nThe above copyright notice",
    );
    repo.file("LICENSE", modified.split("THE SOFTWARE IS PROVIDED").next().unwrap());
    repo.commit("start");
    let report = check_json(&[&repo.arg()]);
    let identified = check(&report, "license.identified");
    assert_eq!(identified["status"], "fail");
    let message = identified["message"].as_str().unwrap();
    assert!(
        message.starts_with(
            "unrecognised or modified license in LICENSE, with a field-of-use restriction: closest match MIT ("
        ),
        "{message}"
    );
    assert_eq!(check(&report, "license.approved")["status"], "fail");
}

#[test]
fn every_ref_is_read_unless_the_history_is_narrowed_to_head() {
    let mut repo = RepoBuilder::new();
    repo.file("README.md", "# app\n");
    repo.commit("start");
    // A branch never merged.
    repo.branch("wip");
    repo.file("tools/upload.py", format!("KEY = \"{}\"\n", aws_key()));
    let wip = repo.commit("wip: upload tool");
    // A commit that only a tag reaches: its branch was deleted.
    repo.branch("tmp");
    let other_key = ["AKIA", "W7ZQ2MXK", "PL4TRN6B"].concat();
    repo.file("old/settings.ini", format!("aws_key = {other_key}\n"));
    let archived = repo.commit("experiment");
    repo.tag("archived", false);
    repo.checkout("main");
    repo.repo().find_branch("tmp", git2::BranchType::Local).unwrap().delete().unwrap();

    let report = check_json(&[&repo.arg()]);
    assert_eq!(check(&report, "secrets.credentials-head")["status"], "pass");
    let history = check(&report, "secrets.credentials-history");
    assert_eq!(history["status"], "fail");
    let messages: Vec<&str> =
        history["findings"].as_array().unwrap().iter().filter_map(|f| f["message"].as_str()).collect();
    assert_eq!(
        messages,
        [
            format!(
                "AWS access key id in tools/upload.py:1, introduced in commit {} on refs/heads/wip (removed from the files, still in history): KEY = \"AKIA…[20 chars]\"",
                &wip[..10]
            ),
            format!(
                "AWS access key id in old/settings.ini:1, introduced in commit {} on refs/tags/archived (removed from the files, still in history): aws_key = AKIA…[20 chars]",
                &archived[..10]
            ),
        ]
    );
    assert_eq!(
        report["repository"]["completeness"]["history"],
        serde_json::json!({"scope": "all-refs", "refs": 3, "commits": 3, "blobs": 3})
    );

    // `--history head`: the checked revision's ancestors only.
    let report = check_json(&[&repo.arg(), "--history", "head"]);
    assert_eq!(check(&report, "secrets.credentials-history")["status"], "pass");
    assert_eq!(
        report["repository"]["completeness"]["history"],
        serde_json::json!({"scope": "checked", "refs": 1, "commits": 1, "blobs": 1})
    );
}

#[test]
fn a_company_gitleaks_rules_file_named_in_the_policy_is_applied() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("gitleaks.toml"),
        "[[rules]]\nid = \"acme-service-token\"\ndescription = \"ACME service token\"\n\
         regex = '''acme_svc_([A-Za-z0-9]{24})'''\nkeywords = [\"acme_svc_\"]\n",
    )
    .unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        fledge_tests::DEFAULT_POLICY.replace("rules_files = []", "rules_files = [\"gitleaks.toml\"]"),
    )
    .unwrap();
    let mut repo = RepoBuilder::new();
    let token = ["acme_svc_", "R7kQ2mX9pL4v", "W8nB3tY6zH1c"].concat();
    repo.file("src/client.py", format!("client.connect(\"{token}\")\n"));
    repo.commit("client");
    let report = check_json(&[&repo.arg(), "--policy", policy.to_str().unwrap()]);
    let head = check(&report, "secrets.credentials-head");
    assert_eq!(head["status"], "fail");
    let message = head["findings"][0]["message"].as_str().unwrap();
    assert_eq!(message, "ACME service token in src/client.py:1: client.connect(\"acme_svc_R7kQ…[24 chars]\")");
    assert_eq!(head["findings"].as_array().unwrap().len(), 1);
    // A rules file that cannot be read stops the run: its rules must not be skipped.
    std::fs::remove_file(dir.path().join("gitleaks.toml")).unwrap();
    let output = crate::util::run(&["check", &repo.arg(), "--policy", policy.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = crate::util::stderr(&output);
    assert!(stderr.contains("[plugins.secrets] rules_files: cannot read"), "{stderr}");
}

#[test]
fn a_modified_license_is_not_approved() {
    let mut repo = RepoBuilder::new();
    repo.file("README.md", "# app\n");
    repo.file("LICENSE", format!("{MIT_LICENSE}\nThis software may not be used by military organizations.\n"));
    repo.commit("license with an added restriction");
    let report = check_json(&[&repo.arg()]);
    let identified = check(&report, "license.identified");
    assert_eq!(identified["status"], "warn");
    let messages: Vec<&str> =
        identified["findings"].as_array().unwrap().iter().filter_map(|f| f["message"].as_str()).collect();
    let line = MIT_LICENSE.lines().count() + 2;
    assert!(
        messages.contains(
            &format!("line {line}: added \"this software may not be used by military organizations\"").as_str()
        ),
        "{messages:?}"
    );
    let approved = check(&report, "license.approved");
    assert_eq!(approved["status"], "fail");
    assert_eq!(
        approved["message"],
        "MIT: LICENSE differs from the license's standard text (with a field-of-use restriction); a modified license is not approved"
    );
    // The unchanged text is approved.
    let mut clean = RepoBuilder::new();
    clean.file("README.md", "# app\n").file("LICENSE", MIT_LICENSE);
    clean.commit("license");
    let report = check_json(&[&clean.arg()]);
    assert_eq!(check(&report, "license.approved")["status"], "pass");
}

#[test]
fn a_ref_whose_commit_is_missing_is_reported_not_skipped() {
    let mut repo = RepoBuilder::new();
    repo.file("README.md", "# app\n");
    repo.commit("start");
    std::fs::write(repo.path().join(".git/refs/heads/ghost"), "0123456789abcdef0123456789abcdef01234567\n").unwrap();
    let report = check_json(&[&repo.arg()]);
    let history = check(&report, "secrets.credentials-history");
    assert_eq!(history["status"], "warn", "{history:#}");
    let gaps = history["unread"]["gaps"].as_array().unwrap();
    assert!(
        gaps.iter().any(|g| g["reason"].as_str().unwrap_or_default().starts_with("refs/heads/ghost not read")),
        "{gaps:?}"
    );
}

#[test]
fn only_a_credential_outside_tests_and_examples_blocks_the_stage() {
    // What an OSPO reviewer would not call a leak: a test fixture, a
    // variable's name, AWS's documented example key, a DocSearch key.
    let docsearch_key = ["7c2e9b1f4a", "d85e3c6b0a9f", "1d2e4c7b8a"].concat();
    let mut repo = fledge_tests::well_run();
    repo.file("tests/fixtures/creds.env", format!("AWS_ACCESS_KEY_ID={}\n", aws_key()))
        .file("src/settings.py", "_S3_ACCESSKEYID = 'DATA_STORAGE_S3_ACCESSKEYID'\n")
        .file("docs/aws.md", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n")
        .file("site/search.js", format!("docsearch({{ appId: 'BH4D9OD16A', apiKey: '{docsearch_key}' }});\n"));
    repo.commit("fixtures, names, examples and a public key");
    let report = check_json(&[&repo.arg()]);
    let head = check(&report, "secrets.credentials-head");
    assert_eq!(head["status"], "warn", "{head:#}");
    let messages: Vec<&str> =
        head["findings"].as_array().unwrap().iter().map(|f| f["message"].as_str().unwrap()).collect();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert!(messages[0].starts_with("AWS access key id in tests/fixtures/creds.env:1"), "{messages:#?}");
    assert!(
        messages[0].contains("throwaway?") || head["message"].as_str().unwrap().contains("tests or examples"),
        "{head:#}"
    );
    assert!(
        messages[1]
            .contains("site/search.js:1 is an Algolia search-only key (DocSearch), public by design: not a leak"),
        "{messages:#?}"
    );
    assert!(!report["verdict"]["blockers"].to_string().contains("secrets.credentials-head"), "{:#}", report["verdict"]);

    // An archive outside tests was not unpacked: it may hold credentials,
    // and the gate waits for its review.
    repo.file("lib/vendor-tools.jar", b"PK\x03\x04\x14\x00\x00\x00\x08\x00binary\x00data".as_slice());
    repo.commit("vendored tool");
    let report = check_json(&[&repo.arg()]);
    let head = check(&report, "secrets.credentials-head");
    assert_eq!(head["unread"]["kinds"]["archive"], 1, "{head:#}");
    assert!(report["verdict"]["blockers"].to_string().contains("secrets.credentials-head"), "{:#}", report["verdict"]);
    repo.remove("lib/vendor-tools.jar");
    repo.commit("no vendored tool");

    // The same key in the code itself is a leak, and blocks.
    repo.file("src/deploy.env", format!("AWS_ACCESS_KEY_ID={}\n", aws_key()));
    repo.commit("deploy settings");
    let report = check_json(&[&repo.arg()]);
    let head = check(&report, "secrets.credentials-head");
    assert_eq!(head["status"], "fail", "{head:#}");
    assert!(report["verdict"]["blockers"].to_string().contains("secrets.credentials-head"), "{:#}", report["verdict"]);
}

/// Planted credentials, one per file, in the documented format of each
/// provider (values made up; tokens with a checksum carry a valid one),
/// assembled so that no literal here is one.
fn planted() -> Vec<(&'static str, String)> {
    vec![
        (
            "config/aws.env",
            format!(
                "aws_access_key_id = {}\naws_secret_access_key = {}\n",
                ["AKIAUJZD", "EGXDNCF32EPF"].concat(),
                ["JBd0Kh8oOOL8dKLzdocJ", "2isAjIhKtJ0RlgLKOmxg"].concat()
            ),
        ),
        (
            "deploy/ci.sh",
            format!("export GITHUB_TOKEN={}\n", ["ghp_JTeKdNnFRIBXuDL7D", "xtpYlSXpfKtHF12qp4F"].concat()),
        ),
        ("deploy/gitlab.yml", format!("token: {}\n", ["glpat-", "4vUCsMehGAkWvj7FAc9Q"].concat())),
        (
            "src/slack.py",
            format!("SLACK = '{}'\n", ["xoxb-", "937852000134-729462142330-", "Y40uvSwMFLZDe1f8rESQedUS"].concat()),
        ),
        ("src/billing.rb", format!("Stripe.api_key = '{}'\n", ["sk_live_", "tPKR0CsTy4Qwb8DwkNhFdnXs"].concat())),
        (
            "src/ai.py",
            format!(
                "client = OpenAI(api_key='{}')\n",
                [
                    "sk-proj-",
                    "iVpzz63FfkCzJr4i0B3JrTAwR4y9ojfljoQoaF1LlqsajAIxNKu8iS2G8N",
                    "T3BlbkFJ",
                    "PRVdD53X83RZJzzzzgEOzdmenCkhvMdgaKjIg8xNbe3nNyjOq9wMxEhh2F"
                ]
                .concat()
            ),
        ),
        (
            "src/claude.ts",
            format!(
                "const key = '{}';\n",
                [
                    "sk-ant-api03-",
                    "DEEtfjgVvVqE1SkHbn88HxjSI6bWHtP3fS2qHx6kwXoIIXGvOoNZYW2mZp0zVZomHFwUbbYrEqmSM9wCZ7Uw9xfogoEmv",
                    "AA"
                ]
                .concat()
            ),
        ),
        ("src/hf.py", format!("HF_TOKEN = '{}'\n", ["hf_", "nENNaEPwZPfQhyYTWmElBYOvfZUzDzVfUk"].concat())),
        ("web/maps.js", format!("const mapsKey = '{}';\n", ["AIza", "kibjL5DZPjN0MEQ7wjJJibaZUPgHV7iB3m0"].concat())),
        (
            "ops/.npmrc",
            format!("//registry.npmjs.org/:_authToken={}\n", ["npm_", "3nbqnsGpWLuqIA1id6Vw5DQL05HA061qSKoL"].concat()),
        ),
        (
            "ops/.pypirc",
            format!(
                "[pypi]\nusername = __token__\npassword = {}\n",
                ["pypi-AgEIcHlwaS5vcmc", "4GiIjHGb3CXlMaXZjljENUhJduRHHJEYXg4JdpmrcXgGCJbW56eCuNGMGmSrCGIZEG8pSH"]
                    .concat()
            ),
        ),
        (
            "src/mail.go",
            format!(
                "sg := \"{}\"\n",
                ["SG.", "4487q7J58m1CiAhzCueQpB.", "enQtYh5Xj8TPQxjq4i9DoV8gz4FkQ1okTBGzvAmwufU"].concat()
            ),
        ),
        ("src/sms.py", format!("twilio_api_key = '{}'\n", ["SK", "b0aee0ca923732881584d8c4fa2815d2"].concat())),
        (
            "src/notify.py",
            format!(
                "WEBHOOK = '{}'\n",
                [
                    "https://discord.com/api/webhooks/",
                    "831458949492970868/",
                    "fZqfM2oeq3hDavJA76rNicHTp8hkqdlm7tOtHWnsCGRlrwZbqcabUGJmGEp7CgQ0PBQF"
                ]
                .concat()
            ),
        ),
        (
            "src/bot.py",
            format!("telegram_token = '{}'\n", ["686162372:", "AA14zGtSnovm14TUOizwd1iaeOV4qBkdfQ1"].concat()),
        ),
        (
            "conf/storage.cfg",
            format!(
                "conn = DefaultEndpointsProtocol=https;AccountName=acmeprod;AccountKey={}==;EndpointSuffix=core.windows.net\n",
                ["y3GQsMpSscDlkrCaqx9vJupc94tnwlavyfErGPmpGXafq0", "fjzLczbttOofL9H2WjQ5TY4MyWuUFjsUNPjc01T5"].concat()
            ),
        ),
        (
            "conf/db.yml",
            format!("url: postgres://admin:{}@db.prod.acme.io:5432/app\n", ["Vx9kQ2mL", "p7RtZ4wN"].concat()),
        ),
        ("src/settings.py", format!("DB_PASSWORD = \"{}\"\n", ["k9#Vx2!p", "Lq7$Wz4mR8t"].concat())),
        (
            "src/ding.java",
            format!(
                "String url = \"https://oapi.dingtalk.com/robot/send?access_token={}\";\n",
                ["d4072014b3ce107f80e222f828767efc", "2f91624a8940f1f836f99eee3692f09e"].concat()
            ),
        ),
        ("conf/datadog.env", format!("DD_API_KEY={}\n", ["2e8c662248b483b7", "ffc050fec94dbca3"].concat())),
        (
            "ops/id_rsa",
            format!(
                "-----BEGIN {}-----\n{}\n-----END {}-----\n",
                "PRIVATE KEY",
                [
                    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7",
                    "VJTUt9Us8cKjMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNb"
                ]
                .concat(),
                "PRIVATE KEY"
            ),
        ),
    ]
}

/// What is not a credential: a documented example key, variable
/// references, names of settings, a token whose checksum fails, a placeholder.
fn decoys() -> Vec<(&'static str, String)> {
    vec![
        (
            "docs/aws.md",
            format!(
                "Example: `{}` / `{}`\n",
                ["AKIAIOSFODNN7", "EXAMPLE"].concat(),
                ["wJalrXUtnFEMI/K7MDENG/", "bPxRfiCYEXAMPLEKEY"].concat()
            ),
        ),
        ("ci/env.sh", "export GITHUB_TOKEN=${GITHUB_TOKEN}\nexport NPM_TOKEN=$NPM_TOKEN\n".to_owned()),
        ("src/names.py", "_S3_ACCESSKEYID = 'DATA_STORAGE_S3_ACCESSKEYID'\nPASSWORD_FIELD = 'password'\n".to_owned()),
        (
            "src/fake.py",
            format!(
                "token = '{}'  # not a real token: bad checksum\n",
                ["ghp_1vauWv1zh87mTa5Vsq", "xezy3Lex7BWr2drgd1"].concat()
            ),
        ),
        ("README.md", "Set `password = \"<your-password>\"` in config.\n".to_owned()),
    ]
}

#[test]
fn every_planted_credential_is_found_and_no_decoy() {
    let mut repo = RepoBuilder::new();
    for (path, text) in planted().iter().chain(&decoys()) {
        repo.file(path, text);
    }
    repo.commit("planted");
    let report = check_json(&[&repo.arg()]);
    let credentials = check(&report, "secrets.credentials-head");
    assert_eq!(credentials["status"], "fail");
    let mut paths: Vec<&str> = credentials["findings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["locations"].as_array().unwrap().iter().map(|l| l["path"].as_str().unwrap()))
        .collect();
    paths.sort_unstable();
    paths.dedup();
    let mut expected: Vec<&str> = planted().iter().map(|(path, _)| *path).collect();
    expected.sort_unstable();
    assert_eq!(paths, expected, "each planted credential is found, and nothing else");
    // No secret is printed whole.
    let text = report.to_string();
    for (path, contents) in planted() {
        let longest = contents.split(['\'', '"', '=', ' ', '\n']).max_by_key(|s| s.len()).unwrap_or_default();
        assert!(!text.contains(longest), "{path}: the secret appears in the report");
    }
}

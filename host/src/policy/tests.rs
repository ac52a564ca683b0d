use super::*;
use crate::model::CheckMeta;

fn today() -> jiff::civil::Date {
    jiff::civil::date(2026, 6, 1)
}

fn errors(text: &str) -> String {
    Policy::parse(text, "policy.toml", today()).expect_err("invalid").to_string()
}

const STAGES: &str = "[[stages]]\nname = \"sandbox\"\nmin_score = 0\n";

fn known() -> Vec<CheckMeta> {
    ["license.file", "license.approved", "docs.readme", "quality.tests", "quality.ci"]
        .iter()
        .map(|id| CheckMeta {
            id: (*id).to_owned(),
            title: String::new(),
            category: id.split('.').next().unwrap_or_default().to_owned(),
            weight: 1,
            rationale: String::new(),
            remediation: String::new(),
            looks_at: String::new(),
        })
        .collect()
}

#[test]
fn the_default_policy_is_valid() {
    let policy = Policy::default_policy();
    assert_eq!(policy.stages.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["sandbox", "incubating", "public"]);
    assert_eq!(policy.stages[2].attestations.len(), 4);
    assert_eq!(policy.categories["license"], 1.5);
}

#[test]
fn category_weights_default_to_the_built_in_policy() {
    let text = format!("{STAGES}[categories]\nsecurity = 3\nlegal = 2\n");
    let policy = Policy::parse(&text, "policy.toml", today()).unwrap();
    let weights: Vec<(&str, f64)> = policy.categories.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        weights,
        [
            ("community", 1.0),
            ("documentation", 1.0),
            ("governance", 1.0),
            ("legal", 2.0),
            ("license", 1.5),
            ("quality", 1.0),
            ("security", 3.0)
        ]
    );
}

#[test]
fn syntax_errors_and_unknown_keys_name_the_line() {
    assert_eq!(errors("[categories\nlicense = 1\n"), "policy.toml:1: unclosed table, expected `]`");
    let unknown = errors(&format!("{STAGES}colour = \"blue\"\n"));
    assert!(unknown.starts_with("policy.toml:4: unknown field `colour`, expected one of"), "{unknown}");
    let in_check = errors(&format!("{STAGES}[checks.\"docs.readme\"]\nwieght = 2\n"));
    assert!(in_check.starts_with("policy.toml:5: unknown field `wieght`, expected one of"), "{in_check}");
}

#[test]
fn weights_must_be_positive_numbers() {
    assert_eq!(
        errors(&format!("{STAGES}[categories]\nlicense = -1\n")),
        "policy.toml:5: weight of category `license` must be a positive number up to 1000000, not -1"
    );
    assert_eq!(
        errors(&format!("{STAGES}[categories]\nlicense = 1e308\n")),
        "policy.toml:5: weight of category `license` must be a positive number up to 1000000, not 1e308"
    );
    assert_eq!(
        errors(&format!("{STAGES}[checks.\"docs.readme\"]\nweight = 0\n")),
        "policy.toml:5: weight of check `docs.readme` must be a positive number up to 1000000, not 0"
    );
    let not_a_number = errors(&format!("{STAGES}[categories]\nlicense = \"heavy\"\n"));
    assert!(not_a_number.starts_with("policy.toml:5: invalid type: string \"heavy\", expected f64"), "{not_a_number}");
}

#[test]
fn unread_kinds_signers_and_self_declared_kinds() {
    let policy = Policy::parse(
        &format!(
            "accept_unread = [\"binary\", \"too-large\"]\nallowed_signers = \"committee\"\nself_declared_kinds = [\"sample\"]\n{STAGES}[checks.\"secrets.credentials-head\"]\naccept_unread = []\n[kinds.sample]\nexclude = []\n[attestations.legal]\ntitle = \"Legal\"\nsigners = [\"legal\"]\nallowed_signers = \"legal-signers\"\nmax_age_days = 90\n"
        ),
        "policy.toml",
        jiff::civil::date(2026, 1, 1),
    )
    .unwrap();
    assert_eq!(policy.accepted_unread("docs.readme"), [GapKind::Binary, GapKind::TooLarge]);
    assert_eq!(policy.accepted_unread("secrets.credentials-head"), []);
    assert_eq!(policy.signer_paths(), ["committee", "legal-signers"]);
    assert_eq!(policy.attestations["legal"].max_age_days, Some(90));
    assert_eq!(policy.self_declared_kinds, ["sample"]);
    assert_eq!(
        errors(&format!(
            "accept_unread = [\"binry\"]\nself_declared_kinds = [\"demo\"]\nattestation_max_age_days = 0\n{STAGES}"
        )),
        "policy.toml:1: unknown kind of unread content `binry` (missing, corrupt, too-large, shallow, denied, budget, archive, binary)\n\
         policy.toml:2: self_declared_kinds names `demo`, which [kinds] does not define\n\
         policy.toml:3: attestation_max_age_days must be a number of days from 1 to 36500"
    );
}

#[test]
fn stages_must_be_in_order() {
    let text = "[[stages]]\nname = \"public\"\nmin_score = 80\n\n[[stages]]\nname = \"sandbox\"\nmin_score = 10\n";
    assert_eq!(
        errors(text),
        "policy.toml:7: stages out of order: `sandbox` (min_score 10) comes after `public` (min_score 80); list stages from the lowest to the highest"
    );
    assert_eq!(
        errors("ignore = []\n"),
        "policy.toml:1: the policy defines no stages (add [[stages]] tables, lowest first)"
    );
    assert_eq!(
        errors("[[stages]]\nname = \"a\"\nmin_score = 120\n"),
        "policy.toml:3: min_score of stage `a` must be between 0 and 100, not 120"
    );
}

#[test]
fn exemptions_must_be_complete_and_current() {
    let exemption = |fields: &str| format!("{STAGES}\n[[exemptions]]\n{fields}");
    let complete = "repository = \"team/*\"\ncheck = \"docs.readme\"\nreason = \"docs live elsewhere\"\napprover = \"ospo@example.com\"\n";
    let current =
        Policy::parse(&exemption(&format!("{complete}expires = 2026-12-31\n")), "policy.toml", today()).unwrap();
    assert_eq!(current.exemptions[0].expires, jiff::civil::date(2026, 12, 31));
    assert_eq!(
        errors(&exemption(&format!("{complete}expires = 2026-05-31\n"))),
        "policy.toml:5: exemption for `docs.readme` on `team/*` expired on 2026-05-31; renew it with a new date or remove it"
    );
    assert_eq!(
        errors(&exemption("repository = \"team/*\"\ncheck = \"docs.readme\"\nexpires = 2026-12-31\n")),
        "policy.toml:5: exemption is missing reason, approver"
    );
    assert_eq!(
        errors(&exemption(&format!("{complete}expires = \"next year\"\n"))),
        "policy.toml:10: exemption `expires` must be a date (YYYY-MM-DD), not next year"
    );
    assert_eq!(errors(&exemption(complete)), "policy.toml:5: exemption has no `expires` date (YYYY-MM-DD)");
}

#[test]
fn unknown_check_ids_are_named_with_a_suggestion() {
    let text = String::from(
        "[[stages]]\nname = \"sandbox\"\nmin_score = 0\nrequire = [\"licence.file\"]\n\n[checks.\"docs.redme\"]\nweight = 2\n\n[kinds.docs]\nexclude = [\"quality.*\", \"lint.*\"]\n",
    );
    let policy = Policy::parse(&text, "policy.toml", today()).unwrap();
    assert_eq!(
        policy.validate(&known(), &[], &[]).unwrap_err().to_string(),
        "policy.toml:4: unknown check id `licence.file` in the `require` list of stage `sandbox` (did you mean `license.file`?)\n\
         policy.toml:6: unknown check id `docs.redme` in [checks] (did you mean `docs.readme`?)\n\
         policy.toml:10: `lint.*` in kind `docs` matches no check"
    );
    // Checks of a built-in plugin left out of the run (--no-builtin) are
    // not errors; typos still are.
    let text = "[[stages]]\nname = \"sandbox\"\nmin_score = 0\nrequire = [\"license.file\", \"docs.redme\"]\n\n[kinds.docs]\nexclude = [\"license.*\"]\n";
    let policy = Policy::parse(text, "policy.toml", today()).unwrap();
    let without_license: Vec<CheckMeta> = known().into_iter().filter(|c| !c.id.starts_with("license.")).collect();
    assert_eq!(
        policy.validate(&without_license, &[], &["license"]).unwrap_err().to_string(),
        "policy.toml:4: unknown check id `docs.redme` in the `require` list of stage `sandbox` (did you mean `docs.readme`?)"
    );
    let errors = policy.validate(&without_license, &[], &[]).unwrap_err().to_string();
    assert!(
        errors.contains("unknown check id `license.file`")
            && errors.contains("`license.*` in kind `docs` matches no check"),
        "{errors}"
    );
    // `allow_warn` names checks the stage requires.
    let text =
        "[[stages]]\nname = \"sandbox\"\nmin_score = 0\nrequire = [\"license.file\"]\nallow_warn = [\"docs.readme\"]\n";
    let policy = Policy::parse(text, "policy.toml", today()).unwrap();
    assert_eq!(
        policy.validate(&known(), &[], &[]).unwrap_err().to_string(),
        "policy.toml:5: `allow_warn` of stage `sandbox` names `docs.readme`, which its `require` list does not"
    );
}

#[test]
fn stages_may_only_require_defined_attestations() {
    assert_eq!(
        errors("[[stages]]\nname = \"public\"\nmin_score = 0\nattestations = [\"trademark\"]\n"),
        "policy.toml:4: stage `public` requires attestation `trademark`, which [attestations] does not define"
    );
}

#[test]
fn capabilities_and_plugin_pins() {
    assert_eq!(
        errors(&format!("{STAGES}[plugins.acme]\npath = \"acme.wasm\"\nsha256 = \"abc\"\ndeny = [\"network\"]\n")),
        "policy.toml:6: sha256 of plugin `acme` must be 64 hex digits\npolicy.toml:7: unknown capability `network` (tree, contents or history)"
    );
}

#[test]
fn plugin_configuration_merges_check_tables() {
    let text = format!(
        "{STAGES}[plugins.secrets.config]\ninternal_domains = [\"corp.example.com\"]\n\n[checks.\"secrets.key-files\"]\nconfig = {{ history = false }}\n"
    );
    let policy = Policy::parse(&text, "p", today()).unwrap();
    assert_eq!(
        policy.plugin_config("secrets"),
        serde_json::json!({"internal_domains": ["corp.example.com"], "checks": {"secrets.key-files": {"history": false}}})
    );
    assert!(pattern_matches("quality.*", "quality.ci"));
    assert!(!pattern_matches("quality.*", "security.ci-workflows"));
}

#[test]
fn toml_dates_reach_plugins_as_rfc3339_strings() {
    let text = format!("{STAGES}[plugins.community.config]\nas_of = 2027-06-30\nat = 2027-06-30T12:00:00Z\nn = 3\n");
    let policy = Policy::parse(&text, "policy.toml", today()).unwrap();
    assert_eq!(
        policy.plugin_config("community"),
        serde_json::json!({"as_of": "2027-06-30", "at": "2027-06-30T12:00:00Z", "n": 3})
    );
}

#[test]
fn only_paths_under_a_files_key_are_read_as_files() {
    let text = format!(
        "{STAGES}\n[plugins.license.config]\nheader_max_files = 10\n\n[plugins.secrets.config]\nrules_files = [\"company.toml\"]\n"
    );
    let policy = Policy::parse(&text, "policy.toml", today()).unwrap();
    // A number under a `_files` key is the plugin's own setting.
    assert_eq!(
        policy.config_file_paths(),
        [("secrets".to_owned(), "rules_files".to_owned(), vec!["company.toml".to_owned()])]
    );
}

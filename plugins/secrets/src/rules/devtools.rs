//! Source forges, CI, registries and infrastructure.

use super::{C, Checksum, H, Rule, Shape};

pub(super) const RULES: &[Rule] = &[
    rule!("github-pat", "GitHub personal access token (classic)", ["ghp_"], r"\b(ghp_[A-Za-z0-9]{36})\b", checksum Checksum::Crc32Base62),
    rule!(
        "github-fine-grained-pat",
        "GitHub fine-grained personal access token",
        ["github_pat_"],
        r"\b(github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b"
    ),
    rule!("github-oauth-token", "GitHub OAuth access token", ["gho_"], r"\b(gho_[A-Za-z0-9]{36})\b", checksum Checksum::Crc32Base62),
    rule!("github-user-to-server-token", "GitHub user-to-server token", ["ghu_"], r"\b(ghu_[A-Za-z0-9]{36})\b", checksum Checksum::Crc32Base62),
    rule!("github-server-to-server-token", "GitHub server-to-server token", ["ghs_"], r"\b(ghs_[A-Za-z0-9]{36})\b"),
    rule!("github-refresh-token", "GitHub refresh token", ["ghr_"], r"\b(ghr_[A-Za-z0-9]{36,76})\b"),
    rule!(
        "gitlab-pat",
        "GitLab personal, project or group access token",
        ["glpat-"],
        r"\b(glpat-[A-Za-z0-9_\-]{20,})\b"
    ),
    rule!(
        "gitlab-pipeline-trigger-token",
        "GitLab pipeline trigger token",
        ["glptt-"],
        r"\b(glptt-[A-Za-z0-9_\-]{40})\b"
    ),
    rule!("gitlab-deploy-token", "GitLab deploy token", ["gldt-"], r"\b(gldt-[A-Za-z0-9_\-]{20,})\b"),
    rule!(
        "gitlab-runner-token",
        "GitLab runner registration or authentication token",
        ["gr1348941", "glrt-"],
        r"\b((?:GR1348941|glrt-)[A-Za-z0-9_\-]{20,})\b"
    ),
    rule!(
        "gitlab-other-token",
        "GitLab CI job, feed, incoming-mail, agent, OAuth, SCIM or feature-flag token",
        ["glcbt-", "glft-", "glimt-", "glagent-", "gloas-", "glsoat-", "glffct-"],
        r"\b((?:glcbt|glft|glimt|glagent|gloas|glsoat|glffct)-[A-Za-z0-9_\-]{20,})\b"
    ),
    rule!("atlassian-api-token", "Atlassian API token", ["atatt3"], r"\b(ATATT3[A-Za-z0-9_\-=]{186})\b"),
    rule!(
        "bitbucket-app-password",
        "Bitbucket app password or API token",
        ["atbb"],
        r#"\b(ATBB[A-Za-z0-9_=.\-]{28,})"#
    ),
    rule!("npm-token", "npm access token", ["npm_"], r"\b(npm_[A-Za-z0-9]{36})\b", checksum Checksum::Crc32Base62),
    rule!("pypi-token", "PyPI API token", ["pypi-ageichlwas5vcmc"], r"\b(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,})"),
    rule!("docker-hub-token", "Docker Hub personal access token", ["dckr_pat_"], r"\b(dckr_pat_[A-Za-z0-9_\-]{27})\b"),
    rule!(
        "docker-config-auth",
        "Docker registry credentials (config.json auths)",
        ["\"auths\""],
        r#"(?s)"auths"\s*:\s*\{.{0,2000}?"auth"\s*:\s*"([A-Za-z0-9+/]{16,}={0,2})""#
    ),
    rule!("hashicorp-vault-token", "HashiCorp Vault token", ["hvs.", "hvb."], r"\b(hv[sb]\.[A-Za-z0-9_\-]{90,})"),
    rule!(
        "terraform-cloud-token",
        "Terraform Cloud / Enterprise API token",
        [".atlasv1."],
        r"\b([A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_\-]{60,70})\b"
    ),
    rule!("pulumi-token", "Pulumi access token", ["pul-"], r"\b(pul-[a-f0-9]{40})\b"),
    rule!(
        "age-secret-key",
        "age encryption secret key",
        ["age-secret-key-1"],
        r"\b(AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})\b"
    ),
    rule!(
        "kubernetes-secret",
        "Kubernetes Secret manifest with a value",
        ["kind: secret"],
        r#"(?s)kind:[ \t]*Secret\b.{0,1500}?\n(?:data|stringData):[ \t]*\r?\n[ \t]+[A-Za-z0-9_.\-]+:[ \t]*["']?([A-Za-z0-9+/=_.\-]{12,})"#,
        entropy 3.0,
        severity H
    ),
    rule!("cratesio-api-token", "crates.io API token", ["cio"], r#"\b(cio[A-Za-z0-9]{32})\b"#),
    rule!("rubygems-api-key", "RubyGems API key", ["rubygems_"], r#"\b(rubygems_[a-f0-9]{48})\b"#),
    rule!("nuget-api-key", "NuGet API key", ["oy2"], r#"\b(oy2[a-z0-9]{43})\b"#),
    rule!("clojars-token", "Clojars deploy token", ["clojars_"], r#"\b(CLOJARS_[a-z0-9]{60})\b"#),
    rule!("artifactory-api-key", "JFrog Artifactory API key", ["akcp"], r#"\b(AKCp[A-Za-z0-9]{69})\b"#),
    rule!(
        "artifactory-reference-token",
        "JFrog Artifactory reference token",
        ["cmvmdgtu"],
        r#"\b(cmVmdGtu[A-Za-z0-9]{56})\b"#
    ),
    rule!(
        "doppler-token",
        "Doppler token",
        ["dp.pt.", "dp.st.", "dp.sa.", "dp.ct.", "dp.scim.", "dp.audit."],
        r#"\b(dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,44})\b"#
    ),
    rule!(
        "tailscale-key",
        "Tailscale auth or API key",
        ["tskey-"],
        r#"\b(tskey-(?:api|auth|client|scim|webhook)-[A-Za-z0-9]{10,}-[A-Za-z0-9]{20,})\b"#
    ),
    rule!("sonarqube-token", "SonarQube token", ["squ_", "sqp_", "sqa_"], r#"\b(sq[upa]_[a-f0-9]{40})\b"#),
    rule!("prefect-api-key", "Prefect API key", ["pnu_"], r#"\b(pnu_[A-Za-z0-9]{36})\b"#),
    rule!("infracost-api-key", "Infracost API key", ["ico-"], r#"\b(ico-[A-Za-z0-9]{32})\b"#),
    rule!(
        "onepassword-service-account-token",
        "1Password service account token",
        ["ops_eyj"],
        r#"\b(ops_eyJ[A-Za-z0-9+/]{250,}={0,3})"#
    ),
    rule!("dnkey-api-key", "Defined Networking API key", ["dnkey-"], r#"\b(dnkey-[a-z0-9=_\-]{26}-[a-z0-9=_\-]{52})"#),
    rule!("postman-api-key", "Postman API key", ["pmak-"], r"\b(PMAK-[a-f0-9]{24}-[a-f0-9]{34})\b"),
    token!("gitlab-session-cookie", "GitLab session cookie", "_gitlab_session=", lower, 32),
    token!("sourcegraph-access-token", "Sourcegraph access token", "sgp_", hex, 40),
    token!("buildkite-token", "Buildkite API access token", "bkua_", hex, 40),
    token!("circleci-personal-token", "CircleCI personal API token", "CCIPAT_", url, 60, 70),
    token!("deno-deploy-token", "Deno Deploy access token", "ddp_", alnum, 36),
    token!("apify-api-token", "Apify API token", "apify_api_", alnum, 36),
    token!("wakatime-api-key", "WakaTime API key", "waka_", uuid, 36),
    token!("clickhouse-cloud-secret", "ClickHouse Cloud API secret key", "4b1d", alnum, 38),
    token!("settlemint-application-token", "SettleMint application access token", "sm_aat_", alnum, 16),
    token!("settlemint-personal-token", "SettleMint personal access token", "sm_pat_", alnum, 16),
    token!("settlemint-service-token", "SettleMint service access token", "sm_sat_", alnum, 16),
    rule!(
        "harness-access-token",
        "Harness personal or service account token",
        ["pat.", "sat."],
        r"\b((?:pat|sat)\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{20})\b"
    ),
    keyed!("circleci-api-token", "CircleCI API token (legacy)", "circleci", hex, 40),
    keyed!("travis-ci-token", "Travis CI access token", "travis", alnum, 22),
    keyed!("codecov-token", "Codecov upload token", "codecov", uuid, 36),
    keyed!("drone-ci-token", "Drone CI access token", "drone", alnum, 32),
    keyed!("jenkins-api-token", "Jenkins API token", "jenkins", hex, 32, 34),
    keyed!("sonar-token-legacy", "SonarQube or SonarCloud token (legacy)", "sonar", hex, 40),
    keyed!("snyk-api-token", "Snyk API token", "snyk", uuid, 36),
    keyed!("gitea-token", "Gitea or Forgejo access token", "gitea", hex, 40),
    keyed!("jfrog-identity-token", "JFrog identity token", "jfrog", alnum, 64),
    keyed!("cloudsmith-api-key", "Cloudsmith API key", "cloudsmith", hex, 40),
    keyed!("packagecloud-token", "packagecloud API token", "packagecloud", hex, 48),
    keyed!("gemfury-token", "Gemfury push token", "gemfury", alnum, 20),
    keyed!("hexpm-api-key", "Hex.pm API key", "hexpm", hex, 32),
    keyed!("consul-token", "HashiCorp Consul ACL token", "consul", uuid, 36),
    keyed!("nomad-token", "HashiCorp Nomad ACL token", "nomad", uuid, 36),
    keyed!("ngrok-authtoken", "ngrok auth token", "ngrok", url, 43, 49),
    keyed!("browserstack-access-key", "BrowserStack access key", "browserstack", alnum, 20),
    keyed!("saucelabs-access-key", "Sauce Labs access key", "sauce", uuid, 36),
    keyed!("lambdatest-access-key", "LambdaTest access key", "lambdatest", alnum, 50),
    keyed!("percy-token", "Percy token", "percy", hex, 64),
    keyed!("cypress-record-key", "Cypress Cloud record key", "cypress", uuid, 36),
    keyed!("coveralls-token", "Coveralls repository token", "coveralls", alnum, 32, 40),
    keyed!("codacy-token", "Codacy project or account token", "codacy", alnum, 32),
    keyed!("fossa-api-key", "FOSSA API key", "fossa", hex, 32),
    keyed!("appcenter-token", "Visual Studio App Center API token", "appcenter", hex, 40),
    keyed!("launchdarkly-access-token", "LaunchDarkly access token", "launchdarkly", url, 40),
    keyed!("rails-secret-key-base", "Rails secret_key_base", "secret_key_base", hex, 128),
    keyed!("laravel-app-key", "Laravel APP_KEY", "app_key", "base64:" b64, 44),
    keyed!("octopus-deploy-api-key", "Octopus Deploy API key", "octopus", "API-" upper, 26),
    rule!(
        "azure-devops-pat",
        "Azure DevOps personal access token",
        ["AZDO"],
        r"\b([A-Za-z0-9]{76}AZDO[A-Za-z0-9]{4})\b"
    ),
    rule!(
        "kubeconfig-client-key",
        "Kubeconfig client key data",
        ["client-key-data"],
        r"client-key-data:[ \t]*([A-Za-z0-9+/]{100,}={0,2})"
    ),
    rule!(
        "docker-swarm-join-token",
        "Docker Swarm join token",
        ["SWMTKN-1-"],
        r"\b(SWMTKN-1-[a-z0-9]{50}-[a-z0-9]{25})\b"
    ),
];

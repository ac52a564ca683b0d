//! The credential rules: one per credential type, with the provider's
//! documented format. `keywords` feed the Aho-Corasick prefilter (a rule's
//! regex only runs on blobs that contain one of its keywords, compared
//! without regard to ASCII case); group 1 of `pattern` is the secret.

use fledge_sdk::Severity;

/// A credential type.
pub struct Rule {
    /// Stable id, used in findings and allowlists.
    pub id: &'static str,
    /// What the credential is.
    pub description: &'static str,
    /// At least one must occur in a blob for the regex to run.
    pub keywords: &'static [&'static str],
    /// Group 1 is the secret.
    pub pattern: &'static str,
    /// Minimum Shannon entropy (bits per character) of the secret, for
    /// formats without a distinctive prefix.
    pub entropy: Option<f64>,
    pub severity: Severity,
    /// False for rules whose matches in documentation are examples
    /// (`password: "s3cret"` in a README); provider formats apply everywhere.
    pub in_docs: bool,
}

const C: Severity = Severity::Critical;
const H: Severity = Severity::High;

macro_rules! rule {
    ($id:literal, $description:literal, [$($keyword:literal),+], $pattern:literal) => {
        Rule { id: $id, description: $description, keywords: &[$($keyword),+], pattern: $pattern, entropy: None, severity: C, in_docs: true }
    };
    ($id:literal, $description:literal, [$($keyword:literal),+], $pattern:literal, entropy $entropy:literal) => {
        Rule { id: $id, description: $description, keywords: &[$($keyword),+], pattern: $pattern, entropy: Some($entropy), severity: C, in_docs: true }
    };
    ($id:literal, $description:literal, [$($keyword:literal),+], $pattern:literal, severity $severity:expr) => {
        Rule { id: $id, description: $description, keywords: &[$($keyword),+], pattern: $pattern, entropy: None, severity: $severity, in_docs: true }
    };
    ($id:literal, $description:literal, [$($keyword:literal),+], $pattern:literal, not in docs) => {
        Rule { id: $id, description: $description, keywords: &[$($keyword),+], pattern: $pattern, entropy: None, severity: C, in_docs: false }
    };
    ($id:literal, $description:literal, [$($keyword:literal),+], $pattern:literal, entropy $entropy:literal, severity $severity:expr) => {
        Rule { id: $id, description: $description, keywords: &[$($keyword),+], pattern: $pattern, entropy: Some($entropy), severity: $severity, in_docs: false }
    };
}

/// Every rule, in the order findings are reported.
pub const RULES: &[Rule] = &[
    // Cloud providers.
    rule!(
        "aws-access-key-id",
        "AWS access key id",
        ["akia", "asia", "abia", "acca"],
        r"\b((?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b"
    ),
    rule!(
        "aws-secret-access-key",
        "AWS secret access key",
        ["aws"],
        r#"(?i)aws.{0,24}?(?:secret|sk).{0,24}?[\s"'=:]{1,5}["']?([A-Za-z0-9/+]{40})(?:["'\s,;]|$)"#,
        entropy 4.0
    ),
    rule!(
        "gcp-service-account-key",
        "Google Cloud service-account key file",
        ["service_account"],
        r#"(?s)"type"\s*:\s*"service_account".{0,2000}?"private_key_id"\s*:\s*"([0-9a-f]{40})""#
    ),
    rule!("gcp-api-key", "Google Cloud API key", ["aiza"], r"\b(AIza[0-9A-Za-z_\-]{35})\b"),
    rule!("google-oauth-client-secret", "Google OAuth client secret", ["gocspx"], r"\b(GOCSPX-[A-Za-z0-9_\-]{28})\b"),
    rule!(
        "azure-storage-account-key",
        "Azure storage account key",
        ["accountkey"],
        r"(?i)AccountKey\s*=\s*([A-Za-z0-9+/]{86}==)"
    ),
    rule!(
        "azure-ad-client-secret",
        "Azure AD (Entra ID) client secret",
        ["q~"],
        r"(?:^|[^A-Za-z0-9_~.\-])([A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.\-]{31,34})(?:[^A-Za-z0-9_~.\-]|$)"
    ),
    rule!("alibaba-access-key-id", "Alibaba Cloud AccessKey id", ["ltai"], r"\b(LTAI[A-Za-z0-9]{12,20})\b"),
    rule!(
        "alibaba-access-key-secret",
        "Alibaba Cloud AccessKey secret",
        ["alibaba", "aliyun", "accesskeysecret", "access_key_secret"],
        r#"(?i)(?:alibaba|aliyun|access_?key_?secret).{0,24}?[\s"'=:]{1,5}["']?([A-Za-z0-9]{30})(?:["'\s,;]|$)"#,
        entropy 4.0
    ),
    rule!("tencent-secret-id", "Tencent Cloud SecretId", ["akid"], r"\b(AKID[A-Za-z0-9]{32})\b"),
    rule!(
        "digitalocean-token",
        "DigitalOcean token",
        ["dop_v1_", "doo_v1_", "dor_v1_"],
        r"\b(do[opr]_v1_[a-f0-9]{64})\b"
    ),
    rule!(
        "heroku-api-key",
        "Heroku API key",
        ["heroku"],
        r"(?i)heroku.{0,30}?\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b"
    ),
    // Source forges.
    rule!("github-pat", "GitHub personal access token (classic)", ["ghp_"], r"\b(ghp_[A-Za-z0-9]{36})\b"),
    rule!(
        "github-fine-grained-pat",
        "GitHub fine-grained personal access token",
        ["github_pat_"],
        r"\b(github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b"
    ),
    rule!("github-oauth-token", "GitHub OAuth access token", ["gho_"], r"\b(gho_[A-Za-z0-9]{36})\b"),
    rule!("github-user-to-server-token", "GitHub user-to-server token", ["ghu_"], r"\b(ghu_[A-Za-z0-9]{36})\b"),
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
    // Messaging and webhooks.
    rule!("slack-bot-token", "Slack bot token", ["xoxb-"], r"\b(xoxb-[0-9]{10,13}-[0-9]{10,13}-[A-Za-z0-9]{24,})\b"),
    rule!(
        "slack-user-token",
        "Slack user or workspace token",
        ["xoxp-", "xoxe-", "xoxa-", "xoxs-"],
        r"\b(xox[peas]-[0-9]{10,13}-[0-9]{10,13}-[0-9]{10,13}-[a-f0-9]{32})\b"
    ),
    rule!(
        "slack-app-token",
        "Slack app-level token",
        ["xapp-"],
        r"\b(xapp-[0-9]-[A-Z0-9]{9,11}-[0-9]{10,13}-[a-f0-9]{64})\b"
    ),
    rule!(
        "slack-webhook",
        "Slack incoming webhook",
        ["hooks.slack.com"],
        r"(https://hooks\.slack\.com/(?:services|workflows|triggers)/T[A-Z0-9]{8,12}/[A-Z0-9]{8,12}/[A-Za-z0-9]{20,})"
    ),
    rule!(
        "dingtalk-webhook",
        "DingTalk robot webhook",
        ["oapi.dingtalk.com"],
        r"(https://oapi\.dingtalk\.com/robot/send\?access_token=[a-f0-9]{64})"
    ),
    rule!(
        "feishu-webhook",
        "Feishu / Lark bot webhook",
        ["open.feishu.cn", "open.larksuite.com"],
        r"(https://open\.(?:feishu\.cn|larksuite\.com)/open-apis/bot/v2/hook/[a-f0-9\-]{36})"
    ),
    rule!(
        "wecom-webhook",
        "WeCom (WeChat Work) robot webhook",
        ["qyapi.weixin.qq.com"],
        r"(https://qyapi\.weixin\.qq\.com/cgi-bin/webhook/send\?key=[a-f0-9\-]{36})"
    ),
    rule!(
        "discord-webhook",
        "Discord webhook",
        ["discord.com/api/webhooks", "discordapp.com/api/webhooks"],
        r"(https://discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/[A-Za-z0-9_\-]{60,70})"
    ),
    rule!(
        "telegram-bot-token",
        "Telegram bot token",
        [":aa"],
        r"\b([0-9]{8,10}:AA[0-9A-Za-z_\-]{33})(?:[^0-9A-Za-z_\-]|$)"
    ),
    // Payments, mail, SaaS.
    rule!(
        "stripe-secret-key",
        "Stripe live secret or restricted key",
        ["sk_live_", "rk_live_"],
        r"\b([sr]k_live_[0-9a-zA-Z]{24,99})\b"
    ),
    rule!(
        "square-token",
        "Square access token or application secret",
        ["sq0atp-", "sq0csp-"],
        r"\b(sq0(?:atp|csp)-[0-9A-Za-z_\-]{22,43})\b"
    ),
    rule!(
        "shopify-token",
        "Shopify access token or shared secret",
        ["shpat_", "shpss_", "shpca_", "shppa_"],
        r"\b(shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32})\b"
    ),
    rule!("twilio-api-key", "Twilio API key", ["twilio", "sk"], r"\b(SK[0-9a-fA-F]{32})\b", entropy 3.0),
    rule!("sendgrid-api-key", "SendGrid API key", ["sg."], r"\b(SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43})\b"),
    rule!("mailgun-api-key", "Mailgun API key", ["mailgun", "key-"], r"(?i)mailgun.{0,40}?\b(key-[0-9a-z]{32})\b"),
    rule!("mailchimp-api-key", "Mailchimp API key", ["-us"], r"\b([0-9a-f]{32}-us[0-9]{1,2})\b"),
    rule!(
        "openai-api-key",
        "OpenAI API key",
        ["t3blbkfj"],
        r"\b(sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}T3BlbkFJ[A-Za-z0-9_\-]{20,})\b"
    ),
    rule!(
        "anthropic-api-key",
        "Anthropic API key",
        ["sk-ant-"],
        r"\b(sk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_\-]{80,})\b"
    ),
    rule!("huggingface-token", "Hugging Face access token", ["hf_"], r"\b(hf_[A-Za-z]{34})\b"),
    rule!("sentry-token", "Sentry auth token", ["sntrys_", "sntryu_"], r"\b(sntry[su]_[A-Za-z0-9+/=_]{60,})"),
    rule!(
        "grafana-token",
        "Grafana service-account or cloud token",
        ["glsa_", "glc_"],
        r"\b((?:glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})|(?:glc_[A-Za-z0-9+/]{32,}={0,2}))"
    ),
    rule!("new-relic-api-key", "New Relic user API key", ["nrak-"], r"\b(NRAK-[A-Z0-9]{27})\b"),
    rule!("linear-api-key", "Linear API key", ["lin_api_"], r"\b(lin_api_[A-Za-z0-9]{40})\b"),
    rule!("postman-api-key", "Postman API key", ["pmak-"], r"\b(PMAK-[a-f0-9]{24}-[a-f0-9]{34})\b"),
    rule!("databricks-token", "Databricks access token", ["dapi"], r"\b(dapi[a-f0-9]{32}(?:-[0-9])?)\b"),
    // Package registries and infrastructure.
    rule!("npm-token", "npm access token", ["npm_"], r"\b(npm_[A-Za-z0-9]{36})\b"),
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
    rule!("jwt", "JSON Web Token", ["eyj"], r"\b(eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{16,})", severity H),
    // AI platforms, registries, observability, infrastructure, SaaS and chat.
    rule!("groq-api-key", "Groq API key", ["gsk_"], r#"\b(gsk_[A-Za-z0-9]{52})\b"#),
    rule!("xai-api-key", "xAI API key", ["xai-"], r#"\b(xai-[A-Za-z0-9]{80})\b"#),
    rule!("perplexity-api-key", "Perplexity API key", ["pplx-"], r#"\b(pplx-[A-Za-z0-9]{48})\b"#),
    rule!("openrouter-api-key", "OpenRouter API key", ["sk-or-v1-"], r#"\b(sk-or-v1-[a-f0-9]{64})\b"#),
    rule!("replicate-api-token", "Replicate API token", ["r8_"], r#"\b(r8_[A-Za-z0-9]{37})\b"#),
    rule!("langsmith-api-key", "LangSmith API key", ["lsv2_"], r#"\b(lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10})\b"#),
    rule!("pinecone-api-key", "Pinecone API key", ["pcsk_"], r#"\b(pcsk_[A-Za-z0-9]{5,7}_[A-Za-z0-9]{60,70})\b"#),
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
    rule!("dynatrace-api-token", "Dynatrace API token", ["dt0c01."], r#"\b(dt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64})\b"#),
    rule!("new-relic-license-key", "New Relic ingest license key", ["nral"], r#"\b([a-f0-9]{36}NRAL)\b"#),
    rule!(
        "datadog-api-key",
        "Datadog API or application key",
        ["datadog", "dd_api_key", "dd_app_key"],
        r#"(?i)(?:datadog|dd)[_\-]?(?:api|app|application)[_\-]?key["']?\s*(?:=|:|=>)\s*["']?([a-f0-9]{32}|[a-f0-9]{40})\b"#
    ),
    rule!(
        "doppler-token",
        "Doppler token",
        ["dp.pt.", "dp.st.", "dp.sa.", "dp.ct.", "dp.scim.", "dp.audit."],
        r#"\b(dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,44})\b"#
    ),
    rule!(
        "supabase-service-key",
        "Supabase access token or secret key",
        ["sbp_", "sb_secret_"],
        r#"\b(sbp_[a-f0-9]{40}|sb_secret_[A-Za-z0-9_\-]{31,})\b"#
    ),
    rule!(
        "fly-io-token",
        "Fly.io access token",
        ["fo1_", "fm1a_", "fm1r_", "fm2_"],
        r#"\b(fo1_[A-Za-z0-9_\-]{43}|fm[12][ar]?_[A-Za-z0-9+/]{100,}={0,3})"#
    ),
    rule!(
        "planetscale-token",
        "PlanetScale service token or password",
        ["pscale_tkn_", "pscale_pw_", "pscale_oauth_"],
        r#"\b(pscale_(?:tkn|pw|oauth)_[A-Za-z0-9=\-_.]{32,64})\b"#
    ),
    rule!("netlify-token", "Netlify personal access token", ["nfp_"], r#"\b(nfp_[A-Za-z0-9]{36})\b"#),
    rule!("render-api-key", "Render API key", ["rnd_"], r#"\b(rnd_[A-Za-z0-9]{32})\b"#),
    rule!(
        "tailscale-key",
        "Tailscale auth or API key",
        ["tskey-"],
        r#"\b(tskey-(?:api|auth|client|scim|webhook)-[A-Za-z0-9]{10,}-[A-Za-z0-9]{20,})\b"#
    ),
    rule!("openshift-token", "OpenShift user token", ["sha256~"], r#"(sha256~[A-Za-z0-9_\-]{43})\b"#),
    rule!(
        "cloudflare-origin-ca-key",
        "Cloudflare Origin CA key",
        ["v1.0-"],
        r#"\b(v1\.0-[a-f0-9]{24}-[a-f0-9]{146})\b"#
    ),
    rule!(
        "cloudflare-api-token",
        "Cloudflare API token",
        ["cloudflare", "cf_api_token"],
        r#"(?i)(?:cloudflare|cf)[_\-]?(?:api)?[_\-]?(?:token|key)["']?\s*(?:=|:|=>)\s*["']?([A-Za-z0-9_\-]{40})\b"#
    ),
    rule!(
        "aws-session-token",
        "AWS session token",
        ["aws_session_token", "awssessiontoken", "aws-session-token"],
        r#"(?i)aws[_\-]?session[_\-]?token["']?\s*(?:=|:|=>)\s*["']?([A-Za-z0-9/+=]{100,})"#
    ),
    rule!("sonarqube-token", "SonarQube token", ["squ_", "sqp_", "sqa_"], r#"\b(sq[upa]_[a-f0-9]{40})\b"#),
    rule!("stripe-webhook-secret", "Stripe webhook signing secret", ["whsec_"], r#"\b(whsec_[A-Za-z0-9]{32,})\b"#),
    rule!(
        "braintree-access-token",
        "Braintree production access token",
        ["access_token$production$"],
        r#"(access_token\$production\$[0-9a-z]{16}\$[0-9a-f]{32})"#
    ),
    rule!("brevo-api-key", "Brevo (Sendinblue) API key", ["xkeysib-"], r#"\b(xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16})\b"#),
    rule!("shippo-api-token", "Shippo live API token", ["shippo_live_"], r#"\b(shippo_live_[a-f0-9]{40})\b"#),
    rule!("easypost-api-key", "EasyPost production API key", ["ezak"], r#"\b(EZAK[A-Za-z0-9]{54})\b"#),
    rule!(
        "duffel-api-token",
        "Duffel API token",
        ["duffel_live_", "duffel_test_"],
        r#"\b(duffel_(?:live|test)_[A-Za-z0-9_\-=]{43})"#
    ),
    rule!(
        "hubspot-private-app-token",
        "HubSpot private app token",
        ["pat-na1-", "pat-eu1-"],
        r#"\b(pat-(?:na|eu)1-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12})\b"#
    ),
    rule!("figma-token", "Figma personal access token", ["figd_"], r#"\b(figd_[A-Za-z0-9_\-]{40})"#),
    rule!(
        "notion-token",
        "Notion integration token",
        ["ntn_", "secret_"],
        r#"\b(ntn_[0-9]{11}[A-Za-z0-9]{35}|secret_[A-Za-z0-9]{43})\b"#
    ),
    rule!("contentful-token", "Contentful personal access token", ["cfpat-"], r#"\b(CFPAT-[A-Za-z0-9_\-]{43})"#),
    rule!("typeform-token", "Typeform personal access token", ["tfp_"], r#"\b(tfp_[A-Za-z0-9_\-.]{59})"#),
    rule!("readme-api-key", "ReadMe API key", ["rdme_"], r#"\b(rdme_[a-z0-9]{70})\b"#),
    rule!("prefect-api-key", "Prefect API key", ["pnu_"], r#"\b(pnu_[A-Za-z0-9]{36})\b"#),
    rule!("infracost-api-key", "Infracost API key", ["ico-"], r#"\b(ico-[A-Za-z0-9]{32})\b"#),
    rule!("maxmind-license-key", "MaxMind license key", ["_mmk"], r#"\b([A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk)\b"#),
    rule!(
        "onepassword-service-account-token",
        "1Password service account token",
        ["ops_eyj"],
        r#"\b(ops_eyJ[A-Za-z0-9+/]{250,}={0,3})"#
    ),
    rule!("scalingo-api-token", "Scalingo API token", ["tk-us-"], r#"\b(tk-us-[A-Za-z0-9_\-]{48})"#),
    rule!("dnkey-api-key", "Defined Networking API key", ["dnkey-"], r#"\b(dnkey-[a-z0-9=_\-]{26}-[a-z0-9=_\-]{52})"#),
    rule!("frameio-api-token", "Frame.io API token", ["fio-u-"], r#"\b(fio-u-[A-Za-z0-9_\-=]{64})"#),
    rule!(
        "bitbucket-app-password",
        "Bitbucket app password or API token",
        ["atbb"],
        r#"\b(ATBB[A-Za-z0-9_=.\-]{28,})"#
    ),
    rule!(
        "mapbox-secret-token",
        "Mapbox secret access token",
        ["sk.eyj"],
        r#"\b(sk\.eyJ[A-Za-z0-9_\-]{20,}\.[A-Za-z0-9_\-]{20,})"#
    ),
    rule!(
        "teams-webhook",
        "Microsoft Teams incoming webhook",
        ["webhook.office.com"],
        r#"(https://[a-z0-9\-]+\.webhook\.office\.com/webhookb2/[a-f0-9\-]{36}@[a-f0-9\-]{36}/IncomingWebhook/[a-f0-9]{32}/[a-f0-9\-]{36}(?:/[A-Za-z0-9_\-]+)?)"#
    ),
    rule!(
        "google-chat-webhook",
        "Google Chat webhook",
        ["chat.googleapis.com"],
        r#"(https://chat\.googleapis\.com/v1/spaces/[A-Za-z0-9_\-]+/messages\?key=[A-Za-z0-9_\-]+&token=[A-Za-z0-9_\-%=]+)"#
    ),
    rule!(
        "zapier-webhook",
        "Zapier catch hook",
        ["hooks.zapier.com"],
        r#"(https://hooks\.zapier\.com/hooks/catch/[0-9]+/[A-Za-z0-9]+/?)"#
    ),
    rule!(
        "sidekiq-credentials",
        "Sidekiq Enterprise gem server credentials",
        ["contribsys.com"],
        r#"(https?://[a-f0-9]{8}:[a-f0-9]{8}@(?:gems|enterprise)\.contribsys\.com)"#
    ),
    // Private keys: the secret is the key material.
    rule!(
        "private-key-rsa",
        "RSA private key",
        ["begin rsa private key"],
        r"(-----BEGIN RSA PRIVATE KEY-----\s*[A-Za-z0-9+/=\s:,\-]{64,}?-----END RSA PRIVATE KEY-----)"
    ),
    rule!(
        "private-key-ec",
        "EC private key",
        ["begin ec private key"],
        r"(-----BEGIN EC PRIVATE KEY-----\s*[A-Za-z0-9+/=\s:,\-]{64,}?-----END EC PRIVATE KEY-----)"
    ),
    rule!(
        "private-key-dsa",
        "DSA private key",
        ["begin dsa private key"],
        r"(-----BEGIN DSA PRIVATE KEY-----\s*[A-Za-z0-9+/=\s:,\-]{64,}?-----END DSA PRIVATE KEY-----)"
    ),
    rule!(
        "private-key-openssh",
        "OpenSSH private key",
        ["begin openssh private key"],
        r"(-----BEGIN OPENSSH PRIVATE KEY-----\s*[A-Za-z0-9+/=\s]{64,}?-----END OPENSSH PRIVATE KEY-----)"
    ),
    rule!(
        "private-key-pkcs8",
        "PKCS#8 private key (plain or encrypted)",
        ["private key-----"],
        r"(-----BEGIN (?:ENCRYPTED )?PRIVATE KEY-----\s*[A-Za-z0-9+/=\s]{64,}?-----END (?:ENCRYPTED )?PRIVATE KEY-----)"
    ),
    rule!(
        "private-key-pgp",
        "PGP private key block",
        ["begin pgp private key block"],
        r"(-----BEGIN PGP PRIVATE KEY BLOCK-----\s*[A-Za-z0-9+/=\s:.\-]{64,}?-----END PGP PRIVATE KEY BLOCK-----)"
    ),
    rule!(
        "private-key-putty",
        "PuTTY private key",
        ["putty-user-key-file"],
        r"(PuTTY-User-Key-File-[23]: [\s\S]{64,}?Private-Lines: [0-9]+\s+[A-Za-z0-9+/=\s]{64,})"
    ),
    // Connection strings and generic assignments.
    rule!(
        "database-url-password",
        "Database connection string with a password",
        ["postgres", "mysql", "mariadb", "mongodb", "redis", "amqp", "mssql", "sqlserver", "oracle", "cockroach"],
        r#"(?i)\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|oracle|cockroachdb)://[^\s:/@'"]+:([^\s@/'"]{3,})@[A-Za-z0-9.\-\[\]]+"#,
        not in docs
    ),
    rule!(
        "jdbc-password",
        "JDBC URL with a password",
        ["jdbc:"],
        r#"(?i)\bjdbc:[a-z0-9]+:[^\s'"]*?[?&;:]password=([^&;\s'"]{3,})"#,
        not in docs
    ),
    rule!(
        "generic-secret-assignment",
        "Password, secret, token or API key assigned a literal value",
        ["password", "passwd", "pwd", "secret", "token", "apikey", "api_key", "api-key", "access_key", "auth_key", "credential"],
        r#"(?i)(?:^|[^A-Za-z0-9])[A-Za-z0-9_.\-]*(?:password|passwd|pwd|secret|token|api_?key|api-key|access_?key|auth_?key|credentials?)[A-Za-z0-9_.\-]*["']?\s*(?:=|:|=>|:=)\s*["']([^"'\s]{8,128})["']"#,
        entropy 3.0,
        severity H
    ),
];

/// Values that look like credentials but are documentation, templates or
/// references to real secrets kept elsewhere.
pub fn is_placeholder(secret: &str) -> bool {
    let lower = secret.to_ascii_lowercase();
    const MARKERS: &[&str] = &[
        "example",
        "sample",
        "dummy",
        "placeholder",
        "changeme",
        "change_me",
        "change-me",
        "your_",
        "your-",
        "yourtoken",
        "yourkey",
        "yourpassword",
        "<",
        ">",
        "${",
        "{{",
        "}}",
        "%(",
        "$(",
        "xxxx",
        "****",
        "....",
        "redacted",
        "fake",
        "notreal",
        "not_real",
        "not-real",
        "insert",
        "replace",
        "secret_here",
        "token_here",
        "password_here",
        "todo",
        "fixme",
        "foobar",
        "1234567",
        "abcdef",
        "qwerty",
    ];
    if MARKERS.iter().any(|m| lower.contains(m)) {
        return true;
    }
    if lower.starts_with('$')
        || lower.starts_with("env.")
        || lower.starts_with("process.env")
        || lower.starts_with("os.environ")
    {
        return true;
    }
    if is_format_template(secret) {
        return true;
    }
    let mut distinct: Vec<char> = lower.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    distinct.len() < 5
}

/// True for printf- and strftime-style templates (`"%s"`, `"%(name)s"`,
/// `"user:%d"`, `"%Y-%m-%d"`): a conversion (`%`, optional flags, width and
/// precision, a letter) that ends the value or is followed by something
/// other than a letter or digit. A password with a `%` inside
/// (`"Pa%sw0rd9x"`) is not a template.
fn is_format_template(value: &str) -> bool {
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        if bytes.get(j) == Some(&b'(') {
            return bytes[j..].contains(&b')');
        }
        while j < bytes.len() && (b"-+ 0#.".contains(&bytes[j]) || bytes[j].is_ascii_digit()) {
            j += 1;
        }
        if bytes.get(j).is_some_and(u8::is_ascii_alphabetic)
            && bytes.get(j + 1).is_none_or(|next| !next.is_ascii_alphanumeric())
        {
            return true;
        }
        i = j.max(i + 1);
    }
    false
}

/// True for a constant's or an environment variable's name
/// (`DATA_STORAGE_S3_ACCESSKEYID`, `db.password.key`): upper-case words
/// joined by `_`, or lower-case words joined by `_`, `.` or `-` at least
/// twice. Generated secrets are not spelled like identifiers.
pub fn is_identifier(value: &str) -> bool {
    let words = |separators: &[char]| -> Vec<&str> { value.split(separators).collect() };
    let upper = words(&['_']);
    if upper.len() >= 2
        && upper.iter().all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()))
        && upper.iter().any(|w| w.bytes().any(|b| b.is_ascii_uppercase()))
        && value.bytes().filter(u8::is_ascii_digit).count() * 3 < value.len()
    {
        return true;
    }
    let lower = words(&['_', '.', '-']);
    lower.len() >= 3
        && value.bytes().filter(u8::is_ascii_digit).count() * 10 <= value.len()
        && lower.iter().all(|w| {
            w.len() >= 2
                && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                && w.as_bytes()[0].is_ascii_lowercase()
        })
}

/// Why a generic secret is public by design, from the name it is assigned
/// to and the text around it: search-only and publishable keys, and the
/// site keys of CAPTCHA services, are meant to be shipped to browsers.
pub fn public_by_design(name: &[u8], context: &[u8]) -> Option<&'static str> {
    let name = String::from_utf8_lossy(name).to_ascii_lowercase();
    let context = String::from_utf8_lossy(context).to_ascii_lowercase();
    if ["admin", "write", "secret", "private", "master"].iter().any(|m| name.contains(m)) {
        return None;
    }
    let search_only =
        ["search_only", "searchonly", "search-only", "search_api_key", "searchapikey", "searchkey", "search_key"];
    if search_only.iter().any(|m| name.contains(m)) {
        return Some("a search-only key, public by design");
    }
    // DocSearch configurations carry a search-only key; a plain Algolia
    // client (`algoliasearch(appId, apiKey)`) may be given the admin key.
    if context.contains("docsearch") {
        return Some("an Algolia search-only key (DocSearch), public by design");
    }
    if ["publishable", "public_key", "publickey", "public-key", "site_key", "sitekey"].iter().any(|m| name.contains(m))
    {
        return Some("a publishable or site key, public by design");
    }
    None
}

/// True when a value mixes character classes as generated secrets do: it
/// has a digit, or both upper- and lower-case letters. Words and identifiers
/// (`same-origin`, `rapunzel`) do not.
/// A value holding the word it stands for (`password: "password_hash"`) is
/// not a secret either.
pub fn looks_random(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    let mixed = value.bytes().any(|b| b.is_ascii_digit())
        || (value.bytes().any(|b| b.is_ascii_uppercase()) && value.bytes().any(|b| b.is_ascii_lowercase()));
    mixed && !["password", "passwd", "secret", "token", "apikey", "api_key"].iter().any(|w| lower.contains(w))
}

/// Shannon entropy in bits per character.
pub fn entropy(text: &str) -> f64 {
    let mut counts = [0u32; 256];
    for byte in text.bytes() {
        counts[usize::from(byte)] += 1;
    }
    let len = text.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

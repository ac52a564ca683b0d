//! Cloud and hosting.

use super::{C, H, Rule, Shape};

pub(super) const RULES: &[Rule] = &[
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
        "aws-session-token",
        "AWS session token",
        ["aws_session_token", "awssessiontoken", "aws-session-token"],
        r#"(?i)aws[_\-]?session[_\-]?token["']?\s*(?:=|:|=>)\s*["']?([A-Za-z0-9/+=]{100,})"#
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
    rule!("openshift-token", "OpenShift user token", ["sha256~"], r#"(sha256~[A-Za-z0-9_\-]{43})\b"#),
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
        "supabase-service-key",
        "Supabase access token or secret key",
        ["sbp_", "sb_secret_"],
        r#"\b(sbp_[a-f0-9]{40}|sb_secret_[A-Za-z0-9_\-]{31,})\b"#
    ),
    rule!("scalingo-api-token", "Scalingo API token", ["tk-us-"], r#"\b(tk-us-[A-Za-z0-9_\-]{48})"#),
    token!("heroku-api-key-v2", "Heroku API key (HRKU- format)", "HRKU-AA", url, 58),
    token!("yandex-cloud-api-key", "Yandex Cloud API key", "AQVN", url, 35, 38),
    token!("scaleway-access-key", "Scaleway access key id", "SCW", upper, 17),
    keyed!("scaleway-secret-key", "Scaleway secret key", "scw_secret", uuid, 36),
    keyed!("yandex-static-access-key", "Yandex Cloud static access key", "yandex", "YC" url, 38),
    keyed!("linode-token", "Linode (Akamai) personal access token", "linode", hex, 64),
    keyed!("vultr-api-key", "Vultr API key", "vultr", upper, 36),
    keyed!("hetzner-cloud-token", "Hetzner Cloud API token", "hcloud", alnum, 64),
    keyed!("vercel-token", "Vercel access token", "vercel", alnum, 24),
    keyed!("railway-token", "Railway API token", "railway", uuid, 36),
    keyed!("ibm-cloud-api-key", "IBM Cloud API key", "ibm", url, 44),
    keyed!("azure-openai-api-key", "Azure OpenAI API key", "azure_openai", hex, 32),
    keyed!("digitalocean-spaces-secret", "DigitalOcean Spaces secret key", "spaces_secret", b64, 43),
    keyed!("backblaze-application-key", "Backblaze B2 application key", "b2_app", b64, 31),
    keyed!("upstash-redis-token", "Upstash REST token", "upstash", url, 60, 100),
    keyed!("netlify-token-legacy", "Netlify access token (legacy format)", "netlify", url, 40, 46),
    keyed!("firebase-cli-token", "Firebase CLI refresh token", "firebase_token", "1//" url, 60, 120),
    token!("google-oauth-access-token", "Google OAuth access token", "ya29." as r"ya29\.", url, 60, 300),
    token!("amazon-mws-auth-token", "Amazon MWS auth token", "amzn.mws." as r"amzn\.mws\.", uuid, 36),
    keyed!("alibaba-oss-secret", "Alibaba Cloud OSS access key secret", "oss_access_key_secret", alnum, 30),
    keyed!("tencent-secret-key", "Tencent Cloud SecretKey", "tencent", alnum, 32),
    keyed!("huawei-cloud-secret-key", "Huawei Cloud secret access key", "huawei", alnum, 40),
    keyed!("oracle-cloud-auth-token", "Oracle Cloud auth token", "oci_auth_token", url, 20),
    keyed!("bunny-api-key", "Bunny.net API key", "bunny", url, 72),
    keyed!("wasabi-secret-key", "Wasabi secret access key", "wasabi", upper, 40),
    keyed!("cloudflare-global-api-key", "Cloudflare global API key", "cloudflare_global", hex, 37),
];

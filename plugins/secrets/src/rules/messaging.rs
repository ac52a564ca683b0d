//! Messaging, e-mail and webhooks.

use super::{C, H, Rule, Shape};

pub(super) const RULES: &[Rule] = &[
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
    rule!("twilio-api-key", "Twilio API key", ["twilio", "sk"], r"\b(SK[0-9a-fA-F]{32})\b", entropy 3.0),
    rule!("sendgrid-api-key", "SendGrid API key", ["sg."], r"\b(SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43})\b"),
    rule!("mailgun-api-key", "Mailgun API key", ["mailgun", "key-"], r"(?i)mailgun.{0,40}?\b(key-[0-9a-z]{32})\b"),
    rule!("mailchimp-api-key", "Mailchimp API key", ["-us"], r"\b([0-9a-f]{32}-us[0-9]{1,2})\b"),
    rule!("brevo-api-key", "Brevo (Sendinblue) API key", ["xkeysib-"], r#"\b(xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16})\b"#),
    keyed!("twilio-auth-token", "Twilio auth token", "twilio", hex, 32),
    keyed!("vonage-api-secret", "Vonage (Nexmo) API secret", "nexmo", alnum, 16),
    keyed!("plivo-auth-token", "Plivo auth token", "plivo", alnum, 40),
    keyed!("messagebird-api-key", "MessageBird API key", "messagebird", alnum, 25),
    keyed!("postmark-server-token", "Postmark server token", "postmark", uuid, 36),
    keyed!("mailjet-api-secret", "Mailjet API secret", "mailjet", hex, 32),
    keyed!("sparkpost-api-key", "SparkPost API key", "sparkpost", hex, 40),
    keyed!("mandrill-api-key", "Mandrill API key", "mandrill", url, 22),
    keyed!("resend-api-key", "Resend API key", "resend", "re_" url, 32, 40),
    keyed!("loops-api-key", "Loops API key", "loops", hex, 32),
    keyed!("customerio-api-key", "Customer.io API key", "customerio", hex, 20),
    keyed!("intercom-access-token", "Intercom access token", "intercom", url, 60),
    keyed!("zendesk-api-token", "Zendesk API token", "zendesk", alnum, 40),
    keyed!("freshdesk-api-key", "Freshdesk API key", "freshdesk", alnum, 20),
    keyed!("mattermost-token", "Mattermost access token", "mattermost", lower, 26),
    keyed!("gitter-token", "Gitter access token", "gitter", url, 40),
    keyed!("discord-client-secret", "Discord client secret", "discord", url, 32),
    keyed!("pusher-secret", "Pusher Channels app secret", "pusher", hex, 20),
    keyed!("pagerduty-api-key", "PagerDuty API key", "pagerduty", url, 20),
    keyed!("opsgenie-api-key", "Opsgenie API key", "opsgenie", uuid, 36),
    keyed!("onesignal-api-key", "OneSignal REST API key", "onesignal", alnum, 48),
    keyed!("sendbird-api-token", "Sendbird API token", "sendbird", hex, 40),
    keyed!("line-channel-secret", "LINE channel secret", "line_channel", hex, 32),
    keyed!("neverbounce-api-key", "NeverBounce API key", "neverbounce", "secret_" hex, 32),
    keyed!("zerobounce-api-key", "ZeroBounce API key", "zerobounce", hex, 32),
    keyed!("hunter-api-key", "Hunter.io API key", "hunter", hex, 40),
];

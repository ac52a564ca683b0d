//! Payments and commerce.

use super::{C, H, Rule, Shape};

pub(super) const RULES: &[Rule] = &[
    rule!(
        "stripe-secret-key",
        "Stripe live secret or restricted key",
        ["sk_live_", "rk_live_"],
        r"\b([sr]k_live_[0-9a-zA-Z]{24,99})\b"
    ),
    rule!("stripe-webhook-secret", "Stripe webhook signing secret", ["whsec_"], r#"\b(whsec_[A-Za-z0-9]{32,})\b"#),
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
    rule!(
        "braintree-access-token",
        "Braintree production access token",
        ["access_token$production$"],
        r#"(access_token\$production\$[0-9a-z]{16}\$[0-9a-f]{32})"#
    ),
    rule!("shippo-api-token", "Shippo live API token", ["shippo_live_"], r#"\b(shippo_live_[a-f0-9]{40})\b"#),
    rule!("easypost-api-key", "EasyPost production API key", ["ezak"], r#"\b(EZAK[A-Za-z0-9]{54})\b"#),
    rule!(
        "duffel-api-token",
        "Duffel API token",
        ["duffel_live_", "duffel_test_"],
        r#"\b(duffel_(?:live|test)_[A-Za-z0-9_\-=]{43})"#
    ),
    token!("square-access-token-v2", "Square access token (EAAA format)", "EAAA", url, 60),
    token!("easypost-test-api-key", "EasyPost test API key", "EZTK", alnum, 54),
    token!("shippo-test-api-token", "Shippo test API token", "shippo_test_", hex, 40),
    token!("adobe-client-secret", "Adobe OAuth client secret", "p8e-", alnum, 32),
    rule!(
        "flutterwave-secret-key",
        "Flutterwave secret or encryption key",
        ["FLWSECK"],
        r"\b(FLWSECK(?:_TEST)?-[a-h0-9]{32}-X)"
    ),
    keyed!("paypal-client-secret", "PayPal REST client secret", "paypal", url, 80),
    keyed!("plaid-secret", "Plaid secret key", "plaid", lower, 30),
    keyed!("coinbase-api-secret", "Coinbase API secret", "coinbase", url, 64),
    keyed!("kucoin-api-key", "KuCoin API key", "kucoin", hex, 24),
    keyed!("bittrex-api-key", "Bittrex API key", "bittrex", alnum, 32),
    keyed!("binance-api-secret", "Binance API secret", "binance", alnum, 64),
    keyed!("gocardless-token", "GoCardless access token", "gocardless", "live_" url, 40),
    keyed!("razorpay-key-secret", "Razorpay key secret", "razorpay", alnum, 24),
    keyed!("mollie-api-key", "Mollie live API key", "mollie", "live_" alnum, 30),
    keyed!("recurly-api-key", "Recurly API key", "recurly", hex, 32),
    keyed!("chargebee-api-key", "Chargebee API key", "chargebee", "live_" url, 30, 34),
    keyed!("lob-api-key", "Lob live API key", "lob", "live_" hex, 35),
    keyed!("shipstation-api-secret", "ShipStation API secret", "shipstation", hex, 32),
    keyed!("finicity-app-key", "Finicity app key", "finicity", hex, 32),
    keyed!("etherscan-api-key", "Etherscan API key", "etherscan", upper, 34),
    keyed!("bscscan-api-key", "BscScan API key", "bscscan", upper, 34),
    keyed!("infura-api-key", "Infura API key", "infura", hex, 32),
    keyed!("alchemy-api-key", "Alchemy API key", "alchemy", url, 32),
    keyed!("etsy-api-key", "Etsy API key", "etsy", lower, 24),
    keyed!("clearbit-api-key", "Clearbit API key", "clearbit", "sk_" hex, 32),
];

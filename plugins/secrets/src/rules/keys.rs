//! Private keys, connection strings and generic assignments.

use super::{C, H, Rule, Shape};

pub(super) const RULES: &[Rule] = &[
    rule!("jwt", "JSON Web Token", ["eyj"], r"\b(eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{16,})", severity H),
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
    rule!(
        "database-url-password",
        "Database connection string with a password",
        ["postgres", "mysql", "mariadb", "mongodb", "redis", "amqp", "mssql", "sqlserver", "oracle", "cockroach"],
        r#"(?i)\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|oracle|cockroachdb)://[^\s:/@'"]+:([^\s@/'"]{3,})@[A-Za-z0-9.\-\[\]]+"#,
        not in docs
    )
    .reach(1, 1024),
    rule!(
        "jdbc-password",
        "JDBC URL with a password",
        ["jdbc:"],
        r#"(?i)\bjdbc:[a-z0-9]+:[^\s'"]*?[?&;:]password=([^&;\s'"]{3,})"#,
        not in docs
    )
    .reach(1, 2048),
    rule!(
        "generic-secret-assignment",
        "Password, secret, token or API key assigned a literal value",
        ["password", "passwd", "pwd", "secret", "token", "apikey", "api_key", "api-key", "access_key", "auth_key", "credential"],
        r#"(?i)(?:^|[^A-Za-z0-9])[A-Za-z0-9_.\-]*(?:password|passwd|pwd|secret|token|api_?key|api-key|access_?key|auth_?key|credentials?)[A-Za-z0-9_.\-]*["']?\s*(?:=|:|=>|:=)\s*["']([^"'\s]{8,128})["']"#,
        entropy 3.0,
        severity H
    )
    .reach(256, 512),
];

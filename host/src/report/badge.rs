//! An SVG badge with the stage and the score, in the flat style of
//! shields.io, for READMEs and dashboards.

use crate::model::verdict::StageStatus;
use crate::report::Report;

/// Approximate width of text in 11px Verdana, as badge makers estimate it.
fn text_width(text: &str) -> usize {
    text.chars()
        .map(|c| {
            if c.is_ascii_uppercase() || c == 'm' || c == 'w' {
                9
            } else if c == ' ' || c == '.' {
                4
            } else {
                7
            }
        })
        .sum::<usize>()
        + 10
}

/// The badge colour for a stage: the last stage green, the first orange,
/// none reached red.
pub fn colour(stages: &[StageStatus]) -> &'static str {
    let reached = stages.iter().rposition(|s| s.reached);
    match reached {
        None => "#e05d44",
        Some(i) if i + 1 == stages.len() => "#4c1",
        Some(0) => "#fe7d37",
        Some(_) => "#dfb317",
    }
}

/// The badge of a repository's report.
pub fn render(report: &Report) -> String {
    svg(&report.verdict.stage, report.score, colour(&report.verdict.stages))
}

/// "fledge | incubating 72" in `colour`.
pub fn svg(stage: &str, score: f64, colour: &str) -> String {
    let label = "fledge";
    let value = format!("{stage} {score:.0}");
    let (left, right) = (text_width(label), text_width(&value));
    let total = left + right;
    let value = crate::text::html(&value);
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" aria-label="{label}: {value}">
<title>{label}: {value}</title>
<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>
<clipPath id="r"><rect width="{total}" height="20" rx="3" fill="#fff"/></clipPath>
<g clip-path="url(#r)"><rect width="{left}" height="20" fill="#555"/><rect x="{left}" width="{right}" height="20" fill="{colour}"/><rect width="{total}" height="20" fill="url(#s)"/></g>
<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">
<text x="{lx}" y="14">{label}</text><text x="{rx}" y="14">{value}</text>
</g>
</svg>
"##,
        lx = left / 2,
        rx = left + right / 2,
    )
}

/// The file name of a repository's badge: its name with anything but
/// letters, digits, `.`, `-` and `_` turned into `_`, and a short hash of
/// the name where that changed it (so `a/b` and `a_b` stay apart).
pub fn file_name(repository: &str) -> String {
    use sha2::Digest as _;
    let clean: String = repository
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .collect();
    let clean = clean.trim_start_matches('.');
    if clean == repository && !clean.is_empty() {
        format!("{clean}.svg")
    } else {
        let digest = sha2::Sha256::digest(repository.as_bytes());
        format!("{clean}-{}.svg", hex::encode(&digest[..4]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe_and_distinct() {
        assert_eq!(file_name("lint"), "lint.svg");
        let (slash, underscore) = (file_name("team/lint"), file_name("team_lint"));
        assert!(slash.starts_with("team_lint-") && slash.ends_with(".svg"), "{slash}");
        assert_eq!(underscore, "team_lint.svg");
        assert!(!file_name("../../etc/passwd").contains('/'));
        assert!(!file_name("..").starts_with('.'));
    }
}

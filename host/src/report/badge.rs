//! An SVG badge with the stage and the score, in the flat style of
//! shields.io, for READMEs and dashboards.

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

/// The badge colour for a stage: the last stage green, the first orange.
fn colour(report: &Report) -> &'static str {
    let stages = &report.verdict.stages;
    let reached = stages.iter().rposition(|s| s.reached);
    match reached {
        None => "#e05d44",
        Some(i) if i + 1 == stages.len() => "#4c1",
        Some(0) => "#fe7d37",
        Some(_) => "#dfb317",
    }
}

pub fn render(report: &Report) -> String {
    let label = "fledge";
    let value = format!("{} {:.0}", report.verdict.stage, report.score);
    let (left, right) = (text_width(label), text_width(&value));
    let total = left + right;
    let colour = colour(report);
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

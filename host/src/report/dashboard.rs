//! The run report as one self-contained HTML page (inline CSS, inline
//! script, inline SVG; no external assets): the run's summary, the trend
//! over past runs, the changes, a sortable and filterable table of every
//! repository (team, stage, score, change since the baseline, a sparkline
//! of its score), and a section per repository with what blocks it.
//!
//! Every piece of text from a repository or the catalog is escaped.

use std::fmt::Write as _;

use super::run::{blocking, change_counts, counts, headline, outcome, signed, with_checks};
use crate::model::scan::ResultOutcome;
use crate::trends::{RepositoryEntry, RunReport, TrendPoint};

pub use crate::text::html as escape;

/// Escapes text, turning `backticked` spans into `<code>`.
fn with_code(text: &str) -> String {
    let mut out = String::new();
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", escape(part));
        } else {
            out.push_str(&escape(part));
        }
    }
    out
}

const STYLE: &str = r#"
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
header,main{max-width:1200px;margin:0 auto;padding:16px 24px}
header{background:#24292f;color:#fff;max-width:none}
header h1{font-size:20px;margin:0 0 4px}
header p{margin:0;color:#d0d7de}
section{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:12px 16px;margin:16px 0}
h2{font-size:16px;margin:0 0 8px}
.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:8px 14px;min-width:110px}
.card b{display:block;font-size:22px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}
th{cursor:pointer;user-select:none;background:#f6f8fa;position:sticky;top:0}
th[aria-sort=ascending]::after{content:" ▲"}
th[aria-sort=descending]::after{content:" ▼"}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.up{color:#1a7f37}.down{color:#cf222e}
.kind-regressed,.kind-failing{color:#cf222e;font-weight:600}
.kind-improved,.kind-recovered{color:#1a7f37;font-weight:600}
.error{color:#cf222e}
.controls{display:flex;gap:8px;margin-bottom:8px}
.controls input,.controls select{font:inherit;padding:4px 8px}
.repo h3{margin:0 0 4px;font-size:15px}
.muted{color:#59636e}
code{background:#eff1f3;padding:0 4px;border-radius:4px;font-size:90%}
ul.blockers{margin:4px 0;padding-left:20px}
svg text{font-size:10px;fill:#59636e}
"#;

const SCRIPT: &str = r#"
(function(){
  var table=document.getElementById('repos'), body=table.tBodies[0];
  var filter=document.getElementById('filter'), team=document.getElementById('team');
  function apply(){
    var q=filter.value.toLowerCase(), t=team.value;
    Array.prototype.forEach.call(body.rows,function(r){
      var show=(!q||r.textContent.toLowerCase().indexOf(q)>=0)&&(!t||r.dataset.team===t);
      r.style.display=show?'':'none';
    });
  }
  filter.addEventListener('input',apply); team.addEventListener('change',apply);
  Array.prototype.forEach.call(table.tHead.rows[0].cells,function(th,i){
    th.addEventListener('click',function(){
      var asc=th.getAttribute('aria-sort')!=='ascending', numeric=th.dataset.type==='number';
      Array.prototype.forEach.call(table.tHead.rows[0].cells,function(c){c.removeAttribute('aria-sort')});
      th.setAttribute('aria-sort',asc?'ascending':'descending');
      var rows=Array.prototype.slice.call(body.rows);
      rows.sort(function(a,b){
        var x=a.cells[i].dataset.v, y=b.cells[i].dataset.v;
        if(numeric){x=x===''?-Infinity:+x;y=y===''?-Infinity:+y;return asc?x-y:y-x}
        return asc?x.localeCompare(y):y.localeCompare(x);
      });
      rows.forEach(function(r){body.appendChild(r)});
    });
  });
})();
"#;

/// The whole page.
pub fn render(report: &RunReport) -> String {
    let mut out = String::with_capacity(4096 + report.repositories.len() * 1024);
    let s = &report.summary;
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>fledge scan: run {}</title><style>{STYLE}</style></head><body>\n\
         <header><h1>fledge scan: run {}</h1><p>{}</p></header>\n<main>\n",
        report.run.id,
        report.run.id,
        escape(&headline(report))
    );
    out.push_str("<div class=\"cards\">");
    let mean = s.mean_score.map_or_else(|| "n/a".to_owned(), |m| format!("{m:.1}"));
    for (label, value) in [
        ("repositories", s.repositories.to_string()),
        ("mean score", mean),
        ("errors", s.tally.errors.to_string()),
        ("regressed", s.regressed.to_string()),
        ("improved", s.improved.to_string()),
        ("new", s.new.to_string()),
    ] {
        let _ = write!(out, "<div class=\"card\"><b>{}</b>{label}</div>", escape(&value));
    }
    out.push_str("</div>\n");
    let _ = write!(
        out,
        "<section><h2>Summary</h2><p>{}.</p><p>Changes: {}.</p>",
        escape(&counts(report)),
        escape(&change_counts(report))
    );
    if !s.stages.is_empty() {
        out.push_str("<p>Stages: ");
        let stages: Vec<String> = s.stages.iter().map(|(stage, n)| format!("<b>{}</b> {n}", escape(stage))).collect();
        out.push_str(&stages.join(", "));
        out.push_str("</p>");
    }
    for note in &report.notes {
        let _ = write!(out, "<p class=\"muted\">Note: {}</p>", escape(note));
    }
    out.push_str("</section>\n");
    if report.trend.len() > 1 {
        let _ = writeln!(out, "<section><h2>Trend</h2>{}</section>", trend_chart(&report.trend));
    }
    if !report.changes.is_empty() {
        out.push_str("<section><h2>Changes</h2><table><thead><tr><th>Change</th><th>Repository</th><th>Team</th><th>Detail</th></tr></thead><tbody>");
        for change in &report.changes {
            let anchor = report.repositories.iter().position(|r| r.result.repository == change.repository);
            let name = match anchor {
                Some(i) => format!("<a href=\"#r{i}\">{}</a>", escape(&change.repository)),
                None => escape(&change.repository),
            };
            let _ = write!(
                out,
                "<tr><td class=\"kind-{kind}\">{kind}</td><td>{name}</td><td>{}</td><td>{}</td></tr>",
                escape(change.team.as_deref().unwrap_or("")),
                escape(&with_checks(change)),
                kind = change.kind.as_str(),
            );
        }
        out.push_str("</tbody></table></section>\n");
    }
    repositories_table(&mut out, report);
    out.push_str("<section><h2>Repositories in detail</h2>");
    for (i, entry) in report.repositories.iter().enumerate() {
        repository_section(&mut out, i, entry);
    }
    let _ = write!(
        out,
        "</section>\n<p class=\"muted\">Generated by {} {}.</p>\n</main>\n<script>{SCRIPT}</script>\n</body></html>\n",
        escape(&report.tool.name),
        escape(&report.tool.version)
    );
    out
}

fn repositories_table(out: &mut String, report: &RunReport) {
    let mut teams: Vec<&str> = report.repositories.iter().filter_map(|r| r.result.team.as_deref()).collect();
    teams.sort_unstable();
    teams.dedup();
    out.push_str(
        "<section><h2>Repositories</h2><div class=\"controls\">\
         <input id=\"filter\" type=\"search\" placeholder=\"Filter…\" aria-label=\"Filter repositories\">\
         <select id=\"team\" aria-label=\"Team\"><option value=\"\">All teams</option>",
    );
    for team in &teams {
        let _ = write!(out, "<option>{}</option>", escape(team));
    }
    out.push_str(
        "</select></div><table id=\"repos\"><thead><tr><th>Repository</th><th>Team</th>\
         <th data-type=\"number\">Stage</th><th data-type=\"number\">Score</th><th data-type=\"number\">Change</th>\
         <th>Outcome</th><th>Trend</th></tr></thead><tbody>\n",
    );
    for (i, entry) in report.repositories.iter().enumerate() {
        let result = &entry.result;
        let team = result.team.as_deref().unwrap_or("");
        let number = |v: Option<f64>| v.map_or_else(String::new, |v| format!("{v:.1}"));
        let change_class = match entry.score_change {
            Some(c) if c > 0.0 => " up",
            Some(c) if c < 0.0 => " down",
            _ => "",
        };
        let outcome_class = if result.outcome == ResultOutcome::Error { " class=\"error\"" } else { "" };
        let _ = writeln!(
            out,
            "<tr data-team=\"{team}\"><td data-v=\"{name}\"><a href=\"#r{i}\">{name}</a></td><td data-v=\"{team}\">{team}</td>\
             <td data-v=\"{rank}\">{stage}</td><td class=\"n\" data-v=\"{score}\">{score}</td>\
             <td class=\"n{change_class}\" data-v=\"{change}\">{signed}</td><td data-v=\"{outcome}\"{outcome_class}>{outcome}</td>\
             <td data-v=\"\">{spark}</td></tr>",
            name = escape(&result.repository),
            team = escape(team),
            rank = result.stage_rank.map_or_else(String::new, |r| r.to_string()),
            stage = escape(result.stage.as_deref().unwrap_or("-")),
            score = number(result.score),
            change = number(entry.score_change),
            signed = signed(entry.score_change),
            outcome = escape(&outcome(entry)),
            spark = sparkline(&entry.history),
        );
    }
    out.push_str("</tbody></table></section>\n");
}

fn repository_section(out: &mut String, i: usize, entry: &RepositoryEntry) {
    let result = &entry.result;
    let _ = write!(out, "<div class=\"repo\" id=\"r{i}\"><h3>{}</h3><p class=\"muted\">", escape(&result.repository));
    let mut facts = Vec::new();
    if let Some(team) = &result.team {
        facts.push(format!("team {}", escape(team)));
    }
    facts.push(escape(&result.url));
    if let Some(commit) = &result.commit {
        facts.push(format!("commit <code>{}</code>", escape(&commit[..commit.len().min(12)])));
    }
    if let Some(recorded) = &result.recorded_stage {
        facts.push(format!("on record as {}", escape(recorded)));
    }
    facts.push(escape(&outcome(entry)));
    out.push_str(&facts.join(" · "));
    out.push_str("</p>");
    if let (Some(stage), Some(score)) = (&result.stage, result.score) {
        let _ = write!(out, "<p>Stage <b>{}</b>, score <b>{score:.1}</b>", escape(stage));
        if let Some(before) = &entry.baseline_stage {
            let _ = write!(out, " (was {}, {})", escape(before), escape(&signed(entry.score_change)));
        }
        out.push_str(".</p>");
    }
    if let Some(error) = &result.error {
        let _ = write!(out, "<p class=\"error\">{}</p>", escape(error));
    }
    match &entry.next {
        Some(next) if !entry.blockers.is_empty() => {
            let _ = write!(out, "<p>What blocks <b>{}</b>:</p><ul class=\"blockers\">", escape(next));
            for blocker in &entry.blockers {
                let _ = write!(out, "<li><b>{}</b> {}</li>", blocker.label(), with_code(&blocker.describe()));
            }
            out.push_str("</ul>");
        }
        _ => {
            let text = blocking(entry);
            if !text.is_empty() && result.error.is_none() {
                let _ = write!(out, "<p>{}</p>", escape(&text));
            }
        }
    }
    out.push_str("</div>\n");
}

/// A small line of a repository's scores over the trend's runs.
fn sparkline(history: &[Option<f64>]) -> String {
    let known: Vec<(usize, f64)> = history.iter().enumerate().filter_map(|(i, s)| s.map(|s| (i, s))).collect();
    if known.len() < 2 {
        return String::new();
    }
    let (width, height) = (80.0, 18.0);
    let points = polyline(&known, history.len(), width, height);
    format!(
        "<svg width=\"80\" height=\"18\" viewBox=\"0 0 80 18\" role=\"img\" aria-label=\"score over {} runs\">\
         <polyline fill=\"none\" stroke=\"#0969da\" stroke-width=\"1.5\" points=\"{points}\"/></svg>",
        history.len()
    )
}

/// SVG polyline points for `(index, score 0-100)` over `slots` positions.
fn polyline(values: &[(usize, f64)], slots: usize, width: f64, height: f64) -> String {
    #[expect(clippy::cast_precision_loss, reason = "a handful of runs")]
    let step = width / (slots.saturating_sub(1).max(1)) as f64;
    values
        .iter()
        .map(|&(i, v)| {
            #[expect(clippy::cast_precision_loss, reason = "a handful of runs")]
            let x = i as f64 * step;
            let y = height - (v.clamp(0.0, 100.0) / 100.0) * height;
            format!("{x:.1},{y:.1}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The mean score and the errors over the trend's runs.
fn trend_chart(trend: &[TrendPoint]) -> String {
    let (width, height) = (760.0, 120.0);
    let means: Vec<(usize, f64)> = trend.iter().enumerate().filter_map(|(i, p)| p.mean_score.map(|m| (i, m))).collect();
    let max_errors = trend.iter().map(|p| p.errors).max().unwrap_or(0).max(1);
    #[expect(clippy::cast_precision_loss, reason = "counts of repositories")]
    let errors: Vec<(usize, f64)> =
        trend.iter().enumerate().map(|(i, p)| (i, p.errors as f64 * 100.0 / max_errors as f64)).collect();
    let mut svg = format!(
        "<svg width=\"100%\" viewBox=\"-30 -10 {} {}\" role=\"img\" aria-label=\"mean score and errors per run\">",
        width + 40.0,
        height + 30.0
    );
    for level in [0, 50, 100] {
        let y = height - f64::from(level) / 100.0 * height;
        let _ = write!(
            svg,
            "<line x1=\"0\" x2=\"{width}\" y1=\"{y}\" y2=\"{y}\" stroke=\"#eaeef2\"/><text x=\"-26\" y=\"{}\">{level}</text>",
            y + 3.0
        );
    }
    let _ = write!(
        svg,
        "<polyline fill=\"none\" stroke=\"#cf222e\" stroke-dasharray=\"4 3\" points=\"{}\"/>\
         <polyline fill=\"none\" stroke=\"#0969da\" stroke-width=\"2\" points=\"{}\"/>",
        polyline(&errors, trend.len(), width, height),
        polyline(&means, trend.len(), width, height)
    );
    if let (Some(first), Some(last)) = (trend.first(), trend.last()) {
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"{y}\">run {} · {}</text><text x=\"{width}\" y=\"{y}\" text-anchor=\"end\">run {} · {}</text>",
            first.run,
            escape(first.started_at.get(..10).unwrap_or(&first.started_at)),
            last.run,
            escape(last.started_at.get(..10).unwrap_or(&last.started_at)),
            y = height + 16.0
        );
    }
    svg.push_str(
        "</svg><p class=\"muted\">Blue: mean score (0-100). Red, dashed: repositories failing (relative).</p>",
    );
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_backticks_become_code() {
        assert_eq!(escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        assert_eq!(with_code("fix `<b>` now"), "fix <code>&lt;b&gt;</code> now");
    }

    #[test]
    fn sparklines_need_two_points() {
        assert_eq!(sparkline(&[Some(50.0)]), "");
        let svg = sparkline(&[Some(0.0), None, Some(100.0)]);
        assert!(svg.contains("points=\"0.0,18.0 80.0,0.0\""), "{svg}");
    }
}

//! The run report as one self-contained HTML page (inline CSS, inline
//! script, inline SVG; no external assets): the run's summary, the trend
//! over past runs, the changes (naming the checks that moved), a sortable
//! table of every repository filtered by text, team, stage, outcome,
//! category and failing check (the filters live in the page's address, so
//! a filtered view can be shared as a link), the share of repositories
//! passing each check, and a report per repository: stage, score,
//! category scores, what blocks it, every check with its message and
//! findings, its badge and the badge's embed snippet. The checks are
//! explained once, at the end, and linked from every mention.
//!
//! Every piece of text from a repository or the catalog is escaped.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::run::{blocking, change_counts, counts, headline, outcome, signed};
use crate::model::scan::ResultOutcome;
use crate::trends::{CheckStats, RepositoryEntry, RunReport, StoredCheck, TrendPoint};

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
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}
th{background:#f6f8fa;position:sticky;top:0}
#repos th{cursor:pointer;user-select:none}
th[aria-sort=ascending]::after{content:" ▲"}
th[aria-sort=descending]::after{content:" ▼"}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.up{color:#1a7f37}.down{color:#cf222e}
.kind-regressed,.kind-failing{color:#cf222e;font-weight:600}
.kind-improved,.kind-recovered{color:#1a7f37;font-weight:600}
.error,.s-fail,.s-error{color:#cf222e}
.s-warn{color:#9a6700}.s-pass{color:#1a7f37}.s-skip{color:#59636e}
.s-fail,.s-error,.s-warn,.s-pass,.s-skip{font-weight:600;white-space:nowrap}
.controls{display:flex;gap:8px;margin-bottom:8px;flex-wrap:wrap}
.controls input,.controls select{font:inherit;padding:4px 8px;max-width:100%}
.repo{border-top:1px solid #d0d7de;padding:10px 0}
.repo h3{margin:0 0 4px;font-size:15px;display:flex;gap:8px;align-items:center;flex-wrap:wrap}
.muted{color:#59636e}
code,a.id{background:#eff1f3;padding:0 4px;border-radius:4px;font-size:90%;overflow-wrap:anywhere;font-family:ui-monospace,monospace}
ul.blockers,ul.findings,ul.passing{margin:4px 0;padding-left:20px}
.badge{display:inline-flex;font:11px Verdana,Geneva,"DejaVu Sans",sans-serif;border-radius:3px;overflow:hidden;color:#fff;white-space:nowrap}
.badge b,.badge i{padding:2px 6px;font-weight:400;font-style:normal}.badge b{background:#555}
.cats{display:flex;gap:6px;flex-wrap:wrap;margin:4px 0}
.cat{border:1px solid #d0d7de;border-radius:12px;padding:0 8px;white-space:nowrap}
.bar{background:#eaeef2;border-radius:3px;height:8px;min-width:60px}
.bar i{display:block;background:#2da44e;height:8px;border-radius:3px}
details summary{cursor:pointer}
svg text{font-size:10px;fill:#59636e}
[hidden]{display:none!important}
@media (max-width:640px){header,main{padding:12px}.hide-narrow{display:none}section{padding:10px}td,th{padding:4px}.card{min-width:0;flex:1 1 28%;padding:6px 8px}.card b{font-size:18px}}
"#;

/// Sorting of the repositories table, and the filters: every select and
/// the text box are read from and written to the page's address
/// (`#stage=sandbox&check=license.file`), so a filtered view is a link.
const SCRIPT: &str = r#"
(function(){
  var table=document.getElementById('repos'), body=table.tBodies[0];
  var keys=['q','team','stage','outcome','category','check'], input={};
  keys.forEach(function(k){input[k]=document.getElementById('f-'+k)});
  var count=document.getElementById('shown');
  function has(list,v){return (' '+list+' ').indexOf(' '+v+' ')>=0}
  function apply(){
    var f={}, shown=0, state=[];
    keys.forEach(function(k){f[k]=input[k].value; if(f[k]) state.push(k+'='+encodeURIComponent(f[k]))});
    var q=f.q.toLowerCase();
    Array.prototype.forEach.call(body.rows,function(r){
      var d=r.dataset;
      var show=(!q||r.textContent.toLowerCase().indexOf(q)>=0)&&(!f.team||d.team===f.team)
        &&(!f.stage||d.stage===f.stage)&&(!f.outcome||d.outcome===f.outcome)
        &&(!f.category||has(d.categories,f.category))&&(!f.check||has(d.checks,f.check));
      r.hidden=!show;
      var detail=document.getElementById(d.repo); if(detail) detail.hidden=!show;
      if(show) shown++;
    });
    count.textContent=shown+' of '+body.rows.length+' shown';
    var hash=state.join('&');
    if(('#'+hash)!==location.hash&&!(hash===''&&location.hash==='')){
      history.replaceState(null,'',hash?'#'+hash:location.pathname+location.search);
    }
  }
  function load(){
    location.hash.replace(/^#/,'').split('&').forEach(function(pair){
      var at=pair.indexOf('='); if(at<0) return;
      var k=pair.slice(0,at), v; try{v=decodeURIComponent(pair.slice(at+1))}catch(e){return}
      if(input[k]) input[k].value=v;
    });
    apply();
  }
  keys.forEach(function(k){input[k].addEventListener(k==='q'?'input':'change',apply)});
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
  window.addEventListener('hashchange',load);
  load();
})();
"#;

/// The whole page.
pub fn render(report: &RunReport) -> String {
    let mut out = String::with_capacity(8192 + report.repositories.len() * 4096);
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
    let last_stage =
        report.repositories.iter().find_map(|r| r.stages.last().map(|st| st.name.clone())).unwrap_or_default();
    let ready = report.repositories.iter().filter(|r| r.stages.last().is_some_and(|st| st.reached)).count();
    let mut cards = vec![("repositories".to_owned(), s.repositories.to_string())];
    if !last_stage.is_empty() {
        cards.push((format!("ready ({last_stage})"), ready.to_string()));
    }
    cards.extend([
        ("mean score".to_owned(), mean),
        ("errors".to_owned(), s.tally.errors.to_string()),
        ("regressed".to_owned(), s.regressed.to_string()),
        ("improved".to_owned(), s.improved.to_string()),
        ("new".to_owned(), s.new.to_string()),
    ]);
    for (label, value) in &cards {
        let _ = write!(out, "<div class=\"card\"><b>{}</b>{}</div>", escape(value), escape(label));
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
    changes_table(&mut out, report);
    repositories_table(&mut out, report);
    statistics(&mut out, report);
    out.push_str(
        "<section><h2>Repositories in detail</h2><p class=\"muted\">Each check's name links to what it \
         means and how to fix it.</p>",
    );
    let usual_fixes: HashMap<&str, &str> =
        report.checks.iter().filter_map(|c| Some((c.id.as_str(), c.remediation.as_deref()?))).collect();
    for (i, entry) in report.repositories.iter().enumerate() {
        repository_section(&mut out, i, entry, &usual_fixes);
    }
    out.push_str("</section>\n");
    check_reference(&mut out, &report.checks);
    let _ = write!(
        out,
        "<p class=\"muted\">Generated by {} {}.</p>\n</main>\n<script>{SCRIPT}</script>\n</body></html>\n",
        escape(&report.tool.name),
        escape(&report.tool.version)
    );
    out
}

/// The anchor of a check's explanation.
fn check_anchor(id: &str) -> String {
    format!("check-{}", escape(id))
}

/// A check id linked to its explanation.
fn check_link(id: &str) -> String {
    format!("<a class=\"id\" href=\"#{}\">{}</a>", check_anchor(id), escape(id))
}

fn changes_table(out: &mut String, report: &RunReport) {
    if report.changes.is_empty() {
        return;
    }
    out.push_str(
        "<section><h2>Changes</h2><div class=\"scroll\"><table><thead><tr><th>Change</th><th>Repository</th>\
         <th>Team</th><th>Detail</th><th>Checks that changed</th></tr></thead><tbody>",
    );
    for change in &report.changes {
        let anchor = report.repositories.iter().position(|r| r.result.repository == change.repository);
        let name = match anchor {
            Some(i) => format!("<a href=\"#r{i}\">{}</a>", escape(&change.repository)),
            None => escape(&change.repository),
        };
        let checks: Vec<String> = change
            .checks
            .iter()
            .map(|c| {
                let rest = c.describe();
                let rest = rest.strip_prefix(c.id.as_str()).unwrap_or(&rest);
                format!("{}{}", check_link(&c.id), escape(rest))
            })
            .collect();
        let _ = write!(
            out,
            "<tr><td class=\"kind-{kind}\">{kind}</td><td>{name}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(change.team.as_deref().unwrap_or("")),
            escape(&change.detail),
            checks.join("<br>"),
            kind = change.kind.as_str(),
        );
    }
    out.push_str("</tbody></table></div></section>\n");
}

/// The distinct values of a repository attribute, sorted.
fn distinct<'a>(values: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut values: Vec<&str> = values.collect();
    values.sort_unstable();
    values.dedup();
    values
}

fn select(out: &mut String, key: &str, all: &str, values: &[&str]) {
    let _ = write!(out, "<select id=\"f-{key}\" aria-label=\"{all}\"><option value=\"\">{all}</option>");
    for value in values {
        let _ = write!(out, "<option>{}</option>", escape(value));
    }
    out.push_str("</select>");
}

/// The checks of an entry that do not pass, and their categories.
fn not_passing(entry: &RepositoryEntry) -> impl Iterator<Item = &StoredCheck> {
    entry.checks.iter().filter(|c| !c.is_passing())
}

fn repositories_table(out: &mut String, report: &RunReport) {
    let repos = &report.repositories;
    out.push_str(
        "<section><h2>Repositories</h2><div class=\"controls\">\
         <input id=\"f-q\" type=\"search\" placeholder=\"Filter…\" aria-label=\"Filter repositories\">",
    );
    select(out, "team", "All teams", &distinct(repos.iter().filter_map(|r| r.result.team.as_deref())));
    select(out, "stage", "All stages", &distinct(repos.iter().filter_map(|r| r.result.stage.as_deref())));
    let outcomes: Vec<String> = repos.iter().map(|r| r.result.outcome.as_str().to_owned()).collect();
    select(out, "outcome", "All outcomes", &distinct(outcomes.iter().map(String::as_str)));
    select(
        out,
        "category",
        "Any category not passing",
        &distinct(repos.iter().flat_map(not_passing).map(|c| c.category.as_str())),
    );
    select(out, "check", "Any check not passing", &distinct(repos.iter().flat_map(not_passing).map(|c| c.id.as_str())));
    out.push_str(
        "<span id=\"shown\" class=\"muted\"></span></div><div class=\"scroll\"><table id=\"repos\"><thead><tr>\
         <th>Repository</th><th>Team</th><th data-type=\"number\">Stage</th><th data-type=\"number\">Score</th>\
         <th data-type=\"number\">Change</th><th>Outcome</th><th class=\"hide-narrow\">Not passing</th>\
         <th class=\"hide-narrow\">Trend</th></tr></thead><tbody>\n",
    );
    for (i, entry) in repos.iter().enumerate() {
        let result = &entry.result;
        let team = escape(result.team.as_deref().unwrap_or(""));
        let number = |v: Option<f64>| v.map_or_else(String::new, |v| format!("{v:.1}"));
        let change_class = match entry.score_change {
            Some(c) if c > 0.0 => " up",
            Some(c) if c < 0.0 => " down",
            _ => "",
        };
        let outcome_class = if result.outcome == ResultOutcome::Error { " class=\"error\"" } else { "" };
        let failing: Vec<&StoredCheck> = not_passing(entry).collect();
        let ids = escape(&failing.iter().map(|c| c.id.as_str()).collect::<Vec<_>>().join(" "));
        let categories = escape(&distinct(failing.iter().map(|c| c.category.as_str())).join(" "));
        let _ = writeln!(
            out,
            "<tr data-repo=\"r{i}\" data-team=\"{team}\" data-stage=\"{stage_value}\" data-outcome=\"{outcome_value}\" \
             data-categories=\"{categories}\" data-checks=\"{ids}\"><td data-v=\"{name}\"><a href=\"#r{i}\">{name}</a></td>\
             <td data-v=\"{team}\">{team}</td><td data-v=\"{rank}\">{stage}</td><td class=\"n\" data-v=\"{score}\">{score}</td>\
             <td class=\"n{change_class}\" data-v=\"{change}\">{signed}</td><td data-v=\"{outcome}\"{outcome_class}>{outcome}</td>\
             <td class=\"n hide-narrow\" data-v=\"{failing}\">{failing}</td><td class=\"hide-narrow\" data-v=\"\">{spark}</td></tr>",
            name = escape(&result.repository),
            stage_value = escape(result.stage.as_deref().unwrap_or("")),
            outcome_value = result.outcome.as_str(),
            rank = result.stage_rank.map_or_else(String::new, |r| r.to_string()),
            stage = escape(result.stage.as_deref().unwrap_or("-")),
            score = number(result.score),
            change = number(entry.score_change),
            signed = signed(entry.score_change),
            outcome = escape(&outcome(entry)),
            failing = failing.len(),
            spark = sparkline(&entry.history),
        );
    }
    out.push_str("</tbody></table></div></section>\n");
}

/// The share of repositories passing each check, least passed first:
/// what to fix first across the catalog.
fn statistics(out: &mut String, report: &RunReport) {
    if report.checks.is_empty() {
        return;
    }
    out.push_str(
        "<section><h2>What to fix first</h2><p class=\"muted\">Each check, least passed first: the share of the \
         repositories it ran on that pass it (skipped counts as passing).</p><div class=\"scroll\"><table>\
         <thead><tr><th>Check</th><th>Category</th><th>Passing</th><th class=\"hide-narrow\"></th>\
         <th class=\"n\">Fail</th><th class=\"n\">Warn</th><th class=\"n\">Error</th></tr></thead><tbody>",
    );
    for stats in &report.checks {
        let share = stats.passing_percent();
        let n = |status: &str| stats.statuses.get(status).copied().unwrap_or(0);
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{share:.0} %</td>\
             <td class=\"hide-narrow\"><div class=\"bar\" title=\"{share:.0} % passing\"><i style=\"width:{share:.0}%\"></i></div></td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            check_link(&stats.id),
            escape(&stats.category),
            n("fail"),
            n("warn"),
            n("error"),
        );
    }
    out.push_str("</tbody></table></div></section>\n");
}

fn repository_section(out: &mut String, i: usize, entry: &RepositoryEntry, usual_fixes: &HashMap<&str, &str>) {
    let result = &entry.result;
    let _ = write!(out, "<article class=\"repo\" id=\"r{i}\"><h3>{}", escape(&result.repository));
    if let (Some(stage), Some(score)) = (&result.stage, result.score) {
        // The badge drawn with CSS: the SVG file's look at a tenth of its size.
        let _ = write!(
            out,
            " <span class=\"badge\"><b>fledge</b><i style=\"background:{}\">{} {score:.0}</i></span>",
            super::badge::colour(&entry.stages),
            escape(stage)
        );
    }
    out.push_str("</h3><p class=\"muted\">");
    let mut facts = Vec::new();
    if let Some(team) = &result.team {
        facts.push(format!("team {}", escape(team)));
    }
    facts.push(escape(&result.url));
    if let Some(commit) = &result.commit {
        facts.push(format!("commit <code>{}</code>", escape(commit.get(..12).unwrap_or(commit))));
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
    if !entry.categories.is_empty() {
        out.push_str("<div class=\"cats\">");
        for category in &entry.categories {
            let score = category.score.map_or_else(|| "n/a".to_owned(), |s| format!("{s:.0}"));
            let _ = write!(
                out,
                "<span class=\"cat\">{} <b>{score}</b> <span class=\"muted\">{}/{} passing</span></span>",
                escape(&category.name),
                category.passed,
                category.checks
            );
        }
        out.push_str("</div>");
    }
    check_table(out, entry, usual_fixes);
    if let Some(path) = &entry.badge {
        let snippet = format!("![fledge: {}]({path})", result.stage.as_deref().unwrap_or("-"));
        let _ = write!(out, "<p class=\"muted\">Badge for a README: <code>{}</code></p>", escape(&snippet));
    }
    out.push_str("</article>\n");
}

/// The checks that do not pass, worst first, with messages, fixes (a fix
/// that is the check's usual one links to it in the check reference) and
/// findings; then the passing ones, folded, one line each.
fn check_table(out: &mut String, entry: &RepositoryEntry, usual_fixes: &HashMap<&str, &str>) {
    if entry.checks.is_empty() {
        return;
    }
    let (passing, mut not): (Vec<&StoredCheck>, Vec<&StoredCheck>) = entry.checks.iter().partition(|c| c.is_passing());
    let rank = |c: &StoredCheck| match c.status.as_str() {
        "error" => 0,
        "fail" => 1,
        _ => 2,
    };
    not.sort_by_key(|c| rank(c));
    if !not.is_empty() {
        out.push_str("<div class=\"scroll\"><table><tbody>");
        for check in not {
            let _ = write!(
                out,
                "<tr><td class=\"s-{status}\">{status}</td><td>{}</td><td>{}",
                check_link(&check.id),
                escape(&check.message),
                status = escape(&check.status),
            );
            // The usual fix is in the check's explanation, which the id
            // links to; only a fix of this repository's own is repeated.
            if let Some(fix) = &check.remediation
                && usual_fixes.get(check.id.as_str()) != Some(&fix.as_str())
            {
                let _ = write!(out, "<br><span class=\"muted\">Fix: {}</span>", with_code(fix));
            }
            findings_list(out, check);
            out.push_str("</td></tr>");
        }
        out.push_str("</tbody></table></div>");
    }
    if !passing.is_empty() {
        let _ = write!(out, "<details><summary>{} passing or skipped</summary><ul class=\"passing\">", passing.len());
        for check in passing {
            let _ = write!(
                out,
                "<li><span class=\"s-{status}\">{status}</span> {} {}",
                check_link(&check.id),
                escape(&check.message),
                status = escape(&check.status),
            );
            findings_list(out, check);
            out.push_str("</li>");
        }
        out.push_str("</ul></details>");
    }
}

/// A check's findings (as many as the run report kept), with where.
fn findings_list(out: &mut String, check: &StoredCheck) {
    if check.findings.is_empty() {
        return;
    }
    out.push_str("<ul class=\"findings\">");
    for finding in &check.findings {
        let place: Vec<String> = finding
            .locations
            .iter()
            .map(|l| {
                let mut at = l.path.clone();
                if let Some(line) = l.line {
                    let _ = write!(at, ":{line}");
                }
                if let Some(commit) = &l.commit {
                    let _ = write!(at, " @{}", commit.get(..10).unwrap_or(commit));
                }
                format!("<code>{}</code>", escape(&at))
            })
            .collect();
        let _ = write!(out, "<li>{} {}</li>", place.join(", "), escape(&finding.message));
    }
    if check.findings_total > check.findings.len() {
        let _ = write!(
            out,
            "<li class=\"muted\">and {} more in the repository's own report</li>",
            check.findings_total - check.findings.len()
        );
    }
    out.push_str("</ul>");
}

/// What each check is and why it matters, once per page.
fn check_reference(out: &mut String, checks: &[CheckStats]) {
    if checks.is_empty() {
        return;
    }
    out.push_str("<section><h2>The checks</h2><dl>");
    let mut sorted: Vec<&CheckStats> = checks.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    for check in sorted {
        let _ = write!(
            out,
            "<dt id=\"{}\"><code>{}</code> {} <span class=\"muted\">({})</span></dt><dd>{}",
            check_anchor(&check.id),
            escape(&check.id),
            escape(&check.title),
            escape(&check.category),
            with_code(&check.rationale)
        );
        if let Some(fix) = &check.remediation {
            let _ = write!(out, "<br>How to fix: {}", with_code(fix));
        }
        out.push_str("</dd>");
    }
    out.push_str("</dl></section>\n");
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

/// The mean score and the share of repositories that could not be checked
/// (scan errors), both in 0-100 on one labelled scale, over the trend's runs.
fn trend_chart(trend: &[TrendPoint]) -> String {
    let (width, height) = (760.0, 120.0);
    let means: Vec<(usize, f64)> = trend.iter().enumerate().filter_map(|(i, p)| p.mean_score.map(|m| (i, m))).collect();
    #[expect(clippy::cast_precision_loss, reason = "counts of repositories")]
    let errors: Vec<(usize, f64)> =
        trend.iter().enumerate().map(|(i, p)| (i, p.errors as f64 * 100.0 / p.repositories.max(1) as f64)).collect();
    let mut svg = format!(
        "<svg width=\"100%\" viewBox=\"-34 -10 {} {}\" role=\"img\" \
         aria-label=\"mean score and share of repositories with errors per run\">",
        width + 44.0,
        height + 30.0
    );
    for level in [0, 25, 50, 75, 100] {
        let y = height - f64::from(level) / 100.0 * height;
        let _ = write!(
            svg,
            "<line x1=\"0\" x2=\"{width}\" y1=\"{y}\" y2=\"{y}\" stroke=\"#eaeef2\"/>\
             <text x=\"-30\" y=\"{}\">{level}</text>",
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
    let latest = trend.last().map_or(String::new(), |p| {
        format!(
            " Latest: mean score {}, {} of {} repositories with errors.",
            p.mean_score.map_or_else(|| "n/a".to_owned(), |m| format!("{m:.1}")),
            p.errors,
            p.repositories
        )
    });
    let _ = write!(
        svg,
        "</svg><p class=\"muted\">Scale 0-100. Blue: mean score. Red, dashed: repositories that could not be \
         checked, in percent of the catalog.{}</p>",
        escape(&latest)
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

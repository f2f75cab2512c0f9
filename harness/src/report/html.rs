//! A self-contained HTML report (`--html FILE`): no external files, scripts
//! or fonts. At the top the verdict and the totals; per run a table of its
//! suites with a bar of passed, failed, skipped, expected failures and
//! warnings; then every case that did not plainly pass, opened, with its
//! requirement IDs, message, and the expected and received values side by
//! side; passed cases are listed per suite, folded. A search box and status
//! toggles filter the cases.

use std::fmt::Write as _;

use super::junit::escape;
use super::{Report, Status, Totals};

const STYLE: &str = r#"
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1d2330;background:#f5f6f8}
header{padding:20px 28px;color:#fff}
header.ok{background:#1f7a4d}header.bad{background:#b3261e}
header h1{margin:0 0 4px;font-size:22px}
main{padding:8px 28px 40px;max-width:1200px}
section.run{background:#fff;border-radius:8px;box-shadow:0 1px 3px #0002;margin:18px 0;padding:14px 18px}
h2{font-size:18px;margin:4px 0 10px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e4e6ea}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.bar{display:flex;height:10px;border-radius:5px;overflow:hidden;background:#e4e6ea;min-width:160px}
.bar span{display:block}
.pass{background:#2e9d62}.fail{background:#d93b30}.skip{background:#9aa3b0}.expected-failure{background:#b07cd8}.warn{background:#e0a21b}
.badge{display:inline-block;color:#fff;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600}
.case{border:1px solid #e4e6ea;border-left-width:5px;border-radius:6px;margin:8px 0;padding:6px 10px}
.case.s-fail{border-left-color:#d93b30}.case.s-warn{border-left-color:#e0a21b}.case.s-skip{border-left-color:#9aa3b0}.case.s-expected-failure{border-left-color:#b07cd8}
.case summary{cursor:pointer}
.id{font-family:ui-monospace,Menlo,Consolas,monospace;font-weight:600}
.req{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;background:#eef1f6;border-radius:4px;padding:0 5px;margin-left:4px}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:10px;margin-top:6px}
pre{background:#f3f4f7;border-radius:6px;padding:8px;margin:2px 0;overflow:auto;max-height:340px;font-size:12px;white-space:pre-wrap;word-break:break-all}
.note{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;white-space:pre-wrap;background:#fff7e0;border-radius:6px;padding:6px 8px;margin:4px 0}
.error{background:#fde8e6}
.passed{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;color:#4a5263}
#filters{position:sticky;top:0;background:#f5f6f8;padding:10px 0;z-index:1}
#filters label{margin-right:12px}
#q{padding:4px 8px;width:260px;border:1px solid #c8ccd4;border-radius:6px}
.hidden{display:none}
"#;

const SCRIPT: &str = r#"
function applyFilters(){
  var q=document.getElementById('q').value.toLowerCase();
  var on={};
  document.querySelectorAll('#filters input[type=checkbox]').forEach(function(b){on[b.value]=b.checked;});
  document.querySelectorAll('.case').forEach(function(c){
    var show=on[c.dataset.status]&&(q===''||c.dataset.search.indexOf(q)>=0);
    c.classList.toggle('hidden',!show);
  });
}
document.getElementById('q').addEventListener('input',applyFilters);
document.querySelectorAll('#filters input[type=checkbox]').forEach(function(b){b.addEventListener('change',applyFilters);});
"#;

fn bar(t: &Totals) -> String {
    if t.total == 0 {
        return "<div class=\"bar\"></div>".into();
    }
    let mut out = String::from("<div class=\"bar\">");
    for s in [
        Status::Pass,
        Status::Fail,
        Status::ExpectedFailure,
        Status::Warn,
        Status::Skip,
    ] {
        let n = t.get(s);
        if n > 0 {
            let pct = n as f64 * 100.0 / t.total as f64;
            let _ = write!(
                out,
                "<span class=\"{s}\" style=\"width:{pct:.3}%\" title=\"{n} {s}\"></span>"
            );
        }
    }
    out.push_str("</div>");
    out
}

fn badge(s: Status, n: usize) -> String {
    format!("<span class=\"badge {s}\">{n} {s}</span>")
}

fn pretty(v: &serde_json::Value) -> String {
    escape(&serde_json::to_string_pretty(v).unwrap_or_default())
}

/// Renders the report as one HTML page.
pub fn render(report: &Report) -> String {
    let t = report.totals();
    let ok = report.ok();
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>OpenSlots conformance: {}</title><style>{STYLE}</style></head><body>\n",
        if ok { "PASS" } else { "FAIL" }
    );
    let _ = write!(
        out,
        "<header class=\"{}\"><h1>OpenSlots conformance: {}</h1><div>{} cases: {} passed, {} failed, {} skipped, {} expected failures, {} warnings &middot; {}</div></header>\n<main>\n",
        if ok { "ok" } else { "bad" },
        if ok { "PASS" } else { "FAIL" },
        t.total,
        t.pass,
        t.fail,
        t.skip,
        t.expected_failure,
        t.warn,
        escape(&report.tool)
    );
    out.push_str("<div id=\"filters\"><input id=\"q\" placeholder=\"filter by case id, requirement, text\"> ");
    for s in Status::ALL {
        let checked = if s == Status::Pass { "" } else { " checked" };
        let _ = write!(
            out,
            "<label><input type=\"checkbox\" value=\"{s}\"{checked}> {s}</label>"
        );
    }
    out.push_str("</div>\n");
    for run in &report.runs {
        let rt = run.totals();
        let _ = write!(
            out,
            "<section class=\"run\"><h2>{} {}</h2>",
            escape(&run.name),
            if run.ok() {
                badge(Status::Pass, rt.pass)
            } else {
                badge(Status::Fail, rt.fail)
            }
        );
        if let Some(s) = &run.subject {
            let _ = write!(out, "<div>against <b>{}</b></div>", escape(s));
        }
        let _ = write!(out, "<div>{} ms</div>", run.duration_ms);
        if let Some(e) = &run.error {
            let _ = write!(out, "<div class=\"note error\">{}</div>", escape(e));
        }
        for n in &run.notes {
            let _ = write!(out, "<div class=\"note\">{}</div>", escape(n));
        }
        if !run.suites.is_empty() {
            out.push_str("<table><tr><th>suite</th><th></th><th>passed</th><th>failed</th><th>skipped</th><th>expected failures</th><th>warnings</th><th>ms</th></tr>");
            for s in &run.suites {
                let st = s.totals();
                let _ = write!(
                    out,
                    "<tr><td><a href=\"#{0}-{1}\">{1}</a></td><td>{2}</td><td class=\"n\">{3}</td><td class=\"n\">{4}</td><td class=\"n\">{5}</td><td class=\"n\">{6}</td><td class=\"n\">{7}</td><td class=\"n\">{8}</td></tr>",
                    escape(&run.name),
                    escape(&s.name),
                    bar(&st),
                    st.pass,
                    st.fail,
                    st.skip,
                    st.expected_failure,
                    st.warn,
                    s.duration_ms
                );
            }
            out.push_str("</table>");
        }
        for s in &run.suites {
            let _ = write!(
                out,
                "<h3 id=\"{}-{}\">{}</h3>",
                escape(&run.name),
                escape(&s.name),
                escape(&s.name)
            );
            // Failures first, then the rest in run order.
            let mut cases: Vec<_> = s.cases.iter().collect();
            cases.sort_by_key(|c| match c.status {
                Status::Fail => 0,
                Status::Warn => 1,
                Status::ExpectedFailure => 2,
                Status::Skip => 3,
                Status::Pass => 4,
            });
            let mut passed = Vec::new();
            for c in cases {
                let search = escape(
                    &format!("{} {} {}", c.title(), c.requirements.join(" "), c.message)
                        .to_lowercase(),
                );
                if c.status == Status::Pass {
                    passed.push(format!(
                        "<span class=\"case s-pass\" data-status=\"pass\" data-search=\"{search}\">{}</span>",
                        escape(&c.id)
                    ));
                    continue;
                }
                let open = if c.status == Status::Fail {
                    " open"
                } else {
                    ""
                };
                let _ = write!(
                    out,
                    "<details class=\"case s-{0}\" data-status=\"{0}\" data-search=\"{1}\"{2}><summary>{3} <span class=\"id\">{4}</span>",
                    c.status,
                    search,
                    open,
                    badge(c.status, 1).replace(">1 ", ">"),
                    escape(&c.title())
                );
                for r in &c.requirements {
                    let _ = write!(out, "<span class=\"req\">{}</span>", escape(r));
                }
                let _ = write!(out, " &mdash; {}</summary>", escape(&c.message));
                if c.expected.is_some() || c.got.is_some() {
                    out.push_str("<div class=\"cols\"><div><b>expected</b>");
                    match &c.expected {
                        Some(v) => {
                            let _ = write!(out, "<pre>{}</pre>", pretty(v));
                        }
                        None => out.push_str("<pre>(nothing)</pre>"),
                    }
                    out.push_str("</div><div><b>got</b>");
                    match &c.got {
                        Some(v) => {
                            let _ = write!(out, "<pre>{}</pre>", pretty(v));
                        }
                        None => out.push_str("<pre>(nothing)</pre>"),
                    }
                    out.push_str("</div></div>");
                }
                out.push_str("</details>\n");
            }
            if !passed.is_empty() {
                let _ = write!(
                    out,
                    "<details><summary>{} passed</summary><div class=\"passed\">{}</div></details>",
                    passed.len(),
                    passed.join(" ")
                );
            }
        }
        out.push_str("</section>\n");
    }
    let _ = writeln!(out, "</main><script>{SCRIPT}</script></body></html>");
    out
}

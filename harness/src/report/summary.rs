//! The readable summary: per run and suite the counts by status, then every
//! failure with its case id, operation, profile and comment, requirement
//! IDs, expected and received values and the reason; warnings with their
//! values; expected failures one line each.

use std::fmt::Write as _;

use super::{Report, Status, compact};

/// Longest JSON value shown in full; longer ones are cut with `…`.
const MAX_VALUE: usize = 400;

fn cut(s: String) -> String {
    if s.chars().count() <= MAX_VALUE {
        return s;
    }
    let mut out: String = s.chars().take(MAX_VALUE).collect();
    out.push('…');
    out
}

/// Renders the report as text.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for run in &report.runs {
        let _ = write!(out, "== {}", run.name);
        if let Some(s) = &run.subject {
            let _ = write!(out, " against {s}");
        }
        let _ = writeln!(out, " ({} ms)", run.duration_ms);
        if !run.suites.is_empty() {
            let _ = writeln!(
                out,
                "   {:<16} {:>6} {:>6} {:>6} {:>7} {:>6}",
                "suite", "passed", "failed", "skipped", "xfail", "warned"
            );
            for s in &run.suites {
                let t = s.totals();
                let _ = writeln!(
                    out,
                    "   {:<16} {:>6} {:>6} {:>6} {:>7} {:>6}",
                    s.name, t.pass, t.fail, t.skip, t.expected_failure, t.warn
                );
            }
        }
        for (_, c) in run.cases() {
            let reqs = if c.requirements.is_empty() {
                String::new()
            } else {
                format!(" [{}]", c.requirements.join(", "))
            };
            match c.status {
                Status::Fail => {
                    let _ = writeln!(out, "FAIL {}{reqs}: {}", c.title(), c.message);
                    if let Some(e) = &c.expected {
                        let _ = writeln!(out, "     expected: {}", cut(compact(e)));
                    }
                    if let Some(g) = &c.got {
                        let _ = writeln!(out, "     got:      {}", cut(compact(g)));
                    }
                }
                Status::Warn => {
                    let _ = writeln!(out, "WARN {}{reqs}: {}", c.title(), c.message);
                    if let Some(e) = &c.expected {
                        let _ = writeln!(out, "     expected: {}", cut(compact(e)));
                    }
                    if let Some(g) = &c.got {
                        let _ = writeln!(out, "     got:      {}", cut(compact(g)));
                    }
                }
                Status::ExpectedFailure => {
                    let _ = writeln!(out, "XFAIL {}{reqs}: {}", c.title(), c.message);
                }
                Status::Pass | Status::Skip => {}
            }
        }
        for n in &run.notes {
            let _ = writeln!(out, "note: {n}");
        }
        if let Some(e) = &run.error {
            let _ = writeln!(out, "ERROR: {e}");
        }
    }
    let t = report.totals();
    let _ = writeln!(
        out,
        "{}: {} cases: {} passed, {} failed, {} skipped, {} expected failures, {} warnings",
        if report.ok() { "PASS" } else { "FAIL" },
        t.total,
        t.pass,
        t.fail,
        t.skip,
        t.expected_failure,
        t.warn
    );
    out
}

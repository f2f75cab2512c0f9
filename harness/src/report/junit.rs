//! JUnit XML (`--junit FILE`), as CI systems read it: one `<testsuite>` per
//! run and suite (named `run/suite`), one `<testcase>` per case (named by its
//! id, with the requirement IDs as a property). A failed case carries a
//! `<failure>` with the message, expected and received values; a skipped
//! case and an expected failure carry `<skipped>` with the reason; a warning
//! passes with the warning in `<system-out>`. A run error is a `<testcase>`
//! named `<run>/setup` with an `<error>`.

use std::fmt::Write as _;

use super::{Report, Status, compact};

/// Escapes text for XML content and attribute values; drops characters XML 1.0 forbids.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

fn secs(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// Renders the report as JUnit XML.
pub fn render(report: &Report) -> String {
    let t = report.totals();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let total_ms: u64 = report.runs.iter().map(|r| r.duration_ms).sum();
    let run_errors = report.runs.iter().filter(|r| r.error.is_some()).count();
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\">",
        escape(&report.tool),
        t.total + run_errors,
        t.fail,
        run_errors,
        t.skip + t.expected_failure,
        secs(total_ms)
    );
    for run in &report.runs {
        if let Some(e) = &run.error {
            let _ = writeln!(
                out,
                "  <testsuite name=\"{0}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0.000\">\n    <testcase classname=\"{0}\" name=\"{0}/setup\">\n      <error message=\"{1}\">{1}</error>\n    </testcase>\n  </testsuite>",
                escape(&run.name),
                escape(e)
            );
        }
        for s in &run.suites {
            let st = s.totals();
            let name = format!("{}/{}", run.name, s.name);
            let _ = writeln!(
                out,
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{}\">",
                escape(&name),
                st.total,
                st.fail,
                st.skip + st.expected_failure,
                secs(s.duration_ms)
            );
            for c in &s.cases {
                let _ = writeln!(
                    out,
                    "    <testcase classname=\"{}\" name=\"{}\">",
                    escape(&name),
                    escape(&c.id)
                );
                if !c.requirements.is_empty() {
                    let _ = writeln!(
                        out,
                        "      <properties><property name=\"requirements\" value=\"{}\"/></properties>",
                        escape(&c.requirements.join(" "))
                    );
                }
                let mut detail = String::new();
                if let Some(e) = &c.expected {
                    let _ = writeln!(detail, "expected: {}", compact(e));
                }
                if let Some(g) = &c.got {
                    let _ = writeln!(detail, "got:      {}", compact(g));
                }
                match c.status {
                    Status::Fail => {
                        let _ = writeln!(
                            out,
                            "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                            escape(&c.message),
                            escape(&c.requirements.join(" ")),
                            escape(&format!("{}\n{detail}", c.message))
                        );
                    }
                    Status::Skip | Status::ExpectedFailure => {
                        let _ = writeln!(
                            out,
                            "      <skipped message=\"{}\"/>",
                            escape(&format!("{}: {}", c.status, c.message))
                        );
                    }
                    Status::Warn => {
                        let _ = writeln!(
                            out,
                            "      <system-out>{}</system-out>",
                            escape(&format!("warning: {}\n{detail}", c.message))
                        );
                    }
                    Status::Pass => {}
                }
                out.push_str("    </testcase>\n");
            }
            out.push_str("  </testsuite>\n");
        }
    }
    out.push_str("</testsuites>\n");
    out
}

//! `--format markdown`: a pull-request comment. A headline, the notes, the
//! plan as a table, and the field changes in a collapsed section as `diff`
//! code blocks (so the forge colours them).

use super::super::{Op, Plan, Subject};
use super::{Header, headline, inline, line, subject, summary};
use std::fmt::Write;

pub fn markdown(plan: &Plan, header: Header) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### meshc diff: {}\n", headline(&plan.summary));
    let _ = writeln!(
        out,
        "Old: {} · New: {}\n",
        code(header.old),
        code(header.new)
    );

    if !plan.notes.is_empty() {
        let _ = writeln!(out, "#### Notes for review\n");
        for n in &plan.notes {
            let _ = writeln!(out, "- **{}**: {}", n.kind.as_str(), text(&n.text));
        }
        out.push('\n');
    }

    if !plan.edges.is_empty() {
        let _ = writeln!(out, "#### What moves\n");
        let _ = writeln!(
            out,
            "```mermaid\n{}```\n",
            crate::diff::picture::mermaid(&plan.edges)
        );
    }

    if !plan.steps.is_empty() {
        let _ = writeln!(out, "#### Plan, in apply order\n");
        let why = plan.steps.iter().any(|s| s.reason.is_some());
        let _ = writeln!(
            out,
            "| # | action | object |{}",
            if why { " why |" } else { "" }
        );
        let _ = writeln!(
            out,
            "|--:|--------|--------|{}",
            if why { "-----|" } else { "" }
        );
        for (i, s) in plan.steps.iter().enumerate() {
            let object = match &s.subject {
                Subject::Resource(k) => format!("{} {}", k.kind, code(&k.object())),
                Subject::File(p) => format!("file {}", code(p)),
            };
            let _ = write!(
                out,
                "| {} | {} | {} |",
                i + 1,
                s.action.as_str(),
                cell(&object)
            );
            if why {
                let _ = write!(
                    out,
                    " {} |",
                    s.reason.as_deref().map(cell).unwrap_or_default()
                );
            }
            out.push('\n');
        }
        out.push('\n');

        let detailed: Vec<_> = plan
            .steps
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.changes.is_empty() || s.text.is_some())
            .collect();
        if !detailed.is_empty() {
            let _ = writeln!(out, "<details><summary>Changes by step</summary>\n");
            for (i, s) in detailed {
                let _ = writeln!(
                    out,
                    "**{}. {} {}**\n",
                    i + 1,
                    s.action.as_str(),
                    text(&subject(s))
                );
                let mut body = String::new();
                for c in &s.changes {
                    // A change as `- path: old` / `+ path: new`, so the forge colours both.
                    if let Op::Changed { old, new } = &c.op
                        && let (Some(o), Some(n)) = (inline(old), inline(new))
                    {
                        let _ = writeln!(body, "- {}: {o}\n+ {}: {n}", c.path, c.path);
                        continue;
                    }
                    let l = line(c);
                    let sign = if matches!(l.sign, '+' | '-') {
                        l.sign
                    } else {
                        ' '
                    };
                    let _ = writeln!(body, "{sign} {}", l.text);
                    for (sign, t) in &l.block {
                        let _ = writeln!(body, "{sign}     {t}");
                    }
                }
                if let Some(diff) = &s.text {
                    body.push_str(diff);
                    if !diff.ends_with('\n') {
                        body.push('\n');
                    }
                }
                let f = fence(&body);
                let _ = writeln!(out, "{f}diff\n{body}{f}\n");
            }
            let _ = writeln!(out, "</details>\n");
        }
    }
    let _ = writeln!(out, "{}", text(&summary(&plan.summary)));
    out
}

/// Inline code that survives backticks in the content.
fn code(s: &str) -> String {
    let ticks = "`".repeat(longest_run(s, '`') + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{s}{pad}{ticks}")
}

/// A code fence longer than any backtick run in the body.
fn fence(body: &str) -> String {
    "`".repeat(longest_run(body, '`').max(2) + 1)
}

fn longest_run(s: &str, c: char) -> usize {
    s.split(|x| x != c).map(str::len).max().unwrap_or(0)
}

/// Text outside code: HTML and table-breaking characters escaped.
fn text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn cell(s: &str) -> String {
    text(s).replace('|', "\\|").replace('\n', " ")
}

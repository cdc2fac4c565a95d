//! `--format human`: notes first (what a reviewer must not miss), then the
//! steps in apply order with their field changes, then the counts.

use super::super::{Action, NoteKind, Plan};
use super::{Header, headline, line, subject, summary};
use std::fmt::Write;

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const MAGENTA: &str = "\x1b[35m";
const CYAN: &str = "\x1b[36m";
const DIM: &str = "\x1b[2m";

struct Paint(bool);

impl Paint {
    fn on(&self, style: &str, text: &str) -> String {
        if self.0 {
            format!("{style}{text}{RESET}")
        } else {
            text.to_string()
        }
    }

    fn sign(&self, sign: char, text: &str) -> String {
        let style = match sign {
            '+' => GREEN,
            '-' => RED,
            '~' => YELLOW,
            _ => CYAN,
        };
        self.on(style, &format!("{sign} {text}"))
    }
}

pub fn human(plan: &Plan, header: Header, color: bool) -> String {
    let p = Paint(color);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        p.on(BOLD, &format!("meshc diff: {}", headline(&plan.summary)))
    );
    let _ = writeln!(out, "  old: {}", header.old);
    let _ = writeln!(out, "  new: {}", header.new);

    if !plan.notes.is_empty() {
        let _ = writeln!(out, "\n{}", p.on(BOLD, "Notes for review"));
        for n in &plan.notes {
            let kind = format!("{:<16}", n.kind.as_str());
            let kind = match n.kind {
                NoteKind::Security | NoteKind::Replace => p.on(RED, &kind),
                NoteKind::ServiceRemoved | NoteKind::VersionRemoved => p.on(YELLOW, &kind),
                _ => p.on(CYAN, &kind),
            };
            let _ = writeln!(out, "  {kind}{}", n.text);
        }
    }

    if !plan.steps.is_empty() {
        let n = plan.steps.len();
        let title = format!(
            "Plan: {n} step{}, in apply order",
            if n == 1 { "" } else { "s" }
        );
        let _ = writeln!(out, "\n{}", p.on(BOLD, &title));
        let width = n.to_string().len();
        for (i, s) in plan.steps.iter().enumerate() {
            let action = format!("{:<8}", s.action.as_str());
            let action = match s.action {
                Action::Create => p.on(GREEN, &action),
                Action::Update => p.on(YELLOW, &action),
                Action::Replace => p.on(MAGENTA, &action),
                Action::Delete => p.on(RED, &action),
            };
            let _ = writeln!(out, "  {:>width$}. {action} {}", i + 1, subject(s));
            let indent = " ".repeat(width + 6);
            if let Some(reason) = &s.reason {
                let _ = writeln!(out, "{indent}{}", p.on(DIM, &format!("({reason})")));
            }
            for c in &s.changes {
                let l = line(c);
                let _ = writeln!(out, "{indent}{}", p.sign(l.sign, &l.text));
                for (sign, text) in &l.block {
                    let _ = writeln!(out, "{indent}    {}", p.sign(*sign, text));
                }
            }
            if let Some(diff) = &s.text {
                for l in diff.lines() {
                    let style = match l.chars().next() {
                        _ if l.starts_with("+++") || l.starts_with("---") => BOLD,
                        Some('+') => GREEN,
                        Some('-') => RED,
                        Some('@') => CYAN,
                        _ => "",
                    };
                    let text = if style.is_empty() {
                        l.to_string()
                    } else {
                        p.on(style, l)
                    };
                    let _ = writeln!(out, "{indent}{text}");
                }
            }
        }
    }
    let _ = writeln!(out, "\n{}", summary(&plan.summary));
    out
}

//! Plan → text, one small module per format: [`human`] (optionally
//! coloured), [`json`] (the schema is in the `diff` module's documentation)
//! and [`markdown`] (a pull-request comment).

mod human;
mod json;
mod markdown;

pub use human::human;
pub use json::json;
pub use markdown::markdown;

use super::{Counts, FieldChange, Op, Step, Subject, Summary};
use serde_json::Value;

/// What was compared, as the report's header names it.
#[derive(Clone, Copy, Debug)]
pub struct Header<'a> {
    pub old: &'a str,
    pub new: &'a str,
}

/// Values longer than this (inline) are shown as a YAML block.
const INLINE_MAX: usize = 72;

/// `Deployment bookinfo/reviews-v4`, or `file docker/web/Dockerfile`.
fn subject(step: &Step) -> String {
    match &step.subject {
        Subject::Resource(k) => k.to_string(),
        Subject::File(p) => format!("file {p}"),
    }
}

/// A value on one line in YAML flow style, or `None` when that is too long.
fn inline(v: &Value) -> Option<String> {
    let s = flow(v);
    (s.chars().count() <= INLINE_MAX).then_some(s)
}

fn flow(v: &Value) -> String {
    match v {
        Value::String(s) => string(s),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(flow).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", string(k), flow(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        other => other.to_string(),
    }
}

/// A string bare when YAML would read it back as the same string, else quoted.
fn string(s: &str) -> String {
    let bare = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@=^~%+".contains(c))
        && !s.starts_with(|c: char| "-:@%".contains(c))
        && s.parse::<f64>().is_err()
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "~"
        );
    if bare {
        s.to_string()
    } else {
        Value::String(s.to_string()).to_string()
    }
}

/// A value as indented YAML lines.
fn block(v: &Value) -> Vec<String> {
    crate::emit::yaml::to_string(v)
        .lines()
        .map(str::to_string)
        .collect()
}

/// How a field change reads: a sign and the text after it, plus any block
/// lines a long value needs (each with its own sign).
struct Line {
    sign: char,
    text: String,
    block: Vec<(char, String)>,
}

fn line(c: &FieldChange) -> Line {
    let valued = |sign: char, v: &Value| match inline(v) {
        Some(s) => Line {
            sign,
            text: format!("{}: {s}", c.path),
            block: Vec::new(),
        },
        None => Line {
            sign,
            text: format!("{}:", c.path),
            block: block(v).into_iter().map(|l| (sign, l)).collect(),
        },
    };
    match &c.op {
        Op::Added(v) => valued('+', v),
        Op::Removed(v) => valued('-', v),
        Op::Moved { from, to } => Line {
            sign: '↕',
            text: format!("{}: moved from position {from} to {to}", c.path),
            block: Vec::new(),
        },
        Op::Changed { old, new } => match (inline(old), inline(new)) {
            (Some(o), Some(n)) => Line {
                sign: '~',
                text: format!("{}: {o} → {n}", c.path),
                block: Vec::new(),
            },
            _ => Line {
                sign: '~',
                text: format!("{}:", c.path),
                block: block(old)
                    .into_iter()
                    .map(|l| ('-', l))
                    .chain(block(new).into_iter().map(|l| ('+', l)))
                    .collect(),
            },
        },
    }
}

/// `resources: 1 to update, 23 unchanged; files: 5 unchanged`.
fn summary(s: &Summary) -> String {
    let counts = |c: &Counts| {
        let mut parts: Vec<String> = [
            (c.create, "to create"),
            (c.update, "to update"),
            (c.replace, "to replace"),
            (c.delete, "to delete"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        parts.push(format!("{} unchanged", c.unchanged));
        parts.join(", ")
    };
    format!(
        "resources: {}; files: {}",
        counts(&s.resources),
        counts(&s.files)
    )
}

/// The headline: `3 changes` or `no changes`.
fn headline(s: &Summary) -> String {
    match s.resources.changed() + s.files.changed() {
        0 => "no changes".into(),
        1 => "1 change".into(),
        n => format!("{n} changes"),
    }
}

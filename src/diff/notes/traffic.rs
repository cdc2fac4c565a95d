//! Traffic notes: how each HTTP route's split and mirror moved.

use super::{Input, Key, NoteKind, Notes, changed};
use serde_json::Value;
use std::collections::BTreeSet;

/// One HTTP route: what selects it and where its traffic goes.
struct RouteShare {
    label: String,
    split: Vec<(String, f64)>,
    mirror: Option<(String, f64)>,
}

pub(super) fn traffic(input: &Input, kept: &dyn Fn(&str) -> bool, notes: &mut Notes) {
    let keys: BTreeSet<&Key> = changed(input)
        .into_iter()
        .filter(|k| k.kind == "VirtualService")
        .collect();
    for key in keys {
        let old = input.old.resource(key);
        let new = input.new.resource(key);
        // Keys with a step: created, deleted, or with a different tree.
        let Some(r) = new.or(old) else { continue };
        let service = r.service.unwrap_or(&key.name).to_string();
        if !kept(&service) {
            continue;
        }
        let routes =
            |r: Option<&crate::diff::Entry>| r.map(|r| shares(r.tree())).unwrap_or_default();
        let (before, after) = (routes(old), routes(new));
        let at = |label: &str| {
            if label.is_empty() {
                service.clone()
            } else {
                format!("{service} ({label})")
            }
        };
        for a in &after {
            let b = before.iter().find(|b| b.label == a.label);
            let shifts = shift(b.map_or(&[][..], |b| &b.split), &a.split);
            if !shifts.is_empty() {
                notes.add(
                    NoteKind::Traffic,
                    &service,
                    format!("{}: {shifts}", at(&a.label)),
                );
            }
            let was = b.and_then(|b| b.mirror.as_ref());
            if was != a.mirror.as_ref() {
                let m = |m: Option<&(String, f64)>| {
                    m.map_or("none".to_string(), |(d, p)| format!("{d} {}", percent(*p)))
                };
                notes.add(
                    NoteKind::Traffic,
                    &service,
                    format!(
                        "{}: mirror {} → {}",
                        at(&a.label),
                        m(was),
                        m(a.mirror.as_ref())
                    ),
                );
            }
        }
        for b in before
            .iter()
            .filter(|b| !after.iter().any(|a| a.label == b.label))
        {
            let to: Vec<String> = b
                .split
                .iter()
                .map(|(d, p)| format!("{d} {}", percent(*p)))
                .collect();
            notes.add(
                NoteKind::Traffic,
                &service,
                format!(
                    "{}: route removed (it sent {})",
                    at(&b.label),
                    to.join(", ")
                ),
            );
        }
    }
}

/// `v1 50% → 20%, v3 50% → 80%`: every destination whose share changed.
fn shift(before: &[(String, f64)], after: &[(String, f64)]) -> String {
    let share = |list: &[(String, f64)], d: &str| {
        list.iter().find(|(x, _)| x == d).map_or(0.0, |(_, p)| *p)
    };
    let dests: BTreeSet<&str> = after
        .iter()
        .chain(before)
        .map(|(d, _)| d.as_str())
        .collect();
    dests
        .into_iter()
        .filter_map(|d| {
            let (b, a) = (share(before, d), share(after, d));
            ((b - a).abs() > 1e-9).then(|| format!("{d} {} → {}", percent(b), percent(a)))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn percent(p: f64) -> String {
    if (p - p.round()).abs() < 0.05 {
        format!("{}%", p.round())
    } else {
        format!("{p:.1}%")
    }
}

fn shares(vs: &Value) -> Vec<RouteShare> {
    let list = |v: &Value| v.as_array().cloned().unwrap_or_default();
    list(&vs["spec"]["http"])
        .iter()
        .map(|route| {
            let dests = list(&route["route"]);
            let weights: Vec<f64> = dests
                .iter()
                .map(|d| d["weight"].as_f64().unwrap_or(0.0))
                .collect();
            let total: f64 = weights.iter().sum();
            let split = dests
                .iter()
                .zip(&weights)
                .map(|(d, w)| {
                    let p = if total > 0.0 {
                        w / total * 100.0
                    } else {
                        100.0 / dests.len() as f64
                    };
                    (destination(&d["destination"]), p)
                })
                .collect();
            let mirror = route.get("mirror").map(|m| {
                let p = route["mirrorPercentage"]["value"].as_f64().unwrap_or(100.0);
                (destination(m), p)
            });
            let label = match route["name"].as_str() {
                Some(name) => format!("route `{name}`"),
                None => describe_match(&route["match"]),
            };
            RouteShare {
                label,
                split,
                mirror,
            }
        })
        .collect()
}

fn destination(d: &Value) -> String {
    match d["subset"].as_str() {
        Some(s) => s.to_string(),
        None => d["host"]
            .as_str()
            .map(|h| h.split('.').next().unwrap_or(h).to_string())
            .unwrap_or_default(),
    }
}

/// `end-user=jason`, `uri^=/api`; empty for a catch-all route.
fn describe_match(m: &Value) -> String {
    let string = |v: &Value| {
        if let Some(x) = v["exact"].as_str() {
            format!("={x}")
        } else if let Some(x) = v["prefix"].as_str() {
            format!("^={x}")
        } else if let Some(x) = v["regex"].as_str() {
            format!("~={x}")
        } else {
            format!("={v}")
        }
    };
    let alternatives: Vec<String> = m
        .as_array()
        .map(|a| a.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|one| {
            let mut parts = Vec::new();
            if let Some(u) = one.get("uri") {
                parts.push(format!("uri{}", string(u)));
            }
            if let Some(m) = one.get("method") {
                parts.push(format!("method{}", string(m)));
            }
            if let Some(h) = one.get("headers").and_then(Value::as_object) {
                parts.extend(h.iter().map(|(k, v)| format!("{k}{}", string(v))));
            }
            if let Some(p) = one.get("port") {
                parts.push(format!("port={p}"));
            }
            parts.join(" and ")
        })
        .collect();
    alternatives.join(" or ")
}

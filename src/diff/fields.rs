//! Field-level differences between two canonical JSON objects.
//!
//! Maps are compared key by key. Lists whose items all carry a unique string
//! `name` (containers, ports, env, volumes, subsets) are matched by name and
//! a change of order is reported as a move. Other lists (Istio HTTP routes,
//! whose `name` is optional, route destinations, commands) are aligned by
//! content with a longest-common-subsequence diff; within a run of differing
//! items, maps are paired with the most similar map on the other side (the
//! most fields in common), so `route[0].weight: 50 → 80` is one change and an
//! inserted route does not show every later route as changed.

use serde_json::{Map, Value};
use similar::{Algorithm, DiffTag, capture_diff_slices};
use std::collections::{HashMap, HashSet};

/// One difference, at a path like `spec.http[1].route[0].weight`.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldChange {
    pub path: String,
    pub op: Op,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    Changed {
        old: Value,
        new: Value,
    },
    Added(Value),
    Removed(Value),
    /// A named item kept but moved (order matters for routes and env).
    Moved {
        from: usize,
        to: usize,
    },
}

impl Op {
    pub fn as_str(&self) -> &'static str {
        match self {
            Op::Changed { .. } => "changed",
            Op::Added(_) => "added",
            Op::Removed(_) => "removed",
            Op::Moved { .. } => "moved",
        }
    }
}

pub fn diff(old: &Value, new: &Value) -> Vec<FieldChange> {
    let mut out = Vec::new();
    walk(&mut String::new(), old, new, &mut out);
    out
}

fn walk(path: &mut String, old: &Value, new: &Value, out: &mut Vec<FieldChange>) {
    if old == new {
        return;
    }
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => maps(path, a, b, out),
        (Value::Array(a), Value::Array(b)) => match (names(a), names(b)) {
            (Some(na), Some(nb)) => named(path, a, b, &na, &nb, out),
            _ => aligned(path, a, b, out),
        },
        _ => push(
            path,
            Op::Changed {
                old: old.clone(),
                new: new.clone(),
            },
            out,
        ),
    }
}

fn push(path: &str, op: Op, out: &mut Vec<FieldChange>) {
    out.push(FieldChange {
        path: path.to_string(),
        op,
    });
}

/// Runs `f` with `seg` appended to `path`.
fn at(path: &mut String, seg: Seg, f: impl FnOnce(&mut String)) {
    let len = path.len();
    seg.write(path);
    f(path);
    path.truncate(len);
}

enum Seg<'a> {
    Key(&'a str),
    Index(usize),
    /// An item that changed and moved: `[old→new]`.
    Shifted(usize, usize),
    Name(&'a str),
}

impl Seg<'_> {
    fn write(&self, path: &mut String) {
        use std::fmt::Write;
        match self {
            Seg::Key(k) if plain(k) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
            }
            Seg::Key(k) => {
                let _ = write!(path, "[{}]", Value::String((*k).to_string()));
            }
            Seg::Index(i) => {
                let _ = write!(path, "[{i}]");
            }
            Seg::Shifted(i, j) => {
                let _ = write!(path, "[{i}→{j}]");
            }
            Seg::Name(n) => {
                let _ = write!(path, "[name={n}]");
            }
        }
    }
}

/// A key that reads unambiguously after a dot: `weight`, `end-user`.
fn plain(k: &str) -> bool {
    let mut chars = k.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn maps(
    path: &mut String,
    a: &Map<String, Value>,
    b: &Map<String, Value>,
    out: &mut Vec<FieldChange>,
) {
    let mut keys: Vec<&String> = a
        .keys()
        .chain(b.keys().filter(|k| !a.contains_key(*k)))
        .collect();
    keys.sort();
    for k in keys {
        at(path, Seg::Key(k), |p| match (a.get(k), b.get(k)) {
            (Some(x), Some(y)) => walk(p, x, y, out),
            (Some(x), None) => push(p, Op::Removed(x.clone()), out),
            (None, Some(y)) => push(p, Op::Added(y.clone()), out),
            (None, None) => {}
        });
    }
}

/// The `name` of every item, when every item is a map with a unique one.
fn names(items: &[Value]) -> Option<Vec<&str>> {
    let mut seen = HashSet::with_capacity(items.len());
    items
        .iter()
        .map(|v| {
            let n = v.as_object()?.get("name")?.as_str()?;
            seen.insert(n).then_some(n)
        })
        .collect()
}

fn named(
    path: &mut String,
    a: &[Value],
    b: &[Value],
    na: &[&str],
    nb: &[&str],
    out: &mut Vec<FieldChange>,
) {
    let ia: HashMap<&str, usize> = na.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let ib: HashMap<&str, usize> = nb.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    for (i, n) in na.iter().enumerate() {
        if !ib.contains_key(n) {
            at(path, Seg::Name(n), |p| {
                push(p, Op::Removed(a[i].clone()), out)
            });
        }
    }
    for (j, n) in nb.iter().enumerate() {
        at(path, Seg::Name(n), |p| match ia.get(n) {
            Some(&i) => walk(p, &a[i], &b[j], out),
            None => push(p, Op::Added(b[j].clone()), out),
        });
    }
    // Items kept but out of their relative order: everything off the
    // longest common subsequence of the kept names moved.
    let kept_old: Vec<&str> = na.iter().copied().filter(|n| ib.contains_key(n)).collect();
    let kept_new: Vec<&str> = nb.iter().copied().filter(|n| ia.contains_key(n)).collect();
    for op in capture_diff_slices(Algorithm::Myers, &kept_old, &kept_new) {
        let (tag, _, new_range) = op.as_tag_tuple();
        if tag == DiffTag::Equal {
            continue;
        }
        for n in &kept_new[new_range] {
            at(path, Seg::Name(n), |p| {
                push(
                    p,
                    Op::Moved {
                        from: ia[n],
                        to: ib[n],
                    },
                    out,
                )
            });
        }
    }
}

fn aligned(path: &mut String, a: &[Value], b: &[Value], out: &mut Vec<FieldChange>) {
    let ha: Vec<String> = a.iter().map(Value::to_string).collect();
    let hb: Vec<String> = b.iter().map(Value::to_string).collect();
    for op in capture_diff_slices(Algorithm::Myers, &ha, &hb) {
        let (tag, ra, rb) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => {}
            DiffTag::Delete => removed(path, a, ra, out),
            DiffTag::Insert => added(path, b, rb, out),
            DiffTag::Replace => {
                let pairs = pair(&a[ra.clone()], &b[rb.clone()]);
                let paired_old: HashSet<usize> = pairs.iter().map(|(i, _)| *i).collect();
                for i in ra.clone().filter(|i| !paired_old.contains(&(i - ra.start))) {
                    at(path, Seg::Index(i), |p| {
                        push(p, Op::Removed(a[i].clone()), out)
                    });
                }
                let by_new: HashMap<usize, usize> = pairs.iter().map(|(i, j)| (*j, *i)).collect();
                for j in rb.clone() {
                    match by_new.get(&(j - rb.start)).map(|i| ra.start + i) {
                        Some(i) => {
                            let seg = if i == j {
                                Seg::Index(j)
                            } else {
                                Seg::Shifted(i, j)
                            };
                            at(path, seg, |p| walk(p, &a[i], &b[j], out));
                        }
                        None => at(path, Seg::Index(j), |p| {
                            push(p, Op::Added(b[j].clone()), out)
                        }),
                    }
                }
            }
        }
    }
}

fn removed(path: &mut String, a: &[Value], r: std::ops::Range<usize>, out: &mut Vec<FieldChange>) {
    for i in r {
        at(path, Seg::Index(i), |p| {
            push(p, Op::Removed(a[i].clone()), out)
        });
    }
}

fn added(path: &mut String, b: &[Value], r: std::ops::Range<usize>, out: &mut Vec<FieldChange>) {
    for j in r {
        at(path, Seg::Index(j), |p| {
            push(p, Op::Added(b[j].clone()), out)
        });
    }
}

/// Above this many candidate pairs in one run of differing items, items are
/// paired by position instead of by similarity.
const MAX_SCORED_PAIRS: usize = 4096;

/// Pairs items of two runs of differing list items (indices into the runs):
/// one against one always; scalars by position when the runs are the same
/// length; maps each with the unpaired map it shares the most with.
fn pair(a: &[Value], b: &[Value]) -> Vec<(usize, usize)> {
    let scalars = |v: &[Value]| v.iter().all(|x| !x.is_object() && !x.is_array());
    if a.len() == 1 && b.len() == 1 {
        return vec![(0, 0)];
    }
    if (scalars(a) && scalars(b)) || a.len() * b.len() > MAX_SCORED_PAIRS {
        return if a.len() == b.len() {
            (0..a.len()).map(|i| (i, i)).collect()
        } else {
            Vec::new()
        };
    }
    let mut used = vec![false; b.len()];
    let mut pairs = Vec::new();
    for (i, x) in a.iter().enumerate() {
        let best = b
            .iter()
            .enumerate()
            .filter(|(j, _)| !used[*j])
            .map(|(j, y)| (similarity(x, y), j))
            .filter(|(s, _)| *s > 0)
            .max_by(|(s1, j1), (s2, j2)| s1.cmp(s2).then(j2.cmp(j1)));
        if let Some((_, j)) = best {
            used[j] = true;
            pairs.push((i, j));
        }
    }
    pairs
}

/// Fields two maps share: an equal map, list or string counts twice (it
/// identifies: a destination, a match), an equal number or bool once.
fn similarity(x: &Value, y: &Value) -> usize {
    let (Some(x), Some(y)) = (x.as_object(), y.as_object()) else {
        return 0;
    };
    x.iter()
        .filter(|(k, v)| y.get(*k) == Some(v))
        .map(|(_, v)| match v {
            Value::Number(_) | Value::Bool(_) | Value::Null => 1,
            _ => 2,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(changes: &[FieldChange]) -> Vec<String> {
        changes
            .iter()
            .map(|c| match &c.op {
                Op::Changed { old, new } => format!("{}: {old} -> {new}", c.path),
                Op::Added(v) => format!("+{}: {v}", c.path),
                Op::Removed(v) => format!("-{}: {v}", c.path),
                Op::Moved { from, to } => format!("{}: moved {from} -> {to}", c.path),
            })
            .collect()
    }

    fn route(subset: &str, weight: u32) -> Value {
        json!({"destination": {"host": "reviews", "subset": subset}, "weight": weight})
    }

    #[test]
    fn weights_change_in_place() {
        let old = json!({"spec": {"http": [
            {"match": [{"headers": {"end-user": {"exact": "jason"}}}], "route": [route("v2", 100)]},
            {"route": [route("v1", 50), route("v3", 50)]},
        ]}});
        let mut new = old.clone();
        new["spec"]["http"][1]["route"] = json!([route("v1", 20), route("v3", 80)]);
        assert_eq!(
            render(&diff(&old, &new)),
            [
                "spec.http[1].route[0].weight: 50 -> 20",
                "spec.http[1].route[1].weight: 50 -> 80"
            ]
        );
    }

    #[test]
    fn an_inserted_route_leaves_the_others_alone() {
        let a = json!({"match": [{"uri": {"prefix": "/a"}}], "route": [route("v1", 100)]});
        let c = json!({"route": [route("v1", 100)]});
        let b = json!({"match": [{"uri": {"prefix": "/b"}}], "route": [route("v2", 100)]});
        let old = json!({"http": [a.clone(), c.clone()]});
        let new = json!({"http": [a, b.clone(), c]});
        assert_eq!(render(&diff(&old, &new)), [format!("+http[1]: {b}")]);
    }

    #[test]
    fn a_removed_destination_is_not_mistaken_for_its_neighbour() {
        let old = json!([route("v1", 30), route("v2", 30), route("v3", 40)]);
        let new = json!([route("v1", 50), route("v3", 50)]);
        assert_eq!(
            render(&diff(&old, &new)),
            [
                format!("-[1]: {}", route("v2", 30)),
                "[0].weight: 30 -> 50".to_string(),
                "[2→1].weight: 40 -> 50".to_string(),
            ]
        );
    }

    #[test]
    fn named_items_match_by_name() {
        let old = json!({"env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]});
        let new = json!({"env": [{"name": "Z", "value": "0"}, {"name": "A", "value": "1"}, {"name": "B", "value": "3"}]});
        assert_eq!(
            render(&diff(&old, &new)),
            [
                r#"+env[name=Z]: {"name":"Z","value":"0"}"#,
                r#"env[name=B].value: "2" -> "3""#,
            ]
        );
    }

    #[test]
    fn reordered_named_items_are_moves() {
        let old = json!([{"name": "a"}, {"name": "b"}, {"name": "c"}]);
        let new = json!([{"name": "c"}, {"name": "a"}, {"name": "b"}]);
        assert_eq!(render(&diff(&old, &new)), ["[name=c]: moved 2 -> 0"]);
    }

    #[test]
    fn odd_keys_are_quoted() {
        let old = json!({"metadata": {"labels": {"app.kubernetes.io/name": "a"}}});
        let new = json!({"metadata": {"labels": {"app.kubernetes.io/name": "b"}}});
        assert_eq!(
            render(&diff(&old, &new)),
            [r#"metadata.labels["app.kubernetes.io/name"]: "a" -> "b""#]
        );
    }

    #[test]
    fn scalar_lists_of_equal_length_change_by_position() {
        let old = json!({"command": ["python", "app.py", "9080"]});
        let new = json!({"command": ["python", "app.py", "9081"]});
        assert_eq!(
            render(&diff(&old, &new)),
            [r#"command[2]: "9080" -> "9081""#]
        );
    }
}

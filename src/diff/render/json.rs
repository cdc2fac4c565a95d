//! `--format json`: the stable `meshc.diff/v1` schema documented on the
//! `diff` module. Serialized from structs of its own, so the schema does not
//! move when the internal types do.

use super::super::{Counts, Op, Plan, Subject};
use super::Header;
use serde::Serialize;
use serde_json::Value;

pub const SCHEMA: &str = "meshc.diff/v1";

#[derive(Serialize)]
struct Report<'a> {
    schema: &'static str,
    old: &'a str,
    new: &'a str,
    changed: bool,
    summary: Summary,
    notes: Vec<Note<'a>>,
    plan: Vec<Step<'a>>,
}

#[derive(Serialize)]
struct Summary {
    resources: ResourceCounts,
    files: FileCounts,
}

#[derive(Serialize)]
struct ResourceCounts {
    create: usize,
    update: usize,
    replace: usize,
    delete: usize,
    unchanged: usize,
}

#[derive(Serialize)]
struct FileCounts {
    create: usize,
    update: usize,
    delete: usize,
    unchanged: usize,
}

#[derive(Serialize)]
struct Note<'a> {
    kind: &'static str,
    service: Option<&'a str>,
    text: &'a str,
}

#[derive(Serialize)]
struct Step<'a> {
    step: usize,
    action: &'static str,
    resource: Option<Resource<'a>>,
    file: Option<&'a str>,
    service: Option<&'a str>,
    reason: Option<&'a str>,
    changes: Vec<Change<'a>>,
    diff: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Resource<'a> {
    api_version: &'a str,
    kind: &'a str,
    namespace: Option<&'a str>,
    name: &'a str,
}

#[derive(Serialize)]
struct Change<'a> {
    path: &'a str,
    op: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    old: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    new: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    to: Option<usize>,
}

pub fn json(plan: &Plan, header: Header) -> String {
    let resources = |c: &Counts| ResourceCounts {
        create: c.create,
        update: c.update,
        replace: c.replace,
        delete: c.delete,
        unchanged: c.unchanged,
    };
    let files = |c: &Counts| FileCounts {
        create: c.create,
        update: c.update,
        delete: c.delete,
        unchanged: c.unchanged,
    };
    let report = Report {
        schema: SCHEMA,
        old: header.old,
        new: header.new,
        changed: !plan.is_empty(),
        summary: Summary {
            resources: resources(&plan.summary.resources),
            files: files(&plan.summary.files),
        },
        notes: plan
            .notes
            .iter()
            .map(|n| Note {
                kind: n.kind.as_str(),
                service: n.service.as_deref(),
                text: &n.text,
            })
            .collect(),
        plan: plan
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| Step {
                step: i + 1,
                action: s.action.as_str(),
                resource: match &s.subject {
                    Subject::Resource(k) => Some(Resource {
                        api_version: &k.api_version,
                        kind: &k.kind,
                        namespace: k.namespace.as_deref(),
                        name: &k.name,
                    }),
                    Subject::File(_) => None,
                },
                file: match &s.subject {
                    Subject::File(p) => Some(p),
                    Subject::Resource(_) => None,
                },
                service: s.service.as_deref(),
                reason: s.reason.as_deref(),
                changes: s
                    .changes
                    .iter()
                    .map(|c| {
                        let mut out = Change {
                            path: &c.path,
                            op: c.op.as_str(),
                            old: None,
                            new: None,
                            from: None,
                            to: None,
                        };
                        match &c.op {
                            Op::Changed { old, new } => {
                                out.old = Some(old);
                                out.new = Some(new);
                            }
                            Op::Added(v) => out.new = Some(v),
                            Op::Removed(v) => out.old = Some(v),
                            Op::Moved { from, to } => {
                                out.from = Some(*from);
                                out.to = Some(*to);
                            }
                        }
                        out
                    })
                    .collect(),
                diff: s.text.as_deref(),
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}

//! Calls resolved to service ids: each service's callees, the ports the
//! calls narrow to, each workload's own callees, and every callers list.

use crate::ast::{self, Description};
use crate::model::{self, App};
use indexmap::IndexMap;

/// The port an address reference names: the given one, or the service's
/// only port (`check` has made sure one of them exists).
pub(super) fn address_port<'a>(
    desc: &'a Description,
    service: &str,
    port: Option<&ast::Name>,
) -> Option<&'a ast::Port> {
    let svc = desc.services.get(service)?;
    match port {
        Some(p) => svc.ports.get(&p.value),
        None if svc.ports.len() == 1 => svc.ports.values().next(),
        None => None,
    }
}

/// Each workload's own calls, in workload order: the service's, then its
/// version's, explicit calls and address references alike.
fn workload_calls(desc: &Description, svc: &ast::Service, out: &model::Service) -> Vec<Vec<usize>> {
    let targets = |calls: &[ast::Call], env: &IndexMap<String, ast::EnvVar>| {
        let explicit = calls.iter().map(|c| c.service.value.as_str());
        let addresses = env.values().filter_map(|v| match &v.value {
            ast::EnvValue::Address { service, .. } => Some(service.value.as_str()),
            _ => None,
        });
        explicit
            .chain(addresses)
            .filter_map(|name| desc.services.get_index_of(name))
            .collect::<Vec<usize>>()
    };
    let shared = targets(&svc.calls, &svc.env);
    out.workloads
        .iter()
        .map(|w| {
            let mut calls = shared.clone();
            if let Some(v) = w.version.as_ref().and_then(|v| svc.versions.get(v)) {
                calls.extend(targets(&v.calls, &v.env));
            }
            let mut seen = std::collections::HashSet::new();
            calls.retain(|j| seen.insert(*j));
            calls
        })
        .collect()
}

/// One service's resolved calls: callee ids in call order, the ports the
/// calls narrow to per callee, and each workload's own callees.
struct Resolved {
    calls: Vec<usize>,
    call_ports: IndexMap<usize, Vec<String>>,
    workload_calls: Vec<Vec<usize>>,
}

fn resolve(desc: &Description, svc: &ast::Service, lowered: &model::Service) -> Resolved {
    // Per callee, in call order: the port names the calls narrow to,
    // `None` once one call names no port (then every port is called).
    // Keyed by id, it is also the set a hub's thousands of calls dedup
    // through.
    let mut ports: IndexMap<usize, Option<Vec<String>>> = IndexMap::new();
    let explicit = svc
        .calls
        .iter()
        .chain(svc.versions.values().flat_map(|v| v.calls.iter()))
        .map(|c| (&c.service.value, c.port.as_ref().map(|p| p.value.clone())));
    // An address reference is a call on the port it names (an overlay's
    // addresses must name callees the base description already has).
    let addresses = svc
        .env
        .values()
        .chain(svc.versions.values().flat_map(|v| v.env.values()))
        .filter_map(|v| match &v.value {
            ast::EnvValue::Address { service, port, .. } => Some((
                &service.value,
                address_port(desc, &service.value, port.as_ref()).map(|p| p.name.value.clone()),
            )),
            _ => None,
        });
    for (callee, port) in explicit.chain(addresses) {
        let Some(j) = desc.services.get_index_of(callee) else {
            continue;
        };
        match ports.entry(j) {
            indexmap::map::Entry::Vacant(e) => {
                e.insert(port.map(|p| vec![p]));
            }
            indexmap::map::Entry::Occupied(mut e) => match (e.get_mut().as_mut(), port) {
                (Some(list), Some(p)) if !list.contains(&p) => list.push(p),
                (Some(_), None) => *e.get_mut() = None,
                _ => {}
            },
        }
    }
    Resolved {
        calls: ports.keys().copied().collect(),
        call_ports: ports
            .into_iter()
            .filter_map(|(j, p)| p.map(|p| (j, p)))
            .collect(),
        workload_calls: workload_calls(desc, svc, lowered),
    }
}

/// Fills `calls` and `callers` with service ids. Each service resolves
/// its own calls on any core; only the callers lists join them.
pub(super) fn resolve_calls(desc: &Description, app: &mut App) {
    let pairs: Vec<(&ast::Service, &model::Service)> =
        desc.services.values().zip(&app.services).collect();
    let resolved = crate::par::map(&pairs, |(svc, lowered)| resolve(desc, svc, lowered));
    for (i, r) in resolved.into_iter().enumerate() {
        for &j in &r.calls {
            app.services[j].callers.push(i);
        }
        let out = &mut app.services[i];
        for (w, calls) in out.workloads.iter_mut().zip(r.workload_calls) {
            w.calls = calls;
        }
        out.call_ports = r.call_ports;
        out.calls = r.calls;
    }
}

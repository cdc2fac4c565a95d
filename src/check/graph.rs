//! The call graph: every `calls` entry names a service and port that exist,
//! no cycles (printed as the whole path), and timeouts that agree along each
//! edge. Linear in services plus edges.

use crate::ast::{Call, Description, Health, Service, Traffic};
use crate::diag::{Code, Diagnostic, Suggestions, did_you_mean};
use crate::source::Span;
use petgraph::graph::{DiGraph, NodeIndex};

pub fn check(desc: &Description, out: &mut Vec<Diagnostic>) {
    let mut graph: DiGraph<&str, Span> = DiGraph::with_capacity(desc.services.len(), 0);
    let nodes: Vec<NodeIndex> = desc.services.keys().map(|k| graph.add_node(k)).collect();
    let mut suggest = Suggestions::default();
    for (i, svc) in desc.services.values().enumerate() {
        health_port(svc, out);
        let mut seen = std::collections::HashSet::new();
        let addresses = address_calls(svc);
        let calls = all_calls(svc).chain(addresses.iter().map(|(c, _)| c));
        for call in calls {
            let Some((j, _, callee)) = desc.services.get_full(&call.service.value) else {
                out.push(unknown_service(desc, call, &mut suggest));
                continue;
            };
            if let Some(port) = &call.port
                && !callee.ports.contains_key(&port.value)
            {
                let mut d = Diagnostic::new(
                    Code::UnknownPort,
                    port.span,
                    format!(
                        "service `{}` has no port `{}`",
                        callee.name.value, port.value
                    ),
                )
                .label("unknown port");
                let ports: Vec<&str> = callee.ports.keys().map(String::as_str).collect();
                d = match suggest.did_you_mean(&port.value, ports.iter().copied()) {
                    Some(s) => d.help(format!("did you mean `{}:{s}`?", callee.name.value)),
                    None if ports.is_empty() => d.help(format!(
                        "`{}` declares no ports; add one under its `ports`",
                        callee.name.value
                    )),
                    None => d.help(format!("`{}` declares {}", callee.name.value, list(&ports))),
                };
                out.push(d);
            } else if callee.ports.is_empty() {
                out.push(
                    Diagnostic::new(
                        Code::UnknownPort,
                        call.service.span,
                        format!("`{}` is called but declares no ports", callee.name.value),
                    )
                    .label("nothing to connect to")
                    .also(callee.name.span, "defined here without `ports`")
                    .help(format!(
                        "add the port it listens on, e.g. `ports: {{ http: 8080 }}` under `{}`",
                        callee.name.value
                    )),
                );
            }
            if seen.insert(j) {
                graph.add_edge(nodes[i], nodes[j], call.service.span);
            }
            timeout_chain(svc, callee, call, out);
        }
    }
    cycles(&graph, out);
    overlay_addresses(desc, out);
    for svc in desc.services.values() {
        for (call, span) in address_calls(svc) {
            if let Some(callee) = desc.services.get(&call.service.value)
                && call.port.is_none()
                && callee.ports.len() > 1
            {
                let ports: Vec<String> = callee
                    .ports
                    .keys()
                    .map(|p| format!("`{}:{p}`", callee.name.value))
                    .collect();
                out.push(
                    Diagnostic::new(
                        Code::UnknownPort,
                        span,
                        format!(
                            "`{}` has {} ports; the address must name one",
                            callee.name.value,
                            callee.ports.len()
                        ),
                    )
                    .label("which port?")
                    .help(format!("write one of {}", ports.join(", "))),
                );
            }
        }
    }
}

/// Address references an environment overlay adds: they must resolve too
/// (the edge they imply is the base description's, so they add none).
fn overlay_addresses(desc: &Description, out: &mut Vec<Diagnostic>) {
    let envs = desc.environments.values().flat_map(|e| e.services.values());
    for var in envs.flat_map(|o| o.env.values()) {
        let crate::ast::EnvValue::Address { service, port, .. } = &var.value else {
            continue;
        };
        let Some(callee) = desc.services.get(&service.value) else {
            out.push(
                Diagnostic::new(
                    Code::UnknownService,
                    service.span,
                    format!("`{}` is not a service in this description", service.value),
                )
                .label("unknown service")
                .help("address only services defined under `services`"),
            );
            continue;
        };
        let resolves = match port {
            Some(p) => callee.ports.contains_key(&p.value),
            None => callee.ports.len() == 1,
        };
        if !resolves {
            let ports: Vec<&str> = callee.ports.keys().map(String::as_str).collect();
            out.push(
                Diagnostic::new(
                    Code::UnknownPort,
                    port.as_ref().map_or(service.span, |p| p.span),
                    format!(
                        "this address names no single port of `{}`",
                        callee.name.value
                    ),
                )
                .label("unknown port")
                .help(format!("`{}` declares {}", callee.name.value, list(&ports))),
            );
        }
    }
}

/// The calls `{ address: service:port }` env values imply, each with the
/// span of the whole reference.
fn address_calls(svc: &Service) -> Vec<(Call, Span)> {
    let env = svc
        .env
        .values()
        .chain(svc.versions.values().flat_map(|v| v.env.values()));
    env.filter_map(|v| match &v.value {
        crate::ast::EnvValue::Address {
            service,
            port,
            span,
            ..
        } => Some((
            Call {
                service: service.clone(),
                port: port.clone(),
                span: *span,
            },
            *span,
        )),
        _ => None,
    })
    .collect()
}

/// Calls of the service and of each of its versions.
fn all_calls(svc: &Service) -> impl Iterator<Item = &Call> {
    svc.calls
        .iter()
        .chain(svc.versions.values().flat_map(|v| v.calls.iter()))
}

fn list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn unknown_service(desc: &Description, call: &Call, suggest: &mut Suggestions) -> Diagnostic {
    let d = Diagnostic::new(
        Code::UnknownService,
        call.service.span,
        format!(
            "`{}` is not a service in this description",
            call.service.value
        ),
    );
    match suggest.did_you_mean(
        &call.service.value,
        desc.services.keys().map(String::as_str),
    ) {
        Some(s) => d.label(format!("did you mean `{s}`?")).help(format!(
            "change it to `{s}`, or define a service named `{}`",
            call.service.value
        )),
        None => d
            .label("unknown service")
            .help("call only services defined under `services`"),
    }
}

fn health_port(svc: &Service, out: &mut Vec<Diagnostic>) {
    let port = match &svc.health {
        Some(
            Health::Http { port: Some(p), .. } | Health::Tcp { port: p } | Health::Grpc { port: p },
        ) => p,
        Some(Health::Http { port: None, path }) if svc.ports.is_empty() => {
            out.push(
                Diagnostic::new(
                    Code::UnknownPort,
                    path.span,
                    format!("`{}` has an http health check but no ports", svc.name.value),
                )
                .label("nothing to probe")
                .help("declare the port the service listens on under `ports`"),
            );
            return;
        }
        _ => return,
    };
    if !svc.ports.contains_key(&port.value) {
        let ports: Vec<&str> = svc.ports.keys().map(String::as_str).collect();
        let d = Diagnostic::new(
            Code::UnknownPort,
            port.span,
            format!(
                "health check names port `{}`, which `{}` does not declare",
                port.value, svc.name.value
            ),
        )
        .label("unknown port");
        out.push(match did_you_mean(&port.value, ports.iter().copied()) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None => d.help(format!("name one of the service's ports: {}", list(&ports))),
        });
    }
}

/// The longest a call to a service can take, when its policy bounds it.
pub fn worst_case_ms(t: &Traffic) -> Option<u64> {
    let retried = t.retries.as_ref().and_then(|r| {
        r.per_try_timeout
            .as_ref()
            .map(|p| p.value.saturating_mul(u64::from(r.attempts.value) + 1))
    });
    match (t.timeout.as_ref().map(|t| t.value), retried) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn timeout_chain(caller: &Service, callee: &Service, call: &Call, out: &mut Vec<Diagnostic>) {
    let (Some(ct), Some(t)) = (caller.traffic.as_ref(), callee.traffic.as_ref()) else {
        return;
    };
    let (Some(budget), Some(worst)) = (ct.timeout.as_ref(), worst_case_ms(t)) else {
        return;
    };
    if worst > budget.value {
        out.push(
            Diagnostic::new(
                Code::TimeoutChain,
                call.service.span,
                format!(
                    "a call from `{}` to `{}` can take up to {}, longer than the {} timeout on `{}` itself",
                    caller.name.value,
                    callee.name.value,
                    crate::ast::format_ms(worst),
                    crate::ast::format_ms(budget.value),
                    caller.name.value
                ),
            )
            .label("this call")
            .also(budget.span, format!("`{}` times out here", caller.name.value))
            .help(format!("raise `{}`'s timeout above {}, or lower `{}`'s timeout or retries", caller.name.value, crate::ast::format_ms(worst), callee.name.value)),
        );
    }
}

/// Each strongly connected component with a cycle is reported once, as one
/// concrete path through it.
fn cycles(graph: &DiGraph<&str, Span>, out: &mut Vec<Diagnostic>) {
    for scc in petgraph::algo::tarjan_scc(graph) {
        let start = *scc.iter().min().expect("components are never empty");
        let cyclic = scc.len() > 1 || graph.find_edge(start, start).is_some();
        if !cyclic {
            continue;
        }
        let path = cycle_through(graph, start, &scc);
        let names: Vec<&str> = path.iter().map(|&n| graph[n]).collect();
        let edges: Vec<Span> = path
            .windows(2)
            .filter_map(|w| graph.find_edge(w[0], w[1]).map(|e| graph[e]))
            .collect();
        let mut d = Diagnostic::new(
            Code::CallCycle,
            edges[0],
            format!("call cycle: {}", names.join(" -> ")),
        )
        .label(format!("`{}` calls `{}`", names[0], names[1]));
        for (k, span) in edges.iter().enumerate().skip(1) {
            d = d.also(*span, format!("`{}` calls `{}`", names[k], names[k + 1]));
        }
        out.push(d.help("break the cycle: remove one of these calls, or move the shared work into a service both can call"));
    }
}

/// Shortest path from `start` back to itself inside one component (BFS),
/// as `start, …, start`.
fn cycle_through(
    graph: &DiGraph<&str, Span>,
    start: NodeIndex,
    scc: &[NodeIndex],
) -> Vec<NodeIndex> {
    let members: std::collections::HashSet<NodeIndex> = scc.iter().copied().collect();
    let mut parent = std::collections::HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(n) = queue.pop_front() {
        for next in graph.neighbors(n) {
            if next == start {
                let mut path = vec![start];
                let mut cur = n;
                loop {
                    path.push(cur);
                    if cur == start {
                        break;
                    }
                    cur = parent[&cur];
                }
                path.reverse();
                return path;
            }
            if members.contains(&next) && next != start && !parent.contains_key(&next) {
                parent.insert(next, n);
                queue.push_back(next);
            }
        }
    }
    vec![start, start]
}

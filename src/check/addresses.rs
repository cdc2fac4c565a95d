//! Addresses spelt by hand: an env value `name:port` or
//! `scheme://name:port/...` whose host is a service of this description must
//! use a port that service's Service exposes, and the caller must declare
//! the call (or NetworkPolicy and the mesh deny it). Also workers that
//! nothing can probe.

use crate::ast::{Description, EnvValue, EnvVar, Name, Service};
use crate::diag::{Code, Diagnostic};
use crate::source::Span;
use indexmap::IndexMap;

pub fn check(desc: &Description, out: &mut Vec<Diagnostic>) {
    let namespace = desc
        .namespace
        .as_ref()
        .or(desc.app.as_ref())
        .map_or("", |n| n.value.as_str());
    let cx = Cx { desc, namespace };
    for svc in desc.services.values() {
        no_health(svc, out);
        let calls: Vec<&str> = declared(svc, None);
        cx.env(svc, &svc.env, &calls, out);
        for v in svc.versions.values() {
            let calls = declared(svc, Some(&v.name));
            cx.env(svc, &v.env, &calls, out);
        }
    }
    for env in desc.environments.values() {
        for ov in env.services.values() {
            if let Some(svc) = desc.services.get(&ov.name.value) {
                cx.env(svc, &ov.env, &declared(svc, None), out);
            }
        }
    }
}

/// The services `svc` (or one of its versions) declares it calls, by
/// `calls` or by an `{ address: … }` reference.
fn declared<'a>(svc: &'a Service, version: Option<&Name>) -> Vec<&'a str> {
    let versions = svc
        .versions
        .values()
        .filter(|v| version.is_none_or(|n| n.value == v.name.value));
    let calls = svc
        .calls
        .iter()
        .chain(versions.clone().flat_map(|v| v.calls.iter()))
        .map(|c| c.service.value.as_str());
    let refs = svc
        .env
        .values()
        .chain(versions.flat_map(|v| v.env.values()))
        .filter_map(|e| match &e.value {
            EnvValue::Address { service, .. } => Some(service.value.as_str()),
            _ => None,
        });
    calls.chain(refs).collect()
}

struct Cx<'a> {
    desc: &'a Description,
    namespace: &'a str,
}

impl Cx<'_> {
    fn env(
        &self,
        caller: &Service,
        env: &IndexMap<String, EnvVar>,
        calls: &[&str],
        out: &mut Vec<Diagnostic>,
    ) {
        for var in env.values() {
            let EnvValue::Plain(v) = &var.value else {
                continue;
            };
            let Some((host, port)) = host_port(&v.value) else {
                continue;
            };
            let Some(callee) = self.service(host) else {
                continue;
            };
            if callee.name.value == caller.name.value {
                continue;
            }
            self.port(callee, port, v.span, out);
            if !calls.contains(&callee.name.value.as_str()) {
                out.push(
                    Diagnostic::new(
                        Code::AddressMismatch,
                        v.span,
                        format!(
                            "`{}` addresses `{}` but does not declare the call",
                            caller.name.value, callee.name.value
                        ),
                    )
                    .label("an address of a service here")
                    .help(format!(
                        "add `{}` to `calls` of `{}` (NetworkPolicy and the mesh deny undeclared calls), or write `{{ address: {}:<port> }}`, which implies it",
                        callee.name.value, caller.name.value, callee.name.value
                    )),
                );
            }
        }
    }

    /// The service a host names: `cart`, `cart.<ns>`, `cart.<ns>.svc`,
    /// `cart.<ns>.svc.cluster.local`.
    fn service(&self, host: &str) -> Option<&Service> {
        let (name, rest) = host.split_once('.').unwrap_or((host, ""));
        let qualified = rest.is_empty()
            || rest
                .strip_prefix(self.namespace)
                .is_some_and(|r| matches!(r, "" | ".svc" | ".svc.cluster.local"));
        qualified.then(|| self.desc.services.get(name)).flatten()
    }

    fn port(&self, callee: &Service, port: u16, span: Span, out: &mut Vec<Diagnostic>) {
        let service_port =
            |p: &crate::ast::Port| p.service_port.as_ref().map_or(p.number.value, |s| s.value);
        if callee.ports.values().any(|p| service_port(p) == port) {
            return;
        }
        let exposed: Vec<String> = callee
            .ports
            .values()
            .map(|p| format!("`{}` ({})", service_port(p), p.name.value))
            .collect();
        let d = Diagnostic::new(
            Code::AddressMismatch,
            span,
            format!(
                "`{}` exposes no port {port} on its Service",
                callee.name.value
            ),
        );
        let d = match callee.ports.values().find(|p| p.number.value == port) {
            Some(p) => d.label(format!("{port} is the container port")).help(format!(
                "did you mean `{}:{}`? Callers reach the Service port; the container listens on {port}",
                callee.name.value,
                service_port(p)
            )),
            None if callee.ports.len() == 1 => {
                let p = &callee.ports[0];
                d.label("no such port").help(format!(
                    "did you mean `{}:{}`?",
                    callee.name.value,
                    service_port(p)
                ))
            }
            None if exposed.is_empty() => d
                .label("no such port")
                .help(format!("`{}` declares no ports", callee.name.value)),
            None => d
                .label("no such port")
                .help(format!("`{}` exposes {}", callee.name.value, exposed.join(", "))),
        };
        out.push(d);
    }
}

/// `host:port` or `scheme://[user[:pass]@]host:port[/…]`, else `None`.
fn host_port(value: &str) -> Option<(&str, u16)> {
    let rest = match value.split_once("://") {
        Some((scheme, rest))
            if !scheme.is_empty()
                && scheme
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'+') =>
        {
            rest
        }
        Some(_) => return None,
        None => value,
    };
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = authority.rsplit_once(':')?;
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
    // A bare `name:port` must be the whole value (not `a:b c`).
    if !value.contains("://") && authority.len() != value.len() {
        return None;
    }
    let port: u16 = port.parse().ok().filter(|p| *p > 0)?;
    host_ok.then_some((host, port))
}

/// A workload with no ports and no `health` gets no probes.
fn no_health(svc: &Service, out: &mut Vec<Diagnostic>) {
    if svc.ports_span.is_some() || svc.health.is_some() {
        return;
    }
    let opted_out = |id: &str| svc.opt_outs.iter().any(|o| o.check.value == id);
    if opted_out("CKV_K8S_8") && opted_out("CKV_K8S_9") {
        return;
    }
    out.push(
        Diagnostic::new(
            Code::NoHealth,
            svc.name.span,
            format!(
                "`{}` has neither ports nor a `health` check, so it gets no probes",
                svc.name.value
            ),
        )
        .label("nothing to probe")
        .help("add `health: { exec: [command, args...] }` (a command that exits 0 when healthy); without probes checkov's CKV_K8S_8 and CKV_K8S_9 fail the bundle"),
    );
}

#[cfg(test)]
mod tests {
    use super::host_port;

    #[test]
    fn addresses_are_recognised_and_other_values_are_not() {
        assert_eq!(host_port("cart:7070"), Some(("cart", 7070)));
        assert_eq!(host_port("http://api:8080/v1"), Some(("api", 8080)));
        assert_eq!(host_port("redis://:pw@cache:6379/0"), Some(("cache", 6379)));
        assert_eq!(
            host_port("cart.shop.svc.cluster.local:80"),
            Some(("cart.shop.svc.cluster.local", 80))
        );
        assert_eq!(host_port("cart"), None);
        assert_eq!(host_port("http://cart/"), None);
        assert_eq!(host_port("a:b"), None);
        assert_eq!(host_port("10:30 daily"), None);
        assert_eq!(host_port("Cart:80"), None);
    }
}

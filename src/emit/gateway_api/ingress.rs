//! North-south: model `Ingress` → the host's `Gateway` (written by the
//! service that owns the host) and the service's `<service>-ingress` route.
//!
//! The route takes the service's own rules (header routes, split, timeout,
//! mirror: the ingress gateway does not use the mesh routes) and narrows
//! each to the ingress path prefixes, so only the listed paths are exposed.
//! A rule whose match cannot be narrowed to a prefix (a regular expression
//! on the path, or a path outside every prefix) is left out. A gRPC port
//! gets a GRPCRoute, which matches no paths: the whole service is exposed.

use super::routes::{Route, TimeoutIn, grpc_rules, http_rules, route};
use super::types::{
    GATEWAY_API, GatewaySpec, HttpMatch, HttpRule, Listener, ListenerTls, Object, ParentRef,
    SecretRef, ValueMatch,
};
use crate::ast::Protocol;
use crate::emit::edge::gateway_name;
use crate::emit::{ApiObject, ObjectMeta};
use crate::model::{App, Ingress, Service, Traffic};
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum IngressObject {
    Gateway(Object<GatewaySpec>),
    Route(Route),
}

impl ApiObject for IngressObject {
    fn api_version(&self) -> &str {
        GATEWAY_API
    }
    fn kind(&self) -> &str {
        match self {
            IngressObject::Gateway(g) => g.kind,
            IngressObject::Route(r) => r.kind(),
        }
    }
    fn metadata(&self) -> &ObjectMeta {
        match self {
            IngressObject::Gateway(g) => &g.metadata,
            IngressObject::Route(r) => r.metadata(),
        }
    }
}

/// The Gateway (when `svc` owns its host) and the route; nothing without an ingress.
pub fn ingress(app: &App, svc: &Service) -> Vec<IngressObject> {
    let Some(ing) = &svc.ingress else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if ing.gateway_owner == svc.name {
        out.push(IngressObject::Gateway(gateway(app, svc, ing)));
    }
    out.push(IngressObject::Route(ingress_route(app, svc, ing)));
    out
}

fn gateway(app: &App, svc: &Service, ing: &Ingress) -> Object<GatewaySpec> {
    let listener = match &ing.tls_secret {
        Some(secret) => Listener {
            name: "https",
            hostname: ing.host.clone(),
            port: 443,
            protocol: "HTTPS",
            tls: Some(ListenerTls {
                mode: "Terminate",
                certificate_refs: vec![SecretRef {
                    name: secret.clone(),
                }],
            }),
        },
        None => Listener {
            name: "http",
            hostname: ing.host.clone(),
            port: 80,
            protocol: "HTTP",
            tls: None,
        },
    };
    Object {
        api_version: GATEWAY_API,
        kind: "Gateway",
        metadata: ObjectMeta::for_service(app, svc, gateway_name(&svc.name)),
        spec: GatewaySpec {
            gateway_class_name: app.gateway_class.clone(),
            listeners: vec![listener],
        },
    }
}

fn ingress_route(app: &App, svc: &Service, ing: &Ingress) -> Route {
    let meta = ObjectMeta::for_service(app, svc, format!("{}-ingress", svc.name));
    let parents = vec![ParentRef {
        group: None,
        kind: None,
        name: gateway_name(&ing.gateway_owner),
        port: None,
    }];
    let hosts = vec![ing.host.clone()];
    let t = svc.traffic.as_ref();
    let port = ing.port.service_port;
    if ing.port.protocol == Protocol::Grpc {
        let plain = Traffic::default();
        let rules = grpc_rules(svc, t.unwrap_or(&plain), port);
        return Route::Grpc(route(meta, "GRPCRoute", parents, hosts, rules));
    }
    let root = ["/".to_string()];
    let prefixes = if ing.paths.is_empty() {
        &root[..]
    } else {
        &ing.paths[..]
    };
    let rules: Vec<HttpRule> = http_rules(svc, t, port, TimeoutIn::Spec)
        .into_iter()
        .filter_map(|mut r| {
            r.matches = std::mem::take(&mut r.matches)
                .iter()
                .flat_map(|m| prefixes.iter().filter_map(|p| under(m, p)))
                .collect();
            (!r.matches.is_empty()).then_some(r)
        })
        .collect();
    Route::Http(route(meta, "HTTPRoute", parents, hosts, rules))
}

/// `m` AND "the path starts with `prefix`", when one match can say it.
fn under(m: &HttpMatch, prefix: &str) -> Option<HttpMatch> {
    let prefix_match = ValueMatch {
        kind: "PathPrefix",
        value: prefix.to_string(),
    };
    let path = match &m.path {
        None => prefix_match,
        Some(p) if p.kind == "Exact" => {
            if p.value.starts_with(prefix) {
                p.clone()
            } else {
                return None;
            }
        }
        Some(p) if p.kind == "PathPrefix" => {
            if p.value.starts_with(prefix) {
                p.clone()
            } else if prefix.starts_with(p.value.as_str()) {
                prefix_match
            } else {
                return None;
            }
        }
        Some(_) => return None,
    };
    Some(HttpMatch {
        path: Some(path),
        ..m.clone()
    })
}

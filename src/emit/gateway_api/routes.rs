//! Mesh (GAMMA) routes of a service: model `Traffic` → one `HTTPRoute` (or
//! `GRPCRoute` for a gRPC port) per routable Service port, attached to that
//! port (`parentRefs: [{group: "", kind: Service, name, port}]`).
//!
//! Rule order, first match wins, as in the Istio emitter:
//! 1. the user's header/path/method routes in declaration order, each to
//!    the version's own Service (`<service>-<version>`); a route without a
//!    match catches everything and ends the list;
//! 2. otherwise a catch-all rule last: the split as weighted backends
//!    (weights are relative), or the service itself without a split.
//!
//! The catch-all is never left out: once a route is attached to a Service,
//! requests no rule matches are rejected. `timeouts.request` (when the
//! target reads it from the spec) and the `RequestMirror` filter go on every
//! rule, except that a rule already sending to the mirror's version is not
//! mirrored to it again. Ports are Service ports, never container ports.

use super::duration;
use super::types::{
    BackendRef, Filter, GATEWAY_API, GrpcMatch, GrpcRule, HeaderMatch, HttpMatch, HttpRule, Object,
    ParentRef, RequestMirror, RouteSpec, Timeouts, ValueMatch,
};
use crate::ast::Protocol;
use crate::emit::{ApiObject, ObjectMeta};
use crate::model::{self, App, Match, Port, Service, Traffic};
use serde::Serialize;

/// Where a route's request timeout is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeoutIn {
    /// `rules[].timeouts.request` (Istio, Gateway API implementations).
    Spec,
    /// Left to the caller, which writes it as annotations (Linkerd).
    Annotations,
}

/// An HTTPRoute or a GRPCRoute.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum Route {
    Http(Object<RouteSpec<HttpRule>>),
    Grpc(Object<RouteSpec<GrpcRule>>),
}

impl Route {
    pub fn metadata_mut(&mut self) -> &mut ObjectMeta {
        match self {
            Route::Http(o) => &mut o.metadata,
            Route::Grpc(o) => &mut o.metadata,
        }
    }

    pub fn is_grpc(&self) -> bool {
        matches!(self, Route::Grpc(_))
    }
}

impl ApiObject for Route {
    fn api_version(&self) -> &str {
        GATEWAY_API
    }
    fn kind(&self) -> &str {
        match self {
            Route::Http(o) => o.kind,
            Route::Grpc(o) => o.kind,
        }
    }
    fn metadata(&self) -> &ObjectMeta {
        match self {
            Route::Http(o) => &o.metadata,
            Route::Grpc(o) => &o.metadata,
        }
    }
}

/// Whether the service's traffic policy needs a route at all: circuit
/// breaking and connection limits alone do not.
pub fn needs_routes(t: &Traffic) -> bool {
    !t.routes.is_empty()
        || !t.split.is_empty()
        || t.timeout.is_some()
        || t.retries.is_some()
        || t.mirror.is_some()
}

/// The ports routes attach to: HTTP, HTTP/2 and gRPC (TCP has no standard route).
pub fn routable_ports(svc: &Service) -> Vec<&Port> {
    svc.ports.iter().filter(|p| p.protocol.is_http()).collect()
}

/// The mesh routes of `svc`, one per routable port; none without traffic rules.
pub fn mesh_routes(app: &App, svc: &Service, timeouts: TimeoutIn) -> Vec<Route> {
    let Some(t) = svc.traffic.as_ref().filter(|t| needs_routes(t)) else {
        return Vec::new();
    };
    let ports = routable_ports(svc);
    ports
        .iter()
        .map(|p| {
            let name = if ports.len() == 1 {
                svc.name.clone()
            } else {
                format!("{}-{}", svc.name, p.name)
            };
            let parent = ParentRef {
                group: Some(""),
                kind: Some("Service"),
                name: svc.name.clone(),
                port: Some(p.service_port),
            };
            let meta = ObjectMeta::for_service(app, svc, name);
            if p.protocol == Protocol::Grpc {
                Route::Grpc(route(meta, "GRPCRoute", vec![parent], Vec::new(), {
                    grpc_rules(svc, t, p.service_port)
                }))
            } else {
                Route::Http(route(meta, "HTTPRoute", vec![parent], Vec::new(), {
                    http_rules(svc, Some(t), p.service_port, timeouts)
                }))
            }
        })
        .collect()
}

pub fn route<R>(
    metadata: ObjectMeta,
    kind: &'static str,
    parent_refs: Vec<ParentRef>,
    hostnames: Vec<String>,
    rules: Vec<R>,
) -> Object<RouteSpec<R>> {
    Object {
        api_version: GATEWAY_API,
        kind,
        metadata,
        spec: RouteSpec {
            parent_refs,
            hostnames,
            rules,
        },
    }
}

/// A user route or the catch-all: its match (`None`: everything) and backends.
struct Plain<'a> {
    matches: Option<&'a Match>,
    backends: Vec<BackendRef>,
}

/// The user's routes up to the first catch-all, then the split if no user
/// route already catches everything. The last always matches all.
fn plain<'a>(svc: &Service, t: Option<&'a Traffic>, port: u16) -> Vec<Plain<'a>> {
    let mut out = Vec::new();
    for r in t.map_or(&[][..], |t| &t.routes) {
        let catch_all = r.matches.is_empty();
        out.push(Plain {
            matches: (!catch_all).then_some(&r.matches),
            backends: vec![backend(svc, Some(&r.to), port, None)],
        });
        if catch_all {
            return out;
        }
    }
    let split = t.map_or(&[][..], |t| &t.split);
    let backends = if split.is_empty() {
        vec![backend(svc, None, port, None)]
    } else {
        split
            .iter()
            .map(|(v, w)| backend(svc, Some(v), port, Some(*w)))
            .collect()
    };
    out.push(Plain {
        matches: None,
        backends,
    });
    out
}

/// The service's Service (`version: None`) or a version's own Service.
pub fn backend(svc: &Service, version: Option<&str>, port: u16, weight: Option<u32>) -> BackendRef {
    BackendRef {
        name: version.map_or_else(|| svc.name.clone(), |v| format!("{}-{v}", svc.name)),
        port,
        weight,
    }
}

/// The rules for requests to Service port `port`, catch-all last.
pub fn http_rules(
    svc: &Service,
    t: Option<&Traffic>,
    port: u16,
    timeouts: TimeoutIn,
) -> Vec<HttpRule> {
    plain(svc, t, port)
        .into_iter()
        .map(|p| HttpRule {
            // The catch-all says so (`PathPrefix /` is also what the API
            // server fills in for a rule without matches).
            matches: vec![p.matches.map_or_else(everything, http_match)],
            filters: mirror(svc, t, &p.backends, port),
            timeouts: t
                .and_then(|t| t.timeout)
                .filter(|_| timeouts == TimeoutIn::Spec)
                .map(|ms| Timeouts {
                    request: duration(ms),
                }),
            backend_refs: p.backends,
        })
        .collect()
}

pub fn grpc_rules(svc: &Service, t: &Traffic, port: u16) -> Vec<GrpcRule> {
    plain(svc, Some(t), port)
        .into_iter()
        .map(|p| GrpcRule {
            matches: p
                .matches
                .map(|m| GrpcMatch {
                    headers: headers(m),
                })
                .into_iter()
                .collect(),
            filters: mirror(svc, Some(t), &p.backends, port),
            backend_refs: p.backends,
        })
        .collect()
}

fn mirror(svc: &Service, t: Option<&Traffic>, backends: &[BackendRef], port: u16) -> Vec<Filter> {
    let Some(m) = t.and_then(|t| t.mirror.as_ref()) else {
        return Vec::new();
    };
    let target = backend(svc, Some(&m.to), port, None);
    let serves_target = backends
        .iter()
        .any(|b| b.name == target.name && b.weight != Some(0));
    if serves_target {
        return Vec::new();
    }
    vec![Filter {
        kind: "RequestMirror",
        request_mirror: RequestMirror {
            backend_ref: target,
            percent: m.percent,
        },
    }]
}

fn everything() -> HttpMatch {
    HttpMatch {
        path: Some(path("PathPrefix", "/")),
        ..HttpMatch::default()
    }
}

/// Header names are written in lowercase (they are case-insensitive).
pub fn http_match(m: &Match) -> HttpMatch {
    HttpMatch {
        path: m.uri.as_ref().map(|u| match u {
            model::StringMatch::Exact(v) => path("Exact", v),
            model::StringMatch::Prefix(v) => path("PathPrefix", v),
            model::StringMatch::Regex(v) => path("RegularExpression", v),
        }),
        headers: headers(m),
        method: m.method.as_ref().map(|s| s.to_ascii_uppercase()),
    }
}

fn path(kind: &'static str, value: &str) -> ValueMatch {
    ValueMatch {
        kind,
        value: value.to_string(),
    }
}

/// `check` rejects prefix matches on headers for the Gateway API; should
/// one arrive anyway, it is written as the regular expression it means.
fn headers(m: &Match) -> Vec<HeaderMatch> {
    m.headers
        .iter()
        .map(|(name, value)| {
            let (kind, value) = match value {
                model::StringMatch::Exact(v) => ("Exact", v.clone()),
                model::StringMatch::Regex(v) => ("RegularExpression", v.clone()),
                model::StringMatch::Prefix(v) => (
                    "RegularExpression",
                    format!("^{}.*", crate::ast::regex_escape(v)),
                ),
            };
            HeaderMatch {
                kind,
                name: name.to_ascii_lowercase(),
                value,
            }
        })
        .collect()
}

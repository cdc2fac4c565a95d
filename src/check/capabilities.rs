//! What the chosen mesh and routing API can express. A traffic setting the
//! target has no field for is an error located on the setting, naming the
//! feature, the target and the way out: meshc never drops a policy.
//!
//! | feature | istio | istio + gateway-api | linkerd | none |
//! | --- | --- | --- | --- | --- |
//! | split, routes | yes | yes (header matches exact or regex; gRPC: headers only) | as gateway-api | no |
//! | timeout | yes | HTTP routes only (GRPCRoute has none) | yes (annotation) | no |
//! | retries | yes | no (experimental channel only) | yes, Linkerd's conditions | no |
//! | circuit_breaker | yes | yes (DestinationRule) | consecutive errors and ejection time | no |
//! | connection_pool | yes | yes (DestinationRule) | no | no |
//! | mirror | yes | yes (RequestMirror) | no | no |
//! | fault | yes | no | no | no |

use crate::ast::{Description, Mesh, Protocol, Routing, Service, StringMatch, Traffic};
use crate::diag::{Code, Diagnostic};
use crate::source::Span;

/// The Gateway API's limits on one route (standard channel CRDs).
const MAX_RULES: usize = 16;
const MAX_BACKENDS: usize = 16;
/// Linkerd's retry conditions: HTTP classes and statuses, gRPC codes.
const LINKERD_RETRY_ON: [&str; 7] = [
    "5xx",
    "gateway-error",
    "cancelled",
    "deadline-exceeded",
    "internal",
    "resource-exhausted",
    "unavailable",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    Istio,
    IstioGatewayApi,
    Linkerd,
    NoMesh,
}

impl Target {
    fn of(desc: &Description) -> Target {
        let mesh = desc.mesh.as_ref().map_or(Mesh::Istio, |m| m.value);
        let routing = desc.routing.as_ref().map_or(Routing::Native, |r| r.value);
        match (mesh, routing) {
            (Mesh::Istio, Routing::Native) => Target::Istio,
            (Mesh::Istio, Routing::GatewayApi) => Target::IstioGatewayApi,
            (Mesh::Linkerd, _) => Target::Linkerd,
            (Mesh::None, _) => Target::NoMesh,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Target::Istio => "Istio",
            Target::IstioGatewayApi => "Istio through the Gateway API",
            Target::Linkerd => "Linkerd",
            Target::NoMesh => "`mesh: none`",
        }
    }

    fn gateway_api(self) -> bool {
        matches!(self, Target::IstioGatewayApi | Target::Linkerd)
    }
}

pub fn check(desc: &Description, out: &mut Vec<Diagnostic>) {
    let target = Target::of(desc);
    if target == Target::Istio {
        return;
    }
    // Where the mesh or routing was chosen, when the file says so (a
    // `--mesh` from the command line has no place in the file).
    let chosen = [
        desc.mesh.as_ref().map(|m| m.span),
        desc.routing.as_ref().map(|r| r.span),
    ]
    .into_iter()
    .flatten()
    .rfind(|s| !s.is_empty());
    let mut cx = Cx {
        target,
        chosen,
        out,
    };
    for svc in desc.services.values() {
        if let Some(t) = &svc.traffic {
            cx.traffic(svc, t);
        }
    }
    for env in desc.environments.values() {
        for ov in env.services.values() {
            if let (Some(t), Some(svc)) = (&ov.traffic, desc.services.get(&ov.name.value)) {
                cx.traffic(svc, t);
            }
        }
    }
}

struct Cx<'a> {
    target: Target,
    chosen: Option<Span>,
    out: &'a mut Vec<Diagnostic>,
}

impl Cx<'_> {
    fn unsupported(&mut self, span: Span, feature: &str, why: &str, help: &str) {
        let mut d = Diagnostic::new(
            Code::UnsupportedFeature,
            span,
            format!("{feature} cannot be expressed with {}", self.target.name()),
        )
        .label(why.to_string())
        .help(help.to_string());
        if let Some(c) = self.chosen {
            d = d.also(c, "the target is chosen here");
        }
        self.out.push(d);
    }

    fn traffic(&mut self, svc: &Service, t: &Traffic) {
        if self.target == Target::NoMesh {
            return self.no_mesh(t);
        }
        let grpc = svc.ports.values().any(|p| p.protocol == Protocol::Grpc);
        let gateway_help = match self.target {
            Target::Linkerd => "use `mesh: istio` for this service's policy, or remove the setting",
            _ => "use `routing: native` (Istio's own resources), or remove the setting",
        };
        // TCPRoute is not in the standard channel: a TCP-only service has
        // no route for a split or header routes to go into.
        let routable = svc.ports.values().any(|p| p.protocol.is_http());
        if !routable && (!t.split.is_empty() || !t.routes.is_empty()) {
            self.unsupported(
                t.split_span.unwrap_or(t.span),
                "a traffic split or route on a service without HTTP or gRPC ports",
                "TCPRoute is only in the Gateway API's experimental channel",
                gateway_help,
            );
        }
        if let Some(f) = &t.fault {
            self.unsupported(
                f.span,
                "fault injection",
                "the Gateway API has no fault filter",
                gateway_help,
            );
        }
        if let Some(r) = &t.retries {
            match self.target {
                Target::IstioGatewayApi => self.unsupported(
                    r.span,
                    "a retry policy",
                    "HTTPRoute's `retry` is only in the experimental channel",
                    "use `routing: native` to keep retries (and `attempts: 0`), or remove `retries` to accept Istio's default of 2 retries",
                ),
                Target::Linkerd => {
                    for cond in &r.on {
                        let ok = LINKERD_RETRY_ON.contains(&cond.value.as_str())
                            || cond.value.parse::<u16>().is_ok();
                        if !ok {
                            self.unsupported(
                                cond.span,
                                &format!("the retry condition `{}`", cond.value),
                                "Linkerd retries on HTTP statuses and gRPC codes only",
                                "use `5xx`, `gateway-error`, a status code, or a gRPC code (`cancelled`, `deadline-exceeded`, `internal`, `resource-exhausted`, `unavailable`)",
                            );
                        }
                    }
                }
                _ => {}
            }
        }
        if let Some(m) = &t.mirror
            && self.target == Target::Linkerd
        {
            self.unsupported(
                m.span,
                "traffic mirroring",
                "Linkerd's routes have no mirror filter",
                "use `mesh: istio` to mirror traffic, or remove `mirror`",
            );
        }
        if let Some(timeout) = &t.timeout
            && grpc
            && self.target == Target::IstioGatewayApi
        {
            self.unsupported(
                timeout.span,
                "a timeout on a gRPC service",
                "GRPCRoute has no `timeouts` field",
                "use `routing: native`, or remove `timeout`",
            );
        }
        if self.target == Target::Linkerd {
            if let Some(c) = &t.connection_pool {
                self.unsupported(
                    c.span,
                    "connection pool limits",
                    "Linkerd has no connection or request limits per service",
                    "use `mesh: istio`, or remove `connection_pool`",
                );
            }
            if let Some(cb) = &t.circuit_breaker {
                for (field, span) in [
                    ("interval", cb.interval.as_ref().map(|v| v.span)),
                    (
                        "max_ejection_percent",
                        cb.max_ejection_percent.as_ref().map(|v| v.span),
                    ),
                ] {
                    if let Some(span) = span {
                        self.unsupported(
                            span,
                            &format!("`circuit_breaker.{field}`"),
                            "Linkerd's failure accrual counts consecutive failures only",
                            "keep `consecutive_errors` and `ejection_time` (Linkerd's penalty), and remove this field",
                        );
                    }
                }
            }
        }
        self.matches(t, grpc);
        self.limits(t);
    }

    /// The Gateway API matches headers exactly or by regular expression,
    /// and a GRPCRoute matches headers and gRPC methods, not paths.
    fn matches(&mut self, t: &Traffic, grpc: bool) {
        if !self.target.gateway_api() {
            return;
        }
        let all = t
            .routes
            .iter()
            .filter_map(|r| r.matches.as_ref())
            .chain(t.fault.as_ref().and_then(|f| f.matches.as_ref()));
        let mut found = Vec::new();
        for m in all {
            for (name, value) in &m.headers {
                if let StringMatch::Prefix(p) = value {
                    found.push((
                        p.span,
                        format!("a prefix match on header `{}`", name.value),
                        "the Gateway API matches headers exactly or by regular expression",
                        format!(
                            "write it as a regular expression: `{{ regex: \"^{}.*\" }}`",
                            crate::ast::regex_escape(&p.value)
                        ),
                    ));
                }
            }
            if grpc {
                let uri = m.uri.as_ref().map(|u| match u {
                    StringMatch::Exact(s) | StringMatch::Prefix(s) | StringMatch::Regex(s) => {
                        s.span
                    }
                });
                for (span, what) in [
                    (uri, "a `uri` match on a gRPC service"),
                    (
                        m.method.as_ref().map(|s| s.span),
                        "a `method` match on a gRPC service",
                    ),
                ] {
                    if let Some(span) = span {
                        found.push((
                            span,
                            what.to_string(),
                            "GRPCRoute matches headers and gRPC methods, not paths or HTTP methods",
                            "match on a header instead, or use `routing: native`".to_string(),
                        ));
                    }
                }
            }
        }
        for (span, feature, why, help) in found {
            self.unsupported(span, &feature, why, &help);
        }
    }

    fn limits(&mut self, t: &Traffic) {
        if !self.target.gateway_api() {
            return;
        }
        // The routes, then the catch-all rule meshc always adds.
        if t.routes.len() + 1 > MAX_RULES
            && let Some(r) = t.routes.get(MAX_RULES - 1)
        {
            self.unsupported(
                r.span,
                &format!("{} routes", t.routes.len()),
                "a Gateway API route holds at most 16 rules, one of them the catch-all",
                "merge routes that send to the same version, or use `routing: native`",
            );
        }
        if t.split.len() > MAX_BACKENDS
            && let Some(span) = t.split_span
        {
            self.unsupported(
                span,
                &format!("a split over {} versions", t.split.len()),
                "a Gateway API rule sends to at most 16 backends",
                "split over at most 16 versions",
            );
        }
    }

    /// Without a mesh nothing applies a traffic policy between services.
    fn no_mesh(&mut self, t: &Traffic) {
        let help = "choose a mesh (`mesh: istio` or `mesh: linkerd`), or remove the setting";
        let why = "without a mesh, Kubernetes balances over every pod and applies no policy";
        let fields = [
            ("a traffic split", t.split_span),
            ("routes", t.routes.first().map(|r| r.span)),
            ("a timeout", t.timeout.as_ref().map(|v| v.span)),
            ("a retry policy", t.retries.as_ref().map(|v| v.span)),
            (
                "circuit breaking",
                t.circuit_breaker.as_ref().map(|v| v.span),
            ),
            (
                "connection pool limits",
                t.connection_pool.as_ref().map(|v| v.span),
            ),
            ("traffic mirroring", t.mirror.as_ref().map(|v| v.span)),
            ("fault injection", t.fault.as_ref().map(|v| v.span)),
        ];
        for (feature, span) in fields {
            if let Some(span) = span {
                self.unsupported(span, feature, why, help);
            }
        }
    }
}

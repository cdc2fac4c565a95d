//! Least privilege with Linkerd: model callers → per Service port a
//! `Server` (`<service>-<port>`, selecting the pods on `app` and the
//! container port by name), and when anyone may call that port a
//! `MeshTLSAuthentication` listing exactly the callers' ServiceAccounts
//! (plus the ingress controller's identity on the ingress port) and an
//! `AuthorizationPolicy` requiring it.
//!
//! Once a Server selects a port Linkerd denies what no policy allows, so a
//! port nobody may call gets its Server alone. A caller narrowed to some
//! ports (`calls: [api:http]`) is listed on those ports only.

use super::types::{
    AUTHN, AuthorizationPolicySpec, IdentityRef, MeshTlsAuthenticationSpec, Object, POLICY_GROUP,
    PodSelector, PolicyRef, SERVER, ServerSpec,
};
use crate::ast::Protocol;
use crate::emit::edge::{Edge, edge, istio_gateway_service_account};
use crate::emit::{ApiObject, ObjectMeta, selector_labels};
use crate::model::{App, Port, Service};
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum PolicyObject {
    Server(Object<ServerSpec>),
    Authentication(Object<MeshTlsAuthenticationSpec>),
    Authorization(Object<AuthorizationPolicySpec>),
}

impl ApiObject for PolicyObject {
    fn api_version(&self) -> &str {
        match self {
            PolicyObject::Server(o) => o.api_version,
            PolicyObject::Authentication(o) => o.api_version,
            PolicyObject::Authorization(o) => o.api_version,
        }
    }
    fn kind(&self) -> &str {
        match self {
            PolicyObject::Server(o) => o.kind,
            PolicyObject::Authentication(o) => o.kind,
            PolicyObject::Authorization(o) => o.kind,
        }
    }
    fn metadata(&self) -> &ObjectMeta {
        match self {
            PolicyObject::Server(o) => &o.metadata,
            PolicyObject::Authentication(o) => &o.metadata,
            PolicyObject::Authorization(o) => &o.metadata,
        }
    }
}

/// Server, MeshTLSAuthentication, AuthorizationPolicy, port by port.
pub fn policies(app: &App, svc: &Service) -> Vec<PolicyObject> {
    let mut out = Vec::new();
    for port in &svc.ports {
        let name = format!("{}-{}", svc.name, port.name);
        let meta = || ObjectMeta::for_service(app, svc, name.clone());
        out.push(PolicyObject::Server(Object {
            api_version: SERVER,
            kind: "Server",
            metadata: meta(),
            spec: ServerSpec {
                pod_selector: PodSelector {
                    match_labels: selector_labels(svc, None),
                },
                port: port.name.clone(),
                proxy_protocol: proxy_protocol(port.protocol),
            },
        }));
        let identities = identities(app, svc, port);
        if identities.is_empty() {
            continue;
        }
        out.push(PolicyObject::Authentication(Object {
            api_version: AUTHN,
            kind: "MeshTLSAuthentication",
            metadata: meta(),
            spec: MeshTlsAuthenticationSpec {
                identity_refs: identities,
            },
        }));
        out.push(PolicyObject::Authorization(Object {
            api_version: AUTHN,
            kind: "AuthorizationPolicy",
            metadata: meta(),
            spec: AuthorizationPolicySpec {
                target_ref: PolicyRef {
                    group: POLICY_GROUP,
                    kind: "Server",
                    name: name.clone(),
                },
                required_authentication_refs: vec![PolicyRef {
                    group: POLICY_GROUP,
                    kind: "MeshTLSAuthentication",
                    name: name.clone(),
                }],
            },
        }));
    }
    out
}

/// Who may call `port`: its callers' ServiceAccounts (named like the
/// callers), then the ingress controller when this is the ingress port.
fn identities(app: &App, svc: &Service, port: &Port) -> Vec<IdentityRef> {
    let id = app.id_of(svc);
    let mut out: Vec<IdentityRef> = svc
        .callers
        .iter()
        .filter_map(|&c| app.services.get(c))
        .filter(|caller| {
            id.is_none_or(|id| {
                app.called_ports(caller, id)
                    .iter()
                    .any(|p| p.name == port.name)
            })
        })
        .map(|caller| IdentityRef {
            kind: "ServiceAccount",
            name: Some(caller.name.clone()),
            namespace: None,
        })
        .collect();
    if let Some(ing) = svc.ingress.as_ref().filter(|i| i.port.name == port.name) {
        out.push(match edge(app, &ing.gateway_owner) {
            Edge::Controller {
                namespace,
                service_account,
            } => IdentityRef {
                kind: "ServiceAccount",
                name: service_account.map(str::to_string),
                namespace: Some(namespace.to_string()),
            },
            Edge::GatewayPods { gateway } => IdentityRef {
                kind: "ServiceAccount",
                name: Some(istio_gateway_service_account(&gateway)),
                namespace: None,
            },
        });
    }
    out
}

/// What the proxy should expect on the port, so it skips protocol detection.
fn proxy_protocol(p: Protocol) -> &'static str {
    match p {
        Protocol::Http => "HTTP/1",
        Protocol::Http2 => "HTTP/2",
        Protocol::Grpc => "gRPC",
        Protocol::Tcp => "opaque",
        Protocol::Tls => "TLS",
    }
}

//! Who may reach a service: a NetworkPolicy per service (ingress from its
//! callers' pods and, with an ingress, from the edge proxy's namespace), and
//! without a mesh an Ingress (networking.k8s.io/v1) for its public paths.
//! With Istio, the public entry is the mesh's Gateway, emitted by the Istio
//! target.
//!
//! Only ingress is isolated. Isolating egress too would need DNS to
//! kube-system and, in the mesh, istiod (15012) allowed for every pod.
//! Nothing else needs an ingress rule: kubelet probes (Istio rewrites them
//! to the sidecar's 15020/15021) come from the node, which a NetworkPolicy
//! always admits, and istiod never dials the sidecar (the sidecar dials it).
//! Prometheus scraping of the sidecar (15020/15090) is not opened.
//!
//! With Linkerd, a meshed client's connection arrives on the proxy's
//! inbound port (4143), not the port it dialled, so every rule admits 4143
//! as well; Linkerd's Servers and AuthorizationPolicies then decide per
//! port and identity. Egress stays open, so the proxies reach the control
//! plane (destination 8086, identity 8080, policy 8090 in `linkerd`).

use super::types::{LabelSelector, Labels, Object, Spec};
use crate::ast::Protocol;
use crate::emit::edge::{Edge, GATEWAY_NAME_LABEL, edge};
use crate::emit::{ObjectMeta, selector_labels};
use crate::model::{App, Mesh, Port, Routing, Service, ServiceId};
use indexmap::IndexMap;
use serde::Serialize;

/// Without a mesh, the Ingress is served by ingress-nginx from its default
/// namespace ([`edge`]); the class and the namespace go together.
pub const INGRESS_CLASS: &str = "nginx";
/// Where Linkerd's proxy accepts meshed connections, whatever port was dialled.
const LINKERD_INBOUND_PORT: u16 = 4143;
/// The label the API server puts on every namespace (Kubernetes 1.21+).
const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

pub type NetworkPolicy = Object<Spec<NetworkPolicySpec>>;
pub type Ingress = Object<Spec<IngressSpec>>;

/// Every service gets one, so every pod is isolated for ingress: a service
/// nobody calls and without an ingress accepts nothing.
pub fn network_policy(app: &App, svc: &Service) -> NetworkPolicy {
    let mut rules = Vec::new();
    // Callers that call the same ports share a rule; `calls: [api:http]`
    // admits its caller on that port only.
    let mut by_ports: IndexMap<Vec<u16>, Vec<ServiceId>> = IndexMap::new();
    let id = app.id_of(svc);
    for &c in &svc.callers {
        let ports: Vec<u16> = match id {
            Some(id) => app.called_ports(&app.services[c], id),
            None => svc.ports.iter().collect(),
        }
        .iter()
        .map(|p| p.number)
        .collect();
        if !ports.is_empty() {
            by_ports.entry(ports).or_default().push(c);
        }
    }
    for (ports, callers) in by_ports {
        rules.push(Rule {
            from: callers
                .iter()
                .map(|&c| Peer {
                    pod_selector: Some(LabelSelector {
                        match_labels: selector_labels(&app.services[c], None),
                    }),
                    namespace_selector: None,
                })
                .collect(),
            ports: ports
                .into_iter()
                .map(|port| PolicyPort {
                    protocol: "TCP",
                    port,
                })
                .collect(),
        });
    }
    if let Some(ing) = svc.ingress.as_ref().filter(|_| !svc.ports.is_empty()) {
        let peer = match edge(app, &ing.gateway_owner) {
            Edge::Controller { namespace, .. } => {
                let mut ns = Labels::new();
                ns.insert(NAMESPACE_NAME_LABEL.into(), namespace.into());
                Peer {
                    pod_selector: None,
                    namespace_selector: Some(LabelSelector { match_labels: ns }),
                }
            }
            Edge::GatewayPods { gateway } => {
                let mut pods = Labels::new();
                pods.insert(GATEWAY_NAME_LABEL.into(), gateway);
                Peer {
                    pod_selector: Some(LabelSelector { match_labels: pods }),
                    namespace_selector: None,
                }
            }
        };
        rules.push(Rule {
            from: vec![peer],
            ports: vec![policy_port(&ing.port)],
        });
    }
    if app.mesh == Mesh::Linkerd {
        for r in &mut rules {
            r.ports.push(PolicyPort {
                protocol: "TCP",
                port: LINKERD_INBOUND_PORT,
            });
        }
    }
    Object::new(
        "networking.k8s.io/v1",
        "NetworkPolicy",
        ObjectMeta::for_service(app, svc, &svc.name),
        Spec {
            spec: NetworkPolicySpec {
                pod_selector: LabelSelector {
                    match_labels: selector_labels(svc, None),
                },
                policy_types: vec!["Ingress"],
                ingress: rules,
            },
        },
    )
}

fn policy_port(p: &Port) -> PolicyPort {
    PolicyPort {
        protocol: "TCP",
        port: p.number,
    }
}

/// The Ingress, only without a mesh and with native routing (Istio's
/// Gateway or the Gateway API's replaces it).
pub fn ingress(app: &App, svc: &Service) -> Option<Ingress> {
    if app.mesh != Mesh::None || app.routing != Routing::Native {
        return None;
    }
    let ing = svc.ingress.as_ref()?;
    let mut meta = ObjectMeta::for_service(app, svc, &svc.name);
    if let Some(protocol) = nginx_backend_protocol(ing.port.protocol) {
        meta.annotations.insert(
            "nginx.ingress.kubernetes.io/backend-protocol".into(),
            protocol.into(),
        );
    }
    Some(Object::new(
        "networking.k8s.io/v1",
        "Ingress",
        meta,
        Spec {
            spec: IngressSpec {
                ingress_class_name: INGRESS_CLASS,
                tls: ing
                    .tls_secret
                    .iter()
                    .map(|secret| IngressTls {
                        hosts: vec![ing.host.clone()],
                        secret_name: secret.clone(),
                    })
                    .collect(),
                rules: vec![IngressRule {
                    host: ing.host.clone(),
                    http: HttpRule {
                        paths: ing
                            .paths
                            .iter()
                            .map(|path| HttpPath {
                                path: path.clone(),
                                path_type: "Prefix",
                                backend: Backend {
                                    service: BackendService {
                                        name: svc.name.clone(),
                                        port: BackendPort {
                                            name: ing.port.name.clone(),
                                        },
                                    },
                                },
                            })
                            .collect(),
                    },
                }],
            },
        },
    ))
}

/// ingress-nginx speaks HTTP/1.1 to the backend unless told otherwise; a
/// gRPC or TLS port needs saying so (it has no plain-h2c mode for `http2`).
fn nginx_backend_protocol(p: Protocol) -> Option<&'static str> {
    match p {
        Protocol::Grpc => Some("GRPC"),
        Protocol::Tls => Some("HTTPS"),
        Protocol::Http | Protocol::Http2 | Protocol::Tcp => None,
    }
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkPolicySpec {
    pub pod_selector: LabelSelector,
    pub policy_types: Vec<&'static str>,
    /// Empty: deny every incoming connection.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ingress: Vec<Rule>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Rule {
    pub from: Vec<Peer>,
    pub ports: Vec<PolicyPort>,
}

/// Both selectors in one peer would mean "and"; meshc sets one or the other.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Peer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_selector: Option<LabelSelector>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace_selector: Option<LabelSelector>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PolicyPort {
    pub protocol: &'static str,
    /// The pod's port: policies see the connection after the Service's
    /// translation, so the container port, not the Service port, counts.
    pub port: u16,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IngressSpec {
    pub ingress_class_name: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tls: Vec<IngressTls>,
    pub rules: Vec<IngressRule>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IngressTls {
    pub hosts: Vec<String>,
    pub secret_name: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct IngressRule {
    pub host: String,
    pub http: HttpRule,
}

#[derive(Clone, Debug, Serialize)]
pub struct HttpRule {
    pub paths: Vec<HttpPath>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpPath {
    pub path: String,
    pub path_type: &'static str,
    pub backend: Backend,
}

#[derive(Clone, Debug, Serialize)]
pub struct Backend {
    pub service: BackendService,
}

#[derive(Clone, Debug, Serialize)]
pub struct BackendService {
    pub name: String,
    pub port: BackendPort,
}

#[derive(Clone, Debug, Serialize)]
pub struct BackendPort {
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::kubernetes::fixture;
    use serde_json::json;

    #[test]
    fn callers_reach_every_port_and_the_gateway_only_the_ingress_port() {
        let app = fixture::app();
        let np = serde_json::to_value(network_policy(&app, &app.services[1])).unwrap();
        assert_eq!(
            np["spec"]["ingress"],
            json!([
                {"from": [{"podSelector": {"matchLabels": {"app": "reviews"}}}],
                 "ports": [{"protocol": "TCP", "port": 8080}, {"protocol": "TCP", "port": 9090}]},
                {"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "istio-system"}}}],
                 "ports": [{"protocol": "TCP", "port": 8080}]}
            ])
        );
    }

    #[test]
    fn uncalled_service_denies_all_ingress() {
        let app = fixture::app();
        let np = serde_json::to_value(network_policy(&app, &app.services[0])).unwrap();
        assert_eq!(np["spec"]["policyTypes"], json!(["Ingress"]));
        assert!(np["spec"].get("ingress").is_none());
    }

    #[test]
    fn no_ports_no_rules() {
        let mut app = fixture::app();
        app.services[1].ports.clear();
        let np = network_policy(&app, &app.services[1]);
        assert!(np.body.spec.ingress.is_empty());
    }

    #[test]
    fn ingress_only_without_a_mesh() {
        let mut app = fixture::app();
        assert!(ingress(&app, &app.services[1]).is_none());
        app.mesh = Mesh::None;
        assert!(ingress(&app, &app.services[0]).is_none());
        let ing = serde_json::to_value(ingress(&app, &app.services[1]).unwrap()).unwrap();
        assert_eq!(
            ing["spec"]["tls"],
            json!([{"hosts": ["web.example.com"], "secretName": "web-tls"}])
        );
        let path = &ing["spec"]["rules"][0]["http"]["paths"][0];
        assert_eq!(path["pathType"], "Prefix");
        assert_eq!(path["backend"]["service"]["port"], json!({"name": "http"}));
        assert!(
            ing["metadata"]["annotations"]
                .get("nginx.ingress.kubernetes.io/backend-protocol")
                .is_none()
        );
        let np = serde_json::to_value(network_policy(&app, &app.services[1])).unwrap();
        assert_eq!(
            np["spec"]["ingress"][1]["from"][0]["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"],
            "ingress-nginx"
        );
    }

    #[test]
    fn grpc_ingress_tells_nginx() {
        let mut app = fixture::app();
        app.mesh = Mesh::None;
        let web = &mut app.services[1];
        let grpc = web.ports[1].clone();
        web.ingress.as_mut().unwrap().port = grpc;
        let ing = ingress(&app, &app.services[1]).unwrap();
        assert_eq!(
            ing.metadata.annotations["nginx.ingress.kubernetes.io/backend-protocol"],
            "GRPC"
        );
        assert_eq!(
            ing.body.spec.rules[0].http.paths[0]
                .backend
                .service
                .port
                .name,
            "grpc"
        );
    }
}

//! A service's identity and address: its ServiceAccount (the workload
//! identity Istio's mTLS and AuthorizationPolicy name) and its Service
//! (named ports with `appProtocol`, selecting every version on `app`), and
//! with `routing: gateway-api` one Service per version (`<service>-<version>`,
//! selecting `app` and `version`): Gateway API routes split traffic between
//! Services, not subsets. With Linkerd the Services carry the circuit
//! breaker's annotations.

use super::types::{Object, ServiceAccount, ServicePort, ServiceSpec, Spec};
use crate::ast::Protocol;
use crate::emit::{ObjectMeta, labels, selector_labels};
use crate::model::{App, Mesh, Routing, Service, Workload};

pub fn service_account(app: &App, svc: &Service) -> Object<ServiceAccount> {
    Object::new(
        "v1",
        "ServiceAccount",
        ObjectMeta::for_service(app, svc, &svc.name),
        ServiceAccount {
            automount_service_account_token: false,
        },
    )
}

pub type KubeService = Object<Spec<ServiceSpec>>;

/// The Service, or `None` for a service without ports (nothing to address).
pub fn service(app: &App, svc: &Service) -> Option<KubeService> {
    if svc.ports.is_empty() {
        return None;
    }
    let mut meta = ObjectMeta::for_service(app, svc, &svc.name);
    meta.annotations = mesh_annotations(app, svc);
    Some(addressed(meta, svc, None))
}

/// One Service per version, only with `routing: gateway-api`.
pub fn version_services(app: &App, svc: &Service) -> Vec<KubeService> {
    if app.routing != Routing::GatewayApi || !svc.versioned || svc.ports.is_empty() {
        return Vec::new();
    }
    svc.workloads
        .iter()
        .map(|w| {
            let meta = ObjectMeta {
                name: w.name.clone(),
                namespace: Some(app.namespace.clone()),
                labels: labels(app, svc, Some(w)),
                annotations: mesh_annotations(app, svc),
            };
            addressed(meta, svc, Some(w))
        })
        .collect()
}

/// Linkerd reads circuit breaking from the Service a request goes to.
fn mesh_annotations(app: &App, svc: &Service) -> indexmap::IndexMap<String, String> {
    match app.mesh {
        Mesh::Linkerd => crate::emit::linkerd::annotations::service(svc),
        Mesh::Istio | Mesh::None => Default::default(),
    }
}

fn addressed(metadata: ObjectMeta, svc: &Service, workload: Option<&Workload>) -> KubeService {
    Object::new(
        "v1",
        "Service",
        metadata,
        Spec {
            spec: ServiceSpec {
                cluster_ip: None,
                selector: selector_labels(svc, workload),
                ports: svc
                    .ports
                    .iter()
                    .map(|p| ServicePort {
                        name: p.name.clone(),
                        protocol: "TCP",
                        app_protocol: app_protocol(p.protocol),
                        port: p.service_port,
                        target_port: p.name.clone(),
                    })
                    .collect(),
            },
        },
    )
}

/// `appProtocol` as the Service API defines it: an IANA service name, or a
/// `kubernetes.io/` name. gRPC is HTTP/2 without TLS (h2c) on the wire, which
/// is what ingress controllers and Gateway API implementations need to know;
/// Istio reads `kubernetes.io/h2c` as HTTP2 as well.
pub fn app_protocol(p: Protocol) -> &'static str {
    match p {
        Protocol::Http => "http",
        Protocol::Http2 | Protocol::Grpc => "kubernetes.io/h2c",
        Protocol::Tcp => "tcp",
        Protocol::Tls => "tls",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::kubernetes::fixture;

    #[test]
    fn service_selects_on_app_only_and_targets_ports_by_name() {
        let app = fixture::app();
        let s = service(&app, &app.services[0]).unwrap();
        let sel: Vec<(&str, &str)> = s
            .body
            .spec
            .selector
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(sel, [("app", "reviews")]);
        let p = &s.body.spec.ports[0];
        assert_eq!((p.port, p.target_port.as_str()), (9080, "http"));
        assert_eq!(p.app_protocol, "http");
    }

    #[test]
    fn grpc_port_is_h2c() {
        let app = fixture::app();
        let s = service(&app, &app.services[1]).unwrap();
        assert_eq!(s.body.spec.ports[1].app_protocol, "kubernetes.io/h2c");
    }

    #[test]
    fn no_ports_no_service() {
        let mut app = fixture::app();
        app.services[0].ports.clear();
        assert!(service(&app, &app.services[0]).is_none());
    }
}

//! Istio emitter: model → `istio/*.yaml` (networking.istio.io/v1,
//! security.istio.io/v1). Pure; nothing at all when the app has no mesh.
//!
//! Layout:
//! - `istio/mesh.yaml`: the namespace-wide `PeerAuthentication` `default`
//!   (STRICT mutual TLS);
//! - `istio/<service>.yaml` for each service with an Istio object, in this
//!   order: DestinationRule and VirtualService (versioned services and
//!   services with `traffic`), AuthorizationPolicy (services with ports),
//!   the ingress Gateway (owned by the first service using its host) and
//!   the VirtualService bound to it.
//!
//! With `routing: gateway-api` there is no VirtualService and no Istio
//! Gateway: routing and ingress are Gateway API objects
//! ([`crate::emit::gateway_api`]) in the same files, in the same places;
//! DestinationRules only carry what the Gateway API cannot say.
//!
//! Hosts are always fully qualified (`<svc>.<ns>.svc.cluster.local`): short
//! names would resolve in the namespace of the rule, not of the service.

mod destination;
mod fault;
mod gateway;
mod matching;
mod routing;
mod security;
mod types;

#[cfg(test)]
mod fixture;

use super::{Artifact, Keep, Manifest};
use crate::emit::gateway_api;
use crate::model::{App, Mesh, Routing, Service};

/// The mesh file and the files of the services `keep` picks.
pub fn emit(app: &App, keep: Keep) -> Vec<Artifact> {
    if app.mesh == Mesh::None {
        return Vec::new();
    }
    let mut mesh = Manifest::new();
    mesh.push(&security::peer_authentication(app));
    let mut out = vec![mesh.into_artifact("istio/mesh.yaml", None)];
    let kept = super::kept(app, keep);
    let files = crate::par::map(&kept, |svc| {
        let file = service(app, svc);
        (!file.is_empty())
            .then(|| file.into_artifact(format!("istio/{}.yaml", svc.name), Some(&svc.name)))
    });
    out.extend(files.into_iter().flatten());
    out
}

fn service(app: &App, svc: &Service) -> Manifest {
    if app.routing == Routing::GatewayApi {
        return gateway_api_service(app, svc);
    }
    let mut file = Manifest::new();
    if svc.versioned || svc.traffic.is_some() {
        file.push(&destination::destination_rule(app, svc));
        if let Some(vs) = routing::virtual_service(app, svc) {
            file.push(&vs);
        }
    }
    if !svc.ports.is_empty() {
        file.push(&security::authorization_policy(app, svc));
    }
    if let Some(ingress) = &svc.ingress {
        if let Some(gw) = gateway::gateway(app, svc, ingress) {
            file.push(&gw);
        }
        file.push(&gateway::ingress_virtual_service(app, svc, ingress));
    }
    file
}

fn gateway_api_service(app: &App, svc: &Service) -> Manifest {
    let mut file = Manifest::new();
    for dr in destination::gateway_api_rules(app, svc) {
        file.push(&dr);
    }
    for route in gateway_api::mesh_routes(app, svc, gateway_api::TimeoutIn::Spec) {
        file.push(&route);
    }
    if !svc.ports.is_empty() {
        file.push(&security::authorization_policy(app, svc));
    }
    for object in gateway_api::ingress(app, svc) {
        file.push(&object);
    }
    file
}

#[cfg(test)]
mod tests {
    use super::emit;
    use crate::ast::Protocol;
    use crate::emit::istio::fixture::*;
    use crate::model::{ConnectionPool, Fault, Match, Mesh, Retries, StringMatch, Traffic};
    use serde_json::json;

    #[test]
    fn no_mesh_no_output() {
        let mut app = bookinfo();
        app.mesh = Mesh::None;
        assert!(emit(&app, crate::emit::ALL).is_empty());
    }

    #[test]
    fn one_file_per_service_and_the_mesh_file() {
        assert_eq!(
            paths(&bookinfo()),
            [
                "istio/mesh.yaml",
                "istio/productpage.yaml",
                "istio/details.yaml",
                "istio/reviews.yaml",
                "istio/ratings.yaml"
            ]
        );
        let mesh = file(&bookinfo(), "istio/mesh.yaml");
        assert_eq!(kinds(&mesh), [("PeerAuthentication", "default")]);
        assert_eq!(mesh[0]["spec"], json!({"mtls": {"mode": "STRICT"}}));
        assert_eq!(mesh[0]["metadata"]["namespace"], "bookinfo");
    }

    #[test]
    fn output_is_deterministic() {
        assert_eq!(
            emit(&bookinfo(), crate::emit::ALL),
            emit(&bookinfo(), crate::emit::ALL)
        );
    }

    #[test]
    fn objects_come_in_file_order() {
        let app = bookinfo();
        assert_eq!(
            kinds(&file(&app, "istio/reviews.yaml")),
            [
                ("DestinationRule", "reviews"),
                ("VirtualService", "reviews"),
                ("AuthorizationPolicy", "reviews")
            ]
        );
        assert_eq!(
            kinds(&file(&app, "istio/productpage.yaml")),
            [
                ("AuthorizationPolicy", "productpage"),
                ("Gateway", "productpage-gateway"),
                ("VirtualService", "productpage-ingress")
            ]
        );
        assert_eq!(
            kinds(&file(&app, "istio/details.yaml")),
            [("AuthorizationPolicy", "details")]
        );
    }

    #[test]
    fn yaml_1_1_lookalike_header_values_stay_strings() {
        let mut app = bookinfo();
        app.services[3].traffic.as_mut().unwrap().fault = Some(Fault {
            delay: None,
            abort: Some((503, 1)),
            matches: Match {
                headers: vec![("x-chaos".into(), StringMatch::Exact("on".into()))],
                ..Match::default()
            },
        });
        let vs = &file(&app, "istio/ratings.yaml")[1];
        assert_eq!(
            vs["spec"]["http"][0]["match"][0]["headers"]["x-chaos"]["exact"],
            "on"
        );
    }

    /// Writes the Bookinfo-like output (and a few variants) to
    /// `$MESHC_ISTIO_DUMP` for the external validator; does nothing otherwise.
    #[test]
    fn dump_for_validator() {
        let Some(dir) = std::env::var_os("MESHC_ISTIO_DUMP") else {
            return;
        };
        let dir = std::path::PathBuf::from(dir);
        let mut variants = vec![("bookinfo", bookinfo())];
        let mut multi = bookinfo();
        multi.services[2].ports = vec![
            port("http", 9080, Protocol::Http),
            port("grpc-admin", 9090, Protocol::Grpc),
            port("tcp-raw", 9000, Protocol::Tcp),
        ];
        multi.services[2].traffic.as_mut().unwrap().fault = Some(Fault {
            delay: Some((1_500, 20)),
            abort: Some((503, 5)),
            matches: Match {
                uri: Some(StringMatch::Prefix("/reviews".into())),
                method: Some("GET".into()),
                ..Match::default()
            },
        });
        multi.services[1].callers.clear();
        multi.services[1].traffic = Some(Traffic {
            retries: Some(Retries {
                attempts: 0,
                per_try_timeout: None,
                on: Vec::new(),
            }),
            connection_pool: Some(ConnectionPool {
                max_connections: None,
                max_pending_requests: None,
                max_requests_per_connection: Some(1),
                connect_timeout: Some(250),
            }),
            ..Traffic::default()
        });
        multi.services[0].ingress.as_mut().unwrap().tls_secret = None;
        variants.push(("variants", multi));
        for (name, app) in variants {
            for a in emit(&app, crate::emit::ALL) {
                let path = dir.join(name).join(&a.path);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, &a.bytes).unwrap();
            }
        }
    }
}

//! Ingress through the Istio ingress gateway (model `Ingress` → `Gateway`
//! `<service>-gateway` + `VirtualService` `<service>-ingress`).
//!
//! One Gateway per ingress host, owned by the first service (declaration
//! order) that uses the host and written to that service's file: two
//! Gateways claiming one host on one port conflict at the ingress gateway,
//! so a later service with the same host binds to the owner's Gateway
//! instead of making its own. HTTPS on 443 (`SIMPLE`, the certificate from
//! `tls_secret`) when a secret is given, else HTTP on 80.
//!
//! The ingress VirtualService takes the service's own HTTP routes (split,
//! header routes, timeout, retries, fault, mirror — a gateway does not use
//! the mesh VirtualService) and narrows each to the ingress path prefixes,
//! so only the listed paths are exposed.

use super::matching::conjunction;
use super::routing::http_routes;
use super::types::{
    GatewaySpec, HttpMatch, NETWORKING, Object, Server, ServerPort, ServerTls, StringMatch,
    VirtualServiceSpec,
};
use crate::emit::ObjectMeta;
use crate::model::{App, Ingress, Service};

/// Where the Istio ingress gateway pods are and how they are labelled, as
/// `istioctl install` sets them up.
const GATEWAY_SELECTOR: (&str, &str) = ("istio", "ingressgateway");

/// The Gateway a service owns (see [`Ingress::gateway_owner`]).
pub fn gateway_name(service: &str) -> String {
    format!("{service}-gateway")
}

/// The Gateway for `svc`'s ingress host, unless an earlier service owns it.
pub fn gateway(app: &App, svc: &Service, ingress: &Ingress) -> Option<Object<GatewaySpec>> {
    if ingress.gateway_owner != svc.name {
        return None;
    }
    let server = match &ingress.tls_secret {
        Some(secret) => Server {
            port: ServerPort {
                number: 443,
                name: "https",
                protocol: "HTTPS",
            },
            hosts: vec![ingress.host.clone()],
            tls: Some(ServerTls {
                mode: "SIMPLE",
                credential_name: secret.clone(),
            }),
        },
        None => Server {
            port: ServerPort {
                number: 80,
                name: "http",
                protocol: "HTTP",
            },
            hosts: vec![ingress.host.clone()],
            tls: None,
        },
    };
    Some(Object {
        api_version: NETWORKING,
        kind: "Gateway",
        metadata: ObjectMeta::for_service(app, svc, gateway_name(&svc.name)),
        spec: GatewaySpec {
            selector: [GATEWAY_SELECTOR]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            servers: vec![server],
        },
    })
}

pub fn ingress_virtual_service(
    app: &App,
    svc: &Service,
    ingress: &Ingress,
) -> Object<VirtualServiceSpec> {
    let root = ["/".to_string()];
    let paths = if ingress.paths.is_empty() {
        &root[..]
    } else {
        &ingress.paths[..]
    };
    let prefixes: Vec<HttpMatch> = paths
        .iter()
        .map(|p| HttpMatch {
            uri: Some(StringMatch::Prefix(p.clone())),
            ..HttpMatch::default()
        })
        .collect();
    let http = http_routes(app, svc, ingress.port.service_port)
        .into_iter()
        .filter_map(|mut r| {
            r.matches = prefixes
                .iter()
                .flat_map(|p| conjunction(&r.matches, p))
                .collect();
            (!r.matches.is_empty()).then_some(r)
        })
        .collect();
    Object {
        api_version: NETWORKING,
        kind: "VirtualService",
        metadata: ObjectMeta::for_service(app, svc, format!("{}-ingress", svc.name)),
        spec: VirtualServiceSpec {
            hosts: vec![ingress.host.clone()],
            gateways: vec![gateway_name(&ingress.gateway_owner)],
            http,
            tcp: Vec::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use crate::ast::Protocol;
    use crate::emit::istio::fixture::*;
    use crate::model::Ingress;
    use serde_json::Value;
    use serde_json::json;

    #[test]
    fn ingress_gateway_and_virtual_service() {
        let docs = file(&bookinfo(), "istio/productpage.yaml");
        assert_eq!(
            docs[1]["spec"],
            json!({
                "selector": {"istio": "ingressgateway"},
                "servers": [{
                    "port": {"number": 443, "name": "https", "protocol": "HTTPS"},
                    "hosts": ["bookinfo.example.com"],
                    "tls": {"mode": "SIMPLE", "credentialName": "bookinfo-cert"}
                }]
            })
        );
        assert_eq!(
            docs[2]["spec"],
            json!({
                "hosts": ["bookinfo.example.com"],
                "gateways": ["productpage-gateway"],
                "http": [{
                    "match": [{"uri": {"prefix": "/productpage"}}, {"uri": {"prefix": "/static"}}],
                    "route": [{"destination": {"host": "productpage.bookinfo.svc.cluster.local", "port": {"number": 9080}}}]
                }]
            })
        );
    }

    #[test]
    fn plain_http_ingress_and_shared_hosts() {
        let mut app = bookinfo();
        app.services[0].ingress.as_mut().unwrap().tls_secret = None;
        app.services[2].ingress = Some(Ingress {
            host: "bookinfo.example.com".into(),
            paths: vec!["/reviews".into()],
            tls_secret: None,
            local_port: 9080,
            port: port("http", 9080, Protocol::Http),
            gateway_owner: "productpage".into(),
        });
        let gw = &file(&app, "istio/productpage.yaml")[1];
        assert_eq!(
            gw["spec"]["servers"][0]["port"],
            json!({"number": 80, "name": "http", "protocol": "HTTP"})
        );
        assert!(gw["spec"]["servers"][0].get("tls").is_none());
        let docs = file(&app, "istio/reviews.yaml");
        assert_eq!(
            kinds(&docs)[3..],
            [("VirtualService", "reviews-ingress")],
            "the host's Gateway belongs to productpage"
        );
        let ingress = &docs[3]["spec"];
        assert_eq!(ingress["gateways"], json!(["productpage-gateway"]));
        let http = ingress["http"].as_array().unwrap();
        assert_eq!(
            http[0]["match"],
            json!([{"uri": {"prefix": "/reviews"}, "headers": {"end-user": {"exact": "jason"}}}])
        );
        assert_eq!(http[1]["match"], json!([{"uri": {"prefix": "/reviews"}}]));
        assert_eq!(http[1]["route"].as_array().unwrap().len(), 2, "the split");
        let principals: Vec<&Value> = docs[2]["spec"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| &r["from"][0]["source"]["principals"][0])
            .collect();
        assert_eq!(
            principals,
            [
                "example.org/ns/bookinfo/sa/productpage",
                "example.org/ns/istio-system/sa/istio-ingressgateway-service-account"
            ]
        );
    }
}

//! Identity and least privilege (model → `PeerAuthentication` `default`
//! for the namespace, one `AuthorizationPolicy` per service with ports).
//!
//! Each policy ALLOWs exactly the declared callers, by workload principal
//! (`<trust_domain>/ns/<namespace>/sa/<caller>`), one rule per caller, plus
//! the ingress gateway when the service has an ingress: Istio's own
//! (`istio-system`), or with `routing: gateway-api` the pods Istio deploys
//! for the host's Gateway API `Gateway` (ServiceAccount `<gateway>-istio`
//! in the app's namespace). A service
//! nobody may call gets an ALLOW policy with no `rules` at all: that matches
//! no request, and since an ALLOW policy exists, every request is denied.
//! The field is left out rather than written as `rules: []` so nobody
//! mistakes it for `rules: [{}]`, which would allow everything.

use super::types::{
    AuthorizationPolicySpec, From, Mtls, Object, Operation, PeerAuthenticationSpec, Rule, SECURITY,
    Source, To, WorkloadSelector,
};
use crate::emit::ObjectMeta;
use crate::emit::edge::{Edge, edge, istio_gateway_service_account};
use crate::model::{App, Ingress, Service};
use indexmap::IndexMap;

/// Namespace and service account of the ingress gateway installed by
/// `istioctl install`; its principal is built with the app's trust domain.
const GATEWAY_NAMESPACE: &str = "istio-system";
const GATEWAY_SERVICE_ACCOUNT: &str = "istio-ingressgateway-service-account";

/// Mutual TLS required for every workload of the app's namespace.
pub fn peer_authentication(app: &App) -> Object<PeerAuthenticationSpec> {
    let labels: IndexMap<String, String> = [
        ("app.kubernetes.io/part-of", app.name.as_str()),
        ("app.kubernetes.io/managed-by", "meshc"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    Object {
        api_version: SECURITY,
        kind: "PeerAuthentication",
        metadata: ObjectMeta {
            name: "default".into(),
            namespace: Some(app.namespace.clone()),
            labels,
            annotations: IndexMap::new(),
        },
        spec: PeerAuthenticationSpec {
            mtls: Mtls { mode: "STRICT" },
        },
    }
}

pub fn gateway_principal(app: &App) -> String {
    format!(
        "{}/ns/{GATEWAY_NAMESPACE}/sa/{GATEWAY_SERVICE_ACCOUNT}",
        app.trust_domain
    )
}

/// The identity of the proxy that carries `ing`'s outside traffic; a
/// controller known only by its namespace is every account in it (Istio
/// reads a trailing `*` as a prefix match).
fn edge_principal(app: &App, ing: &Ingress) -> String {
    match edge(app, &ing.gateway_owner) {
        Edge::Controller {
            namespace: GATEWAY_NAMESPACE,
            service_account: Some(GATEWAY_SERVICE_ACCOUNT),
        } => gateway_principal(app),
        Edge::Controller {
            namespace,
            service_account,
        } => format!(
            "{}/ns/{namespace}/sa/{}",
            app.trust_domain,
            service_account.unwrap_or("*")
        ),
        Edge::GatewayPods { gateway } => format!(
            "{}/ns/{}/sa/{}",
            app.trust_domain,
            app.namespace,
            istio_gateway_service_account(&gateway)
        ),
    }
}

pub fn authorization_policy(app: &App, svc: &Service) -> Object<AuthorizationPolicySpec> {
    let id = app.id_of(svc);
    // A caller narrowed to some ports (`calls: [api:http]`) may reach only
    // those; otherwise the rule names no port.
    let mut principals: Vec<(String, Vec<String>)> = svc
        .callers
        .iter()
        .filter_map(|&c| app.services.get(c))
        .map(|caller| {
            let called = id
                .map(|id| app.called_ports(caller, id))
                .unwrap_or_default();
            let ports = if called.len() < svc.ports.len() {
                called.iter().map(|p| p.number.to_string()).collect()
            } else {
                Vec::new()
            };
            (app.principal(caller), ports)
        })
        .collect();
    if let Some(ingress) = &svc.ingress {
        principals.push((
            edge_principal(app, ingress),
            if svc.ports.len() > 1 {
                vec![ingress.port.number.to_string()]
            } else {
                Vec::new()
            },
        ));
    }
    let rules = principals
        .into_iter()
        .map(|(p, ports)| Rule {
            from: vec![From {
                source: Source {
                    principals: vec![p],
                },
            }],
            to: if ports.is_empty() {
                Vec::new()
            } else {
                vec![To {
                    operation: Operation { ports },
                }]
            },
        })
        .collect();
    Object {
        api_version: SECURITY,
        kind: "AuthorizationPolicy",
        metadata: ObjectMeta::for_service(app, svc, svc.name.clone()),
        spec: AuthorizationPolicySpec {
            selector: WorkloadSelector {
                match_labels: [("app".to_string(), svc.name.clone())]
                    .into_iter()
                    .collect(),
            },
            action: "ALLOW",
            rules,
        },
    }
}

#[cfg(test)]
mod tests {
    use crate::emit::istio::emit;
    use crate::emit::istio::fixture::*;
    use serde_json::json;

    #[test]
    fn authorization_allows_declared_callers_by_principal() {
        let app = bookinfo();
        let ap = &file(&app, "istio/reviews.yaml")[2];
        assert_eq!(
            ap["spec"],
            json!({
                "selector": {"matchLabels": {"app": "reviews"}},
                "action": "ALLOW",
                "rules": [{"from": [{"source": {"principals": ["example.org/ns/bookinfo/sa/productpage"]}}]}]
            })
        );
        let ap = &file(&app, "istio/productpage.yaml")[0];
        assert_eq!(
            ap["spec"]["rules"],
            json!([{"from": [{"source": {"principals": ["example.org/ns/istio-system/sa/istio-ingressgateway-service-account"]}}]}])
        );
    }

    #[test]
    fn nobody_may_call_an_uncalled_service() {
        let mut app = bookinfo();
        app.services[1].callers.clear();
        let ap = &file(&app, "istio/details.yaml")[0];
        assert_eq!(
            ap["spec"],
            json!({"selector": {"matchLabels": {"app": "details"}}, "action": "ALLOW"})
        );
        let text = String::from_utf8(
            emit(&app, crate::emit::ALL)
                .into_iter()
                .find(|a| a.path == "istio/details.yaml")
                .unwrap()
                .bytes,
        )
        .unwrap();
        assert!(!text.contains("rules"), "no `rules: []` either:\n{text}");
    }
}

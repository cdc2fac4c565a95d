//! The edge: where traffic from outside the cluster enters, as every target
//! that admits it must name it (a NetworkPolicy peer, an Istio principal, a
//! Linkerd identity). Model in, plain values out.

use crate::model::{App, Mesh, Routing};

/// The label the Gateway API puts on the pods an implementation deploys
/// for a `Gateway` (Istio's automated deployment does).
pub const GATEWAY_NAME_LABEL: &str = "gateway.networking.k8s.io/gateway-name";
/// The Gateway API class served by Istio's own controller.
pub const ISTIO_GATEWAY_CLASS: &str = "istio";

/// Where the proxy that carries outside traffic runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Edge {
    /// A controller in its own namespace: Istio's ingress gateway
    /// (`istio-system`), ingress-nginx, or a Gateway API implementation
    /// such as Envoy Gateway (`envoy-gateway-system`).
    Controller {
        namespace: &'static str,
        /// Its ServiceAccount when it is known; `None` admits the namespace.
        service_account: Option<&'static str>,
    },
    /// The pods Istio deploys for a Gateway API `Gateway`, in the app's
    /// namespace, labelled with the Gateway's name, running as `<name>-istio`.
    GatewayPods { gateway: String },
}

/// Where traffic for `gateway_owner`'s host comes from.
pub fn edge(app: &App, gateway_owner: &str) -> Edge {
    match (app.routing, app.mesh) {
        (Routing::Native, Mesh::Istio) => Edge::Controller {
            namespace: "istio-system",
            service_account: Some("istio-ingressgateway-service-account"),
        },
        (Routing::Native, _) => Edge::Controller {
            namespace: "ingress-nginx",
            service_account: Some("ingress-nginx"),
        },
        (Routing::GatewayApi, _) if app.gateway_class == ISTIO_GATEWAY_CLASS => Edge::GatewayPods {
            gateway: gateway_name(gateway_owner),
        },
        (Routing::GatewayApi, _) => Edge::Controller {
            namespace: "envoy-gateway-system",
            service_account: None,
        },
    }
}

/// The name of the Gateway (Istio's or the Gateway API's) serving a host,
/// after the first service with an ingress on it.
pub fn gateway_name(owner: &str) -> String {
    format!("{owner}-gateway")
}

/// The ServiceAccount Istio's automated deployment gives a Gateway's pods.
pub fn istio_gateway_service_account(gateway: &str) -> String {
    format!("{gateway}-istio")
}

//! Gateway API emitter (`gateway.networking.k8s.io/v1`, standard channel):
//! model → mesh routes (GAMMA), the ingress `Gateway` and its routes.
//!
//! The meshes write these objects into their own files: Istio with
//! `routing: gateway-api` into `istio/<service>.yaml`, Linkerd into
//! `linkerd/<service>.yaml` (see [`mesh_routes`] and [`ingress`]). Without a
//! mesh, [`emit`] writes the ingress alone to `gateway-api/<service>.yaml`:
//! there is no mesh to route between services.
//!
//! Ingress: one `Gateway` per host (`<owner>-gateway`, owned by the first
//! service using the host, as with Istio's Gateway), its listener HTTPS on
//! 443 with the certificate from `tls_secret` or HTTP on 80; and an
//! `HTTPRoute` `<service>-ingress` per service, bound to the host's Gateway,
//! carrying the service's own rules narrowed to its ingress paths.

mod ingress;
mod routes;
pub mod types;

#[cfg(test)]
mod tests;

pub use ingress::ingress;
pub use routes::{Route, TimeoutIn, backend, mesh_routes, needs_routes, routable_ports};

use super::{Artifact, Keep, Manifest};
use crate::model::{App, Mesh, Routing};

const DIR: &str = "gateway-api";

/// Without a mesh and with `routing: gateway-api`: the ingress objects of
/// the services `keep` picks. Nothing otherwise (the meshes write theirs).
pub fn emit(app: &App, keep: Keep) -> Vec<Artifact> {
    if app.mesh != Mesh::None || app.routing != Routing::GatewayApi {
        return Vec::new();
    }
    let kept = super::kept(app, keep);
    let files = crate::par::map(&kept, |svc| {
        let mut file = Manifest::new();
        for object in ingress(app, svc) {
            file.push(&object);
        }
        (!file.is_empty())
            .then(|| file.into_artifact(format!("{DIR}/{}.yaml", svc.name), Some(&svc.name)))
    });
    files.into_iter().flatten().collect()
}

/// A Gateway API `Duration` (`1h2m3s4ms`, each part at most 5 digits), as
/// the CRD's pattern allows; Istio's `1.5s` would be rejected.
pub fn duration(ms: u64) -> String {
    let parts = [
        (ms / 3_600_000, "h"),
        (ms / 60_000 % 60, "m"),
        (ms / 1_000 % 60, "s"),
        (ms % 1_000, "ms"),
    ];
    let text: String = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n}{unit}"))
        .collect();
    if text.is_empty() { "0s".into() } else { text }
}

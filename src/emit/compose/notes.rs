//! What a local run leaves out, per service: Compose has no mesh, no
//! autoscaler and no ingress controller. `build --target compose` says so
//! once per service; a policy is never dropped in silence.

use crate::model::{App, Mesh, Probe, Service};

/// The service's settings that the Compose file does not apply, each a
/// short phrase; empty when the local run is faithful.
pub fn not_applied(app: &App, svc: &Service) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(t) = &svc.traffic {
        if !t.split.is_empty() {
            out.push("the traffic split (every version gets an even share)".to_string());
        }
        if !t.routes.is_empty() {
            out.push("header and path routes".into());
        }
        let policies = [
            (t.retries.is_some(), "retries"),
            (t.timeout.is_some(), "the timeout"),
            (t.circuit_breaker.is_some(), "circuit breaking"),
            (t.connection_pool.is_some(), "connection limits"),
            (t.mirror.is_some(), "mirroring"),
            (t.fault.is_some(), "fault injection"),
        ];
        out.extend(policies.iter().filter(|p| p.0).map(|p| p.1.to_string()));
    }
    if app.mesh != Mesh::None && !svc.callers.is_empty() {
        out.push("mTLS and caller authorization (its network still isolates it)".into());
    }
    // Narrowing matters only where a caller could reach a port it does not call.
    let id = app.id_of(svc);
    let narrowed = |c: &usize| {
        id.and_then(|id| app.services[*c].call_ports.get(&id))
            .is_some_and(|names| names.len() < svc.ports.len())
    };
    if svc.callers.iter().any(narrowed) {
        out.push("calls narrowed to some of its ports (a network admits every port)".into());
    }
    if let Some(a) = &svc.autoscale {
        out.push(format!("autoscaling (runs {} replicas)", a.min));
    }
    if let Some(i) = &svc.ingress {
        let tls = if i.tls_secret.is_some() {
            ", without TLS"
        } else {
            ""
        };
        out.push(format!(
            "the ingress host {} (published on 127.0.0.1 instead{tls})",
            i.host
        ));
    }
    let image_only = svc.workloads.iter().any(|w| w.build.is_none());
    if image_only
        && matches!(
            svc.health,
            Some(Probe::Http { .. } | Probe::Tcp { .. } | Probe::Grpc { .. })
        )
    {
        out.push("its health check (no probe meshc can run in an image it did not build)".into());
    }
    let moved: Vec<String> = svc
        .ports
        .iter()
        .filter(|p| p.service_port != p.number)
        .map(|p| format!("{} → {}", p.service_port, p.number))
        .collect();
    if !moved.is_empty() {
        out.push(format!(
            "its Service port mapping ({}): callers reach it on the container port",
            moved.join(", ")
        ));
    }
    out
}

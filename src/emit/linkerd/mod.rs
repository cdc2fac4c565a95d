//! Linkerd emitter: model → `linkerd/<service>.yaml` (policy.linkerd.io and
//! Gateway API objects). Pure; nothing unless the mesh is Linkerd.
//!
//! Each service's file holds, in this order: its mesh routes (Gateway API
//! HTTPRoute/GRPCRoute attached to the Service, see
//! [`crate::emit::gateway_api`]) annotated with the timeout and retries
//! ([`annotations`]); per port a Server, MeshTLSAuthentication and
//! AuthorizationPolicy ([`policy`]); and its ingress Gateway and route.
//! There is no app-wide file: Linkerd's mTLS needs no policy object, and
//! the injection annotation is on the Namespace (Kubernetes target), as
//! are the circuit breaker's annotations on the Services.
//!
//! No Istio kind is written. Mirroring and fault injection, which Linkerd
//! cannot express, are rejected by `check` (M206) before emitting.

pub mod annotations;
mod policy;
mod types;

use super::gateway_api::{self, TimeoutIn};
use super::{Artifact, Keep, Manifest};
use crate::model::{App, Mesh, Service};

pub fn emit(app: &App, keep: Keep) -> Vec<Artifact> {
    if app.mesh != Mesh::Linkerd {
        return Vec::new();
    }
    let kept = super::kept(app, keep);
    let files = crate::par::map(&kept, |svc| {
        let file = service(app, svc);
        (!file.is_empty())
            .then(|| file.into_artifact(format!("linkerd/{}.yaml", svc.name), Some(&svc.name)))
    });
    files.into_iter().flatten().collect()
}

fn service(app: &App, svc: &Service) -> Manifest {
    let mut file = Manifest::new();
    for mut route in gateway_api::mesh_routes(app, svc, TimeoutIn::Annotations) {
        if let Some(t) = &svc.traffic {
            let grpc = route.is_grpc();
            route
                .metadata_mut()
                .annotations
                .extend(annotations::route(t, grpc));
        }
        file.push(&route);
    }
    for object in policy::policies(app, svc) {
        file.push(&object);
    }
    for object in gateway_api::ingress(app, svc) {
        file.push(&object);
    }
    file
}

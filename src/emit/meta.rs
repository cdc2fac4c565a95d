//! Object metadata and the labels every resource carries.

use crate::model::{App, OptOut, Service, Workload};
use indexmap::IndexMap;
use serde::Serialize;

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectMeta {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

/// A custom resource: identity, metadata and a kind-specific `spec`. Istio,
/// the Gateway API and Linkerd objects all have this shape.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpecObject<S> {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub metadata: ObjectMeta,
    pub spec: S,
}

impl<S: Serialize> crate::emit::ApiObject for SpecObject<S> {
    fn api_version(&self) -> &str {
        self.api_version
    }
    fn kind(&self) -> &str {
        self.kind
    }
    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }
}

impl ObjectMeta {
    /// Metadata for an object of `svc` in the app's namespace: labels only.
    /// The user's checkov opt-outs concern the workload, so only the
    /// Deployment carries them (see [`opt_out_annotations`]).
    pub fn for_service(app: &App, svc: &Service, name: impl Into<String>) -> ObjectMeta {
        ObjectMeta {
            name: name.into(),
            namespace: Some(app.namespace.clone()),
            labels: labels(app, svc, None),
            annotations: IndexMap::new(),
        }
    }
}

/// The recommended `app.kubernetes.io/*` labels plus `app` (and `version`
/// for a versioned workload), as Istio's telemetry expects them.
pub fn labels(app: &App, svc: &Service, workload: Option<&Workload>) -> IndexMap<String, String> {
    let mut l = IndexMap::new();
    l.insert("app".into(), svc.name.clone());
    if let Some(v) = workload.and_then(|w| w.version.as_ref()) {
        l.insert("version".into(), v.clone());
    }
    l.insert("app.kubernetes.io/name".into(), svc.name.clone());
    if let Some(v) = workload.and_then(|w| w.version.as_ref()) {
        l.insert("app.kubernetes.io/version".into(), v.clone());
    }
    l.insert("app.kubernetes.io/part-of".into(), app.name.clone());
    l.insert("app.kubernetes.io/managed-by".into(), "meshc".into());
    l
}

/// What a Service selects: the `app` label only, so every version is behind it.
pub fn selector_labels(svc: &Service, workload: Option<&Workload>) -> IndexMap<String, String> {
    let mut l = IndexMap::new();
    l.insert("app".into(), svc.name.clone());
    if let Some(v) = workload.and_then(|w| w.version.as_ref()) {
        l.insert("version".into(), v.clone());
    }
    l
}

/// checkov reads `checkov.io/skip<N>: CHECK_ID=reason` annotations; each
/// opt-out the user wrote becomes one, carrying its reason.
pub fn opt_out_annotations(opt_outs: &[OptOut]) -> IndexMap<String, String> {
    opt_outs
        .iter()
        .enumerate()
        .map(|(i, o)| {
            (
                format!("checkov.io/skip{}", i + 1),
                format!("{}={}", o.check, o.reason),
            )
        })
        .collect()
}

//! The Gateway API objects meshc emits (`gateway.networking.k8s.io/v1`,
//! standard channel), as serde structs mirroring the CRD schemas: camelCase
//! names, empty lists and absent options left out, only the fields meshc sets.

use serde::Serialize;

pub const GATEWAY_API: &str = "gateway.networking.k8s.io/v1";

/// Any object with a kind-specific spec. Linkerd's objects use it too.
pub use crate::emit::SpecObject as Object;

// --- Gateway --------------------------------------------------------------

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewaySpec {
    pub gateway_class_name: String,
    pub listeners: Vec<Listener>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Listener {
    pub name: &'static str,
    pub hostname: String,
    pub port: u16,
    pub protocol: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<ListenerTls>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListenerTls {
    pub mode: &'static str,
    pub certificate_refs: Vec<SecretRef>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SecretRef {
    pub name: String,
}

// --- Routes ---------------------------------------------------------------

/// HTTPRoute and GRPCRoute share their shape; only the rule differs.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteSpec<R> {
    pub parent_refs: Vec<ParentRef>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hostnames: Vec<String>,
    pub rules: Vec<R>,
}

/// A Gateway (`sectionName` unset: every listener) or, for a mesh route, a
/// Service port (`group: ""`, `kind: Service`).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParentRef {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRule {
    /// Alternatives (OR); empty matches every request.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub matches: Vec<HttpMatch>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<Filter>,
    pub backend_refs: Vec<BackendRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeouts: Option<Timeouts>,
}

/// Conditions that must all hold (AND).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct HttpMatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<ValueMatch>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<HeaderMatch>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GrpcRule {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub matches: Vec<GrpcMatch>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<Filter>,
    pub backend_refs: Vec<BackendRef>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GrpcMatch {
    pub headers: Vec<HeaderMatch>,
}

/// A path match: `Exact`, `PathPrefix` or `RegularExpression`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ValueMatch {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HeaderMatch {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub name: String,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BackendRef {
    pub name: String,
    pub port: u16,
    /// Relative to the rule's other backends; absent means 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Filter {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub request_mirror: RequestMirror,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestMirror {
    pub backend_ref: BackendRef,
    pub percent: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Timeouts {
    pub request: String,
}

//! The Linkerd policy objects meshc emits (`policy.linkerd.io`), as serde
//! structs mirroring the CRD schemas; only the fields meshc sets exist.

use indexmap::IndexMap;
use serde::Serialize;

pub use crate::emit::gateway_api::types::Object;

pub const SERVER: &str = "policy.linkerd.io/v1beta3";
pub const AUTHN: &str = "policy.linkerd.io/v1alpha1";
pub const POLICY_GROUP: &str = "policy.linkerd.io";

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerSpec {
    pub pod_selector: PodSelector,
    /// The pod's port, by its container port name.
    pub port: String,
    pub proxy_protocol: &'static str,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodSelector {
    pub match_labels: IndexMap<String, String>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MeshTlsAuthenticationSpec {
    pub identity_refs: Vec<IdentityRef>,
}

/// A ServiceAccount; without `name`, every ServiceAccount of `namespace`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IdentityRef {
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizationPolicySpec {
    pub target_ref: PolicyRef,
    pub required_authentication_refs: Vec<PolicyRef>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PolicyRef {
    pub group: &'static str,
    pub kind: &'static str,
    pub name: String,
}

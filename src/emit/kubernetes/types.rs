//! The Kubernetes objects meshc emits, as plain serde structs: only the
//! fields meshc sets, in the order `kubectl get -o yaml` shows them. Values in,
//! YAML out (through [`crate::emit::Manifest`]); no logic lives here.
//!
//! Empty lists and maps and `None` are left out, so the output never carries
//! `env: []` or `annotations: {}`.

use crate::emit::ObjectMeta;
use indexmap::IndexMap;
use serde::Serialize;

pub type Labels = IndexMap<String, String>;

/// `apiVersion` + `kind` + `metadata`, shared by every object.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Object<S: Serialize> {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub metadata: ObjectMeta,
    #[serde(flatten)]
    pub body: S,
}

impl<S: Serialize> Object<S> {
    pub fn new(
        api_version: &'static str,
        kind: &'static str,
        metadata: ObjectMeta,
        body: S,
    ) -> Self {
        Object {
            api_version,
            kind,
            metadata,
            body,
        }
    }
}

impl<S: Serialize> crate::emit::ApiObject for Object<S> {
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

/// An object whose content lives under `spec`.
#[derive(Clone, Debug, Serialize)]
pub struct Spec<T: Serialize> {
    pub spec: T,
}

/// A Namespace: nothing but metadata.
#[derive(Clone, Debug, Serialize)]
pub struct Empty {}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceAccount {
    pub automount_service_account_token: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct ConfigMap {
    pub data: IndexMap<String, String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct LabelSelector {
    #[serde(rename = "matchLabels")]
    pub match_labels: Labels,
}

// --- Service -----------------------------------------------------------------

#[derive(Clone, Debug, Serialize)]
pub struct ServiceSpec {
    /// `None` for a headless Service (a StatefulSet's stable pod names).
    #[serde(rename = "clusterIP", skip_serializing_if = "Option::is_none")]
    pub cluster_ip: Option<&'static str>,
    pub selector: Labels,
    pub ports: Vec<ServicePort>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePort {
    pub name: String,
    pub protocol: &'static str,
    pub app_protocol: &'static str,
    pub port: u16,
    /// The container port's name, so the number lives in one place.
    pub target_port: String,
}

// --- Deployment and pod ------------------------------------------------------

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentSpec {
    /// Absent when an HPA owns the count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas: Option<u32>,
    pub revision_history_limit: u32,
    pub selector: LabelSelector,
    pub template: PodTemplate,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatefulSetSpec {
    /// Absent when an HPA owns the count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas: Option<u32>,
    pub revision_history_limit: u32,
    pub selector: LabelSelector,
    /// The headless Service giving the pods stable names.
    pub service_name: String,
    pub template: PodTemplate,
    pub volume_claim_templates: Vec<ClaimTemplate>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ClaimTemplate {
    pub metadata: ClaimMeta,
    pub spec: ClaimSpec,
}

#[derive(Clone, Debug, Serialize)]
pub struct ClaimMeta {
    pub name: String,
    pub labels: Labels,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimSpec {
    pub access_modes: Vec<&'static str>,
    pub resources: ClaimResources,
}

#[derive(Clone, Debug, Serialize)]
pub struct ClaimResources {
    pub requests: IndexMap<&'static str, String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PodTemplate {
    pub metadata: TemplateMeta,
    pub spec: PodSpec,
}

#[derive(Clone, Debug, Serialize)]
pub struct TemplateMeta {
    pub labels: Labels,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub annotations: IndexMap<String, String>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodSpec {
    pub service_account_name: String,
    pub automount_service_account_token: bool,
    pub enable_service_links: bool,
    pub security_context: PodSecurityContext,
    pub containers: Vec<Container>,
    pub volumes: Vec<Volume>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodSecurityContext {
    pub run_as_non_root: bool,
    pub run_as_user: u32,
    pub run_as_group: u32,
    pub fs_group: u32,
    pub seccomp_profile: SeccompProfile,
}

#[derive(Clone, Debug, Serialize)]
pub struct SeccompProfile {
    #[serde(rename = "type")]
    pub kind: &'static str,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    pub name: String,
    pub image: String,
    pub image_pull_policy: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<ContainerPort>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<EnvVar>,
    pub resources: ResourceRequirements,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub startup_probe: Option<Probe>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readiness_probe: Option<Probe>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub liveness_probe: Option<Probe>,
    pub security_context: SecurityContext,
    pub volume_mounts: Vec<VolumeMount>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerPort {
    pub name: String,
    pub container_port: u16,
    pub protocol: &'static str,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvVar {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_from: Option<EnvVarSource>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvVarSource {
    pub secret_key_ref: KeySelector,
}

#[derive(Clone, Debug, Serialize)]
pub struct KeySelector {
    pub name: String,
    pub key: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ResourceRequirements {
    pub requests: Quantities,
    pub limits: Quantities,
}

#[derive(Clone, Debug, Serialize)]
pub struct Quantities {
    pub cpu: String,
    pub memory: String,
}

/// One handler (exactly one of `http_get`, `tcp_socket`, `grpc`) and timing.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Probe {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_get: Option<HttpGetAction>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tcp_socket: Option<TcpSocketAction>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grpc: Option<GrpcAction>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exec: Option<ExecAction>,
    pub period_seconds: u32,
    pub timeout_seconds: u32,
    pub failure_threshold: u32,
}

#[derive(Clone, Debug, Serialize)]
pub struct HttpGetAction {
    pub path: String,
    /// A container port name.
    pub port: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct TcpSocketAction {
    /// A container port name.
    pub port: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ExecAction {
    pub command: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct GrpcAction {
    /// The gRPC probe takes a number only, no port name.
    pub port: u16,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SecurityContext {
    pub allow_privilege_escalation: bool,
    pub privileged: bool,
    pub read_only_root_filesystem: bool,
    pub run_as_non_root: bool,
    pub capabilities: Capabilities,
}

#[derive(Clone, Debug, Serialize)]
pub struct Capabilities {
    pub drop: Vec<&'static str>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeMount {
    pub name: String,
    pub mount_path: String,
    #[serde(skip_serializing_if = "is_false")]
    pub read_only: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Volume {
    pub name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub empty_dir: Option<Empty>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_map: Option<ConfigMapVolume>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigMapVolume {
    pub name: String,
    /// File mode bits, e.g. 0o444; the API's JSON form is decimal (292).
    pub default_mode: u32,
}

//! The parts of the Compose Specification meshc writes, as typed values in
//! the order a reader expects them. Field names are the spec's.

use indexmap::IndexMap;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct File {
    pub name: String,
    pub services: IndexMap<String, ComposeService>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub networks: IndexMap<String, Network>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub volumes: IndexMap<String, NamedVolume>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub secrets: IndexMap<String, Secret>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub configs: IndexMap<String, Config>,
}

#[derive(Debug, Serialize)]
pub struct ComposeService {
    pub image: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build: Option<Build>,
    pub labels: IndexMap<&'static str, String>,
    /// `uid:gid`, a string so no YAML 1.1 reader takes it for base 60.
    pub user: String,
    pub read_only: bool,
    pub cap_drop: Vec<&'static str>,
    pub security_opt: Vec<&'static str>,
    pub tmpfs: Vec<&'static str>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub environment: IndexMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<Published>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expose: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Healthcheck>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub configs: Vec<ConfigMount>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<VolumeMount>,
    pub networks: IndexMap<String, Attachment>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub depends_on: IndexMap<String, Dependency>,
    pub deploy: Deploy,
}

#[derive(Debug, Serialize)]
pub struct Build {
    pub context: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dockerfile: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dockerfile_inline: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub args: IndexMap<String, String>,
}

/// A port published on the host (long syntax).
#[derive(Debug, Serialize)]
pub struct Published {
    pub target: u16,
    /// One port, or a range when several replicas each need one.
    pub published: String,
    pub host_ip: &'static str,
    pub protocol: &'static str,
}

#[derive(Debug, Serialize)]
pub struct Healthcheck {
    pub test: Vec<String>,
    pub interval: &'static str,
    pub timeout: &'static str,
    pub retries: u32,
    pub start_period: &'static str,
}

#[derive(Debug, Serialize)]
pub struct ConfigMount {
    pub source: String,
    pub target: String,
    /// 0o444 (r--r--r--), written in decimal as YAML integers are.
    pub mode: u32,
}

#[derive(Debug, Serialize)]
pub struct VolumeMount {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub source: String,
    pub target: String,
    pub read_only: bool,
}

#[derive(Debug, Serialize)]
pub struct Attachment {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Dependency {
    pub condition: &'static str,
}

#[derive(Debug, Serialize)]
pub struct Deploy {
    pub mode: &'static str,
    pub replicas: u32,
    pub resources: DeployResources,
    pub restart_policy: RestartPolicy,
    pub update_config: UpdateConfig,
}

#[derive(Debug, Serialize)]
pub struct DeployResources {
    pub limits: Limits,
    pub reservations: Limits,
}

#[derive(Debug, Serialize)]
pub struct Limits {
    pub cpus: String,
    pub memory: String,
}

#[derive(Debug, Serialize)]
pub struct RestartPolicy {
    pub condition: &'static str,
    pub delay: &'static str,
}

#[derive(Debug, Serialize)]
pub struct UpdateConfig {
    pub parallelism: u32,
    pub order: &'static str,
    pub failure_action: &'static str,
}

#[derive(Debug, Serialize)]
pub struct Network {
    pub labels: IndexMap<&'static str, String>,
}

#[derive(Debug, Serialize)]
pub struct NamedVolume {
    pub labels: IndexMap<&'static str, String>,
}

/// A secret whose value the host's environment gives at `up`.
#[derive(Debug, Serialize)]
pub struct Secret {
    pub environment: String,
}

#[derive(Debug, Serialize)]
pub struct Config {
    pub content: String,
}

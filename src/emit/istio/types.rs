//! The Istio objects meshc emits, as serde structs mirroring the
//! `networking.istio.io/v1` and `security.istio.io/v1` CRD schemas: camelCase
//! field names, empty lists and absent options left out. Only the fields
//! meshc sets exist here, so an unknown field cannot slip into the output.

use indexmap::IndexMap;
use serde::Serialize;

pub const NETWORKING: &str = "networking.istio.io/v1";
pub const SECURITY: &str = "security.istio.io/v1";

/// Any Istio object: identity, metadata and a kind-specific spec.
pub use crate::emit::SpecObject as Object;

// --- VirtualService -------------------------------------------------------

#[derive(Clone, Debug, Default, Serialize)]
pub struct VirtualServiceSpec {
    pub hosts: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gateways: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub http: Vec<HttpRoute>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tcp: Vec<TcpRoute>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRoute {
    /// Alternatives (OR); empty matches every request.
    #[serde(rename = "match", skip_serializing_if = "Vec::is_empty")]
    pub matches: Vec<HttpMatch>,
    pub route: Vec<RouteDestination>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<Retries>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<Fault>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mirror: Option<Destination>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mirror_percentage: Option<Percent>,
}

/// Conditions that must all hold (AND).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct HttpMatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<StringMatch>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<StringMatch>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub headers: IndexMap<String, StringMatch>,
    /// The Service port the request was sent to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
}

/// Serializes as `{exact: …}`, `{prefix: …}` or `{regex: …}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StringMatch {
    Exact(String),
    Prefix(String),
    Regex(String),
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RouteDestination {
    pub destination: Destination,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Destination {
    pub host: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subset: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<PortSelector>,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct PortSelector {
    pub number: u16,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Retries {
    pub attempts: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_try_timeout: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_on: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fault {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay: Option<Delay>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub abort: Option<Abort>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delay {
    pub fixed_delay: String,
    pub percentage: Percent,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Abort {
    pub http_status: u16,
    pub percentage: Percent,
}

/// Istio's `Percent`: a double from 0 to 100.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Percent {
    pub value: f64,
}

impl Percent {
    pub fn of(percent: u32) -> Percent {
        Percent {
            value: f64::from(percent),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TcpRoute {
    #[serde(rename = "match")]
    pub matches: Vec<L4Match>,
    pub route: Vec<RouteDestination>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct L4Match {
    pub port: u16,
}

// --- DestinationRule ------------------------------------------------------

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DestinationRuleSpec {
    pub host: String,
    pub traffic_policy: TrafficPolicy,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subsets: Vec<Subset>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrafficPolicy {
    pub tls: ClientTls,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_pool: Option<ConnectionPool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outlier_detection: Option<OutlierDetection>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ClientTls {
    pub mode: &'static str,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct ConnectionPool {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tcp: Option<TcpSettings>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpSettings>,
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TcpSettings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_connections: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect_timeout: Option<String>,
}

#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpSettings {
    #[serde(
        rename = "http1MaxPendingRequests",
        skip_serializing_if = "Option::is_none"
    )]
    pub http1_max_pending_requests: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_requests_per_connection: Option<u32>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutlierDetection {
    #[serde(rename = "consecutive5xxErrors")]
    pub consecutive_5xx_errors: u32,
    pub interval: String,
    pub base_ejection_time: String,
    pub max_ejection_percent: u32,
}

#[derive(Clone, Debug, Serialize)]
pub struct Subset {
    pub name: String,
    pub labels: IndexMap<String, String>,
}

// --- Gateway --------------------------------------------------------------

#[derive(Clone, Debug, Serialize)]
pub struct GatewaySpec {
    pub selector: IndexMap<String, String>,
    pub servers: Vec<Server>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Server {
    pub port: ServerPort,
    pub hosts: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<ServerTls>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ServerPort {
    pub number: u16,
    pub name: &'static str,
    pub protocol: &'static str,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerTls {
    pub mode: &'static str,
    pub credential_name: String,
}

// --- Security -------------------------------------------------------------

#[derive(Clone, Debug, Serialize)]
pub struct PeerAuthenticationSpec {
    pub mtls: Mtls,
}

#[derive(Clone, Debug, Serialize)]
pub struct Mtls {
    pub mode: &'static str,
}

#[derive(Clone, Debug, Serialize)]
pub struct AuthorizationPolicySpec {
    pub selector: WorkloadSelector,
    pub action: &'static str,
    /// Absent, not `[]`, when nobody may call: an ALLOW policy without rules
    /// matches nothing. Never holds an empty rule (`{}` would allow everyone).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<Rule>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadSelector {
    pub match_labels: IndexMap<String, String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Rule {
    pub from: Vec<From>,
    /// The ports a narrowed call (`calls: [api:http]`) may reach.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<To>,
}

#[derive(Clone, Debug, Serialize)]
pub struct To {
    pub operation: Operation,
}

/// `ports` are the workload's (container) ports, as strings (SEMANTICS.md).
#[derive(Clone, Debug, Serialize)]
pub struct Operation {
    pub ports: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct From {
    pub source: Source,
}

#[derive(Clone, Debug, Serialize)]
pub struct Source {
    pub principals: Vec<String>,
}

pub use crate::ast::format_ms as duration;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_istio_examples() {
        assert_eq!(duration(10_000), "10s");
        assert_eq!(duration(250), "250ms");
        assert_eq!(duration(1_500), "1.5s");
        assert_eq!(duration(1_005), "1.005s");
        assert_eq!(duration(120_000), "120s");
        assert_eq!(duration(0), "0s");
    }

    #[test]
    fn string_match_is_a_one_key_object() {
        let json = serde_json::to_value(StringMatch::Prefix("/api".into())).unwrap();
        assert_eq!(json, serde_json::json!({"prefix": "/api"}));
    }
}

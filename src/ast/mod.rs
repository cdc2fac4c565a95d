//! The AST: what the user wrote, typed, with the span of every value.
//!
//! Produced by [`decode`] from the document tree; consumed by `check` and
//! `lower`. Values here are checked one by one (types, formats, ranges);
//! relations between them (calls, versions, cycles) are `check`'s job.
//! The JSON Schema of the input format is derived from these types.

pub mod decode;
mod fields;
mod schema;

pub use schema::{json_schema, schema_text};

use crate::source::Span;
use indexmap::IndexMap;

/// A value and where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// A name as written: a map key or a string value, with its span.
pub type Name = Spanned<String>;

#[derive(Clone, Debug, Default)]
pub struct Description {
    pub app: Option<Name>,
    pub namespace: Option<Name>,
    pub mesh: Option<Spanned<Mesh>>,
    pub routing: Option<Spanned<Routing>>,
    pub gateway_class: Option<Name>,
    pub trust_domain: Option<Name>,
    /// M308's threshold: worst-case attempts per entry request.
    pub max_attempts: Option<Spanned<u32>>,
    pub defaults: Defaults,
    pub services: IndexMap<String, Service>,
    pub environments: IndexMap<String, Environment>,
    /// Span of the whole document, for problems that belong to no one value.
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mesh {
    Istio,
    Linkerd,
    None,
}

impl Mesh {
    pub const ALL: [(&'static str, Mesh); 3] = [
        ("istio", Mesh::Istio),
        ("linkerd", Mesh::Linkerd),
        ("none", Mesh::None),
    ];
}

/// Which API carries routing: the mesh's own resources or the Gateway API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Routing {
    Native,
    GatewayApi,
}

impl Routing {
    pub const ALL: [(&'static str, Routing); 2] = [
        ("native", Routing::Native),
        ("gateway-api", Routing::GatewayApi),
    ];
}

#[derive(Clone, Debug, Default)]
pub struct Defaults {
    pub replicas: Option<Spanned<u32>>,
    pub resources: Resources,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Resources {
    pub cpu: Option<Spanned<String>>,
    pub memory: Option<Spanned<String>>,
    pub cpu_limit: Option<Spanned<String>>,
    pub memory_limit: Option<Spanned<String>>,
}

#[derive(Clone, Debug)]
pub struct Service {
    pub name: Name,
    pub source: Option<Source>,
    /// Where `image` or `build` was written, even when its value was invalid.
    pub source_span: Option<Span>,
    pub replicas: Option<Spanned<u32>>,
    pub resources: Resources,
    pub ports: IndexMap<String, Port>,
    /// Where `ports` was written, even when its entries were invalid.
    pub ports_span: Option<Span>,
    pub health: Option<Health>,
    pub calls: Vec<Call>,
    pub ingress: Option<Ingress>,
    pub env: IndexMap<String, EnvVar>,
    pub config: IndexMap<String, ConfigFile>,
    pub versions: IndexMap<String, Version>,
    pub autoscale: Option<Autoscale>,
    pub traffic: Option<Traffic>,
    pub storage: IndexMap<String, Storage>,
    pub opt_outs: Vec<OptOut>,
}

/// A persistent volume: the service becomes a StatefulSet on Kubernetes.
#[derive(Clone, Debug, PartialEq)]
pub struct Storage {
    pub name: Name,
    pub path: Spanned<String>,
    pub size: Option<Spanned<String>>,
    pub access: Option<Spanned<Access>>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    ReadWriteOnce,
    ReadWriteOncePod,
    ReadOnlyMany,
    ReadWriteMany,
}

impl Access {
    pub const ALL: [(&'static str, Access); 4] = [
        ("ReadWriteOnce", Access::ReadWriteOnce),
        ("ReadWriteOncePod", Access::ReadWriteOncePod),
        ("ReadOnlyMany", Access::ReadOnlyMany),
        ("ReadWriteMany", Access::ReadWriteMany),
    ];

    pub fn as_str(self) -> &'static str {
        Access::ALL
            .iter()
            .find(|(_, a)| *a == self)
            .map_or("", |(n, _)| n)
    }
}

/// Where a workload's image comes from: exactly one of `image` or `build`.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    Image(Spanned<String>),
    Build(Build),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Build {
    /// Absent: the team's own Dockerfile builds the image.
    pub runtime: Option<Spanned<Runtime>>,
    pub context: Spanned<String>,
    pub command: Vec<Spanned<String>>,
    pub base: Option<Spanned<String>>,
    pub image: Option<Spanned<String>>,
    /// The team's Dockerfile, relative to `context` (default `Dockerfile`).
    pub dockerfile: Option<Spanned<String>>,
    /// The multi-stage build target.
    pub target: Option<Spanned<String>>,
    pub args: Vec<(Name, Spanned<String>)>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Runtime {
    Node,
    Python,
    Go,
    Rust,
    Java,
    Static,
}

impl Runtime {
    pub const ALL: [(&'static str, Runtime); 6] = [
        ("node", Runtime::Node),
        ("python", Runtime::Python),
        ("go", Runtime::Go),
        ("rust", Runtime::Rust),
        ("java", Runtime::Java),
        ("static", Runtime::Static),
    ];

    pub fn as_str(self) -> &'static str {
        Runtime::ALL
            .iter()
            .find(|(_, r)| *r == self)
            .map_or("", |(n, _)| n)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Port {
    pub name: Name,
    /// The container's port.
    pub number: Spanned<u16>,
    /// The port callers use on the Service, when it differs from `number`.
    pub service_port: Option<Spanned<u16>>,
    pub protocol: Protocol,
}

/// `s` with the characters RE2 gives a meaning escaped: an exact or
/// prefix match written as a regular expression (check and emit agree).
pub fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    Http,
    Http2,
    Grpc,
    Tcp,
    Tls,
}

impl Protocol {
    pub const ALL: [(&'static str, Protocol); 5] = [
        ("http", Protocol::Http),
        ("http2", Protocol::Http2),
        ("grpc", Protocol::Grpc),
        ("tcp", Protocol::Tcp),
        ("tls", Protocol::Tls),
    ];

    pub fn as_str(self) -> &'static str {
        Protocol::ALL
            .iter()
            .find(|(_, p)| *p == self)
            .map_or("", |(n, _)| n)
    }

    /// Istio's convention: a port named `grpc-web` or `http2` speaks that protocol.
    pub fn infer(port_name: &str) -> Protocol {
        let prefix = port_name.split('-').next().unwrap_or("");
        Protocol::ALL
            .iter()
            .find(|(n, _)| *n == prefix)
            .map_or(Protocol::Tcp, |(_, p)| *p)
    }

    pub fn is_http(self) -> bool {
        matches!(self, Protocol::Http | Protocol::Http2 | Protocol::Grpc)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Health {
    Http {
        path: Spanned<String>,
        port: Option<Name>,
    },
    Tcp {
        port: Name,
    },
    Grpc {
        port: Name,
    },
    /// A command run in the container; exit status 0 is healthy.
    Exec {
        command: Vec<Spanned<String>>,
        span: Span,
    },
}

/// One dependency edge: `service` or `service:port`.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    pub service: Name,
    pub port: Option<Name>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Ingress {
    pub host: Spanned<String>,
    pub paths: Vec<Spanned<String>>,
    pub tls_secret: Option<Name>,
    /// The host port `--target compose` publishes (the container port if unset).
    pub local_port: Option<Spanned<u32>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnvVar {
    pub name: Name,
    pub value: EnvValue,
}

#[derive(Clone, Debug, PartialEq)]
pub enum EnvValue {
    Plain(Spanned<String>),
    /// `{ secret: name/key }`: a reference to a key of a Kubernetes Secret.
    Secret {
        name: Name,
        key: String,
        span: Span,
    },
    /// `{ address: service:port }`: the callee's address on each target.
    Address {
        service: Name,
        port: Option<Name>,
        fqdn: bool,
        span: Span,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConfigFile {
    pub name: Name,
    pub path: Spanned<String>,
}

#[derive(Clone, Debug)]
pub struct Version {
    pub name: Name,
    pub source: Option<Source>,
    pub source_span: Option<Span>,
    pub calls: Vec<Call>,
    pub env: IndexMap<String, EnvVar>,
    pub replicas: Option<Spanned<u32>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Autoscale {
    pub min: Spanned<u32>,
    pub max: Spanned<u32>,
    pub cpu_percent: Option<Spanned<u32>>,
    pub span: Span,
}

/// A duration in milliseconds.
pub type Millis = u64;

/// A duration as Istio and users write it: `10s`, `250ms`, `1.5s`.
pub fn format_ms(ms: Millis) -> String {
    let (secs, frac) = (ms / 1000, ms % 1000);
    if frac == 0 {
        format!("{secs}s")
    } else if secs == 0 {
        format!("{frac}ms")
    } else {
        let digits = format!("{frac:03}");
        format!("{secs}.{}s", digits.trim_end_matches('0'))
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Traffic {
    pub split: Vec<SplitEntry>,
    pub split_span: Option<Span>,
    pub routes: Vec<Route>,
    pub timeout: Option<Spanned<Millis>>,
    pub retries: Option<Retries>,
    pub circuit_breaker: Option<CircuitBreaker>,
    pub connection_pool: Option<ConnectionPool>,
    pub mirror: Option<Mirror>,
    pub fault: Option<Fault>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SplitEntry {
    pub version: Name,
    pub weight: Spanned<i64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    pub matches: Option<Match>,
    pub to: Name,
    pub span: Span,
}

/// Request attributes a route or fault applies to; all given ones must match.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Match {
    pub headers: Vec<(Name, StringMatch)>,
    pub uri: Option<StringMatch>,
    pub method: Option<Spanned<String>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StringMatch {
    Exact(Spanned<String>),
    Prefix(Spanned<String>),
    Regex(Spanned<String>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Retries {
    pub attempts: Spanned<u32>,
    pub per_try_timeout: Option<Spanned<Millis>>,
    pub on: Vec<Spanned<String>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CircuitBreaker {
    pub consecutive_errors: Option<Spanned<u32>>,
    pub interval: Option<Spanned<Millis>>,
    pub ejection_time: Option<Spanned<Millis>>,
    pub max_ejection_percent: Option<Spanned<u32>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConnectionPool {
    pub max_connections: Option<Spanned<u32>>,
    pub max_pending_requests: Option<Spanned<u32>>,
    pub max_requests_per_connection: Option<Spanned<u32>>,
    pub connect_timeout: Option<Spanned<Millis>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Mirror {
    pub to: Name,
    pub percent: Spanned<u32>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    pub delay: Option<(Spanned<Millis>, Spanned<u32>)>,
    pub abort: Option<(Spanned<u16>, Spanned<u32>)>,
    pub matches: Option<Match>,
    pub span: Span,
}

/// An explicit, reasoned exception to one checkov check for one service.
#[derive(Clone, Debug, PartialEq)]
pub struct OptOut {
    pub check: Spanned<String>,
    pub reason: Spanned<String>,
}

#[derive(Clone, Debug)]
pub struct Environment {
    pub name: Name,
    pub services: IndexMap<String, ServiceOverride>,
}

/// What an environment may change about one service.
#[derive(Clone, Debug)]
pub struct ServiceOverride {
    pub name: Name,
    pub image: Option<Spanned<String>>,
    pub replicas: Option<Spanned<u32>>,
    pub resources: Resources,
    pub env: IndexMap<String, EnvVar>,
    pub autoscale: Option<Autoscale>,
    pub ingress_host: Option<Spanned<String>>,
    pub traffic: Option<Traffic>,
    pub versions: IndexMap<String, VersionOverride>,
}

#[derive(Clone, Debug)]
pub struct VersionOverride {
    pub name: Name,
    pub image: Option<Spanned<String>>,
    pub replicas: Option<Spanned<u32>>,
}

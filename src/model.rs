//! The target-neutral model: what `lower` produces and every emitter reads.
//!
//! Defaults are applied, the environment overlay is merged, every reference
//! is resolved (calls to service indices, health checks to port numbers,
//! config files to their contents), so emitters never look anything up in
//! the AST and never fail. Spans are kept where `diff` or a later diagnostic
//! may want to point back at the description.

use crate::ast::{Access, Millis, Protocol, Runtime};
use crate::source::Span;
use indexmap::IndexMap;

#[derive(Clone, Debug)]
pub struct App {
    pub name: String,
    pub namespace: String,
    pub mesh: Mesh,
    pub routing: Routing,
    /// `gatewayClassName` of the Gateway API ingress Gateway.
    pub gateway_class: String,
    pub trust_domain: String,
    /// In declaration order; `ServiceId` indexes this.
    pub services: Vec<Service>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mesh {
    Istio,
    Linkerd,
    None,
}

impl Mesh {
    pub fn as_str(self) -> &'static str {
        match self {
            Mesh::Istio => "istio",
            Mesh::Linkerd => "linkerd",
            Mesh::None => "none",
        }
    }
}

/// Which API carries routing. Always `GatewayApi` with Linkerd.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Routing {
    Native,
    GatewayApi,
}

/// Index of a service in [`App::services`].
pub type ServiceId = usize;

#[derive(Clone, Debug)]
pub struct Service {
    pub name: String,
    pub span: Span,
    pub ports: Vec<Port>,
    /// One per version, or exactly one unversioned workload.
    pub workloads: Vec<Workload>,
    /// Whether the service declares `versions` (workloads carry a version label).
    pub versioned: bool,
    /// Services this one calls (any version), deduplicated, in first-call order.
    pub calls: Vec<ServiceId>,
    /// The ports a call is narrowed to (`calls: [api:http]`), by port name;
    /// a callee absent here is called on every port.
    pub call_ports: IndexMap<ServiceId, Vec<String>>,
    /// Services that call this one, in service order.
    pub callers: Vec<ServiceId>,
    pub health: Option<Probe>,
    pub ingress: Option<Ingress>,
    /// Files mounted read-only under [`CONFIG_DIR`], in declaration order.
    pub config: Vec<ConfigFile>,
    pub autoscale: Option<Autoscale>,
    pub resources: Resources,
    /// Present when the description sets any traffic policy.
    pub traffic: Option<Traffic>,
    /// Persistent volumes: when non-empty the workloads are StatefulSets.
    pub storage: Vec<Volume>,
    /// Reasoned checkov exceptions, applied to every resource of the service.
    pub opt_outs: Vec<OptOut>,
}

/// Where config files are mounted in the container.
pub const CONFIG_DIR: &str = "/etc/meshc/config";
/// The fixed non-root user every container runs as.
pub const RUN_AS_USER: u32 = 10001;

#[derive(Clone, Debug, PartialEq)]
pub struct Port {
    pub name: String,
    /// The container's port (`targetPort`).
    pub number: u16,
    /// The port of the Service callers address (`number` unless set apart).
    pub service_port: u16,
    pub protocol: Protocol,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Volume {
    pub name: String,
    pub path: String,
    /// A Kubernetes quantity, `1Gi` by default.
    pub size: String,
    pub access: Access,
}

#[derive(Clone, Debug)]
pub struct Workload {
    /// `<service>-<version>`, or `<service>` when unversioned.
    pub name: String,
    pub version: Option<String>,
    pub image: String,
    /// Set when the image is built from source by a generated Dockerfile.
    pub build: Option<Build>,
    /// Set instead of `build` when the team's own Dockerfile builds the image.
    pub own_build: Option<OwnBuild>,
    pub replicas: u32,
    /// Services this workload calls: the service's calls and its version's,
    /// in first-call order (a subset of [`Service::calls`]).
    pub calls: Vec<ServiceId>,
    /// Service env first, then the version's additions, overlay applied.
    pub env: Vec<EnvVar>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Build {
    pub runtime: Runtime,
    /// Relative to the description's directory, `/`-separated, no `..`.
    pub context: String,
    pub command: Vec<String>,
    pub images: StageImages,
}

/// The images a generated Dockerfile's stages start `FROM`: the runtime's
/// defaults (or `build.base`), with the image lock's digest where it has one.
#[derive(Clone, Debug, PartialEq)]
pub struct StageImages {
    /// The build stage's toolchain.
    pub build: String,
    /// The health probe's build stage.
    pub probe: String,
    /// The runtime stage's base: `build.base`, or the runtime's default.
    pub runtime: String,
}

/// An image built by the team's Dockerfile, used as it is.
#[derive(Clone, Debug, PartialEq)]
pub struct OwnBuild {
    /// Relative to the description's directory, `/`-separated, no `..`.
    pub context: String,
    /// Relative to `context`.
    pub dockerfile: String,
    pub target: Option<String>,
    pub args: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnvVar {
    pub name: String,
    pub value: EnvValue,
}

#[derive(Clone, Debug, PartialEq)]
pub enum EnvValue {
    Plain(String),
    Secret {
        name: String,
        key: String,
    },
    /// Another service's address, which each target writes its own way.
    Address {
        service: String,
        /// The Service port (Kubernetes, the meshes).
        service_port: u16,
        /// The container port (Compose, where there is no Service in between).
        container_port: u16,
        fqdn: bool,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Probe {
    Http { path: String, port: Port },
    Tcp { port: Port },
    Grpc { port: Port },
    Exec { command: Vec<String> },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Ingress {
    pub host: String,
    pub paths: Vec<String>,
    pub tls_secret: Option<String>,
    /// The host port the Compose file publishes `port` on.
    pub local_port: u16,
    /// The port traffic from outside is sent to (the service's first HTTP port).
    pub port: Port,
    /// The service whose Gateway serves `host`: the first service with an
    /// ingress on that host (this one, or an earlier one sharing it).
    pub gateway_owner: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConfigFile {
    pub name: String,
    pub data: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Autoscale {
    pub min: u32,
    pub max: u32,
    pub cpu_percent: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Resources {
    pub cpu: String,
    pub memory: String,
    pub cpu_limit: String,
    pub memory_limit: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Traffic {
    /// Header/URI routes, tried in order before the split.
    pub routes: Vec<Route>,
    /// Version → percentage, adding up to 100; empty means "every version"
    /// (plain Service load balancing).
    pub split: Vec<(String, u32)>,
    pub timeout: Option<Millis>,
    pub retries: Option<Retries>,
    pub circuit_breaker: Option<CircuitBreaker>,
    pub connection_pool: Option<ConnectionPool>,
    pub mirror: Option<Mirror>,
    pub fault: Option<Fault>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    pub matches: Match,
    pub to: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Match {
    pub headers: Vec<(String, StringMatch)>,
    pub uri: Option<StringMatch>,
    pub method: Option<String>,
}

impl Match {
    pub fn is_empty(&self) -> bool {
        self.headers.is_empty() && self.uri.is_none() && self.method.is_none()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum StringMatch {
    Exact(String),
    Prefix(String),
    Regex(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Retries {
    /// 0 disables retries, Istio's implicit ones included.
    pub attempts: u32,
    pub per_try_timeout: Option<Millis>,
    pub on: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CircuitBreaker {
    pub consecutive_errors: u32,
    pub interval: Millis,
    pub ejection_time: Millis,
    pub max_ejection_percent: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConnectionPool {
    pub max_connections: Option<u32>,
    pub max_pending_requests: Option<u32>,
    pub max_requests_per_connection: Option<u32>,
    pub connect_timeout: Option<Millis>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Mirror {
    pub to: String,
    pub percent: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    pub delay: Option<(Millis, u32)>,
    pub abort: Option<(u16, u32)>,
    pub matches: Match,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OptOut {
    pub check: String,
    pub reason: String,
}

impl App {
    /// The id of a service borrowed from [`App::services`], in constant time
    /// (emitters get `&Service`; a search per service would be quadratic).
    pub fn id_of(&self, svc: &Service) -> Option<ServiceId> {
        let size = std::mem::size_of::<Service>();
        let start = self.services.as_ptr() as usize;
        let at = std::ptr::from_ref(svc) as usize;
        let offset = at.checked_sub(start)?;
        let id = offset / size;
        (offset % size == 0 && id < self.services.len()).then_some(id)
    }

    /// The ports of `callee` that `caller` calls: the narrowed ones, or all.
    pub fn called_ports<'a>(&'a self, caller: &Service, callee: ServiceId) -> Vec<&'a Port> {
        let ports = &self.services[callee].ports;
        match caller.call_ports.get(&callee) {
            Some(names) => ports.iter().filter(|p| names.contains(&p.name)).collect(),
            None => ports.iter().collect(),
        }
    }

    /// Fully qualified host of a service, as mesh routing rules must name it.
    pub fn host(&self, svc: &Service) -> String {
        format!("{}.{}.svc.cluster.local", svc.name, self.namespace)
    }

    /// A workload identity in SPIFFE form without the scheme, as Istio's
    /// `source.principals` wants it.
    pub fn principal(&self, svc: &Service) -> String {
        format!(
            "{}/ns/{}/sa/{}",
            self.trust_domain, self.namespace, svc.name
        )
    }
}

//! The shape of the input format, as data: every object, its fields, their
//! types and documentation. The decoder asks for fields through these tables
//! (so it cannot accept a field the schema lacks) and suggests their names for
//! typos; `meshc schema` turns the same tables into JSON Schema.

use serde_json::{Map, Value, json};

pub struct Object {
    pub name: &'static str,
    pub doc: &'static str,
    pub fields: &'static [Field],
    pub required: &'static [&'static str],
}

pub struct Field {
    pub name: &'static str,
    pub doc: &'static str,
    pub ty: Ty,
}

pub enum Ty {
    Str,
    /// A string that must match a regular expression (documented, checked by the decoder).
    Pattern(&'static str),
    /// An integer in an inclusive range.
    Int(i64, i64),
    Duration,
    Quantity,
    Enum(&'static [&'static str]),
    List(&'static Ty),
    /// A map from user-chosen names to values.
    Map(&'static Ty),
    Object(&'static Object),
    OneOf(&'static [Ty]),
}

impl Object {
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// How messages name this object: the root is "the description", others `name`.
    pub fn what(&self) -> String {
        if std::ptr::eq(self, &DESCRIPTION) {
            "the description".to_string()
        } else {
            format!("`{}`", self.name)
        }
    }

    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.fields.iter().map(|f| f.name)
    }
}

const fn f(name: &'static str, doc: &'static str, ty: Ty) -> Field {
    Field { name, doc, ty }
}

pub const DNS_LABEL: &str = "^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$";
const DURATION_RE: &str = "^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$";
const URL_PATH_RE: &str = "^/[^\\s]*$";
const QUANTITY_RE: &str = "^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$";

pub static RESOURCES: Object = Object {
    name: "resources",
    doc: "CPU and memory requests and limits (Kubernetes quantities).",
    required: &[],
    fields: &[
        f("cpu", "CPU request, e.g. `100m`.", Ty::Quantity),
        f("memory", "Memory request, e.g. `128Mi`.", Ty::Quantity),
        f("cpu_limit", "CPU limit, e.g. `500m`.", Ty::Quantity),
        f("memory_limit", "Memory limit, e.g. `256Mi`.", Ty::Quantity),
    ],
};

pub static DEFAULTS: Object = Object {
    name: "defaults",
    doc: "Settings applied to every service unless it overrides them.",
    required: &[],
    fields: &[
        f("replicas", "Replicas per workload.", Ty::Int(0, 1000)),
        f("resources", "Requests and limits.", Ty::Object(&RESOURCES)),
    ],
};

pub static BUILD: Object = Object {
    name: "build",
    doc: "Build the image from source: with `runtime`, meshc generates the Dockerfile; without it, the team's own Dockerfile in `context` is used as it is.",
    required: &["context"],
    fields: &[
        f(
            "runtime",
            "Language runtime; picks the Dockerfile template (absent: use `dockerfile`).",
            Ty::Enum(&["node", "python", "go", "rust", "java", "static"]),
        ),
        f(
            "context",
            "Build context, relative to the description's directory.",
            Ty::Str,
        ),
        f(
            "command",
            "The container's command, exec form.",
            Ty::List(&Ty::Str),
        ),
        f("base", "Override the runtime's pinned base image.", Ty::Str),
        f(
            "image",
            "Name and tag the built image is pushed as (default `<app>/<workload>:dev`).",
            Ty::Str,
        ),
        f(
            "dockerfile",
            "The team's Dockerfile, relative to `context` (default `Dockerfile`); only without `runtime`.",
            Ty::Str,
        ),
        f(
            "target",
            "Stage of a multi-stage Dockerfile to build; only without `runtime`.",
            Ty::Str,
        ),
        f(
            "args",
            "Build arguments (`--build-arg`); only without `runtime`.",
            Ty::Map(&Ty::Str),
        ),
    ],
};

pub static PORT_OBJECT: Object = Object {
    name: "port",
    doc: "A port with an explicit protocol.",
    required: &["port"],
    fields: &[
        f("port", "The container's port number.", Ty::Int(1, 65535)),
        f(
            "service_port",
            "The port callers use on the Service, when it differs from the container's (default: the same).",
            Ty::Int(1, 65535),
        ),
        f(
            "protocol",
            "Application protocol; inferred from the port's name when absent.",
            Ty::Enum(&["http", "http2", "grpc", "tcp", "tls"]),
        ),
    ],
};

pub static PORT: Ty = Ty::OneOf(&[Ty::Int(1, 65535), Ty::Object(&PORT_OBJECT)]);

pub static HEALTH: Object = Object {
    name: "health",
    doc: "Readiness and liveness probe: exactly one of `http`, `tcp`, `grpc` or `exec`.",
    required: &[],
    fields: &[
        f(
            "http",
            "HTTP GET path, e.g. `/health`.",
            Ty::Pattern(URL_PATH_RE),
        ),
        f(
            "tcp",
            "Name of the port to open a TCP connection to.",
            Ty::Str,
        ),
        f(
            "grpc",
            "Name of the gRPC port serving grpc.health.v1.",
            Ty::Str,
        ),
        f(
            "exec",
            "Command run in the container, exec form; exit status 0 is healthy (for workers without ports).",
            Ty::List(&Ty::Str),
        ),
        f(
            "port",
            "Port name for the `http` check (default: the first port).",
            Ty::Str,
        ),
    ],
};

pub static INGRESS: Object = Object {
    name: "ingress",
    doc: "Expose the service outside the cluster.",
    required: &["host"],
    fields: &[
        f("host", "Public host name.", Ty::Str),
        f(
            "paths",
            "URL path prefixes routed to the service (default `/`).",
            Ty::List(&Ty::Pattern(URL_PATH_RE)),
        ),
        f(
            "tls_secret",
            "Name of the TLS Secret holding the certificate.",
            Ty::Str,
        ),
        f(
            "local_port",
            "Host port the Compose target publishes the service on (default: its container port).",
            Ty::Int(1, 65535),
        ),
    ],
};

pub static SECRET_REF: Object = Object {
    name: "secret reference",
    doc: "A key of a Kubernetes Secret.",
    required: &["secret"],
    fields: &[f(
        "secret",
        "`secret-name/key`.",
        Ty::Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?/[-._a-zA-Z0-9]+$"),
    )],
};

pub static ADDRESS_REF: Object = Object {
    name: "address reference",
    doc: "The address of a service of this description, written for each target; implies the call.",
    required: &["address"],
    fields: &[
        f(
            "address",
            "`service` or `service:port` (port name; optional when the service has one port).",
            Ty::Pattern("^[a-z]([-a-z0-9]{0,61}[a-z0-9])?(:[a-z0-9]([-a-z0-9]*[a-z0-9])?)?$"),
        ),
        f(
            "form",
            "`short` (`cart:7070`, the default) or `fqdn` (`cart.shop.svc.cluster.local:7070` on Kubernetes).",
            Ty::Enum(&["short", "fqdn"]),
        ),
    ],
};

pub static ENV_VALUE: Ty = Ty::OneOf(&[Ty::Str, Ty::Object(&SECRET_REF), Ty::Object(&ADDRESS_REF)]);

pub static STORAGE: Object = Object {
    name: "storage",
    doc: "A persistent volume mounted into the service's pods; the service becomes a StatefulSet (a named volume in Compose).",
    required: &["path"],
    fields: &[
        f(
            "path",
            "Mount path in the container.",
            Ty::Pattern(URL_PATH_RE),
        ),
        f("size", "Requested size (default `1Gi`).", Ty::Quantity),
        f(
            "access",
            "Access mode (default `ReadWriteOnce`).",
            Ty::Enum(&[
                "ReadWriteOnce",
                "ReadWriteOncePod",
                "ReadOnlyMany",
                "ReadWriteMany",
            ]),
        ),
    ],
};

pub static VERSION: Object = Object {
    name: "version",
    doc: "One version of a service: its own Deployment, selected by the `version` label.",
    required: &[],
    fields: &[
        f("image", "Container image to deploy.", Ty::Str),
        f("build", "Build the image from source.", Ty::Object(&BUILD)),
        f(
            "calls",
            "Services this version calls, in addition to the service's.",
            Ty::List(&Ty::Str),
        ),
        f(
            "env",
            "Environment variables added to the service's.",
            Ty::Map(&ENV_VALUE),
        ),
        f("replicas", "Replicas of this version.", Ty::Int(0, 1000)),
    ],
};

pub static AUTOSCALE: Object = Object {
    name: "autoscale",
    doc: "A HorizontalPodAutoscaler on CPU.",
    required: &["min", "max"],
    fields: &[
        f("min", "Minimum replicas.", Ty::Int(1, 1000)),
        f("max", "Maximum replicas.", Ty::Int(1, 1000)),
        f(
            "cpu_percent",
            "Target average CPU utilisation (default 80).",
            Ty::Int(1, 100),
        ),
    ],
};

pub static STRING_MATCH_OBJECT: Object = Object {
    name: "string match",
    doc: "Exactly one of `exact`, `prefix` or `regex`.",
    required: &[],
    fields: &[
        f("exact", "Equal to.", Ty::Str),
        f("prefix", "Starts with.", Ty::Str),
        f("regex", "Matches the RE2 regular expression.", Ty::Str),
    ],
};

pub static STRING_MATCH: Ty = Ty::OneOf(&[Ty::Str, Ty::Object(&STRING_MATCH_OBJECT)]);

pub static MATCH: Object = Object {
    name: "match",
    doc: "Request attributes; all given ones must match.",
    required: &[],
    fields: &[
        f(
            "headers",
            "Header name to value (a string is an exact match).",
            Ty::Map(&STRING_MATCH),
        ),
        f("uri", "Request path.", STRING_MATCH_REF),
        f(
            "method",
            "HTTP method.",
            Ty::Enum(&["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]),
        ),
    ],
};

// `Ty` is not Copy, so a field that reuses STRING_MATCH's shape spells it again.
const STRING_MATCH_REF: Ty = Ty::OneOf(&[Ty::Str, Ty::Object(&STRING_MATCH_OBJECT)]);

pub static ROUTE: Object = Object {
    name: "route",
    doc: "Send matching requests to one version. Routes are tried in order; one without `match` catches everything.",
    required: &["to"],
    fields: &[
        f("match", "Which requests (absent: all).", Ty::Object(&MATCH)),
        f("to", "Version receiving the requests.", Ty::Str),
    ],
};

pub static RETRIES: Object = Object {
    name: "retries",
    doc: "Retry policy. `attempts: 0` disables retries, including Istio's implicit ones.",
    required: &["attempts"],
    fields: &[
        f("attempts", "Retries after the first try.", Ty::Int(0, 100)),
        f("per_try_timeout", "Timeout of each try.", Ty::Duration),
        f(
            "on",
            "Envoy retry conditions (`5xx`, `connect-failure`, …) or status codes.",
            Ty::List(&Ty::Str),
        ),
    ],
};

pub static CIRCUIT_BREAKER: Object = Object {
    name: "circuit_breaker",
    doc: "Outlier detection: eject hosts that keep failing.",
    required: &[],
    fields: &[
        f(
            "consecutive_errors",
            "5xx errors in a row before ejection (default 5).",
            Ty::Int(0, 10000),
        ),
        f(
            "interval",
            "How often hosts are analysed (default 10s).",
            Ty::Duration,
        ),
        f(
            "ejection_time",
            "Base ejection time (default 30s).",
            Ty::Duration,
        ),
        f(
            "max_ejection_percent",
            "Most hosts ejected at once (default 10).",
            Ty::Int(0, 100),
        ),
    ],
};

pub static CONNECTION_POOL: Object = Object {
    name: "connection_pool",
    doc: "Limits on connections and requests to the service.",
    required: &[],
    fields: &[
        f("max_connections", "TCP connections.", Ty::Int(1, 1_000_000)),
        f(
            "max_pending_requests",
            "Queued HTTP requests.",
            Ty::Int(1, 1_000_000),
        ),
        f(
            "max_requests_per_connection",
            "Requests before a connection is recycled.",
            Ty::Int(1, 1_000_000),
        ),
        f("connect_timeout", "TCP connect timeout.", Ty::Duration),
    ],
};

pub static MIRROR: Object = Object {
    name: "mirror",
    doc: "Copy a share of the traffic to another version; its responses are discarded.",
    required: &["to", "percent"],
    fields: &[
        f("to", "Version receiving the copies.", Ty::Str),
        f("percent", "Share of requests copied.", Ty::Int(0, 100)),
    ],
};

pub static DELAY: Object = Object {
    name: "delay",
    doc: "Delay a share of requests.",
    required: &["fixed", "percent"],
    fields: &[
        f("fixed", "Delay.", Ty::Duration),
        f("percent", "Share of requests delayed.", Ty::Int(0, 100)),
    ],
};

pub static ABORT: Object = Object {
    name: "abort",
    doc: "Fail a share of requests with an HTTP status.",
    required: &["status", "percent"],
    fields: &[
        f("status", "HTTP status returned.", Ty::Int(200, 599)),
        f("percent", "Share of requests aborted.", Ty::Int(0, 100)),
    ],
};

pub static FAULT: Object = Object {
    name: "fault",
    doc: "Fault injection for testing resilience.",
    required: &[],
    fields: &[
        f("delay", "Inject latency.", Ty::Object(&DELAY)),
        f("abort", "Inject errors.", Ty::Object(&ABORT)),
        f("match", "Only for matching requests.", Ty::Object(&MATCH)),
    ],
};

pub static TRAFFIC: Object = Object {
    name: "traffic",
    doc: "Traffic policy for requests to this service.",
    required: &[],
    fields: &[
        f(
            "split",
            "Version to percentage of traffic; must add up to 100.",
            Ty::Map(&Ty::Int(0, 100)),
        ),
        f(
            "routes",
            "Routes tried before the split, in order.",
            Ty::List(&Ty::Object(&ROUTE)),
        ),
        f("timeout", "Overall request timeout.", Ty::Duration),
        f("retries", "Retry policy.", Ty::Object(&RETRIES)),
        f(
            "circuit_breaker",
            "Outlier detection.",
            Ty::Object(&CIRCUIT_BREAKER),
        ),
        f(
            "connection_pool",
            "Connection limits.",
            Ty::Object(&CONNECTION_POOL),
        ),
        f("mirror", "Traffic mirroring.", Ty::Object(&MIRROR)),
        f("fault", "Fault injection.", Ty::Object(&FAULT)),
    ],
};

pub static OPT_OUT: Object = Object {
    name: "opt_out",
    doc: "An explicit exception to one checkov check, with the reason written into the resource.",
    required: &["check", "reason"],
    fields: &[
        f(
            "check",
            "Checkov check id, e.g. `CKV_K8S_43`.",
            Ty::Pattern("^CKV2?_[A-Z0-9]+_[0-9]+$"),
        ),
        f("reason", "Why the exception is justified.", Ty::Str),
    ],
};

pub static SERVICE: Object = Object {
    name: "service",
    doc: "One service: a Kubernetes Service and its Deployments.",
    required: &[],
    fields: &[
        f("image", "Container image to deploy.", Ty::Str),
        f("build", "Build the image from source.", Ty::Object(&BUILD)),
        f(
            "replicas",
            "Replicas (default from `defaults`).",
            Ty::Int(0, 1000),
        ),
        f("resources", "Requests and limits.", Ty::Object(&RESOURCES)),
        f(
            "ports",
            "Port name to number or `{ port, protocol }`.",
            Ty::Map(&PORT),
        ),
        f(
            "health",
            "Readiness and liveness probe.",
            Ty::Object(&HEALTH),
        ),
        f(
            "calls",
            "Services this one calls: `name` or `name:port`.",
            Ty::List(&Ty::Str),
        ),
        f(
            "ingress",
            "Expose outside the cluster.",
            Ty::Object(&INGRESS),
        ),
        f(
            "env",
            "Environment variables: a value, `{ secret: name/key }` or `{ address: service:port }`.",
            Ty::Map(&ENV_VALUE),
        ),
        f(
            "config",
            "File name to local path, mounted read-only from a ConfigMap.",
            Ty::Map(&Ty::Str),
        ),
        f(
            "versions",
            "Versions, one Deployment each.",
            Ty::Map(&Ty::Object(&VERSION)),
        ),
        f(
            "autoscale",
            "Horizontal autoscaling.",
            Ty::Object(&AUTOSCALE),
        ),
        f("traffic", "Traffic policy.", Ty::Object(&TRAFFIC)),
        f(
            "storage",
            "Persistent volumes by name; makes the service a StatefulSet.",
            Ty::Map(&Ty::Object(&STORAGE)),
        ),
        f(
            "opt_outs",
            "Reasoned exceptions to security checks.",
            Ty::List(&Ty::Object(&OPT_OUT)),
        ),
    ],
};

pub static VERSION_OVERRIDE: Object = Object {
    name: "version override",
    doc: "What an environment may change about one version.",
    required: &[],
    fields: &[
        f("image", "Image (e.g. another tag).", Ty::Str),
        f("replicas", "Replicas.", Ty::Int(0, 1000)),
    ],
};

pub static SERVICE_OVERRIDE: Object = Object {
    name: "service override",
    doc: "What an environment may change about one service.",
    required: &[],
    fields: &[
        f("image", "Image (e.g. another tag).", Ty::Str),
        f("replicas", "Replicas.", Ty::Int(0, 1000)),
        f(
            "resources",
            "Requests and limits, merged field by field.",
            Ty::Object(&RESOURCES),
        ),
        f(
            "env",
            "Environment variables, merged by name.",
            Ty::Map(&ENV_VALUE),
        ),
        f(
            "autoscale",
            "Autoscaling (replaces the service's).",
            Ty::Object(&AUTOSCALE),
        ),
        f("ingress_host", "Ingress host name.", Ty::Str),
        f(
            "traffic",
            "Traffic settings, merged field by field.",
            Ty::Object(&TRAFFIC),
        ),
        f(
            "versions",
            "Per-version overrides.",
            Ty::Map(&Ty::Object(&VERSION_OVERRIDE)),
        ),
    ],
};

pub static ENVIRONMENT: Object = Object {
    name: "environment",
    doc: "A named overlay applied with `meshc build --env NAME`.",
    required: &[],
    fields: &[f(
        "services",
        "Service name to overrides.",
        Ty::Map(&Ty::Object(&SERVICE_OVERRIDE)),
    )],
};

pub static DESCRIPTION: Object = Object {
    name: "description",
    doc: "A meshc application description.",
    required: &["app", "services"],
    fields: &[
        f(
            "app",
            "Application name; becomes the `app.kubernetes.io/part-of` label.",
            Ty::Pattern(DNS_LABEL),
        ),
        f(
            "namespace",
            "Kubernetes namespace (default: the app name).",
            Ty::Pattern(DNS_LABEL),
        ),
        f(
            "mesh",
            "Service mesh to generate for (default `istio`; `meshc build --mesh` overrides it).",
            Ty::Enum(&["istio", "linkerd", "none"]),
        ),
        f(
            "routing",
            "Routing API: the mesh's own resources (`native`, the default) or the Kubernetes Gateway API (`gateway-api`; always with Linkerd).",
            Ty::Enum(&["native", "gateway-api"]),
        ),
        f(
            "gateway_class",
            "`gatewayClassName` of the Gateway API ingress Gateway (default `istio` with Istio, `envoy-gateway` otherwise).",
            Ty::Pattern(DNS_LABEL),
        ),
        f(
            "trust_domain",
            "Mesh trust domain for workload identities (default `cluster.local`).",
            Ty::Str,
        ),
        f(
            "max_attempts",
            "Worst-case attempts one entry request may cause at any service, retries multiplied along call chains (implicit mesh retries included), above which `check` warns (M308; default 10).",
            Ty::Int(1, 1_000_000),
        ),
        f(
            "defaults",
            "Defaults for every service.",
            Ty::Object(&DEFAULTS),
        ),
        f(
            "services",
            "Services by name.",
            Ty::Map(&Ty::Object(&SERVICE)),
        ),
        f(
            "environments",
            "Named overlays.",
            Ty::Map(&Ty::Object(&ENVIRONMENT)),
        ),
    ],
};

/// The JSON Schema (draft 2020-12) of the input format.
pub fn json_schema() -> Value {
    let mut defs = Map::new();
    let root = object_schema(&DESCRIPTION, &mut defs);
    let mut schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://meshc.dev/schemas/meshc.schema.json",
        "title": "meshc application description",
    });
    if let (Some(s), Value::Object(r)) = (schema.as_object_mut(), root) {
        s.extend(r);
        s.insert("$defs".into(), Value::Object(defs));
    }
    schema
}

/// The schema as the text of `schemas/meshc.schema.json`.
pub fn schema_text() -> String {
    let mut s = serde_json::to_string_pretty(&json_schema()).unwrap_or_default();
    s.push('\n');
    s
}

fn def_name(o: &Object) -> String {
    o.name.replace(' ', "_")
}

fn object_schema(o: &'static Object, defs: &mut Map<String, Value>) -> Value {
    let mut props = Map::new();
    for field in o.fields {
        let mut s = ty_schema(&field.ty, defs);
        if let Value::Object(m) = &mut s {
            m.insert("description".into(), field.doc.into());
        }
        props.insert(field.name.into(), s);
    }
    let mut out = json!({
        "type": "object",
        "description": o.doc,
        "properties": props,
        "additionalProperties": false,
    });
    if !o.required.is_empty() {
        out["required"] = json!(o.required);
    }
    out
}

fn ty_schema(ty: &'static Ty, defs: &mut Map<String, Value>) -> Value {
    match ty {
        Ty::Str => json!({"type": "string"}),
        Ty::Pattern(p) => json!({"type": "string", "pattern": p}),
        Ty::Int(min, max) => json!({"type": "integer", "minimum": min, "maximum": max}),
        Ty::Duration => json!({"type": "string", "pattern": DURATION_RE}),
        Ty::Quantity => json!({"type": ["string", "number"], "pattern": QUANTITY_RE}),
        Ty::Enum(values) => json!({"enum": values}),
        Ty::List(item) => json!({"type": "array", "items": ty_schema(item, defs)}),
        Ty::Map(value) => json!({
            "type": "object",
            "propertyNames": {"pattern": "^[^\\s]+$"},
            "additionalProperties": ty_schema(value, defs),
        }),
        Ty::Object(o) => {
            let name = def_name(o);
            if !defs.contains_key(&name) {
                defs.insert(name.clone(), Value::Null);
                let s = object_schema(o, defs);
                defs.insert(name.clone(), s);
            }
            json!({"$ref": format!("#/$defs/{name}")})
        }
        Ty::OneOf(options) => json!({
            "oneOf": options.iter().map(|t| ty_schema(t, defs)).collect::<Vec<_>>()
        }),
    }
}

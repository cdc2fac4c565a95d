//! What a service runs and how it is reached: resources, the image or
//! build, ports, health, ingress, env values, storage, versions and
//! autoscaling.

use super::*;

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

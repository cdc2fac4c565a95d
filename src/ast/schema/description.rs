//! The description's top level: its services (with their opt-outs) and
//! the environments that override them.

use super::*;

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

//! One decode function per AST type, each reading the fields of its shape.

mod traffic;
mod workload;

use super::decode::{self as dec, Decoder, Obj, name};
use super::*;
use crate::diag::{Code, Diagnostic};
use crate::syntax::Node;
use traffic::traffic;
use workload::{build, env, health, port, storage};

const REPLICAS: (i64, i64) = (0, 1000);

pub fn description(d: &mut Decoder, root: &Node) -> Description {
    let mut desc = Description {
        span: root.span,
        ..Description::default()
    };
    let Some(o) = d.object(root, &dec::DESCRIPTION) else {
        return desc;
    };
    desc.app = o.get("app").and_then(|n| d.string(n, "`app`"));
    desc.namespace = o.get("namespace").and_then(|n| d.string(n, "`namespace`"));
    desc.mesh = o
        .get("mesh")
        .and_then(|n| d.choice(n, "mesh", &Mesh::ALL, Code::InvalidValue));
    desc.routing = o
        .get("routing")
        .and_then(|n| d.choice(n, "routing", &Routing::ALL, Code::InvalidValue));
    desc.gateway_class = o
        .get("gateway_class")
        .and_then(|n| d.string(n, "`gateway_class`"));
    desc.trust_domain = o
        .get("trust_domain")
        .and_then(|n| d.string(n, "`trust_domain`"));
    desc.max_attempts = o
        .get("max_attempts")
        .and_then(|n| d.uint(n, "`max_attempts`", (1, 1_000_000), Code::InvalidValue));
    if let Some(n) = o.get("defaults")
        && let Some(od) = d.object(n, &dec::DEFAULTS)
    {
        desc.defaults.replicas = replicas(d, &od);
        desc.defaults.resources = resources(d, od.get("resources"));
    }
    if let Some(n) = o.get("services") {
        let entries = d.entries(n, "`services`");
        if entries.len() > crate::syntax::MAX_SERVICES {
            let key = o.key("services").map_or(n.span, |k| k.span);
            d.report(
                Diagnostic::new(
                    Code::UnreadableInput,
                    key,
                    format!(
                        "the description is too large: it has {} services, more than the {} meshc builds at once",
                        entries.len(),
                        crate::syntax::MAX_SERVICES
                    ),
                )
                .label("too many services")
                .help("split the application into several descriptions"),
            );
            return desc;
        }
        // Services decode independently: one decoder per core, their
        // findings joined in file order, as one decoder would have them.
        let decoded = crate::par::map(&entries, |(key, node)| {
            let mut own = Decoder::default();
            let svc = service(&mut own, name(key), node);
            (svc, own.diags)
        });
        desc.services.reserve(decoded.len());
        for ((key, _), (svc, diags)) in entries.iter().zip(decoded) {
            d.diags.extend(diags);
            desc.services.insert(key.name.clone(), svc);
        }
    }
    if let Some(n) = o.get("environments") {
        for (key, node) in d.entries(n, "`environments`") {
            let env = environment(d, name(key), node);
            desc.environments.insert(key.name.clone(), env);
        }
    }
    desc
}

fn replicas(d: &mut Decoder, o: &Obj) -> Option<Spanned<u32>> {
    o.get("replicas")
        .and_then(|n| d.uint(n, "`replicas`", REPLICAS, Code::AutoscaleRange))
}

fn resources(d: &mut Decoder, node: Option<&Node>) -> Resources {
    let Some(o) = node.and_then(|n| d.object(n, &dec::RESOURCES)) else {
        return Resources::default();
    };
    let mut q =
        |field: &str, what: &str, cpu: bool| o.get(field).and_then(|n| d.quantity(n, what, cpu));
    Resources {
        cpu: q("cpu", "`cpu`", true),
        memory: q("memory", "`memory`", false),
        cpu_limit: q("cpu_limit", "`cpu_limit`", true),
        memory_limit: q("memory_limit", "`memory_limit`", false),
    }
}

fn service(d: &mut Decoder, name: Name, node: &Node) -> Service {
    let mut svc = Service {
        name,
        source: None,
        source_span: None,
        replicas: None,
        resources: Resources::default(),
        ports: IndexMap::new(),
        ports_span: None,
        health: None,
        calls: Vec::new(),
        ingress: None,
        env: IndexMap::new(),
        config: IndexMap::new(),
        versions: IndexMap::new(),
        autoscale: None,
        traffic: None,
        storage: IndexMap::new(),
        opt_outs: Vec::new(),
    };
    let Some(o) = d.object(node, &dec::SERVICE) else {
        return svc;
    };
    svc.source = source(d, &o);
    svc.source_span = source_span(&o);
    svc.replicas = replicas(d, &o);
    svc.resources = resources(d, o.get("resources"));
    svc.ports_span = o.key("ports").map(|k| k.span);
    if let Some(n) = o.get("ports") {
        for (key, node) in d.entries(n, "`ports`") {
            if let Some(p) = port(d, self::name(key), node) {
                svc.ports.insert(key.name.clone(), p);
            }
        }
    }
    svc.health = o.get("health").and_then(|n| health(d, n));
    svc.calls = o.get("calls").map(|n| calls(d, n)).unwrap_or_default();
    svc.ingress = o.get("ingress").and_then(|n| ingress(d, n));
    svc.env = o.get("env").map(|n| env(d, n)).unwrap_or_default();
    if let Some(n) = o.get("config") {
        for (key, node) in d.entries(n, "`config`") {
            if let Some(path) = d.string(node, "a config file path") {
                svc.config.insert(
                    key.name.clone(),
                    ConfigFile {
                        name: self::name(key),
                        path,
                    },
                );
            }
        }
    }
    if let Some(n) = o.get("versions") {
        for (key, node) in d.entries(n, "`versions`") {
            let v = version(d, self::name(key), node);
            svc.versions.insert(key.name.clone(), v);
        }
    }
    svc.autoscale = o.get("autoscale").and_then(|n| autoscale(d, n));
    svc.traffic = o.get("traffic").and_then(|n| traffic(d, n));
    if let Some(n) = o.get("storage") {
        for (key, node) in d.entries(n, "`storage`") {
            if let Some(v) = storage(d, self::name(key), node) {
                svc.storage.insert(key.name.clone(), v);
            }
        }
    }
    if let Some(n) = o.get("opt_outs") {
        for item in d.list(n, "`opt_outs`") {
            if let Some(oo) = d.object(item, &dec::OPT_OUT) {
                let check = oo.get("check").and_then(|n| d.string(n, "`check`"));
                let reason = oo.get("reason").and_then(|n| d.string(n, "`reason`"));
                if let (Some(check), Some(reason)) = (check, reason) {
                    svc.opt_outs.push(OptOut { check, reason });
                }
            }
        }
    }
    svc
}

fn source_span(o: &Obj) -> Option<crate::source::Span> {
    o.key("image").or(o.key("build")).map(|k| k.span)
}

/// `image` or `build`; having both or neither is `check`'s to report.
fn source(d: &mut Decoder, o: &Obj) -> Option<Source> {
    let image = o.get("image").and_then(|n| d.string(n, "`image`"));
    let build = o.get("build").and_then(|n| build(d, n));
    match (image, build) {
        (Some(i), None) => Some(Source::Image(i)),
        (None, Some(b)) => Some(Source::Build(b)),
        (Some(i), Some(b)) => {
            d.report(
                Diagnostic::new(Code::ImageOrBuild, i.span, "both `image` and `build` are set")
                    .label("an image")
                    .also(b.span, "and a build")
                    .help("keep `image` to deploy an existing image, or `build` to build one from source, not both"),
            );
            None
        }
        (None, None) => None,
    }
}

fn calls(d: &mut Decoder, node: &Node) -> Vec<Call> {
    let items = d.list(node, "`calls`");
    items
        .iter()
        .filter_map(|n| {
            let s = d.string(n, "a call")?;
            // Spans of the two halves of `service:port`; quoted scalars are
            // one byte longer on each side, so positions are found by search.
            let (svc, port) = match s.value.split_once(':') {
                Some((a, b)) => (a.to_string(), Some(b.to_string())),
                None => (s.value.clone(), None),
            };
            let text_start = s.span.start as usize;
            let svc_span = sub_span(s.span, text_start, &s.value, 0, svc.len());
            let port = port.map(|p| {
                let at = svc.len() + 1;
                Spanned::new(
                    p.clone(),
                    sub_span(s.span, text_start, &s.value, at, p.len()),
                )
            });
            Some(Call {
                service: Spanned::new(svc, svc_span),
                port,
                span: s.span,
            })
        })
        .collect()
}

/// The span of `value[offset..offset+len]` inside a scalar written at `span`
/// (which may include quotes).
fn sub_span(
    span: crate::source::Span,
    start: usize,
    value: &str,
    offset: usize,
    len: usize,
) -> crate::source::Span {
    let quoted = span.len() >= value.len() + 2;
    let base = start + usize::from(quoted);
    if span.len() < value.len() {
        return span;
    }
    crate::source::Span::new(base + offset, base + offset + len)
}

fn ingress(d: &mut Decoder, node: &Node) -> Option<Ingress> {
    let o = d.object(node, &dec::INGRESS)?;
    let host = o.get("host").and_then(|n| d.string(n, "`host`"));
    let paths = o
        .get("paths")
        .map(|n| d.strings(n, "`paths`"))
        .unwrap_or_default();
    let tls_secret = o
        .get("tls_secret")
        .and_then(|n| d.string(n, "`tls_secret`"));
    let local_port = o
        .get("local_port")
        .and_then(|n| d.uint(n, "`local_port`", (1, 65535), Code::PortRange));
    Some(Ingress {
        host: host?,
        paths,
        tls_secret,
        local_port,
        span: o.span,
    })
}

fn version(d: &mut Decoder, name: Name, node: &Node) -> Version {
    let mut v = Version {
        span: name.span,
        name,
        source: None,
        source_span: None,
        calls: Vec::new(),
        env: IndexMap::new(),
        replicas: None,
    };
    if let Some(o) = d.object(node, &dec::VERSION) {
        v.source = source(d, &o);
        v.source_span = source_span(&o);
        v.calls = o.get("calls").map(|n| calls(d, n)).unwrap_or_default();
        v.env = o.get("env").map(|n| env(d, n)).unwrap_or_default();
        v.replicas = replicas(d, &o);
    }
    v
}

fn autoscale(d: &mut Decoder, node: &Node) -> Option<Autoscale> {
    let o = d.object(node, &dec::AUTOSCALE)?;
    let range = (1, 1000);
    let min = o
        .get("min")
        .and_then(|n| d.uint(n, "`autoscale.min`", range, Code::AutoscaleRange));
    let max = o
        .get("max")
        .and_then(|n| d.uint(n, "`autoscale.max`", range, Code::AutoscaleRange));
    let cpu_percent = o
        .get("cpu_percent")
        .and_then(|n| d.uint(n, "`cpu_percent`", (1, 100), Code::PercentRange));
    Some(Autoscale {
        min: min?,
        max: max?,
        cpu_percent,
        span: o.span,
    })
}

fn environment(d: &mut Decoder, name: Name, node: &Node) -> Environment {
    let mut env = Environment {
        name,
        services: IndexMap::new(),
    };
    let Some(o) = d.object(node, &dec::ENVIRONMENT) else {
        return env;
    };
    if let Some(n) = o.get("services") {
        for (key, node) in d.entries(n, "`services`") {
            let Some(so) = d.object(node, &dec::SERVICE_OVERRIDE) else {
                continue;
            };
            let mut ov = ServiceOverride {
                name: self::name(key),
                image: so.get("image").and_then(|n| d.string(n, "`image`")),
                replicas: replicas(d, &so),
                resources: resources(d, so.get("resources")),
                env: so.get("env").map(|n| self::env(d, n)).unwrap_or_default(),
                autoscale: so.get("autoscale").and_then(|n| autoscale(d, n)),
                ingress_host: so
                    .get("ingress_host")
                    .and_then(|n| d.string(n, "`ingress_host`")),
                traffic: so.get("traffic").and_then(|n| traffic(d, n)),
                versions: IndexMap::new(),
            };
            if let Some(vn) = so.get("versions") {
                for (vkey, vnode) in d.entries(vn, "`versions`") {
                    if let Some(vo) = d.object(vnode, &dec::VERSION_OVERRIDE) {
                        let v = VersionOverride {
                            name: self::name(vkey),
                            image: vo.get("image").and_then(|n| d.string(n, "`image`")),
                            replicas: replicas(d, &vo),
                        };
                        ov.versions.insert(vkey.name.clone(), v);
                    }
                }
            }
            env.services.insert(key.name.clone(), ov);
        }
    }
    env
}

/// The one field of `choices` that is set, or a diagnostic when none or
/// several are.
pub(super) fn one_of<'a>(
    d: &mut Decoder,
    o: &Obj,
    what: &str,
    choices: &[&'a str],
    help: &str,
) -> Option<&'a str> {
    let given: Vec<&str> = choices.iter().copied().filter(|k| o.has(k)).collect();
    if let [one] = given[..] {
        return Some(one);
    }
    let names: Vec<String> = choices.iter().map(|c| format!("`{c}`")).collect();
    let (last, rest) = names.split_last()?;
    d.report(
        Diagnostic::new(
            Code::MissingField,
            o.span,
            format!(
                "{what} needs exactly one of {} or {last}, found {}",
                rest.join(", "),
                if given.is_empty() {
                    "none".to_string()
                } else {
                    given.join(" and ")
                }
            ),
        )
        .label("here")
        .help(help.to_string()),
    );
    None
}

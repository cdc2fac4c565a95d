//! Ports: Compose's `ports` (`"8080:80"`, `"127.0.0.1:81:5000/tcp"`, the
//! long `{ target, published }` form) and `expose` → the container port,
//! what was published on the host, and a port name that tells meshc the
//! protocol.

use super::compose::Reader;
use crate::source::Span;
use crate::syntax::{Node, Value};

#[derive(Clone, Debug, PartialEq)]
pub struct PortSpec {
    /// The container port; `None` for a range or a port that is not a number.
    pub container: Option<u16>,
    /// The host side as written (`8080`, `127.0.0.1:8080`), when published.
    pub published: Option<String>,
    /// `tcp` unless written otherwise (`udp`, `sctp`).
    pub protocol: String,
    /// The entry as written, for notes.
    pub written: String,
    pub span: Span,
}

/// One entry of `ports` (`published`) or `expose`.
pub fn read(r: &mut Reader, node: &Node, path: &str, published: bool) -> Option<PortSpec> {
    if let Value::Map(m) = &node.value {
        let text = |k: &str| {
            m.iter()
                .find(|(key, _)| key.name == k)
                .and_then(|(_, v)| v.scalar_text())
        };
        let target = text("target").unwrap_or_default();
        return Some(PortSpec {
            container: target.parse().ok().filter(|p| *p > 0),
            published: text("published"),
            protocol: text("protocol").unwrap_or_else(|| "tcp".into()),
            written: format!("target {target}"),
            span: node.span,
        });
    }
    let written = r.scalar_at(node, path)?;
    let (spec, protocol) = match written.rsplit_once('/') {
        Some((s, p)) => (s, p.to_ascii_lowercase()),
        None => (written.as_str(), "tcp".to_string()),
    };
    let (host, container) = match spec.rsplit_once(':') {
        Some((h, c)) if published => (Some(h.to_string()), c),
        _ => (None, spec),
    };
    Some(PortSpec {
        container: container.parse().ok().filter(|p| *p > 0),
        published: host.or_else(|| published.then(|| container.to_string())),
        protocol,
        written,
        span: node.span,
    })
}

/// A port name for a container port: the name says the protocol (Istio's
/// convention, which meshc follows: `http`, `grpc`, `tls-…`, else TCP).
/// Compose says nothing about protocols, so well-known numbers decide.
pub fn name(port: u16) -> &'static str {
    match port {
        80 | 3000 | 4200 | 5000 | 5173 | 8000 | 8008 | 8080 | 8081 | 8888 | 9080 | 9090 => "http",
        443 | 8443 => "tls",
        50051 => "grpc",
        5432 => "postgres",
        3306 => "mysql",
        6379 => "redis",
        27017 => "mongo",
        5672 => "amqp",
        11211 => "memcached",
        9200 => "elastic",
        2181 => "zookeeper",
        9092 => "kafka",
        _ => "tcp",
    }
}

/// Names for a service's container ports, unique within the service:
/// the first `http` is `http`, the next `http-8081`.
pub fn names(ports: &[u16]) -> Vec<String> {
    let mut taken: Vec<String> = Vec::new();
    for &p in ports {
        let base = name(p);
        let n = if base == "tcp" || taken.iter().any(|t| t == base) {
            format!("{base}-{p}")
        } else {
            base.to_string()
        };
        taken.push(n);
    }
    taken
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_say_the_protocol_and_are_unique() {
        assert_eq!(
            names(&[8080, 8081, 5432, 7000]),
            ["http", "http-8081", "postgres", "tcp-7000"]
        );
        assert_eq!(
            crate::ast::Protocol::infer("http-8081"),
            crate::ast::Protocol::Http
        );
    }
}

//! An overlay's traffic settings merged into the service's, into the model.

use crate::ast;
use crate::model;

/// The overlay's traffic settings replace the service's field by field.
pub(super) fn merge_traffic(
    base: Option<&ast::Traffic>,
    ov: Option<&ast::Traffic>,
) -> Option<model::Traffic> {
    if base.is_none() && ov.is_none() {
        return None;
    }
    let empty = ast::Traffic::default();
    let b = base.unwrap_or(&empty);
    let o = ov.unwrap_or(&empty);
    let split = if o.split_span.is_some() {
        &o.split
    } else {
        &b.split
    };
    let routes = if o.routes.is_empty() {
        &b.routes
    } else {
        &o.routes
    };
    Some(model::Traffic {
        routes: routes
            .iter()
            .map(|r| model::Route {
                matches: r.matches.as_ref().map(lower_match).unwrap_or_default(),
                to: r.to.value.clone(),
            })
            .collect(),
        split: split
            .iter()
            .map(|e| {
                (
                    e.version.value.clone(),
                    u32::try_from(e.weight.value).unwrap_or(0),
                )
            })
            .collect(),
        timeout: o.timeout.as_ref().or(b.timeout.as_ref()).map(|t| t.value),
        retries: o
            .retries
            .as_ref()
            .or(b.retries.as_ref())
            .map(|r| model::Retries {
                attempts: r.attempts.value,
                per_try_timeout: r.per_try_timeout.as_ref().map(|p| p.value),
                on: r.on.iter().map(|s| s.value.clone()).collect(),
            }),
        circuit_breaker: o
            .circuit_breaker
            .as_ref()
            .or(b.circuit_breaker.as_ref())
            .map(|c| model::CircuitBreaker {
                consecutive_errors: c.consecutive_errors.as_ref().map_or(5, |v| v.value),
                interval: c.interval.as_ref().map_or(10_000, |v| v.value),
                ejection_time: c.ejection_time.as_ref().map_or(30_000, |v| v.value),
                max_ejection_percent: c.max_ejection_percent.as_ref().map_or(10, |v| v.value),
            }),
        connection_pool: o
            .connection_pool
            .as_ref()
            .or(b.connection_pool.as_ref())
            .map(|c| model::ConnectionPool {
                max_connections: c.max_connections.as_ref().map(|v| v.value),
                max_pending_requests: c.max_pending_requests.as_ref().map(|v| v.value),
                max_requests_per_connection: c
                    .max_requests_per_connection
                    .as_ref()
                    .map(|v| v.value),
                connect_timeout: c.connect_timeout.as_ref().map(|v| v.value),
            }),
        mirror: o
            .mirror
            .as_ref()
            .or(b.mirror.as_ref())
            .map(|m| model::Mirror {
                to: m.to.value.clone(),
                percent: m.percent.value,
            }),
        fault: o.fault.as_ref().or(b.fault.as_ref()).map(|f| model::Fault {
            delay: f.delay.as_ref().map(|(d, p)| (d.value, p.value)),
            abort: f.abort.as_ref().map(|(s, p)| (s.value, p.value)),
            matches: f.matches.as_ref().map(lower_match).unwrap_or_default(),
        }),
    })
}

fn lower_match(m: &ast::Match) -> model::Match {
    let sm = |s: &ast::StringMatch| match s {
        ast::StringMatch::Exact(v) => model::StringMatch::Exact(v.value.clone()),
        ast::StringMatch::Prefix(v) => model::StringMatch::Prefix(v.value.clone()),
        ast::StringMatch::Regex(v) => model::StringMatch::Regex(v.value.clone()),
    };
    model::Match {
        headers: m
            .headers
            .iter()
            .map(|(k, v)| (k.value.clone(), sm(v)))
            .collect(),
        uri: m.uri.as_ref().map(sm),
        method: m.method.as_ref().map(|s| s.value.clone()),
    }
}

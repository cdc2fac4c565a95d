//! The fields of traffic policy: routes and their matches, retries,
//! circuit breaking, connection pools, mirroring and fault injection.

use super::one_of;
use crate::ast::decode::{self as dec, Decoder, name};
use crate::ast::*;
use crate::diag::{Code, Diagnostic};
use crate::syntax::{Node, Value};

pub(super) fn traffic(d: &mut Decoder, node: &Node) -> Option<Traffic> {
    let o = d.object(node, &dec::TRAFFIC)?;
    let mut t = Traffic {
        span: o.key("split").map_or(o.span, |k| k.span),
        ..Traffic::default()
    };
    if let Some(n) = o.get("split") {
        t.split_span = Some(o.key("split").map_or(n.span, |k| k.span));
        for (key, w) in d.entries(n, "`split`") {
            // Negative weights are reported by `check` with the split's total.
            if let Some(weight) = d.int(w, "a split weight", (i64::MIN, i64::MAX), Code::SplitTotal)
            {
                t.split.push(SplitEntry {
                    version: name(key),
                    weight,
                });
            }
        }
    }
    if let Some(n) = o.get("routes") {
        for item in d.list(n, "`routes`") {
            let Some(r) = d.object(item, &dec::ROUTE) else {
                continue;
            };
            let matches = r.get("match").and_then(|n| match_(d, n));
            if let Some(to) = r.get("to").and_then(|n| d.string(n, "`to`")) {
                t.routes.push(Route {
                    matches,
                    to,
                    span: item.span,
                });
            }
        }
    }
    t.timeout = o.get("timeout").and_then(|n| d.duration(n, "`timeout`"));
    t.retries = o.get("retries").and_then(|n| {
        let r = d.object(n, &dec::RETRIES)?;
        let attempts = r
            .get("attempts")
            .and_then(|n| d.uint(n, "`attempts`", (0, 100), Code::InvalidValue));
        let per_try_timeout = r
            .get("per_try_timeout")
            .and_then(|n| d.duration(n, "`per_try_timeout`"));
        let on = r
            .get("on")
            .map(|n| d.strings(n, "`on`"))
            .unwrap_or_default();
        Some(Retries {
            attempts: attempts?,
            per_try_timeout,
            on,
            span: r.span,
        })
    });
    t.circuit_breaker = o.get("circuit_breaker").and_then(|n| {
        let c = d.object(n, &dec::CIRCUIT_BREAKER)?;
        Some(CircuitBreaker {
            consecutive_errors: c
                .get("consecutive_errors")
                .and_then(|n| d.uint(n, "`consecutive_errors`", (0, 10000), Code::InvalidValue)),
            interval: c.get("interval").and_then(|n| d.duration(n, "`interval`")),
            ejection_time: c
                .get("ejection_time")
                .and_then(|n| d.duration(n, "`ejection_time`")),
            max_ejection_percent: c
                .get("max_ejection_percent")
                .and_then(|n| d.percent(n, "`max_ejection_percent`")),
            span: c.span,
        })
    });
    t.connection_pool = o.get("connection_pool").and_then(|n| {
        let c = d.object(n, &dec::CONNECTION_POOL)?;
        let mut count = |field: &str, what: &str| {
            c.get(field)
                .and_then(|n| d.uint(n, what, (1, 1_000_000), Code::InvalidValue))
        };
        Some(ConnectionPool {
            max_connections: count("max_connections", "`max_connections`"),
            max_pending_requests: count("max_pending_requests", "`max_pending_requests`"),
            max_requests_per_connection: count(
                "max_requests_per_connection",
                "`max_requests_per_connection`",
            ),
            connect_timeout: c
                .get("connect_timeout")
                .and_then(|n| d.duration(n, "`connect_timeout`")),
            span: c.span,
        })
    });
    t.mirror = o.get("mirror").and_then(|n| {
        let m = d.object(n, &dec::MIRROR)?;
        let to = m.get("to").and_then(|n| d.string(n, "`to`"));
        let percent = m
            .get("percent")
            .and_then(|n| d.percent(n, "`mirror.percent`"));
        Some(Mirror {
            to: to?,
            percent: percent?,
            span: m.span,
        })
    });
    t.fault = o.get("fault").and_then(|n| fault(d, n));
    Some(t)
}

fn fault(d: &mut Decoder, node: &Node) -> Option<Fault> {
    let f = d.object(node, &dec::FAULT)?;
    let delay = f.get("delay").and_then(|n| {
        let o = d.object(n, &dec::DELAY)?;
        let fixed = o.get("fixed").and_then(|n| d.duration(n, "`delay.fixed`"));
        let percent = o
            .get("percent")
            .and_then(|n| d.percent(n, "`delay.percent`"));
        Some((fixed?, percent?))
    });
    let abort = f.get("abort").and_then(|n| {
        let o = d.object(n, &dec::ABORT)?;
        let status = o
            .get("status")
            .and_then(|n| d.int(n, "`abort.status`", (200, 599), Code::InvalidValue));
        let percent = o
            .get("percent")
            .and_then(|n| d.percent(n, "`abort.percent`"));
        let status = status?;
        Some((
            Spanned::new(u16::try_from(status.value).unwrap_or(500), status.span),
            percent?,
        ))
    });
    if delay.is_none() && abort.is_none() && !f.has("delay") && !f.has("abort") {
        d.report(
            Diagnostic::new(
                Code::MissingField,
                f.span,
                "`fault` needs a `delay` or an `abort`",
            )
            .label("nothing to inject")
            .help(
                "add `delay: { fixed: 5s, percent: 10 }` or `abort: { status: 503, percent: 10 }`",
            ),
        );
    }
    Some(Fault {
        delay,
        abort,
        matches: f.get("match").and_then(|n| match_(d, n)),
        span: f.span,
    })
}

fn match_(d: &mut Decoder, node: &Node) -> Option<Match> {
    let o = d.object(node, &dec::MATCH)?;
    let mut m = Match {
        span: o.span,
        ..Match::default()
    };
    if let Some(n) = o.get("headers") {
        for (key, value) in d.entries(n, "`headers`") {
            if let Some(sm) = string_match(d, value) {
                m.headers.push((name(key), sm));
            }
        }
    }
    m.uri = o.get("uri").and_then(|n| string_match(d, n));
    m.method = o.get("method").and_then(|n| {
        const METHODS: [(&str, &str); 7] = [
            ("GET", "GET"),
            ("HEAD", "HEAD"),
            ("POST", "POST"),
            ("PUT", "PUT"),
            ("DELETE", "DELETE"),
            ("PATCH", "PATCH"),
            ("OPTIONS", "OPTIONS"),
        ];
        d.choice(n, "HTTP method", &METHODS, Code::InvalidValue)
            .map(|s| Spanned::new(s.value.to_string(), s.span))
    });
    Some(m)
}

fn string_match(d: &mut Decoder, node: &Node) -> Option<StringMatch> {
    if !matches!(node.value, Value::Map(_)) {
        return d.text(node, "a match value").map(StringMatch::Exact);
    }
    let o = d.object(node, &dec::STRING_MATCH_OBJECT)?;
    let kind = one_of(
        d,
        &o,
        "a match",
        &["exact", "prefix", "regex"],
        "write `{ exact: v }`, `{ prefix: /api }` or `{ regex: \"^v[0-9]+$\" }`",
    )?;
    let s = d.string(o.get(kind)?, "a match value")?;
    Some(match kind {
        "exact" => StringMatch::Exact(s),
        "prefix" => StringMatch::Prefix(s),
        _ => StringMatch::Regex(s),
    })
}

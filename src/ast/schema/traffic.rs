//! Traffic policy between services: routes and their matches, retries,
//! circuit breaking, connection pools, mirroring and fault injection.

use super::*;

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

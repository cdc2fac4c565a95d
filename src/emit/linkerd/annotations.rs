//! Linkerd's per-service client policy, which it reads from annotations:
//! timeouts and retries on each mesh route (`timeout.linkerd.io/*`,
//! `retry.linkerd.io/*`), circuit breaking on the Service
//! (`balancer.linkerd.io/failure-accrual*`, which Linkerd reads only there).
//!
//! Retries: `retry.linkerd.io/http` on an HTTPRoute takes the HTTP
//! conditions (`5xx`, `gateway-error`, status codes), `retry.linkerd.io/grpc`
//! on a GRPCRoute the gRPC codes; without `on`, `5xx` and every retryable
//! gRPC code. `attempts: 0` writes nothing (Linkerd does not retry unless
//! told to). A route none of whose conditions apply gets no retries.

use crate::model::{CircuitBreaker, Retries, Service, Traffic};
use indexmap::IndexMap;

const GRPC_CODES: [&str; 5] = [
    "cancelled",
    "deadline-exceeded",
    "internal",
    "resource-exhausted",
    "unavailable",
];
/// Linkerd's default ceiling for the failure-accrual backoff.
const DEFAULT_MAX_PENALTY_MS: u64 = 60_000;

pub type Annotations = IndexMap<String, String>;

/// The annotations of one mesh route (`grpc`: a GRPCRoute).
pub fn route(t: &Traffic, grpc: bool) -> Annotations {
    let mut out = Annotations::new();
    if let Some(ms) = t.timeout {
        out.insert("timeout.linkerd.io/request".into(), duration(ms));
    }
    if let Some(r) = t.retries.as_ref().filter(|r| r.attempts > 0) {
        retries(&mut out, r, grpc);
    }
    out
}

fn retries(out: &mut Annotations, r: &Retries, grpc: bool) {
    let is_grpc = |c: &&String| GRPC_CODES.contains(&c.as_str());
    let conditions: Vec<&str> = if r.on.is_empty() {
        if grpc {
            GRPC_CODES.to_vec()
        } else {
            vec!["5xx"]
        }
    } else if grpc {
        r.on.iter().filter(is_grpc).map(String::as_str).collect()
    } else {
        r.on.iter()
            .filter(|c| !is_grpc(c))
            .map(String::as_str)
            .collect()
    };
    if conditions.is_empty() {
        return;
    }
    let key = if grpc { "grpc" } else { "http" };
    out.insert(format!("retry.linkerd.io/{key}"), conditions.join(","));
    out.insert("retry.linkerd.io/limit".into(), r.attempts.to_string());
    if let Some(ms) = r.per_try_timeout {
        out.insert("retry.linkerd.io/timeout".into(), duration(ms));
    }
}

/// The annotations of the service's Services (its own and each version's).
pub fn service(svc: &Service) -> Annotations {
    let mut out = Annotations::new();
    if let Some(cb) = svc
        .traffic
        .as_ref()
        .and_then(|t| t.circuit_breaker.as_ref())
    {
        failure_accrual(&mut out, cb);
    }
    out
}

/// Consecutive failures eject an endpoint; `ejection_time` is the first
/// (shortest) penalty, as Istio's base ejection time is.
fn failure_accrual(out: &mut Annotations, cb: &CircuitBreaker) {
    let key = |k: &str| format!("balancer.linkerd.io/failure-accrual{k}");
    out.insert(key(""), "consecutive".into());
    out.insert(
        key("-consecutive-max-failures"),
        cb.consecutive_errors.to_string(),
    );
    out.insert(key("-consecutive-min-penalty"), duration(cb.ejection_time));
    if cb.ejection_time > DEFAULT_MAX_PENALTY_MS {
        out.insert(key("-consecutive-max-penalty"), duration(cb.ejection_time));
    }
}

/// One unit, as Linkerd's annotation parser reads it: `10s`, `1500ms`.
fn duration(ms: u64) -> String {
    if ms.is_multiple_of(1_000) {
        format!("{}s", ms / 1_000)
    } else {
        format!("{ms}ms")
    }
}

//! Traffic policies: versions named by splits, routes and mirrors exist;
//! splits add up; no route hides behind a catch-all; retries fit their
//! timeout and name conditions Envoy knows.

use crate::ast::{Description, Name, Service, Traffic, format_ms};
use crate::diag::{Code, Diagnostic, did_you_mean};

/// Envoy's HTTP and gRPC retry conditions, as Istio accepts them in `retryOn`.
const RETRY_ON: [&str; 13] = [
    "5xx",
    "gateway-error",
    "reset",
    "reset-before-request",
    "connect-failure",
    "envoy-ratelimited",
    "retriable-4xx",
    "refused-stream",
    "retriable-status-codes",
    "retriable-headers",
    "cancelled",
    "deadline-exceeded",
    "unavailable",
];
const GRPC_ONLY: [&str; 2] = ["internal", "resource-exhausted"];

pub fn check(desc: &Description, out: &mut Vec<Diagnostic>) {
    for svc in desc.services.values() {
        if let Some(t) = &svc.traffic {
            traffic(svc, t, out);
        }
    }
    for env in desc.environments.values() {
        for ov in env.services.values() {
            if let (Some(t), Some(svc)) = (&ov.traffic, desc.services.get(&ov.name.value)) {
                traffic(svc, t, out);
            }
        }
    }
}

fn traffic(svc: &Service, t: &Traffic, out: &mut Vec<Diagnostic>) {
    let chooses_version = t.split_span.is_some() || !t.routes.is_empty() || t.mirror.is_some();
    if chooses_version && svc.versions.is_empty() {
        let span = t
            .split_span
            .or(t.routes.first().map(|r| r.span))
            .or(t.mirror.as_ref().map(|m| m.span))
            .unwrap_or(t.span);
        out.push(
            Diagnostic::new(Code::NeedsVersions, span, format!("`{}` has no `versions` to send traffic to", svc.name.value))
                .label("chooses between versions")
                .help("declare the versions under `versions: { v1: { image: … }, v2: { image: … } }`, or remove the split, routes and mirror"),
        );
    } else {
        versions(svc, t, out);
    }
    if let Some(span) = t.split_span {
        let negative: Vec<_> = t.split.iter().filter(|e| e.weight.value < 0).collect();
        let total: i128 = t.split.iter().map(|e| i128::from(e.weight.value)).sum();
        if let Some(e) = negative.first() {
            out.push(
                Diagnostic::new(
                    Code::SplitTotal,
                    e.weight.span,
                    format!("split weight for `{}` is negative", e.version.value),
                )
                .label("negative weight")
                .help("give each version a percentage from 0 to 100"),
            );
        } else if total != 100 {
            let mut d = Diagnostic::new(
                Code::SplitTotal,
                span,
                format!("split percentages add up to {total}, not 100"),
            )
            .label(format!("total {total}"));
            for e in &t.split {
                d = d.also(e.weight.span, format!("{}%", e.weight.value));
            }
            out.push(d.help("make the percentages add up to 100 (a meshc rule: Istio would treat them as relative weights, which hides mistakes)"));
        }
    }
    routes(t, out);
    if let Some(r) = &t.retries {
        if r.attempts.value == 0 && (r.per_try_timeout.is_some() || !r.on.is_empty()) {
            out.push(
                Diagnostic::new(Code::InvalidValue, r.attempts.span, "`attempts: 0` disables retries, so `per_try_timeout` and `on` have no effect")
                    .label("retries disabled")
                    .help("remove `per_try_timeout` and `on`, or allow at least one attempt (istiod rejects this combination)"),
            );
        }
        for cond in &r.on {
            let known = RETRY_ON.contains(&cond.value.as_str())
                || GRPC_ONLY.contains(&cond.value.as_str())
                || cond
                    .value
                    .parse::<u16>()
                    .is_ok_and(|c| (100..=599).contains(&c));
            if !known {
                let d = Diagnostic::new(
                    Code::InvalidValue,
                    cond.span,
                    format!("`{}` is not a retry condition", cond.value),
                )
                .label("unknown condition");
                out.push(match did_you_mean(&cond.value, RETRY_ON.iter().chain(GRPC_ONLY.iter()).copied()) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help("use Envoy conditions such as `5xx`, `gateway-error`, `connect-failure`, `reset`, or an HTTP status code"),
                });
            }
        }
        if let (Some(timeout), Some(per_try)) = (&t.timeout, &r.per_try_timeout) {
            let needed = per_try
                .value
                .saturating_mul(u64::from(r.attempts.value) + 1);
            if needed > timeout.value {
                out.push(
                    Diagnostic::new(
                        Code::RetryBudget,
                        per_try.span,
                        format!(
                            "{} tries of {} need {}, but `timeout` is {}",
                            r.attempts.value + 1,
                            format_ms(per_try.value),
                            format_ms(needed),
                            format_ms(timeout.value)
                        ),
                    )
                    .label("per try")
                    .also(timeout.span, "overall timeout")
                    .help(format!(
                        "raise `timeout` to at least {}, or lower `per_try_timeout` or `attempts`, so the last retry is not cut off",
                        format_ms(needed)
                    )),
                );
            }
        }
    }
}

fn versions(svc: &Service, t: &Traffic, out: &mut Vec<Diagnostic>) {
    let mut named: Vec<&Name> = t.split.iter().map(|e| &e.version).collect();
    named.extend(t.routes.iter().map(|r| &r.to));
    named.extend(t.mirror.iter().map(|m| &m.to));
    for v in named {
        if !svc.versions.contains_key(&v.value) {
            let known: Vec<&str> = svc.versions.keys().map(String::as_str).collect();
            let d = Diagnostic::new(
                Code::UnknownVersion,
                v.span,
                format!("`{}` has no version `{}`", svc.name.value, v.value),
            );
            out.push(match did_you_mean(&v.value, known.iter().copied()) {
                Some(s) => d
                    .label(format!("did you mean `{s}`?"))
                    .help(format!("send traffic to one of {}", quoted(&known))),
                None => d
                    .label("unknown version")
                    .help(format!("send traffic to one of {}", quoted(&known))),
            });
        }
    }
    if let Some(m) = &t.mirror {
        let serves = if t.split_span.is_some() {
            t.split
                .iter()
                .any(|e| e.version.value == m.to.value && e.weight.value > 0)
        } else {
            svc.versions.len() == 1
        };
        if serves && svc.versions.contains_key(&m.to.value) {
            out.push(
                Diagnostic::new(Code::MirrorToSelf, m.to.span, format!("traffic is mirrored to `{}`, which already serves it", m.to.value))
                    .label("mirror target")
                    .help("mirror to a version that receives no share of the split, such as a new candidate version"),
            );
        }
    }
}

fn routes(t: &Traffic, out: &mut Vec<Diagnostic>) {
    let mut catch_all = None;
    for r in &t.routes {
        if let Some(all) = catch_all {
            out.push(
                Diagnostic::new(Code::UnreachableRoute, r.span, "this route can never match")
                    .label("unreachable")
                    .also(all, "this route already matches every request")
                    .help("move the route without `match` to the end, or give it a `match`"),
            );
            continue;
        }
        let matches_all = r
            .matches
            .as_ref()
            .is_none_or(|m| m.headers.is_empty() && m.uri.is_none() && m.method.is_none());
        if matches_all {
            catch_all = Some(r.span);
        }
    }
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

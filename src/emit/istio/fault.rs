//! Fault injection (model `Fault` → `fault` on HTTP routes).
//!
//! Without a `match` the fault goes on every route. With one, each route R
//! gets a faulted twin placed right before it, matching `fault.match AND
//! R.match` and sending where R sends. A single fault route in front of all
//! routes would also catch requests meant for a later header route
//! (`end-user: jason` → v2) and send them to the default destination
//! instead; the twins keep every request on its route and only add the
//! fault. A twin whose match cannot be written (the conditions contradict,
//! or two conditions on one field involve a regex) is left out: no fault for
//! those requests, routing intact.

use super::matching::{conjunction, http_match};
use super::types::{Abort, Delay, Fault, HttpRoute, Percent, duration};
use crate::model;

/// `routes` in evaluation order with the fault applied as described above.
pub fn with_fault(routes: Vec<HttpRoute>, f: &model::Fault) -> Vec<HttpRoute> {
    let fault = Fault {
        delay: f.delay.map(|(ms, percent)| Delay {
            fixed_delay: duration(ms),
            percentage: Percent::of(percent),
        }),
        abort: f.abort.map(|(status, percent)| Abort {
            http_status: status,
            percentage: Percent::of(percent),
        }),
    };
    if f.matches.is_empty() {
        return routes
            .into_iter()
            .map(|r| HttpRoute {
                fault: Some(fault.clone()),
                ..r
            })
            .collect();
    }
    let when = http_match(&f.matches);
    let mut out = Vec::with_capacity(routes.len() * 2);
    for r in routes {
        let matches = conjunction(&r.matches, &when);
        if !matches.is_empty() {
            out.push(HttpRoute {
                matches,
                fault: Some(fault.clone()),
                ..r.clone()
            });
        }
        out.push(r);
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::emit::istio::fixture::*;
    use crate::model::{Fault, Match, StringMatch};
    use serde_json::{Value, json};

    #[test]
    fn matched_fault_gets_its_own_route_first() {
        let docs = file(&bookinfo(), "istio/ratings.yaml");
        assert_eq!(
            kinds(&docs),
            [
                ("DestinationRule", "ratings"),
                ("VirtualService", "ratings"),
                ("AuthorizationPolicy", "ratings")
            ]
        );
        assert!(
            docs[0]["spec"].get("subsets").is_none(),
            "unversioned: no subsets"
        );
        let http = docs[1]["spec"]["http"].as_array().unwrap();
        assert_eq!(http.len(), 2);
        assert_eq!(
            http[0]["match"],
            json!([{"headers": {"end-user": {"exact": "jason"}}}])
        );
        assert_eq!(http[0]["fault"]["delay"]["fixedDelay"], "7s");
        assert_eq!(
            http[0]["fault"]["delay"]["percentage"]["value"].as_f64(),
            Some(100.0)
        );
        assert!(http[1].get("fault").is_none());
        for route in http {
            assert_eq!(
                route["route"],
                json!([{"destination": {"host": "ratings.bookinfo.svc.cluster.local", "port": {"number": 9080}}}])
            );
        }
    }

    #[test]
    fn matched_fault_keeps_requests_on_their_route() {
        let mut app = bookinfo();
        let t = app.services[2].traffic.as_mut().unwrap();
        t.fault = Some(Fault {
            delay: None,
            abort: Some((503, 5)),
            matches: Match {
                uri: Some(StringMatch::Prefix("/reviews".into())),
                ..Match::default()
            },
        });
        let vs = &file(&app, "istio/reviews.yaml")[1];
        let http = vs["spec"]["http"].as_array().unwrap();
        let summary: Vec<(Value, Value, bool)> = http
            .iter()
            .map(|r| {
                (
                    r.get("match").cloned().unwrap_or(Value::Null),
                    r["route"][0]["destination"]["subset"].clone(),
                    r.get("fault").is_some(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    json!([{"uri": {"prefix": "/reviews"}, "headers": {"end-user": {"exact": "jason"}}}]),
                    json!("v2"),
                    true
                ),
                (
                    json!([{"headers": {"end-user": {"exact": "jason"}}}]),
                    json!("v2"),
                    false
                ),
                (json!([{"uri": {"prefix": "/reviews"}}]), json!("v1"), true),
                (Value::Null, json!("v1"), false),
            ]
        );
        assert_eq!(
            http[0]["fault"],
            json!({"abort": {"httpStatus": 503, "percentage": {"value": 5.0}}})
        );
    }

    #[test]
    fn unmatched_fault_goes_on_every_route() {
        let mut app = bookinfo();
        let t = app.services[2].traffic.as_mut().unwrap();
        t.fault = Some(Fault {
            delay: Some((250, 10)),
            abort: None,
            matches: Match::default(),
        });
        let vs = &file(&app, "istio/reviews.yaml")[1];
        let http = vs["spec"]["http"].as_array().unwrap();
        assert_eq!(http.len(), 2);
        for route in http {
            assert_eq!(route["fault"]["delay"]["fixedDelay"], "250ms");
        }
    }
}

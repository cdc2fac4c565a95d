//! The mesh VirtualService of a service (model → `VirtualService` named
//! like the service, host = its FQDN), and the ordered HTTP route list that
//! the ingress VirtualService reuses.
//!
//! Route order, first match wins:
//! 1. the user's header/URI routes in declaration order, each to its subset
//!    (a route without `match` is a catch-all and ends the list);
//! 2. the split as the catch-all: one weighted destination per entry, or
//!    the host without subset (plain load balancing) when there is no split.
//!
//! Timeout, retries and mirror are service-wide, so every route carries
//! them, except that a route already sending traffic to the mirror's
//! version is not mirrored to it again.
//!
//! A fault is then applied by [`super::fault`].
//!
//! Ports: every destination names its port (required when the Service has
//! several). With one HTTP port the routes go to it; with several, each
//! HTTP port gets its own copy of the routes matching `port: N` and going to
//! N, so a request never changes port. TCP ports get a `tcp` route with the
//! split when the service sends them to subsets; the HTTP-only features
//! (matches, timeout, retries, fault, mirror) cannot apply to them.

use super::fault::with_fault;
use super::matching::{conjunction, http_match};
use super::types::{
    Destination, HttpMatch, HttpRoute, L4Match, NETWORKING, Object, Percent, PortSelector, Retries,
    RouteDestination, TcpRoute, VirtualServiceSpec, duration,
};
use crate::ast::Protocol;
use crate::emit::ObjectMeta;
use crate::model::{self, App, Service, Traffic};

/// `None` when the service has no port the routes could apply to.
pub fn virtual_service(app: &App, svc: &Service) -> Option<Object<VirtualServiceSpec>> {
    let http_ports: Vec<u16> = svc
        .ports
        .iter()
        .filter(|p| p.protocol.is_http())
        .map(|p| p.service_port)
        .collect();
    let mut http = Vec::new();
    for &port in &http_ports {
        let routes = http_routes(app, svc, port);
        if http_ports.len() == 1 {
            http.extend(routes);
        } else {
            http.extend(routes.into_iter().map(|r| on_port(r, port)));
        }
    }
    let tcp: Vec<TcpRoute> = svc
        .ports
        .iter()
        .filter(|p| p.protocol == Protocol::Tcp)
        .filter_map(|p| tcp_route(app, svc, p.service_port))
        .collect();
    if http.is_empty() && tcp.is_empty() {
        return None;
    }
    Some(Object {
        api_version: NETWORKING,
        kind: "VirtualService",
        metadata: ObjectMeta::for_service(app, svc, svc.name.clone()),
        spec: VirtualServiceSpec {
            hosts: vec![app.host(svc)],
            gateways: Vec::new(),
            http,
            tcp,
        },
    })
}

/// Every HTTP route of `svc` for requests to `port`, in evaluation order,
/// with the service's policies and fault applied.
pub fn http_routes(app: &App, svc: &Service, port: u16) -> Vec<HttpRoute> {
    let traffic = svc.traffic.as_ref();
    let mut routes = plain_routes(app, svc, traffic, port);
    if let Some(t) = traffic {
        for r in &mut routes {
            apply_policies(app, svc, t, port, r);
        }
        if let Some(f) = &t.fault {
            routes = with_fault(routes, f);
        }
    }
    routes
}

/// The user's routes up to the first catch-all, then the split if no user
/// route already catches everything. The last route always matches all.
fn plain_routes(app: &App, svc: &Service, t: Option<&Traffic>, port: u16) -> Vec<HttpRoute> {
    let dest = |subset: Option<&str>| destination(app, svc, subset, port);
    let mut routes = Vec::new();
    for r in t.map_or(&[][..], |t| &t.routes) {
        let catch_all = r.matches.is_empty();
        routes.push(HttpRoute {
            matches: if catch_all {
                Vec::new()
            } else {
                vec![http_match(&r.matches)]
            },
            route: vec![RouteDestination {
                destination: dest(Some(&r.to)),
                weight: None,
            }],
            ..HttpRoute::default()
        });
        if catch_all {
            return routes;
        }
    }
    let split = t.map_or(&[][..], |t| &t.split);
    let route = if split.is_empty() {
        vec![RouteDestination {
            destination: dest(None),
            weight: None,
        }]
    } else {
        split
            .iter()
            .map(|(version, weight)| RouteDestination {
                destination: dest(Some(version)),
                weight: Some(*weight),
            })
            .collect()
    };
    routes.push(HttpRoute {
        route,
        ..HttpRoute::default()
    });
    routes
}

fn apply_policies(app: &App, svc: &Service, t: &Traffic, port: u16, r: &mut HttpRoute) {
    r.timeout = t.timeout.map(duration);
    r.retries = t.retries.as_ref().map(retries);
    if let Some(m) = &t.mirror {
        let serves_target = r
            .route
            .iter()
            .any(|d| d.weight != Some(0) && d.destination.subset.as_deref() == Some(m.to.as_str()));
        if !serves_target {
            r.mirror = Some(destination(app, svc, Some(&m.to), port));
            r.mirror_percentage = Some(Percent::of(m.percent));
        }
    }
}

/// `attempts: 0` stands alone: it is how retries are turned off (Istio
/// retries implicitly when the field is absent) and istiod rejects it
/// together with other retry fields.
fn retries(r: &model::Retries) -> Retries {
    let enabled = r.attempts > 0;
    Retries {
        attempts: r.attempts,
        per_try_timeout: r.per_try_timeout.filter(|_| enabled).map(duration),
        retry_on: (enabled && !r.on.is_empty()).then(|| r.on.join(",")),
    }
}

fn on_port(mut r: HttpRoute, port: u16) -> HttpRoute {
    let only_port = HttpMatch {
        port: Some(port),
        ..HttpMatch::default()
    };
    r.matches = conjunction(&r.matches, &only_port);
    r
}

/// The catch-all's destinations for a TCP port, when they pick subsets.
fn tcp_route(app: &App, svc: &Service, port: u16) -> Option<TcpRoute> {
    let last = plain_routes(app, svc, svc.traffic.as_ref(), port).pop()?;
    last.route
        .iter()
        .any(|d| d.destination.subset.is_some())
        .then(|| TcpRoute {
            matches: vec![L4Match { port }],
            route: last.route,
        })
}

pub fn destination(app: &App, svc: &Service, subset: Option<&str>, port: u16) -> Destination {
    Destination {
        host: app.host(svc),
        subset: subset.map(str::to_string),
        port: Some(PortSelector { number: port }),
    }
}

#[cfg(test)]
mod tests {
    use crate::ast::Protocol;
    use crate::emit::istio::fixture::*;
    use crate::model::{Match, Retries, Route, Traffic};
    use serde_json::json;

    #[test]
    fn header_route_comes_before_the_split() {
        let vs = &file(&bookinfo(), "istio/reviews.yaml")[1];
        assert_eq!(vs["spec"]["hosts"], json!([REVIEWS]));
        let http = vs["spec"]["http"].as_array().unwrap();
        assert_eq!(http.len(), 2);
        assert_eq!(
            http[0]["match"],
            json!([{"headers": {"end-user": {"exact": "jason"}}}])
        );
        assert_eq!(
            http[0]["route"],
            json!([{"destination": {"host": REVIEWS, "subset": "v2", "port": {"number": 9080}}}])
        );
        assert!(http[1].get("match").is_none(), "the split is the catch-all");
        assert_eq!(
            http[1]["route"],
            json!([
                {"destination": {"host": REVIEWS, "subset": "v1", "port": {"number": 9080}}, "weight": 50},
                {"destination": {"host": REVIEWS, "subset": "v3", "port": {"number": 9080}}, "weight": 50},
            ])
        );
        for route in http {
            assert_eq!(route["timeout"], "10s");
            assert_eq!(
                route["retries"],
                json!({"attempts": 2, "perTryTimeout": "3s", "retryOn": "5xx,connect-failure"})
            );
        }
    }

    #[test]
    fn mirror_goes_on_routes_not_already_serving_its_version() {
        let vs = &file(&bookinfo(), "istio/reviews.yaml")[1];
        let http = vs["spec"]["http"].as_array().unwrap();
        assert!(
            http[0].get("mirror").is_none(),
            "jason's route already goes to v2"
        );
        assert_eq!(
            http[1]["mirror"],
            json!({"host": REVIEWS, "subset": "v2", "port": {"number": 9080}})
        );
        assert_eq!(http[1]["mirrorPercentage"]["value"].as_f64(), Some(10.0));
    }

    #[test]
    fn zero_attempts_stand_alone() {
        let mut app = bookinfo();
        let t = app.services[2].traffic.as_mut().unwrap();
        t.retries = Some(Retries {
            attempts: 0,
            per_try_timeout: Some(1_500),
            on: vec!["5xx".into()],
        });
        let vs = &file(&app, "istio/reviews.yaml")[1];
        for route in vs["spec"]["http"].as_array().unwrap() {
            assert_eq!(route["retries"], json!({"attempts": 0}));
        }
    }

    #[test]
    fn timeout_only_routes_to_the_host() {
        let mut app = bookinfo();
        app.services[1].traffic = Some(Traffic {
            timeout: Some(1_500),
            ..Traffic::default()
        });
        let docs = file(&app, "istio/details.yaml");
        assert!(docs[0]["spec"].get("subsets").is_none());
        assert_eq!(
            docs[1]["spec"]["http"],
            json!([{
                "route": [{"destination": {"host": "details.bookinfo.svc.cluster.local", "port": {"number": 9080}}}],
                "timeout": "1.5s"
            }])
        );
    }

    #[test]
    fn versioned_without_split_balances_over_the_host() {
        let mut app = bookinfo();
        app.services[2].traffic = None;
        let docs = file(&app, "istio/reviews.yaml");
        assert_eq!(docs[0]["spec"]["subsets"].as_array().unwrap().len(), 3);
        assert_eq!(
            docs[1]["spec"]["http"],
            json!([{"route": [{"destination": {"host": REVIEWS, "port": {"number": 9080}}}]}])
        );
    }

    #[test]
    fn catch_all_user_route_replaces_the_split() {
        let mut app = bookinfo();
        let t = app.services[2].traffic.as_mut().unwrap();
        t.routes.push(Route {
            matches: Match::default(),
            to: "v3".into(),
        });
        let vs = &file(&app, "istio/reviews.yaml")[1];
        let http = vs["spec"]["http"].as_array().unwrap();
        assert_eq!(http.len(), 2);
        assert_eq!(http[1]["route"][0]["destination"]["subset"], "v3");
        assert!(http[1]["route"][0].get("weight").is_none());
    }

    #[test]
    fn several_http_ports_keep_each_request_on_its_port() {
        let mut app = bookinfo();
        app.services[2].ports = vec![
            port("http", 9080, Protocol::Http),
            port("grpc-admin", 9090, Protocol::Grpc),
            port("tcp-raw", 9000, Protocol::Tcp),
        ];
        let vs = &file(&app, "istio/reviews.yaml")[1];
        let http = vs["spec"]["http"].as_array().unwrap();
        assert_eq!(http.len(), 4);
        for (route, port) in http.iter().zip([9080, 9080, 9090, 9090]) {
            for m in route["match"].as_array().unwrap() {
                assert_eq!(m["port"], port);
            }
            for d in route["route"].as_array().unwrap() {
                assert_eq!(d["destination"]["port"]["number"], port);
            }
        }
        assert_eq!(
            vs["spec"]["tcp"],
            json!([{
                "match": [{"port": 9000}],
                "route": [
                    {"destination": {"host": REVIEWS, "subset": "v1", "port": {"number": 9000}}, "weight": 50},
                    {"destination": {"host": REVIEWS, "subset": "v3", "port": {"number": 9000}}, "weight": 50},
                ]
            }])
        );
    }
}

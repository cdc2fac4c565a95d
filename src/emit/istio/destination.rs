//! The DestinationRule of a service (model → `DestinationRule` named like
//! the service, host = its FQDN): one subset per workload version selecting
//! `version: <v>`, and a rule-wide traffic policy with Istio mTLS plus the
//! circuit breaker (outlier detection) and connection pool when set.
//!
//! With `routing: gateway-api` traffic reaches each version through its own
//! Service (`<service>-<version>`), not a subset: the policy the Gateway API
//! cannot say (outlier detection, connection pool) goes into one
//! DestinationRule per host a route can send to, without subsets, and only
//! when such a policy is set. Limits then count per version's host.

use super::types::{
    ClientTls, ConnectionPool, DestinationRuleSpec, HttpSettings, NETWORKING, Object,
    OutlierDetection, Subset, TcpSettings, TrafficPolicy, duration,
};
use crate::emit::ObjectMeta;
use crate::model::{self, App, Service};

pub fn destination_rule(app: &App, svc: &Service) -> Object<DestinationRuleSpec> {
    let subsets = svc
        .workloads
        .iter()
        .filter_map(|w| w.version.as_ref())
        .map(|v| Subset {
            name: v.clone(),
            labels: [("version".to_string(), v.clone())].into_iter().collect(),
        })
        .collect();
    rule(app, svc, svc.name.clone(), app.host(svc), subsets)
}

/// For `routing: gateway-api`: the service's host, then each version's.
pub fn gateway_api_rules(app: &App, svc: &Service) -> Vec<Object<DestinationRuleSpec>> {
    let Some(t) = &svc.traffic else {
        return Vec::new();
    };
    if t.circuit_breaker.is_none() && t.connection_pool.is_none() {
        return Vec::new();
    }
    let mut out = vec![rule(app, svc, svc.name.clone(), app.host(svc), Vec::new())];
    for w in svc.workloads.iter().filter(|w| w.version.is_some()) {
        let host = format!("{}.{}.svc.cluster.local", w.name, app.namespace);
        out.push(rule(app, svc, w.name.clone(), host, Vec::new()));
    }
    out
}

fn rule(
    app: &App,
    svc: &Service,
    name: String,
    host: String,
    subsets: Vec<Subset>,
) -> Object<DestinationRuleSpec> {
    let traffic = svc.traffic.as_ref();
    Object {
        api_version: NETWORKING,
        kind: "DestinationRule",
        metadata: ObjectMeta::for_service(app, svc, name),
        spec: DestinationRuleSpec {
            host,
            traffic_policy: TrafficPolicy {
                tls: ClientTls {
                    mode: "ISTIO_MUTUAL",
                },
                connection_pool: traffic
                    .and_then(|t| t.connection_pool.as_ref())
                    .and_then(connection_pool),
                outlier_detection: traffic
                    .and_then(|t| t.circuit_breaker.as_ref())
                    .map(outlier_detection),
            },
            subsets,
        },
    }
}

fn outlier_detection(c: &model::CircuitBreaker) -> OutlierDetection {
    OutlierDetection {
        consecutive_5xx_errors: c.consecutive_errors,
        interval: duration(c.interval),
        base_ejection_time: duration(c.ejection_time),
        max_ejection_percent: c.max_ejection_percent,
    }
}

/// `None` when no limit is set; each half only when one of its limits is.
fn connection_pool(c: &model::ConnectionPool) -> Option<ConnectionPool> {
    let tcp = TcpSettings {
        max_connections: c.max_connections,
        connect_timeout: c.connect_timeout.map(duration),
    };
    let http = HttpSettings {
        http1_max_pending_requests: c.max_pending_requests,
        max_requests_per_connection: c.max_requests_per_connection,
    };
    let tcp = (tcp.max_connections.is_some() || tcp.connect_timeout.is_some()).then_some(tcp);
    let http = (http.http1_max_pending_requests.is_some()
        || http.max_requests_per_connection.is_some())
    .then_some(http);
    (tcp.is_some() || http.is_some()).then_some(ConnectionPool { tcp, http })
}

#[cfg(test)]
mod tests {
    use crate::emit::istio::fixture::*;
    use serde_json::json;

    #[test]
    fn destination_rule_has_subsets_and_policies() {
        let dr = &file(&bookinfo(), "istio/reviews.yaml")[0];
        let spec = &dr["spec"];
        assert_eq!(spec["host"], REVIEWS);
        let subsets: Vec<_> = spec["subsets"].as_array().unwrap().iter().collect();
        assert_eq!(
            subsets,
            [
                &json!({"name": "v1", "labels": {"version": "v1"}}),
                &json!({"name": "v2", "labels": {"version": "v2"}}),
                &json!({"name": "v3", "labels": {"version": "v3"}}),
            ]
        );
        let policy = &spec["trafficPolicy"];
        assert_eq!(policy["tls"]["mode"], "ISTIO_MUTUAL");
        assert_eq!(
            policy["outlierDetection"],
            json!({"consecutive5xxErrors": 5, "interval": "10s", "baseEjectionTime": "30s", "maxEjectionPercent": 50})
        );
        assert_eq!(
            policy["connectionPool"],
            json!({"tcp": {"maxConnections": 100}, "http": {"http1MaxPendingRequests": 50}})
        );
        assert_eq!(dr["metadata"]["labels"]["app"], "reviews");
    }
}

//! How many pods a service keeps: a HorizontalPodAutoscaler (autoscaling/v2,
//! CPU utilization) per Deployment when `autoscale` is set, and a
//! PodDisruptionBudget (policy/v1) over all of the service's pods when they
//! are two or more.

use super::types::{LabelSelector, Object, Spec};
use super::workload;
use crate::emit::{ObjectMeta, labels, selector_labels};
use crate::model::{App, Service, Workload};
use serde::Serialize;

pub type Hpa = Object<Spec<HpaSpec>>;
pub type Pdb = Object<Spec<PdbSpec>>;

/// One HPA per Deployment: an HPA scales exactly one target, so every
/// version of a versioned service scales on its own between the same bounds.
pub fn autoscaler(app: &App, svc: &Service, w: &Workload) -> Option<Hpa> {
    let a = svc.autoscale.as_ref()?;
    let mut meta = ObjectMeta::for_service(app, svc, &w.name);
    meta.labels = labels(app, svc, Some(w));
    Some(Object::new(
        "autoscaling/v2",
        "HorizontalPodAutoscaler",
        meta,
        Spec {
            spec: HpaSpec {
                scale_target_ref: ScaleTarget {
                    api_version: "apps/v1",
                    kind: if svc.storage.is_empty() {
                        "Deployment"
                    } else {
                        "StatefulSet"
                    },
                    name: w.name.clone(),
                },
                min_replicas: a.min,
                max_replicas: a.max,
                metrics: vec![Metric {
                    kind: "Resource",
                    resource: ResourceMetric {
                        name: "cpu",
                        target: MetricTarget {
                            kind: "Utilization",
                            average_utilization: a.cpu_percent,
                        },
                    },
                }],
            },
        },
    ))
}

/// At most one of the service's pods (any version) is evicted at a time by
/// a drain or an upgrade. With a single pod a budget would block every drain
/// (or protect nothing), so none is emitted.
pub fn disruption_budget(app: &App, svc: &Service) -> Option<Pdb> {
    if workload::total_replicas(svc) < 2 {
        return None;
    }
    Some(Object::new(
        "policy/v1",
        "PodDisruptionBudget",
        ObjectMeta::for_service(app, svc, &svc.name),
        Spec {
            spec: PdbSpec {
                max_unavailable: 1,
                selector: LabelSelector {
                    match_labels: selector_labels(svc, None),
                },
            },
        },
    ))
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HpaSpec {
    pub scale_target_ref: ScaleTarget,
    pub min_replicas: u32,
    pub max_replicas: u32,
    pub metrics: Vec<Metric>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScaleTarget {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub name: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Metric {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub resource: ResourceMetric,
}

#[derive(Clone, Debug, Serialize)]
pub struct ResourceMetric {
    pub name: &'static str,
    pub target: MetricTarget,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricTarget {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub average_utilization: u32,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PdbSpec {
    pub max_unavailable: u32,
    pub selector: LabelSelector,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::kubernetes::fixture;

    #[test]
    fn hpa_only_with_autoscale_and_targets_its_deployment() {
        let app = fixture::app();
        let (reviews, web) = (&app.services[0], &app.services[1]);
        assert!(autoscaler(&app, reviews, &reviews.workloads[0]).is_none());
        let hpa = autoscaler(&app, web, &web.workloads[0]).unwrap();
        assert_eq!(hpa.body.spec.scale_target_ref.name, "web");
        assert_eq!(
            (hpa.body.spec.min_replicas, hpa.body.spec.max_replicas),
            (3, 6)
        );
    }

    #[test]
    fn pdb_only_with_two_or_more_pods_in_total() {
        let mut app = fixture::app();
        // reviews: v1 and v2 with one replica each → two pods.
        assert!(disruption_budget(&app, &app.services[0]).is_some());
        app.services[0].workloads.truncate(1);
        assert!(disruption_budget(&app, &app.services[0]).is_none());
        // web: autoscale min 3, although its workload says 1.
        assert!(disruption_budget(&app, &app.services[1]).is_some());
        app.services[1].autoscale = None;
        assert!(disruption_budget(&app, &app.services[1]).is_none());
    }

    #[test]
    fn pdb_selects_every_version() {
        let app = fixture::app();
        let pdb = disruption_budget(&app, &app.services[0]).unwrap();
        let keys: Vec<&String> = pdb.body.spec.selector.match_labels.keys().collect();
        assert_eq!(keys, ["app"]);
    }
}

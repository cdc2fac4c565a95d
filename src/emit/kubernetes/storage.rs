//! Stateful services: a service with `storage` runs each workload as a
//! StatefulSet whose `volumeClaimTemplates` give every pod its own
//! PersistentVolumeClaim per volume (kept when the StatefulSet is deleted,
//! Kubernetes' default retention), governed by a headless Service that
//! gives the pods stable names (`<workload>-0.<service>-headless`).

use super::types::{
    ClaimMeta, ClaimResources, ClaimSpec, ClaimTemplate, LabelSelector, Object, ServicePort,
    ServiceSpec, Spec, StatefulSetSpec,
};
use super::workload::{REVISION_HISTORY, meta, pod_template};
use crate::emit::{ObjectMeta, labels, selector_labels};
use crate::model::{App, Service, Workload};
use indexmap::IndexMap;

pub type StatefulSet = Object<Spec<StatefulSetSpec>>;

/// The name of the headless Service governing a service's StatefulSets.
pub fn headless_name(svc: &Service) -> String {
    format!("{}-headless", svc.name)
}

pub fn stateful_set(app: &App, svc: &Service, w: &Workload) -> StatefulSet {
    Object::new(
        "apps/v1",
        "StatefulSet",
        meta(app, svc, w),
        Spec {
            spec: StatefulSetSpec {
                replicas: svc.autoscale.is_none().then_some(w.replicas),
                revision_history_limit: REVISION_HISTORY,
                selector: LabelSelector {
                    match_labels: selector_labels(svc, Some(w)),
                },
                service_name: headless_name(svc),
                template: pod_template(app, svc, w),
                volume_claim_templates: svc
                    .storage
                    .iter()
                    .map(|v| ClaimTemplate {
                        metadata: ClaimMeta {
                            name: v.name.clone(),
                            labels: labels(app, svc, Some(w)),
                        },
                        spec: ClaimSpec {
                            access_modes: vec![v.access.as_str()],
                            resources: ClaimResources {
                                requests: IndexMap::from([("storage", v.size.clone())]),
                            },
                        },
                    })
                    .collect(),
            },
        },
    )
}

/// The governing Service: no cluster IP, every port, every version's pods.
pub fn headless_service(app: &App, svc: &Service) -> Object<Spec<ServiceSpec>> {
    Object::new(
        "v1",
        "Service",
        ObjectMeta::for_service(app, svc, headless_name(svc)),
        Spec {
            spec: ServiceSpec {
                cluster_ip: Some("None"),
                selector: selector_labels(svc, None),
                ports: svc
                    .ports
                    .iter()
                    .map(|p| ServicePort {
                        name: p.name.clone(),
                        protocol: "TCP",
                        app_protocol: super::service::app_protocol(p.protocol),
                        port: p.number,
                        target_port: p.name.clone(),
                    })
                    .collect(),
            },
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::Access;
    use crate::emit::kubernetes::fixture;
    use crate::model::Volume;
    use serde_json::json;

    #[test]
    fn each_volume_is_a_claim_template_mounted_at_its_path() {
        let mut app = fixture::app();
        app.services[0].storage = vec![Volume {
            name: "data".into(),
            path: "/data".into(),
            size: "5Gi".into(),
            access: Access::ReadWriteOnce,
        }];
        let svc = &app.services[0];
        let sts = serde_json::to_value(stateful_set(&app, svc, &svc.workloads[0])).unwrap();
        assert_eq!(sts["kind"], "StatefulSet");
        assert_eq!(sts["spec"]["serviceName"], format!("{}-headless", svc.name));
        let claim = &sts["spec"]["volumeClaimTemplates"][0];
        assert_eq!(claim["metadata"]["name"], "data");
        assert_eq!(
            claim["spec"],
            json!({"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "5Gi"}}})
        );
        let mounts = &sts["spec"]["template"]["spec"]["containers"][0]["volumeMounts"];
        assert!(
            mounts
                .as_array()
                .unwrap()
                .contains(&json!({"name": "data", "mountPath": "/data"}))
        );
        let headless = serde_json::to_value(headless_service(&app, svc)).unwrap();
        assert_eq!(headless["spec"]["clusterIP"], "None");
    }
}

//! One Deployment per workload (model [`Workload`] → apps/v1 Deployment), or
//! a StatefulSet when the service has `storage` (see [`super::storage`]), with
//! the pod hardened by default: non-root fixed user, RuntimeDefault seccomp,
//! no service-account token, no service-link env vars, a writable `/tmp`
//! emptyDir under a read-only root file system, config files mounted
//! read-only. The container itself is built in [`super::container`].

use super::config;
use super::container;
use super::types::{
    DeploymentSpec, Empty, LabelSelector, Object, PodSecurityContext, PodSpec, PodTemplate,
    SeccompProfile, Spec, TemplateMeta, Volume,
};
use crate::emit::{ObjectMeta, labels, opt_out_annotations, selector_labels};
use crate::model::{App, RUN_AS_USER, Service, Workload};
use indexmap::IndexMap;

pub type Deployment = Object<Spec<DeploymentSpec>>;

/// Old ReplicaSets kept for `kubectl rollout undo`; the default (10) mostly
/// clutters `kubectl get rs`.
pub const REVISION_HISTORY: u32 = 3;

pub fn deployment(app: &App, svc: &Service, w: &Workload) -> Deployment {
    Object::new(
        "apps/v1",
        "Deployment",
        meta(app, svc, w),
        Spec {
            spec: DeploymentSpec {
                replicas: svc.autoscale.is_none().then_some(w.replicas),
                revision_history_limit: REVISION_HISTORY,
                selector: LabelSelector {
                    match_labels: selector_labels(svc, Some(w)),
                },
                template: pod_template(app, svc, w),
            },
        },
    )
}

/// The workload object's own metadata (Deployment or StatefulSet).
pub fn meta(app: &App, svc: &Service, w: &Workload) -> ObjectMeta {
    let mut meta = ObjectMeta::for_service(app, svc, &w.name);
    meta.labels = labels(app, svc, Some(w));
    meta.annotations = opt_out_annotations(&svc.opt_outs);
    meta
}

/// The hardened pod every workload runs.
pub fn pod_template(app: &App, svc: &Service, w: &Workload) -> PodTemplate {
    let mut annotations = IndexMap::new();
    if let Some(hash) = config::hash(svc) {
        annotations.insert(config::HASH_ANNOTATION.to_string(), hash);
    }
    let mut volumes = vec![Volume {
        name: container::TMP_VOLUME,
        empty_dir: Some(Empty {}),
        config_map: None,
    }];
    volumes.extend(config::volume(svc));
    PodTemplate {
        metadata: TemplateMeta {
            labels: labels(app, svc, Some(w)),
            annotations,
        },
        spec: PodSpec {
            service_account_name: svc.name.clone(),
            automount_service_account_token: false,
            enable_service_links: false,
            security_context: PodSecurityContext {
                run_as_non_root: true,
                run_as_user: RUN_AS_USER,
                run_as_group: RUN_AS_USER,
                fs_group: RUN_AS_USER,
                seccomp_profile: SeccompProfile {
                    kind: "RuntimeDefault",
                },
            },
            containers: vec![container::container(app, svc, w)],
            volumes,
        },
    }
}

/// The replica count a workload runs with: the HPA's minimum under
/// `autoscale`, else its own. With an HPA the Deployment leaves `replicas`
/// out (as Kubernetes' docs advise), so re-applying the bundle on every
/// deploy never resets a scaled-up Deployment to the minimum; the HPA
/// raises a new Deployment to `min` at its first sync.
pub fn replicas(svc: &Service, w: &Workload) -> u32 {
    svc.autoscale.as_ref().map_or(w.replicas, |a| a.min)
}

/// Replicas of every workload of the service together: what a
/// PodDisruptionBudget selecting `app: <service>` sees.
pub fn total_replicas(svc: &Service) -> u32 {
    svc.workloads.iter().map(|w| replicas(svc, w)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::kubernetes::fixture;

    #[test]
    fn selector_is_within_template_labels_and_service_selector_too() {
        let app = fixture::app();
        for svc in &app.services {
            let service_selector = selector_labels(svc, None);
            for w in &svc.workloads {
                let d = deployment(&app, svc, w);
                let template = &d.body.spec.template.metadata.labels;
                for (k, v) in &d.body.spec.selector.match_labels {
                    assert_eq!(template.get(k), Some(v), "{}: selector {k}", w.name);
                }
                for (k, v) in &service_selector {
                    assert_eq!(template.get(k), Some(v), "{}: service {k}", w.name);
                }
            }
        }
    }

    #[test]
    fn versioned_workloads_select_on_their_version() {
        let app = fixture::app();
        let reviews = &app.services[0];
        let d = deployment(&app, reviews, &reviews.workloads[1]);
        assert_eq!(d.metadata.name, "reviews-v2");
        let sel = &d.body.spec.selector.match_labels;
        assert_eq!(sel.get("app").map(String::as_str), Some("reviews"));
        assert_eq!(sel.get("version").map(String::as_str), Some("v2"));
        assert_eq!(
            d.metadata.labels.get("version").map(String::as_str),
            Some("v2")
        );
    }

    #[test]
    fn autoscaled_deployment_leaves_the_count_to_the_hpa() {
        let app = fixture::app();
        let web = &app.services[1];
        let d = deployment(&app, web, &web.workloads[0]);
        assert_eq!(d.body.spec.replicas, None);
        assert_eq!(replicas(web, &web.workloads[0]), 3);
        let api = &app.services[0];
        let d = deployment(&app, api, &api.workloads[0]);
        assert_eq!(d.body.spec.replicas, Some(api.workloads[0].replicas));
    }

    #[test]
    fn pod_is_hardened() {
        let app = fixture::app();
        let web = &app.services[1];
        let pod = &deployment(&app, web, &web.workloads[0])
            .body
            .spec
            .template
            .spec;
        assert!(pod.security_context.run_as_non_root);
        assert_eq!(pod.security_context.run_as_user, RUN_AS_USER);
        assert!(!pod.automount_service_account_token);
        assert_eq!(pod.service_account_name, "web");
        let names: Vec<&str> = pod.volumes.iter().map(|v| v.name).collect();
        assert_eq!(names, ["tmp", "config"]);
    }
}

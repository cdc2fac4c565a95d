//! Fields the API server refuses to change in place. A change to one makes
//! the step a replace (delete, then create) instead of an update.

use super::{FieldChange, Key};
use serde_json::Value;

/// (API group, kind, immutable field paths).
const IMMUTABLE: &[(&str, &str, &[&str])] = &[
    ("apps", "Deployment", &["spec.selector"]),
    ("apps", "ReplicaSet", &["spec.selector"]),
    ("apps", "DaemonSet", &["spec.selector"]),
    (
        "apps",
        "StatefulSet",
        &[
            "spec.selector",
            "spec.serviceName",
            "spec.volumeClaimTemplates",
            "spec.podManagementPolicy",
        ],
    ),
    (
        "batch",
        "Job",
        &["spec.selector", "spec.template", "spec.completionMode"],
    ),
    ("", "Service", &["spec.clusterIP", "spec.clusterIPs"]),
    (
        "",
        "PersistentVolumeClaim",
        &[
            "spec.accessModes",
            "spec.storageClassName",
            "spec.volumeName",
            "spec.volumeMode",
            "spec.selector",
        ],
    ),
    ("", "Secret", &["type"]),
    ("rbac.authorization.k8s.io", "RoleBinding", &["roleRef"]),
    (
        "rbac.authorization.k8s.io",
        "ClusterRoleBinding",
        &["roleRef"],
    ),
];

/// The content of a ConfigMap or Secret marked `immutable: true`.
const SEALED: &[&str] = &["data", "binaryData", "stringData", "immutable"];

/// The immutable fields among `changes`, each once, in the order found.
pub fn violations(key: &Key, old: &Value, changes: &[FieldChange]) -> Vec<String> {
    let mut fixed: Vec<&str> = IMMUTABLE
        .iter()
        .filter(|(group, kind, _)| *group == key.group() && *kind == key.kind)
        .flat_map(|(_, _, paths)| paths.iter().copied())
        .collect();
    let sealed = key.group().is_empty()
        && matches!(key.kind.as_str(), "ConfigMap" | "Secret")
        && old.get("immutable") == Some(&Value::Bool(true));
    if sealed {
        fixed.extend(SEALED);
    }
    let mut out: Vec<&str> = Vec::new();
    for c in changes {
        if let Some(f) = fixed.iter().find(|f| within(&c.path, f))
            && !out.contains(f)
        {
            out.push(f);
        }
    }
    out.iter().map(|f| format!("`{f}`")).collect()
}

/// `path` is `field` or lies under it.
fn within(path: &str, field: &str) -> bool {
    path.strip_prefix(field)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::fields;
    use serde_json::json;

    fn key(api_version: &str, kind: &str) -> Key {
        Key {
            api_version: api_version.into(),
            kind: kind.into(),
            namespace: Some("ns".into()),
            name: "x".into(),
        }
    }

    #[test]
    fn a_deployment_selector_change_is_a_replace() {
        let old = json!({"spec": {"replicas": 1, "selector": {"matchLabels": {"app": "a"}}}});
        let new = json!({"spec": {"replicas": 2, "selector": {"matchLabels": {"app": "b"}}}});
        let changes = fields::diff(&old, &new);
        assert_eq!(
            violations(&key("apps/v1", "Deployment"), &old, &changes),
            ["`spec.selector`"]
        );
        assert!(violations(&key("v1", "Service"), &old, &changes).is_empty());
    }

    #[test]
    fn a_sealed_config_map_cannot_change() {
        let old = json!({"immutable": true, "data": {"a": "1"}});
        let new = json!({"immutable": true, "data": {"a": "2"}});
        let changes = fields::diff(&old, &new);
        assert_eq!(
            violations(&key("v1", "ConfigMap"), &old, &changes),
            ["`data`"]
        );
    }

    #[test]
    fn prefixes_match_whole_segments() {
        assert!(within("spec.selector.matchLabels.app", "spec.selector"));
        assert!(!within("spec.selectorX", "spec.selector"));
    }
}

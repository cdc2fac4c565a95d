//! The app's Namespace, labelled for Istio's sidecar injector when the mesh
//! is Istio, annotated for Linkerd's proxy injector when it is Linkerd.
//! App in, one cluster-scoped object out.

use super::types::{Empty, Labels, Object};
use crate::emit::ObjectMeta;
use crate::model::{App, Mesh};

pub fn namespace(app: &App) -> Object<Empty> {
    let mut labels = Labels::new();
    if app.mesh == Mesh::Istio {
        labels.insert("istio-injection".into(), "enabled".into());
    }
    labels.insert("app.kubernetes.io/part-of".into(), app.name.clone());
    labels.insert("app.kubernetes.io/managed-by".into(), "meshc".into());
    let mut annotations = Labels::new();
    if app.mesh == Mesh::Linkerd {
        annotations.insert("linkerd.io/inject".into(), "enabled".into());
    }
    Object::new(
        "v1",
        "Namespace",
        ObjectMeta {
            name: app.namespace.clone(),
            labels,
            annotations,
            ..ObjectMeta::default()
        },
        Empty {},
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::kubernetes::fixture;

    #[test]
    fn injection_label_only_with_istio() {
        let mut app = fixture::app();
        let ns = namespace(&app);
        assert_eq!(ns.metadata.name, "shop");
        assert!(ns.metadata.namespace.is_none());
        assert_eq!(ns.metadata.labels["istio-injection"], "enabled");
        app.mesh = Mesh::None;
        assert!(
            !namespace(&app)
                .metadata
                .labels
                .contains_key("istio-injection")
        );
    }
}

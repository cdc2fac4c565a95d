//! Config files (model [`ConfigFile`](crate::model::ConfigFile)s) → the `<service>-config` ConfigMap,
//! the read-only volume and mount that put its keys under
//! [`CONFIG_DIR`], and the content hash a pod-template annotation carries so
//! that changing a file rolls the pods.

use super::types::{ConfigMap, ConfigMapVolume, Object, Volume, VolumeMount};
use crate::emit::{ObjectMeta, yaml};
use crate::model::{App, CONFIG_DIR, Service};
use indexmap::IndexMap;
use sha2::{Digest, Sha256};

pub const HASH_ANNOTATION: &str = "meshc.dev/config-sha256";
const VOLUME: &str = "config";
/// r--r--r--: the files are data, never executables.
const FILE_MODE: u32 = 0o444;

pub fn name(svc: &Service) -> String {
    format!("{}-config", svc.name)
}

/// The ConfigMap, or `None` when the service has no config files.
pub fn config_map(app: &App, svc: &Service) -> Option<Object<ConfigMap>> {
    let data = data(svc)?;
    Some(Object::new(
        "v1",
        "ConfigMap",
        ObjectMeta::for_service(app, svc, name(svc)),
        ConfigMap { data },
    ))
}

fn data(svc: &Service) -> Option<IndexMap<String, String>> {
    if svc.config.is_empty() {
        return None;
    }
    Some(
        svc.config
            .iter()
            .map(|f| (f.name.clone(), f.data.clone()))
            .collect(),
    )
}

/// SHA-256 (hex) of the ConfigMap's data in canonical JSON (sorted keys), so
/// reordering files in the description does not roll the pods, but any
/// change to a name or a byte does.
pub fn hash(svc: &Service) -> Option<String> {
    let canonical = yaml::canonical(&data(svc)?);
    let digest = Sha256::digest(canonical.to_string().as_bytes());
    Some(digest.iter().map(|b| format!("{b:02x}")).collect())
}

pub fn volume(svc: &Service) -> Option<Volume> {
    data(svc)?;
    Some(Volume {
        name: VOLUME,
        empty_dir: None,
        config_map: Some(ConfigMapVolume {
            name: name(svc),
            default_mode: FILE_MODE,
        }),
    })
}

pub fn mount(svc: &Service) -> Option<VolumeMount> {
    data(svc)?;
    Some(VolumeMount {
        name: VOLUME.into(),
        mount_path: CONFIG_DIR.into(),
        read_only: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::kubernetes::fixture;

    #[test]
    fn files_become_data_keys() {
        let app = fixture::app();
        let cm = config_map(&app, &app.services[1]).unwrap();
        assert_eq!(cm.metadata.name, "web-config");
        assert_eq!(cm.body.data["settings.json"], "{\"debug\": false}\n");
        assert!(config_map(&app, &app.services[0]).is_none());
    }

    #[test]
    fn hash_changes_with_content_but_not_with_order() {
        let mut app = fixture::app();
        let before = hash(&app.services[1]).unwrap();
        assert_eq!(before.len(), 64);
        app.services[1].config.reverse();
        assert_eq!(hash(&app.services[1]).unwrap(), before);
        app.services[1].config[0].data.push(' ');
        assert_ne!(hash(&app.services[1]).unwrap(), before);
    }
}

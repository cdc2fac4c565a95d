//! What one service's files are a function of, as a digest.
//!
//! Every per-service file (an artifact whose [`Artifact::service`] is set)
//! is written from: the service's own model; the names of the services it
//! calls and of those that call it (their principals and selector labels go
//! into its policies); the app-wide settings (name, namespace, mesh, trust
//! domain); the Dockerfile templates; and the meshc build itself
//! (`MESHC_ENGINE`, from `build.rs`). The fingerprint hashes exactly those,
//! so two builds that give a service the same fingerprint write the same
//! files for it, and `meshc diff` can take them as unchanged without
//! emitting or reading them (see `diff::against`). Source positions are
//! left out: moving a service in the file does not change its output.
//!
//! The model is hashed through its `Debug` text, destructured field by
//! field: a field added to [`Service`] or [`App`] does not compile here
//! until it is hashed or explicitly left out.
//!
//! [`Artifact::service`]: super::Artifact::service

use super::docker::Templates;
use crate::model::{App, Service, ServiceId};
use sha2::{Digest, Sha256};
use std::fmt::Write;

/// The meshc build: sources, templates, dependency versions.
pub const ENGINE: &str = env!("MESHC_ENGINE");

/// A `fmt::Write` that hashes what is written instead of keeping it.
struct Hashing(Sha256);

impl Write for Hashing {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.update(s.as_bytes());
        Ok(())
    }
}

/// One fingerprint (sha256, hex) per service, in service order.
pub fn services(app: &App, templates: &Templates) -> Vec<String> {
    let App {
        name,
        namespace,
        mesh,
        routing,
        gateway_class,
        trust_domain,
        services: _,
    } = app;
    let mut common = Hashing(Sha256::new());
    // `{:?}` quotes and escapes strings, so no two inputs run together.
    let _ = write!(
        common,
        "{ENGINE:?} {name:?} {namespace:?} {mesh:?} {routing:?} {gateway_class:?} {trust_domain:?}"
    );
    for (file, text) in templates.effective() {
        let _ = write!(common, " {file:?} {text:?}");
    }
    crate::par::map(&app.services, |svc| {
        let mut h = Hashing(common.0.clone());
        service(&mut h, app, svc);
        crate::bundle::hex(&h.0.finalize())
    })
}

fn service(h: &mut Hashing, app: &App, svc: &Service) {
    let Service {
        name,
        span: _,
        ports,
        workloads,
        versioned,
        calls,
        call_ports,
        callers,
        health,
        ingress,
        config,
        autoscale,
        resources,
        traffic,
        storage,
        opt_outs,
    } = svc;
    let names = |ids: &[ServiceId]| -> Vec<Option<&str>> {
        ids.iter()
            .map(|&id| app.services.get(id).map(|s| s.name.as_str()))
            .collect()
    };
    let _ = write!(
        h,
        "{:?}",
        (
            name,
            ports,
            workloads,
            versioned,
            names(calls),
            names(callers),
            health,
            ingress,
        )
    );
    // A callee's NetworkPolicy and authorization list the ports each caller calls.
    let me = app.id_of(svc);
    let called_on: Vec<Option<&Vec<String>>> = callers
        .iter()
        .map(|&c| {
            let caller = app.services.get(c)?;
            caller.call_ports.get(&me?)
        })
        .collect();
    let narrowed: Vec<(Option<&str>, &Vec<String>)> = call_ports
        .iter()
        .map(|(&id, ports)| (app.services.get(id).map(|s| s.name.as_str()), ports))
        .collect();
    let _ = write!(
        h,
        "{:?}",
        (
            config, autoscale, resources, traffic, storage, narrowed, called_on, opt_outs
        )
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::kubernetes::fixture;

    fn fingerprints(app: &App) -> Vec<String> {
        services(app, &Templates::default())
    }

    #[test]
    fn positions_do_not_count_and_a_callers_name_does() {
        let app = fixture::app();
        let before = fingerprints(&app);
        assert_eq!(before.len(), 2);
        assert_ne!(before[0], before[1]);

        let mut moved = app.clone();
        moved.services[0].span = crate::source::Span::new(100, 120);
        assert_eq!(fingerprints(&moved), before, "a span is not output");

        let mut renamed = app.clone();
        renamed.services[0].name = "ratings".into();
        let after = fingerprints(&renamed);
        assert_ne!(after[0], before[0], "the renamed service");
        assert_ne!(after[1], before[1], "web's policies name its caller");
    }

    #[test]
    fn app_wide_settings_and_templates_reach_every_service() {
        let app = fixture::app();
        let before = fingerprints(&app);
        let mut other = app.clone();
        other.trust_domain = "example.org".into();
        let after = fingerprints(&other);
        assert!(before.iter().zip(&after).all(|(a, b)| a != b));

        let mut t = Templates::default();
        t.files.insert("header.hbs".into(), "# ours\n".into());
        let templated = services(&app, &t);
        assert!(before.iter().zip(&templated).all(|(a, b)| a != b));
        assert_eq!(
            services(&app, &Templates::embedded()),
            before,
            "the built-in templates, spelled out or not"
        );
    }
}

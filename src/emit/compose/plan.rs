//! What the Compose file decides once for the whole app before writing any
//! service: the Dockerfiles to build from, which workloads can report
//! healthy, the host ports each ingress workload publishes, and the names
//! of networks, volumes, secrets and configs.

use crate::model::{App, ConfigFile, Probe, Service, Volume, Workload};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::RangeInclusive;

use super::types::Dependency;

pub struct Plan {
    dockerfiles: BTreeMap<String, String>,
    /// Workloads whose container has a health check Compose can wait for.
    healthy: BTreeSet<String>,
    /// Host ports per ingress workload, one per replica.
    published: BTreeMap<String, RangeInclusive<u16>>,
    /// Services with callers: each has a network of its own.
    networked: BTreeSet<String>,
    /// Ingress workloads whose wished-for host port was taken by an earlier one.
    pub moved: BTreeMap<String, u16>,
}

impl Plan {
    pub fn new(app: &App, dockerfiles: BTreeMap<String, String>) -> Plan {
        let mut healthy = BTreeSet::new();
        for svc in &app.services {
            for w in &svc.workloads {
                let exec = matches!(svc.health, Some(Probe::Exec { .. }));
                if exec || dockerfiles.get(&w.name).is_some_and(|d| has_healthcheck(d)) {
                    healthy.insert(w.name.clone());
                }
            }
        }
        let mut plan = Plan {
            dockerfiles,
            healthy,
            published: BTreeMap::new(),
            networked: app
                .services
                .iter()
                .filter(|s| !s.callers.is_empty())
                .map(|s| s.name.clone())
                .collect(),
            moved: BTreeMap::new(),
        };
        plan.assign_ports(app);
        plan
    }

    /// In service and version order, each ingress workload gets as many
    /// consecutive host ports as it has replicas, from `local_port` up;
    /// a block that overlaps an earlier one moves up to the next free one.
    fn assign_ports(&mut self, app: &App) {
        let mut taken: Vec<RangeInclusive<u16>> = Vec::new();
        for svc in &app.services {
            let Some(ingress) = &svc.ingress else {
                continue;
            };
            let mut start = ingress.local_port;
            for w in &svc.workloads {
                let wanted = start;
                let count = super::service::replicas(svc, w).clamp(1, 1000) as u16;
                let free = |s: u16| {
                    let end = s.checked_add(count - 1)?;
                    (!taken.iter().any(|t| s <= *t.end() && *t.start() <= end)).then_some(end)
                };
                let mut s = start;
                let end = loop {
                    match free(s) {
                        Some(end) => break Some(end),
                        None => match s.checked_add(1) {
                            Some(next) => s = next,
                            None => break None,
                        },
                    }
                };
                let Some(end) = end else { continue };
                if s != wanted {
                    self.moved.insert(w.name.clone(), s);
                }
                taken.push(s..=end);
                self.published.insert(w.name.clone(), s..=end);
                start = end.saturating_add(1);
            }
        }
    }

    pub fn dockerfile(&self, w: &Workload) -> Option<&str> {
        self.dockerfiles.get(&w.name).map(String::as_str)
    }

    pub fn published(&self, w: &Workload) -> Option<&RangeInclusive<u16>> {
        self.published.get(&w.name)
    }

    pub fn is_healthy(&self, w: &Workload) -> bool {
        self.healthy.contains(&w.name)
    }

    /// How a caller waits for `callee`: healthy when its health check runs
    /// in its container, started otherwise.
    pub fn dependency(&self, callee: &Workload) -> Dependency {
        Dependency {
            condition: if self.is_healthy(callee) {
                "service_healthy"
            } else {
                "service_started"
            },
        }
    }

    pub fn has_network(&self, svc: &Service) -> bool {
        self.networked.contains(&svc.name)
    }
}

/// Whether a Dockerfile's final stage sets a `HEALTHCHECK` other than
/// `NONE` (meshc's templates put it there; a user's template might not).
fn has_healthcheck(dockerfile: &str) -> bool {
    let last_stage = dockerfile
        .rsplit_once("\nFROM ")
        .map_or(dockerfile, |(_, s)| s);
    last_stage
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("HEALTHCHECK"))
        .rfind(|rest| rest.starts_with([' ', '\t']))
        .is_some_and(|rest| !rest.trim_start().to_ascii_uppercase().starts_with("NONE"))
}

/// `<workload>-<volume>`: each version keeps its own data, as each
/// version's StatefulSet does on Kubernetes.
pub fn volume_name(w: &Workload, v: &Volume) -> String {
    format!("{}-{}", w.name, v.name)
}

/// A Secret's key as one Compose secret: `<secret>_<key>` (a Kubernetes
/// Secret's name has no `_`, so the pair is never ambiguous).
pub fn secret_name(name: &str, key: &str) -> String {
    format!("{name}_{key}")
}

/// The host variable that holds it: `MESHC_SECRET_WEB_DB_PASSWORD`.
pub fn secret_var(name: &str, key: &str) -> String {
    let up: String = format!("{name}_{key}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("MESHC_SECRET_{up}")
}

/// `<service>-<file>`, with anything Compose does not allow in a name as `_`.
pub fn config_name(svc: &Service, f: &ConfigFile) -> String {
    let file: String = f
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{}-{file}", svc.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn healthcheck_is_read_from_the_final_stage() {
        assert!(has_healthcheck(
            "FROM a AS b\nFROM c\nHEALTHCHECK --interval=5s CMD [\"x\"]\n"
        ));
        assert!(!has_healthcheck(
            "FROM a AS b\nHEALTHCHECK CMD [\"x\"]\nFROM c\nUSER 1\n"
        ));
        assert!(!has_healthcheck("FROM c\nHEALTHCHECK NONE\n"));
        assert!(!has_healthcheck("FROM c\n# HEALTHCHECKS are nice\n"));
    }

    #[test]
    fn secret_names_are_unambiguous_and_variables_are_shell_names() {
        assert_eq!(secret_name("web-db", "password"), "web-db_password");
        assert_eq!(
            secret_var("web-db", "tls.key"),
            "MESHC_SECRET_WEB_DB_TLS_KEY"
        );
    }
}

//! Tag → digest through the OCI Distribution API: `HEAD` (then `GET`)
//! `/v2/<name>/manifests/<tag>`, answering `401` challenges with Basic
//! credentials or an anonymous or authenticated Bearer token. The digest is
//! the registry's `Docker-Content-Digest`, checked against the bytes when
//! they are fetched; for a multi-platform image it is the index's digest.

use super::challenge::Challenge;
use super::credentials::{self, Found};
use super::error::Problem;
use super::http::{Answer, Http, Method};
use super::reference::{Reference, is_digest};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const MANIFEST_TYPES: &str = "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";

/// How to reach registries.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Per request, connection and answer together.
    pub timeout: Duration,
    /// `host:port` of registries reached over plain HTTP.
    pub insecure: Vec<String>,
    /// The Docker config file credentials are read from.
    pub docker_config: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            timeout: Duration::from_secs(30),
            insecure: Vec::new(),
            docker_config: credentials::docker_config_path(),
        }
    }
}

/// Shared by the worker threads: credentials are looked up once per
/// registry, a token fetched once per repository.
pub struct Client {
    http: Http,
    docker_config: Option<PathBuf>,
    credentials: Mutex<HashMap<String, Arc<Found>>>,
    /// The `Authorization` that worked, by `(registry, scope)`.
    authorizations: Mutex<HashMap<(String, String), String>>,
    /// Each registry's challenge, so a second repository asks for its token first.
    challenges: Mutex<HashMap<String, Challenge>>,
}

impl Client {
    pub fn new(settings: Settings) -> Client {
        Client {
            http: Http::new(settings.timeout, settings.insecure),
            docker_config: settings.docker_config,
            credentials: Mutex::default(),
            authorizations: Mutex::default(),
            challenges: Mutex::default(),
        }
    }

    /// The digest a tag names now.
    pub fn resolve(&self, r: &Reference) -> Result<String, Problem> {
        let url = format!(
            "{}/v2/{}/manifests/{}",
            self.http.base_url(r.api_host()),
            r.repository,
            r.tag
        );
        let head = self.authorized(Method::Head, &url, r)?;
        match head.status {
            200 => {
                if let Some(d) = head.digest.filter(|d| is_digest(d)) {
                    return Ok(d);
                }
            }
            404 => return Err(not_found(r)),
            // 405 and the like: some registries answer only GET.
            _ => {}
        }
        let get = self.authorized(Method::Get, &url, r)?;
        match (get.status, get.body) {
            (200, Some(body)) => {
                let computed = format!("sha256:{:x}", Sha256::digest(&body));
                match get.digest {
                    Some(header) if header.starts_with("sha256:") && header != computed => {
                        Err(Problem::DigestMismatch {
                            header,
                            body: computed,
                        })
                    }
                    _ => Ok(computed),
                }
            }
            (404, _) => Err(not_found(r)),
            (status, _) => Err(Problem::Status {
                status,
                url: get.url,
                attempts: get.attempts,
            }),
        }
    }

    /// An exchange that answers the registry's challenge once.
    fn authorized(&self, method: Method, url: &str, r: &Reference) -> Result<Answer, Problem> {
        let registry = r.registry.as_str();
        let scope = format!("repository:{}:pull", r.repository);
        let key = (registry.to_string(), scope.clone());
        let cached = lock(&self.authorizations).get(&key).cloned();
        let known = lock(&self.challenges).get(registry).cloned();
        let mut authorization = match (cached, known) {
            (Some(a), _) => Some(a),
            (None, Some(c)) => Some(self.authorize(r, &c, &scope)?),
            (None, None) => None,
        };
        let mut fresh = authorization.is_some() && !lock(&self.authorizations).contains_key(&key);
        loop {
            let answer =
                self.http
                    .exchange(method, url, MANIFEST_TYPES, authorization.as_deref())?;
            let denied = |refused: bool| Problem::Denied {
                registry: registry.to_string(),
                status: answer.status,
                tried: self.credentials(registry).tried.clone(),
                refused,
            };
            match answer.status {
                401 if !fresh => {
                    let challenge = answer
                        .challenge
                        .as_deref()
                        .and_then(Challenge::parse)
                        .ok_or_else(|| denied(false))?;
                    let a = self.authorize(r, &challenge, &scope)?;
                    lock(&self.challenges).insert(registry.to_string(), challenge);
                    authorization = Some(a);
                    fresh = true;
                }
                401 | 403 => {
                    let sent_credentials = self.credentials(registry).basic.is_some();
                    return Err(denied(authorization.is_some() && sent_credentials));
                }
                _ => {
                    if let Some(a) = authorization {
                        lock(&self.authorizations).insert(key, a);
                    }
                    return Ok(answer);
                }
            }
        }
    }

    /// The `Authorization` value that answers `challenge`.
    fn authorize(
        &self,
        r: &Reference,
        challenge: &Challenge,
        scope: &str,
    ) -> Result<String, Problem> {
        let found = self.credentials(&r.registry);
        match challenge {
            Challenge::Basic => found.basic_header().ok_or_else(|| Problem::Denied {
                registry: r.registry.clone(),
                status: 401,
                tried: found.tried.clone(),
                refused: false,
            }),
            Challenge::Bearer { realm, service } => {
                let url = Challenge::token_url(realm, service.as_deref(), scope);
                if url.starts_with("http://") {
                    if !self.http.plain_allowed(super::http::host_of(&url)) {
                        return Err(Problem::InsecureRedirect { url });
                    }
                } else if !url.starts_with("https://") {
                    return Err(Problem::BadToken {
                        realm: realm.clone(),
                        reason: "the realm is not an http(s) URL".into(),
                    });
                }
                let basic = found.basic_header();
                let answer =
                    self.http
                        .exchange(Method::Get, &url, "application/json", basic.as_deref())?;
                match (answer.status, answer.body) {
                    (200, Some(body)) => {
                        token(&body).map(|t| format!("Bearer {t}")).ok_or_else(|| {
                            Problem::BadToken {
                                realm: realm.clone(),
                                reason: "the answer has no `token` or `access_token`".into(),
                            }
                        })
                    }
                    (401 | 403, _) => Err(Problem::Denied {
                        registry: r.registry.clone(),
                        status: answer.status,
                        tried: found.tried.clone(),
                        refused: basic.is_some(),
                    }),
                    (status, _) => Err(Problem::BadToken {
                        realm: realm.clone(),
                        reason: format!("HTTP {status}"),
                    }),
                }
            }
        }
    }

    fn credentials(&self, registry: &str) -> Arc<Found> {
        if let Some(f) = lock(&self.credentials).get(registry) {
            return f.clone();
        }
        let found = Arc::new(credentials::lookup(self.docker_config.as_deref(), registry));
        lock(&self.credentials)
            .entry(registry.to_string())
            .or_insert(found)
            .clone()
    }
}

fn not_found(r: &Reference) -> Problem {
    Problem::NotFound {
        registry: r.api_host().to_string(),
        repository: r.repository.clone(),
        tag: r.tag.clone(),
    }
}

/// `token` (Docker) or `access_token` (OAuth 2) of a token service's JSON.
fn token(body: &[u8]) -> Option<String> {
    let json: serde_json::Value = serde_json::from_slice(body).ok()?;
    ["token", "access_token"]
        .iter()
        .find_map(|k| json.get(*k)?.as_str().filter(|t| !t.is_empty()))
        .filter(|t| t.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_string)
}

/// A poisoned lock only means another worker panicked; its map is still usable.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

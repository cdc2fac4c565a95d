//! One HTTP exchange with a registry: a request, its bounded retries on 429
//! and 5xx, its redirects (followed by hand: limited, loops named, no
//! credentials to another host, no downgrade to plain HTTP), and the
//! transport failures worded as [`Problem`]s.

use super::error::Problem;
use super::reference::is_loopback;
use std::time::Duration;

/// More than any image's manifest (Docker Hub's largest indexes are ~100 KiB).
pub const MAX_BODY: u64 = 4 * 1024 * 1024;
const MAX_REDIRECTS: usize = 5;
const ATTEMPTS: u32 = 4;
const MAX_RETRY_WAIT: Duration = Duration::from_secs(5);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Head,
    Get,
}

/// What an exchange ended with; `body` only for a GET answered 200.
#[derive(Debug, Default)]
pub struct Answer {
    pub status: u16,
    pub url: String,
    pub digest: Option<String>,
    pub location: Option<String>,
    /// `WWW-Authenticate`.
    pub challenge: Option<String>,
    pub body: Option<Vec<u8>>,
    pub attempts: u32,
}

pub struct Http {
    proxied: ureq::Agent,
    /// Loopback registries are never reached through a proxy.
    direct: ureq::Agent,
    timeout: Duration,
    insecure: Vec<String>,
}

impl Http {
    pub fn new(timeout: Duration, insecure: Vec<String>) -> Http {
        let agent = |proxy: bool| -> ureq::Agent {
            let mut config = ureq::Agent::config_builder()
                .timeout_connect(Some(timeout.min(Duration::from_secs(10))))
                .timeout_global(Some(timeout))
                .max_redirects(0)
                .http_status_as_error(false)
                .user_agent(concat!("meshc/", env!("CARGO_PKG_VERSION")));
            if !proxy {
                config = config.proxy(None);
            }
            config.build().into()
        };
        Http {
            proxied: agent(true),
            direct: agent(false),
            timeout,
            insecure,
        }
    }

    /// `http://` for loopback registries and `--insecure-registry` ones, else `https://`.
    pub fn base_url(&self, host: &str) -> String {
        if self.plain_allowed(host) {
            format!("http://{host}")
        } else {
            format!("https://{host}")
        }
    }

    /// Whether `host` may be reached over plain HTTP.
    pub fn plain_allowed(&self, host: &str) -> bool {
        is_loopback(host) || self.insecure.iter().any(|h| h == host)
    }

    /// A request and its redirects. `authorization` is dropped when a
    /// redirect leaves the host.
    pub fn exchange(
        &self,
        method: Method,
        url: &str,
        accept: &str,
        authorization: Option<&str>,
    ) -> Result<Answer, Problem> {
        let mut url = url.to_string();
        let mut seen: Vec<String> = Vec::new();
        let mut authorization = authorization;
        loop {
            let answer = self.with_retries(method, &url, accept, authorization)?;
            let location = match (&answer.location, answer.status) {
                (Some(l), 301 | 302 | 303 | 307 | 308) => l.clone(),
                _ => return Ok(answer),
            };
            let next = join(&url, &location);
            seen.push(std::mem::take(&mut url));
            if seen.contains(&next) {
                return Err(Problem::RedirectLoop { url: next });
            }
            if seen.len() > MAX_REDIRECTS {
                return Err(Problem::TooManyRedirects {
                    url: next,
                    limit: MAX_REDIRECTS,
                });
            }
            let (next_host, from_host) = (host_of(&next), host_of(seen.last().map_or("", |s| s)));
            let allowed = next.starts_with("https://")
                || (next.starts_with("http://") && self.plain_allowed(next_host));
            if !allowed {
                return Err(Problem::InsecureRedirect { url: next });
            }
            if next_host != from_host {
                authorization = None;
            }
            url = next;
        }
    }

    fn with_retries(
        &self,
        method: Method,
        url: &str,
        accept: &str,
        authorization: Option<&str>,
    ) -> Result<Answer, Problem> {
        let mut attempt = 1;
        loop {
            let (mut answer, retry_after) = self.once(method, url, accept, authorization)?;
            answer.attempts = attempt;
            let transient = answer.status == 429 || matches!(answer.status, 500 | 502 | 503 | 504);
            if !transient || attempt >= ATTEMPTS {
                return Ok(answer);
            }
            let backoff = Duration::from_millis(200 << (attempt - 1));
            std::thread::sleep(retry_after.unwrap_or(backoff).min(MAX_RETRY_WAIT));
            attempt += 1;
        }
    }

    fn once(
        &self,
        method: Method,
        url: &str,
        accept: &str,
        authorization: Option<&str>,
    ) -> Result<(Answer, Option<Duration>), Problem> {
        let host = host_of(url);
        let agent = if is_loopback(host) {
            &self.direct
        } else {
            &self.proxied
        };
        let request = match method {
            Method::Head => agent.head(url),
            Method::Get => agent.get(url),
        };
        let mut request = request.header("Accept", accept);
        if let Some(a) = authorization {
            request = request.header("Authorization", a);
        }
        let response = request.call().map_err(|e| self.transport(e, url))?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_string())
        };
        let location = header("location");
        let challenge = header("www-authenticate");
        let digest = header("docker-content-digest");
        let retry_after = header("retry-after")
            .and_then(|s| s.parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = if method == Method::Get && status == 200 {
            let bytes = response
                .into_body()
                .with_config()
                .limit(MAX_BODY)
                .read_to_vec()
                .map_err(|e| self.transport(e, url))?;
            Some(bytes)
        } else {
            None
        };
        let answer = Answer {
            status,
            url: url.to_string(),
            digest,
            location,
            challenge,
            body,
            attempts: 1,
        };
        Ok((answer, retry_after))
    }

    fn transport(&self, e: ureq::Error, url: &str) -> Problem {
        let host = host_port(url);
        let unreachable = |reason: String| Problem::Unreachable {
            host: host.clone(),
            reason,
        };
        match e {
            ureq::Error::Timeout(_) => Problem::Timeout {
                host,
                secs: self.timeout.as_secs().max(1),
            },
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => Problem::Timeout {
                host,
                secs: self.timeout.as_secs().max(1),
            },
            ureq::Error::BodyExceedsLimit(_) => Problem::TooLarge { limit: MAX_BODY },
            ureq::Error::HostNotFound => unreachable("the name does not resolve".into()),
            ureq::Error::ConnectionFailed => unreachable("the connection failed".into()),
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
                unreachable("connection refused".into())
            }
            ureq::Error::Tls(_) | ureq::Error::Rustls(_) => unreachable(format!("TLS failed: {e}")),
            e => unreachable(e.to_string()),
        }
    }
}

/// `host[:port]` of an absolute URL.
pub fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#']).next().unwrap_or("")
}

/// `host:port`, with the scheme's port when none is written.
fn host_port(url: &str) -> String {
    let host = host_of(url);
    let has_port = match host.rfind(']') {
        Some(i) => host[i..].contains(':'),
        None => host.contains(':'),
    };
    if has_port {
        host.to_string()
    } else if url.starts_with("http://") {
        format!("{host}:80")
    } else {
        format!("{host}:443")
    }
}

/// A `Location` resolved against the URL it answered.
fn join(base: &str, location: &str) -> String {
    if location.starts_with("http://") || location.starts_with("https://") {
        return location.to_string();
    }
    let scheme = base.split_once("://").map_or("https", |(s, _)| s);
    if let Some(rest) = location.strip_prefix("//") {
        return format!("{scheme}://{rest}");
    }
    let origin = format!("{scheme}://{}", host_of(base));
    if location.starts_with('/') {
        return format!("{origin}{location}");
    }
    let path = base.strip_prefix(&origin).unwrap_or("/");
    let path = path.split(['?', '#']).next().unwrap_or("/");
    let dir = &path[..path.rfind('/').map_or(0, |i| i + 1)];
    format!("{origin}{dir}{location}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_for_loopback_and_insecure_registries() {
        let http = Http::new(Duration::from_secs(1), vec!["reg.lan:5000".into()]);
        assert_eq!(http.base_url("reg.lan:5000"), "http://reg.lan:5000");
        assert_eq!(http.base_url("127.0.0.1:5000"), "http://127.0.0.1:5000");
        assert_eq!(http.base_url("reg.lan:5001"), "https://reg.lan:5001");
        assert_eq!(
            http.base_url("registry-1.docker.io"),
            "https://registry-1.docker.io"
        );
    }

    #[test]
    fn locations_resolve() {
        assert_eq!(join("http://h:1/v2/a/manifests/t", "/x"), "http://h:1/x");
        assert_eq!(
            join("http://h:1/v2/a/manifests/t", "u"),
            "http://h:1/v2/a/manifests/u"
        );
        assert_eq!(join("https://h/a", "https://o/b"), "https://o/b");
        assert_eq!(
            host_port("https://registry-1.docker.io/v2/"),
            "registry-1.docker.io:443"
        );
        assert_eq!(host_port("http://127.0.0.1:5000/v2/"), "127.0.0.1:5000");
    }
}

//! Image references as Docker reads them: `[registry/]repository[:tag][@digest]`,
//! with Docker Hub's defaults (`nginx` is `docker.io/library/nginx:latest`).

/// Docker Hub as users write it, and the host that serves its API.
pub const DOCKER_HUB: &str = "docker.io";
pub const DOCKER_HUB_API: &str = "registry-1.docker.io";

/// One parsed reference; `written` is the key of the lock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub written: String,
    /// `host[:port]` as written, or [`DOCKER_HUB`].
    pub registry: String,
    /// With Docker Hub's `library/` prefix for one-part names.
    pub repository: String,
    /// `latest` when none is written.
    pub tag: String,
    pub digest: Option<String>,
}

impl Reference {
    pub fn parse(written: &str) -> Result<Reference, String> {
        if written.is_empty() || written.len() > 512 {
            return Err("an image reference is 1 to 512 characters".into());
        }
        if let Some(c) = written
            .chars()
            .find(|c| c.is_whitespace() || c.is_control())
        {
            return Err(format!(
                "`{}` may not appear in an image reference",
                c.escape_debug()
            ));
        }
        let Parts {
            name: path,
            tag,
            digest,
            ..
        } = parts(written);
        if let Some(d) = digest
            && !is_digest(d)
        {
            return Err(format!("`{d}` is not a `sha256:` digest of 64 hex digits"));
        }
        let tag = tag.unwrap_or("latest");
        if !valid_tag(tag) {
            return Err(format!(
                "`{tag}` is not a valid tag (letters, digits, `_`, `.` and `-`, at most 128)"
            ));
        }
        let (registry, repository) = match path.split_once('/') {
            Some((first, rest))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (first.to_string(), rest.to_string())
            }
            _ => (DOCKER_HUB.to_string(), path.to_string()),
        };
        let registry = match registry.as_str() {
            "index.docker.io" | DOCKER_HUB_API => DOCKER_HUB.to_string(),
            _ => registry,
        };
        let repository = if registry == DOCKER_HUB && !repository.contains('/') {
            format!("library/{repository}")
        } else {
            repository
        };
        if !valid_repository(&repository) {
            return Err(format!(
                "`{repository}` is not a valid repository (lowercase letters, digits, `.`, `_`, `-`, parts joined by `/`)"
            ));
        }
        Ok(Reference {
            written: written.to_string(),
            registry,
            repository,
            tag: tag.to_string(),
            digest: digest.map(str::to_string),
        })
    }

    /// The host (and port) the Distribution API is asked on.
    pub fn api_host(&self) -> &str {
        if self.registry == DOCKER_HUB {
            DOCKER_HUB_API
        } else {
            &self.registry
        }
    }

    /// The name without tag or digest, as written (`nginx`, `ghcr.io/a/b`).
    pub fn name_written(&self) -> &str {
        parts(&self.written).name
    }
}

/// A reference as written, cut into its parts and not checked:
/// `ghcr.io/a/b:1.0@sha256:…` is name `ghcr.io/a/b`, tag `1.0`, the digest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parts<'a> {
    /// Everything before `@`: the name and the tag, as written.
    pub tagged: &'a str,
    pub name: &'a str,
    /// After the `:` of the last path segment (a `:` before a `/` is a port).
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

pub fn parts(written: &str) -> Parts<'_> {
    let (tagged, digest) = match written.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (written, None),
    };
    let last_slash = tagged.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match tagged[last_slash..].find(':') {
        Some(i) => (
            &tagged[..last_slash + i],
            Some(&tagged[last_slash + i + 1..]),
        ),
        None => (tagged, None),
    };
    Parts {
        tagged,
        name,
        tag,
        digest,
    }
}

/// `reference` with `@digest`: `nginx:1.27` → `nginx:1.27@sha256:…`. A
/// reference that already carries a digest is returned as written.
pub fn pinned(reference: &str, digest: &str) -> String {
    if reference.contains('@') {
        reference.to_string()
    } else {
        format!("{reference}@{digest}")
    }
}

/// `sha256:` and 64 lowercase hex digits: the only digest meshc writes.
pub fn is_digest(d: &str) -> bool {
    d.strip_prefix("sha256:").is_some_and(|hex| {
        hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

fn valid_tag(t: &str) -> bool {
    !t.is_empty()
        && t.len() <= 128
        && !t.starts_with(['.', '-'])
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

fn valid_repository(r: &str) -> bool {
    !r.is_empty()
        && r.len() <= 255
        && r.split('/').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_alphanumeric())
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
        })
}

/// Registries reached over plain HTTP without being asked: this machine.
pub fn is_loopback(host_port: &str) -> bool {
    let host = match host_port.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => host_port.rsplit_once(':').map_or(host_port, |(h, _)| h),
    };
    host == "localhost"
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_hub_names() {
        let r = Reference::parse("nginx").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.tag.as_str()),
            ("docker.io", "library/nginx", "latest")
        );
        assert_eq!(r.api_host(), "registry-1.docker.io");
        let r = Reference::parse("docker.io/x/y:1").unwrap();
        assert_eq!((r.repository.as_str(), r.tag.as_str()), ("x/y", "1"));
        let r = Reference::parse("bitnami/redis:7").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str()),
            ("docker.io", "bitnami/redis")
        );
    }

    #[test]
    fn registries_with_ports() {
        let r = Reference::parse("127.0.0.1:5000/team/app:v1").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.tag.as_str()),
            ("127.0.0.1:5000", "team/app", "v1")
        );
        assert_eq!(r.name_written(), "127.0.0.1:5000/team/app");
        let r = Reference::parse("localhost:5000/app").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.tag.as_str()),
            ("localhost:5000", "latest")
        );
        assert!(
            is_loopback("127.0.0.1:5000") && is_loopback("[::1]:5000") && is_loopback("localhost")
        );
        assert!(!is_loopback("registry.example.com:5000"));
    }

    #[test]
    fn bad_references_are_errors() {
        for bad in [
            "",
            "Nginx",
            "a b",
            "nginx:",
            "nginx@sha256:12",
            "x/:1",
            "nginx:-x",
        ] {
            assert!(Reference::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn pinned_appends_the_digest() {
        let d = format!("sha256:{}", "a".repeat(64));
        assert_eq!(pinned("nginx:1.27", &d), format!("nginx:1.27@{d}"));
        assert!(is_digest(&d) && !is_digest("sha256:AA"));
    }
}

//! Why an image could not be pinned: one variant per cause, each worded in
//! one place and saying what to do.

/// One image that could not be pinned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageError {
    pub reference: String,
    pub problem: Problem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    BadReference(String),
    /// The registry has no such tag (or repository).
    NotFound {
        registry: String,
        repository: String,
        tag: String,
    },
    /// 401/403, after the credentials meshc could find.
    Denied {
        registry: String,
        status: u16,
        tried: Vec<String>,
        /// Credentials were sent and refused.
        refused: bool,
    },
    Unreachable {
        host: String,
        reason: String,
    },
    Timeout {
        host: String,
        secs: u64,
    },
    TooLarge {
        limit: u64,
    },
    DigestMismatch {
        header: String,
        body: String,
    },
    RedirectLoop {
        url: String,
    },
    TooManyRedirects {
        url: String,
        limit: usize,
    },
    /// A redirect from HTTPS (or to a registry not allowed plain HTTP) to `http://`.
    InsecureRedirect {
        url: String,
    },
    Status {
        status: u16,
        url: String,
        attempts: u32,
    },
    BadToken {
        realm: String,
        reason: String,
    },
}

impl std::fmt::Display for ImageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot pin `{}`: {}", self.reference, self.problem)
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::BadReference(why) => write!(f, "it is not an image reference: {why}"),
            Problem::NotFound {
                registry,
                repository,
                tag,
            } => write!(
                f,
                "registry `{registry}` has no tag `{tag}` in repository `{repository}`; check the tag and the repository's name, or push the image first"
            ),
            Problem::Denied {
                registry,
                status,
                tried,
                refused,
            } => {
                let what = if *status == 403 {
                    "403 Forbidden"
                } else {
                    "401 Unauthorized"
                };
                write!(f, "registry `{registry}` answered {what}")?;
                if *refused {
                    write!(f, "; it refused the credentials found")?;
                }
                write!(f, " (credentials looked for in: {})", tried.join("; "))?;
                write!(
                    f,
                    "; run `docker login {registry}`, or set DOCKER_CONFIG to a directory whose config.json has them (the repository may also not exist)"
                )
            }
            Problem::Unreachable { host, reason } => {
                write!(
                    f,
                    "cannot reach `{host}` ({reason}); check the registry's address and that it is up"
                )?;
                if reason.starts_with("TLS") {
                    write!(
                        f,
                        " (a registry serving plain HTTP needs `--insecure-registry {host}`)"
                    )?;
                }
                Ok(())
            }
            Problem::Timeout { host, secs } => write!(
                f,
                "`{host}` did not answer within {secs} s; try again later, or allow more time with `--timeout`"
            ),
            Problem::TooLarge { limit } => write!(
                f,
                "the manifest is larger than {} MiB, more than any image's manifest; check the registry's address",
                limit / (1024 * 1024)
            ),
            Problem::DigestMismatch { header, body } => write!(
                f,
                "the registry says the manifest's digest is `{header}` but its bytes hash to `{body}`; the registry or something between is corrupting answers"
            ),
            Problem::RedirectLoop { url } => write!(
                f,
                "the registry redirects in a loop (back to `{url}`); check the registry's address"
            ),
            Problem::TooManyRedirects { url, limit } => write!(
                f,
                "more than {limit} redirects (the last to `{url}`); check the registry's address"
            ),
            Problem::InsecureRedirect { url } => write!(
                f,
                "the registry redirects to plain HTTP (`{url}`); meshc follows it only with `--insecure-registry` for that host"
            ),
            Problem::Status {
                status,
                url,
                attempts,
            } => {
                write!(f, "`{url}` answered HTTP {status}")?;
                if *attempts > 1 {
                    write!(f, " after {attempts} attempts")?;
                }
                write!(f, "; try again later")
            }
            Problem::BadToken { realm, reason } => write!(
                f,
                "the token service `{realm}` gave no usable token ({reason})"
            ),
        }
    }
}

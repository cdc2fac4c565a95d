//! Registry credentials the way `docker login` stores them: the `auths` of
//! the Docker config (`$DOCKER_CONFIG/config.json`, else
//! `~/.docker/config.json`), and `credHelpers`/`credsStore` through
//! `docker-credential-<helper> get`. Every source looked at is recorded, so
//! a refusal can say where meshc looked.

use super::reference::DOCKER_HUB;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What was found for one registry, and where meshc looked.
#[derive(Clone, Debug, Default)]
pub struct Found {
    /// `(user, secret)`.
    pub basic: Option<(String, String)>,
    pub tried: Vec<String>,
}

impl Found {
    /// The `Authorization` value for Basic authentication.
    pub fn basic_header(&self) -> Option<String> {
        self.basic
            .as_ref()
            .map(|(u, p)| format!("Basic {}", base64_encode(format!("{u}:{p}").as_bytes())))
    }
}

/// The config file `docker` reads: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
pub fn docker_config_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("config.json"));
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| PathBuf::from(h).join(".docker").join("config.json"))
}

/// The credentials for `registry` (`host[:port]` or `docker.io`).
pub fn lookup(config: Option<&Path>, registry: &str) -> Found {
    let mut found = Found::default();
    let Some(path) = config else {
        found
            .tried
            .push("no Docker config (neither DOCKER_CONFIG nor HOME is set)".into());
        return found;
    };
    let shown = path.display();
    let json: serde_json::Value = match read_small(path) {
        Ok(text) => match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                found.tried.push(format!("`{shown}` (not valid JSON: {e})"));
                return found;
            }
        },
        Err(e) => {
            found.tried.push(format!("`{shown}` ({e})"));
            return found;
        }
    };
    let want = normalize(registry);
    let matching = |section: &str| {
        json.get(section)?
            .as_object()?
            .iter()
            .find(|(k, _)| normalize(k) == want)
            .map(|(_, v)| v.clone())
    };
    // Docker's order: a helper for the registry, the store, then `auths`.
    let helper = matching("credHelpers")
        .and_then(|v| v.as_str().map(str::to_string))
        .map(|h| (h, "credHelpers"))
        .or_else(|| {
            json.get("credsStore")
                .and_then(|v| v.as_str())
                .filter(|h| !h.is_empty())
                .map(|h| (h.to_string(), "credsStore"))
        });
    if let Some((helper, key)) = helper {
        let program = format!("docker-credential-{helper}");
        match run_helper(&program, &server_url(registry)) {
            Ok(Some(pair)) => {
                found.basic = Some(pair);
                found.tried.push(format!("`{program}` ({key})"));
                return found;
            }
            Ok(None) => found.tried.push(format!(
                "`{program}` ({key}; it has no credentials for `{registry}`)"
            )),
            Err(e) => found
                .tried
                .push(format!("`{program}` ({key}; it failed: {e})")),
        }
    }
    if let Some(entry) = matching("auths") {
        if let Some(pair) = auth_entry(&entry) {
            found.basic = Some(pair);
            found.tried.push(format!("`auths` of `{shown}`"));
        } else {
            found
                .tried
                .push(format!("`auths` of `{shown}` (the entry has no `auth`)"));
        }
    } else {
        found
            .tried
            .push(format!("`auths` of `{shown}` (no entry for `{registry}`)"));
    }
    found
}

fn read_small(path: &Path) -> Result<String, String> {
    let file = std::fs::File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => "not found".to_string(),
        _ => e.to_string(),
    })?;
    let mut text = String::new();
    file.take(1024 * 1024)
        .read_to_string(&mut text)
        .map_err(|e| e.to_string())?;
    Ok(text)
}

/// Keys are written as `host`, `https://host`, `https://host/v1/`; Docker Hub by several names.
fn normalize(key: &str) -> String {
    let key = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    let host = key.split('/').next().unwrap_or("");
    match host {
        "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => DOCKER_HUB.into(),
        h => h.to_string(),
    }
}

/// The server URL a credential helper is asked about.
fn server_url(registry: &str) -> String {
    if registry == DOCKER_HUB {
        "https://index.docker.io/v1/".into()
    } else {
        registry.into()
    }
}

fn auth_entry(entry: &serde_json::Value) -> Option<(String, String)> {
    if let Some(auth) = entry.get("auth").and_then(|a| a.as_str()) {
        let decoded = String::from_utf8(base64_decode(auth)?).ok()?;
        let (u, p) = decoded.split_once(':')?;
        return Some((u.to_string(), p.to_string()));
    }
    let user = entry.get("username")?.as_str()?;
    let pass = entry.get("password")?.as_str()?;
    Some((user.to_string(), pass.to_string()))
}

/// `docker-credential-<helper> get`: the server on stdin, JSON on stdout.
fn run_helper(program: &str, server: &str) -> Result<Option<(String, String)>, String> {
    const HELPER_TIMEOUT: Duration = Duration::from_secs(20);
    let mut child = Command::new(program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => "it is not installed (not on PATH)".to_string(),
            _ => e.to_string(),
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(server.as_bytes());
    }
    let start = Instant::now();
    let status = loop {
        match child.try_wait().map_err(|e| e.to_string())? {
            Some(status) => break status,
            None if start.elapsed() > HELPER_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("no answer within {} s", HELPER_TIMEOUT.as_secs()));
            }
            None => std::thread::sleep(Duration::from_millis(10)),
        }
    };
    let mut out = String::new();
    if let Some(stdout) = child.stdout.take() {
        let _ = stdout.take(1024 * 1024).read_to_string(&mut out);
    }
    if !status.success() {
        // "credentials not found in native keychain" is an answer, not a failure.
        return if out.to_lowercase().contains("not found") {
            Ok(None)
        } else {
            Err(format!("exit status {}", status.code().unwrap_or(-1)))
        };
    }
    let json: serde_json::Value =
        serde_json::from_str(&out).map_err(|_| "it printed no JSON".to_string())?;
    let field = |k: &str| {
        json.get(k)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    let (user, secret) = (field("Username"), field("Secret"));
    // `<token>` is an identity token for an OAuth exchange meshc does not do.
    if secret.is_empty() || user == "<token>" {
        return Ok(None);
    }
    Ok(Some((user, secret)))
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Standard base64, padding optional; `None` for anything else.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim().trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for c in text.bytes() {
        let v = ALPHABET.iter().position(|&a| a == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        for s in ["", "a", "ab", "abc", "user:pa:ss"] {
            let e = base64_encode(s.as_bytes());
            assert_eq!(base64_decode(&e).unwrap(), s.as_bytes());
        }
        assert_eq!(base64_encode(b"user:pass"), "dXNlcjpwYXNz");
        assert!(base64_decode("not base64!").is_none());
    }

    #[test]
    fn keys_normalize_to_the_registry() {
        assert_eq!(normalize("https://index.docker.io/v1/"), "docker.io");
        assert_eq!(normalize("http://127.0.0.1:5000"), "127.0.0.1:5000");
    }
}

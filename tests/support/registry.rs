//! A real registry for tests: Debian's `docker-registry` (CNCF Distribution)
//! on 127.0.0.1 with its storage in a temporary directory, and images pushed
//! through its HTTP API. Stopped when dropped.
#![allow(dead_code)]

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Registry {
    child: Child,
    /// `127.0.0.1:<port>`.
    pub addr: String,
    dir: tempfile::TempDir,
    /// Sent with every push when the registry wants Basic auth.
    authorization: Option<String>,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn binary() -> PathBuf {
    if let Some(p) = std::env::var_os("MESHC_TEST_REGISTRY") {
        return PathBuf::from(p);
    }
    let p = PathBuf::from("/usr/bin/docker-registry");
    if p.exists() {
        return p;
    }
    panic!(
        "the pin tests need a real registry and `docker-registry` is not installed: run `apt-get install -y docker-registry` (CI installs it), or set MESHC_TEST_REGISTRY to a `registry` binary"
    );
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into()
}

impl Registry {
    pub fn start() -> Registry {
        Registry::launch(None)
    }

    /// A registry that wants `user`/`password` (bcrypt htpasswd, made by `htpasswd -B`).
    pub fn with_basic_auth(user: &str, password: &str) -> Registry {
        Registry::launch(Some((user, password)))
    }

    fn launch(auth: Option<(&str, &str)>) -> Registry {
        let bin = binary();
        let dir = tempfile::tempdir().expect("tempdir");
        let port = free_port();
        let addr = format!("127.0.0.1:{port}");
        let mut config = format!(
            "version: 0.1\nlog:\n  level: error\n  accesslog: {{disabled: true}}\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete: {{enabled: true}}\nhttp:\n  addr: {addr}\n",
            dir.path().join("data").display()
        );
        let mut authorization = None;
        if let Some((user, password)) = auth {
            let htpasswd = dir.path().join("htpasswd");
            write_htpasswd(&htpasswd, user, password);
            config.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: meshc-test\n    path: {}\n",
                htpasswd.display()
            ));
            authorization = Some(basic(user, password));
        }
        let config_path = dir.path().join("config.yml");
        std::fs::write(&config_path, config).expect("write registry config");
        let child = Command::new(&bin)
            .arg("serve")
            .arg(&config_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start `{}`: {e}", bin.display()));
        let registry = Registry {
            child,
            addr,
            dir,
            authorization,
        };
        registry.wait_ready();
        registry
    }

    fn wait_ready(&self) {
        let start = Instant::now();
        let agent = agent();
        while start.elapsed() < Duration::from_secs(15) {
            if let Ok(r) = agent.get(format!("http://{}/v2/", self.addr)).call()
                && matches!(r.status().as_u16(), 200 | 401)
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "docker-registry did not answer on {} within 15 s",
            self.addr
        );
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn auth<B>(&self, r: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        match &self.authorization {
            Some(a) => r.header("Authorization", a),
            None => r,
        }
    }

    /// Uploads a blob (monolithic: POST then PUT with `?digest=`); returns its digest.
    pub fn push_blob(&self, repo: &str, bytes: &[u8]) -> String {
        let digest = format!("sha256:{:x}", Sha256::digest(bytes));
        let agent = agent();
        let started = self
            .auth(agent.post(self.url(&format!("/v2/{repo}/blobs/uploads/"))))
            .send_empty()
            .expect("start upload");
        assert_eq!(started.status().as_u16(), 202, "blob upload not accepted");
        let location = started
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .expect("upload location")
            .to_string();
        let location = if location.starts_with('/') {
            self.url(&location)
        } else {
            location
        };
        let sep = if location.contains('?') { '&' } else { '?' };
        let done = self
            .auth(agent.put(format!("{location}{sep}digest={digest}")))
            .header("Content-Type", "application/octet-stream")
            .send(bytes)
            .expect("finish upload");
        assert_eq!(done.status().as_u16(), 201, "blob not stored");
        digest
    }

    /// PUTs a manifest; returns the registry's `Docker-Content-Digest`.
    pub fn push_manifest(
        &self,
        repo: &str,
        reference: &str,
        media_type: &str,
        body: &[u8],
    ) -> String {
        let r = self
            .auth(agent().put(self.url(&format!("/v2/{repo}/manifests/{reference}"))))
            .header("Content-Type", media_type)
            .send(body)
            .expect("push manifest");
        let status = r.status().as_u16();
        let digest = r
            .headers()
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let text = r.into_body().read_to_string().unwrap_or_default();
        assert_eq!(status, 201, "manifest not stored: {text}");
        digest.expect("Docker-Content-Digest on the pushed manifest")
    }

    /// A one-layer OCI image under `repo:tag`; `seed` makes its bytes unique.
    pub fn push_image(&self, repo: &str, tag: &str, seed: &str) -> String {
        let body = self.image_manifest(repo, seed, "amd64");
        self.push_manifest(repo, tag, OCI_MANIFEST, &body)
    }

    fn image_manifest(&self, repo: &str, seed: &str, arch: &str) -> Vec<u8> {
        let config = format!(r#"{{"architecture":"{arch}","os":"linux","seed":"{seed}"}}"#);
        let layer = format!("layer of {seed} for {arch}");
        let config_digest = self.push_blob(repo, config.as_bytes());
        let layer_digest = self.push_blob(repo, layer.as_bytes());
        format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config_digest}","size":{}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{layer_digest}","size":{}}}]}}"#,
            config.len(),
            layer.len()
        )
        .into_bytes()
    }

    /// A multi-platform OCI index (amd64 and arm64) under `repo:tag`;
    /// returns the index's digest as the registry reports it.
    pub fn push_index(&self, repo: &str, tag: &str, seed: &str) -> String {
        let mut entries = Vec::new();
        for arch in ["amd64", "arm64"] {
            let body = self.image_manifest(repo, seed, arch);
            let digest = format!("sha256:{:x}", Sha256::digest(&body));
            let pushed = self.push_manifest(repo, &digest, OCI_MANIFEST, &body);
            entries.push(format!(
                r#"{{"mediaType":"{OCI_MANIFEST}","digest":"{pushed}","size":{},"platform":{{"architecture":"{arch}","os":"linux"}}}}"#,
                body.len()
            ));
        }
        let index = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[{}]}}"#,
            entries.join(",")
        );
        self.push_manifest(repo, tag, OCI_INDEX, index.as_bytes())
    }
}

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";

pub fn basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        meshc_base64(format!("{user}:{password}").as_bytes())
    )
}

/// Standard base64, for test fixtures (config.json `auth`).
pub fn meshc_base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            out.push(if i <= c.len() {
                A[(n >> (18 - 6 * i) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

/// A bcrypt htpasswd line, as Distribution requires, from apache2-utils' `htpasswd`.
fn write_htpasswd(path: &Path, user: &str, password: &str) {
    let out = Command::new("htpasswd")
        .args(["-Bbn", user, password])
        .output()
        .unwrap_or_else(|e| {
            panic!("the basic-auth pin tests need `htpasswd`: run `apt-get install -y apache2-utils` (CI installs it) ({e})")
        });
    assert!(out.status.success(), "htpasswd failed");
    std::fs::write(path, out.stdout).expect("write htpasswd");
}

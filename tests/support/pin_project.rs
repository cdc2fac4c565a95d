//! A description in a temporary directory for `meshc pin`, run with its
//! own Docker config and no proxy, and the checks on its output.
#![allow(dead_code)]

use std::process::{Command, Output};

/// A description in a temporary directory, with its own empty Docker config.
pub struct Project {
    pub dir: tempfile::TempDir,
    pub docker: tempfile::TempDir,
}

impl Project {
    /// One service per image; `extra` is appended (e.g. `environments:`).
    pub fn new(images: &[&str], extra: &str) -> Project {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut yaml = String::from("app: pinned\nmesh: none\nservices:\n");
        for (i, image) in images.iter().enumerate() {
            yaml.push_str(&format!(
                "  s{i}:\n    image: {image}\n    ports: {{ http: 8080 }}\n"
            ));
        }
        yaml.push_str(extra);
        std::fs::write(dir.path().join("meshc.yaml"), yaml).expect("write description");
        Project {
            dir,
            docker: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn pin(&self, args: &[&str]) -> Output {
        self.pin_with(args, &[])
    }

    pub fn pin_with(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_meshc"));
        cmd.arg("pin")
            .args(args)
            .current_dir(self.dir.path())
            .env("NO_COLOR", "1")
            .env("DOCKER_CONFIG", self.docker.path())
            .env_remove("HTTP_PROXY")
            .env_remove("HTTPS_PROXY")
            .env_remove("http_proxy")
            .env_remove("https_proxy");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().expect("meshc runs")
    }

    pub fn lock_path(&self) -> std::path::PathBuf {
        self.dir.path().join("meshc.images.lock")
    }

    pub fn lock(&self) -> String {
        std::fs::read_to_string(self.lock_path()).unwrap_or_default()
    }

    pub fn digest(&self, reference: &str) -> Option<String> {
        meshc::pin::read_lock(self.dir.path())
            .expect("lock readable")
            .digest(reference)
            .map(str::to_string)
    }

    pub fn docker_config(&self, json: &str) {
        std::fs::write(self.docker.path().join("config.json"), json).expect("config.json");
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[track_caller]
pub fn succeeded(o: &Output) -> String {
    assert_eq!(o.status.code(), Some(0), "stderr: {}", text(&o.stderr));
    text(&o.stdout)
}

/// Exit status 2 and the message on stderr.
#[track_caller]
pub fn failed(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(2),
        "stdout: {} stderr: {}",
        text(&o.stdout),
        text(&o.stderr)
    );
    text(&o.stderr)
}

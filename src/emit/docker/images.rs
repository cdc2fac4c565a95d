//! The pinned images, in one table: the build stage's toolchain and the
//! runtime stage's base per runtime, and the probe stage's toolchain.

use crate::ast::Runtime;
use crate::model::{Build, StageImages};
use serde::Serialize;

/// `(runtime, build stage, runtime stage)`.
const TABLE: [(Runtime, &str, &str); 6] = [
    (
        Runtime::Node,
        "node:22.11.0-bookworm",
        "node:22.11.0-bookworm-slim",
    ),
    (
        Runtime::Python,
        "python:3.12.7-bookworm",
        "python:3.12.7-slim-bookworm",
    ),
    (
        Runtime::Go,
        "golang:1.23.3-bookworm",
        "gcr.io/distroless/static-debian12:nonroot",
    ),
    (
        Runtime::Rust,
        "rust:1.82.0-bookworm",
        "gcr.io/distroless/cc-debian12:nonroot",
    ),
    (
        Runtime::Java,
        "maven:3.9.9-eclipse-temurin-21",
        "eclipse-temurin:21.0.5_11-jre",
    ),
    (
        Runtime::Static,
        "alpine:3.20.3",
        "nginxinc/nginx-unprivileged:1.27.2-alpine",
    ),
];

/// Builds the health probe for images without a shell or interpreter, and
/// `grpc-health-probe` for gRPC checks.
pub const PROBE_TOOLCHAIN: &str = "golang:1.23.3-bookworm";
/// The `github.com/grpc-ecosystem/grpc-health-probe` version.
pub const GRPC_HEALTH_PROBE: &str = "v0.4.26";

fn row(runtime: Runtime) -> (&'static str, &'static str) {
    TABLE
        .iter()
        .find(|(r, _, _)| *r == runtime)
        .map(|&(_, build, run)| (build, run))
        .unwrap_or(("", ""))
}

/// The runtime stage's image when the description sets no `build.base`.
pub fn default_base(runtime: Runtime) -> &'static str {
    row(runtime).1
}

/// The build stage's image (the full toolchain).
pub fn toolchain(runtime: Runtime) -> &'static str {
    row(runtime).0
}

/// The images every generated Dockerfile of `runtime` pulls, `base`
/// replacing the runtime stage's default; all of them are tagged, so the
/// image lock pins them as it pins the description's own images.
pub fn stage_images(runtime: Runtime, base: Option<&str>) -> StageImages {
    StageImages {
        build: toolchain(runtime).to_string(),
        probe: PROBE_TOOLCHAIN.to_string(),
        runtime: base.unwrap_or(default_base(runtime)).to_string(),
    }
}

#[derive(Debug, Serialize)]
pub struct Images<'a> {
    pub build: &'a str,
    /// `build.base`, or [`default_base`].
    pub runtime: &'a str,
    pub probe: &'a str,
    pub grpc_health_probe: &'static str,
}

pub fn images(build: &Build) -> Images<'_> {
    Images {
        build: &build.images.build,
        runtime: &build.images.runtime,
        probe: &build.images.probe,
        grpc_health_probe: GRPC_HEALTH_PROBE,
    }
}

//! The Compose target: model [`App`] → `compose/compose.yaml` (Compose
//! Specification), for a laptop (`docker compose up`) or Swarm.

use super::{Artifact, Keep};
use crate::model::App;

/// TODO(compose helper): the emitter. Writes nothing yet.
pub fn emit(_app: &App, _keep: Keep) -> Vec<Artifact> {
    Vec::new()
}

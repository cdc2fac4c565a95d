//! The description the importer writes, before it is YAML or KDL: only
//! the fields an imported Compose file can fill, in written order.

/// A meshc description drafted from a Compose file.
#[derive(Debug, Default, PartialEq)]
pub struct Draft {
    pub app: String,
    pub services: Vec<Service>,
}

#[derive(Debug, PartialEq)]
pub struct Service {
    pub name: String,
    pub source: Source,
    pub replicas: Option<u32>,
    pub resources: Resources,
    /// Port name → container port.
    pub ports: Vec<(String, u16)>,
    /// A command run in the container (`health: { exec: [...] }`).
    pub health: Option<Vec<String>>,
    pub calls: Vec<String>,
    pub env: Vec<(String, Env)>,
    pub storage: Vec<Storage>,
}

#[derive(Debug, PartialEq)]
pub enum Source {
    Image(String),
    /// The team's own Dockerfile.
    Build {
        context: String,
        dockerfile: Option<String>,
        target: Option<String>,
        /// The tag to push the built image as (Compose's `image` next to `build`).
        image: Option<String>,
        args: Vec<(String, String)>,
    },
}

#[derive(Debug, Default, PartialEq)]
pub struct Resources {
    pub cpu: Option<String>,
    pub memory: Option<String>,
    pub cpu_limit: Option<String>,
    pub memory_limit: Option<String>,
}

impl Resources {
    pub fn fields(&self) -> Vec<(&'static str, &str)> {
        [
            ("cpu", &self.cpu),
            ("memory", &self.memory),
            ("cpu_limit", &self.cpu_limit),
            ("memory_limit", &self.memory_limit),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
        .collect()
    }
}

#[derive(Debug, PartialEq)]
pub enum Env {
    Plain(String),
    /// `secret-name/key`.
    Secret(String),
}

#[derive(Debug, PartialEq)]
pub struct Storage {
    pub name: String,
    pub path: String,
}

//! Why a Compose key has no place in a meshc description: one sentence per
//! key, in one table, so every note about it reads the same.

/// The reason for a key the reader left unread; `key` is the last part of its path.
pub fn unread(key: &str) -> &'static str {
    match key {
        "version" => "obsolete in the Compose specification",
        "networks" => {
            "meshc derives network policy from `calls`; every service reaches the ones it calls"
        }
        "network_mode" | "ipc" | "pid" | "uts" => {
            "pods share no namespaces with the host or with other pods"
        }
        "privileged" | "cap_add" | "cap_drop" | "security_opt" | "devices" | "userns_mode" => {
            "meshc runs every container unprivileged with all capabilities dropped"
        }
        "command" | "entrypoint" => {
            "meshc sets no command for an image or your own Dockerfile; bake it into the image (CMD/ENTRYPOINT)"
        }
        "restart" => "Kubernetes restarts failed containers itself",
        "container_name" | "hostname" | "domainname" => {
            "each service is reached by its name through its Kubernetes Service"
        }
        "labels" | "annotations" => "meshc writes its own labels",
        "env_file" => {
            "meshc reads no env files; copy the variables into `env` (secrets as `{ secret: name/key }`)"
        }
        "stop_signal" | "stop_grace_period" => "meshc sets no stop signal or grace period",
        "user" | "group_add" => "meshc runs containers as a non-root user the image must allow",
        "working_dir" => "set WORKDIR in the image instead",
        "extra_hosts" | "dns" | "dns_search" | "dns_opt" | "links" | "external_links" => {
            "names resolve through cluster DNS"
        }
        "logging" => "logs go to the cluster's log collection",
        "ulimits" | "sysctls" | "shm_size" | "tmpfs" | "mem_limit" | "cpus" | "mem_reservation" => {
            "meshc sets resources only from `deploy.resources`"
        }
        "configs" => {
            "meshc mounts config files from `config`; add them there with the path of each file"
        }
        "secrets" => {
            "meshc passes secrets as environment variables; create a Kubernetes Secret and reference it from `env`"
        }
        "profiles" => "every service is deployed",
        "platform" | "pull_policy" => "the cluster decides how images are pulled",
        "tty" | "stdin_open" | "init" | "oom_score_adj" | "oom_kill_disable" => {
            "Kubernetes has no such setting for a deployed container"
        }
        "interval" | "timeout" | "retries" | "start_period" | "start_interval" => {
            "meshc chooses probe timing itself"
        }
        "cache_from"
        | "cache_to"
        | "network"
        | "ssh"
        | "secrets_build"
        | "tags"
        | "platforms"
        | "additional_contexts"
        | "no_cache"
        | "pull"
        | "shm_size_build"
        | "extra_hosts_build" => "meshc builds with the context, Dockerfile, target and args only",
        "placement" | "update_config" | "rollback_config" | "restart_policy" | "mode"
        | "endpoint_mode" => "Kubernetes schedules and rolls out pods itself",
        _ if key.starts_with("x-") => "an extension field, for Compose tools only",
        _ => "meshc has no equivalent",
    }
}

//! Every diagnostic code, with the text `meshc explain CODE` prints.
//!
//! A code is stable once released: its number never changes meaning. Each
//! rule says what it checks, why, and shows a wrong and a right example.

use super::Severity;

macro_rules! rules {
    ($( $variant:ident = $code:literal, $name:literal, $sev:ident,
        summary: $summary:literal, why: $why:literal,
        wrong: $wrong:literal, right: $right:literal; )*) => {
        /// A diagnostic code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($variant),* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            pub fn rule(self) -> &'static Rule {
                match self {
                    $(Code::$variant => &Rule {
                        code: $code,
                        name: $name,
                        severity: Severity::$sev,
                        summary: $summary,
                        why: $why,
                        wrong: $wrong,
                        right: $right,
                    }),*
                }
            }
        }
    };
}

/// What one code checks, for `meshc explain` and the docs.
#[derive(Debug)]
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    pub why: &'static str,
    pub wrong: &'static str,
    pub right: &'static str,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        self.rule().code
    }

    /// Finds a code by its number (`M101`, case-insensitive) or its name.
    pub fn parse(s: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| {
            c.rule().code.eq_ignore_ascii_case(s) || c.rule().name.eq_ignore_ascii_case(s)
        })
    }

    /// The full `meshc explain` text.
    pub fn explain(self) -> String {
        let r = self.rule();
        format!(
            "{code} {name} ({sev})\n\n{summary}\n\nWhy: {why}\n\nWrong:\n\n{wrong}\nRight:\n\n{right}",
            code = r.code,
            name = r.name,
            sev = r.severity.as_str(),
            summary = r.summary,
            why = r.why,
            wrong = indent(r.wrong),
            right = indent(r.right),
        )
    }
}

fn indent(s: &str) -> String {
    s.lines().map(|l| format!("    {l}\n")).collect()
}

rules! {
    Syntax = "M001", "syntax", Error,
        summary: "The file is not valid YAML or KDL.",
        why: "meshc cannot read a description it cannot parse; the report points at the first place the parser gave up.",
        wrong: "services:\n  web: { image: nginx:1.27\n",
        right: "services:\n  web: { image: nginx:1.27 }\n";
    UnknownField = "M002", "unknown-field", Error,
        summary: "A field that the format does not have.",
        why: "A misspelled field would otherwise be ignored silently and its setting lost (`replica: 3` would deploy one replica).",
        wrong: "services:\n  web:\n    image: nginx:1.27\n    replica: 3\n",
        right: "services:\n  web:\n    image: nginx:1.27\n    replicas: 3\n";
    WrongType = "M003", "wrong-type", Error,
        summary: "A value of the wrong kind: a string where a number belongs, a list where a map belongs.",
        why: "Kubernetes would reject or misread the generated resource; meshc says so where the value is written.",
        wrong: "services:\n  web:\n    image: nginx:1.27\n    replicas: two\n",
        right: "services:\n  web:\n    image: nginx:1.27\n    replicas: 2\n";
    DuplicateKey = "M004", "duplicate-key", Error,
        summary: "The same key, service or version is written twice.",
        why: "Most YAML readers keep the last one silently; meshc refuses to guess which one you meant.",
        wrong: "services:\n  web: { image: nginx:1.27 }\n  web: { image: nginx:1.28 }\n",
        right: "services:\n  web: { image: nginx:1.28 }\n";
    MissingField = "M005", "missing-field", Error,
        summary: "A required field is absent.",
        why: "Without it meshc cannot generate the resources (an app needs a name, a port needs a number).",
        wrong: "services:\n  web: { image: nginx:1.27 }\n",
        right: "app: shop\nservices:\n  web: { image: nginx:1.27 }\n";
    InvalidName = "M006", "invalid-name", Error,
        summary: "A name that is not a valid DNS-1123 label.",
        why: "Service, version, port and app names become Kubernetes object names and labels: lowercase letters, digits and `-`, starting with a letter, ending with a letter or digit, at most 63 characters (port names: 15).",
        wrong: "services:\n  Web_Frontend: { image: nginx:1.27 }\n",
        right: "services:\n  web-frontend: { image: nginx:1.27 }\n";
    UnreadableInput = "M007", "unreadable-input", Error,
        summary: "The file cannot be read as a description: not UTF-8 text, contains a NUL byte, is empty, or is too large or too deeply nested.",
        why: "meshc reads descriptions from pull requests; it refuses input it cannot read safely instead of guessing.",
        wrong: "(a binary file, or an empty one)\n",
        right: "app: shop\nservices:\n  web: { image: nginx:1.27 }\n";
    UnknownService = "M101", "unknown-service", Error,
        summary: "`calls` (or an environment override) names a service that is not defined.",
        why: "The call graph drives authorization and rollout order; an edge to nowhere is almost always a typo.",
        wrong: "services:\n  cart: { image: cart:1.0, calls: [paymnt] }\n  payment: { image: payment:1.0 }\n",
        right: "services:\n  cart: { image: cart:1.0, calls: [payment] }\n  payment: { image: payment:1.0 }\n";
    UnknownPort = "M102", "unknown-port", Error,
        summary: "A call (`service:port`) or a health check names a port the service does not declare.",
        why: "Traffic to an undeclared port is not routed by the Service or the mesh.",
        wrong: "services:\n  web: { image: web:1.0, calls: [\"api:grpc\"] }\n  api: { image: api:1.0, ports: { http: 8080 } }\n",
        right: "services:\n  web: { image: web:1.0, calls: [\"api:http\"] }\n  api: { image: api:1.0, ports: { http: 8080 } }\n";
    CallCycle = "M103", "call-cycle", Error,
        summary: "Services call each other in a cycle.",
        why: "A cycle has no safe rollout order, multiplies retries and timeouts without bound, and usually means a missing boundary. The report prints the whole path.",
        wrong: "services:\n  a: { image: a:1.0, calls: [b] }\n  b: { image: b:1.0, calls: [c] }\n  c: { image: c:1.0, calls: [a] }\n",
        right: "services:\n  a: { image: a:1.0, calls: [b] }\n  b: { image: b:1.0, calls: [c] }\n  c: { image: c:1.0 }\n";
    UnknownVersion = "M201", "unknown-version", Error,
        summary: "A split, route or mirror sends traffic to a version the service does not have.",
        why: "Istio would route to a subset with no pods behind it, and those requests fail with 503.",
        wrong: "traffic:\n  split: { v1: 90, v3: 10 }   # only v1 and v2 exist\n",
        right: "traffic:\n  split: { v1: 90, v2: 10 }\n";
    SplitTotal = "M202", "split-total", Error,
        summary: "Split percentages are negative or do not add up to 100.",
        why: "Istio treats weights as relative and only rejects negative weights or a zero total; meshc asks for percentages that add up to 100 so the file says exactly what share each version gets (a meshc rule, not an Istio one).",
        wrong: "split: { v1: 50, v2: 30 }\n",
        right: "split: { v1: 70, v2: 30 }\n";
    UnreachableRoute = "M203", "unreachable-route", Error,
        summary: "A route comes after a route that matches every request.",
        why: "Routes are tried in order and the first match wins, so nothing after a catch-all is ever used.",
        wrong: "routes:\n  - to: v1\n  - match: { headers: { end-user: jason } }\n    to: v2\n",
        right: "routes:\n  - match: { headers: { end-user: jason } }\n    to: v2\n  - to: v1\n";
    MirrorToSelf = "M204", "mirror-to-self", Error,
        summary: "Traffic is mirrored to the only version that already serves it.",
        why: "A mirror copies requests to another version for testing; mirroring to the serving version doubles its load and tests nothing.",
        wrong: "traffic:\n  split: { v1: 100 }\n  mirror: { to: v1, percent: 10 }\n",
        right: "traffic:\n  split: { v1: 100 }\n  mirror: { to: v2, percent: 10 }\n";
    NeedsVersions = "M205", "needs-versions", Error,
        summary: "A traffic setting that chooses between versions (split, route `to`, mirror) on a service without `versions`.",
        why: "Without versions there is nothing to choose between; meshc cannot generate subsets.",
        wrong: "services:\n  web:\n    image: web:1.0\n    traffic: { split: { v1: 100 } }\n",
        right: "services:\n  web:\n    versions: { v1: { image: web:1.0 } }\n    traffic: { split: { v1: 100 } }\n";
    UnsupportedFeature = "M206", "unsupported-feature", Error,
        summary: "A traffic feature the chosen mesh or routing API cannot express.",
        why: "meshc never drops a policy in silence: fault injection on Linkerd or the Gateway API, retries through the Gateway API's standard channel, or mirroring on Linkerd would simply not happen. The report names the feature, the target, and the way out (another mesh, another routing API, or removing the setting).",
        wrong: "mesh: linkerd\nservices:\n  api:\n    traffic: { fault: { abort: { status: 503, percent: 1 } } }\n",
        right: "mesh: istio\nservices:\n  api:\n    traffic: { fault: { abort: { status: 503, percent: 1 } } }\n";
    NotAppliedLocally = "M207", "not-applied-locally", Warning,
        summary: "`build --target compose`: a setting of the service that the Compose file cannot apply (traffic policies, mTLS, autoscaling, the ingress host, port narrowing).",
        why: "Compose has no mesh, no autoscaler and no ingress controller. A local run is still useful, but it must not pass for the real thing: meshc says once per service what the laptop does not enforce, instead of dropping it in silence. Nothing to fix; these apply on Kubernetes.",
        wrong: "services:\n  reviews:\n    traffic: { split: { v1: 90, v2: 10 }, retries: { attempts: 2 } }\n# meshc build --target compose: reviews runs without the traffic split, retries\n",
        right: "# expected for a local run; build --target kubernetes,mesh applies them\n";
    InvalidDuration = "M301", "invalid-duration", Error,
        summary: "A duration that is not a number followed by `ms`, `s`, `m` or `h`.",
        why: "Durations go into Envoy and Kubernetes fields that reject anything else.",
        wrong: "timeout: 10 seconds\n",
        right: "timeout: 10s\n";
    InvalidQuantity = "M302", "invalid-quantity", Error,
        summary: "A CPU or memory quantity Kubernetes would not accept.",
        why: "Resource quantities are parsed by the API server; `128MB` or `1.5 cores` are rejected at apply time, far from the mistake.",
        wrong: "resources: { cpu: 1 core, memory: 128MB }\n",
        right: "resources: { cpu: 100m, memory: 128Mi }\n";
    PortRange = "M303", "port-range", Error,
        summary: "A port outside 1–65535, or a protocol meshc does not know.",
        why: "The API server rejects such ports.",
        wrong: "ports: { http: 80800 }\n",
        right: "ports: { http: 8080 }\n";
    PercentRange = "M304", "percent-range", Error,
        summary: "A percentage outside 0–100.",
        why: "Fault injection, mirroring, CPU targets and ejection limits are percentages.",
        wrong: "mirror: { to: v2, percent: 150 }\n",
        right: "mirror: { to: v2, percent: 15 }\n";
    AutoscaleRange = "M305", "autoscale-range", Error,
        summary: "`autoscale.min` is below 1 or above `autoscale.max`, or a replica count is out of range.",
        why: "A HorizontalPodAutoscaler with min > max is rejected by the API server.",
        wrong: "autoscale: { min: 5, max: 2, cpu_percent: 70 }\n",
        right: "autoscale: { min: 2, max: 5, cpu_percent: 70 }\n";
    RetryBudget = "M306", "retry-budget", Warning,
        summary: "Retries cannot all happen within the timeout: `per_try_timeout × (attempts + 1)` exceeds `timeout`.",
        why: "The last attempts are cut off by the overall timeout, so the retry policy promises more than it can deliver. Shorten `per_try_timeout`, lower `attempts`, or raise `timeout`.",
        wrong: "timeout: 5s\nretries: { attempts: 3, per_try_timeout: 2s }\n",
        right: "timeout: 10s\nretries: { attempts: 3, per_try_timeout: 2s }\n";
    TimeoutChain = "M307", "timeout-chain", Warning,
        summary: "A service's calls to another can take longer than the service's own timeout.",
        why: "Timeouts and retries apply per hop. When `b`'s worst case (its `timeout`, or `per_try_timeout × (attempts + 1)`) exceeds the timeout callers allow `a`, `a`'s callers give up while `a` still waits for `b` and its retries: the work is wasted and load multiplies along the chain.",
        wrong: "a: { traffic: { timeout: 2s }, calls: [b] }\nb: { traffic: { timeout: 5s } }\n",
        right: "a: { traffic: { timeout: 6s }, calls: [b] }\nb: { traffic: { timeout: 5s } }\n";
    RetryAmplification = "M308", "retry-amplification", Warning,
        summary: "Retries multiply along a call chain: one request at an entry point can reach a service more than `max_attempts` times (default 10).",
        why: "Each hop retries independently, so three layers that each try 4 times turn one failing database into 64 requests per user click, right when it is least able to take them. The count is the product of `attempts + 1` along every path from an entry point (an ingress, or a service nobody calls), summed over the paths; where a service sets no retries, Istio's implicit 2 retries count. Retry at one layer only (usually the edge), or set `retries: { attempts: 0 }` on the inner hops.",
        wrong: "a: { calls: [b], ingress: { host: a.example.com } }\nb: { calls: [c], traffic: { retries: { attempts: 3 } } }\nc: { calls: [d], traffic: { retries: { attempts: 3 } } }\nd: { traffic: { retries: { attempts: 3 } } }   # 4 × 4 × 4 = 64\n",
        right: "b: { calls: [c], traffic: { retries: { attempts: 3 } } }\nc: { calls: [d], traffic: { retries: { attempts: 0 } } }\nd: { traffic: { retries: { attempts: 0 } } }   # 4\n";
    ChainTimeout = "M309", "chain-timeout", Warning,
        summary: "A caller gives up on a call (its `timeout`, or each try's `per_try_timeout`) before what it calls can finish, counting what that service itself waits for downstream.",
        why: "A per-try timeout shorter than the callee's worst case (its timeout, or `per_try_timeout × (attempts + 1)`, implicit retries included) cuts every slow attempt short and retries it, so the work downstream is done again and again. Where the callee sets no bound of its own, its worst case is its retries times the slowest bounded service it calls. M307 reports a caller's `timeout` against a callee's own bound; this code covers per-try timeouts and bounds that come from further down the chain.",
        wrong: "a: { calls: [b], traffic: { retries: { attempts: 2, per_try_timeout: 1s } } }\nb: { traffic: { timeout: 5s } }\n",
        right: "a: { calls: [b], traffic: { retries: { attempts: 2, per_try_timeout: 6s }, timeout: 20s } }\nb: { traffic: { timeout: 5s } }\n";
    ImageOrBuild = "M401", "image-or-build", Error,
        summary: "A workload needs exactly one of `image` or `build` (per version when the service has versions).",
        why: "meshc must know whether to deploy an existing image or generate a Dockerfile.",
        wrong: "web: { image: web:1.0, build: { runtime: node, context: ./web } }\n",
        right: "web: { build: { runtime: node, context: ./web } }\n";
    UnknownRuntime = "M402", "unknown-runtime", Error,
        summary: "`build.runtime` is not one of node, python, go, rust, java, static.",
        why: "Each runtime has its own Dockerfile template.",
        wrong: "build: { runtime: nodejs, context: ./web }\n",
        right: "build: { runtime: node, context: ./web }\n";
    MissingFile = "M403", "missing-file", Error,
        summary: "A file or directory the description refers to (`config`, `build.context`) does not exist.",
        why: "The build would fail later, or ship without its configuration.",
        wrong: "config: { settings.json: ./web/setings.json }\n",
        right: "config: { settings.json: ./web/settings.json }\n";
    InlineSecret = "M404", "inline-secret", Warning,
        summary: "An environment variable whose name looks like a secret (`*PASSWORD*`, `*TOKEN*`, `*SECRET*`, `*KEY*`) has its value written inline.",
        why: "The value would be committed to git and written into the Deployment in clear text. Reference a Kubernetes Secret instead.",
        wrong: "env: { DB_PASSWORD: hunter2 }\n",
        right: "env: { DB_PASSWORD: { secret: web-db/password } }\n";
    PathEscape = "M405", "path-escape", Error,
        summary: "A path leaves the description's directory (absolute, or through `..`).",
        why: "A description from a pull request must not be able to read files elsewhere on the CI machine into the bundle.",
        wrong: "config: { passwd: ../../etc/passwd }\n",
        right: "config: { settings.json: ./web/settings.json }\n";
    InvalidValue = "M406", "invalid-value", Error,
        summary: "A value meshc cannot use where it stands: an image reference, a host name, a URL path, an HTTP status, a header name, a secret reference or a checkov opt-out that is malformed.",
        why: "Such values end up in generated resources where Kubernetes or the mesh would reject or misread them.",
        wrong: "ingress: { host: \"shop example.com\" }\n",
        right: "ingress: { host: shop.example.com }\n";
    AddressMismatch = "M410", "address-mismatch", Warning,
        summary: "An environment value spells the address of a service of this description (`name:port`, `scheme://name:port/...`) with a port that service does not expose, or the caller does not declare the call.",
        why: "Callers reach a service on its Service port; an address with the container port or a stale port points at nothing, and a call the description does not declare is denied by the NetworkPolicy and the mesh's authorization. Prefer `{ address: service:port }`, which cannot go wrong.",
        wrong: "web: { env: { API_ADDR: \"api:8080\" } }   # api's Service port is 80\napi: { ports: { http: { port: 8080, service_port: 80 } } }\n",
        right: "web: { env: { API_ADDR: { address: api:http } }, calls: [api] }\napi: { ports: { http: { port: 8080, service_port: 80 } } }\n";
    NoHealth = "M411", "no-health", Warning,
        summary: "A workload with neither ports nor a `health` check.",
        why: "Without a port there is nothing to probe, so meshc can emit no liveness or readiness probe, and checkov fails the bundle (CKV_K8S_8, CKV_K8S_9). Give workers an `exec` check.",
        wrong: "worker: { image: worker:1.0 }\n",
        right: "worker: { image: worker:1.0, health: { exec: [/app/healthcheck] } }\n";
    UnpinnedImage = "M412", "unpinned-image", Warning,
        summary: "An image given by tag only, which `meshc.images.lock` does not pin: a service's or version's `image`, an overlay's, `build.base`, or an image meshc's generated Dockerfile starts `FROM`.",
        why: "A tag can be moved under a running deployment: the next pod that starts runs whatever was pushed last, and checkov fails the Deployment (CKV_K8S_43). `meshc pin` resolves each tag to its digest once and records it in `meshc.images.lock`; `meshc build` then writes `repository:tag@sha256:…` with no network access, and `meshc build --locked` fails in CI on an image the lock misses. A service with a `CKV_K8S_43` opt-out is not reported.",
        wrong: "reviews: { image: docker.io/istio/examples-bookinfo-reviews-v1:1.20.1 }   # no lock entry\n",
        right: "reviews: { image: docker.io/istio/examples-bookinfo-reviews-v1:1.20.1 }\n# and `meshc pin` writes meshc.images.lock beside the description\n";
    UnusedLockEntry = "M413", "unused-lock-entry", Warning,
        summary: "`meshc.images.lock` pins an image the description no longer names.",
        why: "A stale entry says nothing about what is deployed and hides, in review, the entries that matter. `meshc pin` drops entries nothing uses.",
        wrong: "# meshc.images.lock\nregistry.example.com/web:1.0 sha256:…   # the description now says web:1.1\n",
        right: "# run `meshc pin`: it pins web:1.1 and drops web:1.0\n";
    ImageLockUnreadable = "M414", "image-lock", Error,
        summary: "`meshc.images.lock` beside the description cannot be read: not a file, not UTF-8, or a line that is not `<reference> <digest>`.",
        why: "`meshc build` takes every digest from the lock; a lock it cannot read would leave images unpinned without saying so.",
        wrong: "registry.example.com/web:1.0 latest\n",
        right: "registry.example.com/web:1.0 sha256:<64 hex digits>   # as `meshc pin` writes it\n";
    UnknownEnvironment = "M501", "unknown-environment", Error,
        summary: "An environment overlay overrides a service or version that does not exist.",
        why: "An override for a misspelled service would silently do nothing in production.",
        wrong: "environments:\n  prod:\n    services: { reviws: { replicas: 3 } }\n",
        right: "environments:\n  prod:\n    services: { reviews: { replicas: 3 } }\n";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_parse_back() {
        let mut seen = std::collections::HashSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "duplicate code {}", c.as_str());
            assert_eq!(Code::parse(c.as_str()), Some(*c));
            assert_eq!(Code::parse(c.rule().name), Some(*c));
        }
    }
}

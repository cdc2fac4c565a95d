//! Injection: strings that would change a YAML document, a Dockerfile or a
//! shell stay plain values; and the "Norway problem": strings a YAML 1.1
//! reader would take for something else come out quoted.

use super::*;

/// Strings that would change a YAML document, a Dockerfile, a shell or a
/// template if pasted in as text.
const NASTY: [&str; 26] = [
    "line one\nline two",
    "\nRUN rm -rf /",
    "x \\\nRUN rm -rf /",
    "\r\nRUN evil",
    "it's \"quoted\"",
    "$(rm -rf /)",
    "${HOME}",
    "`id`",
    "---\napiVersion: v1\nkind: Secret\nmetadata: { name: stolen }",
    "--- !!python/object/apply:os.system ['id']",
    "...\n---",
    "key: value",
    "# not a comment",
    "- item",
    "&anchor *alias",
    "{{ template }}",
    "{{{raw}}}",
    "tab\there",
    "\u{2028}line\u{2029}separators\u{85}",
    " leading and trailing ",
    "%TAG ! tag:evil,2024:",
    "@at | > ! % ?",
    "yes",
    "\\",
    "\"",
    "'",
];

/// A description with `strings` in every place a free-form string reaches
/// the output: environment values, a build command, a build context's name,
/// a config file's content, a health check path, header match values and an
/// opt-out reason. Written as JSON, which is YAML, so the test cannot get
/// the quoting wrong.
fn injection_description(strings: &[&str], context: &str, health: &str) -> String {
    let env: serde_json::Map<String, Json> = strings
        .iter()
        .enumerate()
        .map(|(i, s)| (format!("V{i}"), Json::from(*s)))
        .collect();
    let mut routes: Vec<Json> = strings
        .iter()
        .map(|s| serde_json::json!({ "match": { "headers": { "x-user": *s } }, "to": "v2" }))
        .collect();
    routes.push(serde_json::json!({ "to": "v1" }));
    let desc = serde_json::json!({
        "app": "shop",
        "namespace": "shop",
        "services": {
            "web": {
                "build": { "runtime": "node", "context": format!("./{context}"), "command": strings },
                "ports": { "http": 8080 },
                "health": { "http": health },
                "env": env,
                "config": { "payload.txt": "./payload.txt" },
                "opt_outs": [{ "check": "CKV_K8S_43", "reason": strings.join(" ") }],
                "calls": ["rev"],
            },
            "rev": {
                "ports": { "http": 9080 },
                "versions": { "v1": { "image": "rev:1.0" }, "v2": { "image": "rev:2.0" } },
                "traffic": { "routes": routes },
            },
        },
    });
    serde_json::to_string_pretty(&desc).unwrap()
}

/// Builds `desc` in a fresh directory with its context and config file.
fn build_bundle(
    case: &str,
    desc: &str,
    context: &str,
    payload: &str,
) -> (tempfile::TempDir, PathBuf) {
    let dir = tempdir();
    write(dir.path(), &format!("{context}/package.json"), "{}\n");
    write(dir.path(), "payload.txt", payload);
    write(dir.path(), "meshc.yaml", desc);
    let run = meshc(
        case,
        dir.path(),
        &["build", "meshc.yaml", "-o", "out", "--quiet"],
    );
    assert_eq!(run.exit, 0, "{case}:\n{}", run.stderr);
    let out = dir.path().join("out");
    (dir, out)
}

fn bundle_files(out: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    for (rel, _) in listing(out) {
        let p = out.join(&rel);
        if p.is_file() {
            files.insert(
                rel.to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            );
        }
    }
    files
}

fn yaml_documents(path: &str, text: &str) -> Vec<Json> {
    serde_saphyr::from_multiple(text)
        .unwrap_or_else(|e| panic!("{path} does not parse: {e}\n{text}"))
}

fn find<'a>(docs: &'a [Json], kind: &str, name: &str) -> &'a Json {
    docs.iter()
        .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} `{name}`"))
}

/// A health check path: a URL path, yet it lands in the Deployment's probes
/// and in the Dockerfile's HEALTHCHECK.
const HEALTH: &str = "/healthz/$(id)/${HOME}/---/#/&a/*a";

#[test]
fn injection_stays_a_string_value() {
    let payload = format!("---\napiVersion: v1\nkind: Secret\n{}\n", NASTY.join("\n"));
    let context = "web\nRUN rm -rf / $(id) ${HOME} '\"`";
    let (_nasty_dir, nasty) = build_bundle(
        "injection: hostile strings",
        &injection_description(&NASTY, context, HEALTH),
        context,
        &payload,
    );
    let benign: Vec<String> = (0..NASTY.len()).map(|i| format!("benign-{i}")).collect();
    let benign: Vec<&str> = benign.iter().map(String::as_str).collect();
    let (_benign_dir, plain) = build_bundle(
        "injection: benign twin",
        &injection_description(&benign, "web", "/healthz"),
        "web",
        "benign\n",
    );
    let (nasty, plain) = (bundle_files(&nasty), bundle_files(&plain));
    assert_eq!(
        nasty.keys().collect::<Vec<_>>(),
        plain.keys().collect::<Vec<_>>(),
        "the hostile strings changed which files are written"
    );

    let mut documents = BTreeMap::new();
    for (path, text) in &nasty {
        if !path.ends_with(".yaml") {
            continue;
        }
        let docs = yaml_documents(path, text);
        let twin = yaml_documents(path, &plain[path]);
        let identity = |d: &Json| (d["kind"].clone(), d["metadata"]["name"].clone());
        assert_eq!(
            docs.iter().map(identity).collect::<Vec<_>>(),
            twin.iter().map(identity).collect::<Vec<_>>(),
            "{path}: the hostile strings changed the documents"
        );
        let ambiguous = yaml11::ambiguous_plain_scalars(text).unwrap();
        assert!(ambiguous.is_empty(), "{path}: {ambiguous:?}");
        documents.insert(path.clone(), docs);
    }
    let k8s = &documents["kubernetes/web.yaml"];
    let deployment = find(k8s, "Deployment", "web");
    let env = deployment["spec"]["template"]["spec"]["containers"][0]["env"]
        .as_array()
        .expect("env");
    for (i, s) in NASTY.iter().enumerate() {
        let var = env
            .iter()
            .find(|e| e["name"] == format!("V{i}"))
            .unwrap_or_else(|| panic!("no V{i}"));
        assert_eq!(var["value"], *s, "env V{i}");
    }
    let probe = &deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbe"];
    assert_eq!(probe["httpGet"]["path"], HEALTH, "{probe}");
    let config = find(k8s, "ConfigMap", "web-config");
    assert_eq!(config["data"]["payload.txt"], payload.as_str());
    assert_eq!(
        deployment["metadata"]["annotations"]["checkov.io/skip1"],
        format!("CKV_K8S_43={}", NASTY.join(" "))
    );
    let vs = find(&documents["istio/rev.yaml"], "VirtualService", "rev");
    let exacts: Vec<&Json> = vs["spec"]["http"]
        .as_array()
        .expect("http routes")
        .iter()
        .filter_map(|r| r.get("match"))
        .map(|m| &m[0]["headers"]["x-user"]["exact"])
        .collect();
    assert_eq!(
        exacts,
        NASTY
            .iter()
            .map(|s| Json::from(*s))
            .collect::<Vec<_>>()
            .iter()
            .collect::<Vec<_>>()
    );

    for (path, text) in nasty.iter().filter(|(p, _)| p.starts_with("docker/")) {
        let twin = &plain[path];
        assert_eq!(
            text.lines().count(),
            twin.lines().count(),
            "{path}: a hostile string added a line\n{text}"
        );
        let ours = dockerfile::instructions(text);
        let theirs = dockerfile::instructions(twin);
        assert_eq!(
            ours.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            theirs.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            "{path}: the hostile strings changed the instructions\n{text}"
        );
        if path.ends_with("/Dockerfile") {
            let cmd = ours.iter().rev().find(|(k, _)| k == "CMD").expect("CMD");
            let args: Vec<String> =
                serde_json::from_str(&dockerfile::exec_form("CMD", &cmd.1).unwrap())
                    .unwrap_or_else(|e| panic!("{path}: CMD is not exec form ({e}): {}", cmd.1));
            assert_eq!(args, NASTY, "{path}: CMD");
            let check = ours
                .iter()
                .find(|(k, _)| k == "HEALTHCHECK")
                .expect("HEALTHCHECK");
            let probe: Vec<String> =
                serde_json::from_str(&dockerfile::exec_form("HEALTHCHECK", &check.1).unwrap())
                    .unwrap();
            assert_eq!(
                probe.last().map(String::as_str),
                Some(format!("http://127.0.0.1:8080{HEALTH}").as_str()),
                "{path}: HEALTHCHECK"
            );
        }
    }
}

/// Image names and URL paths are checked, not escaped: a newline, a quote,
/// `$(…)` or a document separator there is a finding, and nothing is written.
#[test]
fn hostile_images_and_paths_are_refused() {
    let dir = tempdir();
    for (i, image) in [
        "nginx:1.27\nRUN rm -rf /",
        "$(id)",
        "nginx:${TAG}",
        "nginx:1.27 --- x",
        "nginx\"'",
        "nginx:1.27\n---\nkind: Secret",
    ]
    .iter()
    .enumerate()
    {
        let desc = serde_json::json!({ "app": "shop", "services": { "web": { "image": image } } });
        write(dir.path(), "meshc.yaml", desc.to_string());
        assert_refused(
            &format!("hostile image #{i}"),
            dir.path(),
            "meshc.yaml",
            findings("M406", "is not a valid image reference"),
        );
    }
    let desc = serde_json::json!({ "app": "shop", "services": { "web": {
        "image": "nginx", "ports": { "http": 80 },
        "ingress": { "host": "shop.example.com", "paths": ["/a\n---\nkind: Secret"] } } } });
    write(dir.path(), "meshc.yaml", desc.to_string());
    assert_refused(
        "hostile ingress path",
        dir.path(),
        "meshc.yaml",
        findings("M406", "is not a valid ingress path"),
    );
}

const NORWAY: [&str; 24] = [
    "yes",
    "no",
    "on",
    "off",
    "y",
    "NO",
    "1.10",
    "0777",
    "2024-01-01",
    "~",
    "null",
    "",
    "True",
    "1_000",
    "190:20:30",
    "0b101",
    "0x1F",
    "1e3",
    ".5",
    "+1",
    ".inf",
    "=",
    "<<",
    "2024-1-1",
];

#[test]
fn norway_strings_read_back_as_strings_under_yaml_1_1() {
    let dir = tempdir();
    write(dir.path(), "x", "x\n");
    let env: serde_json::Map<String, Json> = NORWAY
        .iter()
        .enumerate()
        .map(|(i, s)| (format!("N{i}"), Json::from(*s)))
        .collect();
    // Names are DNS labels, yet `no`, `on`, `y` and `null` are valid ones.
    let desc = serde_json::json!({
        "app": "no",
        "namespace": "null",
        "services": {
            "on": {
                "image": "nginx:1.27",
                "ports": { "yes": 80 },
                "env": env,
                "config": { "yes": "./x", "1.10": "./x", "0777": "./x", "null": "./x" },
            },
            "y": {
                "ports": { "http": 80 },
                "versions": { "off": { "image": "nginx:1.27" }, "n": { "image": "nginx:1.28" } },
                "traffic": {
                    "split": { "off": 50, "n": 50 },
                    "routes": [{ "match": { "headers": { "on": "yes" } }, "to": "n" }, { "to": "off" }],
                },
            },
        },
    });
    write(
        dir.path(),
        "meshc.yaml",
        serde_json::to_string_pretty(&desc).unwrap(),
    );
    let run = meshc(
        "Norway strings",
        dir.path(),
        &["build", "meshc.yaml", "-o", "out", "--quiet"],
    );
    assert_eq!(run.exit, 0, "{}", run.stderr);
    let files = bundle_files(&dir.path().join("out"));

    // 1. Every plain scalar reads the same under YAML 1.1 and 1.2.
    for (path, text) in files.iter().filter(|(p, _)| p.ends_with(".yaml")) {
        let ambiguous = yaml11::ambiguous_plain_scalars(text).unwrap();
        assert!(ambiguous.is_empty(), "{path}: {ambiguous:?}\n{text}");
    }
    // 2. The values come back exactly (YAML 1.2).
    let docs = yaml_documents("kubernetes/on.yaml", &files["kubernetes/on.yaml"]);
    let container = &find(&docs, "Deployment", "on")["spec"]["template"]["spec"]["containers"][0];
    for (i, s) in NORWAY.iter().enumerate() {
        let var = container["env"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == format!("N{i}"))
            .unwrap();
        assert_eq!(var["value"], *s, "N{i}");
    }
    assert_eq!(
        find(&docs, "Deployment", "on")["metadata"]["namespace"],
        "null"
    );

    // 3. A real YAML 1.1 reader (PyYAML) reads every document exactly as a
    //    YAML 1.2 reader does.
    let python = dirs_home().join(".cache/meshc-validate/venv/bin/python");
    let has_pyyaml = python.exists()
        && Command::new(&python)
            .args(["-c", "import yaml"])
            .status()
            .is_ok_and(|s| s.success());
    if !has_pyyaml {
        println!(
            "Norway: PyYAML not found at {}; checked with the YAML 1.1 rules in tests/support/yaml11.rs only",
            python.display()
        );
        return;
    }
    let script = "import json, sys, yaml\n\
                  docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d is not None]\n\
                  print(json.dumps(docs, default=lambda o: '<' + type(o).__name__ + '>'))\n";
    for (path, text) in files.iter().filter(|(p, _)| p.ends_with(".yaml")) {
        let out = Command::new(&python)
            .args(["-c", script])
            .arg(dir.path().join("out").join(path))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{path}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let yaml11: Json = serde_json::from_slice(&out.stdout).unwrap();
        let yaml12 = Json::Array(yaml_documents(path, text));
        assert_eq!(
            yaml11, yaml12,
            "{path}: PyYAML (YAML 1.1) reads it differently"
        );
    }
    println!(
        "Norway: PyYAML read {} files the same as YAML 1.2",
        files.iter().filter(|(p, _)| p.ends_with(".yaml")).count()
    );
}

fn dirs_home() -> PathBuf {
    PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| "/root".into()))
}

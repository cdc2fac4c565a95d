//! Analysis along call chains (M308 retry amplification, M309 timeouts),
//! on chains whose numbers are worked out by hand in each test.

use meshc::diag::{Code, Diagnostic};
use meshc::pipeline;
use meshc::source::SourceFile;
use std::path::Path;

fn check(yaml: &str) -> Vec<Diagnostic> {
    let file = SourceFile::new("meshc.yaml", yaml.to_string());
    let (_, mut diags) = pipeline::analyze(&file, Path::new("."));
    // The images are tags on purpose: the chains are what these tests are about.
    diags.retain(|d| d.code != Code::UnpinnedImage);
    assert!(
        !diags.iter().any(Diagnostic::is_error),
        "the description has errors: {diags:#?}"
    );
    diags
}

fn messages(diags: &[Diagnostic], code: Code) -> Vec<String> {
    diags
        .iter()
        .filter(|d| d.code == code)
        .map(|d| d.message.clone())
        .collect()
}

/// `name` with HTTP port 8080, the given calls and traffic.
fn svc(name: &str, calls: &[&str], traffic: &str) -> String {
    let mut s = format!(
        "  {name}:\n    image: registry.example.com/{name}:1.0\n    ports: {{ http: 8080 }}\n"
    );
    if !calls.is_empty() {
        s.push_str(&format!("    calls: [{}]\n", calls.join(", ")));
    }
    if !traffic.is_empty() {
        s.push_str(&format!("    traffic: {traffic}\n"));
    }
    s
}

fn app(mesh: &str, extra: &str, services: &[String]) -> String {
    format!(
        "app: chain\nmesh: {mesh}\n{extra}services:\n{}",
        services.concat()
    )
}

const NO_RETRIES: &str = "{ retries: { attempts: 0 } }";

#[test]
fn three_layers_of_three_retries_make_64_attempts() {
    let r3 = "{ retries: { attempts: 3 } }";
    let d = check(&app(
        "istio",
        "",
        &[
            svc("gateway", &["accounts"], ""),
            svc("accounts", &["payments"], r3),
            svc("payments", &["ledger"], r3),
            svc("ledger", &[], r3),
        ],
    ));
    // 4 × 4 × 4; reported once, at the end of the chain.
    assert_eq!(
        messages(&d, Code::RetryAmplification),
        [
            "gateway → accounts → payments → ledger: up to 64 attempts reach `ledger` per request (more than 10)"
        ]
    );
}

#[test]
fn istio_retries_twice_where_nobody_asked() {
    // No retries anywhere: Istio's implicit 2 make each hop ×3.
    // a → b → c: c sees 3 × 3 = 9 (under 10); a → b → c → d: 27.
    let three = app(
        "istio",
        "",
        &[
            svc("a", &["b"], ""),
            svc("b", &["c"], ""),
            svc("c", &[], ""),
        ],
    );
    assert!(messages(&check(&three), Code::RetryAmplification).is_empty());
    let four = app(
        "istio",
        "",
        &[
            svc("a", &["b"], ""),
            svc("b", &["c"], ""),
            svc("c", &["d"], ""),
            svc("d", &[], ""),
        ],
    );
    let d = check(&four);
    let m = messages(&d, Code::RetryAmplification);
    assert_eq!(
        m,
        ["a → b → c → d: up to 27 attempts reach `d` per request (more than 10)"]
    );
    let help = d[0].help.clone().unwrap_or_default();
    assert!(
        help.contains("`d` ×3 (Istio's implicit 2 retries)"),
        "{help}"
    );
    assert!(
        help.contains("set `retries: { attempts: 0 }` on `d`"),
        "{help}"
    );
    // Linkerd and no mesh retry nothing unless told to.
    for mesh in ["linkerd", "none"] {
        let text = four.replace("mesh: istio", &format!("mesh: {mesh}"));
        assert!(
            messages(&check(&text), Code::RetryAmplification).is_empty(),
            "{mesh}"
        );
    }
}

#[test]
fn a_diamond_adds_the_attempts_of_both_paths() {
    // top → left ×3 → bottom ×3 = 9, top → right ×3 → bottom ×3 = 9: 18 at bottom.
    let r2 = "{ retries: { attempts: 2 } }";
    let d = check(&app(
        "istio",
        "",
        &[
            svc("top", &["left", "right"], ""),
            svc("left", &["bottom"], r2),
            svc("right", &["bottom"], r2),
            svc("bottom", &[], r2),
        ],
    ));
    let m = messages(&d, Code::RetryAmplification);
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(
        m[0].ends_with(": up to 18 attempts reach `bottom` per request (more than 10)"),
        "{}",
        m[0]
    );
}

#[test]
fn the_threshold_is_the_descriptions_and_entry_points_count_apart() {
    let r3 = "{ retries: { attempts: 3 } }";
    let services = [
        svc("gateway", &["accounts"], ""),
        svc("accounts", &["payments"], r3),
        svc("payments", &["ledger"], r3),
        svc("ledger", &[], r3),
    ];
    assert!(
        messages(
            &check(&app("istio", "max_attempts: 64\n", &services)),
            Code::RetryAmplification
        )
        .is_empty()
    );
    // Two entry points, each reaching `c` 9 times: 9 per request, not 18.
    let d = check(&app(
        "istio",
        "",
        &[
            svc("one", &["b"], ""),
            svc("two", &["b"], ""),
            svc("b", &["c"], ""),
            svc("c", &[], ""),
        ],
    ));
    assert!(messages(&d, Code::RetryAmplification).is_empty());
}

#[test]
fn a_per_try_timeout_shorter_than_the_callee_worst_case() {
    // b: per_try 1s × 3 tries = 3s worst case; a cuts each try at 2s.
    let d = check(&app(
        "istio",
        "",
        &[
            svc(
                "a",
                &["b"],
                "{ timeout: 10s, retries: { attempts: 2, per_try_timeout: 2s } }",
            ),
            svc(
                "b",
                &[],
                "{ retries: { attempts: 2, per_try_timeout: 1s } }",
            ),
        ],
    ));
    assert_eq!(
        messages(&d, Code::ChainTimeout),
        [
            "each try to `a` is cut off after 2s (its per-try timeout), but its call to `b` can take up to 3s"
        ]
    );
}

#[test]
fn a_bound_from_further_down_the_chain() {
    // b sets nothing: Istio tries calls to it 3 times, each waiting up to
    // c's 4s: 12s, more than a's 5s timeout. M307 cannot see this (b has
    // no bound of its own).
    let d = check(&app(
        "istio",
        "",
        &[
            svc("a", &["b"], "{ timeout: 5s }"),
            svc("b", &["c"], ""),
            svc("c", &[], "{ timeout: 4s }"),
        ],
    ));
    assert_eq!(
        messages(&d, Code::ChainTimeout),
        [
            "a call to `a` is cut off after 5s (its timeout), but its call to `b` can take up to 12s (`b` sets no bound of its own: it waits for `c`, and calls to it are tried 3 times)"
        ]
    );
    assert!(messages(&d, Code::TimeoutChain).is_empty());
    // With b's retries off, b's worst case is c's 4s: no finding.
    let d = check(&app(
        "istio",
        "",
        &[
            svc("a", &["b"], "{ timeout: 5s }"),
            svc("b", &["c"], NO_RETRIES),
            svc("c", &[], "{ timeout: 4s }"),
        ],
    ));
    assert!(messages(&d, Code::ChainTimeout).is_empty(), "{d:#?}");
}

#[test]
fn m307_keeps_its_edge_and_m309_does_not_repeat_it() {
    let d = check(&app(
        "istio",
        "",
        &[
            svc("a", &["b"], "{ timeout: 2s }"),
            svc("b", &[], "{ timeout: 5s }"),
        ],
    ));
    assert_eq!(messages(&d, Code::TimeoutChain).len(), 1);
    assert!(messages(&d, Code::ChainTimeout).is_empty());
}

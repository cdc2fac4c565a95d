//! Reading: kdl-rs syntax errors → M001 each, summarised; large
//! descriptions read batch by batch with spans moved into the file.

use super::*;
use crate::syntax::kdl::MAX_SYNTAX_ERRORS;
use crate::syntax::kdl::prescan::{BATCH_STACK, STACK_BASE, prescan};

#[test]
fn parse_errors_become_m001_each() {
    let text = "a \"b\" {\n    c 1\n";
    let diags = errors(text);
    assert!(!diags.is_empty());
    for d in &diags {
        assert_eq!(d.code, Code::Syntax);
        assert!(d.message.starts_with("invalid KDL: "), "{}", d.message);
        let first = d.message["invalid KDL: ".len()..].chars().next().unwrap();
        assert!(!first.is_uppercase(), "{}", d.message);
        assert!(d.primary.span.end as usize <= text.len());
        assert!(d.help.is_some());
    }
}

#[test]
fn many_parse_errors_are_summarised() {
    let diags = errors(&"a=\n".repeat(200));
    assert_eq!(diags.len(), MAX_SYNTAX_ERRORS + 1);
    assert!(
        diags[MAX_SYNTAX_ERRORS]
            .message
            .starts_with("meshc stopped reading after 32 KDL syntax errors")
    );
}

/// `n` services in the shape the benchmark generates.
fn services(n: usize) -> String {
    let mut text = String::from("app \"big\"\n");
    for i in 0..n {
        text.push_str(&format!(
            "service \"svc-{i}\" {{\n    port \"http\" 8080\n    calls \"svc-{}\"\n    env {{\n        LOG_LEVEL \"info\" // {{ \\\n    }}\n    version \"v1\" image=\"registry.example.com/x/svc-{i}:1.0.0\"\n}}\n",
            i + 1
        ));
    }
    text
}

#[test]
fn large_descriptions_are_read_in_batches() {
    let text = services(2_000);
    let scanned = prescan(&text).unwrap();
    assert!(scanned.batches.len() > 20);
    assert!(scanned.batches.windows(2).all(|w| w[0].end == w[1].start));
    assert!(scanned.stack <= STACK_BASE + BATCH_STACK);
    let root = survives("2,000 services", &text).unwrap();
    let services = &entry(&root, &["services"]).1;
    assert_eq!(entries(services).len(), 2_000);
    let (key, value) = entry(services, &["svc-1999"]);
    assert_eq!(slice(&text, key.span), "\"svc-1999\"");
    assert!(slice(&text, value.span).starts_with("service \"svc-1999\" {"));
    let (_, image) = entry(services, &["svc-1999", "versions", "v1", "image"]);
    assert_eq!(
        slice(&text, image.span),
        "\"registry.example.com/x/svc-1999:1.0.0\""
    );
}

#[test]
fn nodes_continue_across_lines_within_a_batch() {
    // Every piece needs more than half a batch's stack, so a batch would
    // be cut wherever the pre-scan thought a node ended. An escaped
    // newline, and a `/-` before a newline, do not end the node.
    let pad = format!("\"{}\"", "x".repeat(13 << 10));
    let comment = format!("/*{}*/", "x".repeat(13 << 10));
    let text = format!("a {pad} \\ // more\n  {pad}\n/- {comment}\nb {pad}\nc {pad}\nd {pad}\n");
    for text in [text.clone(), text.replace('\n', "\r\n")] {
        assert_eq!(prescan(&text).unwrap().batches.len(), 4);
        let root = parse(&text).unwrap();
        assert_eq!(names(&root), ["a", "c", "d"]);
        let Value::Seq(a) = &entry(&root, &["a"]).1.value else {
            panic!()
        };
        assert_eq!(a.len(), 2);
    }
}

#[test]
fn syntax_errors_point_into_the_file_from_any_batch() {
    let text = format!("{}a \"b\" c=\n", services(100));
    let diags = errors(&text);
    assert_eq!(diags.len(), 1);
    assert_eq!(slice(&text, diags[0].primary.span).trim_end(), "a \"b\" c=");
}

#[test]
fn reading_stops_after_many_errors() {
    let text = "=\n".repeat(100_000);
    let diags = survives("100k lines of junk", &text).unwrap_err();
    assert_eq!(diags.len(), MAX_SYNTAX_ERRORS + 1);
}

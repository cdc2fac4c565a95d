//! The pre-scan: what it refuses before kdl-rs reads, and nesting bounds.

use super::*;

#[test]
fn prescan_refuses_what_kdl_rs_cannot_read_safely() {
    let cases: &[(&str, Code, &str)] = &[
        ("a 1\n}\n", Code::Syntax, "`}` closes no block"),
        ("a \"b\n", Code::Syntax, "unterminated string"),
        ("a \"\"\"\nb\n", Code::Syntax, "unterminated string"),
        ("a #\"b\"\n", Code::Syntax, "unterminated raw string"),
        ("a /* b /* c */\n", Code::Syntax, "unterminated comment"),
        ("/- /- a\n", Code::Syntax, "`/-` after `/-`"),
        ("a /-\n  /* c */ /- 1\n", Code::Syntax, "`/-` after `/-`"),
    ];
    for (text, code, message) in cases {
        let diags = errors(text);
        assert_eq!(
            (diags.len(), diags[0].code, diags[0].message.as_str()),
            (1, *code, *message),
            "{text:?}"
        );
    }
    // One `/-` is fine, on nodes, arguments and blocks.
    let root = parse("/- service \"x\"\nservice \"y\" /- { a 1 }\nb 1 /-2 3\n").unwrap();
    assert_eq!(names(&entry(&root, &["services"]).1), ["y"]);
    assert_eq!(
        at(&["b"], "b 1 /-2 3"),
        seq(vec![Value::Int(1), Value::Int(3)])
    );
}

#[test]
fn nesting_is_bounded() {
    let ok = format!("{}{}", "a {\n".repeat(MAX_DEPTH), "}\n".repeat(MAX_DEPTH));
    assert!(parse(&ok).is_ok());
    let text = format!(
        "{}{}",
        "a {\n".repeat(MAX_DEPTH + 1),
        "}\n".repeat(MAX_DEPTH + 1)
    );
    let diags = errors(&text);
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].code, Code::UnreadableInput);
    assert_eq!(
        diags[0].message,
        "the description is nested more than 64 levels deep"
    );
    assert_eq!(
        diags[0].primary.span.start as usize,
        text.rfind('{').unwrap()
    );
}

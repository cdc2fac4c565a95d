//! Hostile input: deep nesting, long strings, error storms and random bytes
//! are refused or read quickly, without exhausting the stack, and every span
//! stays inside the text on character boundaries.

use super::*;

fn code_of(result: Result<Node, Vec<Diagnostic>>) -> Option<Code> {
    result.err().map(|d| d[0].code)
}

#[test]
fn hostile_nesting_is_refused_quickly() {
    let m007 = Some(Code::UnreadableInput);
    assert_eq!(code_of(survives("100k {", &"{".repeat(100_000))), m007);
    assert_eq!(code_of(survives("40k a {", &"a {".repeat(40_000))), m007);
    assert_eq!(
        code_of(survives("25k a /-{", &"a /-{".repeat(25_000))),
        m007
    );
    assert_eq!(
        code_of(survives("100k }", &"}".repeat(100_000))),
        Some(Code::Syntax)
    );
    let comments = format!("{}{}a 1\n", "/*".repeat(30_000), "*/".repeat(30_000));
    assert!(survives("30k nested comments", &comments).is_ok());
    let stars = format!("/* {} */\na 1\n", "* / ".repeat(30_000));
    assert!(survives("comment pieces", &stars).is_ok());
    assert_eq!(
        code_of(survives("slashdash run", &"/-".repeat(50_000))),
        Some(Code::Syntax)
    );
    assert_eq!(
        code_of(survives("(( x 100k", &format!("a {}", "(".repeat(100_000)))),
        Some(Code::Syntax)
    );
}

#[test]
fn hostile_errors_do_not_exhaust_the_stack() {
    // Each of these makes kdl-rs restart (and recurse) once per character.
    for junk in ["=", ")", "a}", "\\ ", ";{}"] {
        let text = junk.repeat(40_000 / junk.len());
        assert_eq!(
            code_of(survives(junk, &text)),
            Some(Code::Syntax),
            "{junk:?}"
        );
    }
    // Braces the pre-scan reads as a string, but kdl-rs reads as blocks
    // after recovering from the bad number before them.
    let text = format!("a 1x\"  {}\"\n", "{".repeat(5_000));
    assert!(survives("hidden braces", &text).is_err());
}

#[test]
fn hostile_strings_are_quick() {
    assert_eq!(
        code_of(survives(
            "unterminated",
            &format!("a \"{}", "x".repeat(120_000))
        )),
        Some(Code::Syntax)
    );
    assert_eq!(
        code_of(survives(
            "unterminated raw",
            &format!("a ##\"{}\"#", "x\"#".repeat(33_000))
        )),
        Some(Code::Syntax)
    );
    // kdl-rs takes quadratic time on these; the pre-scan stops them.
    assert_eq!(
        code_of(survives(
            "raw multi-line openers",
            &"#\"\"\"\n".repeat(20_000)
        )),
        Some(Code::Syntax)
    );
    assert_eq!(
        code_of(survives("escaped closers", &"\"\"\"\n \\".repeat(20_000))),
        Some(Code::Syntax)
    );
    let big = format!("a \"{}\"\n", "x".repeat(120_000));
    assert_eq!(at(&["a"], &big), str(&"x".repeat(120_000)));
    survives("120 KB string", &big).unwrap();
    let too_big = format!("a \"{}\"\n", "x".repeat(1_000_000));
    assert_eq!(
        code_of(survives("1 MB string", &too_big)),
        Some(Code::UnreadableInput)
    );
}

#[test]
fn hostile_lines_and_garbage_are_quick() {
    let line = format!("a{}\n", " 1".repeat(50_000));
    let root = survives("long line", &line).unwrap();
    let Value::Seq(items) = &entry(&root, &["a"]).1.value else {
        panic!()
    };
    assert_eq!(items.len(), 50_000);
    // Deterministic pseudo-random bytes, read as text the way meshc reads files.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let bytes: Vec<u8> = (0..40_000)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect();
    let garbage = String::from_utf8_lossy(&bytes);
    assert!(survives("binary garbage", &garbage).is_err());
    // Without the bytes the pre-scan stops at, so that kdl-rs reads it.
    let garbage = garbage.replace(['"', '{', '}', '/', '#'], "");
    let diags = survives("binary garbage for kdl-rs", &garbage).unwrap_err();
    assert!(
        diags[0].message.starts_with("invalid KDL: "),
        "{}",
        diags[0].message
    );
}

/// Every span inside the text and on character boundaries.
fn assert_spans(text: &str, result: &Result<Node, Vec<Diagnostic>>) {
    let check = |span: Span| {
        let (s, e) = (span.start as usize, span.end as usize);
        assert!(s <= e && e <= text.len(), "{s}..{e} in {text:?}");
        assert!(
            text.is_char_boundary(s) && text.is_char_boundary(e),
            "{s}..{e} in {text:?}"
        );
    };
    fn walk(node: &Node, check: &dyn Fn(Span)) {
        check(node.span);
        match &node.value {
            Value::Seq(items) => items.iter().for_each(|n| walk(n, check)),
            Value::Map(entries) => entries.iter().for_each(|(k, v)| {
                check(k.span);
                walk(v, check);
            }),
            _ => {}
        }
    }
    match result {
        Ok(node) => walk(node, &check),
        Err(diags) => {
            assert!(!diags.is_empty());
            for d in diags {
                check(d.primary.span);
                d.secondary.iter().for_each(|l| check(l.span));
            }
        }
    }
}

#[test]
fn errors_at_wide_characters_stay_on_character_boundaries() {
    for text in ["a 1 é=", "é\u{1F600}}", "a \"b\" 😀😀\n{", "a (😀)", "😀=1"] {
        assert_spans(text, &parse(text));
    }
}

#[test]
fn random_kdl_shaped_input_never_crashes() {
    const ALPHABET: &[&str] = &[
        "{", "}", "(", ")", "=", "/-", "/*", "*/", "//", "\"", "\"\"\"", "#\"", "\"#", "r#\"", "#",
        "\\", " ", "\n", ";", "a", "1", "1.5", "#true", "true", "é",
    ];
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let started = Instant::now();
    for _ in 0..200 {
        let len = (next() % 4_000) as usize;
        let text: String = (0..len)
            .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
            .collect();
        assert_spans(&text, &parse(&text));
    }
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

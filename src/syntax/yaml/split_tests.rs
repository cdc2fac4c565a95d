//! The two-thread parse (`split`) against the serial one: where it answers,
//! the tree and every span are the serial ones; where the text is not
//! plainly safe to cut, it does not answer; and `parse` gives the serial
//! result (tree or diagnostic) either way.

use super::{events, parse, parse_serial, quick, split};

/// A description of `n` services in the generated benchmark's shape, with
/// `extra` added to every service and `tail` after the services.
fn description(n: usize, extra: &str, tail: &str) -> String {
    let mut s = String::from("# a comment\napp: shop\nnamespace: shop\nservices:\n");
    for i in 0..n {
        s.push_str(&format!(
            "  svc-{i:05}:\n    ports: {{ http: 8080 }}\n    calls: [svc-{:05}, x]\n    \
             env:\n      LOG: info\n      NAME: svc-{i:05}\n    replicas: {i}\n{extra}",
            i + 1
        ));
    }
    s.push_str(tail);
    s
}

/// `split` answers on `text` and agrees with the serial parse, with the
/// pieces read from granit-parser's events, and by hand wherever the hand
/// reader reads the whole text.
fn agrees(text: &str) {
    let serial = parse_serial(text).expect("serial parse");
    let split = split::parse_split(text, events::parse_counted).expect("split answers");
    assert_eq!(split, serial);
    let by_hand = split::parse_split(text, quick::parse_counted);
    if quick::parse(text).is_some() {
        assert_eq!(by_hand.as_ref(), Some(&serial), "on {text:.200?}");
    } else {
        assert_eq!(by_hand, None, "on {text:.200?}");
    }
    assert_eq!(parse(text).unwrap(), serial);
}

/// The split trees `text` gives, with either reader of the pieces.
fn splits(text: &str) -> [Option<crate::syntax::Node>; 2] {
    [
        split::parse_split(text, events::parse_counted),
        split::parse_split(text, quick::parse_counted),
    ]
}

/// `split` does not answer, and `parse` is the serial result.
fn declines(text: &str) {
    assert_eq!(splits(text), [None, None], "on {text:.200?}");
    assert_eq!(parse(text), parse_serial(text));
}

#[test]
fn agrees_on_plain_descriptions() {
    for n in [2, 3, 10, 101] {
        agrees(&description(n, "", ""));
        agrees(&description(
            n,
            "",
            "defaults:\n  replicas: 2\nmesh: istio\n",
        ));
        agrees(&description(n, "    # inner comment\n\n", "# end\n"));
        agrees(&description(
            n,
            "  # it's a {comment [ & *x |\n",
            "# \"end\n",
        ));
        agrees(&description(n, "    note: a b\n      continued\n", "x: 1"));
    }
    // Big enough for the size threshold of `parse` too.
    agrees(&description(5_000, "", "mesh: linkerd\n"));
}

#[test]
fn a_value_left_empty_at_the_cut_is_not_guessed() {
    for n in [2, 3, 10, 101] {
        let text = description(n, "    empty:\n", "");
        let serial = parse_serial(&text).unwrap();
        for split in splits(&text).into_iter().flatten() {
            assert_eq!(split, serial);
        }
        let text = description(n, "    empty:\n", "last:\n");
        let serial = parse_serial(&text).unwrap();
        for split in splits(&text).into_iter().flatten() {
            assert_eq!(split, serial);
        }
    }
}

#[test]
fn declines_what_is_not_plainly_safe() {
    // Anchors, tags, block scalars, quotes, flow collections across lines,
    // tabs, CRLF, non-ASCII, and entries that are not `key:` at one indent.
    for extra in [
        "    a: &x 1\n    b: *x\n",
        "    t: !!str 2\n",
        "    s: |\n      text\n",
        "    s: >\n      text\n",
        "    q: \"a\"\n",
        "    q: 'a'\n",
        "    f: [a,\n      b]\n",
        "    f: { a: 1, # }\n      b: 2 }\n",
        "\tx: 1\n",
        "    w: a\r\n",
        "    u: café\n",
        "- item\n",
        "x: 1\n",
    ] {
        declines(&description(10, extra, ""));
    }
    declines(&description(10, "", "---\nb: 2\n"));
    declines(&description(10, "", "%YAML 1.2\n"));
    declines("services:\n  a: 1\n");
    declines("app: x\n");
}

#[test]
fn malformed_input_gives_the_serial_diagnostic() {
    for bad in [
        "    bad: [1, 2\n",
        "    : x\n",
        "      over: indented\n   under: x\n",
        "    k: v: w\n",
        "    dup: 1\n    dup: 2\n",
    ] {
        let text = description(10, bad, "");
        assert_eq!(parse(&text), parse_serial(&text), "on {bad:?}");
        for split in splits(&text).into_iter().flatten() {
            assert_eq!(Ok(split), parse_serial(&text), "on {bad:?}");
        }
    }
    // A malformed piece, past the size threshold: the serial error.
    let mut text = description(5_000, "", "");
    text.push_str("  late: [unclosed\n");
    let serial = parse_serial(&text);
    assert!(serial.is_err());
    assert_eq!(parse(&text), serial);
}

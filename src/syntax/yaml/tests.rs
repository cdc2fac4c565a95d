use super::*;

fn keys(n: &Node) -> Vec<(&str, Span)> {
    match &n.value {
        Value::Map(m) => m.iter().map(|(k, _)| (k.name.as_str(), k.span)).collect(),
        _ => panic!("not a map"),
    }
}

#[test]
fn keeps_key_and_value_spans() {
    let text = "app: shop\nservices:\n  web: { image: nginx }\n";
    let root = parse(text).unwrap();
    let k = keys(&root);
    assert_eq!(k[0].0, "app");
    assert_eq!(&text[k[0].1.start as usize..k[0].1.end as usize], "app");
    let Value::Map(m) = &root.value else { panic!() };
    assert_eq!(m[0].1.value, Value::Str("shop".into()));
    assert_eq!(m[0].1.span.start, 5);
}

#[test]
fn duplicate_keys_pass_through() {
    let root = parse("a: 1\na: 2\n").unwrap();
    assert_eq!(keys(&root).len(), 2);
}

#[test]
fn scalars_are_yaml_1_2() {
    let root = parse("a: yes\nb: 0777\nc: '9080'\nd: 9080\n").unwrap();
    let Value::Map(m) = root.value else { panic!() };
    assert_eq!(m[0].1.value, Value::Str("yes".into()));
    assert_eq!(m[2].1.value, Value::Str("9080".into()));
    assert_eq!(m[3].1.value, Value::Int(9080));
}

#[test]
fn exceeded_budgets_are_unreadable_input_not_syntax() {
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{p}"); 10].join(", ")
        ));
    }
    let d = parse(&bomb).unwrap_err();
    assert_eq!(d.code, Code::UnreadableInput);
    assert!(d.message.contains("aliases"), "{}", d.message);

    let deep = format!("a:\n{}x\n", "- ".repeat(100));
    let d = parse(&deep).unwrap_err();
    assert_eq!(d.code, Code::UnreadableInput);
    assert!(d.message.contains("nested more than 64"), "{}", d.message);

    let d = parse("a: 1\n---\nb: 2\n").unwrap_err();
    assert_eq!(d.code, Code::Syntax);
    assert_eq!(d.message, "the file holds more than one YAML document");
}

#[test]
fn deep_nesting_is_a_diagnostic() {
    let text = "[".repeat(10_000);
    let d = parse(&text).unwrap_err();
    assert_eq!(d.code, Code::UnreadableInput);
}

fn values(text: &str) -> Vec<Value> {
    let Value::Map(m) = parse(text).unwrap().value else {
        panic!("not a map")
    };
    m.into_iter().map(|(_, v)| v.value).collect()
}

#[test]
fn plain_scalars_resolve_as_serde_saphyr_does() {
    let text = "a: 0x1F\nb: 0o17\nc: -0x10\nd: 1_000\ne: 18446744073709551615\n\
                f: -9223372036854775808\ng: 1e3\nh: ~\ni: True\nj: '1'\nk: |\n  2\n\
                l: 0b12\nm: 1.2.3\nn: +0777\n";
    assert_eq!(
        values(text),
        [
            Value::Int(31),
            Value::Int(15),
            Value::Int(-16),
            Value::Int(1000),
            Value::Float(18446744073709551615.0),
            Value::Int(i64::MIN),
            Value::Float(1000.0),
            Value::Null,
            Value::Bool(true),
            Value::Str("1".into()),
            Value::Str("2\n".into()),
            Value::Str("0b12".into()),
            Value::Str("1.2.3".into()),
            Value::Str("+0777".into()),
        ]
    );
}

/// The fast path answers only where it agrees with serde-saphyr, tree
/// and spans alike: checked on every example and on scalar forms in
/// several positions, so an upgrade of serde-saphyr that changes its
/// rules fails here rather than in a user's build.
#[test]
fn the_event_path_agrees_with_serde_saphyr() {
    let mut inputs: Vec<String> = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                inputs.push(std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    let scalars = [
        "",
        "~",
        "null",
        "Null",
        "NULL",
        "nULL",
        "true",
        "True",
        "TRUE",
        "tRUE",
        "false",
        "yes",
        "on",
        "y",
        "0",
        "-0",
        "+1",
        "0777",
        "-0777",
        "0x1F",
        "0X1f",
        "0o17",
        "0b101",
        "1_000",
        "_1",
        "1__0",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775809",
        "1.5",
        ".5",
        "5.",
        "1e3",
        "1E-3",
        "-1.5e+3",
        "1.10",
        "2024-01-01",
        "12:30",
        "9080",
        "'9080'",
        "\"9080\"",
        "é",
        "a b",
        "a # c",
        "0.0.0.0",
        "1.2.3",
        "+.5",
        "0x",
        "0o",
        "1e",
        "-",
        "--",
        "- a",
        "[]",
        "{}",
    ];
    for v in scalars {
        inputs.push(format!("k: {v}\n"));
        inputs.push(format!("- {v}\n- x\n"));
        inputs.push(format!("m: {{ k: {v} }}\n"));
        inputs.push(format!("l: [{v}, x]\n"));
        inputs.push(format!("{v}: x\n"));
    }
    let mut answered = 0;
    for text in &inputs {
        if let Some(fast) = events::parse(text) {
            answered += 1;
            assert_eq!(Ok(fast), parse_serde(text), "on {text:?}");
        }
    }
    assert!(
        answered > inputs.len() / 2,
        "{answered} of {}",
        inputs.len()
    );
}

#[test]
fn spans_are_bytes_in_multibyte_text() {
    let text = "naïve: café\n日本: [ü, 🎉]\n";
    let root = parse(text).unwrap();
    let Value::Map(m) = &root.value else { panic!() };
    let at = |s: Span| &text[s.start as usize..s.end as usize];
    assert_eq!(at(m[0].0.span), "naïve");
    assert_eq!(at(m[0].1.span), "café");
    assert_eq!(at(m[1].0.span), "日本");
    let Value::Seq(items) = &m[1].1.value else {
        panic!()
    };
    assert_eq!(at(items[1].span), "🎉");
}

#[test]
fn anchors_tags_and_merge_keys_are_read() {
    let text = "base: &b {x: 1}\nd:\n  <<: *b\n  y: !!str 2\n";
    let d = &values(text)[1];
    let Value::Map(m) = d else { panic!() };
    let names: Vec<_> = m.iter().map(|(k, v)| (k.name.as_str(), &v.value)).collect();
    assert_eq!(
        names,
        [("y", &Value::Str("2".into())), ("x", &Value::Int(1))]
    );
}

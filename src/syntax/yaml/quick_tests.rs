//! The hand-written reader (`quick`) against the full parse: wherever it
//! answers, its tree and every span are the full parser's; on every file in
//! the repository and on thousands of damaged copies of them, it either
//! agrees or declines; and it does answer for the descriptions people write.

use super::{events, parse_serial, quick, split};
use std::path::Path;

/// `quick` declines, or gives exactly the full parser's tree; and so does
/// the two-thread parse with `quick` reading its pieces.
fn agrees_or_declines(text: &str) -> bool {
    let full = || parse_serial(text).map_err(|d| d.message);
    if let Some(tree) = split::parse_split(text, quick::parse_counted) {
        assert!(
            full() == Ok(tree),
            "split and full parse differ on:\n{text}"
        );
    }
    match quick::parse(text) {
        None => false,
        Some(tree) => {
            // The text alone: the two trees are too long to read in a report.
            assert!(
                full() == Ok(tree),
                "quick and full parse differ on:\n{text}"
            );
            true
        }
    }
}

/// Every `.yaml` file of the repository's examples and tests.
fn corpus() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    let mut dirs = vec![root.join("examples"), root.join("tests")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                let text = std::fs::read_to_string(&path).unwrap();
                files.push((path.display().to_string(), text));
            }
        }
    }
    files.sort();
    assert!(
        files.len() > 40,
        "the corpus is the repository's YAML files"
    );
    files
}

#[test]
fn answers_for_every_valid_example_and_agrees_on_the_rest() {
    let mut answered = 0;
    for (path, text) in corpus() {
        // An example with anchors or tags (`shop`) is the full parser's.
        let valid = path.contains("/examples/") && !path.contains("/invalid/");
        let plain = valid && events::parse(&text).is_some();
        let took = agrees_or_declines(&text);
        assert!(took || !plain, "quick declined a plain example: {path}");
        answered += usize::from(took);
    }
    assert!(answered > 40, "quick answered for {answered} files");
}

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 as usize
    }
}

/// The characters YAML's structure turns on, and some that are only text.
const DAMAGE: &[&str] = &[
    ":", " ", "  ", "-", "- ", "#", " #", "[", "]", "{", "}", ",", "\"", "'", "''", "\n", "\n  ",
    "a", "\\", "\\n", "?", "&", "*", "!", "|", ">", "%", "@", "~", "0", "1.5", "0x1f", "null",
    "true", "<<", ".inf", "...", "---", ": ", "\t", "é",
];

/// One random change to `t`: a few bytes replaced by one of [`DAMAGE`] or
/// by nothing, or a line moved in or out (which changes what it belongs to).
fn damage(t: &mut String, rng: &mut Rng) {
    let mut at = rng.next() % (t.len() + 1);
    while !t.is_char_boundary(at) {
        at -= 1;
    }
    if rng.next().is_multiple_of(4) {
        let line = t[..at].rfind('\n').map_or(0, |n| n + 1);
        match rng.next() % 3 {
            0 => t.insert(line, ' '),
            1 => t.insert_str(line, "  "),
            _ if t[line..].starts_with(' ') => t.replace_range(line..line + 1, ""),
            _ => {}
        }
        return;
    }
    let mut end = at + (rng.next() % 4).min(t.len() - at);
    while !t.is_char_boundary(end) {
        end += 1;
    }
    let with = match rng.next() % 3 {
        0 => "",
        _ => DAMAGE[rng.next() % DAMAGE.len()],
    };
    t.replace_range(at..end, with);
}

#[test]
fn damaged_descriptions_are_read_alike_or_declined() {
    let mut rng = Rng(0x5eed_cafe);
    let (mut answered, mut tried) = (0, 0);
    for (_, text) in corpus() {
        for _ in 0..150 {
            let mut t = text.clone();
            for _ in 0..1 + rng.next() % 3 {
                damage(&mut t, &mut rng);
            }
            tried += 1;
            answered += usize::from(agrees_or_declines(&t));
        }
    }
    // Much damage leaves a readable description; quick must still read those.
    assert!(answered * 5 > tried, "quick answered {answered} of {tried}");
}

#[test]
fn agrees_on_each_form_it_reads() {
    let cases = [
        "app: shop\n",
        "# c\napp: shop   # trailing\nempty:\nlast:",
        "a:   # c\nb:    \nc: [ ]\nd: { }\n",
        "q: \"a\\tb\\n\\\\\\\"\\/\"  \ns: 'it''s'\nl: \"\" \n",
        "\"q k\": 1\n's': 2\n'8080': x\n",
        "f: { a: 1, b: [x, \"y\", 'z'], c: {} , d: [] }\ng: {x: [1, {y: z}]}\n",
        "f: [a b, c  d ]\nimage: { image: registry.example.com/x:1.0.0 }\n",
        "list:\n  - one\n  - k: v\n    k2: v2\n  - [1, 2]\n  - {a: b}\n",
        "same:\n- a\n- b\nnested:\n  deep:\n    x: 1\nz: 0\n",
        "i:\n- k: v\n  k2: w\n  k3:\n  - x\n- z\nj: -1\nk: a:b\n",
        "m: http://x:80/p#frag\nn: echo {x} [y], z\no: -x\np: ?x\nq: :x\n",
        "ints: [0, -0, +1, 0x1F, 0o17, 0b11, 1_000, 0127, 18446744073709551616]\n",
        "floats: [1.5, -2e3, .5]\nbools: [true, True, yes, on, NO]\n",
        "nulls: [~, null, Null, '~']\n1: a\n1.0: b\ntrue: c\n~: d\nnull: e\n",
        "- a\n- b: c\n  d: e\n",
        "x:\n    deeply:\n          indented: yes\n    back: 1\n",
        "dup: 1\ndup: 2\n",
    ];
    for text in cases {
        assert!(agrees_or_declines(text), "quick declined {text:?}");
    }
}

#[test]
fn declines_what_it_does_not_read() {
    let cases = [
        "",
        "# only a comment\n",
        "--- \napp: shop\n",
        "app: shop\n...\n",
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: |\n  text\n",
        "a: >\n  text\n",
        "a: b\n  continued\n",
        "a:\n  b\n",
        "a: \"two\n  lines\"\n",
        "a: [1,\n  2]\n",
        "a:\tb\n",
        "a: b\r\n",
        "a: é\n",
        "<<: {a: 1}\n",
        "a: [b, ]\n",
        "a: 1e999\n",
        "a: [.inf]\n",
        "a: [b: c]\n",
        "a: \"\\u00e9\"\n",
        "a: b: c\n",
        "a:\n-\n- b\n",
        "a:\n- - b\n",
        "? a\n: b\n",
        "key  : v\n",
        &format!("{}: 1\n", "k".repeat(1025)),
        &format!("a: {{ {}: 1 }}\n", "k".repeat(1025)),
        "- \"just a string\"\n",
    ];
    for text in cases {
        assert!(quick::parse(text).is_none(), "quick read {text:?}");
    }
}

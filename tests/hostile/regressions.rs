//! Findings of the fuzzer (scripts/fuzz.sh) and of this suite, each with the
//! input that found it.

use super::*;

/// check_pipeline and build_pipeline: the diagnostic for invalid UTF-8
/// pointed at the first byte of the U+FFFD that replaces the bad bytes in the
/// shown text, splitting a character (renderers slicing the text by the span
/// would panic; columns were off). It now covers the whole character.
#[test]
fn fuzz_invalid_utf8_span_covers_the_replacement_character() {
    let dir = tempdir();
    let input: &[u8] = b"app: shop\nservices:\n\xe0\xdf\x88\x9eb:\n    image: docker.io/library/nginx:1.27\n    replicas: two\n    ports: { http: 8080.5 }\n";
    write(dir.path(), "meshc.yaml", input);
    let run = meshc(
        "fuzz: invalid UTF-8 span",
        dir.path(),
        &["check", "--format", "json", "meshc.yaml"],
    );
    assert_eq!(run.exit, 1);
    let items: Vec<Json> = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(items.len(), 1, "{}", run.stdout);
    assert_eq!(items[0]["code"], "M007");
    assert_eq!(items[0]["offset"], 20);
    assert_eq!(items[0]["length"], 3);
    assert_eq!(
        (&items[0]["line"], &items[0]["column"]),
        (&Json::from(3), &Json::from(1))
    );
    assert_eq!(
        (&items[0]["end_line"], &items[0]["end_column"]),
        (&Json::from(3), &Json::from(2))
    );
}

/// Found by this suite's 1 MB service name: miette pads a label to its
/// column with a format width, which panics past column 65,535. Lines that
/// long are now reported by position instead of shown.
#[test]
fn a_finding_past_column_65535_is_reported_without_the_line() {
    let dir = tempdir();
    let text = format!(
        "app: shop\nservices: {{ web: {{ image: nginx }}, {}: 1 }}\n",
        "a".repeat(70_000)
    );
    write(dir.path(), "meshc.yaml", &text);
    let run = meshc(
        "finding at column 70,000",
        dir.path(),
        &["check", "meshc.yaml"],
    );
    assert_eq!(run.exit, 1, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("meshc.yaml:2:70036, in a line too long to show)"),
        "{}",
        &run.stdout[..run.stdout.len().min(2000)]
    );
    assert!(run.stdout.len() < 5_000, "the long line was printed");
}

/// Found by this suite: the human report handed miette the whole file for
/// every finding, and miette scans from the first byte to find the lines, so
/// 20,000 findings in a 550 kB file took 81 s and copied the file 20,000
/// times. Each finding now costs only its own lines.
#[test]
fn many_findings_in_a_large_file_render_in_linear_time() {
    let dir = tempdir();
    let mut text = String::from("app: many\nservices:\n");
    // Just under the 10,000-service cap, so every name is checked.
    for i in 0..10_000 {
        text.push_str(&format!(
            "  S_{i}: {{ image: nginx, ports: {{ http: 80 }} }}\n"
        ));
    }
    write(dir.path(), "meshc.yaml", &text);
    let run = meshc(
        "10,000 findings, human report",
        dir.path(),
        &["check", "meshc.yaml"],
    );
    assert_eq!(run.exit, 1);
    // One M412 for `nginx`, which all 10,000 share.
    assert!(run.stdout.ends_with("10000 errors, 1 warning in 1 file\n"));
    assert!(
        run.stdout
            .contains(" 10002 │   S_9999: { image: nginx, ports: { http: 80 } }\n"),
        "line numbers are right"
    );
}

/// Found by this suite: an "empty" description of a million comment lines
/// was printed whole under its one label.
#[test]
fn a_label_over_many_lines_points_at_its_start() {
    let dir = tempdir();
    write(dir.path(), "meshc.yaml", "# comment\n".repeat(100_000));
    let run = meshc(
        "100,000 comment lines",
        dir.path(),
        &["check", "meshc.yaml"],
    );
    assert_eq!(run.exit, 1);
    assert!(run.stdout.contains("the description is empty"));
    assert!(run.stdout.len() < 2_000, "{} bytes", run.stdout.len());
}

//! Values with line breaks, quotes, `\` and `$` stay inside the instruction they belong to.

use super::*;

const HOSTILE: [&str; 11] = [
    "a\nRUN rm -rf /",
    "a\r\nUSER root",
    "$(id)",
    "${HOME}",
    "\"",
    "\\",
    "x \\",
    "---",
    "'; rm -rf / #",
    "\u{2028}EXPOSE 22\u{85}",
    "\"]\nENTRYPOINT [\"sh",
];

/// Every runtime with `value` in every string a template can see.
fn poisoned(value: &str) -> App {
    let mut a = every_runtime();
    for svc in &mut a.services {
        if let Some(Probe::Http { path, .. }) = &mut svc.health {
            *path = format!("/{value}");
        }
        for w in &mut svc.workloads {
            w.name = format!("{}{value}", w.name);
            w.image = value.into();
            let b = w.build.as_mut().unwrap();
            b.command = vec![value.into(), "--flag".into(), value.into()];
            b.images.runtime = value.into();
            b.context = value.into();
        }
    }
    a
}

#[test]
fn hostile_values_cannot_add_or_change_instructions() {
    let baseline = emit(&poisoned("ok"), &Templates::default(), crate::emit::ALL).unwrap();
    for value in HOSTILE {
        let out = emit(&poisoned(value), &Templates::default(), crate::emit::ALL).unwrap();
        assert_eq!(out.len(), baseline.len());
        for (got, want) in out.iter().zip(&baseline) {
            let (got_text, want_text) = (text(got), text(want));
            assert!(
                !got_text.contains(['\r', '\u{2028}', '\u{85}']),
                "{value:?} in {}",
                got.path
            );
            assert_eq!(
                kinds(got_text),
                kinds(want_text),
                "{value:?} in {}",
                got.path
            );
            if got.path.ends_with(".dockerignore") {
                let patterns = |t: &str| t.lines().filter(|l| !l.starts_with('#')).count();
                assert_eq!(patterns(got_text), patterns(want_text));
                continue;
            }
            let ins = instructions(got_text);
            // The value arrives intact as one exec-form argument.
            let cmd = last(&ins, "CMD");
            if cmd != r#"["nginx", "-g", "daemon off;"]"# {
                assert_eq!(exec_form(cmd), [value, "--flag", value], "{}", got.path);
            }
            let health = exec_form(last(&ins, "HEALTHCHECK"));
            let declared = exec_form(last(&instructions(want_text), "HEALTHCHECK"));
            if declared.last().unwrap().ends_with("/ok") {
                assert!(
                    health.last().unwrap().ends_with(&format!("/{value}")),
                    "{}",
                    got.path
                );
            }
            // …and as one inert word where it is not JSON.
            let base = last(&ins, "FROM");
            let label = last(&ins, "LABEL");
            for word in [base, label] {
                let inert = !word.contains(['$', '"', '\'', '\\', '`']);
                assert!(inert, "{value:?} in {}: {word}", got.path);
            }
            assert!(!base.contains(char::is_whitespace), "FROM {base}");
            assert_eq!(label.split_whitespace().count(), 2, "LABEL {label}");
        }
    }
}

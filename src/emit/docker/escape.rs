//! How values reach a Dockerfile: three escapers, one per place a value lands.
//!
//! - `{{x}}` (the registry's escape function, [`word`]): the value becomes one
//!   inert Dockerfile word. Line breaks, whitespace, `\`, `$`, quotes and
//!   backticks are percent-encoded, so it cannot end or continue the line,
//!   split into two arguments, open a quote or expand a variable.
//! - `{{json x}}` ([`json`]): a JSON literal, for exec-form `CMD` and
//!   `HEALTHCHECK` arrays. Always valid JSON (invalid JSON would make Docker
//!   fall back to shell form) and always on one line.
//! - `{{sh x}}` ([`shell`]): a POSIX shell word, for the build command shown
//!   in the header comment.

use handlebars::{
    Context, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext, RenderError,
    RenderErrorReason,
};
use std::fmt::Write as _;

/// Registers the escape function and the `json` and `sh` helpers.
pub fn install(reg: &mut Handlebars<'_>) {
    reg.register_escape_fn(word);
    reg.register_helper("json", Box::new(Json));
    reg.register_helper("sh", Box::new(Shell));
}

/// A character that must not appear raw in a default-escaped value.
fn special(c: char) -> bool {
    c.is_whitespace() || c.is_control() || matches!(c, '%' | '\\' | '$' | '"' | '\'' | '`')
}

fn percent_encode(c: char, out: &mut String) {
    let mut buf = [0u8; 4];
    for b in c.encode_utf8(&mut buf).bytes() {
        let _ = write!(out, "%{b:02X}");
    }
}

/// The default escape: one Dockerfile word, with special characters percent-encoded.
pub fn word(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if special(c) {
            percent_encode(c, &mut out);
        } else {
            out.push(c);
        }
    }
    out
}

/// A JSON literal on one line, arrays spaced as Dockerfiles usually are
/// (`["a", "b"]`). `serde_json` escapes `"`, `\` and C0 controls; the
/// characters some tools treat as line breaks (NEL, LS, PS) and DEL are
/// escaped too.
pub fn json(value: &serde_json::Value) -> String {
    if let serde_json::Value::Array(items) = value {
        let items: Vec<String> = items.iter().map(json).collect();
        return format!("[{}]", items.join(", "));
    }
    let text = serde_json::to_string(value).unwrap_or_else(|_| "null".into());
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{7f}' | '\u{85}' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// A POSIX shell word: bare when it only has safe characters, single-quoted
/// otherwise. Line breaks and other controls are percent-encoded (the word is
/// shown in a comment and must stay on its line).
pub fn shell(s: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "_./:@%+=,-".contains(c);
    if !s.is_empty() && s.chars().all(safe) {
        return s.to_string();
    }
    let mut out = String::from("'");
    for c in s.chars() {
        match c {
            '\'' => out.push_str("'\\''"),
            c if c.is_control() || (c.is_whitespace() && c != ' ') => percent_encode(c, &mut out),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

fn param<'a>(h: &'a Helper<'_>, name: &'static str) -> Result<&'a serde_json::Value, RenderError> {
    h.param(0)
        .map(|p| p.value())
        .ok_or_else(|| RenderErrorReason::ParamNotFoundForIndex(name, 0).into())
}

struct Json;

impl HelperDef for Json {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        out.write(&json(param(h, "json")?))?;
        Ok(())
    }
}

struct Shell;

impl HelperDef for Shell {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let text = match param(h, "sh")? {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        out.write(&shell(&text))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json as j;

    #[test]
    fn word_is_one_inert_token() {
        assert_eq!(
            word("python:3.12.7-slim-bookworm"),
            "python:3.12.7-slim-bookworm"
        );
        assert_eq!(word("a\nRUN rm -rf /"), "a%0ARUN%20rm%20-rf%20/");
        assert_eq!(word("${HOME} $(id)"), "%24{HOME}%20%24(id)");
        assert_eq!(word("x\\"), "x%5C");
        assert_eq!(word("\"'`"), "%22%27%60");
        assert_eq!(word("50%"), "50%25");
        assert_eq!(word("a\u{2028}b\u{85}"), "a%E2%80%A8b%C2%85");
    }

    #[test]
    fn json_stays_on_one_line_and_round_trips() {
        let v = j!(["a\nRUN rm -rf /", "\\", "\"", "\u{2028}", "\u{7f}", "$(id)"]);
        let s = json(&v);
        assert!(!s.contains(['\n', '\r', '\u{2028}', '\u{7f}']), "{s}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&s).unwrap(), v);
    }

    #[test]
    fn shell_quotes_only_when_needed() {
        assert_eq!(shell("src/web"), "src/web");
        assert_eq!(shell("my app"), "'my app'");
        assert_eq!(shell("it's"), "'it'\\''s'");
        assert_eq!(shell("a\nb"), "'a%0Ab'");
        assert_eq!(shell(""), "''");
    }
}

//! A Dockerfile read back the way Docker reads it, enough to count and
//! compare instructions: `\` at the end of a line continues it, comments and
//! blank lines between instructions are dropped.
//!
//! Shared by `tests/hostile.rs` and the fuzz targets (`#[path]`-included).

/// The logical instructions: keyword (upper case) and the rest of the line.
pub fn instructions(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') || (current.is_none() && trimmed.is_empty()) {
            continue;
        }
        let acc = current.get_or_insert_with(String::new);
        match line.strip_suffix('\\') {
            Some(head) => {
                acc.push_str(head);
                acc.push(' ');
            }
            None => {
                acc.push_str(line);
                let full = current.take().unwrap_or_default();
                let full = full.trim_start();
                let (kw, rest) = full.split_once([' ', '\t']).unwrap_or((full, ""));
                out.push((kw.to_ascii_uppercase(), rest.trim().to_string()));
            }
        }
    }
    if let Some(rest) = current {
        out.push(("<unterminated>".into(), rest));
    }
    out
}

/// The JSON array of an exec-form `CMD`, `ENTRYPOINT` or `HEALTHCHECK … CMD`.
pub fn exec_form(keyword: &str, rest: &str) -> Option<String> {
    let e = match keyword {
        "CMD" | "ENTRYPOINT" => rest,
        "HEALTHCHECK" => rest.split_once("CMD ")?.1,
        _ => return None,
    };
    e.starts_with('[').then(|| e.to_string())
}

//! How YAML 1.1 readers (kubectl's go-yaml v2, PyYAML) and the YAML 1.2
//! core schema read a plain (unquoted) scalar, and a scan of emitted YAML for
//! plain scalars the two read differently: the "Norway problem" (`NO` is a
//! boolean to kubectl, a country code to everyone else).
//!
//! Shared by `tests/hostile.rs` and the fuzz targets (`#[path]`-included), so
//! it depends on nothing but serde-saphyr's parser.

use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle};

/// What a plain scalar resolves to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Null,
    Bool,
    Int,
    Float,
    Timestamp,
    /// `<<` (merge key) and `=` (value key): special to YAML 1.1 only.
    Special,
    Str,
}

/// A plain scalar as a YAML 1.1 reader takes it: the union of PyYAML's
/// implicit resolvers and go-yaml v2's `resolve` (so either reader is covered).
pub fn yaml11(s: &str) -> Kind {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Kind::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "n" | "N" | "no" | "No" | "NO" | "true" | "True"
        | "TRUE" | "false" | "False" | "FALSE" | "on" | "On" | "ON" | "off" | "Off" | "OFF" => {
            return Kind::Bool;
        }
        "<<" | "=" => return Kind::Special,
        _ => {}
    }
    if is_timestamp(s) {
        return Kind::Timestamp;
    }
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") || matches!(s, ".nan" | ".NaN" | ".NAN") {
        return Kind::Float;
    }
    // YAML 1.1 allows `_` between digits anywhere in a number.
    let n: String = unsigned.chars().filter(|c| *c != '_').collect();
    if n.is_empty() || unsigned.starts_with('_') {
        return Kind::Str;
    }
    let digits = |t: &str, radix: u32| !t.is_empty() && t.chars().all(|c| c.is_digit(radix));
    let radix = |prefix: &str, radix: u32| n.strip_prefix(prefix).is_some_and(|d| digits(d, radix));
    if radix("0b", 2) || radix("0x", 16) || radix("0o", 8) {
        return Kind::Int;
    }
    if digits(&n, 10) {
        return Kind::Int; // decimal, or octal with a leading 0
    }
    // Sexagesimal: `190:20:30`, `1:30.5`.
    if let Some((head, rest)) = n.split_once(':') {
        let (rest, frac) = rest.split_once('.').unwrap_or((rest, ""));
        let parts_ok = rest.split(':').all(|p| {
            (1..=2).contains(&p.len()) && digits(p, 10) && p.parse::<u32>().unwrap_or(99) < 60
        });
        if digits(head, 10)
            && !head.starts_with('0')
            && parts_ok
            && (frac.is_empty() || digits(frac, 10))
        {
            return if s.contains('.') {
                Kind::Float
            } else {
                Kind::Int
            };
        }
    }
    if is_float_1_1(&n) {
        return Kind::Float;
    }
    Kind::Str
}

/// `1.`, `1.5`, `.5`, `1.5e+3` (PyYAML) and `1e3` (go-yaml's ParseFloat).
fn is_float_1_1(n: &str) -> bool {
    let (mantissa, exp) = match n.find(['e', 'E']) {
        Some(i) => (&n[..i], Some(&n[i + 1..])),
        None => (n, None),
    };
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.chars().all(|c| c.is_ascii_digit())
    });
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let all_digits = |t: &str| t.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = match frac {
        Some(f) => all_digits(int) && all_digits(f) && !(int.is_empty() && f.is_empty()),
        None => !int.is_empty() && all_digits(int) && exp.is_some(),
    };
    mantissa_ok && exp_ok
}

/// `2024-01-01`, `2024-1-1`, `2024-01-01T10:00:00Z`, `2024-01-01 10:00:00`.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 8 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let rest = &s[5..];
    let Some((month, rest)) = rest.split_once('-') else {
        return false;
    };
    let day_len = rest.bytes().take_while(u8::is_ascii_digit).count();
    let ok = |t: &str| (1..=2).contains(&t.len()) && t.bytes().all(|c| c.is_ascii_digit());
    ok(month)
        && (1..=2).contains(&day_len)
        && (day_len == rest.len() || matches!(rest.as_bytes()[day_len], b'T' | b't' | b' ' | b'\t'))
}

/// A plain scalar under the YAML 1.2 core schema (what meshc and
/// serde-saphyr read).
pub fn core12(s: &str) -> Kind {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Kind::Null,
        "true" | "True" | "TRUE" | "false" | "False" | "FALSE" => return Kind::Bool,
        ".nan" | ".NaN" | ".NAN" => return Kind::Float,
        _ => {}
    }
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") {
        return Kind::Float;
    }
    let digits = |t: &str, radix: u32| !t.is_empty() && t.chars().all(|c| c.is_digit(radix));
    if digits(unsigned, 10)
        || s.strip_prefix("0o").is_some_and(|o| digits(o, 8))
        || s.strip_prefix("0x").is_some_and(|x| digits(x, 16))
    {
        return Kind::Int;
    }
    let (mantissa, exp) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let exp_ok = exp.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e), 10));
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", f)) => digits(f, 10),
        Some((i, f)) => digits(i, 10) && (f.is_empty() || digits(f, 10)),
        None => digits(mantissa, 10),
    };
    if mantissa_ok && exp_ok {
        return Kind::Float;
    }
    Kind::Str
}

/// One plain scalar that a YAML 1.1 reader and the YAML 1.2 core schema read differently.
#[derive(Debug, PartialEq, Eq)]
pub struct Ambiguous {
    pub text: String,
    pub yaml11: Kind,
    pub core12: Kind,
}

/// Every plain scalar (keys and values, every document) in `text` that a
/// YAML 1.1 reader would not read the way the YAML 1.2 core schema does.
/// Err when the text is not YAML at all.
pub fn ambiguous_plain_scalars(text: &str) -> Result<Vec<Ambiguous>, String> {
    let mut out = Vec::new();
    for event in Parser::new_from_str(text) {
        let (event, _) = event.map_err(|e| e.to_string())?;
        if let Event::Scalar(value, ScalarStyle::Plain, _, None) = event {
            let (a, b) = (yaml11(&value), core12(&value));
            if a != b {
                out.push(Ambiguous {
                    text: value.into_owned(),
                    yaml11: a,
                    core12: b,
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norway() {
        for s in ["yes", "no", "on", "off", "y", "NO", "~", "null", ""] {
            assert_ne!(yaml11(s), Kind::Str, "{s}");
        }
        assert_eq!(yaml11("1.10"), Kind::Float);
        assert_eq!(yaml11("0777"), Kind::Int);
        assert_eq!(yaml11("1_000"), Kind::Int);
        assert_eq!(yaml11("190:20:30"), Kind::Int);
        assert_eq!(yaml11("2024-01-01"), Kind::Timestamp);
        assert_eq!(core12("2024-01-01"), Kind::Str);
        assert_eq!(core12("yes"), Kind::Str);
        for s in [
            "nginx", "v1", "1.2.3", "a-b", "0x", "12:70", "2024-01", "-", ".",
        ] {
            assert_eq!(yaml11(s), Kind::Str, "{s}");
            assert_eq!(core12(s), Kind::Str, "{s}");
        }
        let found = ambiguous_plain_scalars("a: yes\nb: 'no'\nc: 3\nd: 2024-01-01\n").unwrap();
        let texts: Vec<_> = found.iter().map(|a| a.text.as_str()).collect();
        assert_eq!(texts, ["yes", "2024-01-01"]);
    }
}

//! Quantities: Compose's `cpus: "0.5"` and `memory: 512M` (binary units,
//! as Docker reads them) → Kubernetes' `500m` and `512Mi`.

use super::compose::{Loc, Service};
use super::draft::Resources;
use super::{Kind, Note};

/// `deploy.resources.limits` and `.reservations` of a service.
pub fn resources(s: &Service, notes: &mut Vec<Note>) -> Resources {
    let mut r = Resources::default();
    let groups = [(&s.reservations, false), (&s.limits, true)];
    for (entries, limit) in groups {
        for (field, value) in entries {
            let key = field.value.rsplit('.').next().unwrap_or("");
            let (slot, converted) = match key {
                "cpus" => (
                    if limit { &mut r.cpu_limit } else { &mut r.cpu },
                    cpu(&value.value),
                ),
                "memory" => (
                    if limit {
                        &mut r.memory_limit
                    } else {
                        &mut r.memory
                    },
                    memory(&value.value),
                ),
                _ => {
                    drop_note(notes, field, "meshc sets CPU and memory only");
                    continue;
                }
            };
            match converted {
                Some(q) => *slot = Some(q),
                None => drop_note(
                    notes,
                    field,
                    &format!("`{}` is not a quantity meshc understands", value.value),
                ),
            }
        }
    }
    r
}

fn drop_note(notes: &mut Vec<Note>, field: &Loc<String>, why: &str) {
    notes.push(Note {
        span: field.span,
        path: field.value.clone(),
        kind: Kind::Dropped,
        message: why.to_string(),
    });
}

/// `"0.5"` → `500m`, `"2"` → `2`, `"0.25"` → `250m`.
pub fn cpu(text: &str) -> Option<String> {
    let cores: f64 = text
        .trim()
        .parse()
        .ok()
        .filter(|c: &f64| c.is_finite() && *c > 0.0)?;
    let milli = (cores * 1000.0).round() as u64;
    if milli == 0 || milli > 1_000_000 {
        return None;
    }
    Some(if milli.is_multiple_of(1000) {
        (milli / 1000).to_string()
    } else {
        format!("{milli}m")
    })
}

/// `512M`, `512m`, `512MB`, `1g`, `1.5G`, `1024k`, `300000000` (bytes) → `512Mi`, `1Gi`, `1536Mi`, `1Mi`, …
pub fn memory(text: &str) -> Option<String> {
    let t = text.trim().to_ascii_lowercase();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let number: f64 = number
        .parse()
        .ok()
        .filter(|n: &f64| n.is_finite() && *n > 0.0)?;
    let scale: f64 = match unit.trim_end_matches('b').trim_end_matches('i') {
        "" => 1.0,
        "k" => 1024.0,
        "m" => 1024.0 * 1024.0,
        "g" => 1024.0 * 1024.0 * 1024.0,
        "t" => 1024.0_f64.powi(4),
        _ => return None,
    };
    let bytes = (number * scale).round();
    if bytes < 1.0 || bytes > 1024.0_f64.powi(5) {
        return None;
    }
    let bytes = bytes as u64;
    for (suffix, size) in [
        ("Ti", 1u64 << 40),
        ("Gi", 1 << 30),
        ("Mi", 1 << 20),
        ("Ki", 1 << 10),
    ] {
        if bytes.is_multiple_of(size) {
            return Some(format!("{}{suffix}", bytes / size));
        }
    }
    Some(bytes.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpus_become_millicores() {
        assert_eq!(cpu("0.5").as_deref(), Some("500m"));
        assert_eq!(cpu("2").as_deref(), Some("2"));
        assert_eq!(cpu("1.25").as_deref(), Some("1250m"));
        assert_eq!(cpu("lots"), None);
        assert_eq!(cpu("-1"), None);
    }

    #[test]
    fn memory_becomes_binary_units() {
        assert_eq!(memory("512M").as_deref(), Some("512Mi"));
        assert_eq!(memory("512m").as_deref(), Some("512Mi"));
        assert_eq!(memory("1g").as_deref(), Some("1Gi"));
        assert_eq!(memory("1.5G").as_deref(), Some("1536Mi"));
        assert_eq!(memory("50MB").as_deref(), Some("50Mi"));
        assert_eq!(memory("1000").as_deref(), Some("1000"));
        assert_eq!(memory("12 parsecs"), None);
    }
}

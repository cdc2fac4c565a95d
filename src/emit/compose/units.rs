//! Kubernetes quantities in Compose's units. `check` has already accepted
//! every quantity (M302), so these only convert.

/// CPU: `500m` → `0.5`, `2` → `2`, `1.5` → `1.5` (Compose's `cpus` is a
/// decimal number of cores).
pub fn cpus(q: &str) -> String {
    let Some(milli) = q.strip_suffix('m') else {
        return q.to_string();
    };
    let Ok(milli) = milli.parse::<u64>() else {
        return q.to_string();
    };
    let (whole, frac) = (milli / 1000, milli % 1000);
    if frac == 0 {
        return whole.to_string();
    }
    let frac = format!("{frac:03}");
    format!("{whole}.{}", frac.trim_end_matches('0'))
}

/// Memory: binary suffixes keep their value in Docker's units (`128Mi` →
/// `128m`, which Docker reads as MiB); decimal ones and plain numbers become
/// bytes (`500M` → `500000000`), so nothing is rounded.
pub fn memory(q: &str) -> String {
    const BINARY: [(&str, &str); 4] = [("Ki", "k"), ("Mi", "m"), ("Gi", "g"), ("Ti", "t")];
    const DECIMAL: [(&str, u64); 4] = [
        ("k", 1_000),
        ("M", 1_000_000),
        ("G", 1_000_000_000),
        ("T", 1_000_000_000_000),
    ];
    for (suffix, docker) in BINARY {
        if let Some(n) = q.strip_suffix(suffix)
            && n.bytes().all(|b| b.is_ascii_digit())
        {
            return format!("{n}{docker}");
        }
    }
    for (suffix, factor) in DECIMAL {
        if let Some(n) = q.strip_suffix(suffix)
            && let Ok(n) = n.parse::<u64>()
        {
            return n.saturating_mul(factor).to_string();
        }
    }
    q.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_millis_become_decimal_cores() {
        assert_eq!(cpus("500m"), "0.5");
        assert_eq!(cpus("250m"), "0.25");
        assert_eq!(cpus("1500m"), "1.5");
        assert_eq!(cpus("1000m"), "1");
        assert_eq!(cpus("5m"), "0.005");
        assert_eq!(cpus("2"), "2");
        assert_eq!(cpus("0.5"), "0.5");
    }

    #[test]
    fn memory_keeps_its_value() {
        assert_eq!(memory("128Mi"), "128m");
        assert_eq!(memory("1Gi"), "1g");
        assert_eq!(memory("512Ki"), "512k");
        assert_eq!(memory("500M"), "500000000");
        assert_eq!(memory("1G"), "1000000000");
        assert_eq!(memory("1048576"), "1048576");
    }
}

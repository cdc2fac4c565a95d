//! Names: Compose allows `my_db` and `Web`; Kubernetes wants DNS labels.
//! Also which env values name another service (`DB_HOST=db`,
//! `http://api:8080/v1`, `redis:6379`).

use super::compose::Compose;

/// A DNS-1123 label that starts with a letter, made from any name.
pub fn dns(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut out = out.trim_end_matches('-').to_string();
    if !out.starts_with(|c: char| c.is_ascii_lowercase()) {
        out.insert_str(0, if out.is_empty() { "app" } else { "app-" });
    }
    out.truncate(63);
    out.trim_end_matches('-').to_string()
}

/// Each service's Compose name and meshc name, unique: a second `my-db`
/// (from `my_db`) becomes `my-db-2`.
pub fn services(compose: &Compose) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for s in &compose.services {
        let base = dns(&s.name.value);
        let mut name = base.clone();
        let mut n = 2;
        while out.iter().any(|(_, m)| *m == name) {
            name = format!("{base}-{n}");
            n += 1;
        }
        out.push((s.name.value.clone(), name));
    }
    out
}

/// The host an env value addresses: `host:port`, `scheme://[user@]host[:port][/…]`,
/// or a bare host when the variable's name says it holds one (`DB_HOST=db`).
pub fn address_host<'a>(var: &str, value: &'a str) -> Option<&'a str> {
    let (rest, url) = match value.split_once("://") {
        Some((scheme, rest))
            if !scheme.is_empty()
                && scheme
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'+') =>
        {
            (rest, true)
        }
        Some(_) => return None,
        None => (value, false),
    };
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    };
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p > 0));
    let whole = url || authority.len() == value.len();
    let upper = var.to_ascii_uppercase();
    let named = ["HOST", "ADDR", "SERVER", "ENDPOINT", "URL", "URI"]
        .iter()
        .any(|w| upper.contains(w));
    (host_ok && port_ok && whole && (url || port.is_some() || named)).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_dns_labels() {
        assert_eq!(dns("my_db"), "my-db");
        assert_eq!(dns("Web.1"), "web-1");
        assert_eq!(dns("1st"), "app-1st");
        assert_eq!(dns("__"), "app");
    }

    #[test]
    fn addresses_are_found_in_values() {
        assert_eq!(address_host("DB_HOST", "db:5432"), Some("db"));
        assert_eq!(address_host("PG_HOST", "db"), Some("db"));
        assert_eq!(
            address_host("API", "http://backend:8080/v1"),
            Some("backend")
        );
        assert_eq!(
            address_host("CACHE", "redis://:pw@cache:6379/0"),
            Some("cache")
        );
        assert_eq!(address_host("DB_NAME", "gitea"), None);
        assert_eq!(address_host("TIME", "10:30 daily"), None);
        assert_eq!(address_host("ADDRESS", "0.0.0.0:8000"), Some("0.0.0.0"));
    }
}

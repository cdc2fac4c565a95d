//! Request matches: the model's [`Match`] as an Istio `HTTPMatchRequest`,
//! and the conjunction of matches (AND), which fault routes (fault match AND
//! route match) and ingress routes (route match AND path prefix) need.

use super::types::{HttpMatch, StringMatch};
use crate::model::{self, Match};

/// Header names are written in lowercase, as Istio's API asks (HTTP header
/// names are case-insensitive, so the meaning is unchanged).
pub fn http_match(m: &Match) -> HttpMatch {
    HttpMatch {
        uri: m.uri.as_ref().map(string_match),
        method: m.method.clone().map(StringMatch::Exact),
        headers: m
            .headers
            .iter()
            .map(|(name, value)| (name.to_ascii_lowercase(), string_match(value)))
            .collect(),
        port: None,
    }
}

/// `alternatives AND extra`, as a list of alternatives (empty `alternatives`
/// means "every request"). An empty result means "none can be written".
pub fn conjunction(alternatives: &[HttpMatch], extra: &HttpMatch) -> Vec<HttpMatch> {
    if alternatives.is_empty() {
        return vec![extra.clone()];
    }
    alternatives.iter().filter_map(|m| both(m, extra)).collect()
}

fn string_match(s: &model::StringMatch) -> StringMatch {
    match s {
        model::StringMatch::Exact(v) => StringMatch::Exact(v.clone()),
        model::StringMatch::Prefix(v) => StringMatch::Prefix(v.clone()),
        model::StringMatch::Regex(v) => StringMatch::Regex(v.clone()),
    }
}

/// The match that holds exactly when both `a` and `b` hold. `None` when
/// one `HTTPMatchRequest` cannot say it: no request satisfies both (two
/// different exact values, prefixes that diverge, two ports), or one field
/// carries two different conditions of which one is a regex.
pub fn both(a: &HttpMatch, b: &HttpMatch) -> Option<HttpMatch> {
    let mut headers = a.headers.clone();
    for (name, value) in &b.headers {
        let merged = match headers.get(name) {
            Some(existing) => string_both(existing, value)?,
            None => value.clone(),
        };
        headers.insert(name.clone(), merged);
    }
    Some(HttpMatch {
        uri: option_both(&a.uri, &b.uri, string_both)?,
        method: option_both(&a.method, &b.method, string_both)?,
        headers,
        port: option_both(&a.port, &b.port, |x, y| (x == y).then_some(*x))?,
    })
}

/// `Some(None)`: neither side constrains the field; `None`: no conjunction.
fn option_both<T: Clone>(
    a: &Option<T>,
    b: &Option<T>,
    f: impl Fn(&T, &T) -> Option<T>,
) -> Option<Option<T>> {
    match (a, b) {
        (Some(x), Some(y)) => f(x, y).map(Some),
        (x, None) => Some(x.clone()),
        (None, y) => Some(y.clone()),
    }
}

fn string_both(a: &StringMatch, b: &StringMatch) -> Option<StringMatch> {
    use StringMatch::{Exact, Prefix};
    match (a, b) {
        _ if a == b => Some(a.clone()),
        (Exact(x), Prefix(p)) | (Prefix(p), Exact(x)) => {
            x.starts_with(p.as_str()).then(|| Exact(x.clone()))
        }
        (Prefix(p), Prefix(q)) if p.starts_with(q.as_str()) => Some(Prefix(p.clone())),
        (Prefix(p), Prefix(q)) if q.starts_with(p.as_str()) => Some(Prefix(q.clone())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use StringMatch::{Exact, Prefix, Regex};

    fn header(name: &str, value: StringMatch) -> HttpMatch {
        HttpMatch {
            headers: [(name.to_string(), value)].into_iter().collect(),
            ..HttpMatch::default()
        }
    }

    fn uri(value: StringMatch) -> HttpMatch {
        HttpMatch {
            uri: Some(value),
            ..HttpMatch::default()
        }
    }

    #[test]
    fn different_fields_combine() {
        let m = both(
            &header("end-user", Exact("jason".into())),
            &uri(Prefix("/api".into())),
        )
        .unwrap();
        assert_eq!(m.headers["end-user"], Exact("jason".into()));
        assert_eq!(m.uri, Some(Prefix("/api".into())));
    }

    #[test]
    fn same_field_keeps_the_narrower_condition() {
        let p = |s: &str| uri(Prefix(s.into()));
        assert_eq!(both(&p("/api"), &p("/api/v1")), Some(p("/api/v1")));
        assert_eq!(both(&p("/api/v1"), &p("/api")), Some(p("/api/v1")));
        assert_eq!(both(&p("/api"), &p("/static")), None);
        assert_eq!(
            both(&p("/api"), &uri(Exact("/api/x".into()))),
            Some(uri(Exact("/api/x".into())))
        );
        assert_eq!(both(&p("/api"), &uri(Exact("/x".into()))), None);
    }

    #[test]
    fn conflicting_or_regex_conditions_have_no_conjunction() {
        let jason = header("end-user", Exact("jason".into()));
        assert_eq!(both(&jason, &header("end-user", Exact("bob".into()))), None);
        assert_eq!(both(&jason, &jason), Some(jason.clone()));
        assert_eq!(
            both(&uri(Regex("/a.*".into())), &uri(Prefix("/a".into()))),
            None
        );
    }

    #[test]
    fn header_names_are_lowercase() {
        let m = http_match(&Match {
            headers: vec![("End-User".into(), model::StringMatch::Exact("Jason".into()))],
            ..Match::default()
        });
        assert_eq!(m.headers["end-user"], Exact("Jason".into()));
    }

    #[test]
    fn empty_match_is_neutral() {
        let jason = header("end-user", Exact("jason".into()));
        assert_eq!(both(&HttpMatch::default(), &jason), Some(jason.clone()));
        assert_eq!(both(&jason, &HttpMatch::default()), Some(jason));
    }
}

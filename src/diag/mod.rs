//! Diagnostics as data: a code, a severity, a message, labelled spans and a
//! help sentence. Rendering lives in [`render`], one small module per format.

pub mod codes;
pub mod render;

pub use codes::Code;

use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// The offending token; always present so every report has a line and column.
    pub primary: Label,
    pub secondary: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.rule().severity,
            message: message.into(),
            primary: Label {
                span,
                message: String::new(),
            },
            secondary: Vec::new(),
            help: None,
        }
    }

    /// Text on the primary label.
    pub fn label(mut self, message: impl Into<String>) -> Self {
        self.primary.message = message.into();
        self
    }

    pub fn also(mut self, span: Span, message: impl Into<String>) -> Self {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// "Did you mean" over lists that grow with the description (every service,
/// every port of a service), within a budget. Each lookup compares `name`
/// with every candidate, so thousands of misspelt names among thousands of
/// services would be quadratic (10,000 of each took 15 s). The budget counts
/// character pairs compared; once it is spent, lookups find nothing and the
/// diagnostics keep their generic help. Lookups happen in file order, so
/// which ones get a suggestion is the same on every run.
pub struct Suggestions {
    left: usize,
}

impl Default for Suggestions {
    fn default() -> Suggestions {
        Suggestions::with_budget(Suggestions::BUDGET)
    }
}

impl Suggestions {
    /// About 2 million comparisons of 10-character names: hundreds of
    /// lookups among 10,000 services, a fraction of a second.
    pub const BUDGET: usize = 200_000_000;

    pub fn with_budget(pairs: usize) -> Suggestions {
        Suggestions { left: pairs }
    }

    /// [`did_you_mean`], or `None` once the budget is spent.
    pub fn did_you_mean<'a>(
        &mut self,
        name: &str,
        candidates: impl IntoIterator<Item = &'a str>,
    ) -> Option<&'a str> {
        let mut fits = true;
        let within = candidates.into_iter().take_while(|c| {
            let cost = name.len().max(1).saturating_mul(c.len().max(1));
            fits = cost <= self.left;
            self.left = self.left.saturating_sub(cost);
            fits
        });
        let best = did_you_mean(name, within);
        // A lookup cut short is no lookup: a partial best could differ from
        // the real one.
        if fits { best } else { None }
    }
}

/// The closest of `candidates` to `name`, when it is close enough to be a
/// plausible typo.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Sorts diagnostics into file order so every renderer prints them the same way.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (a.primary.span.start, a.code.as_str(), &a.message).cmp(&(
            b.primary.span.start,
            b.code.as_str(),
            &b.message,
        ))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_stop_when_the_budget_is_spent() {
        let names = ["reviews", "ratings", "details"];
        // "reviwes" against three 7-letter names: 3 × 49 pairs.
        let mut s = Suggestions::with_budget(2 * 3 * 49);
        assert_eq!(s.did_you_mean("reviwes", names), Some("reviews"));
        assert_eq!(s.did_you_mean("ratigns", names), Some("ratings"));
        assert_eq!(s.did_you_mean("detials", names), None, "spent");
        let mut s = Suggestions::with_budget(3 * 49 - 1);
        assert_eq!(
            s.did_you_mean("details", names),
            None,
            "cut short: the last candidate was never compared"
        );
    }

    #[test]
    fn suggests_close_names_only() {
        let names = ["replicas", "resources", "ports"];
        assert_eq!(did_you_mean("replica", names), Some("replicas"));
        assert_eq!(did_you_mean("paymnt", ["payment", "cart"]), Some("payment"));
        assert_eq!(did_you_mean("zzz", names), None);
    }
}

//! Load errors that say where and what: `file:line:col`, what was found, what was expected, with
//! the source snippet rendered by miette.

use std::ops::Range;
use std::sync::Arc;

use miette::{Diagnostic, NamedSource, SourceSpan};

/// The most errors listed for one file; the rest are counted (a file with a million bad
/// references would otherwise print a million snippets).
pub const MAX_ERRORS: usize = 100;

/// Source lines longer than this are not shown under an error (the location still is): a
/// one-line file of megabytes would otherwise be printed whole for each error.
const MAX_SNIPPET_LINE: usize = 400;

/// One problem in a scenario or divergence file.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[non_exhaustive]
#[error("{location}: {message}")]
pub struct LoadError {
    /// `file:line:col` of the problem (1-based).
    pub location: String,
    pub message: String,
    /// What the file should have had there.
    #[help]
    pub expected: Option<String>,
    #[source_code]
    src: NamedSource<Arc<String>>,
    #[label("here")]
    span: Option<SourceSpan>,
}

impl LoadError {
    pub fn new(origin: &str, src: &Arc<String>, span: Range<usize>, message: String, expected: String) -> Self {
        let (line, col) = line_col(src, span.start);
        let len = span.end.saturating_sub(span.start).max(1).min(src.len().saturating_sub(span.start));
        let expected = (!expected.is_empty()).then(|| format!("expected {expected}"));
        let location = format!("{origin}:{line}:{col}");
        if widest_shown_line(src, span.start, span.end) > MAX_SNIPPET_LINE {
            let src = NamedSource::new(origin, Arc::new(String::new()));
            return LoadError { location, message, expected, src, span: None };
        }
        LoadError {
            location,
            message,
            expected,
            src: NamedSource::new(origin, src.clone()),
            span: Some(SourceSpan::new(span.start.min(src.len()).into(), len)),
        }
    }

    /// An error about the file as a whole (unreadable, not text).
    pub fn whole(origin: &str, message: String) -> Self {
        LoadError {
            location: origin.to_string(),
            message,
            expected: None,
            src: NamedSource::new(origin, Arc::new(String::new())),
            span: None,
        }
    }
}

/// Every problem found in one file.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[non_exhaustive]
#[error("{origin}: {} error{}", errors.len(), if errors.len() == 1 { "" } else { "s" })]
pub struct LoadErrors {
    pub origin: String,
    #[related]
    pub errors: Vec<LoadError>,
}

impl LoadErrors {
    pub fn new(origin: &str, errors: Vec<LoadError>) -> Self {
        let errors = if errors.is_empty() {
            vec![LoadError::whole(origin, "the scenario could not be compiled".into())]
        } else {
            errors
        };
        LoadErrors { origin: origin.to_string(), errors }
    }

    pub fn io(origin: &str, e: &std::io::Error) -> Self {
        Self::new(origin, vec![LoadError::whole(origin, format!("cannot read the file: {e}"))])
    }

    pub fn not_text(origin: &str) -> Self {
        Self::new(origin, vec![LoadError::whole(origin, "the file is not UTF-8 text; expected a TOML file".into())])
    }

    /// A TOML syntax or shape error (missing key, wrong type, unknown key).
    pub fn syntax(origin: &str, src: &Arc<String>, e: &toml::de::Error) -> Self {
        Self::syntax_in(origin, src, e, "docs/scenario-format.md")
    }

    /// [`LoadErrors::syntax`] for a file whose format `doc` describes.
    pub fn syntax_in(origin: &str, src: &Arc<String>, e: &toml::de::Error, doc: &str) -> Self {
        let span = e.span().unwrap_or(0..0);
        let message = e.message().trim().to_string();
        let expected = if message.contains("missing field") {
            format!("the missing key (see {doc})")
        } else if message.contains("unknown field") {
            format!("only the keys listed in {doc}")
        } else {
            format!("valid TOML in the shape of {doc}")
        };
        Self::new(origin, vec![LoadError::new(origin, src, span, message, expected)])
    }

    /// One line per error, `file:line:col: message (expected …)`, for plain-text output.
    pub fn lines(&self) -> Vec<String> {
        self.errors
            .iter()
            .map(|e| match &e.expected {
                Some(x) => format!("{}: {} ({x})", e.location, e.message),
                None => format!("{}: {}", e.location, e.message),
            })
            .collect()
    }
}

/// The longest line miette would echo for a span: its own lines and one line of context on each
/// side, in bytes.
fn widest_shown_line(src: &str, start: usize, end: usize) -> usize {
    let b = src.as_bytes();
    let (start, end) = (start.min(b.len()), end.clamp(start.min(b.len()), b.len()));
    // Back to the start of the line before, forward to the end of the line after.
    let mut from = b[..start].iter().rposition(|&c| c == b'\n').unwrap_or(0);
    from = b[..from].iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1);
    let mut to = b[end..].iter().position(|&c| c == b'\n').map_or(b.len(), |i| end + i);
    to = b.get(to + 1..).and_then(|rest| rest.iter().position(|&c| c == b'\n')).map_or(b.len(), |i| to + 1 + i);
    b[from..to].split(|&c| c == b'\n').map(<[u8]>::len).max().unwrap_or(0)
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = src.get(..offset).unwrap_or(src);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_lines_include_one_of_context_each_side() {
        let long = "x".repeat(500);
        assert_eq!(widest_shown_line("a\nbb\nccc\ndddd", 3, 4), 3);
        assert_eq!(widest_shown_line(&format!("a\nb\n{long}"), 2, 3), 500);
        assert_eq!(widest_shown_line(&format!("{long}\nb\nc"), 503, 504), 1);
        assert_eq!(widest_shown_line("", 0, 0), 0);
    }

    #[test]
    fn line_and_column_are_one_based() {
        assert_eq!(line_col("abc\ndef", 0), (1, 1));
        assert_eq!(line_col("abc\ndef", 5), (2, 2));
        assert_eq!(line_col("abc", 99), (1, 4));
    }
}

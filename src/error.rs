//! Grove's error type: every failure names the file (and line, where there is
//! one) and, where it helps, says what to do next.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// A shorthand for results whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Where in the user's files an error was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file, as an absolute path or relative to the working directory.
    pub path: PathBuf,
    /// 1-based line number, if known.
    pub line: Option<usize>,
    /// 1-based column, if known.
    pub column: Option<usize>,
}

impl Location {
    /// A location that names only a file.
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Location {
            path: path.into(),
            line: None,
            column: None,
        }
    }

    /// A location that names a file and a line.
    pub fn line(path: impl Into<PathBuf>, line: usize) -> Self {
        Location {
            path: path.into(),
            line: Some(line),
            column: None,
        }
    }

    /// Adds a column to this location.
    pub fn with_column(mut self, column: usize) -> Self {
        self.column = Some(column);
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", display_path(&self.path).display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        Ok(())
    }
}

/// Shortens `path` to be relative to the working directory when it lies below
/// it, so messages read like a compiler's (`sites/x/content/a.md:3`).
pub fn display_path(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| path.to_path_buf())
}

/// Everything that can go wrong while loading or building a network.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or folder could not be read or written.
    #[error("{}: {action}: {source}", display_path(.path).display())]
    Io {
        /// The file or folder involved.
        path: PathBuf,
        /// What Grove was doing, e.g. "cannot read file".
        action: &'static str,
        /// The operating system's error.
        source: io::Error,
    },

    /// A configuration file (`grove.toml`, `site.toml`) is malformed or invalid.
    #[error("{location}: {message}")]
    Config {
        /// Where the problem is.
        location: Location,
        /// What is wrong and how to fix it.
        message: String,
    },

    /// A content file's front matter is malformed or invalid.
    #[error("{location}: invalid front matter: {message}")]
    FrontMatter {
        /// Where the problem is.
        location: Location,
        /// What is wrong and how to fix it.
        message: String,
    },

    /// A content file could not be processed (Tera expansion, duplicate URL, ...).
    #[error("{location}: {message}")]
    Content {
        /// Where the problem is.
        location: Location,
        /// What is wrong and how to fix it.
        message: String,
    },

    /// An `@/path.md` link points at a file that does not exist or is a draft,
    /// or an `aff:slug` link at a slug the registry lacks.
    #[error("{location}: broken link `{link}`: {reason}")]
    BrokenLink {
        /// The file and line holding the link.
        location: Location,
        /// The link as written.
        link: String,
        /// Why it does not resolve.
        reason: String,
    },

    /// A theme template failed to parse or render.
    #[error("{location}: template error: {message}")]
    Template {
        /// The template file (or the content file being rendered).
        location: Location,
        /// Tera's explanation, flattened into one message.
        message: String,
    },

    /// The output folder cannot be written as asked: it holds sources, or a
    /// folder Grove did not write, or a commit failed.
    #[error("{}: {message}", display_path(.path).display())]
    Output {
        /// The folder involved.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },

    /// The command line asked for something that does not exist or make sense.
    #[error("{0}")]
    Usage(String),

    /// Several independent errors, reported together in a stable order.
    #[error("{}", format_many(.0))]
    Many(Vec<Error>),
}

fn format_many(errors: &[Error]) -> String {
    let mut text = String::new();
    for (i, error) in errors.iter().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        text.push_str(&error.to_string());
    }
    text
}

impl Error {
    /// An I/O error on `path` while doing `action`.
    pub fn io(path: impl Into<PathBuf>, action: &'static str, source: io::Error) -> Self {
        Error::Io {
            path: path.into(),
            action,
            source,
        }
    }

    /// Collapses a list of errors into one: `None` when the list is empty,
    /// the error itself when there is one, [`Error::Many`] otherwise.
    pub fn collect(mut errors: Vec<Error>) -> Option<Error> {
        match errors.len() {
            0 => None,
            1 => errors.pop(),
            _ => Some(Error::Many(errors)),
        }
    }
}

/// Runs `results` to completion and returns the values, or every error found
/// (in input order, so messages are deterministic under parallelism).
pub fn collect_all<T>(results: impl IntoIterator<Item = Result<T>>) -> Result<Vec<T>> {
    let results = results.into_iter();
    let mut values = Vec::with_capacity(results.size_hint().0);
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(value) => values.push(value),
            Err(Error::Many(many)) => errors.extend(many),
            Err(error) => errors.push(error),
        }
    }
    match Error::collect(errors) {
        Some(error) => Err(error),
        None => Ok(values),
    }
}

/// 1-based line and column of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(offset, |nl| offset - nl - 1) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let text = "a = 1\nb = 2\nc";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        assert_eq!(line_col(text, 8), (2, 3));
        assert_eq!(line_col(text, 12), (3, 1));
    }

    #[test]
    fn location_display_has_line_and_column() {
        let loc = Location::line("/nowhere/a.md", 3).with_column(7);
        assert_eq!(loc.to_string(), "/nowhere/a.md:3:7");
    }

    #[test]
    fn collect_all_keeps_every_error_in_order() {
        let results = vec![
            Ok(1),
            Err(Error::Usage("first".into())),
            Ok(2),
            Err(Error::Usage("second".into())),
        ];
        let err = collect_all(results).unwrap_err();
        assert!(matches!(&err, Error::Many(errors) if errors.len() == 2));
        assert_eq!(err.to_string(), "first\nsecond");
    }
}

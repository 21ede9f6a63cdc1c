//! Tera helpers shared by theme rendering and content expansion.

mod recursion;

use std::collections::HashMap;
use std::path::Path;

use tera::{Tera, Value};

use crate::error::{Error, Location};

pub use recursion::{instrument, render, render_to};

/// A Tera instance for expanding Markdown content: no HTML autoescaping
/// (the result is Markdown), and no `get_env`, so content (including drafted
/// content) can never read secrets from the environment.
pub fn content_tera() -> Tera {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![]);
    disable_get_env(&mut tera);
    tera
}

/// Expands Tera syntax in one string with `context` (content rules: no
/// autoescaping, no `get_env`); strings without Tera syntax come back as is.
pub fn expand_str(name: &str, text: &str, context: &tera::Context) -> tera::Result<String> {
    if !(text.contains("{{") || text.contains("{%")) {
        return Ok(text.to_string());
    }
    let mut tera = content_tera();
    tera.add_raw_template(name, text)?;
    instrument(&mut tera);
    render(&tera, name, context)
}

/// A Tera instance for theme templates: HTML autoescaping that keeps URLs
/// readable, and no `get_env`.
pub fn theme_tera() -> Tera {
    let mut tera = Tera::default();
    tera.set_escape_fn(crate::html_escape::escape_html);
    disable_get_env(&mut tera);
    tera
}

/// Replaces Tera's built-in `get_env` with one that refuses: secrets stay in
/// the environment, never in output.
fn disable_get_env(tera: &mut Tera) {
    tera.register_function("get_env", |_: &HashMap<String, Value>| {
        Err(tera::Error::msg(
            "get_env is disabled in Grove: environment variables may hold secrets; put the value in site.toml [vars]",
        ))
    });
}

/// Turns a Tera error into a located [`Error::Template`] for `path`. Parse
/// errors carry a line and column, which are kept.
pub fn template_error(path: &Path, err: &tera::Error) -> Error {
    let mut parts = Vec::new();
    let mut position = None;
    let mut source: Option<&dyn std::error::Error> = Some(err);
    while let Some(e) = source {
        let text = e.to_string();
        if let Some(found) = pest_position(&text) {
            position = Some(found);
            let expected = text
                .lines()
                .find_map(|l| l.trim_start().strip_prefix("= "))
                .unwrap_or("syntax error");
            parts.push(expected.to_string());
        } else if !text.starts_with("Failed to parse") && !recursion::is_guard_failure(&text) {
            parts.push(text);
        }
        source = e.source();
    }
    let mut location = Location::file(path);
    if let Some((line, column)) = position {
        location = Location::line(path, line).with_column(column);
    }
    Error::Template {
        location,
        message: parts.join(": "),
    }
}

/// Finds `--> line:col` in a pest error message.
fn pest_position(text: &str) -> Option<(usize, usize)> {
    let rest = &text[text.find("--> ")? + 4..];
    let end = rest.find(|c: char| !c.is_ascii_digit() && c != ':')?;
    let (line, column) = rest[..end].split_once(':')?;
    Some((line.parse().ok()?, column.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_keep_line_and_column() {
        let mut tera = Tera::default();
        let err = tera
            .add_raw_template("t.html", "ok\n\n{{ site.title | }}\n")
            .unwrap_err();
        let located = template_error(Path::new("t.html"), &err);
        let text = located.to_string();
        assert!(text.starts_with("t.html:3:"), "{text}");
    }

    #[test]
    fn content_cannot_read_the_environment() {
        let mut tera = content_tera();
        tera.add_raw_template("c.md", "{{ get_env(name=\"HOME\") }}")
            .unwrap();
        let err = tera.render("c.md", &tera::Context::new()).unwrap_err();
        let text = template_error(Path::new("c.md"), &err).to_string();
        assert!(text.contains("get_env is disabled"), "{text}");
    }
}

//! Prompt files: `prompts/<name>.md`, Tera templates holding the messages
//! sent to the model.
//!
//! A prompt file is split into parts by marker lines:
//!
//! ```text
//! --- system ---
//! You write for {{ site.title }} ...
//! --- outline ---          (optional: makes drafting two steps)
//! Outline an article titled "{{ brief.title }}" ...
//! --- user ---
//! Write the article "{{ brief.title }}" ... {{ outline }}
//! ```
//!
//! With an `outline` part (and `outline = true` on the brief), Grove first
//! sends system + outline, then system + user with the answer as `outline`.

use std::path::{Path, PathBuf};

use tera::{Context, Tera};

use crate::error::{Error, Location, Result};
use crate::templating::{self, content_tera, template_error};

/// The folder holding prompt files, at the network root.
pub const PROMPTS_DIR: &str = "prompts";

const PARTS: [&str; 3] = ["system", "outline", "user"];

/// A parsed prompt file.
pub struct PromptFile {
    /// The file it came from.
    pub path: PathBuf,
    tera: Tera,
    has_outline: bool,
}

impl PromptFile {
    /// Loads `prompts/<name>.md` below `root`.
    pub fn load(root: &Path, name: &str, used_by: &Location) -> Result<PromptFile> {
        let path = root.join(PROMPTS_DIR).join(format!("{name}.md"));
        if name.contains('/') || name.contains('\\') || !path.is_file() {
            return Err(Error::Content {
                location: used_by.clone(),
                message: format!(
                    "prompt `{name}` not found: create {} (text, then parts `--- system ---` and `--- user ---`, each a Tera template; `grove new` writes examples in prompts/)",
                    crate::error::display_path(&path).display()
                ),
            });
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|source| Error::io(&path, "cannot read file", source))?;
        PromptFile::parse(path, &text)
    }

    /// Parses prompt `text`, which came from `path` (named in errors).
    pub fn parse(path: PathBuf, text: &str) -> Result<PromptFile> {
        let parts = split_parts(&path, text)?;
        let mut tera = content_tera();
        let mut has_outline = false;
        for (name, body) in &parts {
            has_outline |= *name == "outline";
            tera.add_raw_template(name, body)
                .map_err(|e| template_error(&path, &e))?;
        }
        templating::instrument(&mut tera);
        for required in ["system", "user"] {
            if !parts.iter().any(|(n, _)| *n == required) {
                return Err(Error::Content {
                    location: Location::file(&path),
                    message: format!("missing the `--- {required} ---` part"),
                });
            }
        }
        Ok(PromptFile {
            path,
            tera,
            has_outline,
        })
    }

    /// Whether the file has an outline part.
    pub fn has_outline(&self) -> bool {
        self.has_outline
    }

    /// Renders one part (`system`, `outline` or `user`) with `context`.
    pub fn render(&self, part: &str, context: &Context) -> Result<String> {
        templating::render(&self.tera, part, context)
            .map(|text| text.trim().to_string())
            .map_err(|e| {
                let mut error = template_error(&self.path, &e);
                if let Error::Template { message, .. } = &mut error {
                    *message = format!("in the `{part}` part: {message}");
                }
                error
            })
    }
}

/// Splits a prompt file at its `--- part ---` lines. Text before the first
/// marker is a comment for the prompt's author and is not sent.
fn split_parts<'a>(path: &Path, text: &'a str) -> Result<Vec<(&'static str, &'a str)>> {
    let mut parts: Vec<(&'static str, &'a str)> = Vec::new();
    let mut current: Option<(&'static str, usize)> = None;
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let trimmed = line.trim();
        let marker = trimmed
            .strip_prefix("---")
            .and_then(|rest| rest.strip_suffix("---"))
            .map(str::trim)
            .filter(|name| !name.is_empty());
        if let Some(name) = marker {
            let Some(&part) = PARTS.iter().find(|p| **p == name) else {
                return Err(Error::Content {
                    location: Location::line(path, index + 1),
                    message: format!("unknown prompt part `{name}`; use system, outline or user"),
                });
            };
            if parts.iter().any(|(p, _)| *p == part) || current.is_some_and(|(p, _)| p == part) {
                return Err(Error::Content {
                    location: Location::line(path, index + 1),
                    message: format!("the `{part}` part appears twice"),
                });
            }
            if let Some((name, start)) = current.take() {
                parts.push((name, &text[start..offset]));
            }
            current = Some((part, offset + line.len()));
        }
        offset += line.len();
    }
    if let Some((name, start)) = current {
        parts.push((name, &text[start..]));
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_marked_parts() {
        let text = "Notes for authors.\n--- system ---\nBe brief.\n--- user ---\nWrite {{ x }}.\n";
        let parts = split_parts(Path::new("p.md"), text).unwrap();
        assert_eq!(
            parts,
            vec![("system", "Be brief.\n"), ("user", "Write {{ x }}.\n")]
        );
    }

    #[test]
    fn unknown_or_repeated_parts_are_errors() {
        let err = split_parts(Path::new("p.md"), "--- system ---\n--- sytem ---\n").unwrap_err();
        assert!(err.to_string().starts_with("p.md:2:"), "{err}");
        assert!(split_parts(Path::new("p.md"), "--- user ---\n--- user ---\n").is_err());
    }
}

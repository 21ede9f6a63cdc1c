//! Editing a `briefs.toml` as text, so that what a person wrote there
//! (comments, order, formatting) stays as it was: new briefs are appended
//! (`grove research`, `grove replicate`), accepting a proposed one removes
//! its `status` line, rejecting one removes its `[[brief]]` block.

use std::path::Path;

use super::brief::PROPOSED;
use crate::error::{Error, Location, Result};
use crate::output::write_atomic;

/// One `[[brief]]` block of a file: its lines, and what it says.
struct Block {
    /// First line (the `[[brief]]` header), 0-based.
    start: usize,
    /// One past the last line.
    end: usize,
    slug: Option<String>,
    proposed: bool,
    /// The line holding `status = "proposed"`, 0-based.
    status_line: Option<usize>,
}

/// A quoted TOML string.
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// One `[[brief]]` block, written key by key.
pub struct BriefText {
    text: String,
}

impl BriefText {
    /// A block starting with its header.
    pub fn new() -> BriefText {
        BriefText {
            text: "\n[[brief]]\n".into(),
        }
    }

    /// `key = "value"`.
    pub fn string(mut self, key: &str, value: &str) -> BriefText {
        self.text.push_str(&format!("{key} = {}\n", quoted(value)));
        self
    }

    /// `key = "value"` when there is a value.
    pub fn optional(self, key: &str, value: Option<&str>) -> BriefText {
        match value {
            Some(value) => self.string(key, value),
            None => self,
        }
    }

    /// `key = N`.
    pub fn number(mut self, key: &str, value: u32) -> BriefText {
        self.text.push_str(&format!("{key} = {value}\n"));
        self
    }

    /// `key = ["a", "b"]`, left out when empty.
    pub fn list(mut self, key: &str, values: &[String]) -> BriefText {
        if !values.is_empty() {
            let quoted: Vec<String> = values.iter().map(|v| quoted(v)).collect();
            self.text
                .push_str(&format!("{key} = [{}]\n", quoted.join(", ")));
        }
        self
    }

    /// The block's text.
    pub fn finish(self) -> String {
        self.text
    }
}

impl Default for BriefText {
    fn default() -> Self {
        BriefText::new()
    }
}

/// Appends `addition` to the briefs file at `path` (created if missing),
/// after checking that the result still parses.
pub fn append(path: &Path, addition: &str) -> Result<()> {
    let mut text = read(path)?;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(addition);
    if let Err(error) = text.parse::<toml::Table>() {
        return Err(Error::Content {
            location: Location::file(path),
            message: format!(
                "adding the proposals would leave the file unreadable ({}); fix the file and run again",
                error.message()
            ),
        });
    }
    write_atomic(path, text.as_bytes())
}

fn read(path: &Path) -> Result<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(source) => Err(Error::io(path, "cannot read file", source)),
    }
}

/// The slugs of the proposed briefs in the file at `path`.
pub fn proposed_slugs(path: &Path) -> Result<Vec<String>> {
    let text = read(path)?;
    Ok(blocks(path, &text)?
        .into_iter()
        .filter(|b| b.proposed)
        .filter_map(|b| b.slug)
        .collect())
}

/// What to do with a proposed brief.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Remove its `status` line: `grove draft` drafts it.
    Accept,
    /// Remove its block.
    Reject,
}

/// Applies `decision` to the proposed briefs `slugs` of the file at
/// `path`; returns the slugs it found there.
pub fn decide(path: &Path, slugs: &[String], decision: Decision) -> Result<Vec<String>> {
    let text = read(path)?;
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut drop = vec![false; lines.len()];
    let mut done = Vec::new();
    for block in blocks(path, &text)? {
        let Some(slug) = block.slug.filter(|s| block.proposed && slugs.contains(s)) else {
            continue;
        };
        match decision {
            Decision::Accept => {
                if let Some(line) = block.status_line {
                    drop[line] = true;
                }
            }
            Decision::Reject => drop[block.start..block.end].fill(true),
        }
        done.push(slug);
    }
    if done.is_empty() {
        return Ok(done);
    }
    let kept: String = lines
        .iter()
        .zip(&drop)
        .filter(|(_, dropped)| !**dropped)
        .map(|(line, _)| *line)
        .collect();
    write_atomic(path, kept.as_bytes())?;
    Ok(done)
}

/// The `[[brief]]` blocks of `text`. A block runs from its header to the
/// next table header; blank and comment lines right before the next block
/// belong to that one.
fn blocks(path: &Path, text: &str) -> Result<Vec<Block>> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let headers: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with('['))
        .map(|(i, _)| i)
        .collect();
    let mut blocks = Vec::new();
    for (n, &start) in headers.iter().enumerate() {
        if lines[start].trim() != "[[brief]]" {
            continue;
        }
        let mut end = headers.get(n + 1).copied().unwrap_or(lines.len());
        while end > start + 1 && {
            let line = lines[end - 1].trim();
            line.is_empty() || line.starts_with('#')
        } {
            end -= 1;
        }
        let body: String = lines[start + 1..end].concat();
        let table: toml::Table = body.parse().map_err(|e: toml::de::Error| Error::Content {
            location: Location::line(path, start + 1),
            message: format!("this brief does not parse: {}", e.message()),
        })?;
        let status_line = (start + 1..end).find(|&i| {
            let line = lines[i].trim();
            line.starts_with("status")
                && line
                    .split_once('=')
                    .is_some_and(|(key, value)| key.trim() == "status" && value.contains(PROPOSED))
        });
        blocks.push(Block {
            start,
            end,
            slug: table
                .get("slug")
                .and_then(|v| v.as_str())
                .map(str::to_string),
            proposed: table.get("status").and_then(|v| v.as_str()) == Some(PROPOSED),
            status_line,
        });
    }
    Ok(blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proposed(slug: &str) -> String {
        BriefText::new()
            .string("slug", slug)
            .string("title", &format!("Title \"{slug}\""))
            .string("kind", "guide")
            .string("status", PROPOSED)
            .number("target_words", 900)
            .list("keywords", &["k1".into(), "k2".into()])
            .list("tags", &[])
            .optional("description", Some("Why."))
            .finish()
    }

    #[test]
    fn proposals_are_appended_then_accepted_or_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("briefs.toml");
        let mine = "# My briefs.\n[[brief]]\nslug = \"mine\"\ntitle = \"Mine\"\nkind = \"guide\"\n";
        std::fs::write(&path, mine).unwrap();
        append(
            &path,
            &format!("\n# Proposed.\n{}{}", proposed("a"), proposed("b")),
        )
        .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with(mine));
        let table: toml::Table = text.parse().unwrap();
        let briefs = table["brief"].as_array().unwrap();
        assert_eq!(briefs.len(), 3);
        assert_eq!(briefs[1]["title"].as_str(), Some("Title \"a\""));
        assert_eq!(briefs[1]["status"].as_str(), Some("proposed"));
        assert_eq!(proposed_slugs(&path).unwrap(), ["a", "b"]);

        let done = decide(&path, &["a".into(), "zz".into()], Decision::Accept).unwrap();
        assert_eq!(done, ["a"]);
        assert_eq!(proposed_slugs(&path).unwrap(), ["b"]);
        let done = decide(&path, &["b".into()], Decision::Reject).unwrap();
        assert_eq!(done, ["b"]);
        let text = std::fs::read_to_string(&path).unwrap();
        let table: toml::Table = text.parse().unwrap();
        let slugs: Vec<&str> = table["brief"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["slug"].as_str().unwrap())
            .collect();
        assert_eq!(slugs, ["mine", "a"]);
        assert!(text.starts_with(mine));
        assert!(!text.contains("status ="));
        // Nothing to do: the file is left as it is.
        assert!(
            decide(&path, &["mine".into()], Decision::Reject)
                .unwrap()
                .is_empty()
        );
    }
}

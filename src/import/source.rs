//! Reading a Hugo or Zola site's files: the folder walk and content files
//! with front matter in TOML, YAML or JSON.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use walkdir::WalkDir;

use crate::content::front_matter::{self, Format};
use crate::error::{Error, Location, Result};

/// A content file split into front matter fields and body.
pub struct SourcePage {
    /// The front matter as a map (empty without one).
    pub front: Map<String, Value>,
    /// The Markdown body.
    pub body: String,
}

/// Reads `path` as a content file: `+++` TOML, `---` YAML or `{ }` JSON
/// front matter, then the body.
pub fn read_page(path: &Path) -> Result<SourcePage> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| Error::io(path, "cannot read file", source))?;
    parse_page(path, &text)
}

/// Splits `text`, the content of file `path`, as [`read_page`] does.
pub fn parse_page(path: &Path, text: &str) -> Result<SourcePage> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with('{') {
        return read_json_page(path, text);
    }
    let split = front_matter::split(path, text)?;
    let front = match split.format {
        Format::None => Map::new(),
        _ => front_matter::parse_fields(path, &split)?.into_map(),
    };
    Ok(SourcePage {
        front,
        body: split.body.to_string(),
    })
}

/// Hugo's JSON front matter: a JSON object at the top of the file.
fn read_json_page(path: &Path, text: &str) -> Result<SourcePage> {
    let start = text.len() - text.trim_start().len();
    let mut stream = serde_json::Deserializer::from_str(&text[start..]).into_iter::<Value>();
    match stream.next() {
        Some(Ok(Value::Object(front))) => {
            let end = start + stream.byte_offset();
            Ok(SourcePage {
                front,
                body: text[end..].trim_start_matches(['\r', '\n']).to_string(),
            })
        }
        Some(Err(error)) => Err(Error::FrontMatter {
            location: Location::line(path, error.line()).with_column(error.column()),
            message: format!("JSON front matter: {error}"),
        }),
        _ => Err(Error::FrontMatter {
            location: Location::line(path, 1),
            message: "JSON front matter must be an object".into(),
        }),
    }
}

/// Files below `dir`, as (path relative to `dir` with `/`, full path),
/// sorted; hidden files and folders (`.git`, `.DS_Store`) are skipped.
pub fn files_below(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut files = Vec::new();
    let walk = WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walk {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(dir).to_path_buf();
            Error::io(&path, "cannot read folder", e.into())
        })?;
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .unwrap_or(entry.path())
                .to_string_lossy()
                .replace('\\', "/");
            files.push((rel, entry.path().to_path_buf()));
        }
    }
    Ok(files)
}

/// Reads a configuration file (TOML, YAML or JSON by extension) as JSON.
pub fn read_config(path: &Path) -> Result<Map<String, Value>> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| Error::io(path, "cannot read file", source))?;
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("toml");
    let error = |line: usize, message: String| Error::Config {
        location: Location::line(path, line),
        message,
    };
    let value = match ext {
        "json" => {
            serde_json::from_str::<Value>(&text).map_err(|e| error(e.line(), e.to_string()))?
        }
        "yaml" | "yml" => {
            let yaml: serde_norway::Value = serde_norway::from_str(&text)
                .map_err(|e| error(e.location().map_or(1, |l| l.line()), e.to_string()))?;
            serde_json::to_value(yaml).map_err(|e| error(1, e.to_string()))?
        }
        _ => {
            let table: toml::Table = toml::from_str(&text).map_err(|e| {
                let line = e
                    .span()
                    .map_or(1, |s| text[..s.start].matches('\n').count() + 1);
                error(line, e.message().to_string())
            })?;
            front_matter::toml_to_json(toml::Value::Table(table))
        }
    };
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(error(
            1,
            "the configuration must be a table of settings".into(),
        )),
    }
}

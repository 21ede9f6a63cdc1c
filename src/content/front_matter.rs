//! Front matter: the TOML (`+++`) or YAML (`---`) block at the top of a
//! content file, read into typed page and section metadata.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value};

use super::date::Date;
use crate::error::{Error, Location, Result, line_col};

/// A content file split into its front matter and Markdown body.
#[derive(Debug, Clone, Copy)]
pub struct Split<'a> {
    /// The front matter text, without its delimiters.
    pub front_matter: &'a str,
    /// Which syntax the front matter uses.
    pub format: Format,
    /// 1-based line of the first front matter line in the file.
    pub front_matter_line: usize,
    /// The Markdown body.
    pub body: &'a str,
    /// 1-based line of the body's first line in the file.
    pub body_line: usize,
}

/// Front matter syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `+++` delimiters.
    Toml,
    /// `---` delimiters.
    Yaml,
    /// No front matter at all.
    None,
}

/// Splits `text` into front matter and body. A file without a leading `+++`
/// or `---` line has empty front matter. Blank lines (and spaces) before the
/// opening fence are skipped, as Zola and Hugo do: otherwise the front matter
/// would be published as body text, `draft = true` included.
pub fn split<'a>(path: &Path, text: &'a str) -> Result<Split<'a>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (fence_start, fence_line) = first_non_blank_line(text);
    let first_line_end = text[fence_start..]
        .find('\n')
        .map_or(text.len(), |i| fence_start + i + 1);
    let first_line = text[fence_start..first_line_end].trim();
    let (delimiter, format) = match first_line {
        "+++" => ("+++", Format::Toml),
        "---" => ("---", Format::Yaml),
        _ => {
            return Ok(Split {
                front_matter: "",
                format: Format::None,
                front_matter_line: 1,
                body: text,
                body_line: 1,
            });
        }
    };
    let rest = &text[first_line_end..];
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == delimiter {
            let front_matter = &rest[..offset];
            let body = &rest[offset + line.len()..];
            let front_matter_line = fence_line + 1;
            let body_line = front_matter_line + front_matter.matches('\n').count() + 1;
            return Ok(Split {
                front_matter,
                format,
                front_matter_line,
                body,
                body_line,
            });
        }
        offset += line.len();
    }
    Err(Error::FrontMatter {
        location: Location::line(path, fence_line),
        message: format!(
            "the front matter opened with `{delimiter}` is never closed; add a line holding only `{delimiter}` after it"
        ),
    })
}

/// Where the body of `text` starts (after its front matter), in bytes; 0
/// when it has none or it is not closed.
pub fn body_offset(text: &str) -> usize {
    match split(Path::new(""), text) {
        Ok(split) => split.body.as_ptr() as usize - text.as_ptr() as usize,
        Err(_) => 0,
    }
}

/// The byte offset and 1-based line number of the first line of `text`
/// holding something other than whitespace (or the end of `text`).
fn first_non_blank_line(text: &str) -> (usize, usize) {
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        if !line.trim().is_empty() {
            return (offset, index + 1);
        }
        offset += line.len();
    }
    (0, 1)
}

/// Parses the front matter of `split` into a map of fields.
pub fn parse_fields<'a>(path: &'a Path, split: &Split<'a>) -> Result<Fields<'a>> {
    let mut duplicates = Vec::new();
    let map = match split.format {
        Format::None => Map::new(),
        Format::Toml => {
            let table: toml::Table = toml::from_str(split.front_matter).map_err(|err| {
                let (line, column) = err
                    .span()
                    .map_or((1, 1), |span| line_col(split.front_matter, span.start));
                Error::FrontMatter {
                    location: Location::line(path, line + split.front_matter_line - 1)
                        .with_column(column),
                    message: err.message().trim().to_string(),
                }
            })?;
            table
                .into_iter()
                .map(|(key, value)| (key, toml_to_json(value)))
                .collect()
        }
        Format::Yaml => {
            if split.front_matter.trim().is_empty() {
                Map::new()
            } else {
                let (value, twice) =
                    parse_yaml(split.front_matter).map_err(|(line, column, message)| {
                        Error::FrontMatter {
                            location: Location::line(path, line + split.front_matter_line - 1)
                                .with_column(column),
                            message,
                        }
                    })?;
                duplicates = twice;
                match value {
                    Value::Object(map) => map,
                    Value::Null => Map::new(),
                    _ => {
                        return Err(Error::FrontMatter {
                            location: Location::line(path, split.front_matter_line),
                            message: "YAML front matter must be a mapping of `key: value` lines"
                                .into(),
                        });
                    }
                }
            }
        }
    };
    Ok(Fields {
        map,
        path,
        text: split.front_matter,
        first_line: split.front_matter_line,
        format: split.format,
        duplicates,
    })
}

/// Parses YAML front matter into a JSON value and the keys given twice
/// (the last value wins, as in Hugo); the error is its 1-based line and
/// column (in `text`) and message.
fn parse_yaml(text: &str) -> std::result::Result<(Value, Vec<String>), (usize, usize, String)> {
    let to_error = |err: serde_norway::Error| {
        let message = err.to_string();
        let (line, column) = duplicate_key_line(text, &message)
            .map(|line| (line, 1))
            .or_else(|| err.location().map(|loc| (loc.line(), loc.column())))
            .unwrap_or((1, 1));
        (line, column, message)
    };
    match serde_norway::from_str::<serde_norway::Value>(text) {
        Ok(yaml) => serde_json::to_value(yaml)
            .map(|value| (value, Vec::new()))
            .map_err(|err| (1, 1, err.to_string())),
        Err(err) if err.to_string().contains("duplicate entry with key") => {
            super::yaml_last_wins::parse(text).map_err(to_error)
        }
        Err(err) => Err(to_error(err)),
    }
}

/// For a "duplicate entry with key" error, the line of the key's second
/// occurrence (at the indentation of its first).
fn duplicate_key_line(text: &str, message: &str) -> Option<usize> {
    let rest = &message[message.find("duplicate entry with key \"")? + 26..];
    let key = &rest[..rest.find('"')?];
    let mut seen = None;
    for (index, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        let is_key = line
            .trim_start()
            .strip_prefix(key)
            .is_some_and(|after| after.trim_start().starts_with(':'));
        match (is_key, seen) {
            (true, None) => seen = Some(indent),
            (true, Some(first)) if first == indent => return Some(index + 1),
            _ => {}
        }
    }
    None
}

/// A TOML value as JSON; datetimes become their text.
pub fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => Value::Object(
            table
                .into_iter()
                .map(|(k, v)| (k, toml_to_json(v)))
                .collect(),
        ),
    }
}

/// Parsed front matter fields, taken out one by one with typed accessors
/// whose errors name the key's line.
pub struct Fields<'a> {
    map: Map<String, Value>,
    path: &'a Path,
    text: &'a str,
    first_line: usize,
    format: Format,
    /// YAML keys given twice in one mapping (the last value is used).
    duplicates: Vec<String>,
}

impl<'a> Fields<'a> {
    /// Keys the YAML front matter gives twice in one mapping; each took
    /// its last value, as in Hugo.
    pub fn duplicates(&self) -> &[String] {
        &self.duplicates
    }

    /// The file line where `key` is set, found by scanning the front matter.
    fn line_of(&self, key: &str) -> usize {
        self.text
            .lines()
            .position(|line| {
                let line = line.trim_start();
                line.strip_prefix(key)
                    .or_else(|| line.strip_prefix(&format!("\"{key}\"")))
                    .is_some_and(|rest| {
                        let rest = rest.trim_start();
                        rest.starts_with('=') || rest.starts_with(':')
                    })
                    || line == format!("[{key}]")
                    || line == format!("[[{key}]]")
            })
            .map_or(self.first_line, |i| self.first_line + i)
    }

    /// Removes and returns `key`; a key set to nothing (YAML `key:`) is
    /// as if absent.
    fn take(&mut self, key: &str) -> Option<Value> {
        self.map.remove(key).filter(|value| !value.is_null())
    }

    /// The fields not taken yet, as a map.
    pub fn into_map(self) -> Map<String, Value> {
        self.map
    }

    /// An error about `key`, at its line.
    pub fn error(&self, key: &str, message: String) -> Error {
        Error::FrontMatter {
            location: Location::line(self.path, self.line_of(key)),
            message,
        }
    }

    /// Removes and returns a string field.
    pub fn string(&mut self, key: &str) -> Result<Option<String>> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.error(
                key,
                format!("`{key}` must be a string, found {}", kind(&other)),
            )),
        }
    }

    /// Removes and returns a boolean field.
    pub fn bool(&mut self, key: &str) -> Result<Option<bool>> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(other) => Err(self.error(
                key,
                format!("`{key}` must be true or false, found {}", kind(&other)),
            )),
        }
    }

    /// Removes and returns an integer field.
    pub fn integer(&mut self, key: &str) -> Result<Option<i64>> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Number(n)) if n.is_i64() => Ok(n.as_i64()),
            Some(other) => Err(self.error(
                key,
                format!("`{key}` must be a whole number, found {}", kind(&other)),
            )),
        }
    }

    /// Removes and returns a positive integer field.
    pub fn positive(&mut self, key: &str) -> Result<Option<usize>> {
        match self.integer(key)? {
            None => Ok(None),
            Some(n) if n >= 1 => Ok(Some(n as usize)),
            Some(n) => Err(self.error(key, format!("`{key}` must be at least 1, found {n}"))),
        }
    }

    /// Removes and returns an array-of-strings field.
    pub fn strings(&mut self, key: &str) -> Result<Option<Vec<String>>> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        Value::String(s) => out.push(s),
                        other => {
                            return Err(self.error(
                                key,
                                format!(
                                    "`{key}` must be a list of strings, but holds {}",
                                    kind(&other)
                                ),
                            ));
                        }
                    }
                }
                Ok(Some(out))
            }
            Some(other) => Err(self.error(
                key,
                format!(
                    "`{key}` must be a list of strings such as [\"a\", \"b\"], found {}",
                    kind(&other)
                ),
            )),
        }
    }

    /// Removes and returns `aliases`: site-relative URL paths that must stay
    /// inside the site (no `..`, no scheme).
    pub fn aliases(&mut self) -> Result<Vec<String>> {
        let aliases = self.strings("aliases")?.unwrap_or_default();
        for alias in &aliases {
            if !is_site_path(alias) {
                return Err(self.error(
                    "aliases",
                    format!("alias `{alias}` must be a path inside the site such as /old-url/"),
                ));
            }
        }
        Ok(aliases)
    }

    /// Removes and returns a URL path inside the site (Zola's `path`),
    /// without slashes at either end.
    pub fn site_path(&mut self, key: &str) -> Result<Option<String>> {
        match self.string(key)? {
            None => Ok(None),
            Some(path) if is_site_path(&path) => Ok(Some(path.trim_matches('/').to_string())),
            Some(path) => Err(self.error(
                key,
                format!("`{key}` = \"{path}\" must be a path inside the site such as about/team"),
            )),
        }
    }

    /// Removes and returns the `taxonomies` table (Zola's way of writing
    /// terms): each name must be a configured taxonomy.
    pub fn taxonomy_table(&mut self, configured: &[&str]) -> Result<BTreeMap<String, Vec<String>>> {
        let table = self.table("taxonomies")?;
        let mut out = BTreeMap::new();
        for (name, terms) in table {
            if !configured.contains(&name.as_str()) {
                return Err(self.error(
                    "taxonomies",
                    format!(
                        "taxonomy `{name}` is not configured; add \"{name}\" to `taxonomies` in grove.toml's [network] table (configured: {}), or move it under {}",
                        if configured.is_empty() { "none".to_string() } else { configured.join(", ") },
                        self.extra_hint()
                    ),
                ));
            }
            let terms = match terms {
                Value::Array(items) if items.iter().all(Value::is_string) => items
                    .into_iter()
                    .filter_map(|t| t.as_str().map(str::to_string))
                    .collect(),
                other => {
                    return Err(self.error(
                        "taxonomies",
                        format!("taxonomy `{name}` must be a list of strings such as [\"a\", \"b\"], found {}", kind(&other)),
                    ));
                }
            };
            out.insert(name, terms);
        }
        Ok(out)
    }

    /// Removes the keys of `keys` that are set and returns them: keys
    /// accepted without effect.
    pub fn accept(&mut self, keys: &[&'static str]) -> Vec<&'static str> {
        keys.iter()
            .copied()
            .filter(|key| self.map.remove(*key).is_some())
            .collect()
    }

    /// Where custom data goes, in the syntax of this file's front matter.
    fn extra_hint(&self) -> &'static str {
        match self.format {
            Format::Yaml => "`extra:` (as indented `key: value` lines)",
            Format::Toml | Format::None => "an `[extra]` table",
        }
    }

    /// Removes and returns a date field (`2024-05-01` or RFC 3339).
    pub fn date(&mut self, key: &str) -> Result<Option<Date>> {
        match self.string(key)? {
            None => Ok(None),
            Some(text) => Date::parse(&text).map(Some).ok_or_else(|| {
                self.error(
                    key,
                    format!(
                        "`{key}` = \"{text}\" is not a date; use 2024-05-01 or 2024-05-01T09:30:00Z"
                    ),
                )
            }),
        }
    }

    /// Removes and returns a table field (`[extra]`).
    pub fn table(&mut self, key: &str) -> Result<Map<String, Value>> {
        match self.take(key) {
            None => Ok(Map::new()),
            Some(Value::Object(map)) => Ok(map),
            Some(other) => Err(self.error(
                key,
                format!("`{key}` must be a table, found {}", kind(&other)),
            )),
        }
    }

    /// Fails if any field was not taken, naming every such key at once:
    /// catches typos such as `titel`.
    pub fn finish(self, known: &str) -> Result<()> {
        let mut unknown: Vec<(usize, &String)> = self
            .map
            .keys()
            .map(|key| (self.line_of(key), key))
            .collect();
        unknown.sort();
        let Some((first_line, _)) = unknown.first().copied() else {
            return Ok(());
        };
        let names = unknown
            .iter()
            .map(|(line, key)| format!("`{key}` (line {line})"))
            .collect::<Vec<_>>()
            .join(", ");
        let (noun, them) = if unknown.len() == 1 {
            ("key", "it")
        } else {
            ("keys", "them")
        };
        Err(Error::FrontMatter {
            location: Location::line(self.path, first_line),
            message: format!(
                "unknown {noun} {names}; known keys are {known}; to keep custom data, move {them} under {}",
                self.extra_hint()
            ),
        })
    }
}

/// Whether `path` is a URL path inside the site: no `..`, no scheme, not
/// the root.
fn is_site_path(path: &str) -> bool {
    !(path.split('/').any(|seg| seg == "..")
        || path.contains("://")
        || path.contains('\\')
        || path.trim_matches('/').is_empty())
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a table",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::meta::PageMeta;

    fn page(text: &str) -> Result<PageMeta> {
        let path = Path::new("a.md");
        let split = split(path, text)?;
        PageMeta::from_fields(parse_fields(path, &split)?, &["tags"])
    }

    #[test]
    fn toml_and_yaml_give_the_same_meta() {
        let toml = page(
            "+++\ntitle = \"A\"\ndate = 2024-05-01\ntags = [\"x\"]\n[extra]\nk = 1\n+++\nBody",
        )
        .unwrap();
        let yaml =
            page("---\ntitle: A\ndate: 2024-05-01\ntags: [x]\nextra:\n  k: 1\n---\nBody").unwrap();
        for meta in [toml, yaml] {
            assert_eq!(meta.title, "A");
            assert_eq!(meta.date.unwrap().to_string(), "2024-05-01");
            assert_eq!(meta.taxonomies["tags"], vec!["x".to_string()]);
            assert_eq!(meta.extra["k"], 1);
        }
    }

    #[test]
    fn body_line_counts_the_front_matter() {
        let s = split(Path::new("a.md"), "+++\ntitle = \"A\"\n+++\nBody\n").unwrap();
        assert_eq!(s.body, "Body\n");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn syntax_error_names_the_file_line() {
        let err = page("+++\ntitle = \"A\"\ndraft = yes\n+++\n").unwrap_err();
        assert!(err.to_string().starts_with("a.md:3:"), "{err}");
    }

    #[test]
    fn type_error_names_the_key_and_line() {
        let err = page("+++\ntitle = \"A\"\n\ndraft = \"no\"\n+++\n").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("a.md:4:"), "{text}");
        assert!(text.contains("`draft` must be true or false"), "{text}");
    }

    #[test]
    fn unknown_key_is_rejected_with_its_line() {
        let err = page("---\ntitle: A\ntitel: B\n---\n").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("a.md:3:"), "{text}");
        assert!(text.contains("unknown key `titel`"), "{text}");
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        assert!(page("+++\ntitle = \"A\"\n").is_err());
    }

    #[test]
    fn aliases_and_slugs_cannot_escape_the_site() {
        assert!(page("+++\naliases = [\"../../etc\"]\n+++\n").is_err());
        assert!(page("+++\nslug = \"..\"\n+++\n").is_err());
        assert!(page("+++\naliases = [\"/old/\"]\n+++\n").is_ok());
    }

    #[test]
    fn blank_lines_before_the_fence_do_not_publish_a_draft() {
        for text in [
            "\n+++\ntitle = \"A\"\ndraft = true\n+++\nBody\n",
            "  \r\n\t\n---\ntitle: A\ndraft: true\n---\nBody\n",
            "\u{feff}\n +++ \ntitle = \"A\"\ndraft = true\n+++\nBody\n",
        ] {
            let meta = page(text).unwrap();
            assert_eq!(meta.title, "A", "{text:?}");
            assert!(meta.draft, "{text:?}");
        }
        let s = split(Path::new("a.md"), "\n\n+++\ntitle = \"A\"\n+++\nBody\n").unwrap();
        assert_eq!((s.front_matter_line, s.body_line, s.body), (4, 6, "Body\n"));
        let err = page("\n\n+++\ntitle = \"A\"\ndraft = yes\n+++\n").unwrap_err();
        assert!(err.to_string().starts_with("a.md:5:"), "{err}");
    }

    #[test]
    fn a_yaml_key_given_twice_takes_its_last_value_as_in_hugo() {
        let meta = page("---\ntitle: A\ndraft: true\ndraft: false\n---\n").unwrap();
        assert!(!meta.draft);
        assert_eq!(meta.ignored, ["a key given twice"]);
        let meta = page("---\ntitle: A\nextra:\n  k: 1\n  k: 2\n---\n").unwrap();
        assert_eq!(meta.extra["k"], 2);
        // Other YAML errors still name their line.
        let err = page("---\ntitle: A\nlist: [1, 2\n---\n").unwrap_err();
        assert!(err.to_string().starts_with("a.md:"), "{err}");
    }

    #[test]
    fn no_front_matter_is_fine() {
        assert_eq!(page("# Just text").unwrap().title, "");
    }
}

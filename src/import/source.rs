//! Reading a Hugo or Zola site's files: the folder walk and content files
//! with front matter in TOML, YAML or JSON.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use walkdir::WalkDir;

use super::report::Report;
use crate::content::front_matter::{self, Format};
use crate::error::{Error, Location, Result};

/// A content file split into front matter fields and body.
pub struct SourcePage {
    /// The front matter as a map (empty without one).
    pub front: Map<String, Value>,
    /// The Markdown body.
    pub body: String,
    /// YAML keys given twice (the last value is kept, as Hugo does).
    pub duplicates: Vec<String>,
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
    let (front, duplicates) = match split.format {
        Format::None => (Map::new(), Vec::new()),
        _ => {
            let fields = front_matter::parse_fields(path, &split)?;
            let duplicates = fields.duplicates().to_vec();
            (fields.into_map(), duplicates)
        }
    };
    Ok(SourcePage {
        front,
        body: split.body.to_string(),
        duplicates,
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
                duplicates: Vec::new(),
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

/// The folder being imported. Every read goes through it, so nothing
/// outside it is read (and so copied, and so published): a folder the
/// configuration names that resolves outside it (`staticDir = "/etc"`,
/// `contentDir = "../../.."`, a symbolic link) is not walked, and
/// symbolic links inside it are not followed; each is reported.
pub struct SourceTree {
    root: PathBuf,
    canonical: PathBuf,
}

impl SourceTree {
    /// The source folder `root`.
    pub fn new(root: &Path) -> Result<SourceTree> {
        let canonical = root
            .canonicalize()
            .map_err(|source| Error::io(root, "cannot open the source folder", source))?;
        Ok(SourceTree {
            root: root.to_path_buf(),
            canonical,
        })
    }

    /// `dir` (relative to the source, as its configuration names it) when
    /// it stays inside the source once `..` and symbolic links are
    /// resolved; `Err` with where it leads otherwise. A folder that does
    /// not exist stays inside (there is nothing to read).
    pub fn folder(&self, dir: &str) -> std::result::Result<PathBuf, PathBuf> {
        let path = self.root.join(dir);
        match path.canonicalize() {
            Ok(real) if real.starts_with(&self.canonical) => Ok(path),
            Ok(real) => Err(real),
            Err(_) if Path::new(dir).is_absolute() || dir.split(['/', '\\']).any(|p| p == "..") => {
                Err(path)
            }
            Err(_) => Ok(path),
        }
    }

    /// Files below `dir` (see [`SourceTree::folder`]) as [`files_below`]
    /// lists them; a folder outside the source is reported under `key`
    /// (the setting that names it) and gives no files, and each symbolic
    /// link below it is reported as not followed.
    pub fn files(
        &self,
        dir: &str,
        key: &str,
        report: &mut Report,
    ) -> Result<Vec<(String, PathBuf)>> {
        let path = match self.folder(dir) {
            Ok(path) => path,
            Err(target) => {
                report.attention(
                    key,
                    format!(
                        "`{}` leads outside the source folder (to {}): not read, so nothing from it is imported or published",
                        dir.escape_debug(),
                        target.display()
                    ),
                );
                return Ok(Vec::new());
            }
        };
        for link in links_below(&path) {
            report.attention(
                &format!("{}/{link}", dir.trim_end_matches('/')),
                "a symbolic link: not followed, so nothing outside the source is read; copy the file it points to into the site if it belongs there",
            );
        }
        files_below(&path)
    }
}

/// Symbolic links below `dir` (not followed), as paths relative to it.
fn links_below(dir: &Path) -> Vec<String> {
    WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(std::result::Result::ok)
        .filter(|e| e.depth() > 0 && e.path_is_symlink())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .unwrap_or(e.path())
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect()
}

/// Files below `dir`, as (path relative to `dir` with `/`, full path),
/// sorted; hidden files and folders (`.git`, `.DS_Store`) are skipped, and
/// symbolic links are not followed.
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

//! Where content comes from: the network's blueprint (`content/`), read and
//! parsed once, merged with each site's own `sites/<niche>/content/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tera::{Context, Tera};
use walkdir::WalkDir;

use rayon::prelude::*;

use super::front_matter;
use super::functions::{ContentFunctions, recording_output};
use super::literal::{Protected, has_tera_syntax};
use crate::error::{Error, Result, collect_all};
use crate::templating::{self, content_tera, template_error};

/// Files in a content folder that are never published.
const PRIVATE_FILES: &[&str] = &["briefs.toml"];

/// Where a content file was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The shared `content/` blueprint.
    Blueprint,
    /// The site's own `sites/<niche>/content/`.
    Site,
}

/// One file of a site's content.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the content root, with `/` separators.
    pub rel: String,
    /// The file on disk.
    pub path: PathBuf,
    /// Blueprint or site.
    pub origin: Origin,
    /// Markdown text, or `None` for an asset copied as is.
    pub text: Option<Arc<str>>,
    /// The text as Tera sees it (code and escaped calls set aside), when
    /// it holds Tera syntax to expand per site.
    pub template: Option<Arc<Protected>>,
}

impl SourceFile {
    /// Whether this is a Markdown file.
    pub fn is_markdown(&self) -> bool {
        self.text.is_some()
    }

    /// Reads the file at `path` (`rel` below its content root).
    pub fn read(rel: String, path: PathBuf, origin: Origin) -> Result<SourceFile> {
        let is_markdown = path.extension().is_some_and(|ext| ext == "md");
        let mut text: Option<Arc<str>> = if is_markdown {
            let mut text = std::fs::read_to_string(&path)
                .map_err(|source| Error::io(&path, "cannot read file", source))?;
            // CommonMark: U+0000 is replaced by U+FFFD, so a NUL byte never
            // reaches a page (or Tera, front matter and feeds before it).
            if text.contains('\0') {
                text = text.replace('\0', "\u{FFFD}");
            }
            Some(Arc::from(text))
        } else {
            None
        };
        // Code and escaped calls are set aside; when nothing else needs
        // Tera, the file's text is final as it is (escapes written out).
        let mut template = None;
        if let Some(protected) = text
            .as_deref()
            .filter(|t| has_tera_syntax(t))
            .and_then(|t| Protected::new(t, front_matter::body_offset(t)))
        {
            if protected.needs_tera() {
                template = Some(Arc::new(protected));
            } else {
                text = Some(Arc::from(protected.restore(&protected.template)));
            }
        }
        Ok(SourceFile {
            template,
            rel,
            path,
            origin,
            text,
        })
    }

    /// Whether the file expands on its own, without other content files
    /// (no `include`, `extends` or `import`): then
    /// [`Expander::standalone`] gives the same text as a full load.
    pub fn is_self_contained(&self) -> bool {
        self.template.as_ref().is_none_or(|template| {
            !["include", "extends", "import"]
                .iter()
                .any(|w| template.template.contains(w))
        })
    }
}

/// Expands Tera syntax in one site's content: the blueprint's templates
/// (parsed once per network) and the site's own, with the site's shortcodes.
pub struct Expander<'a> {
    /// The blueprint's parsed templates; `None` expands every file alone.
    blueprint: Option<Tera>,
    shortcodes: Option<&'a dyn ContentFunctions>,
    context: &'a Context,
}

impl<'a> Expander<'a> {
    /// An expander for one site; `context` holds `site`.
    pub fn new(
        blueprint: &Blueprint,
        shortcodes: Option<&'a dyn ContentFunctions>,
        context: &'a Context,
    ) -> Self {
        let mut templates = blueprint.templates.clone();
        if let Some(shortcodes) = shortcodes {
            shortcodes.register(&mut templates);
        }
        Expander {
            blueprint: Some(templates),
            shortcodes,
            context,
        }
    }

    /// An expander that parses each file on its own, for re-reading single
    /// [self-contained](SourceFile::is_self_contained) files.
    pub fn standalone(shortcodes: Option<&'a dyn ContentFunctions>, context: &'a Context) -> Self {
        Expander {
            blueprint: None,
            shortcodes,
            context,
        }
    }

    /// The file's text after Tera expansion, with the HTML shortcodes
    /// wrote into it.
    pub fn expand(&self, file: &SourceFile) -> Result<Expanded> {
        let text = file.text.clone().unwrap_or_else(|| Arc::from(""));
        let Some(template) = &file.template else {
            return Ok(Expanded {
                text,
                shortcode_html: Vec::new(),
            });
        };
        let (rendered, shortcode_html) = recording_output(|| self.render(file, template));
        rendered
            .map(|rendered| Expanded {
                text: Arc::from(template.restore(&rendered)),
                shortcode_html,
            })
            .map_err(|e| locate_slug(e, &text))
    }

    fn render(&self, file: &SourceFile, template: &Protected) -> Result<String> {
        let rendered = match (file.origin, &self.blueprint) {
            (Origin::Blueprint, Some(blueprint)) => {
                templating::render(blueprint, &file.rel, self.context)
            }
            _ => {
                let mut tera = content_tera();
                if let Some(shortcodes) = self.shortcodes {
                    shortcodes.register(&mut tera);
                }
                tera.add_raw_template(&file.rel, &template.template)
                    .map_err(|e| content_error(&file.path, &e))?;
                templating::instrument(&mut tera);
                templating::render(&tera, &file.rel, self.context)
            }
        };
        rendered.map_err(|e| content_error(&file.path, &e))
    }
}

/// A content file's text after Tera expansion.
pub struct Expanded {
    /// The text.
    pub text: Arc<str>,
    /// The HTML shortcodes returned into it, in call order.
    pub shortcode_html: Vec<String>,
}

/// Tera cannot say on which line a function failed; for an unknown
/// affiliate slug, the line is where the slug is written.
fn locate_slug(mut error: Error, text: &str) -> Error {
    if let Error::Template { location, message } = &mut error
        && location.line.is_none()
        && let Some(start) = message.find("unknown affiliate slug `")
    {
        let rest = &message[start + 24..];
        if let Some(slug) = rest.split('`').next()
            && let Some(at) = text.find(&format!("\"{slug}\""))
        {
            let (line, column) = crate::error::line_col(text, at);
            *location = location.clone().with_column(column);
            location.line = Some(line);
        }
    }
    error
}

/// The blueprint: every file of the network's `content/`, read once, with
/// its Tera templates parsed once for all sites.
pub struct Blueprint {
    files: Vec<SourceFile>,
    templates: Tera,
}

impl Blueprint {
    /// Reads `content_dir` (which may be missing: an empty blueprint).
    pub fn load(content_dir: &Path) -> Result<Blueprint> {
        let files = read_content_dir(content_dir, Origin::Blueprint)?;
        let mut templates = content_tera();
        for file in &files {
            if let Some(template) = &file.template {
                templates
                    .add_raw_template(&file.rel, &template.template)
                    .map_err(|e| content_error(&file.path, &e))?;
            }
        }
        templating::instrument(&mut templates);
        Ok(Blueprint { files, templates })
    }

    /// The site's content: the blueprint with the site's files laid over it
    /// (a site file wins over the blueprint file at the same path), or
    /// only the site's files when `with_pages` is false (a site that opted
    /// out of the blueprint's pages).
    pub fn merge_with(&self, site_content_dir: &Path, with_pages: bool) -> Result<Vec<SourceFile>> {
        let mut merged: BTreeMap<String, SourceFile> = self
            .files
            .iter()
            .filter(|_| with_pages)
            .map(|f| (f.rel.clone(), f.clone()))
            .collect();
        for file in read_content_dir(site_content_dir, Origin::Site)? {
            merged.insert(file.rel.clone(), file);
        }
        Ok(merged.into_values().collect())
    }
}

/// A Tera error in a content file, saying that content is a template and
/// how to write template syntax as text.
fn content_error(path: &Path, error: &tera::Error) -> Error {
    let mut error = template_error(path, error);
    if let Error::Template { message, .. } = &mut error {
        message.push_str(
            "\n  (content is evaluated as a Tera template, outside code blocks and code spans: to show `{{` or `{%` as text, put it in `code`, or write {{ \"{{\" }})",
        );
    }
    error
}

fn read_content_dir(dir: &Path, origin: Origin) -> Result<Vec<SourceFile>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    // Walk first (cheap, in order), then read the files in parallel.
    let mut paths = Vec::new();
    let walker = WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(dir).to_path_buf();
            Error::io(path, "cannot read content folder", e.into())
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = rel_path(dir, entry.path());
        if !PRIVATE_FILES.contains(&rel.as_str()) {
            paths.push((rel, entry.into_path()));
        }
    }
    collect_all(
        paths
            .into_par_iter()
            .map(|(rel, path)| SourceFile::read(rel, path, origin))
            .collect::<Vec<_>>(),
    )
}

/// `path` relative to `base`, with `/` separators on every platform.
fn rel_path(base: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

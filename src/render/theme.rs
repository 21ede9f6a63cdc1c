//! Themes: `themes/<name>/templates/` parsed once per build, with a site's
//! `sites/<niche>/templates/` laid over them.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use tera::Tera;
use walkdir::WalkDir;

use crate::error::{Error, Location, Result};
use crate::templating::{template_error, theme_tera};

/// A parsed theme.
pub struct Theme {
    /// `themes/<name>/`.
    pub dir: PathBuf,
    tera: Tera,
    sources: Vec<(String, PathBuf)>,
}

impl Theme {
    /// Loads `themes/<name>/` below the network root. `config_file` is named
    /// in the error when the theme does not exist.
    pub fn load(root: &Path, name: &str, config_file: &Path) -> Result<Theme> {
        let dir = root.join("themes").join(name);
        let templates_dir = dir.join("templates");
        if !templates_dir.is_dir() {
            return Err(Error::Config {
                location: Location::file(config_file),
                message: format!(
                    "theme `{name}` not found: there is no {} folder",
                    templates_dir.display()
                ),
            });
        }
        let sources = template_files(&templates_dir)?;
        let mut tera = theme_tera();
        add_templates(&mut tera, &sources)?;
        Ok(Theme { dir, tera, sources })
    }

    /// `themes/<name>/static/`.
    pub fn static_dir(&self) -> PathBuf {
        self.dir.join("static")
    }

    /// This theme's templates with `site_templates` (if the folder exists)
    /// overriding templates of the same name.
    pub fn for_site(&self, site_templates: &Path) -> Result<SiteTemplates> {
        let mut tera = self.tera.clone();
        let mut names: HashSet<String> = self.sources.iter().map(|(n, _)| n.clone()).collect();
        if site_templates.is_dir() {
            let overrides = template_files(site_templates)?;
            // Re-adding every theme template with the overrides keeps
            // inheritance chains consistent across both folders.
            let mut all: Vec<(String, PathBuf)> = self
                .sources
                .iter()
                .filter(|(name, _)| !overrides.iter().any(|(o, _)| o == name))
                .cloned()
                .collect();
            all.extend(overrides);
            names = all.iter().map(|(n, _)| n.clone()).collect();
            tera = theme_tera();
            add_templates(&mut tera, &all)?;
            return Ok(SiteTemplates {
                tera,
                names,
                sources: all,
            });
        }
        Ok(SiteTemplates {
            tera,
            names,
            sources: self.sources.clone(),
        })
    }
}

/// The templates one site renders with.
pub struct SiteTemplates {
    /// The Tera instance (functions are registered on it per site).
    pub tera: Tera,
    names: HashSet<String>,
    sources: Vec<(String, PathBuf)>,
}

impl SiteTemplates {
    /// Every template name, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        let mut names: Vec<&str> = self.names.iter().map(String::as_str).collect();
        names.sort_unstable();
        names.into_iter()
    }

    /// Whether a template called `name` exists.
    pub fn has(&self, name: &str) -> bool {
        self.names.contains(name)
    }

    /// Whether both have the same template names.
    pub fn same_names(&self, other: &SiteTemplates) -> bool {
        self.names == other.names
    }

    /// The templates that use any of `changed`, themselves included:
    /// through `extends`, `include` or `import`, at any depth. A template
    /// uses another when its source names it in quotes, which may count a
    /// template that merely mentions the name, never miss one that uses it.
    pub fn users_of(&self, changed: &[String]) -> Result<BTreeSet<String>> {
        let mut texts = Vec::with_capacity(self.sources.len());
        for (name, path) in &self.sources {
            let text = std::fs::read_to_string(path)
                .map_err(|source| Error::io(path, "cannot read template", source))?;
            texts.push((name.as_str(), text));
        }
        let mut users: BTreeSet<String> = changed.iter().cloned().collect();
        loop {
            let before = users.len();
            for (name, text) in &texts {
                if !users.contains(*name)
                    && users.iter().any(|used| {
                        ['"', '\'', '`']
                            .iter()
                            .any(|quote| text.contains(&format!("{quote}{used}{quote}")))
                    })
                {
                    users.insert((*name).to_string());
                }
            }
            if users.len() == before {
                return Ok(users);
            }
        }
    }

    /// The file a template was read from, for error messages.
    pub fn file_of(&self, name: &str) -> Option<&Path> {
        self.sources
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, p)| p.as_path())
    }
}

fn template_files(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut files = Vec::new();
    for entry in WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| {
            Error::io(
                e.path().unwrap_or(dir).to_path_buf(),
                "cannot read templates",
                e.into(),
            )
        })?;
        if !entry.file_type().is_file() || entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let name = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        files.push((name, entry.path().to_path_buf()));
    }
    Ok(files)
}

fn add_templates(tera: &mut Tera, files: &[(String, PathBuf)]) -> Result<()> {
    let mut sources = Vec::with_capacity(files.len());
    for (name, path) in files {
        let text = std::fs::read_to_string(path)
            .map_err(|source| Error::io(path, "cannot read template", source))?;
        // Parse one by one first, so a syntax error names its own file.
        tera::Template::new(name, None, &text).map_err(|e| template_error(path, &e))?;
        sources.push((name.clone(), text));
    }
    tera.add_raw_templates(sources).map_err(|e| {
        // Inheritance errors (a missing parent) come here; name the theme folder.
        let dir = files
            .first()
            .and_then(|(name, path)| strip_name(path, name))
            .unwrap_or_default();
        template_error(&dir, &e)
    })
}

/// The templates folder, given a template's path and name.
fn strip_name(path: &Path, name: &str) -> Option<PathBuf> {
    let mut dir = path.to_path_buf();
    for _ in name.split('/') {
        dir = dir.parent()?.to_path_buf();
    }
    Some(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_of_a_template_are_found_through_every_kind_of_reference() {
        let root = tempfile::tempdir().unwrap();
        let templates = root.path().join("themes/t/templates");
        std::fs::create_dir_all(&templates).unwrap();
        for (name, text) in [
            (
                "base.html",
                "<main>{% block content %}{% endblock content %}</main>",
            ),
            (
                "macros.html",
                "{% macro card(x) %}{{ x }}{% endmacro card %}",
            ),
            (
                "partial.html",
                "{% import 'macros.html' as m %}{{ m::card(x=1) }}",
            ),
            (
                "page.html",
                "{% extends \"base.html\" %}{% block content %}{% include `partial.html` %}{% endblock content %}",
            ),
            ("other.html", "plain"),
        ] {
            std::fs::write(templates.join(name), text).unwrap();
        }
        let theme = Theme::load(root.path(), "t", Path::new("grove.toml")).unwrap();
        let site = theme.for_site(&root.path().join("none")).unwrap();
        let users = |name: &str| -> Vec<String> {
            site.users_of(&[name.to_string()])
                .unwrap()
                .into_iter()
                .collect()
        };
        assert_eq!(
            users("macros.html"),
            ["macros.html", "page.html", "partial.html"]
        );
        assert_eq!(users("base.html"), ["base.html", "page.html"]);
        assert_eq!(users("other.html"), ["other.html"]);
    }
}

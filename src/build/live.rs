//! A built site kept loaded by `grove serve`, so that a page edit renders
//! only what it affects instead of building the site again.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::PageReader;
use crate::content::source::Expander;
use crate::content::{Origin, PageBody, Rendered, SourceFile};
use crate::error::{Error, Result};
use crate::image::Format;
use crate::network::{Network, Site};
use crate::render::{ContentChanges, LiveRenderer, Shortcodes, Theme, Update};

/// A site as its last build left it: content graph, listing views, page
/// HTML and templates, still in memory.
pub struct LiveSite {
    /// The site's name.
    pub name: String,
    pub(super) renderer: LiveRenderer,
    pub(super) reader: PageReader,
    pub(super) include: crate::content::Include,
}

/// What kind of files changed (the preview's watcher sorts them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// Markdown content files (blueprint or site).
    Content,
    /// Templates (theme's or site's).
    Template,
    /// Static files of kinds a build never generates (stylesheets,
    /// scripts, images...).
    Static,
}

/// Changed files of one kind, with what a site needs to take them in.
pub enum Change<'a> {
    /// Content files, absolute.
    Content(&'a [PathBuf]),
    /// Template files, absolute, with the site's theme loaded again.
    Templates(&'a [PathBuf], &'a Theme),
    /// Static files, absolute, and the site's theme folder.
    Static(&'a [PathBuf], &'a Path),
}

/// A content file read again, for one site.
enum Reread {
    /// Page `index` reads like this now, placed as before.
    Body(usize, Box<PageBody>),
    /// Section `index` has this body now, its front matter unchanged.
    SectionBody(usize, Box<Rendered>),
    /// Not this site's file.
    NotAffected,
    /// The change may move the page, or it is not a page.
    NeedsRebuild,
}

/// What changed files meant for one live site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageUpdate {
    /// Taken in; this many files were written again.
    Rendered(usize),
    /// The files are not part of this site (another site's, or blueprint
    /// or theme files the site overrides).
    NotAffected,
    /// The change reaches beyond what can be rendered alone (front matter
    /// that moves a page, a new, removed or draft page, a section, an
    /// asset...): build the site again.
    NeedsRebuild,
}

impl LiveSite {
    /// Takes in `change`. `network` and `site` must be those the site was
    /// built from. On an error, output is unchanged but this state may not
    /// be: drop it and build the site again.
    pub fn update(
        &mut self,
        network: &Network,
        site: &Site,
        change: Change<'_>,
    ) -> Result<PageUpdate> {
        match change {
            Change::Content(paths) => self.update_content(network, site, paths),
            Change::Templates(paths, theme) => self.update_templates(network, site, theme, paths),
            Change::Static(paths, theme_dir) => self.update_static(site, theme_dir, paths),
        }
    }

    /// Takes in changed content files `paths`: only what the pages' and
    /// sections' new text affects is rendered again.
    fn update_content(
        &mut self,
        network: &Network,
        site: &Site,
        paths: &[PathBuf],
    ) -> Result<PageUpdate> {
        let mut changes = ContentChanges::default();
        for path in paths {
            match self.reread(network, site, path)? {
                Reread::Body(index, body) => changes.pages.push((index, *body)),
                Reread::SectionBody(index, body) => changes.sections.push((index, *body)),
                Reread::NotAffected => {}
                Reread::NeedsRebuild => return Ok(PageUpdate::NeedsRebuild),
            }
        }
        if changes.pages.is_empty() && changes.sections.is_empty() {
            return Ok(PageUpdate::NotAffected);
        }
        Ok(match self.renderer.update(Update::Content(changes))? {
            Some(files) => PageUpdate::Rendered(files),
            None => PageUpdate::NeedsRebuild,
        })
    }

    /// Reads content file `path` again, if it is one of this site's pages
    /// or sections and the change leaves the site's graph as it was.
    fn reread(&self, network: &Network, site: &Site, path: &Path) -> Result<Reread> {
        let blueprint_dir = network.root.join("content");
        let site_dir = site.dir.join("content");
        let (rel_path, origin) = match (
            path.strip_prefix(&site_dir),
            path.strip_prefix(&blueprint_dir),
        ) {
            (Ok(rel), _) => (rel, Origin::Site),
            (_, Ok(rel)) => (rel, Origin::Blueprint),
            _ if path.starts_with(network.root.join("sites")) => return Ok(Reread::NotAffected),
            _ => return Ok(Reread::NeedsRebuild),
        };
        let content = self.renderer.content();
        let page = content.pages.iter().position(|p| p.file == path);
        let section = content
            .sections
            .iter()
            .position(|s| s.file.as_deref() == Some(path));
        if page.is_none() && section.is_none() {
            let overridden = origin == Origin::Blueprint && site_dir.join(rel_path).exists();
            return Ok(if overridden {
                Reread::NotAffected
            } else {
                Reread::NeedsRebuild
            });
        }
        if !path.is_file() {
            return Ok(Reread::NeedsRebuild);
        }
        let file = SourceFile::read(slash_path(rel_path), path.to_path_buf(), origin)?;
        if !file.is_self_contained() {
            return Ok(Reread::NeedsRebuild);
        }
        let options = self.reader.options(network, site, self.include);
        let expander = Expander::standalone(Some(&self.reader.shortcodes), &self.reader.context);
        let reread = match (page, section) {
            (Some(index), _) => content
                .reread_page(index, &file, &expander, options)?
                .map(|body| Reread::Body(index, Box::new(body))),
            (_, Some(index)) => content
                .reread_section(index, &file, &expander, options)?
                .map(|body| Reread::SectionBody(index, Box::new(body))),
            (None, None) => None,
        };
        Ok(reread.unwrap_or(Reread::NeedsRebuild))
    }

    /// Takes in changed template files `paths` (absolute): with `theme`
    /// loaded again, renders again only the outputs whose templates use a
    /// changed one, and re-reads the pages calling a changed shortcode. A
    /// template added or removed (the choice of template may change), or a
    /// shortcode a section calls, needs a full build.
    fn update_templates(
        &mut self,
        network: &Network,
        site: &Site,
        theme: &Theme,
        paths: &[PathBuf],
    ) -> Result<PageUpdate> {
        // A folder or a removed file: which templates exist may change.
        if paths.iter().any(|path| !path.is_file()) {
            return Ok(PageUpdate::NeedsRebuild);
        }
        let site_dir = site.dir.join("templates");
        let theme_dir = theme.dir.join("templates");
        let templates = theme.for_site(&site_dir)?;
        if !templates.same_names(self.renderer.templates()) {
            return Ok(PageUpdate::NeedsRebuild);
        }
        let changed: Vec<String> = paths
            .iter()
            .filter_map(|path| {
                let rel = path
                    .strip_prefix(&site_dir)
                    .or_else(|_| path.strip_prefix(&theme_dir))
                    .ok()?;
                let name = slash_path(rel);
                // Only the file this site renders with counts (a site's
                // template hides the theme's of the same name).
                (templates.file_of(&name) == Some(path.as_path())).then_some(name)
            })
            .collect();
        if changed.is_empty() {
            return Ok(PageUpdate::NotAffected);
        }
        let users = templates.users_of(&changed);
        let shortcodes: Vec<&str> = users
            .iter()
            .filter_map(|name| name.strip_prefix("shortcodes/")?.strip_suffix(".html"))
            .collect();
        let mut callers = Vec::new();
        if !shortcodes.is_empty() {
            let content = self.renderer.content();
            let calls = |file: &Path| -> Result<bool> {
                let text = std::fs::read_to_string(file)
                    .map_err(|source| Error::io(file, "cannot read file", source))?;
                Ok(shortcodes.iter().any(|name| text.contains(name)))
            };
            for section in &content.sections {
                if let Some(file) = &section.file
                    && calls(file)?
                {
                    return Ok(PageUpdate::NeedsRebuild);
                }
            }
            for page in &content.pages {
                if calls(&page.file)? {
                    callers.push(page.file.clone());
                }
            }
            let site_value = self.reader.context.get("site").cloned().unwrap_or_default();
            self.reader.shortcodes = Shortcodes::new(
                &templates,
                Arc::clone(&self.reader.links),
                Arc::clone(&self.reader.images),
                site_value,
            );
        }
        let Some(mut files) = self.renderer.update(Update::Templates {
            templates: Box::new(templates),
            changed: &users,
        })?
        else {
            return Ok(PageUpdate::NeedsRebuild);
        };
        if !callers.is_empty() {
            match self.update_content(network, site, &callers)? {
                PageUpdate::Rendered(more) => files += more,
                PageUpdate::NotAffected => {}
                PageUpdate::NeedsRebuild => return Ok(PageUpdate::NeedsRebuild),
            }
        }
        Ok(PageUpdate::Rendered(files))
    }

    /// Copies changed static files `paths` (absolute; of kinds a build does
    /// not generate) into the site's output. A theme file hidden by the
    /// site's own file of the same name does not count; a removed file or a
    /// folder needs a full build.
    fn update_static(
        &mut self,
        site: &Site,
        theme_dir: &Path,
        paths: &[PathBuf],
    ) -> Result<PageUpdate> {
        // An image may be shown processed on any page: build the site
        // again (the image cache makes only what changed).
        let is_image = |path: &PathBuf| Format::from_name(&path.to_string_lossy()).is_some();
        if paths.iter().any(|path| !path.is_file() || is_image(path)) {
            return Ok(PageUpdate::NeedsRebuild);
        }
        let site_static = site.dir.join("static");
        let theme_static = theme_dir.join("static");
        let mut copied = 0;
        for path in paths {
            let rel = match (
                path.strip_prefix(&site_static),
                path.strip_prefix(&theme_static),
            ) {
                (Ok(rel), _) => rel,
                (_, Ok(rel)) if !site_static.join(rel).exists() => rel,
                _ => continue,
            };
            let rel = slash_path(rel);
            if self.reader.ignore().ignores(&rel) {
                continue;
            }
            // A content file at the same place wins over static files.
            let content = self.renderer.content();
            if content
                .assets
                .iter()
                .any(|a| content.asset_output(&a.rel).as_deref() == Some(rel.as_str()))
            {
                continue;
            }
            self.renderer.update(Update::Static {
                rel: &rel,
                from: path,
            })?;
            copied += 1;
        }
        Ok(if copied == 0 {
            PageUpdate::NotAffected
        } else {
            PageUpdate::Rendered(copied)
        })
    }
}

/// A relative path with `/` separators.
fn slash_path(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

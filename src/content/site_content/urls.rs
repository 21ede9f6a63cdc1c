//! Where each page and section is served, and how links between them
//! resolve: URL paths from content paths, `slug` and `path`; the map of
//! every file to its URL (two files at one URL is an error); `@/` and
//! `aff:` link resolution.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use super::{Page, Pending, Section};
use crate::affiliate::AffiliateLinks;
use crate::content::images::{ImageUse, SiteImages};
use crate::content::include::LeftOut;
use crate::content::language;
use crate::content::markdown::LinkResolver;
use crate::error::{Error, Location, Result};
use crate::web_url::encode_path;

/// Whether content file `rel` is a section's `_index.md` (in any
/// language: `_index.fr.md`).
pub(super) fn is_section_file(rel: &str) -> bool {
    let plain = language::strip(rel);
    plain == "_index.md" || plain.ends_with("/_index.md")
}

/// The folder part of a content path: `guides/a.md` -> `guides`.
pub(super) fn parent_dir(rel: &str) -> &str {
    rel.rfind('/').map_or("", |i| &rel[..i])
}

pub(super) fn dir_url(dir: &str) -> String {
    if dir.is_empty() {
        "/".to_string()
    } else {
        format!("/{dir}/")
    }
}

/// The URL path of content file `rel` (below the content root) with front
/// matter `slug` and `path`: a section is its folder; a page bundle's
/// `index.md` its folder's slug; another page its file's slug; `path`
/// replaces it all. Language suffixes are not part of it.
pub fn url_path(rel: &str, slug: Option<&str>, path: Option<&str>) -> String {
    if is_section_file(rel) {
        return dir_url(parent_dir(rel));
    }
    let plain = language::strip(rel);
    let (url_dir, name) = url_parent_and_name(&plain);
    page_url(url_dir, name, slug, path)
}

/// The folder a page's URL is below and the name its slug is made from:
/// `guides/a.md` -> (`guides`, `a`); `guides/kit/index.md`, a page
/// bundle, -> (`guides`, `kit`).
pub fn url_parent_and_name(rel: &str) -> (&str, &str) {
    let dir = parent_dir(rel);
    let stem = rel[dir.len()..]
        .trim_start_matches('/')
        .trim_end_matches(".md");
    if stem == "index" {
        let bundle_parent = parent_dir(dir);
        (
            bundle_parent,
            dir[bundle_parent.len()..].trim_start_matches('/'),
        )
    } else {
        (dir, stem)
    }
}

pub(super) fn page_url(
    url_dir: &str,
    name: &str,
    slug: Option<&str>,
    path: Option<&str>,
) -> String {
    let slug = slug.map_or_else(|| slug::slugify(name), str::to_string);
    match path {
        Some(path) => format!("/{path}/"),
        None if url_dir.is_empty() => format!("/{slug}/"),
        None => format!("/{url_dir}/{slug}/"),
    }
}

/// Maps every content file to its URL path; two files claiming one URL is
/// an error naming both.
pub(super) fn url_map(
    pages: &[(Page, Pending)],
    sections: &[(Section, Pending)],
) -> Result<HashMap<String, String>> {
    let mut by_url: BTreeMap<&str, (&str, Option<&PathBuf>)> = BTreeMap::new();
    let mut urls = HashMap::new();
    let mut errors = Vec::new();
    let entries = sections
        .iter()
        .map(|(s, _)| (&s.rel, &s.path, s.file.as_ref()))
        .chain(pages.iter().map(|(p, _)| (&p.rel, &p.path, Some(&p.file))));
    for (rel, path, file) in entries {
        if let Some((other_rel, _)) = by_url.get(path.as_str()) {
            errors.push(Error::Content {
                location: Location::file(file.cloned().unwrap_or_default()),
                message: format!(
                    "URL {path} is also produced by `{other_rel}`; give one of them a different `slug`"
                ),
            });
            continue;
        }
        by_url.insert(path, (rel, file));
        urls.insert(rel.clone(), path.clone());
    }
    match Error::collect(errors) {
        Some(error) => Err(error),
        None => Ok(urls),
    }
}

/// Resolves `@/` and `aff:` links of a site's content.
pub(super) struct Resolver<'a> {
    /// Content file to URL path.
    pub(super) urls: &'a HashMap<String, String>,
    /// Content files left out, and why (a link to one is an error saying so).
    pub(super) left_out: &'a HashMap<String, LeftOut>,
    /// The site's base path, put in front of resolved links.
    pub(super) base_path: &'a str,
    /// The site's affiliate links, for `aff:` links.
    pub(super) affiliates: Option<&'a AffiliateLinks>,
    /// The site's images, for Markdown images.
    pub(super) images: Option<&'a SiteImages>,
}

impl LinkResolver for Resolver<'_> {
    fn resolve(&self, target: &str) -> std::result::Result<String, String> {
        if let Some(url) = self.urls.get(target) {
            return Ok(format!("{}{}", self.base_path, encode_path(url)));
        }
        match self.left_out.get(target) {
            Some(LeftOut::Draft) => {
                return Err(format!(
                    "`{target}` is a draft; approve it (draft = false) or build with --drafts"
                ));
            }
            Some(LeftOut::Scheduled(date)) => {
                return Err(format!(
                    "`{target}` is scheduled for {date}; link to it once it is out, or build with --future"
                ));
            }
            Some(LeftOut::Translation(language)) => {
                return Err(format!(
                    "`{target}` is a translation into `{language}`, which this site does not build; link to it on a site in that language"
                ));
            }
            None => {}
        }
        Err(format!(
            "no content file `{target}` in this site or the blueprint (paths are relative to content/)"
        ))
    }

    fn affiliate(&self, slug: &str) -> std::result::Result<String, String> {
        match self.affiliates {
            Some(links) => links.anchor_attributes(slug),
            None => Err(format!(
                "unknown affiliate slug `{slug}`: no affiliate registry is loaded"
            )),
        }
    }

    fn program_disclosure(&self, slug: &str) -> Option<String> {
        self.affiliates?.program_disclosure(slug)
    }

    fn image(&self, image: &ImageUse<'_>) -> std::result::Result<Option<String>, String> {
        match self.images {
            Some(images) => images.content_image(image),
            None => Ok(None),
        }
    }
}

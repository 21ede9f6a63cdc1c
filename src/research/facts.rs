//! What the model is told about a site when asked for new briefs, and what
//! its proposals are checked against: sections, article kinds (prompts),
//! taxonomy terms, linkable products (names and descriptions only) and
//! every title the site already has or plans.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Serialize;

use crate::affiliate::Registry;
use crate::build::{load_site, load_themes};
use crate::content::{Blueprint, Include};
use crate::draft::brief::{Brief, site_briefs};
use crate::draft::prompt::PROMPTS_DIR;
use crate::error::{Error, Result};
use crate::network::{Network, Site};
use crate::render::views::site_value;

/// The prompt `grove research` uses; not an article kind.
pub const RESEARCH_PROMPT: &str = "research";

/// A section articles can go in.
#[derive(Debug, Clone, Serialize)]
pub struct SectionFact {
    /// Its folder below `content/` (`""` for the top level).
    pub dir: String,
    /// Its title.
    pub title: String,
}

/// A product the site may link: what the model may know of it. Prices,
/// ratings and other program data are never included.
#[derive(Debug, Clone, Serialize)]
pub struct ProductFact {
    /// Registry slug.
    pub slug: String,
    /// Product name.
    pub name: String,
    /// One-line description.
    pub description: String,
}

/// A taxonomy with the terms the site uses.
#[derive(Debug, Clone, Serialize)]
pub struct TaxonomyFact {
    /// `tags`, `categories`...
    pub name: String,
    /// Terms in use, by name.
    pub terms: Vec<String>,
}

/// Everything about one site that research needs.
pub struct SiteFacts {
    /// The `site` value templates see.
    pub site: serde_json::Value,
    /// Sections, the root first.
    pub sections: Vec<SectionFact>,
    /// Article kinds: prompt files other than the research prompt.
    pub kinds: Vec<String>,
    /// Taxonomies and their terms.
    pub taxonomies: Vec<TaxonomyFact>,
    /// Products the site may link.
    pub products: Vec<ProductFact>,
    /// Titles of every page (drafts included) and brief, proposed or not.
    pub titles: Vec<String>,
    /// The site's briefs (blueprint and own).
    pub briefs: Vec<Brief>,
    /// Content paths (`guides/x.md`) of every page.
    pub paths: BTreeSet<String>,
}

impl SiteFacts {
    /// Gathers the facts of `site`.
    pub fn gather(network: &Network, site: &Site) -> Result<SiteFacts> {
        let blueprint = Blueprint::load(&network.root.join("content"))?;
        let themes = load_themes(network, &[site])?;
        let loaded = load_site(
            network,
            site,
            &blueprint,
            &themes[site.theme(&network.config)],
            Include::everything(),
        )?;
        let site_json = site_value(network, site);
        let registry = Registry::load(&network.root, site)?;
        let briefs = site_briefs(network, site)?;
        let content = &loaded.content;
        let sections = content
            .sections
            .iter()
            .map(|s| SectionFact {
                dir: s.dir.clone(),
                title: if s.dir.is_empty() {
                    "the top level".to_string()
                } else {
                    s.meta.title.clone()
                },
            })
            .collect();
        let taxonomies = content
            .taxonomies
            .iter()
            .map(|t| TaxonomyFact {
                name: t.config.name.clone(),
                terms: t.terms.iter().map(|term| term.name.clone()).collect(),
            })
            .collect();
        // The products this site links or defines; the whole registry when
        // it has none yet (a registry serves every niche of the network).
        let used: BTreeSet<&str> = content
            .pages
            .iter()
            .flat_map(|p| p.rendered.affiliates.iter().map(String::as_str))
            .chain(
                briefs
                    .iter()
                    .flat_map(|b| b.affiliates.iter().map(String::as_str)),
            )
            .chain(registry.slugs().filter(|slug| {
                registry
                    .defined(slug)
                    .is_some_and(|d| d.location.path.starts_with(&site.dir))
            }))
            .collect();
        let products = registry
            .slugs()
            .filter(|slug| used.is_empty() || used.contains(slug))
            .filter_map(|slug| {
                registry.get(slug).map(|entry| ProductFact {
                    slug: slug.to_string(),
                    name: entry.name.clone(),
                    description: entry.description.clone(),
                })
            })
            .collect();
        let mut titles: Vec<String> = content
            .pages
            .iter()
            .map(|p| p.meta.title.clone())
            .chain(briefs.iter().map(|b| b.title.clone()))
            .filter(|t| !t.trim().is_empty())
            .collect();
        titles.sort();
        titles.dedup();
        Ok(SiteFacts {
            site: site_json,
            sections,
            kinds: kinds(&network.root)?,
            taxonomies,
            products,
            titles,
            paths: content.pages.iter().map(|p| p.rel.clone()).collect(),
            briefs,
        })
    }

    /// Whether `dir` is one of the site's sections.
    pub fn has_section(&self, dir: &str) -> bool {
        self.sections.iter().any(|s| s.dir == dir)
    }

    /// Whether `kind` has a prompt.
    pub fn has_kind(&self, kind: &str) -> bool {
        self.kinds.iter().any(|k| k == kind)
    }

    /// Whether `slug` names a product of the registry.
    pub fn has_product(&self, slug: &str) -> bool {
        self.products.iter().any(|p| p.slug == slug)
    }
}

/// Article kinds: the prompt files in `prompts/`, by name (not the
/// research prompt, nor the refresh prompt `grove refresh` uses).
fn kinds(root: &Path) -> Result<Vec<String>> {
    let dir = root.join(PROMPTS_DIR);
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(Error::io(&dir, "cannot read folder", source)),
    };
    let mut kinds: Vec<String> = entries
        .filter_map(std::result::Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".md").map(str::to_string)
        })
        .filter(|kind| kind != RESEARCH_PROMPT && kind != crate::draft::brief::REFRESH_KIND)
        .collect();
    kinds.sort();
    Ok(kinds)
}

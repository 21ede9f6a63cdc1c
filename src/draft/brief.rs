//! Briefs: the articles to draft. `content/briefs.toml` (blueprint, for every
//! site) and `sites/<niche>/briefs.toml` list them; every string is a Tera
//! template expanded with the site, so one brief becomes a different article
//! per niche.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tera::Context;
use toml::Spanned;

use crate::affiliate::Registry;
use crate::error::{Error, Location, Result, line_col};
use crate::network::{Site, is_slug, parse_toml};
use crate::templating::{expand_str, template_error};

/// The briefs file's name, in `content/` and in a site folder.
pub const BRIEFS_FILE: &str = "briefs.toml";

/// The `status` of a brief `grove research` proposed and nobody accepted.
pub const PROPOSED: &str = "proposed";

/// The `kind` (and prompt) of a brief `grove refresh` proposed: a new
/// version of an existing page.
pub const REFRESH_KIND: &str = "refresh";

/// How a refresh draft's file name ends, beside the live page's stem.
pub const REFRESH_SUFFIX: &str = ".refresh.md";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BriefsFile {
    #[serde(default)]
    brief: Vec<Spanned<RawBrief>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBrief {
    slug: String,
    title: String,
    #[serde(default)]
    section: String,
    kind: String,
    prompt: Option<String>,
    #[serde(default = "default_target_words")]
    target_words: u32,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    affiliates: Vec<Spanned<String>>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    categories: Vec<String>,
    description: Option<String>,
    #[serde(default)]
    outline: bool,
    status: Option<Spanned<String>>,
    #[serde(default)]
    structure: Vec<String>,
    notes: Option<String>,
    source: Option<String>,
    refresh: Option<String>,
}

fn default_target_words() -> u32 {
    800
}

/// One article to draft for one site, with every template expanded.
#[derive(Debug, Clone, Serialize)]
pub struct Brief {
    /// File name (without `.md`) and last URL segment.
    pub slug: String,
    /// Article title.
    pub title: String,
    /// Section folder below `content/` (`""` for the top level).
    pub section: String,
    /// Article kind: review, guide, comparison, faq...
    pub kind: String,
    /// Prompt file name below `prompts/` (without `.md`); defaults to `kind`.
    pub prompt: String,
    /// Length the article should reach.
    pub target_words: u32,
    /// Search phrases the article should cover.
    pub keywords: Vec<String>,
    /// Registry slugs the article may link with `[text](aff:slug)`.
    pub affiliates: Vec<String>,
    /// Tags for the front matter.
    pub tags: Vec<String>,
    /// Categories for the front matter.
    pub categories: Vec<String>,
    /// Meta description for the front matter.
    pub description: Option<String>,
    /// Draft an outline first, then the article from it.
    pub outline: bool,
    /// Proposed by `grove research` and not yet accepted: `grove draft`
    /// skips it.
    pub proposed: bool,
    /// Headings the article should follow (from `grove replicate`).
    pub structure: Vec<String>,
    /// Further instructions for the writer.
    pub notes: Option<String>,
    /// The page a replicated brief was made from (root-relative), for
    /// reference: the article must not paraphrase it.
    pub source: Option<String>,
    /// For a refresh (`grove refresh`): the live page's file below the
    /// content folder; the new version is drafted beside it.
    pub refresh: Option<String>,
    /// Where the brief is defined.
    #[serde(skip)]
    pub location: Location,
}

impl Brief {
    /// The content path the article is written to: `reviews/best-grinders.md`;
    /// for a refresh, beside the live page: `reviews/best-grinders.refresh.md`.
    pub fn rel_path(&self) -> String {
        if let Some(live) = &self.refresh {
            let stem = live.strip_suffix(".md").unwrap_or(live);
            return format!("{stem}{REFRESH_SUFFIX}");
        }
        if self.section.is_empty() {
            format!("{}.md", self.slug)
        } else {
            format!("{}/{}.md", self.section.trim_matches('/'), self.slug)
        }
    }
}

/// The briefs of `site`, expanded with its context and checked against its
/// registry.
pub fn site_briefs(network: &crate::network::Network, site: &Site) -> Result<Vec<Brief>> {
    let registry = Registry::load(&network.root, site)?;
    let context = crate::render::views::site_context(network, site);
    load_briefs(&network.root, site, &context, &registry)
}

/// Loads a site's briefs: the blueprint's (unless the site opted out
/// with `blueprint = false`), then the site's own (a site brief
/// with the same slug replaces the blueprint's). `context` holds `site`.
pub fn load_briefs(
    root: &Path,
    site: &Site,
    context: &Context,
    registry: &Registry,
) -> Result<Vec<Brief>> {
    let mut briefs: Vec<Brief> = Vec::new();
    let blueprint = root.join("content").join(BRIEFS_FILE);
    let own = site.dir.join(BRIEFS_FILE);
    for path in [site.config.blueprint.then_some(blueprint), Some(own)]
        .into_iter()
        .flatten()
    {
        if !path.is_file() {
            continue;
        }
        for brief in read_briefs(&path, context, registry)? {
            briefs.retain(|b| b.slug != brief.slug);
            briefs.push(brief);
        }
    }
    Ok(briefs)
}

fn read_briefs(path: &PathBuf, context: &Context, registry: &Registry) -> Result<Vec<Brief>> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| Error::io(path, "cannot read file", source))?;
    let file: BriefsFile = parse_toml(path, &text)?;
    let mut briefs: Vec<Brief> = Vec::new();
    for spanned in file.brief {
        let (line, _) = line_col(&text, spanned.span().start);
        let location = Location::line(path, line);
        let raw = spanned.into_inner();
        let expand = |field: &str, value: &str| {
            expand_str(field, value, context).map_err(|e| {
                let mut error = template_error(path, &e);
                if let Error::Template {
                    location: l,
                    message,
                } = &mut error
                {
                    *l = location.clone();
                    *message = format!("in `{field}`: {message}");
                }
                error
            })
        };
        let expand_all = |field: &str, values: &[String]| -> Result<Vec<String>> {
            values.iter().map(|v| expand(field, v)).collect()
        };
        let mut affiliates = Vec::new();
        for slug in &raw.affiliates {
            let (line, _) = line_col(&text, slug.span().start);
            let expanded = expand("affiliates", slug.get_ref())?;
            if registry.get(&expanded).is_none() {
                return Err(Error::Content {
                    location: Location::line(path, line),
                    message: format!(
                        "unknown affiliate slug `{expanded}`: it is not in the registry ({}); add it there or remove it from the brief",
                        registry.describe_files()
                    ),
                });
            }
            affiliates.push(expanded);
        }
        let slug = expand("slug", &raw.slug)?;
        if !is_slug(&slug) {
            return Err(Error::Content {
                location,
                message: format!(
                    "brief slug `{slug}` must be lowercase letters, digits, `-` or `_` (use the `slugify` filter on site values)"
                ),
            });
        }
        if briefs.iter().any(|b| b.slug == slug) {
            return Err(Error::Content {
                location,
                message: format!("brief slug `{slug}` appears twice in this file"),
            });
        }
        let proposed = match &raw.status {
            None => false,
            Some(status) if status.get_ref() == PROPOSED => true,
            Some(status) => {
                let (line, _) = line_col(&text, status.span().start);
                return Err(Error::Content {
                    location: Location::line(path, line),
                    message: format!(
                        "brief status `{}` is not known: `{PROPOSED}` (waiting for `grove research accept`), or no status for a brief to draft",
                        status.get_ref()
                    ),
                });
            }
        };
        let kind = expand("kind", &raw.kind)?;
        let section = expand("section", &raw.section)?;
        if section.split('/').any(|seg| seg == "..") {
            return Err(Error::Content {
                location,
                message: format!("section `{section}` must be a folder inside content/"),
            });
        }
        briefs.push(Brief {
            title: expand("title", &raw.title)?,
            section,
            prompt: match &raw.prompt {
                Some(prompt) => expand("prompt", prompt)?,
                None => kind.clone(),
            },
            kind,
            target_words: raw.target_words,
            keywords: expand_all("keywords", &raw.keywords)?,
            affiliates,
            tags: expand_all("tags", &raw.tags)?,
            categories: expand_all("categories", &raw.categories)?,
            description: raw
                .description
                .as_deref()
                .map(|d| expand("description", d))
                .transpose()?,
            outline: raw.outline,
            proposed,
            structure: expand_all("structure", &raw.structure)?,
            notes: raw
                .notes
                .as_deref()
                .map(|n| expand("notes", n))
                .transpose()?,
            source: raw.source,
            refresh: match raw.refresh {
                Some(live)
                    if live.ends_with(".md")
                        && !live.starts_with('/')
                        && !live.split('/').any(|seg| seg == "..") =>
                {
                    Some(live)
                }
                Some(live) => {
                    return Err(Error::Content {
                        location,
                        message: format!(
                            "refresh `{live}` must be a Markdown file inside content/ (as `grove refresh` writes it)"
                        ),
                    });
                }
                None => None,
            },
            location,
            slug,
        });
    }
    Ok(briefs)
}

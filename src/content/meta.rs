//! Typed page and section metadata, read from front matter fields. Besides
//! Grove's own keys, every key Zola documents for pages and sections is
//! accepted: implemented where it means something in Grove, else recorded
//! in `ignored` so that a build says once what it does not do.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use super::date::Date;
use super::front_matter::Fields;
use crate::error::Result;

/// How a section orders its pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    /// Newest first; undated pages last, by path.
    Date,
    /// Lowest `weight` first; pages without weight last, by path.
    Weight,
    /// Alphabetically by title.
    Title,
    /// By file path.
    None,
}

/// Front matter of a page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageMeta {
    /// The page title.
    pub title: String,
    /// Meta description; summaries are used when absent.
    pub description: Option<String>,
    /// Publication date.
    pub date: Option<Date>,
    /// Last significant update.
    pub updated: Option<Date>,
    /// Drafts are built only with `--drafts`.
    pub draft: bool,
    /// Overrides the last URL segment (by default the file name).
    pub slug: Option<String>,
    /// Overrides the whole URL path below the site root (Zola's `path`),
    /// without slashes at either end: `about/team`.
    pub path: Option<String>,
    /// Sort key for `sort_by = "weight"`.
    pub weight: Option<i64>,
    /// Template to render with instead of `page.html`.
    pub template: Option<String>,
    /// Old URLs that redirect here.
    pub aliases: Vec<String>,
    /// Ask search engines not to index the page; it stays out of sitemaps and feeds.
    pub noindex: bool,
    /// The page's authors, as written (`page.authors` in templates).
    pub authors: Vec<String>,
    /// Terms per configured taxonomy, e.g. `tags -> ["grinders"]`.
    pub taxonomies: BTreeMap<String, Vec<String>>,
    /// `grove audit` findings this page acknowledges, by code (a deliberate
    /// similarity, say): they are no longer reported for it.
    pub audit_allow: Vec<String>,
    /// Anything else, from `[extra]`.
    pub extra: Map<String, Value>,
    /// Keys written for another generator that Grove accepts without
    /// effect (see [`ignored_key_note`]).
    pub ignored: Vec<&'static str>,
}

impl PageMeta {
    /// Whether Grove drafted the page from a model's answer: its front
    /// matter holds the `[extra.generated]` table `grove draft` writes.
    pub fn is_generated(&self) -> bool {
        self.extra.get("generated").is_some_and(Value::is_object)
    }

    /// Whether both place a page alike in its site: URL, order, membership
    /// of listings and feeds, taxonomies, redirects and template. Only
    /// `title`, `description`, `updated`, `authors` and `extra` may differ.
    pub fn places_like(&self, other: &PageMeta) -> bool {
        self.date == other.date
            && self.draft == other.draft
            && self.slug == other.slug
            && self.path == other.path
            && self.weight == other.weight
            && self.template == other.template
            && self.aliases == other.aliases
            && self.noindex == other.noindex
            && self.taxonomies == other.taxonomies
    }
}

const PAGE_KEYS: &str = "title, description, date, updated, draft, slug, path, weight, template, aliases, noindex, authors, audit_allow, extra, taxonomies and the taxonomy names";

/// Page keys of Zola that Grove accepts without effect.
const IGNORED_PAGE_KEYS: &[&str] = &["in_search_index"];

impl PageMeta {
    /// Reads page front matter; `taxonomies` are the configured taxonomy names.
    pub fn from_fields(mut fields: Fields<'_>, taxonomies: &[&str]) -> Result<PageMeta> {
        let mut meta = PageMeta {
            title: fields.string("title")?.unwrap_or_default(),
            description: fields.string("description")?,
            date: fields.date("date")?,
            updated: fields.date("updated")?,
            draft: fields.bool("draft")?.unwrap_or(false),
            slug: fields.string("slug")?,
            path: fields.site_path("path")?,
            weight: fields.integer("weight")?,
            template: fields.string("template")?,
            aliases: fields.aliases()?,
            noindex: fields.bool("noindex")?.unwrap_or(false),
            authors: fields.strings("authors")?.unwrap_or_default(),
            taxonomies: fields.taxonomy_table(taxonomies)?,
            audit_allow: fields.strings("audit_allow")?.unwrap_or_default(),
            extra: fields.table("extra")?,
            ignored: fields.accept(IGNORED_PAGE_KEYS),
        };
        if !fields.duplicates().is_empty() {
            meta.ignored.push(DUPLICATE_KEYS);
        }
        for name in taxonomies {
            if let Some(terms) = fields.strings(name)? {
                meta.taxonomies
                    .entry((*name).to_string())
                    .or_default()
                    .extend(terms);
            }
        }
        meta.taxonomies.retain(|_, terms| {
            terms.iter_mut().for_each(|t| *t = t.trim().to_string());
            terms.retain(|t| !t.is_empty());
            !terms.is_empty()
        });
        if let Some(slug) = &meta.slug
            && (slug.is_empty() || slug.contains('/') || slug == "." || slug == "..")
        {
            return Err(fields.error(
                "slug",
                format!("slug `{slug}` must be one non-empty URL segment without `/`"),
            ));
        }
        fields.finish(PAGE_KEYS)?;
        Ok(meta)
    }
}

/// Front matter of a section (`_index.md`).
#[derive(Debug, Clone, PartialEq)]
pub struct SectionMeta {
    /// The section title.
    pub title: String,
    /// Meta description.
    pub description: Option<String>,
    /// How pages are ordered.
    pub sort_by: SortBy,
    /// Order among sibling sections (navigation).
    pub weight: Option<i64>,
    /// When the section was published (Hugo writes one in `_index.md`).
    pub date: Option<Date>,
    /// When it last changed; with `date`, the sitemap's `lastmod` for
    /// the section page when no page in it is newer.
    pub updated: Option<Date>,
    /// Pages per listing page; no pagination when absent.
    pub paginate_by: Option<usize>,
    /// Template for the section page instead of `section.html`.
    pub template: Option<String>,
    /// Template for the section's pages instead of `page.html`.
    pub page_template: Option<String>,
    /// Old URLs that redirect here.
    pub aliases: Vec<String>,
    /// Ask search engines not to index the section page.
    pub noindex: bool,
    /// A draft section is left out with everything below it, as drafts
    /// are (built only with `--drafts`).
    pub draft: bool,
    /// Anything else, from `[extra]`.
    pub extra: Map<String, Value>,
    /// Keys written for another generator that Grove accepts without
    /// effect (see [`ignored_key_note`]).
    pub ignored: Vec<&'static str>,
}

impl Default for SectionMeta {
    fn default() -> SectionMeta {
        SectionMeta {
            title: String::new(),
            description: None,
            sort_by: SortBy::Date,
            weight: None,
            date: None,
            updated: None,
            paginate_by: None,
            template: None,
            page_template: None,
            aliases: Vec::new(),
            noindex: false,
            draft: false,
            extra: Map::new(),
            ignored: Vec::new(),
        }
    }
}

const SECTION_KEYS: &str = "title, description, sort_by, weight, date, updated, paginate_by, template, page_template, aliases, noindex, draft, extra and the taxonomy names";

/// Section keys of Zola that Grove accepts without effect.
const IGNORED_SECTION_KEYS: &[&str] = &[
    "in_search_index",
    "insert_anchor_links",
    "render",
    "redirect_to",
    "transparent",
    "paginate_path",
    "paginate_reversed",
    "generate_feeds",
    "generate_feed",
    "authors",
    "author",
    "slug",
];

/// Stands for YAML keys given twice, in `ignored`.
const DUPLICATE_KEYS: &str = "a key given twice";

/// Stands for taxonomy terms given to a section in [`SectionMeta::ignored`].
const SECTION_TERMS: &str = "taxonomy terms";

impl SectionMeta {
    /// Reads section front matter; `taxonomies` are the configured
    /// taxonomy names (terms Hugo lets a section have are accepted).
    pub fn from_fields(mut fields: Fields<'_>, taxonomies: &[&str]) -> Result<SectionMeta> {
        // Zola's orders map to the nearest of Grove's.
        let sort_by = match fields.string("sort_by")?.as_deref() {
            None | Some("date") | Some("update_date") => SortBy::Date,
            Some("weight") => SortBy::Weight,
            Some("title") | Some("title_bytes") => SortBy::Title,
            Some("none") | Some("slug") => SortBy::None,
            Some(other) => {
                return Err(fields.error(
                    "sort_by",
                    format!("sort_by = \"{other}\" is not one of \"date\", \"weight\", \"title\", \"none\""),
                ));
            }
        };
        let mut meta = SectionMeta {
            title: fields.string("title")?.unwrap_or_default(),
            description: fields.string("description")?,
            sort_by,
            weight: fields.integer("weight")?,
            date: fields.date("date")?,
            updated: fields.date("updated")?,
            paginate_by: fields.positive("paginate_by")?,
            template: fields.string("template")?,
            page_template: fields.string("page_template")?,
            aliases: fields.aliases()?,
            noindex: fields.bool("noindex")?.unwrap_or(false),
            draft: fields.bool("draft")?.unwrap_or(false),
            extra: fields.table("extra")?,
            ignored: fields.accept(IGNORED_SECTION_KEYS),
        };
        let mut has_terms = !fields.taxonomy_table(taxonomies)?.is_empty();
        for name in taxonomies {
            has_terms |= fields.strings(name)?.is_some();
        }
        if has_terms {
            meta.ignored.push(SECTION_TERMS);
        }
        if !fields.duplicates().is_empty() {
            meta.ignored.push(DUPLICATE_KEYS);
        }
        fields.finish(SECTION_KEYS)?;
        Ok(meta)
    }
}

/// The line a build prints once for an accepted-but-ignored key of
/// [`PageMeta::ignored`] or [`SectionMeta::ignored`].
pub fn ignored_key_notice(key: &str) -> String {
    match key {
        DUPLICATE_KEYS => {
            "the YAML front matter gives a key twice in one mapping; its last value is used, as in Hugo".into()
        }
        SECTION_TERMS => {
            "taxonomy terms of a section are not listed: term pages list pages, not sections".into()
        }
        _ => format!("`{key}` in front matter has no effect: {}", ignored_key_note(key)),
    }
}

/// What Grove does instead of what an accepted-but-ignored key asks for.
fn ignored_key_note(key: &str) -> &'static str {
    match key {
        "in_search_index" => "Grove builds no search index",
        "insert_anchor_links" => {
            "anchor links on headings are set for the whole network (`anchor_links` in grove.toml's [build] table)"
        }
        "render" => "sections are always rendered as listings",
        "redirect_to" => {
            "the section is rendered as a listing, not a redirect; list its URL in the target page's `aliases` instead"
        }
        "transparent" => "a section's pages are listed in that section only",
        "paginate_path" => "listing pages are always at page/N/",
        "paginate_reversed" => "listing pages follow the section's `sort_by`",
        "generate_feeds" | "generate_feed" => {
            "feeds are switched on or off for the whole network (`feeds` in grove.toml's [seo] table)"
        }
        "authors" | "author" => "a section page shows no authors",
        "slug" => {
            "a section's URL is its folder's (rename the folder, or list the old URL in `aliases`)"
        }
        _ => "it has no effect in Grove",
    }
}

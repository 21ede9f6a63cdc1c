//! `grove import wordpress`: posts and pages from a WordPress export file
//! (WXR, the XML from Tools > Export) with their slugs, dates, status,
//! categories, tags and excerpts; bodies converted to Markdown; old
//! permalinks kept as aliases and links between posts made `@/` links.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use roxmltree::{Document as Xml, Node};

use super::document::Document;
use super::html_markdown::{self, Options};
use super::names;
use super::report::Report;
mod archives;

use super::{Context, Imported, OldUrl, SiteSettings, dedupe_aliases, dedupe_terms, dedupe_urls};
use crate::content::escape_template_syntax;
use crate::error::{Error, Location, Result};
use crate::html_scan::{percent_decode, unescape};

/// The folder posts go to.
const POSTS: &str = "blog";

/// Post types that are not content, left out with one line each.
const NOT_CONTENT: &[(&str, &str)] = &[
    (
        "nav_menu_item",
        "navigation menu entries are not imported: Grove's theme builds navigation from sections",
    ),
    (
        "revision",
        "revisions are not imported: the latest version of each post is",
    ),
    (
        "wp_block",
        "reusable blocks are not imported: their copies inside posts are",
    ),
    ("wp_navigation", "navigation menus are not imported"),
    (
        "wp_template",
        "block theme templates are not imported: Grove sites use the network's theme",
    ),
    (
        "wp_template_part",
        "block theme template parts are not imported",
    ),
    ("wp_global_styles", "theme styles are not imported"),
    (
        "custom_css",
        "custom CSS is not imported: put it in the theme or static/",
    ),
    (
        "customize_changeset",
        "Customizer changesets are not imported",
    ),
    ("oembed_cache", "oEmbed caches are not imported"),
    ("user_request", "privacy requests are not imported"),
];

/// Self-closing blocks with no content of their own that need nothing.
const HARMLESS_BLOCKS: &[&str] = &["more", "nextpage", "separator", "spacer"];

/// One `<item>` of the export.
struct Item {
    id: String,
    title: String,
    kind: String,
    status: String,
    slug: String,
    link: String,
    date: Option<String>,
    parent: String,
    creator: String,
    /// The author's login (`dc:creator`), which names their archive.
    creator_login: String,
    content: String,
    excerpt: String,
    password: bool,
    sticky: bool,
    terms: Vec<Term>,
    meta: HashMap<String, String>,
    comments: usize,
    attachment_url: String,
}

/// A category, tag or other term of an item.
struct Term {
    /// `category`, `post_tag`, `post_format`, ...
    domain: String,
    name: String,
    /// Its URL segment in WordPress.
    nicename: String,
}

/// Imports the WXR file at `path`.
pub fn import(path: &Path, context: &Context<'_>) -> Result<Imported> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| Error::io(path, "cannot read file", source))?;
    let xml = Xml::parse(&text).map_err(|e| Error::Config {
        location: Location::line(path, e.pos().row as usize).with_column(e.pos().col as usize),
        message: format!("not a WordPress export (WXR) file: {e}"),
    })?;
    let channel = xml
        .root_element()
        .children()
        .find(|n| n.has_tag_name("channel"))
        .ok_or_else(|| Error::Config {
            location: Location::file(path),
            message:
                "not a WordPress export (WXR) file: no <channel>; export again from Tools > Export"
                    .into(),
        })?;
    let base = child_text(channel, "base_blog_url")
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| child_text(channel, "link").unwrap_or_default());
    let settings = SiteSettings {
        title: unescape(&child_text(channel, "title").unwrap_or_default()),
        base_url: base.clone(),
        description: unescape(&child_text(channel, "description").unwrap_or_default()),
        language: child_text(channel, "language")
            .filter(|l| !l.is_empty())
            .map(|l| l.split(['-', '_']).next().unwrap_or("en").to_lowercase()),
        url_rules: crate::content::UrlRules::Grove,
        term_feeds: false,
    };
    let authors: HashMap<String, String> = channel
        .children()
        .filter(|n| n.has_tag_name("author"))
        .filter_map(|n| {
            let login = child_text(n, "author_login")?;
            let name = child_text(n, "author_display_name").filter(|d| !d.is_empty())?;
            Some((login, unescape(&name)))
        })
        .collect();
    let mut report = Report::default();
    let items: Vec<Item> = channel
        .children()
        .filter(|n| n.has_tag_name("item"))
        .filter_map(|node| match oversized_field(node) {
            None => Some(read_item(node, &authors)),
            Some(why) => {
                report.attention(&format!("item {}", node_id(node)), why);
                None
            }
        })
        .collect();
    let mut imported = Imported::new(settings);
    let attachments: HashMap<&str, &str> = items
        .iter()
        .filter(|i| i.kind == "attachment")
        .map(|i| (i.id.as_str(), i.attachment_url.as_str()))
        .collect();
    let placed = place_items(&items, &mut report);
    // Old permalink path -> `@/` link, for links between published items.
    let links: HashMap<String, String> = placed
        .iter()
        .filter(|(item, _)| item.status == "publish")
        .filter_map(|(item, rel)| Some((old_path(&item.link, &base)?, format!("@/{rel}"))))
        .collect();
    let rewrite = |url: &str| rewrite_link(url, &base, &links);
    let mut section_page: Option<(&Item, String)> = None;
    let mut documents: Vec<(String, String, Document)> = Vec::new();
    for (item, rel) in &placed {
        if item.kind == "page" && rel == &format!("{POSTS}.md") {
            section_page = Some((item, rel.clone()));
            continue;
        }
        let mut doc = convert_item(
            item,
            rel,
            &base,
            &attachments,
            &rewrite,
            context,
            &mut report,
        );
        doc.body =
            super::affiliate::rewrite_links(&doc.body, &source_name(item), &mut imported.products);
        documents.push((source_name(item), rel.clone(), doc));
        report.pages += 1;
    }
    let posts: Vec<&Item> = placed
        .iter()
        .map(|(item, _)| *item)
        .filter(|item| item.kind == "post" && item.status == "publish")
        .collect();
    let archives = archives::archives(channel, &posts, &base, context.taxonomies, &mut report);
    for (rel, doc) in archives.term_pages {
        imported.add_text(format!("content/{rel}"), doc.to_text());
    }
    imported.redirects = archives.redirects;
    imported.old_urls = archives.old_urls;
    imported.old_urls.push(OldUrl::new("/", "the home page"));
    for (item, _) in placed.iter().filter(|(item, _)| item.status == "publish") {
        if let Some(path) = old_path(&item.link, &base) {
            let url = OldUrl::new(&path, &source_name(item));
            imported.old_urls.push(if item.password {
                url.not_expected("password-protected, so imported as a draft")
            } else {
                url
            });
        }
    }
    dedupe_urls(&mut documents, None, &mut report);
    dedupe_aliases(&mut documents, None, &mut report);
    dedupe_terms(&mut documents, crate::content::UrlRules::Grove, &mut report);
    for (_, rel, doc) in documents {
        imported.add_text(format!("content/{rel}"), doc.to_text());
    }
    if placed.iter().any(|(item, _)| item.kind == "post") {
        let mut doc = Document::default();
        match section_page {
            Some((page, _)) => {
                doc.set_str("title", &page.title);
                let body =
                    body_markdown(page, &format!("{POSTS}/_index.md"), &rewrite, &mut report);
                doc.body = super::affiliate::rewrite_links(
                    &body,
                    &source_name(page),
                    &mut imported.products,
                );
                report.changed(
                    &source_name(page),
                    format!("the posts page became the section page {POSTS}/_index.md"),
                );
            }
            None => doc.set_str("title", "Blog"),
        }
        doc.set_str("sort_by", "date");
        imported.add_text(format!("content/{POSTS}/_index.md"), doc.to_text());
    }
    for item in &items {
        report_left_out(item, &mut report);
    }
    imported.report = report;
    Ok(imported)
}

/// The longest text a WordPress field Grove reads may have, besides a
/// post's content and excerpt.
const MAX_FIELD: usize = 64 * 1024;

/// Why the `<item>` at `node` is not imported, when one of the short
/// fields Grove reads (title, slug, link, type, status, terms, the SEO
/// description) is longer than any real one: a corrupt or hostile export.
fn oversized_field(node: Node<'_, '_>) -> Option<String> {
    let fields = node
        .children()
        .filter(|n| n.is_element())
        .filter_map(|field| {
            let name = field.tag_name().name();
            let text = match name {
                "encoded" | "postmeta" | "comment" => None,
                _ => field.text(),
            };
            let meta = (name == "postmeta")
                .then(|| {
                    let key = child_text(field, "meta_key")?;
                    SEO_META
                        .iter()
                        .any(|(name, _)| *name == key)
                        .then(|| child_text(field, "meta_value"))
                        .flatten()
                })
                .flatten();
            let len = text.map_or(0, str::len).max(meta.map_or(0, |m| m.len()));
            (len > MAX_FIELD).then(|| (name.to_string(), len))
        });
    let (name, len) = fields.max_by_key(|(_, len)| *len)?;
    Some(format!(
        "its <{name}> is {len} bytes, over the {} KB such a field may have: a damaged or hostile export; not imported",
        MAX_FIELD / 1024
    ))
}

/// What an SEO plugin's post meta fills in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SeoField {
    /// The page's `description`.
    Description,
    /// `[extra] seo_title`: the title for search results.
    Title,
}

/// SEO plugins' post meta keys (Yoast, Rank Math) and what each fills;
/// for a field, the first key an item has wins. A plugin's keys are a line
/// each.
const SEO_META: &[(&str, SeoField)] = &[
    ("_yoast_wpseo_metadesc", SeoField::Description),
    ("rank_math_description", SeoField::Description),
    ("_yoast_wpseo_title", SeoField::Title),
];

/// The value of the first of [`SEO_META`]'s keys for `field` that `item` has.
fn seo_meta(item: &Item, field: SeoField) -> Option<&String> {
    SEO_META
        .iter()
        .filter(|(_, fills)| *fills == field)
        .find_map(|(key, _)| item.meta.get(*key))
}

/// The `post_id` of an `<item>`, for messages.
fn node_id(node: Node<'_, '_>) -> String {
    child_text(node, "post_id")
        .map(|id| id.chars().take(20).collect())
        .unwrap_or_else(|| "without an id".into())
}

fn read_item(node: Node<'_, '_>, authors: &HashMap<String, String>) -> Item {
    let text = |name: &str| child_text(node, name).unwrap_or_default();
    let date_gmt = text("post_date_gmt");
    let date = if !date_gmt.is_empty() && !date_gmt.starts_with("0000") {
        Some(format!("{}Z", date_gmt.replacen(' ', "T", 1)))
    } else {
        let local = text("post_date");
        (!local.is_empty() && !local.starts_with("0000")).then(|| local.replacen(' ', "T", 1))
    };
    let mut meta = HashMap::new();
    for entry in node.children().filter(|n| n.has_tag_name("postmeta")) {
        if let (Some(key), Some(value)) = (
            child_text(entry, "meta_key"),
            child_text(entry, "meta_value"),
        ) {
            meta.insert(key, value);
        }
    }
    Item {
        id: text("post_id"),
        title: unescape(&text("title")),
        kind: text("post_type"),
        status: text("status"),
        slug: percent_decode(&text("post_name")).unwrap_or_else(|| text("post_name")),
        link: text("link"),
        date,
        parent: text("post_parent"),
        creator: authors
            .get(&text("creator"))
            .cloned()
            .unwrap_or_else(|| text("creator")),
        creator_login: text("creator"),
        content: encoded(node, false),
        excerpt: encoded(node, true),
        password: !text("post_password").is_empty(),
        sticky: text("is_sticky") == "1",
        terms: node
            .children()
            .filter(|n| n.has_tag_name("category"))
            .map(|n| Term {
                domain: n.attribute("domain").unwrap_or_default().to_string(),
                name: unescape(n.text().unwrap_or_default().trim()),
                nicename: n.attribute("nicename").unwrap_or_default().to_string(),
            })
            .collect(),
        meta,
        comments: node
            .children()
            .filter(|n| n.has_tag_name("comment"))
            .count(),
        attachment_url: text("attachment_url"),
    }
}

/// The text of the first child named `name` (any namespace).
fn child_text(node: Node<'_, '_>, name: &str) -> Option<String> {
    node.children()
        .find(|n| n.is_element() && n.tag_name().name() == name)
        .map(|n| n.text().unwrap_or_default().trim().to_string())
}

/// `content:encoded`, or with `excerpt` the `excerpt:encoded`.
fn encoded(node: Node<'_, '_>, excerpt: bool) -> String {
    node.children()
        .find(|n| {
            n.is_element()
                && n.tag_name().name() == "encoded"
                && n.tag_name()
                    .namespace()
                    .is_some_and(|ns| ns.contains("excerpt") == excerpt)
        })
        .and_then(|n| n.text())
        .unwrap_or_default()
        .to_string()
}

/// Chooses each post's and page's file: posts in `blog/`, pages nested
/// under their parent pages; slugs made unique.
fn place_items<'i>(items: &'i [Item], report: &mut Report) -> Vec<(&'i Item, String)> {
    let content: Vec<&Item> = items
        .iter()
        .filter(|i| {
            (i.kind == "post" || i.kind == "page")
                && i.status != "trash"
                && i.status != "auto-draft"
        })
        .collect();
    let pages: HashMap<&str, &Item> = content
        .iter()
        .filter(|i| i.kind == "page")
        .map(|i| (i.id.as_str(), *i))
        .collect();
    let mut used: HashSet<String> = HashSet::new();
    let mut placed = Vec::new();
    for item in &content {
        let mut slug = file_name(item);
        if item.slug.is_empty() {
            report.changed(
                &source_name(item),
                format!(
                    "no slug in the export (an unpublished {}): named `{slug}` after its title",
                    item.kind
                ),
            );
        } else if slug != item.slug {
            report.changed(
                &source_name(item),
                format!(
                    "slug `{}` cannot be a file name (it would lead out of its folder or be hidden): saved as `{slug}`",
                    item.slug.escape_debug()
                ),
            );
        }
        let dir = if item.kind == "post" {
            POSTS.to_string()
        } else {
            parent_dir(item, &pages)
        };
        let base = slug.clone();
        let mut n = 2;
        while !used.insert(join(&dir, &slug)) {
            slug = format!("{base}-{n}");
            n += 1;
        }
        if slug != base {
            report.changed(
                &source_name(item),
                format!("slug `{base}` is taken: saved as `{slug}`"),
            );
        }
        placed.push((*item, format!("{}.md", join(&dir, &slug))));
    }
    placed
}

/// The folder of a page below its ancestors: `parent/child`.
fn parent_dir(item: &Item, pages: &HashMap<&str, &Item>) -> String {
    let mut chain = Vec::new();
    let mut parent = item.parent.as_str();
    while let Some(page) = pages.get(parent) {
        if chain.len() > 16 {
            break;
        }
        chain.push(file_name(page));
        parent = page.parent.as_str();
    }
    chain.reverse();
    chain.join("/")
}

/// The name an item's file (or, for a parent page, folder) takes: its
/// slug made safe ([`names::segment`]), else its title's slug, else its
/// type and id.
fn file_name(item: &Item) -> String {
    let safe = names::segment(&item.slug);
    if !safe.is_empty() {
        return safe;
    }
    let made = slug::slugify(&item.title);
    if made.is_empty() {
        format!("{}-{}", item.kind, item.id)
    } else {
        made
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// How the report names an item: its type and id, and its title.
fn source_name(item: &Item) -> String {
    format!("{} {} \"{}\"", item.kind, item.id, item.title)
}

/// The site path of an old permalink on `base`, with a trailing slash.
fn old_path(link: &str, base: &str) -> Option<String> {
    let rest = strip_host(link, base)?;
    let path = rest.split(['?', '#']).next().unwrap_or_default();
    if path.trim_matches('/').is_empty() {
        return None;
    }
    let path = format!("/{}", path.trim_start_matches('/'));
    // Decoded once: Grove writes aliases as text and encodes them (once)
    // where a URL is needed.
    let decoded = percent_decode(&path).unwrap_or_else(|| path.clone());
    if !names::stays_inside(decoded.trim_matches('/')) {
        return None; // `..`, `\`, a control character: no path of the site
    }
    Some(if decoded.ends_with('/') {
        decoded
    } else {
        format!("{decoded}/")
    })
}

/// The path part of `url` if it is on the site (`base`, either scheme,
/// with or without `www.`) or root-relative.
fn strip_host<'u>(url: &'u str, base: &str) -> Option<&'u str> {
    if url.starts_with('/') && !url.starts_with("//") {
        return Some(url);
    }
    let host = |u: &str| -> String {
        let rest = u.split("://").nth(1).unwrap_or(u);
        rest.split('/')
            .next()
            .unwrap_or_default()
            .trim_start_matches("www.")
            .to_ascii_lowercase()
    };
    let site_host = host(base);
    let after_scheme = url.split_once("://")?.1;
    let (url_host, path) = after_scheme.split_once('/').unwrap_or((after_scheme, ""));
    let base_path = base
        .split("://")
        .nth(1)
        .and_then(|r| r.split_once('/'))
        .map_or("", |(_, p)| p.trim_matches('/'));
    if url_host.trim_start_matches("www.").to_ascii_lowercase() != site_host {
        return None;
    }
    let start = after_scheme.len() - path.len() - 1;
    let path_with_slash = &after_scheme[start..];
    if base_path.is_empty() {
        Some(path_with_slash)
    } else {
        path_with_slash.strip_prefix(&format!("/{base_path}"))
    }
}

/// A link to an old permalink of a published post or page becomes its
/// `@/` link; anything else is kept.
fn rewrite_link(url: &str, base: &str, links: &HashMap<String, String>) -> String {
    let Some(path) = old_path(url, base) else {
        return url.to_string();
    };
    let fragment = url
        .split_once('#')
        .map(|(_, f)| format!("#{f}"))
        .unwrap_or_default();
    match links.get(&path) {
        Some(link) => format!("{link}{fragment}"),
        None => url.to_string(),
    }
}

/// A post or page as a Grove document.
fn convert_item(
    item: &Item,
    rel: &str,
    base: &str,
    attachments: &HashMap<&str, &str>,
    rewrite: &dyn Fn(&str) -> String,
    context: &Context<'_>,
    report: &mut Report,
) -> Document {
    let name = source_name(item);
    let mut doc = Document::default();
    doc.set_str("title", &item.title);
    let description = seo_meta(item, SeoField::Description)
        .filter(|d| !d.trim().is_empty())
        .cloned()
        .or_else(|| {
            let excerpt = crate::seo::plain_text(&item.excerpt);
            (!excerpt.is_empty()).then_some(excerpt)
        });
    if let Some(description) = description {
        doc.set_str("description", &description);
    }
    if let Some(date) = &item.date {
        doc.set_date("date", date);
    }
    match item.status.as_str() {
        "publish" => {}
        "future" => report.changed(
            &name,
            "scheduled in WordPress: Grove publishes it on its date",
        ),
        "private" => {
            doc.set("draft", toml::Value::Boolean(true));
            report.attention(
                &name,
                "private in WordPress: imported as a draft, so it is not published",
            );
        }
        _ => {
            doc.set("draft", toml::Value::Boolean(true));
        }
    }
    if item.password {
        doc.set("draft", toml::Value::Boolean(true));
        report.attention(&name, "password-protected in WordPress: imported as a draft (a static page cannot ask for a password)");
    }
    if item.status == "publish"
        && old_path(&item.link, base).is_none()
        && strip_host(&item.link, base).is_some_and(|rest| {
            let path = rest.split(['?', '#']).next().unwrap_or_default();
            !path.trim_matches('/').is_empty()
        })
    {
        report.attention(
            &name,
            format!(
                "its old URL `{}` leads out of the site: no redirect from it",
                item.link.escape_debug()
            ),
        );
    }
    if item.status == "publish"
        && let Some(old) = old_path(&item.link, base)
    {
        let new_path = crate::content::url_path(rel, None, None);
        if old != new_path {
            doc.set(
                "aliases",
                toml::Value::Array(vec![toml::Value::String(old)]),
            );
        }
    }
    let mut by_domain: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for term in &item.terms {
        by_domain
            .entry(term.domain.as_str())
            .or_default()
            .push(term.name.clone());
    }
    for (domain, terms) in by_domain {
        let taxonomy = match domain {
            "category" => "categories",
            "post_tag" => "tags",
            other => other,
        };
        if context.taxonomies.iter().any(|t| t == taxonomy) {
            doc.add_terms(taxonomy, terms);
        } else {
            doc.set_extra(taxonomy, &serde_json::json!(terms));
            if matches!(taxonomy, "categories" | "tags") {
                report.attention(&name, format!("taxonomy `{taxonomy}` is not configured in grove.toml: its terms are under [extra]"));
            } else {
                report.changed(&name, format!("`{taxonomy}` terms kept under [extra]"));
            }
        }
    }
    if !item.creator.is_empty() {
        doc.set(
            "authors",
            toml::Value::Array(vec![toml::Value::String(item.creator.clone())]),
        );
    }
    doc.set_extra(
        "wordpress_id",
        &serde_json::json!(item.id.parse::<i64>().unwrap_or_default()),
    );
    if let Some(url) = item
        .meta
        .get("_thumbnail_id")
        .and_then(|id| attachments.get(id.as_str()))
    {
        doc.set_extra("image", &serde_json::json!(url));
    }
    if let Some(title) = seo_meta(item, SeoField::Title).filter(|t| !t.is_empty()) {
        doc.set_extra("seo_title", &serde_json::json!(title));
    }
    if item.sticky {
        doc.set_extra("sticky", &serde_json::json!(true));
    }
    if item.comments > 0 {
        report.changed(&name, "comments are not imported (a static site has none)");
    }
    doc.body = body_markdown(item, &name, rewrite, report);
    doc
}

/// An item's body as Markdown: block comments handled, shortcodes
/// converted or listed, HTML converted, template syntax escaped.
fn body_markdown(
    item: &Item,
    name: &str,
    rewrite: &dyn Fn(&str) -> String,
    report: &mut Report,
) -> String {
    let is_blocks = item.content.contains("<!-- wp:");
    let html = block_comments(&item.content, name, report);
    let html = shortcodes(&html, name, report);
    let (markdown, flattened) = html_markdown::to_markdown(
        &html,
        &Options {
            autop: !is_blocks,
            rewrite_url: rewrite,
        },
    );
    if flattened > 0 {
        report.attention(
            name,
            format!(
                "HTML nested deeper than {} elements: {flattened} tags below that were dropped, their text kept; check the page",
                html_markdown::MAX_DEPTH
            ),
        );
    }
    for url in uploads(&markdown) {
        report.attention(&url, "an uploaded file the pages use, still served by the old site: download it into static/ and update the links");
    }
    escape_template_syntax(&markdown)
}

/// Gutenberg's block comments removed (the `<!--more-->` inside `wp:more`
/// stays, as the summary marker); a self-closing dynamic block (its content made by PHP, such as
/// latest posts) is reported.
fn block_comments(html: &str, name: &str, report: &mut Report) -> String {
    if !html.contains("<!--") {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("<!--") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 4..];
        let end = after.find("-->").unwrap_or(after.len());
        let comment = after[..end].trim();
        rest = after.get(end + 3..).unwrap_or("");
        let Some(block) = comment
            .strip_prefix("wp:")
            .or_else(|| comment.strip_prefix("/wp:"))
        else {
            match comment {
                "more" => out.push_str("<!--more-->"),
                "nextpage" => report.changed(
                    name,
                    "page breaks (<!--nextpage-->) removed: the parts are one page",
                ),
                _ => {}
            }
            continue;
        };
        let block_name = block
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or_default();
        // `wp:more` wraps a classic `<!--more-->`, which stays.
        if comment.ends_with('/') && !HARMLESS_BLOCKS.contains(&block_name) {
            report.attention(name, format!("dynamic block `{block_name}` (made by WordPress when the page is shown) cannot be imported: write its content or remove it"));
        }
    }
    out.push_str(rest);
    out
}

/// WordPress shortcodes: `[caption]` becomes a figure and `[embed]` a
/// link; others are kept as text and reported.
fn shortcodes(html: &str, name: &str, report: &mut Report) -> String {
    if !html.contains('[') {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find('[') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let Some(close) = tail.find(']') else {
            out.push_str(tail);
            rest = "";
            break;
        };
        let inner = &tail[1..close];
        let code = inner.split_whitespace().next().unwrap_or_default();
        let is_name = !code.is_empty()
            && code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
            && code.starts_with(|c: char| c.is_ascii_lowercase());
        let closing_tag = format!("[/{code}]");
        let paired = is_name && tail[close..].contains(&closing_tag);
        if !is_name || !(paired || inner.contains('=') || KNOWN_SHORTCODES.contains(&code)) {
            out.push('[');
            rest = &tail[1..];
            continue;
        }
        let (body, after) = if paired {
            let end = tail.find(&closing_tag).unwrap_or(close);
            (&tail[close + 1..end], &tail[end + closing_tag.len()..])
        } else {
            ("", &tail[close + 1..])
        };
        match code {
            "caption" | "wp_caption" => {
                let (image, text) = split_caption(body);
                let caption = if text.trim().is_empty() {
                    attribute(inner, "caption").unwrap_or_default()
                } else {
                    text.trim().to_string()
                };
                out.push_str(&format!(
                    "<figure>{image}<figcaption>{caption}</figcaption></figure>"
                ));
                report.changed(name, "[caption] became a figure");
            }
            "embed" => {
                out.push_str(&format!("<p><a href=\"{0}\">{0}</a></p>", body.trim()));
                report.changed(name, "[embed] became a link");
            }
            _ => {
                out.push_str(&tail[..tail.len() - after.len()]);
                report.attention(name, format!("shortcode [{code}] is kept as text: write its content, or an HTML equivalent"));
            }
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// A `[caption]` body split into its image (an `<img>`, or the link
/// around one) and the caption text after it, which may hold markup.
fn split_caption(body: &str) -> (&str, &str) {
    let trimmed = body.trim_start();
    let start = body.len() - trimmed.len();
    let end = if trimmed.starts_with("<a") {
        trimmed.find("</a>").map(|i| i + 4)
    } else if trimmed.starts_with("<img") {
        trimmed.find('>').map(|i| i + 1)
    } else {
        None
    };
    match end {
        Some(end) => body.split_at(start + end),
        None => {
            let split = body.rfind('>').map_or(0, |i| i + 1);
            body.split_at(split)
        }
    }
}

/// The value of attribute `name` of a shortcode's opening tag, `inner`
/// being what stands between its brackets (`caption id="1" caption="..."`),
/// read as the HTML tag it is written like.
fn attribute(inner: &str, name: &str) -> Option<String> {
    crate::html_scan::parse_tag(&format!("<{inner}>"))?
        .attribute(name)
        .map(str::to_string)
}

/// Core and common plugin shortcodes recognised even without arguments.
const KNOWN_SHORTCODES: &[&str] = &[
    "gallery",
    "audio",
    "video",
    "playlist",
    "embed",
    "caption",
    "wp_caption",
    "contact-form-7",
    "toc",
];

/// Links to `wp-content/uploads` in converted Markdown.
fn uploads(markdown: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (at, _) in markdown.match_indices("/wp-content/uploads/") {
        let start = markdown[..at]
            .rfind(['(', '"', '<', ' ', '\n'])
            .map_or(0, |i| i + 1);
        let end = markdown[at..]
            .find([')', '"', '>', ' ', '\n'])
            .map_or(markdown.len(), |i| at + i);
        let url = markdown[start..end].to_string();
        if !found.contains(&url) {
            found.push(url);
        }
    }
    found
}

/// Says why an item is not a page: attachments to download, trash, other
/// post types.
fn report_left_out(item: &Item, report: &mut Report) {
    let name = source_name(item);
    match item.kind.as_str() {
        "post" | "page" if item.status == "trash" => report.attention(&name, "in the trash: not imported"),
        "post" | "page" => {}
        "attachment" => report.changed(&item.attachment_url, "a media library file: not copied (pages that use it are listed under \"Needs a person\")"),
        kind => match NOT_CONTENT.iter().find(|(k, _)| *k == kind) {
            Some((_, message)) => report.changed(kind, *message),
            None => report.attention(&name, format!("items of type `{kind}` (from a plugin or theme) are not imported: recreate them as pages if they matter")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_permalinks_are_site_paths() {
        let base = "https://example.com";
        assert_eq!(
            old_path("https://example.com/2024/01/hello/", base).as_deref(),
            Some("/2024/01/hello/")
        );
        assert_eq!(
            old_path("http://www.example.com/hello", base).as_deref(),
            Some("/hello/")
        );
        assert_eq!(old_path("https://other.com/hello/", base), None);
        assert_eq!(old_path("https://example.com/?p=12", base), None);
        assert_eq!(
            old_path("https://example.com/blog/x/", "https://example.com/blog").as_deref(),
            Some("/x/")
        );
    }

    #[test]
    fn a_caption_keeps_its_text_from_the_attribute_or_after_the_image() {
        let mut report = Report::default();
        let out = shortcodes(
            "[caption id=\"a\" caption=\"Husk, Clarkson\"]<a href=\"b.jpg\"><img src=\"b.jpg\" /></a>[/caption] [caption width=\"580\"]<img src=\"c.jpg\" /> Look at <a href=\"/s\">caption</a> love.[/caption]",
            "post",
            &mut report,
        );
        assert_eq!(
            out,
            "<figure><a href=\"b.jpg\"><img src=\"b.jpg\" /></a><figcaption>Husk, Clarkson</figcaption></figure> <figure><img src=\"c.jpg\" /><figcaption>Look at <a href=\"/s\">caption</a> love.</figcaption></figure>"
        );
    }

    #[test]
    fn shortcodes_are_converted_or_kept_and_listed() {
        let mut report = Report::default();
        let out = shortcodes(
            "[caption id=\"a\" width=\"300\"]<img src=\"x.jpg\" alt=\"X\" /> The caption[/caption] [gallery ids=\"1,2\"] [sic] [amazon box=\"B01\"]",
            "post 1",
            &mut report,
        );
        assert!(out.starts_with("<figure><img src=\"x.jpg\" alt=\"X\" /><figcaption>The caption</figcaption></figure>"), "{out}");
        assert!(
            out.contains("[gallery ids=\"1,2\"] [sic] [amazon box=\"B01\"]"),
            "{out}"
        );
        let attention: Vec<&str> = report
            .attention
            .iter()
            .map(|i| i.message.as_str())
            .collect();
        assert_eq!(attention.len(), 2, "{attention:?}");
    }
}

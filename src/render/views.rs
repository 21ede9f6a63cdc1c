//! What templates see: pages, sections and the site as JSON values. Each
//! page's listing view is serialized once and reused by every listing.

use crate::web_url::Urls;
use serde_json::{Value, json};

use super::listing::{ListingFields, page_listing};
use super::site_data::SiteData;
use crate::content::{Section, SiteContent};
use crate::network::{Network, Site};

/// The Tera context content, briefs and prompts of `site` are expanded
/// with: `site` (see [`site_value`]).
pub fn site_context(network: &Network, site: &Site) -> tera::Context {
    let mut context = tera::Context::new();
    context.insert("site", &site_value(network, site));
    context
}

/// The `site` value for content expansion: configuration only.
pub fn site_value(network: &Network, site: &Site) -> Value {
    let config = &site.config;
    json!({
        "name": site.name,
        "title": config.title,
        "base_url": site.base_url,
        "base_path": site.base_path,
        "niche": config.niche,
        "audience": config.audience,
        "description": config.description,
        "language": site.language(&network.config),
        "vars": config.vars,
        "affiliate": config.affiliate,
        "ads": config.ads.slots,
        "image": config.image,
        "twitter": config.twitter,
        "network": { "name": network.config.network.name },
    })
}

/// Adds what only the loaded content knows to `site`: `nav` (top-level
/// sections), `root_pages` (pages at the top level, such as about and
/// privacy) and `taxonomies` (those with terms).
pub fn add_content_to_site(site: &mut Value, content: &SiteContent, urls: &Urls) {
    let nav: Vec<Value> = content.sections[0]
        .subsections
        .iter()
        .map(|&i| {
            let s = &content.sections[i];
            json!({ "title": section_title(s, ""), "path": urls.path(&s.path) })
        })
        .collect();
    let root_pages: Vec<Value> = content.sections[0]
        .pages
        .iter()
        .map(|&i| {
            let p = &content.pages[i];
            json!({ "title": p.meta.title, "path": urls.path(&p.path) })
        })
        .collect();
    let taxonomies: Vec<Value> = content
        .taxonomies
        .iter()
        .filter(|t| !t.terms.is_empty())
        .map(|t| json!({ "name": t.config.name, "path": urls.path(&format!("/{}/", t.config.name)) }))
        .collect();
    if let Value::Object(map) = site {
        map.insert("nav".into(), Value::Array(nav));
        map.insert("root_pages".into(), Value::Array(root_pages));
        map.insert("taxonomies".into(), Value::Array(taxonomies));
    }
}

fn section_title<'a>(section: &'a Section, fallback: &'a str) -> &'a str {
    if section.meta.title.is_empty() {
        fallback
    } else {
        &section.meta.title
    }
}

fn link(title: &str, path: &str, urls: &Urls) -> Value {
    json!({ "title": title, "path": urls.path(path), "permalink": urls.permalink(path) })
}

fn ancestors(content: &SiteContent, section: usize, site_title: &str, urls: &Urls) -> Vec<Value> {
    content
        .ancestors(section)
        .into_iter()
        .map(|i| {
            let s = &content.sections[i];
            link(section_title(s, site_title), &s.path, urls)
        })
        .collect()
}

/// Fields of a page's own value that only the page's template sees, each
/// made only when the template may read it (see [`PageFields`]).
pub const OWN_PAGE_FIELDS: [&str; 5] = ["toc", "ancestors", "previous", "next", "related"];

/// What a page's own value holds: the listing fields its template may
/// read (`shown`), whether the stored listing values hold them
/// (`in_stored`, else they are made anew), those it may read of related
/// pages (`related`), and which of [`OWN_PAGE_FIELDS`] it never names
/// (`unread`), which are not made (breadcrumbs were a tenth of a page's
/// work on a site of deep sections whose theme shows none).
#[derive(Clone, Copy)]
pub struct PageFields<'a> {
    /// The listing fields the page's template may read.
    pub shown: &'a ListingFields,
    /// Whether every listing value holds `shown` (but those made when
    /// copied).
    pub in_stored: bool,
    /// The listing fields it may read of related pages.
    pub related: &'a ListingFields,
    /// The [`OWN_PAGE_FIELDS`] it never names.
    pub unread: &'a [&'static str],
}

/// The `page` value for a page's own template: its listing view (from
/// `data.listing`, every page's) plus `html` (its content, moved in rather
/// than copied), table of contents, breadcrumb ancestors, neighbours and
/// related pages, as far as `fields` says the template may read them: the
/// page's own value is a copy of the shown listing fields when the stored
/// listing value holds them, else made anew.
pub fn page_full(data: &SiteData, index: usize, html: String, fields: PageFields<'_>) -> Value {
    let (content, urls) = (&data.content, &data.urls);
    let page = &content.pages[index];
    let neighbour = |i: Option<usize>| {
        i.map_or(Value::Null, |i| {
            let p = &content.pages[i];
            link(&p.meta.title, &p.path, urls)
        })
    };
    let mut value = if fields.in_stored {
        data.listing_copy(index, fields.shown)
    } else {
        page_listing(page, urls, fields.shown)
    };
    let Value::Object(map) = &mut value else {
        return value;
    };
    map.insert("content".into(), Value::String(html));
    let read = |field: &str| !fields.unread.contains(&field);
    if read("toc") {
        map.insert("toc".into(), json!(page.rendered.toc));
    }
    if read("ancestors") {
        let ancestors = ancestors(content, page.section, &data.site_title, urls);
        map.insert("ancestors".into(), Value::Array(ancestors));
    }
    if read("previous") {
        map.insert("previous".into(), neighbour(page.previous));
    }
    if read("next") {
        map.insert("next".into(), neighbour(page.next));
    }
    if read("related") {
        let related = page.related.iter();
        let related = related.map(|&j| data.listing_copy(j, fields.related));
        map.insert("related".into(), Value::Array(related.collect()));
    }
    value
}

/// The `section` value. `pages` holds every page's listing view, with the
/// fields of `pages_with`, only when that is given (unpaginated sections
/// and `get_section`): paginated sections list their pages through the
/// paginator instead.
pub fn section_full(data: &SiteData, index: usize, pages_with: Option<&ListingFields>) -> Value {
    let (content, urls, site_title) = (&data.content, &data.urls, data.site_title.as_str());
    let section = &content.sections[index];
    let subsections: Vec<Value> = section
        .subsections
        .iter()
        .map(|&i| {
            let s = &content.sections[i];
            json!({
                "title": section_title(s, ""),
                "description": s.meta.description,
                "path": urls.path(&s.path),
                "permalink": urls.permalink(&s.path),
                "relative_path": s.rel,
                "page_count": s.pages.len(),
                "extra": s.meta.extra,
            })
        })
        .collect();
    let pages: Vec<Value> = match pages_with {
        Some(fields) => section
            .pages
            .iter()
            .map(|&i| data.listing_copy(i, fields))
            .collect(),
        None => Vec::new(),
    };
    let parent_ancestors = match section.parent {
        Some(parent) => ancestors(content, parent, site_title, urls),
        None => Vec::new(),
    };
    let mut value = json!({
        "title": section_title(section, site_title),
        "description": section.meta.description,
        "path": urls.path(&section.path),
        "permalink": urls.permalink(&section.path),
        "relative_path": section.rel,
        "content": section.rendered.html,
        "toc": section.rendered.toc,
        "extra": section.meta.extra,
        "page_count": section.pages.len(),
        "subsections": subsections,
        "ancestors": parent_ancestors,
    });
    // Inserted after `json!`, which would re-serialize the listing views.
    value["pages"] = Value::Array(pages);
    value
}

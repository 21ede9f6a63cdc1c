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

/// The `page` value for a page's own template: its listing view (from
/// `data.listing`, every page's) plus `html` (its content, moved in rather
/// than copied), table of contents, breadcrumb ancestors, neighbours and
/// related pages. `stored` are the fields listing values hold, `shown`
/// those the page's template may read, `related` those it may read of
/// related pages: the page's own value is a copy of `shown` of its listing
/// value when that holds them (or they are made when copied), else made
/// anew; related pages show `related`.
pub fn page_full(
    data: &SiteData,
    index: usize,
    html: String,
    (stored, shown, related): (&ListingFields, &ListingFields, &ListingFields),
) -> Value {
    let (content, urls) = (&data.content, &data.urls);
    let page = &content.pages[index];
    let neighbour = |i: Option<usize>| {
        i.map_or(Value::Null, |i| {
            let p = &content.pages[i];
            link(&p.meta.title, &p.path, urls)
        })
    };
    let mut value = if stored.covers(&shown.without_made()) {
        data.listing_copy(index, shown)
    } else {
        page_listing(page, urls, shown)
    };
    if let Value::Object(map) = &mut value {
        map.insert("content".into(), Value::String(html));
        map.insert("toc".into(), json!(page.rendered.toc));
        map.insert(
            "ancestors".into(),
            Value::Array(ancestors(content, page.section, &data.site_title, urls)),
        );
        map.insert("previous".into(), neighbour(page.previous));
        map.insert("next".into(), neighbour(page.next));
        map.insert(
            "related".into(),
            Value::Array(
                page.related
                    .iter()
                    .map(|&j| data.listing_copy(j, related))
                    .collect(),
            ),
        );
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

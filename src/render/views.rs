//! What templates see: pages, sections and the site as JSON values. Each
//! page's listing view is serialized once and reused by every listing.

use crate::web_url::Urls;
use serde_json::{Value, json};

use crate::content::{Page, Section, SiteContent};
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

/// How a listing value's field is made from a page.
type MakeField = fn(&Page, &Urls) -> Value;

/// The fields of a listing value, in the order [`page_listing`] writes
/// them, each with how it is made.
const LISTING_FIELDS: [(&str, MakeField); 17] = [
    ("title", |page, _| json!(page.meta.title)),
    ("description", |page, _| json!(page.meta.description)),
    ("date", |page, _| json!(page.meta.date)),
    ("updated", |page, _| json!(page.meta.updated)),
    ("draft", |page, _| json!(page.meta.draft)),
    ("weight", |page, _| json!(page.meta.weight)),
    ("authors", |page, _| json!(page.meta.authors)),
    ("path", |page, urls| json!(urls.path(&page.path))),
    ("permalink", |page, urls| json!(urls.permalink(&page.path))),
    ("relative_path", |page, _| json!(page.rel)),
    ("summary", |page, _| json!(page.rendered.summary)),
    ("summary_text", |page, _| json!(summary_text(page))),
    ("word_count", |page, _| json!(page.rendered.word_count)),
    ("reading_time", |page, _| json!(page.reading_time)),
    ("taxonomies", term_links),
    ("affiliates", |page, _| json!(page.rendered.affiliates)),
    ("extra", |page, _| json!(page.meta.extra)),
];

/// Which fields of the listing values in its context a template may read
/// (see `SiteTemplates::listing_fields`): a listing copies only those, so
/// a section of 10,000 pages does not copy 10,000 whole values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListingFields {
    /// Every field (the template may read fields it does not name).
    All,
    /// Only these.
    Only(Vec<&'static str>),
}

impl ListingFields {
    /// Whether these hold every field of `other`.
    pub fn covers(&self, other: &ListingFields) -> bool {
        match (self, other) {
            (ListingFields::All, _) => true,
            (ListingFields::Only(_), ListingFields::All) => false,
            (ListingFields::Only(mine), ListingFields::Only(theirs)) => {
                theirs.iter().all(|field| mine.contains(field))
            }
        }
    }

    /// The fields for which `named` holds, in listing order.
    pub fn named(named: impl Fn(&str) -> bool) -> ListingFields {
        ListingFields::Only(
            LISTING_FIELDS
                .iter()
                .map(|&(field, _)| field)
                .filter(|field| named(field))
                .collect(),
        )
    }

    /// Every field any of `parts` holds.
    pub fn union<'a>(parts: impl IntoIterator<Item = &'a ListingFields>) -> ListingFields {
        let mut fields: Vec<&'static str> = Vec::new();
        for part in parts {
            match part {
                ListingFields::All => return ListingFields::All,
                ListingFields::Only(named) => fields.extend(named),
            }
        }
        ListingFields::named(|field| fields.contains(&field))
    }

    /// Whether `field` is one of these.
    pub fn includes(&self, field: &str) -> bool {
        match self {
            ListingFields::All => true,
            ListingFields::Only(fields) => fields.contains(&field),
        }
    }

    /// A copy of `listing` with the fields a template may read.
    pub fn copy(&self, listing: &Value) -> Value {
        match (self, listing) {
            (ListingFields::Only(_), Value::Object(map)) => Value::Object(
                map.iter()
                    .filter(|(key, _)| self.includes(key))
                    .map(|(key, value)| (key.clone(), value.clone()))
                    .collect(),
            ),
            _ => listing.clone(),
        }
    }
}

/// A page as it appears in listings: everything but its content, or of
/// that the fields in `fields` (those some template may read); the others
/// are not made.
pub fn page_listing(page: &Page, urls: &Urls, fields: &ListingFields) -> Value {
    Value::Object(
        LISTING_FIELDS
            .iter()
            .filter(|(field, _)| fields.includes(field))
            .map(|(field, make)| (field.to_string(), make(page, urls)))
            .collect(),
    )
}

/// A page's `taxonomies` field: for each taxonomy, its terms with their
/// slugs and URL paths.
fn term_links(page: &Page, urls: &Urls) -> Value {
    Value::Object(
        page.meta
            .taxonomies
            .iter()
            .map(|(name, terms)| {
                let terms: Vec<Value> = terms
                    .iter()
                    .map(|term| {
                        let slug = page.url_rules.term(term);
                        let path = urls.path(&format!("/{name}/{slug}/"));
                        json!({ "name": term, "slug": slug, "path": path })
                    })
                    .collect();
                (name.clone(), Value::Array(terms))
            })
            .collect(),
    )
}

/// How long `summary_text` is at most, in characters.
const SUMMARY_TEXT_LENGTH: usize = 180;

/// The summary as plain text (tags dropped, entities decoded) cut at a word
/// boundary, for listing cards: computed once per page rather than with
/// `striptags | truncate` in every listing that shows the page.
fn summary_text(page: &Page) -> Option<String> {
    let summary = page.rendered.summary.as_deref()?;
    Some(crate::seo::trim_at_word(
        &crate::seo::plain_text(summary),
        SUMMARY_TEXT_LENGTH,
    ))
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
/// `listing`, every page's) plus `html` (its content, moved in rather than
/// copied), table of contents, breadcrumb ancestors, neighbours and related
/// pages. `stored` are the fields `listing` values hold, `shown` those the
/// page's template may read: the page's own value is a copy of those fields
/// of its listing value when that holds them, else made anew; related pages
/// show `shown`.
pub fn page_full(
    content: &SiteContent,
    index: usize,
    listing: &[Value],
    html: String,
    (site_title, urls): (&str, &Urls),
    (stored, shown): (&ListingFields, &ListingFields),
) -> Value {
    let page = &content.pages[index];
    let neighbour = |i: Option<usize>| {
        i.map_or(Value::Null, |i| {
            let p = &content.pages[i];
            link(&p.meta.title, &p.path, urls)
        })
    };
    let mut value = if stored.covers(shown) {
        shown.copy(&listing[index])
    } else {
        page_listing(page, urls, shown)
    };
    if let Value::Object(map) = &mut value {
        map.insert("content".into(), Value::String(html));
        map.insert("toc".into(), json!(page.rendered.toc));
        map.insert(
            "ancestors".into(),
            Value::Array(ancestors(content, page.section, site_title, urls)),
        );
        map.insert("previous".into(), neighbour(page.previous));
        map.insert("next".into(), neighbour(page.next));
        map.insert(
            "related".into(),
            Value::Array(
                page.related
                    .iter()
                    .map(|&j| shown.copy(&listing[j]))
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
pub fn section_full(
    content: &SiteContent,
    index: usize,
    listing: &[Value],
    site_title: &str,
    urls: &Urls,
    pages_with: Option<&ListingFields>,
) -> Value {
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
            .map(|&i| fields.copy(&listing[i]))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_copy_keeps_the_fields_read() {
        let listing = json!({"title": "T", "path": "/t/", "extra": {"a": 1}, "date": null});
        let only = ListingFields::Only(vec!["title", "extra"]);
        assert_eq!(
            only.copy(&listing),
            json!({"title": "T", "extra": {"a": 1}})
        );
        assert_eq!(ListingFields::All.copy(&listing), listing);
    }
}

//! A page's listing value: what listings (sections, term pages, cards,
//! related pages) show of it. Which fields it has and how each is made,
//! which of them a template may read ([`ListingFields`]), and the copy a
//! template gets.

use serde_json::{Value, json};

use crate::content::Page;
use crate::web_url::Urls;

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

    /// These without the fields made when copied ([`MADE_WHEN_COPIED`]):
    /// what listing values keep.
    pub fn without_made(&self) -> ListingFields {
        ListingFields::named(|field| self.includes(field) && !MADE_WHEN_COPIED.contains(&field))
    }

    /// A copy of `listing` (page `page`'s listing value) with the fields a
    /// template may read; those of [`MADE_WHEN_COPIED`] it reads that
    /// `listing` does not keep are made from the page.
    pub fn copy(&self, listing: &Value, page: &Page, urls: &Urls) -> Value {
        let mut copy = match (self, listing) {
            // Look up the few fields read rather than test every field
            // kept against them (that was a third of a term page's time).
            (ListingFields::Only(fields), Value::Object(map)) => Value::Object(
                fields
                    .iter()
                    .filter_map(|&field| Some((field.to_string(), map.get(field)?.clone())))
                    .collect(),
            ),
            _ => listing.clone(),
        };
        if let Value::Object(map) = &mut copy {
            for (field, make) in &LISTING_FIELDS {
                if MADE_WHEN_COPIED.contains(field)
                    && self.includes(field)
                    && !map.contains_key(*field)
                {
                    map.insert(field.to_string(), make(page, urls));
                }
            }
        }
        copy
    }
}

/// Listing fields that listing values do not keep (unless `get_section`,
/// whose values may go anywhere, is called): they are made each time a
/// listing is copied for a template that reads them. A page's
/// `taxonomies` is an object per term (three strings each): kept in every
/// listing value, they were half the peak memory of a 10,000-page site with
/// five taxonomies, for the few copies that read them.
pub const MADE_WHEN_COPIED: [&str; 1] = ["taxonomies"];

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{PageMeta, Rendered, UrlRules};

    /// A page titled "Espresso" tagged "Coffee Gear", and its site's URLs.
    fn test_page() -> (Page, Urls) {
        let meta = PageMeta {
            title: "Espresso".into(),
            taxonomies: [("tags".to_string(), vec!["Coffee Gear".to_string()])].into(),
            ..PageMeta::default()
        };
        let page = Page {
            rel: "espresso.md".into(),
            file: "content/espresso.md".into(),
            meta,
            path: "/espresso/".into(),
            rendered: Rendered::default(),
            reading_time: 1,
            section: 0,
            previous: None,
            next: None,
            related: Vec::new(),
            url_rules: UrlRules::Grove,
        };
        (page, Urls::new("https://example.com", ""))
    }

    #[test]
    fn a_listing_copy_keeps_the_fields_read_and_makes_those_not_kept() {
        let (page, urls) = test_page();
        let kept = ListingFields::All.without_made();
        assert!(!kept.includes("taxonomies") && kept.includes("title"));
        let listing = page_listing(&page, &urls, &kept);
        let only = ListingFields::Only(vec!["title", "extra"]);
        assert_eq!(
            only.copy(&listing, &page, &urls),
            json!({"title": "Espresso", "extra": {}})
        );
        // A field not kept is made when a template reads it...
        let with_terms = ListingFields::Only(vec!["title", "taxonomies"]);
        assert_eq!(
            with_terms.copy(&listing, &page, &urls),
            json!({
                "title": "Espresso",
                "taxonomies": {"tags": [{"name": "Coffee Gear", "slug": "coffee-gear", "path": "/tags/coffee-gear/"}]}
            })
        );
        // ...and a copy of every field equals the value made whole.
        assert_eq!(
            ListingFields::All.copy(&listing, &page, &urls),
            page_listing(&page, &urls, &ListingFields::All)
        );
    }
}

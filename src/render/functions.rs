//! Tera functions bound to one site: `get_url` and `get_section`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use tera::{Tera, Value};

use super::cards::CardFunction;
use super::listing::ListingFields;
use super::site_data::SiteData;
use super::views::section_full;
use crate::affiliate::AffiliateLinks;

thread_local! {
    /// Sections `get_section` returned on this thread while recording.
    static SECTIONS_READ: RefCell<Option<Vec<usize>>> = const { RefCell::new(None) };
}

/// Runs `render` (one template render, on this thread) and returns its
/// result with the sections it read through `get_section`: the output then
/// depends on those sections' page listings.
pub fn recording_sections<R>(render: impl FnOnce() -> R) -> (R, Vec<usize>) {
    SECTIONS_READ.with(|read| *read.borrow_mut() = Some(Vec::new()));
    let result = render();
    let read = SECTIONS_READ.with(|read| read.borrow_mut().take().unwrap_or_default());
    (result, read)
}

fn note_section_read(index: usize) {
    SECTIONS_READ.with(|read| {
        if let Some(read) = read.borrow_mut().as_mut() {
            read.push(index);
        }
    });
}

/// Replaces the functions holding `SiteData` by ones that fail, so the
/// caller holds the only reference and may change the data; call
/// [`register`] again afterwards.
pub fn release(tera: &mut Tera) {
    for name in ["get_url", "get_section", "card"] {
        tera.register_function(name, move |_: &HashMap<String, Value>| {
            Err(tera::Error::msg(format!(
                "{name} is not available while the site changes"
            )))
        });
    }
}

/// The listing fields the functions' values show.
#[derive(Debug, Clone)]
pub struct FunctionFields {
    /// Those `card.html` may read.
    pub card: ListingFields,
    /// Those of the pages in `get_section`'s value: any template's.
    pub get_section: ListingFields,
}

/// Registers `get_url(path=...)`, `get_section(path=...)`,
/// `affiliate(slug=...)`, the image functions (see
/// [`super::image_functions`]) and, when the theme has `card.html`,
/// `card(rel=..., level=N)` on `tera`, whose values show the listing
/// fields in `fields`.
pub fn register(
    tera: &mut Tera,
    data: Arc<SiteData>,
    links: Arc<AffiliateLinks>,
    fields: FunctionFields,
) {
    let FunctionFields {
        card: card_fields,
        get_section: section_fields,
    } = fields;
    register_affiliate(tera, links);
    if let Some(images) = &data.content.images {
        super::image_functions::register_images(tera, Arc::clone(images));
    }
    let card_data = Arc::clone(&data);
    let url_data = Arc::clone(&data);
    tera.register_function("get_url", move |args: &HashMap<String, Value>| {
        let path = string_arg(args, "get_url", "path")?;
        let absolute = args
            .get("absolute")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let site_path = match path.strip_prefix("@/") {
            Some(rel) => url_data.content.urls.get(rel).cloned().ok_or_else(|| {
                tera::Error::msg(format!(
                    "get_url: no content file `{rel}` (paths are relative to content/)"
                ))
            })?,
            None => format!("/{}", path.trim_start_matches('/')),
        };
        let url = if absolute {
            url_data.urls.permalink(&site_path)
        } else {
            url_data.urls.path(&site_path)
        };
        Ok(Value::String(url))
    });
    tera.register_function("get_section", move |args: &HashMap<String, Value>| {
        let path = string_arg(args, "get_section", "path")?;
        let rel = path.trim_start_matches("@/");
        let index = data.content.section_by_rel(rel).ok_or_else(|| {
            tera::Error::msg(format!(
                "get_section: no section `{rel}` (give the path of its _index.md)"
            ))
        })?;
        note_section_read(index);
        let mut section = section_full(&data, index, None);
        // `limit=N`: the first N pages only (a home page showing six
        // needs no copy of ten thousand).
        let pages = &data.content.sections[index].pages;
        let limit = match args.get("limit") {
            None => pages.len(),
            Some(limit) => limit
                .as_u64()
                .ok_or_else(|| tera::Error::msg("get_section: `limit` must be a whole number"))?
                as usize,
        };
        section["pages"] = Value::Array(
            pages
                .iter()
                .take(limit)
                .map(|&i| data.listing_copy(i, &section_fields))
                .collect(),
        );
        Ok(section)
    });
    // Last, so that `card.html` may call the functions above.
    if let Some(card) = CardFunction::new(tera, card_data, card_fields) {
        tera.register_function("card", card);
    }
}

/// Registers `affiliate(slug=...)`: the registry entry with `href`,
/// `destination`, `rel` and `attrs` (ready anchor attributes) for this site.
pub fn register_affiliate(tera: &mut Tera, links: Arc<AffiliateLinks>) {
    tera.register_function("affiliate", move |args: &HashMap<String, Value>| {
        let slug = string_arg(args, "affiliate", "slug")?;
        links.template_value(slug).map_err(tera::Error::msg)
    });
}

fn string_arg<'a>(
    args: &'a HashMap<String, Value>,
    function: &str,
    name: &str,
) -> tera::Result<&'a str> {
    args.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| tera::Error::msg(format!("{function} needs a string argument `{name}`")))
}

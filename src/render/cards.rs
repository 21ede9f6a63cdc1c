//! `card(rel=..., level=N)`: a page's listing card, rendered from the
//! theme's `card.html` once per page and heading level, then reused by every
//! listing that shows the page (its section, its terms, other pages'
//! related lists). A macro would render it, and copy the page's listing
//! value, each time: a page is listed about seven times.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use tera::{Context, Tera, Value};

use super::listing::ListingFields;
use super::site_data::SiteData;
use crate::templating;

/// The template a theme provides to use `card()`.
pub const CARD_TEMPLATE: &str = "card.html";

/// Heading levels a card may take (`<h1>` to `<h6>`).
const LEVELS: usize = 6;

/// The `card` function of one site: the theme's templates, the site data
/// and the cards rendered so far. A new one is made whenever the data or
/// the templates change, so a card is never stale.
pub struct CardFunction {
    tera: Tera,
    data: Arc<SiteData>,
    /// The listing fields `card.html` may read: a card's context copies
    /// only those of the page's listing value.
    fields: ListingFields,
    cards: Vec<[OnceLock<String>; LEVELS]>,
}

impl CardFunction {
    /// The function for `data`, rendering with `tera` (a copy of the
    /// site's templates) from the listing `fields` that `card.html` may
    /// read; `None` when the theme has no `card.html`.
    pub fn new(tera: &Tera, data: Arc<SiteData>, fields: ListingFields) -> Option<CardFunction> {
        tera.get_template_names()
            .any(|name| name == CARD_TEMPLATE)
            .then(|| {
                let cards = (0..data.content.pages.len())
                    .map(|_| Default::default())
                    .collect();
                CardFunction {
                    tera: tera.clone(),
                    data,
                    fields,
                    cards,
                }
            })
    }

    fn render(&self, page: usize, level: usize) -> tera::Result<String> {
        // A copy of the fields the card reads, not `Context::insert`, which
        // serializes the whole value again (a seventh of the cards' time).
        let vars = tera::Map::from_iter([
            (
                "page".to_string(),
                self.data.listing_copy(page, &self.fields),
            ),
            ("level".to_string(), Value::from(level)),
        ]);
        let context = Context::from_value(Value::Object(vars)).expect("a JSON object is a context");
        templating::render(&self.tera, CARD_TEMPLATE, &context)
    }
}

impl tera::Function for CardFunction {
    fn call(&self, args: &HashMap<String, Value>) -> tera::Result<Value> {
        let rel = args.get("rel").and_then(Value::as_str).ok_or_else(|| {
            tera::Error::msg("card needs a string argument `rel` (page.relative_path)")
        })?;
        let level = match args.get("level") {
            None => 2,
            Some(level) => level
                .as_u64()
                .filter(|l| (1..=LEVELS as u64).contains(l))
                .ok_or_else(|| {
                    tera::Error::msg("card: `level` must be a heading level from 1 to 6")
                })? as usize,
        };
        let page = *self
            .data
            .page_by_rel
            .get(rel)
            .ok_or_else(|| tera::Error::msg(format!("card: no page `{rel}`")))?;
        let slot = &self.cards[page][level - 1];
        if let Some(html) = slot.get() {
            return Ok(Value::String(html.clone()));
        }
        let html = self.render(page, level)?;
        Ok(Value::String(slot.get_or_init(|| html).clone()))
    }

    fn is_safe(&self) -> bool {
        true
    }
}

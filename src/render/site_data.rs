//! What the template functions of one site's render read: its content
//! graph, each page's listing value, and how its URLs are made. Shared by
//! the functions (`get_page`, `get_section`, ...) and `card()`.

use std::collections::HashMap;

use serde_json::Value;

use super::listing::ListingFields;
use crate::content::SiteContent;
use crate::web_url::Urls;

/// What the functions of one site read.
pub struct SiteData {
    /// The site's content graph.
    pub content: SiteContent,
    /// Listing view of every page, by page index.
    pub listing: Vec<Value>,
    /// Page index by `relative_path`, for `card()` (a binary search over
    /// the pages' paths was 1.5% of a default-theme build). Made once: the
    /// preview changes pages' bodies in place, never which pages there are.
    pub page_by_rel: HashMap<String, usize>,
    /// URL builder.
    pub urls: Urls,
    /// Title of the root section when `_index.md` gives none.
    pub site_title: String,
}

impl SiteData {
    /// A copy of page `index`'s listing value with `fields` (see
    /// [`ListingFields::copy`]).
    pub fn listing_copy(&self, index: usize, fields: &ListingFields) -> Value {
        fields.copy(&self.listing[index], &self.content.pages[index], &self.urls)
    }
}

//! Affiliate links: the network's registry of products and links, and how a
//! site links to them.

mod links;
mod programs;
mod registry;

pub use links::{AFFILIATE_REL, AffiliateLinks, GO_PREFIX, LinkStyle};
pub use programs::{ProgramRules, Programs, ShownPrice};
pub use registry::{AffiliateEntry, Defined, REGISTRY_FILE, Registry};

/// Finds the slugs of affiliate anchors (`data-affiliate="slug"`) in HTML.
pub fn slugs_in_html(html: &str) -> impl Iterator<Item = &str> {
    html.split("data-affiliate=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
}

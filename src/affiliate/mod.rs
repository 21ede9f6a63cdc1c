//! Affiliate links: the network's registry of products and links.

mod registry;

pub use registry::{AffiliateEntry, Registry};

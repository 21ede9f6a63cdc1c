//! Rendering a site's content through its theme into files.

mod cards;
mod functions;
mod image_functions;
mod listing;
pub mod pagination;
mod redirect;
pub mod shortcodes;
mod site;
mod site_data;
pub mod theme;
pub mod views;

pub use redirect::{affiliate_redirect_page, redirect_page};
pub use shortcodes::{SHORTCODE_END, SHORTCODE_START, Shortcodes};
pub use site::{
    ContentChanges, LiveRenderer, RenderStats, RenderTarget, SiteRenderer, StaticFolders, Update,
};
pub use theme::{SiteTemplates, Theme};

//! Rendering a site's content through its theme into files.

mod functions;
pub mod pagination;
mod redirect;
mod site;
pub mod theme;
pub mod views;

pub use redirect::redirect_page;
pub use site::{RenderStats, RenderTarget, SiteRenderer};
pub use theme::{SiteTemplates, Theme};

//! Shortcodes: every theme template under `shortcodes/` (overridable per
//! site) becomes a Tera function content can call, e.g.
//! `{{ product_box(slug="baratza-encore-esp") }}`. The function's arguments
//! and `site` are the template's context; its HTML goes into the Markdown.

use std::collections::HashMap;
use std::sync::Arc;

use tera::{Context, Tera, Value};

use super::functions::register_affiliate;
use super::image_functions::register_images;
use super::theme::SiteTemplates;
use crate::affiliate::AffiliateLinks;
use crate::content::ContentFunctions;
use crate::content::functions::record_output;
use crate::content::images::SiteImages;
use crate::templating;

/// The shortcodes of one site.
pub struct Shortcodes {
    tera: Arc<Tera>,
    names: Vec<String>,
    site: Value,
    marked: bool,
}

/// Comments around shortcode output when [`Shortcodes::marked`], so that
/// `grove audit` can tell a page's own text from product boxes and tables.
pub const SHORTCODE_START: &str = "<!--grove:shortcode-->";
/// The end of marked shortcode output.
pub const SHORTCODE_END: &str = "<!--/grove:shortcode-->";

impl Shortcodes {
    /// Shortcodes from the site's templates; `links` backs the
    /// `affiliate(slug=...)` function they may call, `images` the
    /// `resize_image(...)` one.
    pub fn new(
        templates: &SiteTemplates,
        links: Arc<AffiliateLinks>,
        images: Arc<SiteImages>,
        site: Value,
    ) -> Shortcodes {
        let mut tera = templates.tera.clone();
        register_affiliate(&mut tera, links);
        register_images(&mut tera, images);
        let names = templates
            .names()
            .filter_map(|n| n.strip_prefix("shortcodes/")?.strip_suffix(".html"))
            .map(str::to_string)
            .collect();
        Shortcodes {
            tera: Arc::new(tera),
            names,
            site,
            marked: false,
        }
    }

    /// These shortcodes with their output between [`SHORTCODE_START`] and
    /// [`SHORTCODE_END`] (for analysis, never for output).
    pub fn marked(mut self) -> Shortcodes {
        self.marked = true;
        self
    }
}

impl ContentFunctions for Shortcodes {
    /// Makes every shortcode a function of `target` (a content Tera).
    fn register(&self, target: &mut Tera) {
        for name in &self.names {
            let tera = Arc::clone(&self.tera);
            let site = self.site.clone();
            let template = format!("shortcodes/{name}.html");
            let marked = self.marked;
            target.register_function(name, move |args: &HashMap<String, Value>| {
                let mut context = Context::new();
                for (key, value) in args {
                    context.insert(key, value);
                }
                context.insert("site", &site);
                let html = templating::render(&tera, &template, &context)?;
                let block = as_html_block(&html);
                let output = if marked {
                    format!("{SHORTCODE_START}\n{block}\n{SHORTCODE_END}")
                } else {
                    block
                };
                record_output(&output);
                Ok(Value::String(output))
            });
        }
    }
}

/// Shapes shortcode output so Markdown keeps it one HTML block: no blank
/// lines (they would end the block) and no indentation (it would make a
/// code block).
fn as_html_block(html: &str) -> String {
    html.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn output_stays_one_block() {
        assert_eq!(
            super::as_html_block("\n  <div>\n\n    <p>x</p>\n  </div>\n"),
            "<div>\n<p>x</p>\n</div>"
        );
    }
}

//! Tera functions bound to one site: `get_url` and `get_section`.

use std::collections::HashMap;
use std::sync::Arc;

use tera::{Tera, Value};

use super::views::{Urls, section_full};
use crate::affiliate::AffiliateLinks;
use crate::content::SiteContent;

/// What the functions of one site read.
pub struct SiteData {
    /// The site's content graph.
    pub content: SiteContent,
    /// Listing view of every page, by page index.
    pub listing: Vec<Value>,
    /// URL builder.
    pub urls: Urls,
    /// Title of the root section when `_index.md` gives none.
    pub site_title: String,
}

/// Registers `get_url(path=...)`, `get_section(path=...)` and
/// `affiliate(slug=...)` on `tera`.
pub fn register(tera: &mut Tera, data: Arc<SiteData>, links: Arc<AffiliateLinks>) {
    register_affiliate(tera, links);
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
        Ok(section_full(
            &data.content,
            index,
            &data.listing,
            &data.site_title,
            &data.urls,
            true,
        ))
    });
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

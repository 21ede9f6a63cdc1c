//! Affiliate links of one site: destinations expanded with the site's
//! program tags (lazily, only for slugs the site uses), cloaked `/go/` paths,
//! and the attributes every affiliate anchor carries.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::{Value, json};
use tera::Context;

use super::programs::Programs;
use super::registry::{AffiliateEntry, Registry};
use crate::error::display_path;
use crate::html_escape::escape_html;
use crate::templating::expand_str;
use crate::web_url::check_web_url;

/// `rel` of every affiliate link: paid (Google), not endorsed, no opener.
pub const AFFILIATE_REL: &str = "sponsored nofollow noopener";

/// The URL folder of cloaked redirects.
pub const GO_PREFIX: &str = "/go/";

/// How affiliate links are written.
#[derive(Debug, Clone, Copy)]
pub struct LinkStyle {
    /// Link to `/go/<slug>/` instead of the destination.
    pub cloak: bool,
    /// Open in a new tab.
    pub new_tab: bool,
}

/// A site's affiliate links.
pub struct AffiliateLinks {
    registry: Registry,
    programs: Programs,
    /// The instant prices are judged fresh at: the build's.
    now: chrono::DateTime<chrono::Utc>,
    context: Context,
    site_file: PathBuf,
    base_path: String,
    style: LinkStyle,
    destinations: HashMap<String, OnceLock<Result<String, String>>>,
}

impl AffiliateLinks {
    /// Links for a site: `context` holds `site` (for URL templates),
    /// `site_file` is its `site.toml` (named when a tag is missing);
    /// `programs` say what each program requires of pages.
    pub fn new(
        registry: Registry,
        programs: Programs,
        context: Context,
        site_file: PathBuf,
        base_path: &str,
        style: LinkStyle,
    ) -> Self {
        let destinations = registry
            .slugs()
            .map(|s| (s.to_string(), OnceLock::new()))
            .collect();
        AffiliateLinks {
            registry,
            programs,
            now: chrono::Utc::now(),
            context,
            site_file,
            base_path: base_path.to_string(),
            style,
            destinations,
        }
    }

    /// The registry behind these links.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Whether links are cloaked.
    pub fn style(&self) -> LinkStyle {
        self.style
    }

    /// The destination URL of `slug` for this site, or why there is none.
    pub fn destination(&self, slug: &str) -> Result<&str, String> {
        let cell = self
            .destinations
            .get(slug)
            .ok_or_else(|| self.unknown(slug))?;
        cell.get_or_init(|| {
            let defined = self.registry.defined(slug).expect("destinations mirror the registry");
            let url = expand_str(slug, &defined.entry.url, &self.context).map_err(|e| {
                let needs = describe_missing(&e);
                format!(
                    "the URL of affiliate `{slug}` ({}) needs {needs}, which {} does not define; add it to its [affiliate] table",
                    defined.location,
                    display_path(&self.site_file).display()
                )
            })?;
            check_web_url(&url).map_err(|problem| {
                format!(
                    "the URL of affiliate `{slug}` ({}), with the values of {}: {problem}",
                    defined.location,
                    display_path(&self.site_file).display()
                )
            })?;
            Ok(url)
        })
        .as_deref()
        .map_err(Clone::clone)
    }

    fn unknown(&self, slug: &str) -> String {
        format!(
            "unknown affiliate slug `{slug}`: not in the registry ({}); add it there or fix the slug",
            self.registry.describe_files()
        )
    }

    /// Where a link to `slug` points: `/go/<slug>/` when cloaked, else the
    /// destination.
    pub fn href(&self, slug: &str) -> Result<String, String> {
        let destination = self.destination(slug)?;
        Ok(if self.style.cloak {
            format!("{}{GO_PREFIX}{slug}/", self.base_path)
        } else {
            destination.to_string()
        })
    }

    /// The attributes of an affiliate anchor: `href`, `rel`, `target` when
    /// configured, and `data-affiliate` (how Grove finds affiliate links in
    /// rendered HTML, for disclosures and reports).
    pub fn anchor_attributes(&self, slug: &str) -> Result<String, String> {
        let href = self.href(slug)?;
        let target = if self.style.new_tab {
            " target=\"_blank\""
        } else {
            ""
        };
        Ok(format!(
            "href=\"{}\" rel=\"{AFFILIATE_REL}\"{target} data-affiliate=\"{}\"",
            escape_html(&href),
            escape_html(slug)
        ))
    }

    /// The statement the program of `slug` requires on pages linking it.
    pub fn program_disclosure(&self, slug: &str) -> Option<String> {
        let entry = self.registry.get(slug)?;
        self.programs.get(&entry.program)?.disclosure.clone()
    }

    /// What templates see of `slug`: registry data plus `href` and
    /// `attrs`; `price` only as its program allows (with `price_as_of`
    /// when the program wants the time said), and `program_name` (such as
    /// "Amazon") for "Check the price on Amazon".
    pub fn template_value(&self, slug: &str) -> Result<Value, String> {
        let entry: &AffiliateEntry = self.registry.get(slug).ok_or_else(|| self.unknown(slug))?;
        let mut value = json!(entry);
        let shown = self.programs.price(entry, self.now);
        value["price"] = json!(shown.price);
        value["price_as_of"] = json!(shown.as_of);
        value["program_name"] = json!(
            self.programs
                .get(&entry.program)
                .map(|rules| rules.name.clone())
                .or_else(|| (!entry.program.is_empty()).then(|| entry.program.clone()))
        );
        value["slug"] = json!(slug);
        value["href"] = json!(self.href(slug)?);
        value["destination"] = json!(self.destination(slug)?);
        value["rel"] = json!(AFFILIATE_REL);
        value["attrs"] = json!(self.anchor_attributes(slug)?);
        Ok(value)
    }
}

/// "site.affiliate.amazon_tag" from Tera's "Variable `site.affiliate.amazon_tag` not found".
fn describe_missing(error: &tera::Error) -> String {
    let mut source: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = source {
        let text = e.to_string();
        if let Some(start) = text.find("Variable `") {
            let rest = &text[start + 10..];
            if let Some(end) = rest.find('`') {
                return format!("`{}`", &rest[..end]);
            }
        }
        source = e.source();
    }
    format!("a value ({error})")
}

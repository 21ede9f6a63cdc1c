//! `affiliates.toml`: one registry of affiliate products and links for the
//! whole network, with per-site additions and overrides in
//! `sites/<niche>/affiliates.toml`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::error::{Error, Location, Result, line_col};
use crate::network::{Site, parse_toml};
use crate::web_url::{check_url_template, check_web_url};

/// The registry file's name, at the network root and in a site folder.
pub const REGISTRY_FILE: &str = "affiliates.toml";

/// One product or link, keyed by its slug (`[breville-grinder]`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AffiliateEntry {
    /// Product or link name.
    pub name: String,
    /// Affiliate program, e.g. `amazon`.
    #[serde(default)]
    pub program: String,
    /// Destination URL; a Tera template (`?tag={{ site.affiliate.amazon_tag }}`).
    pub url: String,
    /// One or two sentences about the product.
    #[serde(default)]
    pub description: String,
    /// Product image: a URL, or a path of the site (`/images/x.jpg`, a
    /// static file), which the default theme resizes.
    pub image: Option<String>,
    /// The image's width in pixels, for a remote image (a local one's is
    /// read from the file): with `image_height`, the page reserves its
    /// space before it loads.
    pub image_width: Option<u32>,
    /// The image's height in pixels (see `image_width`).
    pub image_height: Option<u32>,
    /// Fetch the remote `image` and process it like a local one (kept no
    /// longer than `[images] remote_max_age_hours`). Not for Amazon's
    /// images, which its terms say to show as Amazon serves them.
    #[serde(default)]
    pub fetch_image: bool,
    /// Price as display text, e.g. "$199".
    pub price: Option<String>,
    /// When the price was last checked (a TOML date or date-time): a
    /// program that forbids stale prices shows it only while fresh.
    #[serde(default, skip_serializing)]
    pub price_checked: Option<toml::value::Datetime>,
    /// Rating out of 5.
    pub rating: Option<f64>,
    /// Strengths.
    #[serde(default)]
    pub pros: Vec<String>,
    /// Weaknesses.
    #[serde(default)]
    pub cons: Vec<String>,
}

/// An entry and where it is defined.
#[derive(Debug, Clone)]
pub struct Defined {
    /// The entry.
    pub entry: AffiliateEntry,
    /// Its file and line.
    pub location: Location,
}

/// A site's view of the registry: network entries with the site's laid over.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    entries: BTreeMap<String, Defined>,
    files: Vec<PathBuf>,
}

/// An entry's `url` must be an http(s) URL template, its `image` an http(s)
/// URL or a root-relative path: both are written into pages and redirects.
/// Errors point at the key's line (searched from the entry's first line).
fn check_entry_urls(
    path: &Path,
    text: &str,
    slug: &str,
    first_line: usize,
    entry: &AffiliateEntry,
) -> Result<()> {
    let key_line = |key: &str| {
        text.lines()
            .enumerate()
            .skip(first_line.saturating_sub(1))
            .find(|(_, line)| {
                line.trim_start()
                    .strip_prefix(key)
                    .is_some_and(|rest| rest.trim_start().starts_with('='))
            })
            .map_or(first_line, |(index, _)| index + 1)
    };
    let error = |key: &str, problem: String| Error::Config {
        location: Location::line(path, key_line(key)),
        message: format!("`{key}` of affiliate `{slug}`: {problem}"),
    };
    check_url_template(&entry.url).map_err(|problem| error("url", problem))?;
    if let Some(image) = &entry.image {
        let root_relative = image.starts_with('/') && !image.starts_with("//");
        let checked = if root_relative {
            check_web_url(&format!("https://host{image}"))
        } else {
            check_web_url(image)
        };
        checked.map_err(|problem| error("image", problem))?;
    }
    Ok(())
}

impl Registry {
    /// Loads the network registry and `site`'s additions; both files are
    /// optional.
    pub fn load(root: &Path, site: &Site) -> Result<Registry> {
        let mut registry = Registry::default();
        for path in [root.join(REGISTRY_FILE), site.dir.join(REGISTRY_FILE)] {
            if !path.is_file() {
                continue;
            }
            let text = std::fs::read_to_string(&path)
                .map_err(|source| Error::io(&path, "cannot read file", source))?;
            let entries: BTreeMap<String, Spanned<AffiliateEntry>> = parse_toml(&path, &text)?;
            for (slug, spanned) in entries {
                if !crate::network::is_slug(&slug) {
                    let (line, _) = line_col(&text, spanned.span().start);
                    return Err(Error::Config {
                        location: Location::line(&path, line),
                        message: format!(
                            "affiliate slug `{slug}` must be lowercase letters, digits, `-` or `_` (it becomes /go/{slug}/)"
                        ),
                    });
                }
                let (line, _) = line_col(&text, spanned.span().start);
                // The span starts at the table body; the header is the line above.
                let location = Location::line(&path, line.saturating_sub(1).max(1));
                check_entry_urls(&path, &text, &slug, line, spanned.get_ref())?;
                registry.entries.insert(
                    slug,
                    Defined {
                        entry: spanned.into_inner(),
                        location,
                    },
                );
            }
            registry.files.push(path);
        }
        Ok(registry)
    }

    /// The entry for `slug`.
    pub fn get(&self, slug: &str) -> Option<&AffiliateEntry> {
        self.entries.get(slug).map(|d| &d.entry)
    }

    /// The entry for `slug` with its location.
    pub fn defined(&self, slug: &str) -> Option<&Defined> {
        self.entries.get(slug)
    }

    /// Every slug, sorted.
    pub fn slugs(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// The registry files that were read, for error messages.
    pub fn describe_files(&self) -> String {
        if self.files.is_empty() {
            format!("no {REGISTRY_FILE} exists")
        } else {
            self.files
                .iter()
                .map(|p| crate::error::display_path(p).display().to_string())
                .collect::<Vec<_>>()
                .join(" and ")
        }
    }
}

//! The published pages of sites, as a build would publish them (drafts
//! and future pages left out), without rendering them into files: for
//! the commands that need to know which file makes which page.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::{load_site, load_themes};
use crate::content::{Blueprint, Include};
use crate::error::{Result, collect_all};
use crate::network::{Network, Site};

/// A published page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedPage {
    /// Its URL path below the site's base path.
    pub path: String,
    /// Its content file, relative to the network root, `/`-separated.
    pub file: String,
    /// Its title.
    pub title: String,
}

/// The published pages of `sites`, by site name, each site's sorted by
/// path.
pub fn published_pages(
    network: &Network,
    sites: &[&Site],
) -> Result<BTreeMap<String, Vec<PublishedPage>>> {
    let blueprint = Blueprint::load(&network.root.join("content"))?;
    let themes = load_themes(network, sites)?;
    let lists = collect_all(
        sites
            .par_iter()
            .map(|site| {
                let theme = &themes[site.theme(&network.config)];
                let loaded = load_site(network, site, &blueprint, theme, Include::published())?;
                let mut pages: Vec<PublishedPage> = loaded
                    .content
                    .pages
                    .iter()
                    .map(|page| PublishedPage {
                        path: page.path.clone(),
                        file: page
                            .file
                            .strip_prefix(&network.root)
                            .unwrap_or(&page.file)
                            .to_string_lossy()
                            .replace('\\', "/"),
                        title: page.meta.title.clone(),
                    })
                    .collect();
                pages.sort_by(|a, b| a.path.cmp(&b.path));
                Ok((site.name.clone(), pages))
            })
            .collect::<Vec<_>>(),
    )?;
    Ok(lists.into_iter().collect())
}

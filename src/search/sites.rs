//! Which site and page a search result's URL is: by host (`www.` or not,
//! `http` or `https`, any port), below the site's base path, the path
//! named as Grove names pages (percent-decoded, `index.html` folded, a
//! trailing slash; a file such as a PDF keeps its name).

use std::collections::BTreeMap;

use crate::network::Network;
use crate::stats::classify::{bare_host, decoded, is_page, page_key, request_path, within_base};
use crate::stats::referrer::{host_of, path_of};

/// The network's sites, as URLs are matched to them.
#[derive(Debug, Clone)]
pub struct SiteUrls {
    /// (bare host, base path, site name), longest base path first.
    sites: Vec<(String, String, String)>,
}

/// Where a URL belongs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageOf {
    /// The site's name.
    pub site: String,
    /// The page's path below the site's base path.
    pub page: String,
}

impl SiteUrls {
    /// From the network's sites' base URLs.
    pub fn new(network: &Network) -> SiteUrls {
        let mut sites: Vec<(String, String, String)> = network
            .sites
            .iter()
            .map(|site| {
                let host = host_of(&site.base_url).unwrap_or_default();
                (bare_host(&host), site.base_path.clone(), site.name.clone())
            })
            .collect();
        sites.sort_by_key(|(_, base, _)| std::cmp::Reverse(base.len()));
        SiteUrls { sites }
    }

    /// The site and page of `url` (`https://www.example.com/a/?q`), or
    /// `None` when no site has it.
    pub fn page_of(&self, url: &str) -> Option<PageOf> {
        let host = bare_host(&host_of(url.trim())?);
        let path = request_path(path_of(url.trim()));
        self.sites
            .iter()
            .filter(|(site_host, _, _)| *site_host == host)
            .find_map(|(_, base, name)| {
                within_base(&path, base).map(|inside| PageOf {
                    site: name.clone(),
                    // A file (a PDF, an image) keeps its name.
                    page: if is_page(inside) {
                        page_key(inside).into_owned()
                    } else {
                        decoded(inside).into_owned()
                    },
                })
            })
    }

    /// The site a Search Console property (`sc-domain:example.com`,
    /// `https://example.com/`) belongs to.
    pub fn site_of_property(&self, property: &str) -> Option<String> {
        match property.strip_prefix("sc-domain:") {
            Some(domain) => {
                let host = bare_host(domain.trim());
                self.sites
                    .iter()
                    .find(|(h, _, _)| *h == host)
                    .map(|(_, _, name)| name.clone())
            }
            None => self.page_of(property).map(|p| p.site),
        }
    }
}

/// URLs no site has, counted by host (for the import's summary: nothing
/// is left out without a line saying so).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unmatched {
    /// Rows per host.
    pub hosts: BTreeMap<String, u64>,
}

impl Unmatched {
    /// Counts a row of `url`.
    pub fn add(&mut self, url: &str) {
        let host = host_of(url).unwrap_or_else(|| url.chars().take(60).collect());
        *self.hosts.entry(host).or_default() += 1;
    }

    /// Rows counted.
    pub fn rows(&self) -> u64 {
        self.hosts.values().sum()
    }
}

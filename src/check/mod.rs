//! `grove check`: link health of what a build publishes. Sites are built
//! into a temporary folder; every HTML file is crawled for internal links
//! and `#anchors` (checked on disk, without network) and for external and
//! affiliate destinations (each checked once over HTTP, however many pages
//! link to it).

mod crawl;
mod http;
mod record;

use std::collections::BTreeSet;
use std::time::Duration;

use serde::Serialize;

use crate::build::{BuildOptions, build};
use crate::content::MISSING_IMAGE_NOTICE;
use crate::error::{Error, Result};
use crate::network::{Network, Shard};
pub use http::LinkState;
pub use record::{CheckRecord, SiteCheckRecord};

/// What `grove check` checks.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Sites to check; all when empty.
    pub sites: Vec<String>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Most requests in flight.
    pub concurrency: usize,
    /// Check internal links only.
    pub offline: bool,
    /// Check only this part of the (selected) sites.
    pub shard: Option<Shard>,
}

/// A broken internal link.
#[derive(Debug, Clone, Serialize)]
pub struct InternalProblem {
    /// The page (output path) holding the link.
    pub page: String,
    /// The link as written.
    pub href: String,
    /// What is wrong.
    pub problem: String,
}

/// An external destination and what checking it found.
#[derive(Debug, Clone, Serialize)]
pub struct ExternalLink {
    /// The URL.
    pub url: String,
    /// Result of the check (absent with `--offline`).
    pub state: Option<LinkState>,
    /// Pages of this site linking to it.
    pub pages: Vec<String>,
}

/// One site's results.
#[derive(Debug, Clone, Serialize)]
pub struct SiteCheck {
    /// Site name.
    pub site: String,
    /// HTML files crawled.
    pub pages: usize,
    /// Broken internal links and anchors.
    pub internal: Vec<InternalProblem>,
    /// External destinations, by URL.
    pub external: Vec<ExternalLink>,
}

impl SiteCheck {
    /// Whether anything is broken.
    pub fn has_broken(&self) -> bool {
        !self.internal.is_empty()
            || self
                .external
                .iter()
                .any(|l| matches!(l.state, Some(LinkState::Broken { .. })))
    }
}

/// Content images whose file is missing, from the build's notices
/// (`file:line: src`), as problems at their file and line.
fn missing_images(located: &[String]) -> Vec<InternalProblem> {
    located
        .iter()
        .filter_map(|item| {
            let (at, src) = item.rsplit_once(": ")?;
            Some(InternalProblem {
                page: at.to_string(),
                href: src.to_string(),
                problem:
                    "image file not found beside the page, in content/ or in the static folders"
                        .into(),
            })
        })
        .collect()
}

/// Checks the selected sites.
pub fn check(network: &Network, options: &CheckOptions) -> Result<Vec<SiteCheck>> {
    let out = tempfile::tempdir().map_err(|source| {
        Error::io(
            std::env::temp_dir(),
            "cannot create temporary folder",
            source,
        )
    })?;
    let built = build(
        network,
        &BuildOptions {
            sites: options.sites.clone(),
            shard: options.shard,
            output: Some(out.path().to_path_buf()),
            ..Default::default()
        },
    )?;
    let mut reports = Vec::new();
    let mut all_urls: BTreeSet<String> = BTreeSet::new();
    for summary in &built.sites {
        let site = network
            .sites
            .iter()
            .find(|s| s.name == summary.name)
            .expect("built sites exist");
        let crawl = crawl::crawl(
            &out.path().join(&site.name),
            &site.base_url,
            &site.base_path,
        )?;
        for url in crawl.external.keys() {
            all_urls.insert(url.clone());
        }
        let mut internal = missing_images(summary.notices.files_of(MISSING_IMAGE_NOTICE));
        // The crawl finds them too, on the built page; the content file and
        // line say more.
        let named: BTreeSet<&str> = internal.iter().map(|p| p.href.as_str()).collect();
        let mut crawled = crawl.problems;
        crawled.retain(|p| !named.contains(p.href.as_str()));
        internal.extend(crawled);
        reports.push(SiteCheck {
            site: site.name.clone(),
            pages: crawl.pages,
            internal,
            external: crawl
                .external
                .into_iter()
                .map(|(url, pages)| ExternalLink {
                    url,
                    state: None,
                    pages,
                })
                .collect(),
        });
    }
    if !options.offline && !all_urls.is_empty() {
        let urls: Vec<String> = all_urls.into_iter().collect();
        let states = http::check_all(&urls, options.timeout, options.concurrency)?;
        for report in &mut reports {
            for link in &mut report.external {
                link.state = states.get(&link.url).cloned();
            }
        }
    }
    Ok(reports)
}

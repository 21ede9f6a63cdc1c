//! Replicate candidates: the pages earning the most per 1,000 views that
//! some site of the network has no brief replicating yet. A page's file
//! comes from the last build's record; a replicated brief names its page
//! in `source` (see `grove replicate`), in a site's `briefs.toml` (that
//! site has it) or the blueprint's (every site has it).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;

use super::{Candidate, SiteReport};
use crate::build::BuildRecord;
use crate::draft::brief::BRIEFS_FILE;
use crate::error::{Error, Result};
use crate::network::{Network, parse_toml};

/// Just the `source` of each brief of a briefs file.
#[derive(Deserialize)]
struct Sources {
    #[serde(default)]
    brief: Vec<Source>,
}

#[derive(Deserialize)]
struct Source {
    source: Option<String>,
}

/// The pages of `sites` with revenue per 1,000 views, not yet replicated
/// to every other site of `network`, best first.
pub fn candidates(
    network: &Network,
    sites: &[SiteReport],
    record: &BuildRecord,
) -> Result<Vec<Candidate>> {
    let replicated = replicated(network)?;
    let mut candidates = Vec::new();
    for site in sites {
        let Some(files) = record.sites.get(&site.site).map(|r| &r.files) else {
            continue;
        };
        for page in &site.pages {
            let (Some(revenue), Some(rpm)) = (page.revenue, page.rpm) else {
                continue;
            };
            if revenue <= 0.0 {
                continue;
            }
            let Some(file) = files.get(&page.path) else {
                continue;
            };
            if !file.starts_with("sites/") {
                continue; // a blueprint page: every site has it
            }
            let has = replicated.get(file.as_str());
            let missing: Vec<String> = network
                .sites
                .iter()
                .filter(|s| s.name != site.site)
                .filter(|s| has.is_none_or(|has| !has.covers(&s.name)))
                .map(|s| s.name.clone())
                .collect();
            if missing.is_empty() {
                continue;
            }
            candidates.push(Candidate {
                site: site.site.clone(),
                path: page.path.clone(),
                file: file.clone(),
                views: page.views,
                revenue,
                rpm: Some(rpm),
                missing,
            });
        }
    }
    candidates.sort_by(|a, b| {
        b.rpm
            .unwrap_or(0.0)
            .total_cmp(&a.rpm.unwrap_or(0.0))
            .then(b.revenue.total_cmp(&a.revenue))
            .then(a.site.cmp(&b.site))
            .then(a.path.cmp(&b.path))
    });
    Ok(candidates)
}

/// Which sites have a brief replicating a page.
#[derive(Default)]
struct Replicated {
    /// The blueprint has one: every site.
    everywhere: bool,
    /// Sites whose own briefs have one.
    sites: BTreeSet<String>,
}

impl Replicated {
    fn covers(&self, site: &str) -> bool {
        self.everywhere || self.sites.contains(site)
    }
}

/// Every replicated brief's source page, with the sites that have it.
fn replicated(network: &Network) -> Result<BTreeMap<String, Replicated>> {
    let mut replicated: BTreeMap<String, Replicated> = BTreeMap::new();
    for source in sources(&network.root.join("content").join(BRIEFS_FILE))? {
        replicated.entry(source).or_default().everywhere = true;
    }
    for site in &network.sites {
        for source in sources(&site.dir.join(BRIEFS_FILE))? {
            replicated
                .entry(source)
                .or_default()
                .sites
                .insert(site.name.clone());
        }
    }
    Ok(replicated)
}

/// The `source` of every brief in the briefs file at `path` (none when
/// there is no file).
fn sources(path: &Path) -> Result<Vec<String>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(path, "cannot read file", e)),
    };
    let file: Sources = parse_toml(path, &text)?;
    Ok(file
        .brief
        .into_iter()
        .filter_map(|b| b.source)
        .map(|s| s.replace('\\', "/"))
        .collect())
}

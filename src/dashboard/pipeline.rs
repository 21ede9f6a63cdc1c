//! The drafting pipeline of each site: its briefs, by how far they are.

use serde::Serialize;

use crate::content::front_matter;
use crate::draft::brief::site_briefs;
use crate::error::Result;
use crate::network::{Network, Site};

/// One site's briefs, by stage.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Pipeline {
    /// The site.
    pub site: String,
    /// Briefs `grove research` proposed, waiting to be accepted.
    pub proposed: usize,
    /// Briefs without a file yet: `grove draft` writes them.
    pub planned: usize,
    /// Briefs whose file is a draft (`draft = true`): waiting for review.
    pub drafted: usize,
    /// Briefs whose file is published (approved, or written by a person).
    pub approved: usize,
}

/// The pipeline of each of `sites`.
pub fn pipelines(network: &Network, sites: &[&Site]) -> Result<Vec<Pipeline>> {
    sites.iter().map(|site| pipeline(network, site)).collect()
}

fn pipeline(network: &Network, site: &Site) -> Result<Pipeline> {
    let mut pipeline = Pipeline {
        site: site.name.clone(),
        ..Pipeline::default()
    };
    for brief in site_briefs(network, site)? {
        let rel = brief.rel_path();
        let file = [
            site.dir.join("content").join(&rel),
            network.root.join("content").join(&rel),
        ]
        .into_iter()
        .find(|path| path.is_file());
        match file {
            None if brief.proposed => pipeline.proposed += 1,
            None => pipeline.planned += 1,
            Some(path) if is_draft(&path) => pipeline.drafted += 1,
            Some(_) => pipeline.approved += 1,
        }
    }
    Ok(pipeline)
}

/// Whether the file's front matter says `draft = true` (an unreadable file
/// counts as a draft: it is not published either).
fn is_draft(path: &std::path::Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return true;
    };
    let Ok(split) = front_matter::split(path, &text) else {
        return true;
    };
    front_matter::parse_fields(path, &split)
        .ok()
        .and_then(|mut fields| fields.bool("draft").ok().flatten())
        .unwrap_or(false)
}

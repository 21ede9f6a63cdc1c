//! The drafting pipeline of each site: its briefs, by how far they are.

use serde::Serialize;

use crate::draft::stage::{Stage, brief_stages};
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
    for (_, stage) in brief_stages(network, site)? {
        match stage {
            Stage::Proposed => pipeline.proposed += 1,
            Stage::Planned => pipeline.planned += 1,
            Stage::Drafted => pipeline.drafted += 1,
            Stage::Published => pipeline.approved += 1,
        }
    }
    Ok(pipeline)
}

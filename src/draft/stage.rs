//! How far each brief of a site has come: proposed, planned, drafted or
//! published. Drafting owns the answer; the dashboard and reports ask it.

use std::path::Path;

use super::brief::{Brief, site_briefs};
use crate::content::front_matter;
use crate::error::Result;
use crate::network::{Network, Site};

/// Where a brief stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// `grove research` proposed it; waiting to be accepted.
    Proposed,
    /// No file yet: `grove draft` writes it.
    Planned,
    /// Its file is a draft (`draft = true`): waiting for review.
    Drafted,
    /// Its file is published (approved, or written by a person).
    Published,
}

/// Each brief of `site` with its stage.
pub fn brief_stages(network: &Network, site: &Site) -> Result<Vec<(Brief, Stage)>> {
    Ok(site_briefs(network, site)?
        .into_iter()
        .map(|brief| {
            let stage = stage(network, site, &brief);
            (brief, stage)
        })
        .collect())
}

/// The stage of one brief of `site`: its file in the site, else in the
/// blueprint.
fn stage(network: &Network, site: &Site, brief: &Brief) -> Stage {
    let rel = brief.rel_path();
    let file = [
        site.dir.join("content").join(&rel),
        network.root.join("content").join(&rel),
    ]
    .into_iter()
    .find(|path| path.is_file());
    match file {
        None if brief.proposed => Stage::Proposed,
        None => Stage::Planned,
        Some(path) if is_draft(&path) => Stage::Drafted,
        Some(_) => Stage::Published,
    }
}

/// Whether the file's front matter says `draft = true` (an unreadable file
/// counts as a draft: it is not published either).
fn is_draft(path: &Path) -> bool {
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

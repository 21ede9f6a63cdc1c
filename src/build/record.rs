//! What the last `grove build` produced, per site, kept in
//! `.grove/last-build.json` for `grove report` (pages published, drafts
//! waiting), so a report need not load every site's content again.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::SiteSummary;
use crate::error::Result;
use crate::state::{self, Record};

/// Per site, what its last build produced.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildRecord {
    /// By site name.
    pub sites: BTreeMap<String, SiteRecord>,
}

/// One site's last build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteRecord {
    /// Content pages published (drafts included only if built with
    /// `--drafts`).
    pub pages: usize,
    /// Pages marked `draft = true`.
    pub drafts: usize,
    /// When, RFC 3339 UTC.
    pub built_at: String,
    /// Each page's content file (relative to the network root), by URL
    /// path below the base path.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
    /// Each page's title, by URL path below the base path.
    #[serde(default)]
    pub titles: BTreeMap<String, String>,
}

impl Record for BuildRecord {
    const FILE: &'static str = state::BUILD_RECORD;
}

impl BuildRecord {
    /// Records `sites` (others keep their earlier record) in `state_dir`.
    pub fn update(state_dir: &Path, sites: &[SiteSummary]) -> Result<()> {
        let mut record = Self::read(state_dir);
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        for site in sites {
            record.sites.insert(
                site.name.clone(),
                SiteRecord {
                    pages: site.pages,
                    drafts: site.drafts,
                    built_at: now.clone(),
                    files: site.page_files.iter().cloned().collect(),
                    titles: site.page_titles.iter().cloned().collect(),
                },
            );
        }
        record.write(state_dir)
    }
}

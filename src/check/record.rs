//! The last `grove check` result per site, kept in `.grove/check.json` for
//! the dashboard (broken links, without crawling again).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{LinkState, SiteCheck};
use crate::error::Result;
use crate::state::{self, Record};

/// Per site, what its last check found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckRecord {
    /// By site name.
    pub sites: BTreeMap<String, SiteCheckRecord>,
}

/// One site's last check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteCheckRecord {
    /// Broken internal links and anchors.
    pub internal: usize,
    /// Broken external and affiliate destinations (none when offline).
    pub external: usize,
    /// Redirected external destinations.
    pub redirected: usize,
    /// Whether external links were checked (not `--offline`).
    pub online: bool,
    /// When, RFC 3339 UTC.
    pub checked_at: String,
}

impl SiteCheckRecord {
    /// Broken links of every kind.
    pub fn broken(&self) -> usize {
        self.internal + self.external
    }
}

impl Record for CheckRecord {
    const FILE: &'static str = state::CHECK_RECORD;
}

impl CheckRecord {
    /// Records `checks` (other sites keep their earlier record).
    pub fn update(state_dir: &Path, checks: &[SiteCheck], online: bool) -> Result<()> {
        let mut record = Self::read(state_dir);
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        for check in checks {
            let count = |wanted: fn(&LinkState) -> bool| {
                check
                    .external
                    .iter()
                    .filter(|l| l.state.as_ref().is_some_and(wanted))
                    .count()
            };
            record.sites.insert(
                check.site.clone(),
                SiteCheckRecord {
                    internal: check.internal.len(),
                    external: count(|s| matches!(s, LinkState::Broken { .. })),
                    redirected: count(|s| matches!(s, LinkState::Redirected { .. })),
                    online,
                    checked_at: now.clone(),
                },
            );
        }
        record.write(state_dir)
    }
}

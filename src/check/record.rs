//! The last `grove check` result per site, kept in `.grove/check.json` for
//! the dashboard (broken links, without crawling again).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{LinkState, SiteCheck};
use crate::error::{Error, Result};
use crate::output::write_atomic;

const RECORD_FILE: &str = "check.json";

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

impl CheckRecord {
    /// The record in `state_dir` (empty if there is none or it is unreadable).
    pub fn read(state_dir: &Path) -> CheckRecord {
        std::fs::read(state_dir.join(RECORD_FILE))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// Records `checks` (other sites keep their earlier record).
    pub fn update(state_dir: &Path, checks: &[SiteCheck], online: bool) -> Result<()> {
        let mut record = CheckRecord::read(state_dir);
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
        std::fs::create_dir_all(state_dir)
            .map_err(|source| Error::io(state_dir, "cannot create folder", source))?;
        let json = serde_json::to_vec_pretty(&record).expect("a record serializes");
        write_atomic(&state_dir.join(RECORD_FILE), &json)
    }
}

//! The last `grove audit` result per site, kept in `.grove/audit.json` for
//! the dashboard (findings, without auditing again).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Audit, Severity};
use crate::error::{Error, Result};
use crate::output::write_atomic;

const RECORD_FILE: &str = "audit.json";

/// Per site, what its last audit found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// By site name.
    pub sites: BTreeMap<String, SiteAuditRecord>,
}

/// One site's last audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteAuditRecord {
    /// Pages audited.
    pub pages: usize,
    /// Error findings.
    pub errors: usize,
    /// Warning findings.
    pub warnings: usize,
    /// Whether drafts were audited too.
    pub drafts: bool,
    /// When, RFC 3339 UTC.
    pub audited_at: String,
}

impl AuditRecord {
    /// The record in `state_dir` (empty if there is none or it is unreadable).
    pub fn read(state_dir: &Path) -> AuditRecord {
        std::fs::read(state_dir.join(RECORD_FILE))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// Records `audit`'s sites (other sites keep their earlier record).
    pub fn update(state_dir: &Path, audit: &Audit, drafts: bool) -> Result<()> {
        let mut record = AuditRecord::read(state_dir);
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        for (site, pages) in &audit.sites {
            let count = |severity: Severity| {
                audit
                    .findings
                    .iter()
                    .filter(|f| &f.site == site && f.severity == severity)
                    .count()
            };
            record.sites.insert(
                site.clone(),
                SiteAuditRecord {
                    pages: *pages,
                    errors: count(Severity::Error),
                    warnings: count(Severity::Warning),
                    drafts,
                    audited_at: now.clone(),
                },
            );
        }
        std::fs::create_dir_all(state_dir)
            .map_err(|source| Error::io(state_dir, "cannot create folder", source))?;
        let json = serde_json::to_vec_pretty(&record).expect("a record serializes");
        write_atomic(&state_dir.join(RECORD_FILE), &json)
    }
}

//! The last `grove audit` result per site, kept in `.grove/audit.json` for
//! the dashboard (findings, without auditing again).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Audit, Severity};
use crate::error::Result;
use crate::state::{self, Record};

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

impl Record for AuditRecord {
    const FILE: &'static str = state::AUDIT_RECORD;
}

impl AuditRecord {
    /// Records `audit`'s sites (other sites keep their earlier record).
    pub fn update(state_dir: &Path, audit: &Audit, drafts: bool) -> Result<()> {
        let mut record = Self::read(state_dir);
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
        record.write(state_dir)
    }
}

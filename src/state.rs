//! `.grove/`: the state Grove keeps beside a network's sources. Every file
//! in it is named here (docs/architecture.md says who writes each), and the
//! JSON records share one way to be read, updated and written atomically.
//! Nothing in it is a source: deleting the folder loses measurements,
//! records and the model cache, never content.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::output::write_atomic;

/// The folder's name, below the network root.
pub const DIR: &str = ".grove";

/// The stats database: log counts, earnings, coverage (`grove stats`,
/// `grove revenue`).
pub const STATS_DB: &str = "stats.db";
/// Every paid model call, one JSON line each (`grove draft`, `research`).
pub const LEDGER: &str = "ledger.jsonl";
/// Model answers by request, so a prompt is paid for once.
pub const CACHE_DIR: &str = "cache";
/// Files `grove draft` wrote, with their hashes (edits are a person's).
pub const DRAFTED_MANIFEST: &str = "drafted.jsonl";
/// Files `grove import` wrote, with their hashes (edits and deletions
/// are a person's).
pub const IMPORTED_MANIFEST: &str = "imported.jsonl";
/// The last `grove audit` per site.
pub const AUDIT_RECORD: &str = "audit.json";
/// The last `grove check` per site.
pub const CHECK_RECORD: &str = "check.json";
/// The last build per site (pages and their files).
pub const BUILD_RECORD: &str = "last-build.json";
/// Locks that keep runs of one kind apart (`locks/<job>.lock`).
pub const LOCKS_DIR: &str = "locks";
/// Images made from the network's photos, by source and operation
/// (`grove build`, `grove serve`); unused ones are deleted after
/// `[images] keep_unused_days`.
pub const IMAGES_DIR: &str = "images";
/// The dashboard `grove dashboard` writes by default.
pub const DASHBOARD_DIR: &str = "dashboard";

/// The state folder of the network at `root`.
pub fn dir(root: &Path) -> PathBuf {
    root.join(DIR)
}

/// The full report of `grove import --site NAME`.
pub fn import_report(site: &str) -> String {
    format!("import-{site}.md")
}

/// A JSON record kept in the state folder: read whole (empty when missing
/// or unreadable, since a record only saves work), changed, written back
/// atomically.
pub trait Record: Serialize + DeserializeOwned + Default {
    /// Its file name in the state folder.
    const FILE: &'static str;

    /// The record in `state_dir`, or an empty one.
    fn read(state_dir: &Path) -> Self {
        std::fs::read(state_dir.join(Self::FILE))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// Writes the record to `state_dir`, whole or not at all.
    fn write(&self, state_dir: &Path) -> Result<()> {
        std::fs::create_dir_all(state_dir)
            .map_err(|source| Error::io(state_dir, "cannot create folder", source))?;
        let json = serde_json::to_vec_pretty(self).expect("a record serializes");
        write_atomic(&state_dir.join(Self::FILE), &json)
    }
}

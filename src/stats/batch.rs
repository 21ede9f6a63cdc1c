//! Imports of several files committed together. A thousand CloudFront
//! files of a thousand lines each cost a thousand transactions, each
//! rewriting the same series rows; held back and committed together, the
//! rows are written once. Each file stays whole: it is committed with its
//! checkpoint, in the same transaction as its counts, so a killed import
//! counts every file of an uncommitted batch again, once, and none twice.

use std::collections::HashSet;

use super::store::{self, PendingImport};
use super::tally::Tally;
use crate::db::Db;
use crate::error::Result;

/// Lines held back before the batch is committed.
const MAX_LINES: u64 = 1_000_000;

/// Files held back before the batch is committed.
const MAX_FILES: usize = 1_000;

/// Counted files not committed yet, their counts together.
pub struct Batch {
    site_names: Vec<String>,
    tally: Tally,
    imports: Vec<PendingImport>,
    fingerprints: HashSet<String>,
    lines: u64,
}

impl Batch {
    /// An empty batch for the sites `site_names` (in the tallies' order).
    pub fn new(site_names: Vec<String>) -> Batch {
        let tally = Tally::new(site_names.len());
        Batch {
            site_names,
            tally,
            imports: Vec::new(),
            fingerprints: HashSet::new(),
            lines: 0,
        }
    }

    /// Whether a file whose first data line has `fingerprint` may be a log
    /// of this batch: it must be committed before that file is looked up.
    pub fn holds(&self, fingerprint: &str) -> bool {
        self.fingerprints.contains(fingerprint)
    }

    /// Adds a file's counts (clicks settled) and where it leaves its log;
    /// commits when the batch is full.
    pub fn add(&mut self, db: &mut Db, tally: Tally, import: PendingImport) -> Result<()> {
        self.lines += tally.lines;
        self.fingerprints.insert(import.log.fingerprint.clone());
        self.imports.push(import);
        self.tally.merge(tally);
        if self.lines >= MAX_LINES || self.imports.len() >= MAX_FILES {
            self.commit(db)?;
        }
        Ok(())
    }

    /// Commits what the batch holds, and empties it.
    pub fn commit(&mut self, db: &mut Db) -> Result<()> {
        if self.imports.is_empty() {
            return Ok(());
        }
        store::commit(db, &self.site_names, &self.tally, &self.imports)?;
        self.tally = Tally::new(self.site_names.len());
        self.imports.clear();
        self.fingerprints.clear();
        self.lines = 0;
        Ok(())
    }
}

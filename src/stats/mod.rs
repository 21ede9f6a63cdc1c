//! `grove stats import`: access logs into daily rollups in the stats
//! database. No tracking script, no cookies, nothing added to the sites:
//! what the host logs anyway is counted, and raw addresses are never kept.
//!
//! A log is read in large blocks of whole lines; each block is split into
//! parts counted in parallel ([`tally`]), and the file's counts go to the
//! database with its checkpoint in one transaction ([`store`]), shared
//! with the files counted just before it ([`batch`]). A log seen before
//! (see [`identity`]) resumes after its checkpoint, so importing a file
//! again counts nothing twice and a grown log counts only its new lines.

mod batch;
pub(crate) mod classify;
mod contribution;
mod count;
pub mod crawlers;
mod files;
mod forget;
pub mod format;
mod hll;
mod identity;
mod input;
pub mod referrer;
mod store;
pub mod tally;

use crate::db::Db;
use crate::error::{Error, Result};
use crate::network::Network;
use crate::run_lock::{self, RunLock};
use crate::state;
use batch::Batch;
use classify::SiteTarget;
pub use count::MAX_LINE;
use files::Importer;
pub use forget::{ForgetOptions, Forgotten};
pub use format::Format;

/// What `grove stats import` should do.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Count every request for this site (logs of one site, or formats
    /// without the host).
    pub site: Option<String>,
    /// The format; detected from the first lines when `None`.
    pub format: Option<Format>,
    /// Log files; `-` is standard input.
    pub files: Vec<String>,
}

/// What importing one log did.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// The log, as named.
    pub name: String,
    /// Its format.
    pub format: Format,
    /// Lines counted by an earlier import and skipped.
    pub skipped_lines: u64,
    /// New lines read.
    pub lines: u64,
    /// Human page views counted.
    pub views: u64,
    /// `/go/` clicks counted.
    pub clicks: u64,
    /// 404s counted.
    pub not_found: u64,
    /// Crawler requests counted.
    pub crawler_hits: u64,
    /// Lines that are not requests of the format.
    pub malformed: u64,
    /// The first of them: (line number, text).
    pub malformed_examples: Vec<(u64, String)>,
    /// Requests for hosts no site has: (host, requests), most first.
    pub unknown_hosts: Vec<(String, u64)>,
    /// Requests on a site's host outside its base path.
    pub outside_base_path: u64,
    /// The log ends in a line without a line end (still being written):
    /// it is left for the next import.
    pub unfinished_line: bool,
    /// The log is shorter than when it was last imported (truncated?).
    pub shorter: bool,
    /// Why nothing of it was counted, when most of its lines are not of
    /// its format.
    pub refused: Option<String>,
}

/// Imports `options.files` into the network's stats database, each file
/// whole with its checkpoint, files committed together in batches
/// ([`batch`]).
pub fn import(network: &Network, options: &ImportOptions) -> Result<Vec<FileReport>> {
    if options.files.is_empty() {
        return Err(Error::Usage(
            "name the access logs to import (a path, or - for standard input)".into(),
        ));
    }
    let targets = site_targets(network);
    let forced = match &options.site {
        Some(name) => {
            network.select(std::slice::from_ref(name), None)?;
            targets.iter().position(|t| &t.name == name)
        }
        None => None,
    };
    // Checkpoints are read and written under the lock: two imports of one
    // log at once count it once.
    let _lock = RunLock::wait(&state::dir(&network.root), run_lock::STATS)?;
    let mut db = Db::open(&state::dir(&network.root))?;
    let salt = store::salt(&mut db)?;
    let mut batch = Batch::new(targets.iter().map(|t| t.name.clone()).collect());
    let importer = Importer {
        targets: &targets,
        forced,
        format: options.format,
        salt,
    };
    let files = input::expand_folders(&options.files)?;
    importer.import(&mut db, &mut batch, &files)
}

/// Takes the counts of the logs `options` selects back out of the
/// network's stats database, with their checkpoints (see [`forget`]).
pub fn forget(network: &Network, options: &ForgetOptions) -> Result<Vec<Forgotten>> {
    let state = state::dir(&network.root);
    let _lock = RunLock::wait(&state, run_lock::STATS)?;
    let Some(mut db) = Db::open_existing(&state)? else {
        return Err(Error::Usage(
            "nothing was imported yet: there is no .grove/stats.db".into(),
        ));
    };
    if let Some(site) = &options.site {
        network.select(std::slice::from_ref(site), None)?;
    }
    forget::forget(&mut db, options)
}

/// The network's sites as requests are matched to them.
fn site_targets(network: &Network) -> Vec<SiteTarget> {
    network
        .sites
        .iter()
        .map(|site| SiteTarget {
            name: site.name.clone(),
            host: referrer::host_of(&site.base_url).unwrap_or_default(),
            base_path: site.base_path.clone(),
        })
        .collect()
}

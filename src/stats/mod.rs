//! `grove stats import`: access logs into daily rollups in the stats
//! database. No tracking script, no cookies, nothing added to the sites:
//! what the host logs anyway is counted, and raw addresses are never kept.
//!
//! A log is read in large blocks of whole lines; each block is split into
//! parts counted in parallel ([`tally`]), and the file's counts go to the
//! database with its checkpoint in one transaction ([`store`]). A log seen
//! before (the same first line) resumes after its checkpoint, so importing
//! a file again counts nothing twice and a grown log counts only its new
//! lines.

mod classify;
mod contribution;
mod count;
pub mod crawlers;
mod forget;
pub mod format;
mod hll;
mod identity;
mod input;
pub mod referrer;
mod store;
pub mod tally;

use std::collections::HashMap;

use crate::db::Db;
use crate::draft::STATE_DIR;
use crate::error::{Error, Result};
use crate::network::Network;
use crate::run_lock::{self, RunLock};
use classify::{Classifier, SiteTarget};
pub use count::MAX_LINE;
pub use forget::{ForgetOptions, Forgotten};
pub use format::Format;
use format::LineParser;
use identity::{Fingerprints, Match, identify};
use input::LogInput;
use store::LogUpdate;
use tally::Tally;

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

/// Imports `options.files` into the network's stats database, one
/// transaction per file.
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
    let _lock = RunLock::wait(&network.root.join(STATE_DIR), run_lock::STATS)?;
    let mut db = Db::open(&network.root.join(STATE_DIR))?;
    let salt = store::salt(&mut db)?;
    let mut reports = Vec::new();
    for name in &options.files {
        let mut input = LogInput::open(name)?;
        let head = input.peek(1 << 16)?.to_vec();
        // Whole lines only: a line cut by the peek is no sample of the format.
        let whole = match memchr::memrchr(b'\n', &head) {
            Some(end) if !head.ends_with(b"\n") => &head[..=end],
            _ => &head[..],
        };
        let head_text = String::from_utf8_lossy(whole);
        let head_lines: Vec<&str> = head_text.lines().take(20).collect();
        let format = match options.format {
            Some(format) => format,
            None if head.is_empty() => Format::Combined,
            None => Format::detect(&head_lines).ok_or_else(|| {
                Error::Usage(format!(
                    "{name}: cannot tell the log format from its first lines; pass --format (common, combined, vcombined, cloudfront, cloudflare or caddy)"
                ))
            })?,
        };
        let forced = match forced {
            Some(index) => Some(index),
            None if format.has_host() => None,
            None if targets.len() == 1 => Some(0),
            None => {
                return Err(Error::Usage(format!(
                    "{name}: the {} format does not say which host a request was for; pass --site NAME for a log of one site",
                    format.name()
                )));
            }
        };
        let classifier = Classifier::new(targets.clone(), forced, salt);
        let parser = LineParser::new(format, &head_lines);
        reports.push(import_log(
            &mut db,
            input,
            &head,
            format,
            &parser,
            &classifier,
        )?);
    }
    Ok(reports)
}

/// Takes the counts of the logs `options` selects back out of the
/// network's stats database, with their checkpoints (see [`forget`]).
pub fn forget(network: &Network, options: &ForgetOptions) -> Result<Vec<Forgotten>> {
    let state = network.root.join(STATE_DIR);
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

fn import_log(
    db: &mut Db,
    input: LogInput,
    head: &[u8],
    format: Format,
    parser: &LineParser,
    classifier: &Classifier,
) -> Result<FileReport> {
    let fingerprints = Fingerprints::of(head);
    let known = store::known_logs(db, &fingerprints)?;
    let name = input.name.clone();
    let splits: Vec<u64> = known.iter().map(|log| log.offset).collect();
    let counted = count::count_log(input, parser, classifier, &splits)?;
    let at_line_end = |offset: u64| {
        offset == counted.consumed
            || counted
                .splits
                .iter()
                .any(|s| s.offset == offset && s.at_line_end)
    };
    let found = identify(&known, &name, counted.consumed, |offset| {
        at_line_end(offset)
            .then(|| counted.prefixes.at(offset))
            .flatten()
    });
    let lines_at = |offset: u64| {
        counted
            .splits
            .iter()
            .find(|s| s.offset == offset)
            .map_or(counted.lines, |s| s.lines)
    };
    let (known_id, start, shorter) = match &found {
        Match::Known(log) => (Some(log.id), log.offset, false),
        Match::Truncated(_) => (None, counted.consumed, true),
        Match::New => (None, 0, false),
    };
    let skipped_lines = if start == 0 { 0 } else { lines_at(start) };
    // Judged on the whole file: a grown log's few new lines say little.
    let (all_lines, all_malformed) = counted
        .segments
        .iter()
        .fold((0, 0), |(l, m), t| (l + t.lines, m + t.malformed));
    let refused = refusal(all_lines, all_malformed, format, head);
    // The segments after the checkpoint of the log the file is.
    let first = counted.splits.iter().filter(|s| s.offset <= start).count();
    let mut segments = counted.segments.into_iter().skip(first);
    let mut tally = segments.next().unwrap_or_default();
    for segment in segments {
        tally.merge(segment);
    }
    tally.settle_clicks();
    let report = FileReport {
        name: name.clone(),
        format,
        skipped_lines,
        lines: tally.lines,
        views: sum_days(&tally, |d| d.views),
        clicks: sum_days(&tally, |d| d.clicks),
        not_found: sum_days(&tally, |d| d.not_found),
        crawler_hits: sum_days(&tally, |d| d.crawler_hits),
        malformed: tally.malformed,
        malformed_examples: tally.malformed_examples.clone(),
        unknown_hosts: unknown_hosts(&tally),
        outside_base_path: tally.outside_base_path,
        unfinished_line: counted.unfinished,
        shorter,
        refused: refused.clone(),
    };
    if !shorter && refused.is_none() && counted.consumed > start {
        let names: Vec<String> = classifier.sites().iter().map(|s| s.name.clone()).collect();
        let update = LogUpdate {
            known: known_id,
            fingerprint: &fingerprints.data,
            name: &name,
            offset: counted.consumed,
            lines: counted.lines,
            prefix_hash: &counted.prefixes.end.1,
            new_lines: counted.lines - skipped_lines,
        };
        store::commit(db, &names, &tally, &update)?;
    }
    Ok(report)
}

/// Why counting a log would be wrong: more than half of its `lines` are
/// `malformed` (not of `format`); names the format the log's first lines
/// (`head`) look like, if any.
fn refusal(lines: u64, malformed: u64, format: Format, head: &[u8]) -> Option<String> {
    if lines == 0 || malformed * 2 <= lines {
        return None;
    }
    let text = String::from_utf8_lossy(head);
    let first_lines: Vec<&str> = text.lines().take(20).collect();
    let hint = match Format::detect(&first_lines) {
        Some(other) if other != format => format!(
            "it looks like the {} format: import it with --format {}",
            other.name(),
            other.name()
        ),
        _ => "no format Grove reads matches its first lines; name one with --format".to_string(),
    };
    Some(format!(
        "{malformed} of its {lines} lines are not {} lines: nothing of it was counted and it can be imported again; {hint}",
        format.name()
    ))
}

fn sum_days(tally: &Tally, field: impl Fn(&tally::DayTotals) -> u64) -> u64 {
    tally
        .sites
        .iter()
        .flat_map(|s| s.days.values())
        .map(field)
        .sum()
}

fn unknown_hosts(tally: &Tally) -> Vec<(String, u64)> {
    let mut hosts: HashMap<&str, u64> = HashMap::new();
    for ((host, _), hits) in &tally.unknown_hosts {
        *hosts.entry(host).or_default() += hits;
    }
    let mut hosts: Vec<(String, u64)> = hosts
        .into_iter()
        .map(|(host, hits)| (host.to_string(), hits))
        .collect();
    hosts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    hosts
}

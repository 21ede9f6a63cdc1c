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
pub mod crawlers;
pub mod format;
mod hll;
mod input;
pub mod referrer;
mod store;
pub mod tally;

use std::collections::HashMap;

use rayon::prelude::*;

use crate::db::Db;
use crate::draft::STATE_DIR;
use crate::error::{Error, Result};
use crate::network::Network;
use crate::run_lock::{self, RunLock};
use classify::{Classifier, SiteTarget};
pub use format::Format;
use format::LineParser;
use input::{LogInput, fingerprint, first_line};
use store::Checkpoint;
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
    let identity = fingerprint(first_line(head));
    let previous = store::checkpoint(db, &identity)?.unwrap_or_default();
    let name = input.name.clone();
    let complete = input.complete;
    let mut counter = Counter {
        parser,
        classifier,
        skip_to: previous.offset,
        consumed: 0,
        lines: 0,
        tally: Tally::new(classifier.sites().len()),
    };
    // One thread reads blocks while the others count the one before.
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Result<Vec<u8>>>(0);
    let unfinished = std::thread::scope(|scope| {
        scope.spawn(move || read_blocks(input, &sender));
        count_stream(receiver, complete, &mut counter)
    })?;
    let Counter {
        consumed,
        lines,
        tally,
        ..
    } = counter;
    let shorter = consumed < previous.offset;
    let report = FileReport {
        name: name.clone(),
        format,
        skipped_lines: previous.lines.min(lines),
        lines: tally.lines,
        views: sum_days(&tally, |d| d.views),
        clicks: sum_days(&tally, |d| d.clicks),
        not_found: sum_days(&tally, |d| d.not_found),
        crawler_hits: sum_days(&tally, |d| d.crawler_hits),
        malformed: tally.malformed,
        malformed_examples: tally.malformed_examples.clone(),
        unknown_hosts: unknown_hosts(&tally),
        outside_base_path: tally.outside_base_path,
        unfinished_line: unfinished,
        shorter,
    };
    if !shorter && consumed > previous.offset {
        let names: Vec<String> = classifier.sites().iter().map(|s| s.name.clone()).collect();
        let checkpoint = Checkpoint {
            offset: consumed,
            lines,
        };
        store::commit(db, &names, &tally, (&identity, &name, checkpoint))?;
    }
    Ok(report)
}

/// Sends the log's blocks, then stops (at the end, or at an error, or when
/// nobody listens any more).
fn read_blocks(mut input: LogInput, sender: &std::sync::mpsc::SyncSender<Result<Vec<u8>>>) {
    loop {
        match input.read_block() {
            Ok(block) if block.is_empty() => return,
            Ok(block) => {
                if sender.send(Ok(block)).is_err() {
                    return;
                }
            }
            Err(error) => {
                let _ = sender.send(Err(error));
                return;
            }
        }
    }
}

/// The longest line counted as a request: a longer one is counted as
/// malformed without being held, so a log of one endless line (a
/// decompression bomb) takes no more memory than any other.
pub const MAX_LINE: usize = 64 * 1024;

/// A line past [`MAX_LINE`], skipped as it streams by.
struct Overlong {
    /// Its bytes so far, its line end included once seen.
    len: u64,
    /// Its start, for the message.
    start: String,
}

impl Overlong {
    fn new(bytes: &[u8]) -> Overlong {
        Overlong {
            len: bytes.len() as u64,
            start: String::from_utf8_lossy(&bytes[..bytes.len().min(120)]).into_owned(),
        }
    }
}

/// Feeds the whole lines of the blocks to `counter`; a line cut between
/// two blocks is put together first, unless it grows past [`MAX_LINE`].
/// Returns whether the log ends in a line without a line end that was
/// left uncounted (a growing file).
fn count_stream(
    blocks: std::sync::mpsc::Receiver<Result<Vec<u8>>>,
    complete: bool,
    counter: &mut Counter<'_>,
) -> Result<bool> {
    let mut carry: Vec<u8> = Vec::new();
    let mut overlong: Option<Overlong> = None;
    for block in blocks {
        let block = block?;
        let line_end = memchr::memchr(b'\n', &block);
        let mut start = 0;
        if let Some(mut long) = overlong.take() {
            match line_end {
                Some(i) => {
                    long.len += i as u64 + 1;
                    counter.feed_overlong(&long, true);
                    start = i + 1;
                }
                None => {
                    long.len += block.len() as u64;
                    overlong = Some(long);
                    continue;
                }
            }
        } else if !carry.is_empty() {
            let taken = line_end.map_or(block.len(), |i| i + 1);
            if carry.len() + taken > MAX_LINE {
                let mut long = Overlong::new(&carry);
                long.len += taken as u64;
                carry.clear();
                match line_end {
                    Some(_) => counter.feed_overlong(&long, true),
                    None => {
                        overlong = Some(long);
                        continue;
                    }
                }
            } else {
                carry.extend_from_slice(&block[..taken]);
                if line_end.is_none() {
                    continue;
                }
                counter.feed(&carry);
                carry.clear();
            }
            start = taken;
        }
        let end = memchr::memrchr(b'\n', &block[start..]).map_or(start, |i| start + i + 1);
        if end > start {
            counter.feed(&block[start..end]);
        }
        let tail = &block[end..];
        if tail.len() > MAX_LINE {
            overlong = Some(Overlong::new(tail));
        } else {
            carry.extend_from_slice(tail);
        }
    }
    if let Some(long) = overlong {
        if !complete {
            return Ok(true);
        }
        counter.feed_overlong(&long, false);
    }
    if complete && !carry.is_empty() {
        counter.feed(&carry);
        carry.clear();
    }
    Ok(!carry.is_empty())
}

/// Counts whole lines as they come, past the checkpoint of an earlier
/// import.
struct Counter<'a> {
    parser: &'a LineParser,
    classifier: &'a Classifier,
    /// Bytes counted by an earlier import.
    skip_to: u64,
    /// Bytes fed so far.
    consumed: u64,
    /// Lines fed so far.
    lines: u64,
    tally: Tally,
}

impl Counter<'_> {
    /// Counts `bytes`, whole lines (the last may lack its line end at the
    /// end of a log that cannot grow).
    fn feed(&mut self, bytes: &[u8]) {
        let skip = self
            .skip_to
            .saturating_sub(self.consumed)
            .min(bytes.len() as u64) as usize;
        if skip < bytes.len() {
            let first = self.lines + count_lines(&bytes[..skip]);
            let sites = self.classifier.sites().len();
            let part = count_block(&bytes[skip..], first, self.parser, self.classifier, sites);
            self.tally.merge(part);
        }
        self.lines += count_lines(bytes);
        self.consumed += bytes.len() as u64;
    }

    /// Counts a line past [`MAX_LINE`] as malformed (unless an earlier
    /// import counted it) without holding it; `ended`: `long.len` counts
    /// its line end.
    fn feed_overlong(&mut self, long: &Overlong, ended: bool) {
        self.lines += 1;
        if self.consumed >= self.skip_to {
            self.tally.lines += 1;
            let text_len = long.len - u64::from(ended);
            self.tally
                .malformed(self.lines, &too_long(&long.start, text_len));
        }
        self.consumed += long.len;
    }
}

/// How a line past [`MAX_LINE`] is shown: its start and its length.
fn too_long(start: &str, len: u64) -> String {
    let start: String = start.chars().take(60).collect();
    format!(
        "{start}... (a line of {len} bytes, over the {} KB a request line may have)",
        MAX_LINE / 1024
    )
}

/// Newlines in `bytes`, plus one for a last line without one.
fn count_lines(bytes: &[u8]) -> u64 {
    let newlines = memchr::memchr_iter(b'\n', bytes).count() as u64;
    newlines + u64::from(!bytes.is_empty() && !bytes.ends_with(b"\n"))
}

/// Counts a block of whole lines (the first is line `first_line + 1`),
/// split into parts counted in parallel.
fn count_block(
    block: &[u8],
    first_line: u64,
    parser: &LineParser,
    classifier: &Classifier,
    sites: usize,
) -> Tally {
    let parts = split_lines(block, rayon::current_num_threads());
    let mut starts = Vec::with_capacity(parts.len());
    let mut line = first_line;
    for part in &parts {
        starts.push(line);
        line += count_lines(part);
    }
    parts
        .par_iter()
        .zip(starts)
        .map(|(part, start)| count_part(part, start, parser, classifier, sites))
        .reduce(
            || Tally::new(sites),
            |mut a, b| {
                a.merge(b);
                a
            },
        )
}

/// `bytes` cut into about `n` pieces, each ending at a line end.
fn split_lines(bytes: &[u8], n: usize) -> Vec<&[u8]> {
    let target = (bytes.len() / n.max(1)).max(1 << 16);
    let mut parts = Vec::new();
    let mut rest = bytes;
    while rest.len() > target {
        let cut = match memchr::memchr(b'\n', &rest[target..]) {
            Some(i) => target + i + 1,
            None => rest.len(),
        };
        parts.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    if !rest.is_empty() {
        parts.push(rest);
    }
    parts
}

fn count_part(
    part: &[u8],
    first_line: u64,
    parser: &LineParser,
    classifier: &Classifier,
    sites: usize,
) -> Tally {
    let mut tally = Tally::new(sites);
    let mut crawlers = tally::FastMap::default();
    let mut number = first_line;
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', part).chain(std::iter::once(part.len()));
    for end in ends {
        let raw = &part[start..end];
        start = end + 1;
        number += 1;
        if raw.is_empty() {
            continue;
        }
        if raw.len() > MAX_LINE {
            tally.lines += 1;
            let shown = String::from_utf8_lossy(&raw[..120]);
            tally.malformed(number, &too_long(&shown, raw.len() as u64));
            continue;
        }
        // Valid UTF-8 is checked fast; only a broken line is copied.
        let text = match std::str::from_utf8(raw) {
            Ok(text) => std::borrow::Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(raw),
        };
        match parser.parse(&text) {
            Ok(Some(hit)) => {
                tally.lines += 1;
                classifier.count(&hit, &mut tally, &mut crawlers);
            }
            Ok(None) => {}
            Err(()) => {
                tally.lines += 1;
                tally.malformed(number, &text);
            }
        }
    }
    tally
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

//! The files of one `grove stats import`, in order: each is recognized
//! (its format, and which log counted before it may be), counted on its own
//! thread while the next ones are recognized, and finished in order into
//! the batch. A few files are counted at once, so a folder of small
//! CloudFront files keeps every core busy; a file that may be the same log
//! as one still being counted waits for it (and for its checkpoint).

use std::collections::VecDeque;
use std::thread::{Scope, ScopedJoinHandle};

use super::FileReport;
use super::batch::Batch;
use super::classify::{Classifier, SiteTarget};
use super::count::{self, Counted};
use super::format::{Format, LineParser};
use super::identity::{Fingerprints, KnownLog, Match, identify};
use super::input::LogInput;
use super::store::{self, LogUpdate, PendingImport};
use super::tally::{self, Tally};
use crate::db::Db;
use crate::error::{Error, Result};

/// Files counted at once.
const IN_FLIGHT: usize = 4;

/// What every file of the import is counted against.
pub struct Importer<'a> {
    /// The network's sites.
    pub targets: &'a [SiteTarget],
    /// The site every request goes to (`--site`), by index.
    pub forced: Option<usize>,
    /// The format given (`--format`), else detected per file.
    pub format: Option<Format>,
    /// The secret of visitor hashes.
    pub salt: u64,
}

/// A file recognized and being counted.
struct InFlight<'scope> {
    name: String,
    head: Vec<u8>,
    format: Format,
    fingerprints: Fingerprints,
    known: Vec<KnownLog>,
    counting: ScopedJoinHandle<'scope, Result<Counted>>,
}

impl Importer<'_> {
    /// Imports `names` into `batch` (committing it as it fills), returning
    /// a report per file. On an error, the files before it are committed.
    pub fn import(
        &self,
        db: &mut Db,
        batch: &mut Batch,
        names: &[String],
    ) -> Result<Vec<FileReport>> {
        std::thread::scope(|scope| {
            let mut reports = Vec::new();
            let mut in_flight: VecDeque<InFlight<'_>> = VecDeque::new();
            let outcome = (|| -> Result<()> {
                for name in names {
                    let file =
                        match self.start(db, batch, &mut in_flight, &mut reports, name, scope) {
                            Ok(file) => file,
                            Err(error) => {
                                // The files before it are counted all the same.
                                while let Some(file) = in_flight.pop_front() {
                                    reports.push(self.finish(db, batch, file)?);
                                }
                                return Err(error);
                            }
                        };
                    in_flight.push_back(file);
                    if in_flight.len() >= IN_FLIGHT {
                        let oldest = in_flight.pop_front().expect("a file in flight");
                        reports.push(self.finish(db, batch, oldest)?);
                    }
                }
                while let Some(file) = in_flight.pop_front() {
                    reports.push(self.finish(db, batch, file)?);
                }
                Ok(())
            })();
            // Counted files are committed, as they are reported.
            batch.commit(db)?;
            outcome.map(|()| reports)
        })
    }

    /// Opens and recognizes `name`, and starts counting it.
    fn start<'scope, 'env>(
        &'env self,
        db: &mut Db,
        batch: &mut Batch,
        in_flight: &mut VecDeque<InFlight<'scope>>,
        reports: &mut Vec<FileReport>,
        name: &str,
        scope: &'scope Scope<'scope, 'env>,
    ) -> Result<InFlight<'scope>> {
        let mut input = LogInput::open(name)?;
        let head = input.peek(1 << 16)?.to_vec();
        // Whole lines only: a line cut by the peek is no sample of the format.
        let whole = match memchr::memrchr(b'\n', &head) {
            Some(end) if !head.ends_with(b"\n") => &head[..=end],
            _ => &head[..],
        };
        let head_text = String::from_utf8_lossy(whole);
        let head_lines: Vec<&str> = head_text.lines().take(20).collect();
        let format = match self.format {
            Some(format) => format,
            None if head.is_empty() => Format::Combined,
            None => Format::detect(&head_lines).ok_or_else(|| {
                Error::Usage(format!(
                    "{name}: cannot tell the log format from its first lines; pass --format (common, combined, vcombined, cloudfront, cloudflare or caddy)"
                ))
            })?,
        };
        let forced = match self.forced {
            Some(index) => Some(index),
            None if format.has_host() => None,
            None if self.targets.len() == 1 => Some(0),
            None => {
                return Err(Error::Usage(format!(
                    "{name}: the {} format does not say which host a request was for; pass --site NAME for a log of one site",
                    format.name()
                )));
            }
        };
        let fingerprints = Fingerprints::of(&head);
        // It may be a log counted just before: that one's checkpoint must
        // be in first.
        if in_flight
            .iter()
            .any(|f| f.fingerprints.data == fingerprints.data)
        {
            while let Some(file) = in_flight.pop_front() {
                reports.push(self.finish(db, batch, file)?);
            }
        }
        if batch.holds(&fingerprints.data) {
            batch.commit(db)?;
        }
        let known = store::known_logs(db, &fingerprints)?;
        let splits: Vec<u64> = known.iter().map(|log| log.offset).collect();
        let classifier = Classifier::new(self.targets.to_vec(), forced, self.salt);
        let parser = LineParser::new(format, &head_lines);
        let counting = scope.spawn(move || count::count_log(input, &parser, &classifier, &splits));
        Ok(InFlight {
            name: name.to_string(),
            head,
            format,
            fingerprints,
            known,
            counting,
        })
    }

    /// Waits for `file`'s counts, takes what follows the checkpoint of the
    /// log it is, and adds it to the batch unless it is refused.
    fn finish(&self, db: &mut Db, batch: &mut Batch, file: InFlight<'_>) -> Result<FileReport> {
        let counted = file
            .counting
            .join()
            .expect("counting a log does not panic")?;
        let InFlight {
            name,
            head,
            format,
            fingerprints,
            known,
            ..
        } = file;
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
            // Counted already, to its end.
            Match::Inside(_) => (None, counted.consumed, false),
            // A log of its own after the prefix it shares.
            Match::Diverged(log) => (None, log.offset, false),
            Match::Truncated(_) => (None, counted.consumed, true),
            Match::New => (None, 0, false),
        };
        let skipped_lines = if start == 0 { 0 } else { lines_at(start) };
        // Judged on the whole file: a grown log's few new lines say little.
        let (all_lines, all_malformed) = counted
            .segments
            .iter()
            .fold((0, 0), |(l, m), t| (l + t.lines, m + t.malformed));
        let refused = refusal(all_lines, all_malformed, format, &head);
        // The segments after the checkpoint of the log the file is.
        let first = counted.splits.iter().filter(|s| s.offset <= start).count();
        let mut segments = counted.segments.into_iter().skip(first);
        let mut tally = segments.next().unwrap_or_default();
        for segment in segments {
            tally.merge(segment);
        }
        tally.settle();
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
            let names: Vec<String> = self.targets.iter().map(|s| s.name.clone()).collect();
            let update = LogUpdate {
                known: known_id,
                fingerprint: fingerprints.data,
                name,
                offset: counted.consumed,
                lines: counted.lines,
                prefix_hash: counted.prefixes.end.1.clone(),
                new_lines: counted.lines - skipped_lines,
            };
            let import = PendingImport::of(&tally, &names, update);
            batch.add(db, tally, import)?;
        }
        Ok(report)
    }
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
    let mut hosts: std::collections::HashMap<&str, u64> = std::collections::HashMap::new();
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

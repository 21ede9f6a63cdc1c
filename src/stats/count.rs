//! Counting a log as a stream: one thread reads (and hashes) blocks of
//! about 8 MB while the others count the block before; each block of whole
//! lines is split into parts counted in parallel. Lines past [`MAX_LINE`]
//! are counted as malformed as they stream by, so memory does not grow
//! with the file, whatever it holds.

use rayon::prelude::*;

use super::classify::Classifier;
use super::format::LineParser;
use super::identity::{PrefixHasher, Prefixes};
use super::input::LogInput;
use super::tally::{self, Tally};
use crate::error::Result;

/// What counting a log found.
pub struct Counted {
    /// The tallies of its segments, in order (see [`Split`]).
    pub segments: Vec<Tally>,
    /// The offsets that cut it into segments.
    pub splits: Vec<Split>,
    /// Bytes counted: the end of the last line counted.
    pub consumed: u64,
    /// Lines counted.
    pub lines: u64,
    /// It ends in a line without a line end, left for the next import.
    pub unfinished: bool,
    /// The hashes of its prefixes, at the splits and at `consumed`.
    pub prefixes: Prefixes,
}

/// Counts the log `input`, cut into segments at `splits` (offsets where a
/// log it may be was counted to).
pub fn count_log(
    input: LogInput,
    parser: &LineParser,
    classifier: &Classifier,
    splits: &[u64],
) -> Result<Counted> {
    let mut offsets: Vec<u64> = splits.iter().copied().filter(|&o| o > 0).collect();
    offsets.sort_unstable();
    offsets.dedup();
    let sites = classifier.sites().len();
    let mut counter = Counter {
        parser,
        classifier,
        splits: offsets
            .iter()
            .map(|&offset| Split {
                offset,
                at_line_end: false,
                lines: 0,
            })
            .collect(),
        segments: (0..=offsets.len()).map(|_| Tally::new(sites)).collect(),
        consumed: 0,
        lines: 0,
    };
    let complete = input.complete;
    let hasher = PrefixHasher::new(offsets);
    // One thread reads blocks while the others count the one before.
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Result<Vec<u8>>>(0);
    let (unfinished, hasher) = std::thread::scope(|scope| {
        let reader = scope.spawn(move || read_blocks(input, hasher, &sender));
        let unfinished = count_stream(receiver, complete, &mut counter);
        (
            unfinished,
            reader.join().expect("the reading thread does not panic"),
        )
    });
    let unfinished = unfinished?;
    // A split where the counted bytes end: the log was not fed past it.
    for split in &mut counter.splits {
        if split.offset == counter.consumed {
            split.at_line_end = true;
            split.lines = counter.lines;
        }
    }
    let Counter {
        segments,
        splits,
        consumed,
        lines,
        ..
    } = counter;
    Ok(Counted {
        segments,
        splits,
        consumed,
        lines,
        unfinished,
        prefixes: hasher.finish(complete),
    })
}

/// Hashes and sends the log's blocks, then stops (at the end, at an
/// error, or when nobody listens any more); returns the hasher.
fn read_blocks(
    mut input: LogInput,
    mut hasher: PrefixHasher,
    sender: &std::sync::mpsc::SyncSender<Result<Vec<u8>>>,
) -> PrefixHasher {
    loop {
        match input.read_block() {
            Ok(block) if block.is_empty() => return hasher,
            Ok(block) => {
                hasher.update(&block);
                if sender.send(Ok(block)).is_err() {
                    return hasher;
                }
            }
            Err(error) => {
                let _ = sender.send(Err(error));
                return hasher;
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
        super::input::recycle_block(block);
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

/// Counts whole lines as they come, into one tally per segment of the
/// log between the offsets of logs it may be (see [`super::identity`]):
/// which of them it is is known only once its bytes are read, and then
/// only the segments after that log's checkpoint count.
struct Counter<'a> {
    parser: &'a LineParser,
    classifier: &'a Classifier,
    /// Where segments may start, ascending.
    splits: Vec<Split>,
    /// One tally per segment: before the first split, between, after.
    segments: Vec<Tally>,
    /// Bytes fed so far.
    consumed: u64,
    /// Lines fed so far.
    lines: u64,
}

/// An offset where a segment may start: the checkpoint of a log the file
/// may be.
#[derive(Debug, Clone, Copy)]
pub struct Split {
    /// The offset.
    pub offset: u64,
    /// Whether a line ends there in this file (if not, it is not that log).
    pub at_line_end: bool,
    /// Lines before it.
    pub lines: u64,
}

impl Counter<'_> {
    /// The segment holding the byte at `offset`.
    fn segment(&self, offset: u64) -> usize {
        self.splits
            .iter()
            .take_while(|s| s.offset <= offset)
            .count()
    }

    /// Counts `bytes`, whole lines (the last may lack its line end at the
    /// end of a log that cannot grow), cut where a split falls on a line end.
    fn feed(&mut self, bytes: &[u8]) {
        let end = self.consumed + bytes.len() as u64;
        let mut start = 0usize;
        let mut cuts: Vec<usize> = Vec::new();
        for split in &mut self.splits {
            if split.offset == self.consumed {
                split.at_line_end = true;
                split.lines = self.lines;
            } else if split.offset > self.consumed && split.offset < end {
                let at = (split.offset - self.consumed) as usize;
                split.at_line_end = bytes[at - 1] == b'\n';
                if split.at_line_end {
                    split.lines = self.lines + count_lines(&bytes[..at]);
                    cuts.push(at);
                }
            }
        }
        cuts.push(bytes.len());
        let sites = self.classifier.sites().len();
        for cut in cuts {
            if cut > start {
                let piece = &bytes[start..cut];
                let first = self.lines;
                let index = self.segment(self.consumed);
                let part = count_block(piece, first, self.parser, self.classifier, sites);
                self.segments[index].merge(part);
                self.lines += count_lines(piece);
                self.consumed += piece.len() as u64;
            }
            start = cut;
        }
    }

    /// Counts a line past [`MAX_LINE`] as malformed without holding it;
    /// `ended`: `long.len` counts its line end.
    fn feed_overlong(&mut self, long: &Overlong, ended: bool) {
        for split in &mut self.splits {
            if split.offset == self.consumed {
                split.at_line_end = true;
                split.lines = self.lines;
            }
        }
        let index = self.segment(self.consumed);
        self.lines += 1;
        let tally = &mut self.segments[index];
        tally.lines += 1;
        let text_len = long.len - u64::from(ended);
        tally.malformed(self.lines, &too_long(&long.start, text_len));
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
        .reduce_with(|mut a, b| {
            a.merge(b);
            a
        })
        .unwrap_or_else(|| Tally::new(sites))
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

//! Which log a file is, so that each line is counted once however the file
//! is named, rotated or compressed, and however many files start alike.
//!
//! A log is known by its first *data* line (comment and header lines such
//! as CloudFront's `#Version: 1.0` skipped: every CloudFront file starts
//! with them), and by the content it had when it was counted: the hash of
//! its bytes up to the checkpoint. A file is a log counted before when
//! its first data line is that log's and its bytes up to that log's
//! checkpoint hash the same: then it is the same log, perhaps grown, and
//! only what follows is new. Two logs that start with the same line (two
//! servers' health checks) differ in their later bytes, so each counts in
//! full. A file shorter than a log it starts like, under the same name, is
//! that log truncated in place, and is not counted again.
//!
//! The bytes are hashed as they are read, at every checkpoint of a log the
//! file may be, with the 128-bit XXH3 (over 10 GB/s; SHA-256, at 1.7 GB/s,
//! took a tenth of an import's time on two cores). A content hash, not a
//! signature: it tells one log's bytes from another's, which is all
//! counting needs; nobody gains by forging a log that collides.

use sha2::{Digest, Sha256};
use xxhash_rust::xxh3::Xxh3Default;

/// Hex SHA-256 digest of `bytes`' first 16 bytes, as fingerprints are kept.
fn short_hex(digest: &[u8]) -> String {
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// The fingerprints of a file, from its first bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprints {
    /// Of its first data line.
    pub data: String,
    /// Of its first line, as logs imported before this rule were known.
    pub first_line: String,
}

impl Fingerprints {
    /// The fingerprints of the file whose first bytes are `head`.
    pub fn of(head: &[u8]) -> Fingerprints {
        let mut lines = head
            .split(|&b| b == b'\n')
            .map(|line| line.strip_suffix(b"\r").unwrap_or(line));
        let first_line = lines.clone().next().unwrap_or_default();
        let data = lines
            .find(|line| !line.is_empty() && !line.starts_with(b"#"))
            .unwrap_or(first_line);
        Fingerprints {
            data: short_hex(&Sha256::digest(data)),
            first_line: short_hex(&Sha256::digest(first_line)),
        }
    }
}

/// A log counted before, as the database keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownLog {
    /// Its row.
    pub id: i64,
    /// The name it was last imported as.
    pub name: String,
    /// Bytes counted: the end of its last counted line.
    pub offset: u64,
    /// Lines up to there.
    pub lines: u64,
    /// SHA-256 of its bytes up to `offset`; `None` for a log counted before
    /// Grove kept it (then its first line is all that is known).
    pub prefix_hash: Option<String>,
    /// Where the log is counted to now: `offset` for its checkpoint, more
    /// for an earlier import's end (a file ending there is an earlier
    /// copy of the log).
    pub checkpoint: u64,
}

/// What a file is, among the known logs it starts like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    /// A log counted before: count what follows its checkpoint.
    Known(KnownLog),
    /// An earlier state of a log counted further since (a copy taken
    /// before it grew): everything in it was counted; nothing is.
    Inside(KnownLog),
    /// Holds a log's prefix up to an earlier import's end, then other
    /// bytes: what follows that point is a log of its own.
    Diverged(KnownLog),
    /// Shorter than the log of its name it starts like: truncated in
    /// place; nothing is counted.
    Truncated(KnownLog),
    /// A log of its own.
    New,
}

/// Which of `known` (logs starting like the file, with their earlier
/// imports' ends) the file named `name` is, given the hashes of its
/// prefixes (`hash_at`) and its length.
pub fn identify(
    known: &[KnownLog],
    name: &str,
    length: u64,
    hash_at: impl Fn(u64) -> Option<String>,
) -> Match {
    let mut by_offset: Vec<&KnownLog> = known.iter().collect();
    by_offset.sort_by_key(|log| std::cmp::Reverse(log.offset));
    for log in &by_offset {
        if log.offset > length {
            continue;
        }
        // A log counted before hashes were kept: known by its first line
        // and a line end at its checkpoint.
        let same = match &log.prefix_hash {
            Some(hash) => hash_at(log.offset).as_ref() == Some(hash),
            None => hash_at(log.offset).is_some(),
        };
        if same {
            let log = (*log).clone();
            return if log.offset == log.checkpoint {
                Match::Known(log)
            } else if length <= log.checkpoint {
                Match::Inside(log)
            } else {
                Match::Diverged(log)
            };
        }
    }
    match by_offset
        .iter()
        .find(|log| log.offset == log.checkpoint && log.offset > length && log.name == name)
    {
        Some(log) => Match::Truncated((*log).clone()),
        None => Match::New,
    }
}

/// The XXH3-128 hash of a stream's prefixes: at given offsets, and at its end (the
/// end of its last whole line, or the very end of a stream that cannot
/// grow).
pub struct PrefixHasher {
    hasher: Box<Xxh3Default>,
    position: u64,
    /// The state after the last line end seen, and its offset.
    at_line_end: (u64, Box<Xxh3Default>),
    /// Offsets whose prefix hash is wanted, ascending.
    wanted: Vec<u64>,
    found: Vec<(u64, String)>,
}

/// The hashes a [`PrefixHasher`] took.
#[derive(Debug, Clone, Default)]
pub struct Prefixes {
    found: Vec<(u64, String)>,
    /// The offset the stream was counted to, and its hash.
    pub end: (u64, String),
}

impl Prefixes {
    /// The hash of the first `offset` bytes, if it was wanted and reached.
    pub fn at(&self, offset: u64) -> Option<String> {
        if offset == self.end.0 {
            return Some(self.end.1.clone());
        }
        self.found
            .iter()
            .find(|(at, _)| *at == offset)
            .map(|(_, hash)| hash.clone())
    }
}

impl PrefixHasher {
    /// A hasher that also keeps the hashes of the first `wanted` bytes.
    pub fn new(mut wanted: Vec<u64>) -> PrefixHasher {
        wanted.retain(|&offset| offset > 0);
        wanted.sort_unstable();
        wanted.dedup();
        PrefixHasher {
            hasher: Box::default(),
            position: 0,
            at_line_end: (0, Box::default()),
            wanted,
            found: Vec::new(),
        }
    }

    /// Hashes the stream's next `block`.
    pub fn update(&mut self, block: &[u8]) {
        let end = self.position + block.len() as u64;
        for &offset in self
            .wanted
            .iter()
            .filter(|&&o| o > self.position && o <= end)
        {
            let mut partial = self.hasher.clone();
            partial.update(&block[..(offset - self.position) as usize]);
            self.found.push((offset, hex(partial.digest128())));
        }
        match memchr::memrchr(b'\n', block) {
            Some(at) => {
                self.hasher.update(&block[..=at]);
                self.at_line_end = (self.position + at as u64 + 1, self.hasher.clone());
                self.hasher.update(&block[at + 1..]);
            }
            None => self.hasher.update(block),
        }
        self.position = end;
    }

    /// The hashes; the end is the stream's end when it cannot grow
    /// (`complete`), else the end of its last whole line.
    pub fn finish(self, complete: bool) -> Prefixes {
        let end = if complete {
            (self.position, hex(self.hasher.digest128()))
        } else {
            let (offset, hasher) = self.at_line_end;
            (offset, hex(hasher.digest128()))
        };
        Prefixes {
            found: self.found,
            end,
        }
    }
}

fn hex(digest: u128) -> String {
    format!("{digest:032x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hashed(text: &[u8], wanted: Vec<u64>, block: usize, complete: bool) -> Prefixes {
        let mut hasher = PrefixHasher::new(wanted);
        for chunk in text.chunks(block) {
            hasher.update(chunk);
        }
        hasher.finish(complete)
    }

    #[test]
    fn prefixes_are_hashed_wherever_blocks_are_cut() {
        let text = b"one\ntwo\nthree\nfour";
        let expected = |n: usize| hex(xxhash_rust::xxh3::xxh3_128(&text[..n]));
        for block in [1, 3, 4, 7, 100] {
            let prefixes = hashed(text, vec![4, 8, 14], block, false);
            assert_eq!(prefixes.at(4), Some(expected(4)), "block {block}");
            assert_eq!(prefixes.at(8), Some(expected(8)));
            assert_eq!(prefixes.end, (14, expected(14)), "block {block}");
            assert_eq!(hashed(text, vec![], block, true).end, (18, expected(18)));
        }
    }

    #[test]
    fn data_lines_name_a_log_and_headers_do_not() {
        let a = Fingerprints::of(b"#Version: 1.0\n#Fields: date time\n2026-11-27\t1\n");
        let b = Fingerprints::of(b"#Version: 1.0\n#Fields: date time\n2026-11-27\t2\n");
        assert_ne!(a.data, b.data);
        assert_eq!(a.first_line, b.first_line);
        let plain = Fingerprints::of(b"1.1.1.1 - - [x] \"GET /\"\nmore\n");
        assert_eq!(plain.data, plain.first_line);
    }

    #[test]
    fn a_file_is_the_log_whose_prefix_it_holds() {
        let log = |id, name: &str, offset, hash: Option<&str>| KnownLog {
            id,
            name: name.into(),
            offset,
            lines: 1,
            prefix_hash: hash.map(String::from),
            checkpoint: offset,
        };
        let known = [
            log(1, "a.log", 10, Some("h10")),
            log(2, "b.log", 30, Some("h30")),
        ];
        let hashes = |pairs: &'static [(u64, &'static str)]| {
            move |offset| {
                pairs
                    .iter()
                    .find(|(o, _)| *o == offset)
                    .map(|(_, h)| h.to_string())
            }
        };
        // Grown past b's checkpoint, with b's prefix: b.
        assert_eq!(
            identify(&known, "b.log", 50, hashes(&[(10, "x"), (30, "h30")])),
            Match::Known(known[1].clone())
        );
        // Same start as both, other bytes: a log of its own.
        assert_eq!(
            identify(&known, "c.log", 50, hashes(&[(10, "x"), (30, "y")])),
            Match::New
        );
        // a's prefix, but not b's: a, grown.
        assert_eq!(
            identify(&known, "a.log.1", 20, hashes(&[(10, "h10")])),
            Match::Known(known[0].clone())
        );
        // Shorter than b under b's name: truncated; under another: new.
        assert_eq!(
            identify(&known, "b.log", 20, hashes(&[(10, "x")])),
            Match::Truncated(known[1].clone())
        );
        assert_eq!(
            identify(&known, "other.log", 20, hashes(&[(10, "x")])),
            Match::New
        );
        // b counted earlier to 20 (then grown to 30): a copy ending at 20
        // was counted; one going on with other bytes is a log of its own
        // from there.
        let earlier = KnownLog {
            offset: 20,
            prefix_hash: Some("h20".into()),
            checkpoint: 30,
            ..known[1].clone()
        };
        let with_history = [known[0].clone(), known[1].clone(), earlier.clone()];
        assert_eq!(
            identify(&with_history, "copy", 20, hashes(&[(10, "x"), (20, "h20")])),
            Match::Inside(earlier.clone())
        );
        assert_eq!(
            identify(
                &with_history,
                "fork",
                40,
                hashes(&[(10, "x"), (20, "h20"), (30, "other")])
            ),
            Match::Diverged(earlier)
        );
        // A log counted before Grove kept hashes is known by its first line.
        let legacy = [log(3, "old.log", 10, None)];
        assert_eq!(
            identify(&legacy, "x", 15, hashes(&[(10, "any")])),
            Match::Known(legacy[0].clone())
        );
        assert_eq!(
            identify(&legacy, "x", 15, hashes(&[])),
            Match::New,
            "no line end at 10"
        );
    }
}

//! The usage ledger: `.grove/ledger.jsonl`, one line per model call (real or
//! answered from the cache), appended as calls finish.
//!
//! A real call is also recorded *before* it is sent (status [`SENT`], with
//! its worst-case cost), and its final line carries the same `id`. A run
//! killed while a request was in flight leaves only the first line, and
//! since a paid API bills the request anyway, it counts at that cost.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Location, Result};

/// One ledger line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// When the call finished, RFC 3339 UTC.
    pub time: String,
    /// Site name.
    pub site: String,
    /// Brief slug.
    pub brief: String,
    /// `outline` or `article`.
    pub step: String,
    /// Model name.
    pub model: String,
    /// Prompt tokens.
    pub input_tokens: u64,
    /// Answer tokens.
    pub output_tokens: u64,
    /// Cost in USD (0 for cache hits).
    pub cost_usd: f64,
    /// Answered from the cache, without an HTTP request.
    pub cache_hit: bool,
    /// Token counts are estimates (the server reported none).
    #[serde(default)]
    pub usage_estimated: bool,
    /// `ok`, [`SENT`] (before the request), `failed: ...`, or why the
    /// answer was not used.
    pub status: String,
    /// Ties a real call's [`SENT`] line to its final line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The provider's batch id, for a call answered in a batch (at the
    /// batch price).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<String>,
}

/// The status of the line written before a request is sent.
pub const SENT: &str = "sent";

/// The status given to a [`SENT`] line that no final line followed.
pub const UNFINISHED: &str = "unfinished: the run stopped while the request was in flight";

/// `entries` with each [`SENT`] line dropped when its call finished, and
/// marked [`UNFINISHED`] (at its worst-case cost) when it never did.
pub fn settle(entries: Vec<Entry>) -> Vec<Entry> {
    let finished: std::collections::HashSet<String> = entries
        .iter()
        .filter(|e| e.status != SENT)
        .filter_map(|e| e.id.clone())
        .collect();
    entries
        .into_iter()
        .filter_map(|mut entry| {
            if entry.status != SENT {
                return Some(entry);
            }
            let done = entry.id.as_ref().is_some_and(|id| finished.contains(id));
            if done {
                return None;
            }
            entry.status = UNFINISHED.to_string();
            Some(entry)
        })
        .collect()
}

/// An open ledger, safe to append to from many tasks.
pub struct Ledger {
    path: PathBuf,
    file: Mutex<File>,
}

impl Ledger {
    /// Opens (creating) `.grove/ledger.jsonl` below `state_dir`.
    pub fn open(state_dir: &Path) -> Result<Ledger> {
        std::fs::create_dir_all(state_dir)
            .map_err(|source| Error::io(state_dir, "cannot create folder", source))?;
        let path = state_dir.join(crate::state::LEDGER);
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|source| Error::io(&path, "cannot open ledger", source))?;
        Ok(Ledger {
            path,
            file: Mutex::new(file),
        })
    }

    /// Appends one entry as a single line, flushed to disk: a line about
    /// money must survive the process.
    pub fn append(&self, entry: &Entry) -> Result<()> {
        let mut line = serde_json::to_vec(entry).expect("ledger entries always serialize");
        line.push(b'\n');
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        file.write_all(&line)
            .and_then(|()| file.sync_data())
            .map_err(|source| Error::io(&self.path, "cannot write ledger", source))
    }
}

/// Reads every entry of the ledger below `state_dir` (none if it is missing).
pub fn read(state_dir: &Path) -> Result<Vec<Entry>> {
    let path = state_dir.join(crate::state::LEDGER);
    let Ok(file) = File::open(&path) else {
        return Ok(Vec::new());
    };
    let mut entries = Vec::new();
    for (index, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|source| Error::io(&path, "cannot read ledger", source))?;
        if line.trim().is_empty() {
            continue;
        }
        let entry = serde_json::from_str(&line).map_err(|e| Error::Content {
            location: Location::line(&path, index + 1),
            message: format!("not a ledger entry: {e}"),
        })?;
        entries.push(entry);
    }
    Ok(entries)
}

/// Totals over some ledger entries.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Totals {
    /// Real HTTP calls.
    pub calls: u64,
    /// Calls answered from the cache.
    pub cache_hits: u64,
    /// Prompt tokens of real calls.
    pub input_tokens: u64,
    /// Answer tokens of real calls.
    pub output_tokens: u64,
    /// Cost of real calls in USD.
    pub cost_usd: f64,
    /// Real calls that never finished (counted at their worst-case cost).
    pub unfinished: u64,
    /// Of the real calls, those answered in batches.
    pub batch_calls: u64,
    /// Their cost in USD (at the batch price).
    pub batch_cost_usd: f64,
}

impl Totals {
    fn add(&mut self, entry: &Entry) {
        if entry.cache_hit {
            self.cache_hits += 1;
        } else {
            self.calls += 1;
            self.unfinished += u64::from(entry.status == UNFINISHED);
            self.input_tokens += entry.input_tokens;
            self.output_tokens += entry.output_tokens;
            self.cost_usd += entry.cost_usd;
            if entry.batch.is_some() {
                self.batch_calls += 1;
                self.batch_cost_usd += entry.cost_usd;
            }
        }
    }
}

/// Totals per key (site or model), sorted by key, and overall.
pub fn summarize(
    entries: &[Entry],
    key: impl Fn(&Entry) -> &str,
) -> (BTreeMap<String, Totals>, Totals) {
    let mut groups: BTreeMap<String, Totals> = BTreeMap::new();
    let mut all = Totals::default();
    for entry in entries {
        groups.entry(key(entry).to_string()).or_default().add(entry);
        all.add(entry);
    }
    (groups, all)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, status: &str, cost: f64) -> Entry {
        Entry {
            time: String::new(),
            site: "a".into(),
            brief: "b".into(),
            step: "article".into(),
            model: "m".into(),
            input_tokens: 10,
            output_tokens: 20,
            cost_usd: cost,
            cache_hit: false,
            usage_estimated: status == SENT,
            status: status.into(),
            id: Some(id.into()),
            batch: None,
        }
    }

    #[test]
    fn a_call_that_never_finished_counts_at_its_worst_case() {
        let entries = settle(vec![
            entry("1", SENT, 0.5),
            entry("1", "ok", 0.2),
            entry("2", SENT, 0.5),
        ]);
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[1].status, UNFINISHED);
        let (_, all) = summarize(&entries, |e| &e.site);
        assert_eq!((all.calls, all.unfinished), (2, 1));
        assert!((all.cost_usd - 0.7).abs() < 1e-9);
    }
}

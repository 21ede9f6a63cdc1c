//! The usage ledger: `.grove/ledger.jsonl`, one line per model call (real or
//! answered from the cache), appended as calls finish.

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
    /// `ok`, or why the answer was not used.
    pub status: String,
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
        let path = state_dir.join("ledger.jsonl");
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

    /// Appends one entry as a single line.
    pub fn append(&self, entry: &Entry) -> Result<()> {
        let mut line = serde_json::to_vec(entry).expect("ledger entries always serialize");
        line.push(b'\n');
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        file.write_all(&line)
            .map_err(|source| Error::io(&self.path, "cannot write ledger", source))
    }
}

/// Reads every entry of the ledger below `state_dir` (none if it is missing).
pub fn read(state_dir: &Path) -> Result<Vec<Entry>> {
    let path = state_dir.join("ledger.jsonl");
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
}

impl Totals {
    fn add(&mut self, entry: &Entry) {
        if entry.cache_hit {
            self.cache_hits += 1;
        } else {
            self.calls += 1;
            self.input_tokens += entry.input_tokens;
            self.output_tokens += entry.output_tokens;
            self.cost_usd += entry.cost_usd;
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

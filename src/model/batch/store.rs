//! Batches on disk: `.grove/batches/<id>.json` (what the batch holds and
//! how far it got: the uploaded file, the provider's batch id, whether
//! its results were read) and `<id>.jsonl` (the requests as sent), both
//! written before the provider hears of the batch and after each step.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Queued;
use crate::error::{Error, Location, Result};
use crate::network::Provider;
use crate::output::write_atomic;

/// The folder of batches in `.grove/`.
pub const BATCHES_DIR: &str = "batches";

/// One batch, as far as it got.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Grove's name for it (also in OpenAI's `metadata`).
    pub local_id: String,
    /// Wire format.
    pub provider: Provider,
    /// API root.
    pub base_url: String,
    /// When it was written down, RFC 3339 UTC.
    pub created_at: String,
    /// When its creation was asked for (a run killed right after looks
    /// for it from then).
    #[serde(default)]
    pub sent_at: Option<String>,
    /// OpenAI: the uploaded input file.
    #[serde(default)]
    pub file_id: Option<String>,
    /// The provider's batch id.
    #[serde(default)]
    pub batch_id: Option<String>,
    /// The provider's last status, as said.
    #[serde(default)]
    pub status: String,
    /// Share of the live price the batch costs.
    pub discount: f64,
    /// Its requests (bodies in the `.jsonl` beside).
    pub requests: Vec<Queued>,
    /// Its results were read into the cache and the ledger.
    #[serde(default)]
    pub ended: bool,
}

/// The batches folder.
pub struct Store {
    dir: PathBuf,
}

impl Store {
    /// The store below `state_dir`.
    pub fn new(state_dir: &Path) -> Store {
        Store {
            dir: state_dir.join(BATCHES_DIR),
        }
    }

    /// Every batch whose results were not read yet, oldest first.
    pub fn open(&self) -> Result<Vec<Record>> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Ok(Vec::new());
        };
        let mut records = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let text = std::fs::read_to_string(&path)
                .map_err(|source| Error::io(&path, "cannot read batch record", source))?;
            let record: Record = serde_json::from_str(&text).map_err(|e| Error::Content {
                location: Location::file(&path),
                message: format!("not a batch record ({e}); it was written by Grove: restore it, or delete it only if the provider's dashboard shows the batch done"),
            })?;
            if !record.ended {
                records.push(record);
            }
        }
        records.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then(a.local_id.cmp(&b.local_id))
        });
        Ok(records)
    }

    /// The cache keys of requests in batches not read yet: never queued
    /// again.
    pub fn pending_keys(&self) -> Result<HashSet<String>> {
        Ok(self
            .open()?
            .into_iter()
            .flat_map(|r| r.requests.into_iter().map(|q| q.custom_id))
            .collect())
    }

    /// Writes `record` (atomically).
    pub fn write(&self, record: &Record) -> Result<()> {
        std::fs::create_dir_all(&self.dir)
            .map_err(|source| Error::io(&self.dir, "cannot create folder", source))?;
        let path = self.dir.join(format!("{}.json", record.local_id));
        write_atomic(
            &path,
            &serde_json::to_vec_pretty(record).expect("records serialize"),
        )
    }

    /// Forgets a batch the provider never took (its server has no batch
    /// API): nothing was sent, nothing waits.
    pub fn remove(&self, local_id: &str) -> Result<()> {
        for extension in ["json", "jsonl"] {
            let path = self.dir.join(format!("{local_id}.{extension}"));
            if path.exists() {
                std::fs::remove_file(&path)
                    .map_err(|source| Error::io(&path, "cannot remove", source))?;
            }
        }
        Ok(())
    }

    /// Writes the requests as sent (`custom_id` and body per line).
    pub fn write_requests(&self, local_id: &str, jsonl: &[u8]) -> Result<()> {
        std::fs::create_dir_all(&self.dir)
            .map_err(|source| Error::io(&self.dir, "cannot create folder", source))?;
        write_atomic(&self.dir.join(format!("{local_id}.jsonl")), jsonl)
    }

    /// The requests of `record` with their bodies, as written.
    pub fn requests(&self, record: &Record) -> Result<Vec<Queued>> {
        let path = self.dir.join(format!("{}.jsonl", record.local_id));
        let text = std::fs::read_to_string(&path)
            .map_err(|source| Error::io(&path, "cannot read the batch's requests", source))?;
        let mut bodies = std::collections::HashMap::new();
        for (index, line) in text.lines().enumerate() {
            let value: serde_json::Value =
                serde_json::from_str(line).map_err(|e| Error::Content {
                    location: Location::line(&path, index + 1),
                    message: format!("not a batch request ({e})"),
                })?;
            if let Some(id) = value["custom_id"].as_str() {
                bodies.insert(id.to_string(), value["body"].clone());
            }
        }
        Ok(record
            .requests
            .iter()
            .map(|q| Queued {
                body: bodies.get(&q.custom_id).cloned().unwrap_or_default(),
                ..q.clone()
            })
            .collect())
    }
}

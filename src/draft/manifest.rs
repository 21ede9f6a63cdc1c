//! What Grove wrote: `.grove/drafted.jsonl` records the SHA-256 of every
//! file `grove draft` wrote (`.grove/imported.jsonl` of every file `grove
//! import` wrote). A file whose bytes still match was not touched by a
//! person and may be written again; any other file is human work and is
//! never overwritten.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::cache::sha256;

#[derive(Serialize, Deserialize)]
struct Line {
    path: String,
    sha256: String,
}

/// Who last changed a content file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ownership {
    /// No file yet.
    Missing,
    /// Grove wrote it and nobody changed it since.
    Drafted,
    /// A person wrote or edited it.
    Human,
}

/// The manifest: latest hash per file (paths relative to the network root).
pub struct Manifest {
    root: PathBuf,
    name: &'static str,
    hashes: HashMap<String, String>,
    file: Mutex<Option<File>>,
}

impl Manifest {
    /// Reads `.grove/drafted.jsonl` below `root`: what `grove draft` wrote.
    pub fn load(root: &Path) -> Result<Manifest> {
        Manifest::load_named(root, crate::state::DRAFTED_MANIFEST)
    }

    /// Reads manifest `.grove/<name>` below `root`.
    pub fn load_named(root: &Path, name: &'static str) -> Result<Manifest> {
        let path = crate::state::dir(root).join(name);
        let mut hashes = HashMap::new();
        if let Ok(file) = File::open(&path) {
            for line in BufReader::new(file).lines() {
                let line = line.map_err(|source| Error::io(&path, "cannot read", source))?;
                // A line cut short by a crash is ignored: that file then
                // counts as human work, the safe side.
                if let Ok(entry) = serde_json::from_str::<Line>(&line) {
                    hashes.insert(entry.path, entry.sha256);
                }
            }
        }
        Ok(Manifest {
            root: root.to_path_buf(),
            name,
            hashes,
            file: Mutex::new(None),
        })
    }

    fn key(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/")
    }

    /// Whether `path` is missing, untouched Grove output, or human work.
    pub fn ownership(&self, path: &Path) -> Ownership {
        let Ok(bytes) = std::fs::read(path) else {
            return Ownership::Missing;
        };
        match self.hashes.get(&self.key(path)) {
            Some(hash) if *hash == sha256(&bytes) => Ownership::Drafted,
            _ => Ownership::Human,
        }
    }

    /// Whether Grove wrote `path` at some point (it may since have been
    /// edited or deleted).
    pub fn has_written(&self, path: &Path) -> bool {
        self.hashes.contains_key(&self.key(path))
    }

    /// Records that Grove wrote `bytes` to `path`.
    pub fn record(&self, path: &Path, bytes: &[u8]) -> Result<()> {
        let state = crate::state::dir(&self.root);
        let manifest_path = state.join(self.name);
        let mut guard = self.file.lock().unwrap_or_else(|e| e.into_inner());
        if guard.is_none() {
            std::fs::create_dir_all(&state)
                .map_err(|source| Error::io(&state, "cannot create folder", source))?;
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&manifest_path)
                .map_err(|source| Error::io(&manifest_path, "cannot open", source))?;
            *guard = Some(file);
        }
        let mut line = serde_json::to_vec(&Line {
            path: self.key(path),
            sha256: sha256(bytes),
        })
        .expect("manifest lines always serialize");
        line.push(b'\n');
        let file = guard.as_mut().expect("opened above");
        file.write_all(&line)
            .and_then(|()| file.sync_data())
            .map_err(|source| Error::io(&manifest_path, "cannot write", source))
    }
}

//! `.grove/images/`: every image Grove makes, named by a hash of the
//! source's bytes and the operation, so a photo used by forty sites, or
//! built again tomorrow, is made once. Builds running at once share it
//! safely: files appear whole (written aside, then renamed) and equal
//! names hold equal bytes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};
use std::time::{Duration, SystemTime};

use xxhash_rust::xxh3::{Xxh3, xxh3_128};

use super::probe::{Probe, probe};
use rayon::prelude::*;

use super::resize::Mode;
use super::{Operation, encode, pixels, resize};
use crate::output::replace_file;

/// Raised when the way files are made changes (encoder settings, resize
/// filter): files made before are then made again.
const RECIPE: &str = "grove-images-1";

/// A source image read once per build: its path, a hash of its bytes and
/// what it is.
#[derive(Debug, Clone)]
pub struct Source {
    /// Where it was read.
    pub path: PathBuf,
    /// xxh3-128 of its bytes.
    pub hash: u128,
    /// Format and shown size.
    pub probe: Probe,
    /// Its size in bytes.
    pub bytes: u64,
}

/// A file made from a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Made {
    /// The file in the cache.
    pub file: PathBuf,
    /// A short hash of source and operation, for names in the output.
    pub tag: String,
    /// Its width.
    pub width: u32,
    /// Its height.
    pub height: u32,
    /// Its size in bytes.
    pub bytes: u64,
}

type Shared<T> = Arc<OnceLock<Result<T, String>>>;

/// A file as last seen: path, modification time, length.
type FileState = (PathBuf, Option<SystemTime>, u64);

/// Files made, by source hash and operations asked together.
type MadeBySource = HashMap<(u128, Vec<Operation>), Shared<Vec<Made>>>;

/// The image cache of one network, shared by the sites of a build.
pub struct ImageCache {
    dir: PathBuf,
    /// By path, modification time and length: an edited file (in `grove
    /// serve`) is read again.
    sources: Mutex<HashMap<FileState, Shared<Arc<Source>>>>,
    made: Mutex<MadeBySource>,
    used: Mutex<Vec<PathBuf>>,
    /// Remote images fetched in this process, by URL.
    fetched: Mutex<HashMap<String, Shared<PathBuf>>>,
}

/// What [`ImageCache::collect`] removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Collected {
    /// Files removed.
    pub files: usize,
    /// Their bytes.
    pub bytes: u64,
}

/// The value `key`'s cell holds, made by `make` by the first caller while
/// others wait for it.
fn once<K: std::hash::Hash + Eq, T: Clone>(
    map: &Mutex<HashMap<K, Shared<T>>>,
    key: K,
    make: impl FnOnce() -> Result<T, String>,
) -> Result<T, String> {
    let cell = map
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(key)
        .or_default()
        .clone();
    cell.get_or_init(make).clone()
}

impl ImageCache {
    /// The cache in `dir` (`.grove/images/` of a network), one per folder
    /// in this process while anyone holds it, so that sites built at once
    /// share what they read and make. Nothing is created on disk until a
    /// file is made.
    pub fn open(dir: &Path) -> Arc<ImageCache> {
        static OPEN: Mutex<Vec<(PathBuf, Weak<ImageCache>)>> = Mutex::new(Vec::new());
        let mut open = OPEN.lock().unwrap_or_else(PoisonError::into_inner);
        open.retain(|(_, cache)| cache.strong_count() > 0);
        if let Some(cache) = open
            .iter()
            .find(|(d, _)| d == dir)
            .and_then(|(_, cache)| cache.upgrade())
        {
            return cache;
        }
        let cache = Arc::new(ImageCache {
            dir: dir.to_path_buf(),
            sources: Mutex::default(),
            made: Mutex::default(),
            used: Mutex::default(),
            fetched: Mutex::default(),
        });
        open.push((dir.to_path_buf(), Arc::downgrade(&cache)));
        cache
    }

    /// The image at `path`, read and identified once per cache. `Err`
    /// says what is wrong with the file.
    pub fn source(&self, path: &Path) -> Result<Arc<Source>, String> {
        let meta = std::fs::metadata(path).map_err(|e| format!("cannot read it: {e}"))?;
        let key = (path.to_path_buf(), meta.modified().ok(), meta.len());
        once(&self.sources, key, || {
            let bytes = std::fs::read(path).map_err(|e| format!("cannot read it: {e}"))?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default();
            let probe = probe(&bytes, &name)?;
            Ok(Arc::new(Source {
                path: path.to_path_buf(),
                hash: xxh3_128(&bytes),
                probe,
                bytes: bytes.len() as u64,
            }))
        })
    }

    /// The files `operations` make of `source`, made now if the cache
    /// lacks them (the source decoded once for all of them), in the order
    /// asked.
    pub fn make(&self, source: &Source, operations: &[Operation]) -> Result<Vec<Made>, String> {
        once(&self.made, (source.hash, operations.to_vec()), || {
            self.make_all(source, operations)
        })
    }

    fn make_all(&self, source: &Source, operations: &[Operation]) -> Result<Vec<Made>, String> {
        let mut made = Vec::with_capacity(operations.len());
        let mut missing = Vec::new();
        for (i, operation) in operations.iter().enumerate() {
            let key = self.key(source, operation);
            let (width, height) = operation
                .geometry
                .output_size(source.probe.width, source.probe.height);
            let file = self.file_for(key, operation);
            let bytes = std::fs::metadata(&file).map(|m| m.len()).ok();
            if bytes.is_none() {
                missing.push(i);
            }
            made.push(Made {
                file,
                tag: format!("{:010x}", key >> 88),
                width,
                height,
                bytes: bytes.unwrap_or(0),
            });
        }
        if !missing.is_empty() {
            let bytes = std::fs::read(&source.path).map_err(|e| format!("cannot read it: {e}"))?;
            if xxh3_128(&bytes) != source.hash {
                return Err("it changed while the build was reading it; build again".into());
            }
            // A decoder bug on a hostile file is an error naming the file,
            // not the end of the build.
            let decoded = std::panic::catch_unwind(|| pixels::decode(&bytes, &source.probe))
                .unwrap_or_else(|_| {
                    Err("the decoder failed on it: the file is damaged or of a kind Grove cannot read".into())
                })?;
            drop(bytes);
            // One resize per size, shared by its formats; sizes made in
            // parallel (a page of ten photos keeps every core busy).
            let mut sizes: Vec<(Mode, u32, u32, Vec<usize>)> = Vec::new();
            for i in missing {
                let size = (operations[i].geometry.mode, made[i].width, made[i].height);
                match sizes.iter_mut().find(|s| (s.0, s.1, s.2) == size) {
                    Some(same) => same.3.push(i),
                    None => sizes.push((size.0, size.1, size.2, vec![i])),
                }
            }
            let written: Vec<Result<Vec<(usize, u64)>, String>> = sizes
                .par_iter()
                .map(|(mode, width, height, indices)| {
                    let resized;
                    let pixels = if (*width, *height) == (decoded.width, decoded.height) {
                        &decoded
                    } else {
                        resized = resize::resize(&decoded, *mode, *width, *height)?;
                        &resized
                    };
                    indices
                        .iter()
                        .map(|&i| {
                            let operation = &operations[i];
                            let encoded =
                                encode::encode(pixels, operation.format, operation.quality)?;
                            replace_file(&made[i].file, &encoded).map_err(|e| e.to_string())?;
                            Ok((i, encoded.len() as u64))
                        })
                        .collect()
                })
                .collect();
            for result in written {
                for (i, bytes) in result? {
                    made[i].bytes = bytes;
                }
            }
        }
        self.used
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(made.iter().map(|m| m.file.clone()));
        Ok(made)
    }

    /// The file of remote image `url`, downloaded into `remote/` unless a
    /// copy younger than `max_age` is there (a program's terms may limit
    /// how long a copy is kept: Amazon's, 24 hours).
    pub fn remote(&self, url: &str, max_age: Duration) -> Result<PathBuf, String> {
        let dir = self.dir.join(super::fetch::REMOTE_DIR);
        let fetch = || super::fetch::fetch(url, &dir, max_age);
        let fetched = once(&self.fetched, url.to_string(), fetch);
        match fetched {
            // A long preview outlives a copy (a full build removes it once
            // past its age): fetch it again.
            Ok(file) if !file.is_file() => {
                self.fetched
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .remove(url);
                once(&self.fetched, url.to_string(), fetch)
            }
            other => other,
        }
    }

    fn key(&self, source: &Source, operation: &Operation) -> u128 {
        let mut hasher = Xxh3::new();
        hasher.update(RECIPE.as_bytes());
        hasher.update(&source.hash.to_le_bytes());
        hasher.update(operation.key_text().as_bytes());
        hasher.digest128()
    }

    fn file_for(&self, key: u128, operation: &Operation) -> PathBuf {
        let name = format!("{key:032x}");
        self.dir
            .join(&name[..2])
            .join(format!("{}.{}", &name[2..], operation.format.extension()))
    }

    /// Marks the files made or used since the last call as recently used
    /// (their modification time, touched at most once a day).
    pub fn mark_used(&self) {
        let now = SystemTime::now();
        let used = std::mem::take(&mut *self.used.lock().unwrap_or_else(PoisonError::into_inner));
        for file in &used {
            let stale = std::fs::metadata(file)
                .and_then(|m| m.modified())
                .is_ok_and(|t| {
                    now.duration_since(t).unwrap_or_default() > Duration::from_secs(86_400)
                });
            if stale && let Ok(f) = std::fs::File::options().write(true).open(file) {
                let _ = f.set_modified(now);
            }
        }
    }

    /// Marks what was used (see [`Self::mark_used`]) and removes the files
    /// no build used for `unused_for` (and leftovers of interrupted
    /// writes), so the cache does not keep every size of every photo ever
    /// deleted. Call it after building every site: a site not built would
    /// lose its files. Files made by a build running at the same time are
    /// younger than any sensible `unused_for`.
    pub fn collect(
        &self,
        unused_for: Duration,
        remote_max_age: Duration,
    ) -> std::io::Result<Collected> {
        self.mark_used();
        let now = SystemTime::now();
        let remote = self.dir.join(super::fetch::REMOTE_DIR);
        let mut collected = Collected::default();
        if !self.dir.is_dir() {
            return Ok(collected);
        }
        for entry in walkdir::WalkDir::new(&self.dir).min_depth(2).max_depth(2) {
            let entry = entry?;
            let meta = entry.metadata()?;
            let age = now.duration_since(meta.modified()?).unwrap_or_default();
            let limit = if entry.path().starts_with(&remote) {
                remote_max_age
            } else {
                unused_for
            };
            if meta.is_file() && age > limit {
                std::fs::remove_file(entry.path())?;
                collected.files += 1;
                collected.bytes += meta.len();
            }
        }
        Ok(collected)
    }
}

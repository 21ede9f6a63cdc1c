//! Precompressed copies for a web server of yours (a folder here or over
//! SSH) with `precompress = true`: beside each text file its gzip
//! (`index.html.gz`), which nginx serves with `gzip_static on` and Caddy
//! with `precompressed gzip`, so pages are compressed once, at the best
//! level, instead of on every request.
//!
//! The build's output is never touched: the tree deployed is
//! `.grove/deploy/prepared/<site>/`, the build's files hard-linked into
//! it with the copies beside them. Copies are kept by content hash in
//! `.grove/deploy/gz/`, so a deploy compresses only files that changed.
//! A copy that would not be smaller is left out (the server then sends
//! the file itself).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::s3::{compressible, gzip};
use crate::error::{Error, Result};
use crate::output::write_atomic;

/// The tree to deploy for `site` (the build at `built` with gzip copies
/// beside its text files, below `deploy_dir`), and its files: `local`
/// with the copies added (their hash is the source's, marked).
pub fn prepare(
    deploy_dir: &Path,
    site: &str,
    built: &Path,
    local: &BTreeMap<String, String>,
) -> Result<(PathBuf, BTreeMap<String, String>)> {
    let prepared = deploy_dir.join("prepared").join(site);
    let cache = deploy_dir.join("gz");
    remove_tree(&prepared)?;
    for dir in [&prepared, &cache] {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "cannot create folder", e))?;
    }
    let mut files = local.clone();
    let mut used = BTreeSet::new();
    for (path, hash) in local {
        link(&built.join(path), &prepared.join(path))?;
        let copy = format!("{path}.gz");
        if !compressible(path) || local.contains_key(&copy) {
            continue;
        }
        let cached = cache.join(format!("{hash}.gz"));
        if !cached.is_file() {
            let bytes = std::fs::read(built.join(path))
                .map_err(|e| Error::io(built.join(path), "cannot read file", e))?;
            write_atomic(&cached, &gzip(&bytes))?;
        }
        used.insert(format!("{hash}.gz"));
        let smaller = match (
            std::fs::metadata(&cached),
            std::fs::metadata(built.join(path)),
        ) {
            (Ok(gz), Ok(plain)) => gz.len() < plain.len(),
            _ => false,
        };
        if smaller {
            link(&cached, &prepared.join(&copy))?;
            files.insert(copy, format!("gzip:{hash}"));
        }
    }
    prune(&cache, &used);
    Ok((prepared, files))
}

/// Hard-links `from` as `to` (copies across file systems).
fn link(from: &Path, to: &Path) -> Result<()> {
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "cannot create folder", e))?;
    }
    if std::fs::hard_link(from, to).is_err() {
        std::fs::copy(from, to).map_err(|e| Error::io(to, "cannot write file", e))?;
    }
    Ok(())
}

fn remove_tree(dir: &Path) -> Result<()> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(
            dir,
            "cannot remove the previous prepared tree",
            e,
        )),
        _ => Ok(()),
    }
}

/// Removes the copies of `cache` this site's deploys no longer use. The
/// cache is shared by the network's sites: a copy is removed only when
/// no site's prepared tree links it (its link count is 1).
fn prune(cache: &Path, used: &BTreeSet<String>) {
    let Ok(entries) = std::fs::read_dir(cache) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if used.contains(&name) {
            continue;
        }
        if links(&entry.path()) <= 1 {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(unix)]
fn links(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).map_or(1, |m| m.nlink())
}

#[cfg(not(unix))]
fn links(_path: &Path) -> u64 {
    1
}

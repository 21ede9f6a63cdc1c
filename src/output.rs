//! Writing output atomically: a build renders into a staging folder beside
//! the output, and each site's folder is swapped into place only when every
//! site succeeded. A failed build leaves the previous output untouched.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A staging folder inside the output folder (same filesystem, so the final
/// swap is a rename). Dropped without [`Staging::commit`], it is deleted.
pub struct Staging {
    dir: tempfile::TempDir,
    out: PathBuf,
}

impl Staging {
    /// Creates `out` if needed and a hidden staging folder inside it.
    pub fn new(out: &Path) -> Result<Staging> {
        fs::create_dir_all(out)
            .map_err(|source| Error::io(out, "cannot create output folder", source))?;
        let dir = tempfile::Builder::new()
            .prefix(".grove-staging-")
            .tempdir_in(out)
            .map_err(|source| Error::io(out, "cannot create staging folder", source))?;
        Ok(Staging {
            dir,
            out: out.to_path_buf(),
        })
    }

    /// Where site `name` is rendered before the swap.
    pub fn site_dir(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Moves each staged site into `out/<name>`, replacing what was there.
    pub fn commit<'a>(self, names: impl IntoIterator<Item = &'a str>) -> Result<()> {
        let trash = self.dir.path().join(".replaced");
        fs::create_dir_all(&trash)
            .map_err(|source| Error::io(&trash, "cannot create staging folder", source))?;
        for name in names {
            let staged = self.site_dir(name);
            let target = self.out.join(name);
            if target.exists() {
                let old = trash.join(name);
                fs::rename(&target, &old)
                    .map_err(|source| Error::io(&target, "cannot move old output aside", source))?;
            }
            fs::rename(&staged, &target).map_err(|source| {
                Error::io(&target, "cannot move new output into place", source)
            })?;
        }
        // Dropping `self.dir` deletes the staging folder and the old output.
        Ok(())
    }
}

/// Writes `bytes` to `path`, creating parent folders.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .map_err(|source| Error::io(parent, "cannot create folder", source))?;
    }
    fs::write(path, bytes).map_err(|source| Error::io(path, "cannot write file", source))
}

/// Writes `bytes` to `path` through a temporary file in the same folder and
/// a rename, so readers (and a crash) never see half a file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_renamed(path, bytes, true)
}

/// Replaces the file at `path` through a temporary file and a rename, so a
/// reader sees the old file or the new one, never half of one. Unlike
/// [`write_atomic`] it does not flush to disk: for preview output, which a
/// crash may lose.
pub fn replace_file(path: &Path, bytes: &[u8]) -> Result<()> {
    write_renamed(path, bytes, false)
}

fn write_renamed(path: &Path, bytes: &[u8], flush: bool) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .map_err(|source| Error::io(dir, "cannot create folder", source))?;
    let mut file = tempfile::NamedTempFile::new_in(dir)
        .map_err(|source| Error::io(dir, "cannot create temporary file", source))?;
    file.write_all(bytes)
        .and_then(|()| {
            if flush {
                file.as_file().sync_all()
            } else {
                Ok(())
            }
        })
        .map_err(|source| Error::io(path, "cannot write file", source))?;
    file.persist(path)
        .map(|_| ())
        .map_err(|e| Error::io(path, "cannot move file into place", e.error))
}

/// Copies `from` to `to`, creating parent folders.
pub fn copy_file(from: &Path, to: &Path) -> Result<()> {
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent)
            .map_err(|source| Error::io(parent, "cannot create folder", source))?;
    }
    fs::copy(from, to)
        .map(|_| ())
        .map_err(|source| Error::io(from, "cannot copy file", source))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_replaces_only_named_sites() {
        let out = tempfile::tempdir().unwrap();
        write_file(&out.path().join("a/old.html"), b"old").unwrap();
        write_file(&out.path().join("b/keep.html"), b"keep").unwrap();
        let staging = Staging::new(out.path()).unwrap();
        write_file(&staging.site_dir("a").join("new.html"), b"new").unwrap();
        staging.commit(["a"]).unwrap();
        assert!(out.path().join("a/new.html").exists());
        assert!(!out.path().join("a/old.html").exists());
        assert!(out.path().join("b/keep.html").exists());
        let leftovers: Vec<_> = fs::read_dir(out.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 2, "{leftovers:?}");
    }

    #[test]
    fn dropping_without_commit_leaves_output_alone() {
        let out = tempfile::tempdir().unwrap();
        write_file(&out.path().join("a/old.html"), b"old").unwrap();
        {
            let staging = Staging::new(out.path()).unwrap();
            write_file(&staging.site_dir("a").join("new.html"), b"new").unwrap();
        }
        assert!(out.path().join("a/old.html").exists());
        assert_eq!(fs::read_dir(out.path()).unwrap().count(), 1);
    }
}

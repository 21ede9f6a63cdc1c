//! Writing output: file writes that never leave half a file, the staging
//! folder a build renders into and commits atomically across sites
//! ([`Staging`]), and the check that refuses output folders holding the
//! network's sources ([`check_output_dir`]).

mod guard;
mod staging;
mod swap;

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

pub use guard::{check_output_dir, protected_file, resolve};
pub use staging::Staging;
pub use swap::{Filesystem, Swapped, swap_in};

use crate::error::{Error, Result};

/// A new file written through a buffer as its content is produced (a page
/// of 10,000 cards is 10 MB, which need not sit in memory first), creating
/// parent folders. The first write error is kept for [`FileWriter::finish`]:
/// what fails through it (a template render) sees only that writing failed.
/// An unfinished file stays as far as it got, so this is for folders that
/// a failed build discards (a [`Staging`] folder).
pub struct FileWriter {
    path: PathBuf,
    file: BufWriter<fs::File>,
    error: Option<io::Error>,
}

impl FileWriter {
    /// Creates (or truncates) the file at `path`.
    pub fn create(path: &Path) -> Result<FileWriter> {
        create_parent(path)?;
        let file = fs::File::create(path)
            .map_err(|source| Error::io(path, "cannot write file", source))?;
        Ok(FileWriter {
            path: path.to_path_buf(),
            file: BufWriter::with_capacity(64 * 1024, file),
            error: None,
        })
    }

    /// Writes out what is buffered; fails with the first write error.
    pub fn finish(mut self) -> Result<()> {
        let flushed = match self.error.take() {
            Some(error) => Err(error),
            None => self.file.flush(),
        };
        flushed.map_err(|source| Error::io(&self.path, "cannot write file", source))
    }
}

impl Write for FileWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.file.write(bytes).map_err(|error| {
            let kind = error.kind();
            self.error.get_or_insert(error);
            io::Error::from(kind)
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// Creates the folders `path` goes in.
fn create_parent(path: &Path) -> Result<()> {
    match path.parent() {
        Some(parent) => fs::create_dir_all(parent)
            .map_err(|source| Error::io(parent, "cannot create folder", source)),
        None => Ok(()),
    }
}

/// Writes `bytes` to `path`, creating parent folders.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    create_parent(path)?;
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
    create_parent(path)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".grove-tmp-");
    #[cfg(unix)]
    builder.permissions(permissions_for(path));
    let mut file = builder
        .tempfile_in(dir)
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

/// The mode a replaced file gets: the old file's, else what a plain
/// create gives (0666 less the umask, which applies since the mode is given
/// to open(2)), like every other file Grove writes. Temporary files alone
/// would be 0600.
#[cfg(unix)]
fn permissions_for(path: &Path) -> fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    match fs::metadata(path) {
        Ok(meta) => meta.permissions(),
        Err(_) => fs::Permissions::from_mode(0o666),
    }
}

/// Copies `from` to `to`, creating parent folders.
pub fn copy_file(from: &Path, to: &Path) -> Result<()> {
    create_parent(to)?;
    fs::copy(from, to)
        .map(|_| ())
        .map_err(|source| Error::io(from, "cannot copy file", source))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_streamed_file_holds_what_was_written_in_new_folders() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/index.html");
        let mut writer = FileWriter::create(&path).unwrap();
        let chunk = "<li>card</li>".repeat(1000);
        for _ in 0..20 {
            writer.write_all(chunk.as_bytes()).unwrap();
        }
        writer.finish().unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), chunk.repeat(20));
    }

    /// A write that fails (here: no space left) is the error `finish`
    /// reports, naming the file, whatever the writer's user made of it.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_failed_write_is_reported_by_finish_with_the_file() {
        let path = Path::new("/dev/full");
        if !path.exists() {
            return; // a container without the device
        }
        let mut writer = FileWriter::create(path).unwrap();
        let written = writer.write_all(&[b'x'; 200 * 1024]);
        assert!(written.is_err());
        let error = writer.finish().unwrap_err().to_string();
        assert!(error.contains("/dev/full"), "{error}");
        assert!(error.contains("cannot write file"), "{error}");
        assert!(error.contains("space"), "{error}");
    }

    #[cfg(unix)]
    #[test]
    fn replaced_files_keep_their_mode_and_new_ones_get_the_usual_one() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain.md");
        fs::write(&plain, "x").unwrap();
        let usual = fs::metadata(&plain).unwrap().permissions().mode() & 0o777;

        let new = dir.path().join("new.md");
        write_atomic(&new, b"new").unwrap();
        assert_eq!(
            fs::metadata(&new).unwrap().permissions().mode() & 0o777,
            usual
        );

        fs::set_permissions(&plain, fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&plain, b"replaced").unwrap();
        assert_eq!(fs::read(&plain).unwrap(), b"replaced");
        assert_eq!(
            fs::metadata(&plain).unwrap().permissions().mode() & 0o777,
            0o640
        );
    }
}

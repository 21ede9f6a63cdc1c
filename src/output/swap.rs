//! Moving a staged site folder into place, and back.
//!
//! Where the system can, the new folder and the old one are exchanged in one
//! step (Linux `renameat2(RENAME_EXCHANGE)`), so a site is never missing from
//! the output, not even for an instant, and a kill at any point leaves it
//! whole, old or new. Elsewhere the old folder is moved aside first.

use std::io;
use std::path::{Path, PathBuf};

/// The two directory moves a commit is made of. [`Filesystem`] does them;
/// tests put faults between them.
pub trait Mover {
    /// Exchanges `a` and `b`, which both exist. `Ok(false)` if the system
    /// cannot (then nothing happened).
    fn exchange(&mut self, a: &Path, b: &Path) -> io::Result<bool>;
    /// Renames `from` to `to`.
    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()>;
}

/// The real file system.
pub struct Filesystem;

impl Mover for Filesystem {
    fn exchange(&mut self, a: &Path, b: &Path) -> io::Result<bool> {
        exchange(a, b)
    }

    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        std::fs::rename(from, to)
    }
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c_path = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path holds a NUL byte"))
    };
    let (a, b) = (c_path(a)?, c_path(b)?);
    // SAFETY: both pointers are NUL-terminated strings that outlive the call.
    let status = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if status == 0 {
        return Ok(true);
    }
    let error = io::Error::last_os_error();
    match error.raw_os_error() {
        // The file system (or kernel) cannot exchange.
        Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP) => Ok(false),
        _ => Err(error),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<bool> {
    Ok(false)
}

/// How a staged folder went into place, so that it can be undone.
#[derive(Debug)]
pub enum Swapped {
    /// Exchanged with the old folder, which is now at the staged path.
    Exchanged,
    /// Renamed into place; the old folder, if there was one, was moved to
    /// this path first.
    Moved(Option<PathBuf>),
}

/// Puts `staged` at `target`; an old `target` ends at `staged` (exchange)
/// or at `aside`. On an error nothing has changed.
pub fn swap_in(
    mover: &mut impl Mover,
    staged: &Path,
    target: &Path,
    aside: &Path,
) -> io::Result<Swapped> {
    if target.symlink_metadata().is_err() {
        mover.rename(staged, target)?;
        return Ok(Swapped::Moved(None));
    }
    if mover.exchange(staged, target)? {
        return Ok(Swapped::Exchanged);
    }
    mover.rename(target, aside)?;
    if let Err(error) = mover.rename(staged, target) {
        // Put the old folder back; if even that fails, the caller's
        // recovery finds it at `aside`.
        let _ = mover.rename(aside, target);
        return Err(error);
    }
    Ok(Swapped::Moved(Some(aside.to_path_buf())))
}

/// Undoes [`swap_in`]: the old folder goes back to `target`, the new one
/// back to `staged`.
pub fn swap_back(
    mover: &mut impl Mover,
    staged: &Path,
    target: &Path,
    swapped: &Swapped,
) -> io::Result<()> {
    match swapped {
        Swapped::Exchanged => {
            if mover.exchange(staged, target)? {
                Ok(())
            } else {
                Err(io::Error::new(
                    io::ErrorKind::Unsupported,
                    "the folders can no longer be exchanged",
                ))
            }
        }
        Swapped::Moved(aside) => {
            mover.rename(target, staged)?;
            match aside {
                Some(aside) => mover.rename(aside, target),
                None => Ok(()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(path: &Path, marker: &str) {
        std::fs::create_dir_all(path).unwrap();
        std::fs::write(path.join("marker"), marker).unwrap();
    }

    fn marker(path: &Path) -> String {
        std::fs::read_to_string(path.join("marker")).unwrap()
    }

    /// Moves like the file system, but cannot exchange.
    struct RenameOnly;

    impl Mover for RenameOnly {
        fn exchange(&mut self, _: &Path, _: &Path) -> io::Result<bool> {
            Ok(false)
        }
        fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
            std::fs::rename(from, to)
        }
    }

    fn round_trip(mover: &mut impl Mover) {
        let dir = tempfile::tempdir().unwrap();
        let (staged, target, aside) = (
            dir.path().join("staged"),
            dir.path().join("target"),
            dir.path().join("aside"),
        );
        folder(&staged, "new");
        folder(&target, "old");
        let swapped = swap_in(mover, &staged, &target, &aside).unwrap();
        assert_eq!(marker(&target), "new");
        swap_back(mover, &staged, &target, &swapped).unwrap();
        assert_eq!(marker(&target), "old");
        assert_eq!(marker(&staged), "new");
    }

    #[test]
    fn a_swap_can_be_undone_with_or_without_exchange() {
        round_trip(&mut Filesystem);
        round_trip(&mut RenameOnly);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn linux_exchanges_in_one_step() {
        let dir = tempfile::tempdir().unwrap();
        let (staged, target) = (dir.path().join("staged"), dir.path().join("target"));
        folder(&staged, "new");
        folder(&target, "old");
        let swapped = swap_in(&mut Filesystem, &staged, &target, &dir.path().join("x")).unwrap();
        assert!(matches!(swapped, Swapped::Exchanged));
        assert_eq!(
            (marker(&target), marker(&staged)),
            ("new".into(), "old".into())
        );
    }
}

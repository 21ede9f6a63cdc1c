//! Locks that keep two Grove runs from doing one job on one network at
//! once: two imports of the same log would both read its checkpoint
//! before either wrote it and count it twice; two drafts would both pay
//! for every brief. Each job has a lock file in `.grove/locks/`, held
//! (`flock`) for the length of the run and released by the system when
//! the process ends, however it ends. The file names the holder's process,
//! so a refusal can say which one.

use crate::terminal::tell;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::Path;

use crate::error::{Error, Result};

/// A held lock; released when dropped.
#[derive(Debug)]
pub struct RunLock {
    _file: File,
}

/// What a lock guards, for its file name and messages.
#[derive(Debug, Clone, Copy)]
pub struct Job {
    /// The lock file's name in `.grove/locks/`.
    pub name: &'static str,
    /// The runs it keeps apart, for messages ("a stats or revenue import").
    pub runs: &'static str,
}

/// Writing the stats database: `grove stats import`, `grove revenue import`.
pub const STATS: Job = Job {
    name: "stats",
    runs: "a `grove stats import` or `grove revenue import`",
};
/// Paid calls to the model: `grove draft`, `grove research`.
pub const MODEL: Job = Job {
    name: "model",
    runs: "a `grove draft` or `grove research`",
};
/// Publishing drafts: `grove approve`.
pub const APPROVE: Job = Job {
    name: "approve",
    runs: "a `grove approve`",
};

impl RunLock {
    /// Holds `job`'s lock of the network whose state folder is
    /// `state_dir`, waiting (and saying so on standard error) while
    /// another run holds it.
    pub fn wait(state_dir: &Path, job: Job) -> Result<RunLock> {
        let mut file = open(state_dir, job)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                tell!(
                    "waiting for {} already running on this network{}...",
                    job.runs,
                    holder(&mut file)
                );
                file.lock().map_err(|source| {
                    Error::io(lock_path(state_dir, job), "cannot lock", source)
                })?;
            }
            Err(TryLockError::Error(_)) => return Ok(RunLock { _file: file }),
        }
        claim(file, state_dir, job)
    }

    /// Holds `job`'s lock, or fails at once naming the run that holds it.
    pub fn hold(state_dir: &Path, job: Job) -> Result<RunLock> {
        let mut file = open(state_dir, job)?;
        match file.try_lock() {
            Ok(()) => claim(file, state_dir, job),
            Err(TryLockError::WouldBlock) => Err(Error::Usage(format!(
                "{} is already running on this network{}: wait for it to finish (or stop it), then run this again; nothing was done",
                job.runs,
                holder(&mut file)
            ))),
            // A file system without locks: run unguarded, as builds do.
            Err(TryLockError::Error(_)) => Ok(RunLock { _file: file }),
        }
    }
}

fn lock_path(state_dir: &Path, job: Job) -> std::path::PathBuf {
    state_dir
        .join(crate::state::LOCKS_DIR)
        .join(format!("{}.lock", job.name))
}

fn open(state_dir: &Path, job: Job) -> Result<File> {
    let path = lock_path(state_dir, job);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|source| Error::io(parent, "cannot create folder", source))?;
    }
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&path)
        .map_err(|source| Error::io(&path, "cannot open lock file", source))
}

/// Records this process as the holder.
fn claim(mut file: File, state_dir: &Path, job: Job) -> Result<RunLock> {
    let pid = std::process::id();
    file.set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| writeln!(file, "{pid}"))
        .map_err(|source| Error::io(lock_path(state_dir, job), "cannot write", source))?;
    Ok(RunLock { _file: file })
}

/// " (pid N)" when the lock file names its holder.
fn holder(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.rewind().and_then(|()| file.read_to_string(&mut text));
    match text.trim().parse::<u32>() {
        Ok(pid) => format!(" (pid {pid})"),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_refuses_a_second_holder_until_released() {
        let dir = tempfile::tempdir().unwrap();
        let first = RunLock::hold(dir.path(), MODEL).unwrap();
        let refused = RunLock::hold(dir.path(), MODEL).unwrap_err().to_string();
        assert!(
            refused.contains(&format!("(pid {})", std::process::id())),
            "{refused}"
        );
        assert!(refused.contains("`grove draft`"), "{refused}");
        // Another job's lock is independent.
        let _stats = RunLock::hold(dir.path(), STATS).unwrap();
        drop(first);
        RunLock::hold(dir.path(), MODEL).unwrap();
    }

    #[test]
    fn waiting_takes_the_lock_once_it_is_released() {
        let dir = tempfile::tempdir().unwrap();
        let first = RunLock::hold(dir.path(), STATS).unwrap();
        let path = dir.path().to_path_buf();
        let waiter = std::thread::spawn(move || RunLock::wait(&path, STATS).map(|_| ()));
        std::thread::sleep(std::time::Duration::from_millis(100));
        assert!(!waiter.is_finished());
        drop(first);
        waiter.join().unwrap().unwrap();
    }
}

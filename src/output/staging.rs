//! The staging folder a build renders into, and the commit that moves its
//! sites into place: all of them or none.
//!
//! - A build renders into `OUT/.grove-staging-XXXX/<site>/` (same file
//!   system as the output, so moving a site folder is a rename) while holding
//!   a shared lock on `OUT/.grove-lock`.
//! - The commit first writes a journal naming the staged sites, then swaps
//!   each into place ([`super::swap`]). If a swap fails, the ones done are
//!   swapped back: every site is left as it was. If the process is killed
//!   after the journal was written, the next build into `OUT` finds it and
//!   completes the commit (every site had rendered); killed before, the
//!   staging folder is simply removed.
//! - Staging folders are only cleaned up by a build that holds the lock
//!   exclusively, so never while another build (or `grove serve`) into the
//!   same folder is running.
//! - `OUT/.grove-sites` lists the site folders Grove has written there. An
//!   existing folder not in the list is never replaced: it is somebody's.

use std::collections::BTreeSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::swap::{Filesystem, Mover, Swapped, swap_back, swap_in};
use crate::error::{Error, Result};

/// Prefix of staging folders inside the output folder.
pub const STAGING_PREFIX: &str = ".grove-staging-";
/// Held shared by every build into the folder, exclusively to clean up.
const LOCK_FILE: &str = ".grove-lock";
/// The site folders Grove wrote; locked exclusively during a commit.
pub(super) const SITES_FILE: &str = ".grove-sites";
/// Inside a staging folder: the sites of a commit under way.
const JOURNAL_FILE: &str = ".journal.json";
/// Inside a staging folder: where old site folders are moved when they
/// cannot be exchanged in one step.
const REPLACED_DIR: &str = ".replaced";

/// A staging folder inside the output folder. Dropped without
/// [`Staging::commit`], it is deleted and the output is untouched.
pub struct Staging {
    dir: tempfile::TempDir,
    out: PathBuf,
    notes: Vec<String>,
    // Held (shared) until the staging folder is gone.
    _lock: Option<File>,
}

impl Staging {
    /// Creates `out` if needed and a hidden staging folder inside it. When
    /// no other build is using `out`, first finishes or removes what builds
    /// that died left there (see [`Staging::notes`]).
    pub fn new(out: &Path) -> Result<Staging> {
        fs::create_dir_all(out)
            .map_err(|source| Error::io(out, "cannot create output folder", source))?;
        let (lock, notes) = lock_and_recover(out)?;
        let dir = tempfile::Builder::new()
            .prefix(STAGING_PREFIX)
            .tempdir_in(out)
            .map_err(|source| Error::io(out, "cannot create staging folder", source))?;
        Ok(Staging {
            dir,
            out: out.to_path_buf(),
            notes,
            _lock: lock,
        })
    }

    /// What was found and repaired in the output folder when it was opened:
    /// commits of killed builds completed, staging folders removed.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Where site `name` is rendered before the commit.
    pub fn site_dir(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Moves each staged site into `out/<name>`, replacing what was there:
    /// every one, or (on an error) none.
    pub fn commit<'a>(self, names: impl IntoIterator<Item = &'a str>) -> Result<()> {
        self.commit_with(&mut Filesystem, names)
    }

    fn commit_with<'a>(
        self,
        mover: &mut impl Mover,
        names: impl IntoIterator<Item = &'a str>,
    ) -> Result<()> {
        let names: Vec<&str> = names.into_iter().collect();
        let mut owned = OwnedSites::lock(&self.out)?;
        for name in &names {
            let target = self.out.join(name);
            if target.symlink_metadata().is_ok() && !owned.contains(name) {
                return Err(Error::Output {
                    path: target,
                    message: format!(
                        "exists, and Grove did not write it (it is not listed in {}); nothing was replaced. Move it away (delete it if it is an old build), or build into another folder with --output",
                        self.out.join(SITES_FILE).display()
                    ),
                });
            }
        }
        owned.add(&names)?;
        let journal = Journal::of(self.dir.path(), &names)?;
        journal.write(self.dir.path())?;
        let aside_dir = self.dir.path().join(REPLACED_DIR);
        fs::create_dir_all(&aside_dir)
            .map_err(|source| Error::io(&aside_dir, "cannot create staging folder", source))?;

        let mut done: Vec<(&str, Swapped)> = Vec::new();
        for name in &names {
            let (staged, target) = (self.site_dir(name), self.out.join(name));
            match swap_in(mover, &staged, &target, &aside_dir.join(name)) {
                Ok(swapped) => done.push((name, swapped)),
                Err(source) => {
                    let undo = self.undo(mover, &done);
                    return Err(commit_error(&target, &source, undo, &self.out));
                }
            }
        }
        remove_journal(self.dir.path());
        // Dropping `self.dir` deletes the staging folder and the old output.
        Ok(())
    }

    /// Swaps back the sites of `done`, last first. On success the journal
    /// is removed, so nothing will complete this commit later.
    fn undo(&self, mover: &mut impl Mover, done: &[(&str, Swapped)]) -> io::Result<()> {
        for (name, swapped) in done.iter().rev() {
            swap_back(mover, &self.site_dir(name), &self.out.join(name), swapped)?;
        }
        remove_journal(self.dir.path());
        Ok(())
    }
}

fn commit_error(target: &Path, source: &io::Error, undo: io::Result<()>, out: &Path) -> Error {
    let message = match undo {
        Ok(()) => format!(
            "cannot move the new output into place ({source}); every site was left as it was"
        ),
        Err(undo_error) => format!(
            "cannot move the new output into place ({source}), and putting the sites already moved back failed too ({undo_error}); the next `grove build` into {} completes this build's output",
            out.display()
        ),
    };
    Error::Output {
        path: target.to_path_buf(),
        message,
    }
}

/// Takes the output folder's lock: exclusively if no other build holds it,
/// to recover what dead builds left, then shared for the build itself.
/// A file system without locks gets no recovery and no lock.
fn lock_and_recover(out: &Path) -> Result<(Option<File>, Vec<String>)> {
    let path = out.join(LOCK_FILE);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|source| Error::io(&path, "cannot open lock file", source))?;
    let mut notes = Vec::new();
    match file.try_lock() {
        Ok(()) => {
            notes = recover(out);
            file.lock_shared()
                .map_err(|source| Error::io(&path, "cannot lock output folder", source))?;
        }
        Err(fs::TryLockError::WouldBlock) => {
            file.lock_shared()
                .map_err(|source| Error::io(&path, "cannot lock output folder", source))?;
        }
        Err(fs::TryLockError::Error(_)) => return Ok((None, notes)),
    }
    Ok((Some(file), notes))
}

/// Completes or removes every staging folder in `out`. Only called while no
/// other build uses `out`, so every staging folder there is a dead build's.
fn recover(out: &Path) -> Vec<String> {
    let Ok(entries) = fs::read_dir(out) else {
        return Vec::new();
    };
    let mut stale: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(STAGING_PREFIX))
        .map(|e| e.path())
        .collect();
    stale.sort();
    let mut notes = Vec::new();
    for dir in &stale {
        match Journal::read(dir) {
            Some(journal) => {
                let completed = journal.roll_forward(dir, out);
                if !completed.is_empty() {
                    notes.push(format!(
                        "completed the output of a build that was stopped while moving it into place ({})",
                        completed.join(", ")
                    ));
                }
            }
            None => restore_replaced(dir, out),
        }
        if let Err(error) = fs::remove_dir_all(dir) {
            notes.push(format!(
                "cannot remove {}, left by a build that did not finish: {error}",
                dir.display()
            ));
        }
    }
    let removed = stale.iter().filter(|dir| !dir.exists()).count();
    if removed > 0 {
        notes.push(format!(
            "removed {removed} staging folder{} left in {} by builds that did not finish",
            if removed == 1 { "" } else { "s" },
            out.display()
        ));
    }
    notes
}

/// A staging folder without a journal: its commit never started, unless an
/// older Grove wrote it, which moved old sites to `.replaced/` before moving
/// the new ones in. A site found only there goes back.
fn restore_replaced(dir: &Path, out: &Path) {
    let Ok(entries) = fs::read_dir(dir.join(REPLACED_DIR)) else {
        return;
    };
    for entry in entries.filter_map(|e| e.ok()) {
        let target = out.join(entry.file_name());
        if target.symlink_metadata().is_err() {
            let _ = fs::rename(entry.path(), target);
        }
    }
}

/// Marks the commit in `staging` as finished (or undone).
fn remove_journal(staging: &Path) {
    let _ = fs::remove_file(staging.join(JOURNAL_FILE));
}

/// The sites a commit moves into place, each with the identity of its
/// staged folder, so that recovery can tell which ones are in place.
#[derive(Debug, Serialize, Deserialize)]
struct Journal {
    sites: Vec<JournalSite>,
}

#[derive(Debug, Serialize, Deserialize)]
struct JournalSite {
    name: String,
    id: FolderId,
}

impl Journal {
    fn of(staging: &Path, names: &[&str]) -> Result<Journal> {
        let sites = names
            .iter()
            .map(|name| {
                let staged = staging.join(name);
                let id = FolderId::of(&staged)
                    .map_err(|source| Error::io(&staged, "cannot read staged output", source))?;
                Ok(JournalSite {
                    name: (*name).to_string(),
                    id,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Journal { sites })
    }

    /// Written and flushed through a rename: the journal exists whole or
    /// not at all.
    fn write(&self, staging: &Path) -> Result<()> {
        let text = serde_json::to_vec(self).expect("a journal serializes");
        super::write_atomic(&staging.join(JOURNAL_FILE), &text)?;
        if let Ok(dir) = File::open(staging) {
            let _ = dir.sync_all();
        }
        Ok(())
    }

    fn read(staging: &Path) -> Option<Journal> {
        let mut text = String::new();
        File::open(staging.join(JOURNAL_FILE))
            .ok()?
            .read_to_string(&mut text)
            .ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Moves in every staged site not yet in place; returns their names.
    fn roll_forward(&self, staging: &Path, out: &Path) -> Vec<String> {
        let aside_dir = staging.join(REPLACED_DIR);
        let _ = fs::create_dir_all(&aside_dir);
        let mut completed = Vec::new();
        for site in &self.sites {
            let (staged, target) = (staging.join(&site.name), out.join(&site.name));
            let in_place = FolderId::of(&target).is_ok_and(|id| id == site.id);
            let staged_here = FolderId::of(&staged).is_ok_and(|id| id == site.id);
            if in_place || !staged_here {
                continue;
            }
            // A site found only aside was moved out just before the kill:
            // the staged one takes its place all the same.
            if swap_in(
                &mut Filesystem,
                &staged,
                &target,
                &aside_dir.join(&site.name),
            )
            .is_ok()
            {
                completed.push(site.name.clone());
            }
        }
        completed
    }
}

/// What identifies a folder across renames: device and inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct FolderId {
    device: u64,
    inode: u64,
}

impl FolderId {
    #[cfg(unix)]
    fn of(path: &Path) -> io::Result<FolderId> {
        use std::os::unix::fs::MetadataExt;
        let meta = fs::symlink_metadata(path)?;
        Ok(FolderId {
            device: meta.dev(),
            inode: meta.ino(),
        })
    }

    /// Without inodes, a staged folder is known by being still there: the
    /// commit renames (never exchanges) on such systems.
    #[cfg(not(unix))]
    fn of(path: &Path) -> io::Result<FolderId> {
        fs::symlink_metadata(path).map(|_| FolderId {
            device: 0,
            inode: 0,
        })
    }
}

/// `OUT/.grove-sites`, locked for the length of a commit: which site
/// folders in `OUT` Grove wrote. Only ever appended to, so a kill cannot
/// lose a name already written.
struct OwnedSites {
    file: File,
    names: BTreeSet<String>,
    path: PathBuf,
}

impl OwnedSites {
    fn lock(out: &Path) -> Result<OwnedSites> {
        let path = out.join(SITES_FILE);
        let mut file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(&path)
            .map_err(|source| Error::io(&path, "cannot open", source))?;
        match file.lock() {
            Ok(()) => {}
            Err(error) if error.kind() == io::ErrorKind::Unsupported => {}
            Err(source) => return Err(Error::io(&path, "cannot lock", source)),
        }
        let mut text = String::new();
        file.read_to_string(&mut text)
            .map_err(|source| Error::io(&path, "cannot read", source))?;
        let names = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect();
        Ok(OwnedSites { file, names, path })
    }

    fn contains(&self, name: &str) -> bool {
        self.names.contains(name)
    }

    fn add(&mut self, names: &[&str]) -> Result<()> {
        let mut text = String::new();
        if self.names.is_empty() {
            text.push_str("# Site folders written here by Grove, which it may replace.\n");
        }
        for name in names {
            if self.names.insert((*name).to_string()) {
                text.push_str(name);
                text.push('\n');
            }
        }
        self.file
            .write_all(text.as_bytes())
            .and_then(|()| self.file.sync_data())
            .map_err(|source| Error::io(&self.path, "cannot write", source))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::write_file;

    fn site(out: &Path, name: &str, marker: &str) {
        write_file(&out.join(name).join("index.html"), marker.as_bytes()).unwrap();
    }

    fn marker(out: &Path, name: &str) -> Option<String> {
        fs::read_to_string(out.join(name).join("index.html")).ok()
    }

    fn entries(out: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// Builds `names` with `marker` into `out` through a staging folder.
    fn stage(out: &Path, names: &[&str], marker: &str) -> Staging {
        let staging = Staging::new(out).unwrap();
        for name in names {
            site(&staging.site_dir(""), name, marker);
        }
        staging
    }

    #[test]
    fn commit_replaces_only_named_sites() {
        let out = tempfile::tempdir().unwrap();
        stage(out.path(), &["a", "b"], "old")
            .commit(["a", "b"])
            .unwrap();
        stage(out.path(), &["a"], "new").commit(["a"]).unwrap();
        assert_eq!(marker(out.path(), "a").as_deref(), Some("new"));
        assert_eq!(marker(out.path(), "b").as_deref(), Some("old"));
        assert_eq!(entries(out.path()), [LOCK_FILE, SITES_FILE, "a", "b"]);
    }

    #[test]
    fn dropping_without_commit_leaves_output_alone() {
        let out = tempfile::tempdir().unwrap();
        stage(out.path(), &["a"], "old").commit(["a"]).unwrap();
        drop(stage(out.path(), &["a"], "new"));
        assert_eq!(marker(out.path(), "a").as_deref(), Some("old"));
        assert_eq!(entries(out.path()), [LOCK_FILE, SITES_FILE, "a"]);
    }

    #[test]
    fn a_folder_grove_did_not_write_is_never_replaced() {
        let out = tempfile::tempdir().unwrap();
        site(out.path(), "a", "mine");
        let err = stage(out.path(), &["a"], "new").commit(["a"]).unwrap_err();
        assert!(err.to_string().contains("Grove did not write it"), "{err}");
        assert_eq!(marker(out.path(), "a").as_deref(), Some("mine"));
    }

    /// The file system, failing the `fail_at`-th move (1-based).
    struct Faulty {
        moves: usize,
        fail_at: usize,
    }

    impl Faulty {
        fn fault(&mut self) -> io::Result<()> {
            self.moves += 1;
            if self.moves == self.fail_at {
                Err(io::Error::new(io::ErrorKind::PermissionDenied, "injected"))
            } else {
                Ok(())
            }
        }
    }

    impl Mover for Faulty {
        fn exchange(&mut self, a: &Path, b: &Path) -> io::Result<bool> {
            self.fault()?;
            Filesystem.exchange(a, b)
        }
        fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
            self.fault()?;
            fs::rename(from, to)
        }
    }

    #[test]
    fn a_failed_move_puts_every_site_back_as_it_was() {
        // Fail each move of a three-site commit in turn: either all sites
        // are new (the fault hit nothing) or all are as they were.
        for fail_at in 1..=4 {
            let out = tempfile::tempdir().unwrap();
            stage(out.path(), &["a", "b"], "old")
                .commit(["a", "b"])
                .unwrap();
            let staging = stage(out.path(), &["a", "b", "c"], "new");
            let mut mover = Faulty { moves: 0, fail_at };
            let result = staging.commit_with(&mut mover, ["a", "b", "c"]);
            let markers: Vec<Option<String>> = ["a", "b", "c"]
                .iter()
                .map(|n| marker(out.path(), n))
                .collect();
            if let Err(error) = result {
                let text = error.to_string();
                assert!(text.contains("every site was left as it was"), "{text}");
                assert_eq!(markers, [Some("old".into()), Some("old".into()), None]);
                assert_eq!(entries(out.path()), [LOCK_FILE, SITES_FILE, "a", "b"]);
            } else {
                assert_eq!(mover.moves, 3, "the commit made three moves");
                assert!(markers.iter().all(|m| m.as_deref() == Some("new")));
                assert_eq!(entries(out.path()), [LOCK_FILE, SITES_FILE, "a", "b", "c"]);
            }
        }
    }

    #[test]
    fn a_killed_commit_is_completed_by_the_next_build() {
        let out = tempfile::tempdir().unwrap();
        stage(out.path(), &["a", "b"], "old")
            .commit(["a", "b"])
            .unwrap();
        // A build that wrote its journal and moved `a`, then died.
        let staging = stage(out.path(), &["a", "b"], "new");
        Journal::of(staging.dir.path(), &["a", "b"])
            .unwrap()
            .write(staging.dir.path())
            .unwrap();
        swap_in(
            &mut Filesystem,
            &staging.site_dir("a"),
            &out.path().join("a"),
            &staging.dir.path().join("x"),
        )
        .unwrap();
        let dead = staging.dir.keep();
        drop(staging._lock);

        let next = Staging::new(out.path()).unwrap();
        assert_eq!(marker(out.path(), "a").as_deref(), Some("new"));
        assert_eq!(marker(out.path(), "b").as_deref(), Some("new"));
        assert!(!dead.exists());
        assert!(next.notes()[0].contains("(b)"), "{:?}", next.notes());
    }

    #[test]
    fn staging_folders_of_dead_builds_go_but_not_those_of_running_ones() {
        let out = tempfile::tempdir().unwrap();
        let running = stage(out.path(), &["a"], "running");
        // A dead build: its folder, without the lock.
        let dead = out.path().join(format!("{STAGING_PREFIX}dead"));
        site(&dead, "a", "dead");
        // While a build runs, nothing is cleaned.
        let second = Staging::new(out.path()).unwrap();
        assert!(dead.exists() && running.site_dir("a").exists());
        drop(second);
        drop(running);
        let third = Staging::new(out.path()).unwrap();
        assert!(!dead.exists());
        assert!(third.notes()[0].contains("removed 1 staging folder"));
    }
}

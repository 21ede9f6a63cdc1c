//! Puts imported files in place. `.grove/imported.jsonl` records what each
//! import wrote: a file still as imported is rewritten when the source
//! changed; a file a person wrote or edited is never overwritten, and one
//! a person deleted is not written again. So importing twice duplicates
//! nothing, loses nothing and undoes nothing.

use std::path::Path;

use super::names::stays_inside;
use super::report::Report;
use crate::draft::manifest::{Manifest, Ownership};
use crate::error::{Error, Location, Result};
use crate::output::write_atomic;

/// A file an importer produced.
#[derive(Debug, Clone)]
pub struct OutputFile {
    /// Path below the site folder, e.g. `content/blog/post.md`.
    pub rel: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

impl OutputFile {
    /// A text file.
    pub fn text(rel: impl Into<String>, text: String) -> OutputFile {
        OutputFile {
            rel: rel.into(),
            bytes: text.into_bytes(),
        }
    }
}

/// Writes `files` into `site_dir` (below network `root`), recording each in
/// `report`; with `dry_run`, only reports what would happen.
pub fn write_files(
    root: &Path,
    site_dir: &Path,
    files: &[OutputFile],
    dry_run: bool,
    report: &mut Report,
) -> Result<()> {
    for file in files {
        check_inside(site_dir, &file.rel)?;
    }
    let manifest = Manifest::load_named(root, crate::state::IMPORTED_MANIFEST)?;
    for file in files {
        let path = site_dir.join(&file.rel);
        match manifest.ownership(&path) {
            Ownership::Human => report.kept.push(file.rel.clone()),
            // Imported before, since deleted by a person: not brought back.
            Ownership::Missing if manifest.has_written(&path) => {
                report.deleted.push(file.rel.clone())
            }
            Ownership::Drafted if std::fs::read(&path).is_ok_and(|b| b == file.bytes) => {
                report.unchanged.push(file.rel.clone())
            }
            Ownership::Missing | Ownership::Drafted => {
                if !dry_run {
                    write_atomic(&path, &file.bytes)?;
                    manifest.record(&path, &file.bytes)?;
                }
                report.written.push(file.rel.clone());
            }
        }
    }
    Ok(())
}

/// Refuses a file that would land outside `site_dir`: a path that is not
/// plainly below it, or one through a symbolic link (the site folder
/// itself, or a folder in it), which could lead anywhere, another site
/// included. Importers make names safe and report it; this is the last
/// line, checked for every file before any is written.
fn check_inside(site_dir: &Path, rel: &str) -> Result<()> {
    let refuse = |path: &Path, why: &str| {
        Error::Usage(format!(
            "import stopped before writing anything: {} {why}; nothing may be written outside {}",
            path.display(),
            site_dir.display()
        ))
    };
    if !stays_inside(rel) {
        return Err(refuse(
            Path::new(rel),
            "is not a plain path below the site folder",
        ));
    }
    let mut path = site_dir.to_path_buf();
    let parts: Vec<&str> = rel.split('/').collect();
    for part in std::iter::once(None).chain(parts[..parts.len() - 1].iter().map(Some)) {
        if let Some(part) = part {
            path.push(part);
        }
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(refuse(&path, "is a symbolic link"));
            }
            Ok(meta) if !meta.is_dir() => {
                return Err(Error::Content {
                    location: Location::file(&path),
                    message: format!(
                        "is a file where the import needs a folder (for {rel}); move it away and import again"
                    ),
                });
            }
            Ok(_) => {}
            Err(_) => break, // created by the write, as a plain folder
        }
    }
    Ok(())
}

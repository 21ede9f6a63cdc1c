//! Puts imported files in place. `.grove/imported.jsonl` records what each
//! import wrote: a file still as imported is rewritten when the source
//! changed; a file a person wrote or edited is never overwritten. So
//! importing twice duplicates nothing and loses nothing.

use std::path::Path;

use super::report::Report;
use crate::draft::manifest::{Manifest, Ownership};
use crate::error::Result;
use crate::output::write_atomic;

/// The manifest of imported files, below the network's `.grove/`.
const MANIFEST: &str = "imported.jsonl";

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
    let manifest = Manifest::load_named(root, MANIFEST)?;
    for file in files {
        let path = site_dir.join(&file.rel);
        match manifest.ownership(&path) {
            Ownership::Human => report.kept.push(file.rel.clone()),
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

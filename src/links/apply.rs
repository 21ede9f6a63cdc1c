//! `grove links apply`: chosen suggestions written into the Markdown as
//! `[anchor](@/page.md)` links — only in a site's own files (a blueprint
//! page is every site's), never in a page with a refresh draft waiting
//! beside it or open in an editor, and never over a file that changed
//! since it was read.

use std::collections::BTreeMap;
use std::path::Path;

use super::Suggestion;
use crate::draft::brief::REFRESH_SUFFIX;
use crate::error::{Error, Result};
use crate::network::Network;
use crate::output::write_atomic;

/// Which suggestions to write.
#[derive(Debug, Clone, Default)]
pub struct ApplyOptions {
    /// Only links to these pages (URL paths).
    pub to: Vec<String>,
    /// Only links in these pages (URL paths).
    pub from: Vec<String>,
    /// Every suggestion (of the selected sites).
    pub all: bool,
    /// Say what would be written; write nothing.
    pub dry_run: bool,
}

/// What was written, and what was not and why.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    /// (file, links added).
    pub written: Vec<(String, Vec<Suggestion>)>,
    /// (file, why it was left alone, links not added).
    pub skipped: Vec<(String, String, usize)>,
}

/// Writes the suggestions `options` choose.
pub fn apply(
    network: &Network,
    suggestions: &[Suggestion],
    options: &ApplyOptions,
) -> Result<Applied> {
    if !options.all && options.to.is_empty() && options.from.is_empty() {
        return Err(Error::Usage(
            "choose the links to write: --to PAGE (links to it), --from PAGE (links in it), or --all".into(),
        ));
    }
    let wanted = |s: &Suggestion| {
        options.all
            || ((options.to.is_empty() || options.to.iter().any(|p| same_page(p, &s.to)))
                && (options.from.is_empty() || options.from.iter().any(|p| same_page(p, &s.from))))
    };
    let mut by_file: BTreeMap<&str, Vec<&Suggestion>> = BTreeMap::new();
    for s in suggestions.iter().filter(|s| wanted(s)) {
        by_file.entry(&s.file).or_default().push(s);
    }
    let mut applied = Applied::default();
    for (file, mut chosen) in by_file {
        let path = network.root.join(file);
        if let Err(why) = editable(network, &path) {
            applied.skipped.push((file.to_string(), why, chosen.len()));
            continue;
        }
        let original =
            std::fs::read_to_string(&path).map_err(|e| Error::io(&path, "cannot read file", e))?;
        if chosen
            .iter()
            .any(|s| original.get(s.range.clone()) != Some(s.anchor.as_str()))
        {
            applied.skipped.push((
                file.to_string(),
                "it changed since the suggestions were made: run `grove links` again".into(),
                chosen.len(),
            ));
            continue;
        }
        // From the end, so earlier ranges stay where they were.
        chosen.sort_by_key(|s| std::cmp::Reverse(s.range.start));
        let mut text = original.clone();
        for s in &chosen {
            text.replace_range(s.range.clone(), &format!("[{}](@/{})", s.anchor, s.target));
        }
        if !options.dry_run {
            let now = std::fs::read_to_string(&path).unwrap_or_default();
            if now != original {
                applied.skipped.push((
                    file.to_string(),
                    "it changed while Grove was writing: run `grove links` again".into(),
                    chosen.len(),
                ));
                continue;
            }
            write_atomic(&path, text.as_bytes())?;
        }
        chosen.reverse();
        applied
            .written
            .push((file.to_string(), chosen.into_iter().cloned().collect()));
    }
    Ok(applied)
}

/// Two URL paths of one page (`/a/` and `/a`).
fn same_page(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// Whether Grove may write links into the file at `path`; `Err` says why
/// not.
fn editable(network: &Network, path: &Path) -> std::result::Result<(), String> {
    let own = network
        .sites
        .iter()
        .any(|site| path.starts_with(site.dir.join("content")));
    if !own {
        return Err("a blueprint page (content/), shared by every site: add the link in a site's own copy of it".into());
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let dir = path.parent().unwrap_or(network.root.as_path());
    let stem = name.strip_suffix(".md").unwrap_or(&name);
    if dir.join(format!("{stem}{REFRESH_SUFFIX}")).exists() {
        return Err(format!(
            "a refresh draft of it is waiting ({stem}{REFRESH_SUFFIX}): approve or delete it first"
        ));
    }
    for lock in [
        format!(".{name}.swp"),
        format!(".{name}.swo"),
        format!(".#{name}"),
        format!("#{name}#"),
    ] {
        if dir.join(&lock).exists() {
            return Err(format!(
                "open in an editor ({lock} is beside it): save and close it first"
            ));
        }
    }
    Ok(())
}

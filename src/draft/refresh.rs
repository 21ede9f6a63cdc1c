//! Swapping a refresh in: `grove approve` on a draft `grove draft` wrote
//! for a refresh brief (`page.refresh.md`, its front matter naming the
//! page in `extra.generated.refreshes`) writes the draft's body into the
//! live page under the live page's own front matter — same file, same
//! URL, `updated` set to the day — keeps the old version under
//! `.grove/refreshed/`, and removes the draft.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::content::front_matter::{self, Format};
use crate::error::{Error, Location, Result};
use crate::output::write_atomic;

/// Where the old versions of refreshed pages are kept, in `.grove/`.
pub const REFRESHED_DIR: &str = "refreshed";

/// The live page (below its content folder) the draft at `path` refreshes,
/// if it is a refresh draft.
pub fn refreshes(path: &Path) -> Result<Option<String>> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| Error::io(path, "cannot read file", source))?;
    let split = front_matter::split(path, &text)?;
    if split.format != Format::Toml {
        return Ok(None);
    }
    let value: toml::Table = match toml::from_str(split.front_matter) {
        Ok(value) => value,
        Err(_) => return Ok(None),
    };
    Ok(value
        .get("extra")
        .and_then(|e| e.get("generated"))
        .and_then(|g| g.get("refreshes"))
        .and_then(|r| r.as_str())
        .map(str::to_string))
}

/// What a swap did.
#[derive(Debug, Clone)]
pub struct Swapped {
    /// The live page, now holding the new version.
    pub live: PathBuf,
    /// Where its old version is kept (`None`: the page came from the
    /// blueprint, which is left as it is; the site now has its own copy).
    pub backup: Option<PathBuf>,
}

/// Swaps the refresh draft at `draft` (refreshing `live_rel`) into its
/// live page, on `day`; `state_dir` is the network's `.grove/`, `root`
/// the network's root (for the blueprint's content folder).
pub fn swap(
    root: &Path,
    state_dir: &Path,
    draft: &Path,
    live_rel: &str,
    day: NaiveDate,
) -> Result<Swapped> {
    let depth = live_rel.split('/').count();
    let content_dir = draft
        .ancestors()
        .nth(depth)
        .ok_or_else(|| Error::Content {
            location: Location::file(draft),
            message: format!("its refreshes = \"{live_rel}\" is not beside it"),
        })?
        .to_path_buf();
    let live = content_dir.join(live_rel);
    let blueprint = root.join("content").join(live_rel);
    let source = if live.is_file() {
        live.clone()
    } else if blueprint.is_file() {
        blueprint
    } else {
        return Err(Error::Content {
            location: Location::file(draft),
            message: format!(
                "the page it refreshes, {}, is gone: nothing to swap (delete the draft, or move it to a new page)",
                live.display()
            ),
        });
    };
    let draft_text = std::fs::read_to_string(draft)
        .map_err(|source| Error::io(draft, "cannot read file", source))?;
    let live_text = std::fs::read_to_string(&source)
        .map_err(|source_error| Error::io(&source, "cannot read file", source_error))?;
    let new_body = front_matter::split(draft, &draft_text)?.body;
    let head = &live_text[..front_matter::body_offset(&live_text)];
    let head = with_key(
        &source,
        head,
        "updated",
        &day.format("%Y-%m-%d").to_string(),
    )?;
    let text = format!("{}\n{}\n", head.trim_end(), new_body.trim());
    let backup = if source == live {
        let relative = live.strip_prefix(root).unwrap_or(&live);
        let kept = state_dir
            .join(REFRESHED_DIR)
            .join(day.format("%Y-%m-%d").to_string())
            .join(relative);
        if let Some(parent) = kept.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Error::io(parent, "cannot create folder", e))?;
        }
        write_atomic(&kept, live_text.as_bytes())?;
        Some(kept)
    } else {
        None
    };
    write_atomic(&live, text.as_bytes())?;
    std::fs::remove_file(draft)
        .map_err(|e| Error::io(draft, "cannot remove the swapped draft", e))?;
    Ok(Swapped { live, backup })
}

/// `head` (a file's front matter with its delimiters) with top-level
/// `key` set to the date `value`: its line replaced, or added first.
fn with_key(path: &Path, head: &str, key: &str, value: &str) -> Result<String> {
    let format = front_matter::split(path, head)?.format;
    let (toml, separator) = match format {
        Format::Toml => (true, "="),
        Format::Yaml => (false, ":"),
        Format::None => {
            return Ok(format!("+++\n{key} = {value}\n+++\n{head}"));
        }
    };
    let setting = if toml {
        format!("{key} = {value}")
    } else {
        format!("{key}: {value}")
    };
    let mut out = String::with_capacity(head.len() + 24);
    let mut in_table = false;
    let mut replaced = false;
    for (index, line) in head.split_inclusive('\n').enumerate() {
        let trimmed = line.trim();
        if index == 0 {
            out.push_str(line);
            continue;
        }
        in_table |= toml && trimmed.starts_with('[');
        let indented = !toml && line.starts_with([' ', '\t']);
        let top_level = !in_table && !indented;
        let is_key = top_level
            && trimmed
                .split_once(separator)
                .is_some_and(|(k, _)| k.trim() == key);
        if is_key && !replaced {
            out.push_str(&setting);
            out.push('\n');
            replaced = true;
        } else {
            out.push_str(line);
        }
    }
    if !replaced {
        let first_end = out.find('\n').map_or(out.len(), |i| i + 1);
        out.insert_str(first_end, &format!("{setting}\n"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_updated_date_is_replaced_or_added_at_the_top_level() {
        let p = Path::new("a.md");
        let toml = "+++\ntitle = \"A\"\nupdated = 2025-01-01\n[extra]\nupdated = 1\n+++\n";
        assert_eq!(
            with_key(p, toml, "updated", "2026-12-04").unwrap(),
            "+++\ntitle = \"A\"\nupdated = 2026-12-04\n[extra]\nupdated = 1\n+++\n"
        );
        let toml = "+++\ntitle = \"A\"\n[extra]\nupdated = 1\n+++\n";
        assert_eq!(
            with_key(p, toml, "updated", "2026-12-04").unwrap(),
            "+++\nupdated = 2026-12-04\ntitle = \"A\"\n[extra]\nupdated = 1\n+++\n"
        );
        let yaml = "---\ntitle: A\nupdated: 2025-01-01\n---\n";
        assert_eq!(
            with_key(p, yaml, "updated", "2026-12-04").unwrap(),
            "---\ntitle: A\nupdated: 2026-12-04\n---\n"
        );
    }
}

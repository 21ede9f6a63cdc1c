//! `grove review` and `grove approve`: drafts waiting for a person, with
//! warnings about what to check, and publishing them.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::affiliate::Registry;
use crate::content::front_matter::{self, PageMeta};
use crate::content::markdown::{link_destinations, word_count};
use crate::error::{Error, Location, Result};
use crate::network::{Network, Site};

/// A draft waiting for review.
#[derive(Debug, Clone)]
pub struct Draft {
    /// Site name.
    pub site: String,
    /// The file.
    pub path: PathBuf,
    /// Title from front matter.
    pub title: String,
    /// Words in the body.
    pub words: usize,
    /// The brief's target, for drafted articles.
    pub target_words: Option<u64>,
    /// Things a reviewer should look at.
    pub warnings: Vec<String>,
}

/// Every draft (`draft = true`) in the sites' own content, by path.
pub fn drafts(network: &Network, sites: &[&Site]) -> Result<Vec<Draft>> {
    let taxonomies: Vec<&str> = network
        .config
        .network
        .taxonomies
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    let mut found = Vec::new();
    for site in sites {
        let registry = Registry::load(&network.root, site)?;
        for path in markdown_files(&site.dir.join("content")) {
            let text = std::fs::read_to_string(&path)
                .map_err(|source| Error::io(&path, "cannot read file", source))?;
            let split = front_matter::split(&path, &text)?;
            let meta =
                PageMeta::from_fields(front_matter::parse_fields(&path, &split)?, &taxonomies)?;
            if !meta.draft {
                continue;
            }
            let generated = meta.extra.get("generated");
            let target_words = generated.and_then(|g| g["target_words"].as_u64());
            let wanted: Vec<&str> = generated
                .and_then(|g| g["affiliates"].as_array())
                .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
                .unwrap_or_default();
            let words = word_count(split.body);
            let warnings = warnings(
                network,
                site,
                &registry,
                split.body,
                words,
                target_words,
                &wanted,
            );
            found.push(Draft {
                site: site.name.clone(),
                path,
                title: meta.title,
                words,
                target_words,
                warnings,
            });
        }
    }
    Ok(found)
}

fn warnings(
    network: &Network,
    site: &Site,
    registry: &Registry,
    body: &str,
    words: usize,
    target: Option<u64>,
    wanted_affiliates: &[&str],
) -> Vec<String> {
    let mut warnings = Vec::new();
    if let Some(target) = target
        && (words as u64) * 10 < target * 8
    {
        warnings.push(format!(
            "too short: {words} words, the brief asks for {target}"
        ));
    }
    let links = link_destinations(body);
    for slug in wanted_affiliates {
        if !links.iter().any(|l| l == &format!("aff:{slug}")) {
            warnings.push(format!("no link to aff:{slug}, which the brief asked for"));
        }
    }
    for link in &links {
        if let Some(slug) = link.strip_prefix("aff:") {
            if registry.get(slug).is_none() {
                warnings.push(format!(
                    "unknown affiliate link `{link}`: not in the registry"
                ));
            }
        } else if let Some(target) = link.strip_prefix("@/") {
            let file = target.split('#').next().unwrap_or_default();
            let exists = site.dir.join("content").join(file).is_file()
                || network.root.join("content").join(file).is_file();
            if !exists {
                warnings.push(format!("broken link `{link}`"));
            }
        }
    }
    warnings
}

fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = WalkDir::new(dir)
        .into_iter()
        .filter_map(std::result::Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
        .map(walkdir::DirEntry::into_path)
        .collect();
    files.sort();
    files
}

/// `path`'s text with `draft = false` in its front matter, changing only
/// that line; `None` if the file is not a draft.
pub fn approved_text(path: &Path) -> Result<Option<String>> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| Error::io(path, "cannot read file", source))?;
    let split = front_matter::split(path, &text)?;
    let (pattern, replacement) = match split.format {
        front_matter::Format::Toml => ("=", "draft = false"),
        front_matter::Format::Yaml => (":", "draft: false"),
        front_matter::Format::None => return Ok(None),
    };
    // Only lines of the front matter itself are looked at: its offset in
    // `text` is where `split` found it.
    let start = split.front_matter.as_ptr() as usize - text.as_ptr() as usize;
    let end = start + split.front_matter.len();
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..start]);
    let mut changed = false;
    for line in text[start..end].split_inclusive('\n') {
        let trimmed = line.trim();
        let is_draft_line = trimmed
            .strip_prefix("draft")
            .map(str::trim_start)
            .and_then(|rest| rest.strip_prefix(pattern))
            .is_some_and(|value| value.trim() == "true");
        if is_draft_line && !changed {
            out.push_str(replacement);
            out.push_str(if line.ends_with("\r\n") {
                "\r\n"
            } else if line.ends_with('\n') {
                "\n"
            } else {
                ""
            });
            changed = true;
        } else {
            out.push_str(line);
        }
    }
    out.push_str(&text[end..]);
    Ok(changed.then_some(out))
}

/// The drafts to approve: the given files, or every draft of the sites.
pub fn resolve_paths(
    network: &Network,
    paths: &[PathBuf],
    sites: &[&Site],
) -> Result<Vec<PathBuf>> {
    if paths.is_empty() {
        return Ok(drafts(network, sites)?
            .into_iter()
            .map(|d| d.path)
            .collect());
    }
    paths.iter().map(|p| content_file(network, p)).collect()
}

/// `path` if it is a Markdown file inside the network's content (the
/// blueprint's `content/` or a site's `content/`): `approve` edits files,
/// and must never edit one the network does not own.
fn content_file(network: &Network, path: &Path) -> Result<PathBuf> {
    let error = |message: &str| Error::Content {
        location: Location::file(path),
        message: message.into(),
    };
    if !path.is_file() {
        return Err(error("no such file"));
    }
    let canonical = path
        .canonicalize()
        .map_err(|source| Error::io(path, "cannot open file", source))?;
    let in_content = canonical.starts_with(network.root.join("content"))
        || network
            .sites
            .iter()
            .any(|site| canonical.starts_with(site.dir.join("content")));
    if !in_content || canonical.extension().is_none_or(|x| x != "md") {
        return Err(error(
            "not a Markdown file of this network's content (content/ or sites/<name>/content/); approve only publishes drafts the network holds",
        ));
    }
    Ok(path.to_path_buf())
}

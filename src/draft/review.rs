//! `grove review` and `grove approve`: drafts waiting for a person, with
//! warnings about what to check, and publishing them.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use walkdir::WalkDir;

use crate::affiliate::Registry;
use crate::content::PageMeta;
use crate::content::front_matter;
use crate::content::markdown::{link_destinations, word_count};
use crate::content::template_code::markup_building_code;
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
            let mut warnings = warnings(
                network,
                site,
                &registry,
                split.body,
                words,
                target_words,
                &wanted,
            );
            for (line, code) in template_code(&text) {
                warnings.push(format!(
                    "line {line}: template code `{code}` can print markup no sanitizer saw; approve refuses it (write it as text, or approve with --force if you wrote it)"
                ));
            }
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

/// `path`'s text with `draft = false` in its front matter, and with
/// `date` set to `publish_on` when given (a scheduled page); only those
/// lines change (a missing `date` is added after `draft`). `None` if the
/// file is not a draft.
pub fn approved_text(path: &Path, publish_on: Option<NaiveDate>) -> Result<Option<String>> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| Error::io(path, "cannot read file", source))?;
    let split = front_matter::split(path, &text)?;
    let toml = match split.format {
        front_matter::Format::Toml => true,
        front_matter::Format::Yaml => false,
        front_matter::Format::None => return Ok(None),
    };
    let separator = if toml { "=" } else { ":" };
    let setting =
        |key: &str, value: &str| format!("{key}{} {value}", if toml { " =" } else { ":" });
    // Only lines of the front matter itself are looked at: its offset in
    // `text` is where `split` found it.
    let start = split.front_matter.as_ptr() as usize - text.as_ptr() as usize;
    let end = start + split.front_matter.len();
    let lines: Vec<&str> = text[start..end].split_inclusive('\n').collect();
    // Top-level keys only: not inside a TOML table or an indented YAML block.
    let mut in_table = false;
    let keys: Vec<Option<(&str, &str)>> = lines
        .iter()
        .map(|line| {
            let trimmed = line.trim();
            in_table |= toml && trimmed.starts_with('[');
            let indented = !toml && line.starts_with([' ', '\t']);
            if in_table || indented {
                return None;
            }
            trimmed
                .split_once(separator)
                .map(|(key, value)| (key.trim(), value.trim()))
        })
        .collect();
    let Some(draft_line) = keys.iter().position(|k| *k == Some(("draft", "true"))) else {
        return Ok(None);
    };
    let has_date = keys.iter().any(|k| k.is_some_and(|(key, _)| key == "date"));
    let date = publish_on.map(|day| setting("date", &day.format("%Y-%m-%d").to_string()));
    let mut out = String::with_capacity(text.len() + 20);
    out.push_str(&text[..start]);
    for (index, line) in lines.iter().enumerate() {
        let eol = if line.ends_with("\r\n") {
            "\r\n"
        } else if line.ends_with('\n') {
            "\n"
        } else {
            ""
        };
        let is_date = keys[index].is_some_and(|(key, _)| key == "date");
        if index == draft_line {
            out.push_str(&setting("draft", "false"));
            out.push_str(if eol.is_empty() { "\n" } else { eol });
            if let Some(date) = date.as_ref().filter(|_| !has_date) {
                out.push_str(date);
                out.push_str(if eol.is_empty() { "\n" } else { eol });
            }
        } else if let Some(date) = date.as_ref().filter(|_| is_date) {
            out.push_str(date);
            out.push_str(eol);
        } else {
            out.push_str(line);
        }
    }
    out.push_str(&text[end..]);
    Ok(Some(out))
}

/// Template code in a draft's `text` that can build markup (see
/// [`markup_building_code`]), as 1-based line numbers and the code.
pub fn template_code(text: &str) -> Vec<(usize, String)> {
    markup_building_code(text, front_matter::body_offset(text))
        .into_iter()
        .map(|code| (text[..code.offset].matches('\n').count() + 1, code.code))
        .collect()
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

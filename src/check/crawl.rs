//! Crawling a built site: which files exist, which ids they define, and
//! every link they hold.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use walkdir::WalkDir;

use super::InternalProblem;
use crate::error::{Error, Result};
use crate::html_scan::{percent_decode, tags, unescape};

/// What a crawl found.
pub struct Crawl {
    /// HTML files crawled.
    pub pages: usize,
    /// Broken internal links and anchors.
    pub problems: Vec<InternalProblem>,
    /// External URL -> pages linking to it.
    pub external: BTreeMap<String, Vec<String>>,
}

/// Which attribute of which element holds a link.
const LINK_ATTRIBUTES: &[(&str, &str)] = &[
    ("a", "href"),
    ("link", "href"),
    ("img", "src"),
    ("script", "src"),
    ("source", "src"),
    ("iframe", "src"),
];

/// Crawls the built site in `dir`.
pub fn crawl(dir: &Path, base_url: &str, base_path: &str) -> Result<Crawl> {
    let mut ids: HashMap<String, HashSet<String>> = HashMap::new();
    let mut links: Vec<(String, String)> = Vec::new();
    let mut files: HashSet<String> = HashSet::new();
    for entry in WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| Error::io(dir, "cannot read output", e.into()))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        files.insert(rel.clone());
        if !rel.ends_with(".html") {
            continue;
        }
        let html = std::fs::read_to_string(entry.path())
            .map_err(|source| Error::io(entry.path(), "cannot read", source))?;
        let mut page_ids = HashSet::new();
        for tag in tags(&html).filter(|t| !t.closing) {
            if let Some(id) = tag.attribute("id") {
                page_ids.insert(unescape(id));
            }
            if tag.name.eq_ignore_ascii_case("a")
                && let Some(name) = tag.attribute("name")
            {
                page_ids.insert(unescape(name));
            }
            let wanted = LINK_ATTRIBUTES
                .iter()
                .find(|(el, _)| tag.name.eq_ignore_ascii_case(el));
            if let Some((_, attribute)) = wanted
                && let Some(value) = tag.attribute(attribute)
            {
                links.push((rel.clone(), unescape(value)));
            }
        }
        ids.insert(rel, page_ids);
    }

    let mut problems = Vec::new();
    let mut external: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (page, href) in links {
        let href = href.trim().to_string();
        let lower = href.to_lowercase();
        if lower.is_empty()
            || ["mailto:", "tel:", "javascript:", "data:", "sms:"]
                .iter()
                .any(|s| lower.starts_with(s))
        {
            continue;
        }
        let own = href
            .strip_prefix(base_url)
            .filter(|rest| rest.is_empty() || rest.starts_with('/') || rest.starts_with('#'));
        let path = match own {
            Some(rest) => format!("{base_path}{}", if rest.is_empty() { "/" } else { rest }),
            None if lower.starts_with("http://") || lower.starts_with("https://") => {
                let pages = external.entry(href.clone()).or_default();
                if pages.last() != Some(&page) {
                    pages.push(page.clone());
                }
                continue;
            }
            None if href.starts_with("//") => {
                external
                    .entry(format!("https:{href}"))
                    .or_default()
                    .push(page.clone());
                continue;
            }
            None => href.clone(),
        };
        if let Some(problem) = check_internal(&page, &path, base_path, &files, &ids) {
            problems.push(InternalProblem {
                page: page.clone(),
                href,
                problem,
            });
        }
    }
    Ok(Crawl {
        pages: ids.len(),
        problems,
        external,
    })
}

/// Whether an internal link resolves to a file (and its anchor to an id).
fn check_internal(
    page: &str,
    href: &str,
    base_path: &str,
    files: &HashSet<String>,
    ids: &HashMap<String, HashSet<String>>,
) -> Option<String> {
    let (path, fragment) = match href.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (href, None),
    };
    let path = path.split('?').next().unwrap_or_default();
    // Hosts decode `%C3%A9` to the file name `é`; so does the check.
    let decoded = crate::html_scan::percent_decode(path);
    let path = decoded.as_deref().unwrap_or(path);
    let target = if path.is_empty() {
        page.to_string()
    } else if let Some(absolute) = path.strip_prefix('/') {
        let absolute = format!("/{absolute}");
        let Some(inside) = absolute.strip_prefix(base_path) else {
            return Some(format!("points outside the site's base path {base_path}"));
        };
        resolve_file(inside.trim_start_matches('/'), files)
    } else {
        let dir = page.rsplit_once('/').map_or("", |(d, _)| d);
        let Some(joined) = normalize(&format!("{dir}/{path}")) else {
            return Some("climbs above the site's root".into());
        };
        resolve_file(&joined, files)
    };
    let target = match files.contains(&target) {
        true => target,
        false => return Some("no such page or file".into()),
    };
    if let Some(fragment) = fragment.filter(|f| !f.is_empty())
        && target.ends_with(".html")
    {
        let decoded = percent_decode(fragment).unwrap_or_else(|| fragment.to_string());
        if !ids.get(&target).is_some_and(|set| set.contains(&decoded)) {
            return Some(format!("no element with id `{decoded}` in {target}"));
        }
    }
    None
}

/// The file serving site path `path` (`a/b/` -> `a/b/index.html`, `a/b` ->
/// `a/b/index.html` when `a/b` is a folder); the caller checks it exists.
fn resolve_file(path: &str, files: &HashSet<String>) -> String {
    let path = percent_decode(path).unwrap_or_else(|| path.to_string());
    if path.is_empty() || path.ends_with('/') {
        return format!("{path}index.html");
    }
    let index = format!("{path}/index.html");
    if !files.contains(&path) && files.contains(&index) {
        index
    } else {
        path
    }
}

/// Resolves `.` and `..` segments; `None` if the path climbs above the root.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let mut joined = parts.join("/");
    if path.ends_with('/') && !joined.is_empty() {
        joined.push('/');
    }
    Some(joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_links_resolve_like_a_static_host() {
        let files: HashSet<String> = ["index.html", "a/index.html", "a/b.html", "style.css"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut ids = HashMap::new();
        ids.insert(
            "a/index.html".to_string(),
            HashSet::from(["top".to_string()]),
        );
        let ok = |href: &str| check_internal("a/index.html", href, "", &files, &ids);
        assert_eq!(ok("/"), None);
        assert_eq!(ok("/a/#top"), None);
        assert_eq!(ok("/a"), None);
        assert_eq!(ok("b.html"), None);
        assert_eq!(ok("../style.css"), None);
        assert_eq!(ok("#top"), None);
        assert!(
            ok("/a/#bottom")
                .unwrap()
                .contains("no element with id `bottom`")
        );
        assert!(ok("/nope/").unwrap().contains("no such page"));
        assert!(ok("../../../etc/passwd").unwrap().contains("climbs above"));
    }
}

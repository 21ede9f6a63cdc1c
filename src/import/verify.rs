//! An import checks itself: the imported site is built into a scratch
//! folder, and every URL the source published is looked up in it. A URL
//! answers when the build has a page, a redirect page or a file there, or
//! a `_redirects` line for it. What the check finds goes in the report.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::OldUrl;
use crate::build::{BuildOptions, build};
use crate::error::Result;
use crate::network::Network;
use crate::web_url::encode_path;

/// What building the imported site found.
#[derive(Debug, Clone, Default)]
pub struct Verification {
    /// Why the imported site does not build (each error), if it does not.
    pub build_errors: Option<String>,
    /// How many old URLs answer.
    pub answering: usize,
    /// The old URLs that do not, each with why.
    pub missing: Vec<(OldUrl, String)>,
}

impl Verification {
    /// How many old URLs were checked.
    pub fn checked(&self) -> usize {
        self.answering + self.missing.len()
    }
}

/// Builds site `site` of the network at `root` into a scratch folder (in
/// the system's temporary folder: a build refuses folders that hold
/// sources) and looks up each of `old_urls` in it; the folder is removed
/// afterwards.
pub fn verify(root: &Path, site: &str, old_urls: &[OldUrl]) -> Result<Verification> {
    let network = Network::load(root)?;
    let scratch =
        std::env::temp_dir().join(format!("grove-import-check-{}-{site}", std::process::id()));
    remove(&scratch)?;
    let options = BuildOptions {
        sites: vec![site.to_string()],
        drafts: false,
        future: false,
        output: Some(scratch.clone()),
        shard: None,
    };
    let mut verification = Verification::default();
    match build(&network, &options) {
        Err(error) => verification.build_errors = Some(error.to_string()),
        Ok(_) => {
            let base_path = network
                .sites
                .iter()
                .find(|s| s.name == site)
                .map(|s| s.base_path.clone())
                .unwrap_or_default();
            let out = scratch.join(site);
            let host_rules = host_redirects(&out);
            let mut seen = HashSet::new();
            for url in old_urls {
                if !seen.insert(url.path.clone()) {
                    continue;
                }
                let path = url
                    .path
                    .strip_prefix(base_path.as_str())
                    .filter(|rest| rest.starts_with('/'))
                    .unwrap_or(&url.path);
                match why_missing(&out, path, &host_rules) {
                    None => verification.answering += 1,
                    Some(why) => {
                        let why = url.expected_missing.clone().unwrap_or(why);
                        verification.missing.push((url.clone(), why));
                    }
                }
            }
        }
    }
    remove(&scratch)?;
    Ok(verification)
}

fn remove(dir: &Path) -> Result<()> {
    match std::fs::remove_dir_all(dir) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(crate::error::Error::io(
            dir,
            "cannot remove the import check's folder",
            error,
        )),
        _ => Ok(()),
    }
}

/// The source paths of `_redirects` in the built site.
fn host_redirects(out: &Path) -> HashSet<String> {
    std::fs::read_to_string(out.join("_redirects"))
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// `None` when `path` answers in the site built at `out`, else why not.
fn why_missing(out: &Path, path: &str, host_rules: &HashSet<String>) -> Option<String> {
    let relative = path.trim_start_matches('/');
    let candidates: Vec<PathBuf> = if relative.is_empty() {
        vec![out.join("index.html")]
    } else if relative.ends_with('/') {
        vec![out.join(relative).join("index.html")]
    } else {
        vec![out.join(relative), out.join(relative).join("index.html")]
    };
    if candidates.iter().any(|c| c.is_file())
        || host_rules.contains(path)
        || host_rules.contains(encode_path(path).as_ref())
    {
        return None;
    }
    let lower = relative.to_lowercase();
    if lower != relative && out.join(&lower).join("index.html").is_file() {
        return Some(format!(
            "the page is at /{lower} (Grove's URLs are lower case); add the old URL as an alias"
        ));
    }
    Some("nothing is published at this URL: no page, alias or file".into())
}

//! The URLs a Zola site published, as Zola makes them (its rules for
//! paths and slugs are Grove's own): each page and section, their
//! aliases, each taxonomy and term, and the feeds the configuration asks
//! for. `grove import` checks that each answers in the imported site.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::content::{language_suffix, same_language, url_path};
use crate::import::OldUrl;
use crate::import::document::string_list;

/// Collects the URLs of a Zola site, one content file at a time.
pub struct ZolaUrls {
    language: String,
    /// Feed file names (`atom.xml`), empty when feeds are off.
    feeds: Vec<String>,
    /// Taxonomies with a feed per term.
    term_feeds: BTreeSet<String>,
    urls: Vec<OldUrl>,
    terms: BTreeMap<String, BTreeSet<String>>,
}

impl ZolaUrls {
    /// For a site with `config` (its config.toml as JSON).
    pub fn new(config: &Map<String, Value>) -> ZolaUrls {
        let language = config
            .get("default_language")
            .and_then(Value::as_str)
            .unwrap_or("en")
            .to_string();
        let on = |key: &str| config.get(key).and_then(Value::as_bool) == Some(true);
        let feeds = if on("generate_feeds") || on("generate_feed") {
            config
                .get("feed_filenames")
                .and_then(string_list)
                .or_else(|| config.get("feed_filename").and_then(string_list))
                .unwrap_or_else(|| vec!["atom.xml".to_string()])
        } else {
            Vec::new()
        };
        let term_feeds = match config.get("taxonomies") {
            Some(Value::Array(items)) => items
                .iter()
                .filter(|t| t.get("feed").and_then(Value::as_bool) == Some(true))
                .filter_map(|t| t.get("name").and_then(Value::as_str).map(str::to_string))
                .collect(),
            _ => BTreeSet::new(),
        };
        let mut urls = vec![OldUrl::new("/", "the home page")];
        for feed in &feeds {
            urls.push(OldUrl::new(feed, "the site's feed"));
        }
        ZolaUrls {
            language,
            feeds,
            term_feeds,
            urls,
            terms: BTreeMap::new(),
        }
    }

    /// Adds the URLs of content file `rel` with front matter `front`.
    pub fn add(&mut self, rel: &str, front: &Map<String, Value>) {
        let draft = front.get("draft").and_then(Value::as_bool) == Some(true);
        let translation = language_suffix(rel).is_some_and(|l| !same_language(l, &self.language));
        if draft || translation {
            return;
        }
        let text = |key: &str| front.get(key).and_then(Value::as_str);
        let url = url_path(rel, text("slug"), text("path").map(|p| p.trim_matches('/')));
        self.urls.push(OldUrl::new(&url, rel));
        let is_section = rel.ends_with("_index.md");
        if is_section && front.get("generate_feeds").and_then(Value::as_bool) == Some(true) {
            for feed in &self.feeds {
                self.urls.push(OldUrl::new(
                    &format!("{url}{feed}"),
                    &format!("the feed of {rel}"),
                ));
            }
        }
        for alias in front
            .get("aliases")
            .and_then(string_list)
            .into_iter()
            .flatten()
        {
            self.urls
                .push(OldUrl::new(&alias, &format!("an alias of {rel}")));
        }
        if let Some(Value::Object(taxonomies)) = front.get("taxonomies") {
            for (name, terms) in taxonomies {
                for term in string_list(terms).into_iter().flatten() {
                    let slug = slug::slugify(&term);
                    if !slug.is_empty() {
                        self.terms.entry(name.clone()).or_default().insert(slug);
                    }
                }
            }
        }
    }

    /// Every URL added, with the taxonomy lists and term pages;
    /// `configured` are the taxonomies grove.toml has (the others' terms
    /// have no pages).
    pub fn finish(mut self, configured: &[String]) -> Vec<OldUrl> {
        for (name, slugs) in &self.terms {
            let unconfigured = !configured.contains(name);
            let why = format!(
                "taxonomy `{name}` is not configured in grove.toml; add it to [network] taxonomies"
            );
            let mark = |url: OldUrl| {
                if unconfigured {
                    url.not_expected(&why)
                } else {
                    url
                }
            };
            self.urls.push(mark(OldUrl::new(
                &format!("/{name}/"),
                &format!("the {name} list"),
            )));
            for slug in slugs {
                let path = format!("/{name}/{slug}/");
                let what = format!("the {name} term {slug}");
                self.urls.push(mark(OldUrl::new(&path, &what)));
                if self.term_feeds.contains(name) {
                    for feed in &self.feeds {
                        self.urls.push(OldUrl::new(
                            &format!("{path}{feed}"),
                            &format!("{what}'s feed"),
                        ));
                    }
                }
            }
        }
        self.urls
    }
}

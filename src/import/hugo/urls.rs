//! The URLs a Hugo site published, worked out from its content and
//! configuration as Hugo does: each page (its `url`, or its path through
//! the permalinks configuration), its aliases, the home page and every
//! section, each taxonomy and term, and the RSS feed (`index.xml`) of each
//! of those lists. `grove import` checks that each answers in the
//! imported site.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::{HugoConfig, get, hugo_page_url, parent};
use crate::content::hugo_urlize;
use crate::import::OldUrl;
use crate::import::document::string_list;

/// One content file as the source has it.
pub struct SourceDoc {
    /// Its path below the content folder, as in the source.
    pub rel: String,
    /// Its path below Grove's `content/`.
    pub out_rel: String,
    /// Its front matter.
    pub front: Map<String, Value>,
    /// Whether Hugo published it (not a draft, expired, headless, a
    /// translation into another language, or dated in the future).
    pub published: bool,
    /// Its aliases, made absolute.
    pub aliases: Vec<String>,
}

/// Every URL the Hugo site of `docs` published; `configured` are the
/// taxonomies grove.toml has (the others' terms have no pages).
pub fn old_urls(docs: &[SourceDoc], config: &HugoConfig, configured: &[String]) -> Vec<OldUrl> {
    let mut urls = vec![
        OldUrl::new("/", "the home page"),
        OldUrl::new("/index.xml", "the home page's feed"),
    ];
    let mut sections: BTreeSet<String> = BTreeSet::new();
    let mut terms: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for doc in docs.iter().filter(|d| d.published) {
        let is_section = doc.out_rel.ends_with("_index.md");
        let dir = if is_section {
            parent(&doc.out_rel)
        } else {
            // A page bundle (`about/index.md`) is a page, in its parent's section.
            crate::content::url_parent_and_name(&doc.out_rel).0
        };
        if is_section {
            if !dir.is_empty() {
                sections.insert(dir.to_string());
            }
        } else {
            // Hugo lists every top-level folder as a section.
            if let Some(top) = dir.split('/').next().filter(|t| !t.is_empty()) {
                sections.insert(top.to_string());
            }
            let url = match get(&doc.front, "url").and_then(Value::as_str) {
                Some(url) => Some(format!("/{}", url.trim_start_matches('/'))),
                None => hugo_page_url(&doc.out_rel, &doc.front, config),
            };
            if let Some(url) = url {
                urls.push(OldUrl::new(&url, &doc.rel));
            }
        }
        for alias in &doc.aliases {
            urls.push(OldUrl::new(alias, &format!("an alias of {}", doc.rel)));
        }
        for taxonomy in &config.taxonomies {
            let named = get(&doc.front, taxonomy).and_then(string_list);
            for term in named.into_iter().flatten() {
                let slug = hugo_urlize(&term);
                if !slug.is_empty() {
                    terms.entry(taxonomy.clone()).or_default().insert(slug);
                }
            }
        }
    }
    for section in &sections {
        let path = format!("/{}/", hugo_urlize(section));
        let what = format!("the section {section}/");
        urls.push(OldUrl::new(&path, &what));
        urls.push(OldUrl::new(
            &format!("{path}index.xml"),
            &format!("{what}'s feed"),
        ));
    }
    for (taxonomy, slugs) in &terms {
        let what = format!("the {taxonomy} list");
        let unconfigured = !configured.contains(taxonomy);
        let why = format!(
            "taxonomy `{taxonomy}` is not configured in grove.toml; add it to [network] taxonomies"
        );
        let list = [
            OldUrl::new(&format!("/{taxonomy}/"), &what),
            OldUrl::new(&format!("/{taxonomy}/index.xml"), &format!("{what}'s feed")),
        ];
        if unconfigured {
            urls.extend(list.into_iter().map(|u| u.not_expected(&why)));
            urls.extend(slugs.iter().flat_map(|slug| {
                let path = format!("/{taxonomy}/{slug}/");
                [
                    OldUrl::new(&path, &format!("the {taxonomy} term {slug}")),
                    OldUrl::new(
                        &format!("{path}index.xml"),
                        &format!("the {taxonomy} term {slug}'s feed"),
                    ),
                ]
                .map(|u| u.not_expected(&why))
            }));
            continue;
        }
        urls.extend(list);
        for slug in slugs {
            let path = format!("/{taxonomy}/{slug}/");
            let what = format!("the {taxonomy} term {slug}");
            let page = OldUrl::new(&path, &what);
            let feed = OldUrl::new(&format!("{path}index.xml"), &format!("{what}'s feed"));
            urls.push(page);
            urls.push(feed);
        }
    }
    urls
}

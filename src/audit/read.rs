//! Reading a site for the audit: each page rendered as for a build (Tera
//! expanded, Markdown rendered, shortcode output marked), checked on its
//! own, and reduced to what the network-wide checks need.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rayon::prelude::*;

use super::checks::{PageText, phrase_findings, thin_findings};
use super::finding::{Code, Finding, PageRef};
use super::images::image_findings;
use super::niche::NicheIndex;
use super::phrases::Phrases;
use super::similarity::{shingles, word_hash};
use super::slash_separated;
use super::text::{for_each_word, page_text};
use crate::build::load_site_with;
use crate::content::{Blueprint, Include, Page};
use crate::error::{Error, Location, Result, collect_all};
use crate::network::{Network, QualitySettings, Site};
use crate::render::Theme;

/// What the audit keeps of one page once it has been read.
pub struct PageFacts {
    /// The page.
    pub page: PageRef,
    /// Its site's index in the network.
    pub site: usize,
    /// Its title.
    pub title: String,
    /// Its description.
    pub description: Option<String>,
    /// Whether search engines may index it (no `noindex`).
    pub indexed: bool,
    /// Whether it takes part in the similarity checks: an indexed page not
    /// listed in `[quality] shared`.
    pub compared: bool,
    /// Its shingles (empty unless `compared`).
    pub shingles: Vec<u64>,
    /// The codes its front matter acknowledges (`audit_allow`).
    pub allow: Vec<Code>,
    /// Its content file.
    pub source: std::path::PathBuf,
    /// The network's niche phrases its title, description or text names
    /// (see [`super::niche`]).
    pub named: Vec<u32>,
    /// Its path below the content folder.
    pub rel: String,
    /// For a refresh draft: the page it is a new version of (below the
    /// content folder), which it is meant to resemble.
    pub refreshes: Option<String>,
}

/// What the checks apply: thresholds and the phrase list.
pub struct Rules<'a> {
    /// The `[quality]` table.
    pub settings: &'a QualitySettings,
    /// Model phrases.
    pub phrases: Phrases,
    /// The network's niche phrases.
    pub niche: NicheIndex,
}

/// One site read: its pages' facts, and the findings about single pages
/// (sections' introductions included).
pub struct SiteRead {
    /// Pages, in content order.
    pub pages: Vec<PageFacts>,
    /// Findings about single pages, not yet filtered by `audit_allow`.
    pub findings: Vec<Finding>,
    /// The products its pages link, by registry slug.
    pub linked: BTreeSet<String>,
}

/// Loads `site` (drafts too, with `drafts`) and checks each page on its own.
pub fn read_site(
    network: &Network,
    (index, site): (usize, &Site),
    blueprint: &Blueprint,
    theme: &Theme,
    drafts: bool,
    rules: &Rules<'_>,
) -> Result<SiteRead> {
    // Scheduled pages are approved and go out by themselves: audit them.
    let include = Include::everything().with(drafts, true);
    let loaded = load_site_with(network, site, blueprint, theme, include, true)?;
    let content = loaded.content;
    let heaviest = content
        .images
        .as_ref()
        .map(|images| images.heaviest())
        .unwrap_or_default();
    let read: Vec<(PageFacts, Vec<Finding>)> = collect_all(
        content
            .pages
            .par_iter()
            .map(|page| read_page(network, index, site, page, rules, &heaviest))
            .collect::<Vec<_>>(),
    )?;
    let linked = content
        .pages
        .iter()
        .flat_map(|page| page.rendered.affiliates.iter().cloned())
        .collect();
    let mut findings = orphan_findings(network, site, &content.pages, &content.sections);
    let mut pages = Vec::with_capacity(read.len());
    for (facts, page_findings) in read {
        findings.extend(page_findings);
        pages.push(facts);
    }
    for section in &content.sections {
        let Some(file) = &section.file else { continue };
        let page = page_ref(network, site, file);
        let prose = page_text(&section.rendered.html, false);
        let text = PageText {
            page: &page,
            source: file,
            prose: &prose,
        };
        findings.extend(phrase_findings(&text, &rules.phrases));
    }
    Ok(SiteRead {
        pages,
        findings,
        linked,
    })
}

/// Published, indexed pages no other page's or section's content links to.
fn orphan_findings(
    network: &Network,
    site: &Site,
    pages: &[Page],
    sections: &[crate::content::Section],
) -> Vec<Finding> {
    let inbound = crate::links::link_graph(site, pages, sections).inbound;
    pages
        .iter()
        .zip(inbound)
        .filter(|(page, inbound)| *inbound == 0 && !page.meta.draft && !page.meta.noindex)
        .map(|(page, _)| {
            Finding::new(
                Code::Orphan,
                &page_ref(network, site, &page.file),
                "no other page links to it, so readers and crawlers reach it only through lists: `grove links` shows pages that mention it".to_string(),
            )
        })
        .collect()
}

fn read_page(
    network: &Network,
    index: usize,
    site: &Site,
    source: &Page,
    rules: &Rules<'_>,
    heaviest: &BTreeMap<(String, String), u64>,
) -> Result<(PageFacts, Vec<Finding>)> {
    let page = page_ref(network, site, &source.file);
    let allow = allowed_codes(source)?;
    let html = &source.rendered.html;
    let prose = page_text(html, false);
    let has_code = html.contains("<code") || html.contains("<pre");
    let full = has_code.then(|| page_text(html, true));
    let mut hashes = Vec::new();
    let words = for_each_word(full.as_deref().unwrap_or(&prose), |word| {
        hashes.push(word_hash(word));
    });
    let mut named = rules.niche.named_in(&prose);
    named.extend(rules.niche.named_in(&source.meta.title));
    if let Some(description) = &source.meta.description {
        named.extend(rules.niche.named_in(description));
    }
    named.sort_unstable();
    named.dedup();
    let indexed = !source.meta.noindex;
    let compared = indexed && !is_shared(&source.rel, &rules.settings.shared);
    let text = PageText {
        page: &page,
        source: &source.file,
        prose: &prose,
    };
    let mut findings = phrase_findings(&text, &rules.phrases);
    if html.contains("<img") {
        let written = std::fs::read_to_string(&source.file)
            .map_err(|e| Error::io(&source.file, "cannot read file", e))?;
        findings.extend(image_findings(
            &page,
            &source.rel,
            &written,
            heaviest,
            network.config.images.max_kb,
        ));
    }
    if compared {
        let affiliate_links = html.matches("data-affiliate=\"").count();
        findings.extend(thin_findings(&page, words, affiliate_links, rules.settings));
    }
    Ok((
        PageFacts {
            site: index,
            title: source.meta.title.clone(),
            description: source.meta.description.clone(),
            indexed,
            compared,
            shingles: if compared {
                shingles(&hashes)
            } else {
                Vec::new()
            },
            allow,
            page,
            source: source.file.clone(),
            named,
            rel: source.rel.clone(),
            refreshes: source
                .meta
                .extra
                .get("generated")
                .and_then(|g| g.get("refreshes"))
                .and_then(|r| r.as_str())
                .map(str::to_string),
        },
        findings,
    ))
}

/// The page's site and its file relative to the network root.
fn page_ref(network: &Network, site: &Site, file: &Path) -> PageRef {
    let relative = file.strip_prefix(&network.root).unwrap_or(file);
    PageRef {
        site: site.name.clone(),
        file: slash_separated(relative),
    }
}

/// Whether content path `rel` is listed in `[quality] shared`: as a file,
/// or below a folder given with a trailing `/`.
fn is_shared(rel: &str, shared: &[String]) -> bool {
    shared.iter().any(|entry| {
        let entry = entry.trim_start_matches('/');
        match entry.strip_suffix('/') {
            Some(folder) => rel.starts_with(&format!("{folder}/")),
            None => rel == entry,
        }
    })
}

/// The page's `audit_allow` codes; an unknown one is an error naming the
/// file, since a typo would silently allow nothing.
fn allowed_codes(page: &Page) -> Result<Vec<Code>> {
    page.meta
        .audit_allow
        .iter()
        .map(|name| {
            Code::parse(name.trim()).ok_or_else(|| Error::FrontMatter {
                location: Location::file(&page.file),
                message: format!(
                    "audit_allow: unknown finding `{name}` (known: {})",
                    Code::ALL.map(Code::as_str).join(", ")
                ),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_paths_are_files_or_folders() {
        let shared = ["privacy.md".to_string(), "/legal/".to_string()];
        assert!(is_shared("privacy.md", &shared));
        assert!(is_shared("legal/terms.md", &shared));
        assert!(!is_shared("legalities.md", &shared));
        assert!(!is_shared("guides/privacy.md", &shared));
    }
}

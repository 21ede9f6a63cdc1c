//! Pages that name another site's niche: its title, niche, audience or a
//! `[vars]` phrase (`espresso grinders` on a trail-running page), or a
//! product another site links and this one does not. A replicated brief
//! or a copied page carries them across; the reader of the other niche
//! sees text that was never meant for them.
//!
//! Phrases of several words only (and product names): a single word such
//! as `winter` says nothing of whose niche it is. Matching is by whole
//! words, ignoring ASCII case, with one Aho-Corasick automaton for the
//! whole network.

use std::collections::{BTreeMap, BTreeSet};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::finding::{Code, Finding};
use super::read::PageFacts;
use super::text::line_of;
use crate::network::Site;

/// Whose a phrase is.
#[derive(Debug, Clone)]
enum Owner {
    /// A site's own phrase: (site index, what of the site says it).
    Site(usize, String),
    /// A product's name, by registry slug.
    Product(String),
}

/// One phrase, as the configuration writes it.
#[derive(Debug, Clone)]
struct Phrase {
    text: String,
    owners: Vec<Owner>,
}

/// The network's niche phrases, found in a text in one pass.
pub struct NicheIndex {
    automaton: Option<AhoCorasick>,
    phrases: Vec<Phrase>,
}

impl NicheIndex {
    /// The phrases of `sites` (by index) and the names of `products`
    /// (slug, name).
    pub fn new(sites: &[&Site], products: &BTreeMap<String, String>) -> NicheIndex {
        let mut by_text: BTreeMap<String, Phrase> = BTreeMap::new();
        let mut add = |text: &str, owner: Owner| {
            let text = text.trim();
            if text.chars().filter(|c| c.is_alphanumeric()).count() < 4 {
                return;
            }
            by_text
                .entry(text.to_lowercase())
                .or_insert_with(|| Phrase {
                    text: text.to_string(),
                    owners: Vec::new(),
                })
                .owners
                .push(owner);
        };
        for (index, site) in sites.iter().enumerate() {
            for (name, value) in site.niche_values() {
                let several_words = value.split_whitespace().count() >= 2;
                if several_words && !products.contains_key(value) {
                    add(value, Owner::Site(index, name));
                }
            }
        }
        for (slug, name) in products {
            add(name, Owner::Product(slug.clone()));
        }
        let phrases: Vec<Phrase> = by_text.into_values().collect();
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(phrases.iter().map(|p| p.text.as_str()))
            .ok();
        NicheIndex { automaton, phrases }
    }

    /// The phrases `text` names as whole words, by index, each once.
    pub fn named_in(&self, text: &str) -> Vec<u32> {
        let Some(automaton) = &self.automaton else {
            return Vec::new();
        };
        let bytes = text.as_bytes();
        let is_word = |at: usize| {
            text[at..]
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric())
        };
        let mut found: BTreeSet<u32> = BTreeSet::new();
        for hit in automaton.find_overlapping_iter(text) {
            let starts_word = hit.start() == 0
                || !text[..hit.start()]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphanumeric);
            let ends_word = hit.end() == bytes.len() || !is_word(hit.end());
            if starts_word && ends_word {
                found.insert(hit.pattern().as_u32());
            }
        }
        found.into_iter().collect()
    }
}

/// What each site has of its own: its phrases (lowercase) and the
/// products it links or names.
pub struct SiteOwn {
    /// The site's niche values, lowercase.
    pub phrases: BTreeSet<String>,
    /// Registry slugs its pages link or its `[vars]` name.
    pub products: BTreeSet<String>,
}

impl SiteOwn {
    /// `site`'s own, with `linked` the products its pages link.
    pub fn new(site: &Site, linked: BTreeSet<String>) -> SiteOwn {
        let mut products = linked;
        products.extend(
            site.config
                .vars
                .values()
                .filter_map(|v| v.as_str().map(str::to_string)),
        );
        SiteOwn {
            phrases: site
                .niche_values()
                .into_iter()
                .map(|(_, value)| value.trim().to_lowercase())
                .collect(),
            products,
        }
    }
}

/// Findings for pages of selected sites that name what is another site's
/// and not their own. `names` are the sites' names by index.
pub fn findings(
    pages: &[PageFacts],
    index: &NicheIndex,
    own: &[SiteOwn],
    names: &[&str],
    is_selected: &[bool],
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for page in pages.iter().filter(|p| is_selected[p.site]) {
        let mine = &own[page.site];
        let mut said: Vec<(String, String)> = Vec::new();
        for &id in &page.named {
            let phrase = &index.phrases[id as usize];
            if mine.phrases.contains(&phrase.text.to_lowercase()) {
                continue;
            }
            let whose = phrase.owners.iter().find_map(|owner| match owner {
                Owner::Site(site, what) if *site != page.site => {
                    Some(format!("the {what} of {}", names[*site]))
                }
                Owner::Product(slug) if !mine.products.contains(slug) => own
                    .iter()
                    .enumerate()
                    .find(|(site, theirs)| *site != page.site && theirs.products.contains(slug))
                    .map(|(site, _)| {
                        format!("a product {} links, which this site does not", names[site])
                    }),
                _ => None,
            });
            if let Some(whose) = whose {
                said.push((phrase.text.clone(), whose));
            }
        }
        if said.is_empty() {
            continue;
        }
        let source = std::fs::read_to_string(&page.source).unwrap_or_default();
        let first: Vec<&str> = said.iter().map(|(text, _)| text.as_str()).collect();
        let list: Vec<String> = said
            .iter()
            .map(|(text, whose)| format!("\"{text}\" ({whose})"))
            .collect();
        findings.push(
            Finding::new(
                Code::OtherNiche,
                &page.page,
                format!(
                    "names {}: text meant for another site of the network? Write it for this site's readers, or acknowledge with audit_allow = [\"other-niche\"]",
                    list.join(", ")
                ),
            )
            .at_line(line_of(&source, &first)),
        );
    }
    findings
}

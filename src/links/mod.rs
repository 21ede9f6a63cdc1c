//! `grove links`: internal links, as Link Whisper and Yoast suggest them.
//! For each page of a site, the pages whose prose names it — a phrase of
//! its title, its `extra.keywords`, or a search query it is found for —
//! outside headings, code and existing links; at most a few new links per
//! page, pages with the fewest links to them first. Orphans (no link
//! from another page's content) and weak pages (fewer than two) are
//! listed; `grove links apply` writes chosen suggestions as `@/` links
//! (see [`apply`]).

pub mod apply;
mod phrases;
mod scan;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use rayon::prelude::*;
use serde::Serialize;

use crate::build::{load_site, load_themes};
use crate::content::{Blueprint, Include, Page, Section};
use crate::day::Day;
use crate::db::Db;
use crate::error::{Result, collect_all};
use crate::html_scan;
use crate::network::{Network, Site};
use crate::search::figures::site_search;
use crate::search::store;
use crate::state;
use phrases::target_phrases;
use scan::{prose, sentence};

/// What `grove links` should do.
#[derive(Debug, Clone)]
pub struct LinksOptions {
    /// Sites to look at; all when empty.
    pub sites: Vec<String>,
    /// New links suggested per page at most.
    pub per_page: usize,
}

/// A link to add.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    /// The site.
    pub site: String,
    /// The page to add it in (URL path).
    pub from: String,
    /// The page it links to (URL path).
    pub to: String,
    /// The words that become the link, as written.
    pub anchor: String,
    /// The sentence they are in.
    pub sentence: String,
    /// The file to add it in, relative to the network root.
    pub file: String,
    /// Its line.
    pub line: usize,
    /// The linked page's file below the content folder (the `@/` link).
    pub target: String,
    /// Byte range of the anchor in the file.
    #[serde(skip)]
    pub range: Range<usize>,
}

/// A page few other pages link to.
#[derive(Debug, Clone, Serialize)]
pub struct Linked {
    /// The site.
    pub site: String,
    /// The page (URL path).
    pub page: String,
    /// Its file, relative to the network root.
    pub file: String,
    /// Links to it from other pages' content.
    pub inbound: usize,
}

/// What `grove links` found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LinkReport {
    /// Links to add, by site, target, then source.
    pub suggestions: Vec<Suggestion>,
    /// Pages no other page's content links to.
    pub orphans: Vec<Linked>,
    /// Pages one other page links to.
    pub weak: Vec<Linked>,
}

/// Finds link suggestions, orphans and weak pages of the selected sites.
pub fn links(network: &Network, options: &LinksOptions) -> Result<LinkReport> {
    let sites = network.select(&options.sites, None)?;
    let blueprint = Blueprint::load(&network.root.join("content"))?;
    let themes = load_themes(network, &sites)?;
    let queries = search_queries(network, &sites)?;
    let reports = collect_all(
        sites
            .par_iter()
            .map(|site| {
                let theme = &themes[site.theme(&network.config)];
                let loaded = load_site(network, site, &blueprint, theme, Include::published())?;
                let no_queries = HashMap::new();
                Ok(site_links(
                    network,
                    site,
                    &loaded.content.pages,
                    &loaded.content.sections,
                    queries.get(&site.name).unwrap_or(&no_queries),
                    options.per_page,
                ))
            })
            .collect::<Vec<_>>(),
    )?;
    let mut report = LinkReport::default();
    for site in reports {
        report.suggestions.extend(site.suggestions);
        report.orphans.extend(site.orphans);
        report.weak.extend(site.weak);
    }
    Ok(report)
}

/// Each site's pages' top search queries (last 90 days of search data).
fn search_queries(
    network: &Network,
    sites: &[&Site],
) -> Result<HashMap<String, HashMap<String, Vec<String>>>> {
    let mut all = HashMap::new();
    let Some(mut db) = Db::open_existing(&state::dir(&network.root))? else {
        return Ok(all);
    };
    for site in sites {
        let names = [site.name.clone()];
        let Some((_, last)) = store::range(db.conn(), &names).map_err(|e| db.error(&e))? else {
            continue;
        };
        let search = site_search(db.conn(), &site.name, Day(last.0 - 89), last, 5)
            .map_err(|e| db.error(&e))?;
        let pages = search
            .pages
            .into_iter()
            .map(|(page, s)| (page, s.queries.into_iter().map(|(q, _)| q).collect()))
            .collect();
        all.insert(site.name.clone(), pages);
    }
    Ok(all)
}

fn site_links(
    network: &Network,
    site: &Site,
    pages: &[Page],
    sections: &[Section],
    queries: &HashMap<String, Vec<String>>,
    per_page: usize,
) -> LinkReport {
    let LinkGraph { outbound, inbound } = link_graph(site, pages, sections);
    // Every target's phrases, in one automaton.
    let mut patterns: Vec<String> = Vec::new();
    let mut owner: Vec<usize> = Vec::new();
    for (i, page) in pages.iter().enumerate() {
        let extra_keywords: Vec<String> = page
            .meta
            .extra
            .get("keywords")
            .and_then(|k| k.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let searched = queries.get(&page.path).map_or(&[][..], Vec::as_slice);
        for phrase in target_phrases(&page.meta.title, &extra_keywords, searched) {
            patterns.push(phrase);
            owner.push(i);
        }
    }
    // Patterns are lowercase and so is the text searched (ASCII
    // lowercasing keeps every byte where it was): cheaper than a
    // case-insensitive automaton.
    let automaton = AhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostLongest)
        .build(&patterns)
        .ok();
    let relative = |page: &Page| {
        page.file
            .strip_prefix(&network.root)
            .unwrap_or(&page.file)
            .to_string_lossy()
            .replace('\\', "/")
    };
    let mut report = LinkReport::default();
    if let Some(automaton) = &automaton {
        for (i, page) in pages.iter().enumerate() {
            let found =
                suggestions_in(page, i, &outbound[i], &inbound, automaton, &owner, per_page);
            for mention in found {
                report.suggestions.push(Suggestion {
                    site: site.name.clone(),
                    from: page.path.clone(),
                    to: pages[mention.target].path.clone(),
                    anchor: mention.anchor,
                    sentence: mention.sentence,
                    file: relative(page),
                    line: mention.line,
                    target: pages[mention.target].rel.clone(),
                    range: mention.at,
                });
            }
        }
    }
    report
        .suggestions
        .sort_by(|a, b| (&a.to, &a.from, a.line).cmp(&(&b.to, &b.from, b.line)));
    for (i, page) in pages.iter().enumerate() {
        let linked = Linked {
            site: site.name.clone(),
            page: page.path.clone(),
            file: relative(page),
            inbound: inbound[i],
        };
        match inbound[i] {
            0 => report.orphans.push(linked),
            1 => report.weak.push(linked),
            _ => {}
        }
    }
    report
}

/// Links between a site's pages, from the rendered content of its pages
/// and sections (a section's introduction linking a page counts; menus
/// and lists made by templates do not).
pub struct LinkGraph {
    /// For each page, the other pages its content links to (by index).
    pub outbound: Vec<HashSet<usize>>,
    /// For each page, how many other pages and sections link to it.
    pub inbound: Vec<usize>,
}

/// The link graph of a site's `pages` and `sections`.
pub fn link_graph(site: &Site, pages: &[Page], sections: &[Section]) -> LinkGraph {
    let by_path: HashMap<&str, usize> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.path.as_str(), i))
        .collect();
    let targets = |html: &str| -> HashSet<usize> {
        html_scan::tags(html)
            .filter(|tag| tag.name.eq_ignore_ascii_case("a"))
            .filter_map(|tag| tag.attribute("href"))
            .filter_map(|href| internal_path(site, href))
            .filter_map(|path| by_path.get(path.as_str()).copied())
            .collect()
    };
    let outbound: Vec<HashSet<usize>> = pages
        .iter()
        .enumerate()
        .map(|(i, page)| {
            let mut linked = targets(&page.rendered.html);
            linked.remove(&i);
            linked
        })
        .collect();
    let mut inbound = vec![0usize; pages.len()];
    let from_sections = sections
        .iter()
        .map(|section| targets(&section.rendered.html));
    for linked in outbound.iter().cloned().chain(from_sections) {
        for t in linked {
            inbound[t] += 1;
        }
    }
    LinkGraph { outbound, inbound }
}

/// Where a page's prose names another page.
struct Mention {
    /// The page named (its index).
    target: usize,
    /// The naming words' bytes in the file.
    at: Range<usize>,
    /// The paragraph they are in.
    block: Range<usize>,
    /// Their line.
    line: usize,
    /// The words, as written.
    anchor: String,
    /// The sentence they are in.
    sentence: String,
}

/// The links to add in `page` (number `index`): one per page it names
/// and does not link yet, the pages with the fewest links first, at most
/// `per_page`.
fn suggestions_in(
    page: &Page,
    index: usize,
    links_now: &HashSet<usize>,
    inbound: &[usize],
    automaton: &AhoCorasick,
    owner: &[usize],
    per_page: usize,
) -> Vec<Mention> {
    let Ok(text) = std::fs::read_to_string(&page.file) else {
        return Vec::new();
    };
    let body_at = crate::content::front_matter::body_offset(&text);
    let lowered = text.to_ascii_lowercase();
    let mut first: BTreeMap<usize, Mention> = BTreeMap::new();
    for piece in prose(&text, body_at) {
        let segment = &text[piece.range.clone()];
        for found in automaton.find_iter(&lowered[piece.range.clone()]) {
            let target = owner[found.pattern().as_usize()];
            if target == index || links_now.contains(&target) || first.contains_key(&target) {
                continue;
            }
            let (start, end) = (found.start(), found.end());
            let bounded = !segment[..start]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
                && !segment[end..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphanumeric);
            if bounded {
                first.insert(
                    target,
                    Mention {
                        target,
                        at: piece.range.start + start..piece.range.start + end,
                        block: piece.block.clone(),
                        line: 0,
                        anchor: String::new(),
                        sentence: String::new(),
                    },
                );
            }
        }
    }
    let mut chosen: Vec<Mention> = first.into_values().collect();
    chosen.sort_by(|a, b| {
        inbound[a.target]
            .cmp(&inbound[b.target])
            .then(b.at.len().cmp(&a.at.len()))
            .then(a.at.start.cmp(&b.at.start))
    });
    chosen.truncate(per_page);
    for mention in &mut chosen {
        mention.line = text[..mention.at.start].matches('\n').count() + 1;
        mention.anchor = text[mention.at.clone()].to_string();
        mention.sentence = sentence(&text, &mention.block, mention.at.clone());
    }
    chosen
}

/// The path below the site's base path an `href` of its content links to
/// (`/guides/a/#x` -> `/guides/a/`), or `None` for another site.
fn internal_path(site: &Site, href: &str) -> Option<String> {
    let href = href.split(['#', '?']).next()?;
    let path = if let Some(rest) = href.strip_prefix(site.base_url.trim_end_matches('/')) {
        rest
    } else if href.starts_with('/') && !href.starts_with("//") {
        href
    } else {
        return None;
    };
    let path = path.strip_prefix(site.base_path.as_str()).unwrap_or(path);
    let path = if path.is_empty() { "/" } else { path };
    let decoded = html_scan::percent_decode(path).unwrap_or_else(|| path.to_string());
    Some(if decoded.ends_with('/') || decoded.contains('.') {
        decoded
    } else {
        format!("{decoded}/")
    })
}

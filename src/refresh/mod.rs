//! `grove refresh`: pages whose search clicks (Search Console) or views
//! (access logs) fell, proposed for a refresh. A proposal is a brief in
//! the site's `briefs.toml` with `kind = "refresh"`, `status =
//! "proposed"`, the page's queries, its headings and what fell; accepted
//! and drafted, it becomes a draft beside the live page
//! (`page.refresh.md`), which `grove approve` swaps in (see
//! [`crate::draft::refresh`]). Nothing changes a live page before that.

pub mod decay;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use rusqlite::params;
use serde::Serialize;

use crate::build::published_pages;
use crate::day::Day;
use crate::db::{DaySeries, Db};
use crate::draft::brief::{BRIEFS_FILE, PROPOSED, REFRESH_KIND};
use crate::draft::briefs_file::{BriefText, append};
use crate::error::{Error, Result};
use crate::network::{Network, Site};
use crate::search::figures::{page_clicks_by_day, site_search};
use crate::state;
use decay::{Decay, WINDOW, decay};

/// What `grove refresh` should do.
#[derive(Debug, Clone)]
pub struct RefreshOptions {
    /// Sites to look at; all when empty.
    pub sites: Vec<String>,
    /// The share traffic must have fallen by (0.3 = 30%).
    pub share: f64,
    /// The least clicks or views the period compared with must have had.
    pub min: u64,
    /// The last day compared (default: the site's last day with data).
    pub until: Option<Day>,
}

/// A page proposed for a refresh.
#[derive(Debug, Clone, Serialize)]
pub struct Proposal {
    /// Its site.
    pub site: String,
    /// Its URL path.
    pub page: String,
    /// Its content file, relative to the network root.
    pub file: String,
    /// Its title.
    pub title: String,
    /// What fell, in words.
    pub reason: String,
    /// `search clicks` or `views`.
    pub measure: &'static str,
    /// Last 28 days, the 28 before, the best 28.
    pub last: u64,
    /// The 28 days before the last 28.
    pub previous: u64,
    /// The best 28 days.
    pub best: u64,
    /// The searches it is found for, most impressions first.
    pub queries: Vec<String>,
    /// Its headings now.
    pub headings: Vec<String>,
    /// Its words now (the refresh aims at about as many, 600 to 4,000).
    pub words: usize,
    /// The slug of its refresh brief.
    pub slug: String,
    /// Whether the site's briefs already have it (not proposed again).
    pub already_proposed: bool,
}

/// Queries a proposal carries.
const QUERIES: usize = 10;

/// The pages of the selected sites whose traffic decayed.
pub fn find(network: &Network, options: &RefreshOptions) -> Result<Vec<Proposal>> {
    let sites = network.select(&options.sites, None)?;
    let state = state::dir(&network.root);
    let Some(mut db) = Db::open_existing(&state)? else {
        return Ok(Vec::new());
    };
    let published = published_pages(network, &sites)?;
    let mut proposals = Vec::new();
    for site in sites {
        let pages = published.get(&site.name).map_or(&[][..], Vec::as_slice);
        let Some(end) = options.until.or(last_day(&mut db, &site.name)?) else {
            continue;
        };
        let from = end.plus(-364);
        let clicks =
            page_clicks_by_day(db.conn(), &site.name, from, end).map_err(|e| db.error(&e))?;
        let views = page_views_by_day(&mut db, &site.name, from, end)?;
        let search = site_search(
            db.conn(),
            &site.name,
            end.plus(1 - 2 * WINDOW),
            end,
            QUERIES,
        )
        .map_err(|e| db.error(&e))?;
        let existing = existing_slugs(site)?;
        for published in pages {
            let (page, file) = (&published.path, &published.file);
            let found = [
                ("search clicks", clicks.get(page)),
                ("views", views.get(page)),
            ]
            .into_iter()
            .find_map(|(measure, counts)| {
                decay(counts?, end, options.share, options.min).map(|d| (measure, d))
            });
            let Some((measure, found)) = found else {
                continue;
            };
            let slug = refresh_slug(file);
            let (headings, words) = headings_and_words(&network.root.join(file))?;
            proposals.push(Proposal {
                site: site.name.clone(),
                page: page.clone(),
                file: file.clone(),
                title: published.title.clone(),
                reason: reason(measure, &found, end),
                measure,
                last: found.last,
                previous: found.previous,
                best: found.best,
                queries: search
                    .pages
                    .get(page)
                    .map(|p| p.queries.iter().map(|(q, _)| q.clone()).collect())
                    .unwrap_or_default(),
                headings,
                words,
                already_proposed: existing.contains(&slug),
                slug,
            });
        }
    }
    proposals.sort_by(|a, b| {
        (a.site.as_str(), b.previous.max(b.best) - b.last)
            .cmp(&(b.site.as_str(), a.previous.max(a.best) - a.last))
            .then(a.page.cmp(&b.page))
    });
    Ok(proposals)
}

/// Adds the proposals not proposed yet to their sites' `briefs.toml` as
/// proposed refresh briefs; returns how many were added.
pub fn propose(network: &Network, proposals: &[Proposal]) -> Result<usize> {
    let mut by_site: BTreeMap<&str, Vec<&Proposal>> = BTreeMap::new();
    for p in proposals.iter().filter(|p| !p.already_proposed) {
        by_site.entry(&p.site).or_default().push(p);
    }
    let mut added = 0;
    for (name, list) in by_site {
        let site = network
            .sites
            .iter()
            .find(|s| s.name == name)
            .expect("proposals name the network's sites");
        let mut text = "\n# Proposed by `grove refresh`: pages whose traffic fell. Accept with\n# `grove refresh accept SLUG` (then `grove draft` writes the new version beside\n# the page, and `grove approve` swaps it in), reject with `grove refresh reject SLUG`.\n".to_string();
        for p in &list {
            let rel = content_rel(network, site, &p.file);
            let (section, _) = rel.rsplit_once('/').unwrap_or(("", &rel));
            text.push_str(
                &BriefText::new()
                    .string("slug", &p.slug)
                    .string("title", &literal(&p.title))
                    .string("section", section)
                    .string("kind", REFRESH_KIND)
                    .string("status", PROPOSED)
                    .string("refresh", &rel)
                    .number("target_words", (p.words as u32).clamp(600, 4000))
                    .list(
                        "keywords",
                        &p.queries.iter().map(|q| literal(q)).collect::<Vec<_>>(),
                    )
                    .list(
                        "structure",
                        &p.headings.iter().map(|h| literal(h)).collect::<Vec<_>>(),
                    )
                    .string("notes", &p.reason)
                    .finish(),
            );
            added += 1;
        }
        append(&site.dir.join(BRIEFS_FILE), &text)?;
    }
    Ok(added)
}

/// `text` as a brief field, which is a Tera template: as it is, or in a
/// raw block when it holds template syntax (a query or heading can).
fn literal(text: &str) -> String {
    if text.contains("{{") || text.contains("{%") || text.contains("{#") {
        format!("{{% raw %}}{text}{{% endraw %}}")
    } else {
        text.to_string()
    }
}

/// The slug of a page's refresh brief: its file's stem and `-refresh`.
fn refresh_slug(file: &str) -> String {
    let name = file.rsplit('/').next().unwrap_or(file);
    let stem = name.strip_suffix(".md").unwrap_or(name);
    let stem = if stem == "index" {
        file.rsplit('/').nth(1).unwrap_or("index")
    } else {
        stem
    };
    format!("{}-refresh", slug::slugify(stem))
}

/// A page file's path below its content folder (the site's or the
/// blueprint's).
fn content_rel(network: &Network, site: &Site, file: &str) -> String {
    let path = network.root.join(file);
    let site_content = site.dir.join("content");
    let blueprint = network.root.join("content");
    path.strip_prefix(&site_content)
        .or_else(|_| path.strip_prefix(&blueprint))
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_else(|_| file.to_string())
}

fn reason(measure: &str, d: &Decay, end: Day) -> String {
    let mut parts = Vec::new();
    if d.previous > 0 && d.against_previous > 0.0 {
        parts.push(format!(
            "{measure} fell {:.0}% in the 28 days to {end} against the 28 before ({} to {})",
            d.against_previous * 100.0,
            d.previous,
            d.last
        ));
    }
    if d.best > d.previous && d.against_best > 0.0 {
        parts.push(format!(
            "{:.0}% below its best 28 days, to {} ({})",
            d.against_best * 100.0,
            d.best_end,
            d.best
        ));
    }
    parts.join("; ")
}

/// The last day with search figures or views of `site`.
fn last_day(db: &mut Db, site: &str) -> Result<Option<Day>> {
    let found = db.conn().query_row(
        "SELECT max(day) FROM (SELECT max(day) AS day FROM search_days WHERE site = ?1
                               UNION ALL SELECT max(day) FROM site_days WHERE site = ?1)",
        [site],
        |r| r.get::<_, Option<i32>>(0),
    );
    Ok(found.map_err(|e| db.error(&e))?.map(Day))
}

/// Views per page and day of `site` on days `from..=to`.
fn page_views_by_day(
    db: &mut Db,
    site: &str,
    from: Day,
    to: Day,
) -> Result<BTreeMap<String, BTreeMap<Day, u64>>> {
    let (first_year, _) = from.year_and_ordinal();
    let (last_year, _) = to.year_and_ordinal();
    let result = (|| -> rusqlite::Result<BTreeMap<String, BTreeMap<Day, u64>>> {
        let mut statement = db.conn().prepare_cached(
            "SELECT key, year, days FROM series WHERE site = ?1 AND kind = 'view' AND year BETWEEN ?2 AND ?3",
        )?;
        let mut pages: BTreeMap<String, BTreeMap<Day, u64>> = BTreeMap::new();
        let mut rows = statement.query(params![site, first_year, last_year])?;
        while let Some(row) = rows.next()? {
            let year: i32 = row.get(1)?;
            let series = DaySeries::decode(row.get_ref(2)?.as_blob()?);
            let days = pages.entry(row.get(0)?).or_default();
            for &(ordinal, count) in series.days() {
                let day = Day::from_year_and_ordinal(year, ordinal);
                if (from..=to).contains(&day) {
                    *days.entry(day).or_default() += count;
                }
            }
        }
        Ok(pages)
    })();
    result.map_err(|e| db.error(&e))
}

/// The slugs of the briefs in `site`'s `briefs.toml`.
fn existing_slugs(site: &Site) -> Result<HashSet<String>> {
    #[derive(serde::Deserialize)]
    struct Slugs {
        #[serde(default)]
        brief: Vec<Slug>,
    }
    #[derive(serde::Deserialize)]
    struct Slug {
        slug: String,
    }
    let path = site.dir.join(BRIEFS_FILE);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(HashSet::new());
    };
    let parsed: Slugs = crate::network::parse_toml(&path, &text)?;
    Ok(parsed.brief.into_iter().map(|b| b.slug).collect())
}

/// The headings (outside code fences) and the word count of the Markdown
/// file at `path`, read once.
fn headings_and_words(path: &Path) -> Result<(Vec<String>, usize)> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, "cannot read file", e))?;
    let body = &text[crate::content::front_matter::body_offset(&text)..];
    let mut fenced = false;
    let mut found = Vec::new();
    for line in body.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fenced = !fenced;
        } else if !fenced
            && let Some(rest) = trimmed
                .strip_prefix("## ")
                .or_else(|| trimmed.strip_prefix("### "))
        {
            found.push(rest.trim().trim_end_matches('#').trim().to_string());
        }
    }
    Ok((found, body.split_whitespace().count()))
}

//! The report's search figures: per site and page, impressions, clicks,
//! CTR, average position and top queries from the imported search data
//! (see [`crate::search`]), and the opportunities they show, as Search
//! Console's reports and Ahrefs' "Top pages" point them out:
//!
//! - **striking distance**: queries at positions 5 to 20 with
//!   impressions, where a better page or a few links move a query onto
//!   the first screen;
//! - **low CTR**: pages shown often whose click-through is under half of
//!   what their position usually gets (their title and description are
//!   worth rewriting);
//! - **untargeted queries**: queries people find the site for whose words
//!   no page's title or URL has (a page worth writing).

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

use super::{DayRange, PageRow, Period, SiteReport, round};
use crate::db::Db;
use crate::error::Result;
use crate::search::figures::{SiteSearch, site_search};
use crate::search::{Metrics, store};
use crate::words::significant_words;

/// Queries listed per page.
const QUERIES_PER_PAGE: usize = 10;
/// Queries listed per site.
const QUERIES_PER_SITE: usize = 25;
/// Entries per kind of opportunity.
const OPPORTUNITIES: usize = 20;
/// Impressions a query needs to be an opportunity.
const MIN_QUERY_IMPRESSIONS: u64 = 10;
/// Impressions a page needs to count as shown often.
const MIN_PAGE_IMPRESSIONS: u64 = 100;

/// Search figures: impressions, clicks, CTR and average position.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SearchFigures(pub Metrics);

impl Serialize for SearchFigures {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("SearchFigures", 4)?;
        s.serialize_field("impressions", &self.0.impressions)?;
        s.serialize_field("clicks", &self.0.clicks)?;
        s.serialize_field("ctr", &self.0.ctr().map(|v| round(v, 4)))?;
        s.serialize_field("position", &self.0.position().map(|v| round(v, 2)))?;
        s.end()
    }
}

/// A query's figures.
#[derive(Debug, Clone, Serialize)]
pub struct QueryRow {
    /// The query.
    pub query: String,
    /// Its figures.
    #[serde(flatten)]
    pub figures: SearchFigures,
}

/// A page's search figures and top queries.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PageSearchRow {
    /// Its figures.
    #[serde(flatten)]
    pub figures: SearchFigures,
    /// Its queries, most impressions first.
    pub queries: Vec<QueryRow>,
}

/// A query at positions 5 to 20.
#[derive(Debug, Clone, Serialize)]
pub struct StrikingQuery {
    /// The query.
    pub query: String,
    /// The page shown most for it, when page × query data says.
    pub page: Option<String>,
    /// Its figures.
    #[serde(flatten)]
    pub figures: SearchFigures,
}

/// A page shown often, clicked little for its position.
#[derive(Debug, Clone, Serialize)]
pub struct LowCtrPage {
    /// Its path.
    pub page: String,
    /// Its title, from the last build.
    pub title: Option<String>,
    /// Its figures.
    #[serde(flatten)]
    pub figures: SearchFigures,
    /// The click-through its position usually gets.
    pub expected_ctr: f64,
    /// Clicks it would have had at that click-through.
    pub missed_clicks: u64,
}

/// What the search figures suggest doing.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Opportunities {
    /// Queries at positions 5 to 20, most impressions first.
    pub striking_distance: Vec<StrikingQuery>,
    /// Pages to give a better title and description, most missed clicks
    /// first.
    pub low_ctr_pages: Vec<LowCtrPage>,
    /// Queries no page's title or URL has the words of.
    pub untargeted_queries: Vec<QueryRow>,
}

/// The click-through a result at `position` usually gets (rounded
/// averages of published click-through studies of Google's results).
pub fn expected_ctr(position: f64) -> f64 {
    const CURVE: [f64; 10] = [0.28, 0.15, 0.10, 0.07, 0.05, 0.04, 0.03, 0.025, 0.02, 0.018];
    let rank = position.round().max(1.0) as usize;
    match rank {
        1..=10 => CURVE[rank - 1],
        11..=20 => 0.01,
        _ => 0.005,
    }
}

/// The first and last day with search figures of any of `sites`.
pub fn search_range(db: &mut Db, sites: &[String]) -> Result<Option<DayRange>> {
    let range = store::range(db.conn(), sites).map_err(|e| db.error(&e))?;
    Ok(range.map(|(first, last)| DayRange { first, last }))
}

/// Adds `report`'s site's search figures in `period`: totals, pages
/// (pages with search figures and no views are added), queries and
/// opportunities; `titles` are the site's page titles by path. Returns
/// whether some of the period's figures are estimates: spread from an
/// export's totals over a period the report's covers only part of.
pub fn add_search(
    db: &mut Db,
    report: &mut SiteReport,
    period: Period,
    titles: Option<&BTreeMap<String, String>>,
) -> Result<bool> {
    let search = site_search(
        db.conn(),
        &report.site,
        period.since,
        period.until,
        QUERIES_PER_PAGE,
    )
    .map_err(|e| db.error(&e))?;
    report.totals.search = SearchFigures(search.totals);
    let mut rows: BTreeMap<String, PageRow> = std::mem::take(&mut report.pages)
        .into_iter()
        .map(|p| (p.path.clone(), p))
        .collect();
    for (path, page) in &search.pages {
        let row = rows
            .entry(path.clone())
            .or_insert_with(|| PageRow::empty(path.clone()));
        row.search = PageSearchRow {
            figures: SearchFigures(page.metrics),
            queries: page
                .queries
                .iter()
                .map(|(query, m)| QueryRow {
                    query: query.clone(),
                    figures: SearchFigures(*m),
                })
                .collect(),
        };
    }
    report.pages = rows.into_values().collect();
    report.pages.sort_by(|a, b| {
        b.views
            .cmp(&a.views)
            .then(b.search.figures.0.clicks.cmp(&a.search.figures.0.clicks))
            .then(
                b.search
                    .figures
                    .0
                    .impressions
                    .cmp(&a.search.figures.0.impressions),
            )
            .then(b.clicks.cmp(&a.clicks))
            .then(a.path.cmp(&b.path))
    });
    report.search_queries = search
        .queries
        .iter()
        .take(QUERIES_PER_SITE)
        .map(|(query, m)| QueryRow {
            query: query.clone(),
            figures: SearchFigures(*m),
        })
        .collect();
    report.opportunities = opportunities(&search, titles);
    if search.spread_days == 0 {
        return Ok(false);
    }
    let spread = store::spread_periods(db.conn(), &report.site).map_err(|e| db.error(&e))?;
    Ok(spread.iter().any(|&(first, last)| {
        let overlaps = first <= period.until && period.since <= last;
        let inside = period.since <= first && last <= period.until;
        overlaps && !inside
    }))
}

fn opportunities(search: &SiteSearch, titles: Option<&BTreeMap<String, String>>) -> Opportunities {
    // The page shown most for each query, from page × query rows.
    let mut best_page: BTreeMap<&str, (&str, u64)> = BTreeMap::new();
    for (path, page) in &search.pages {
        for (query, m) in &page.queries {
            let best = best_page.entry(query).or_insert((path, 0));
            if m.impressions > best.1 {
                *best = (path, m.impressions);
            }
        }
    }
    let striking_distance = search
        .queries
        .iter()
        .filter(|(_, m)| {
            m.impressions >= MIN_QUERY_IMPRESSIONS
                && m.position().is_some_and(|p| (5.0..=20.0).contains(&p))
        })
        .take(OPPORTUNITIES)
        .map(|(query, m)| StrikingQuery {
            query: query.clone(),
            page: best_page.get(query.as_str()).map(|(p, _)| p.to_string()),
            figures: SearchFigures(*m),
        })
        .collect();
    let mut low_ctr_pages: Vec<LowCtrPage> = search
        .pages
        .iter()
        .filter_map(|(path, page)| {
            let m = page.metrics;
            let position = m.position()?;
            let expected = expected_ctr(position);
            let ctr = m.ctr()?;
            (m.impressions >= MIN_PAGE_IMPRESSIONS && position <= 20.0 && ctr < expected / 2.0)
                .then(|| LowCtrPage {
                    page: path.clone(),
                    title: titles.and_then(|t| t.get(path)).cloned(),
                    figures: SearchFigures(m),
                    expected_ctr: expected,
                    missed_clicks: ((m.impressions as f64 * expected) - m.clicks as f64)
                        .max(0.0)
                        .round() as u64,
                })
        })
        .collect();
    low_ctr_pages.sort_by(|a, b| {
        b.missed_clicks
            .cmp(&a.missed_clicks)
            .then(a.page.cmp(&b.page))
    });
    low_ctr_pages.truncate(OPPORTUNITIES);
    let page_words: Vec<_> = match titles {
        Some(titles) => titles
            .iter()
            .map(|(path, title)| {
                let mut words = significant_words(title);
                words.extend(significant_words(&path.replace(['-', '_', '/'], " ")));
                words
            })
            .collect(),
        None => search
            .pages
            .keys()
            .map(|path| significant_words(&path.replace(['-', '_', '/'], " ")))
            .collect(),
    };
    let untargeted_queries = search
        .queries
        .iter()
        .filter(|(query, m)| {
            let words = significant_words(query);
            m.impressions >= MIN_QUERY_IMPRESSIONS
                && !words.is_empty()
                && !page_words.iter().any(|page| words.is_subset(page))
        })
        .take(OPPORTUNITIES)
        .map(|(query, m)| QueryRow {
            query: query.clone(),
            figures: SearchFigures(*m),
        })
        .collect();
    Opportunities {
        striking_distance,
        low_ctr_pages,
        untargeted_queries,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_click_through_falls_with_position() {
        assert_eq!(expected_ctr(1.2), 0.28);
        assert_eq!(expected_ctr(0.0), 0.28);
        assert!(expected_ctr(5.0) > expected_ctr(9.6));
        assert_eq!(expected_ctr(14.0), 0.01);
        assert_eq!(expected_ctr(57.0), 0.005);
    }

    #[test]
    fn figures_serialize_with_ratios() {
        let json = serde_json::to_value(SearchFigures(Metrics::new(3, 200, 7.456))).unwrap();
        assert_eq!(json["ctr"], 0.015);
        assert_eq!(json["position"], 7.46);
        let json = serde_json::to_value(SearchFigures::default()).unwrap();
        assert!(json["ctr"].is_null());
    }
}

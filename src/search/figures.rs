//! Reading search figures back: a site's totals, its pages and their
//! queries, and its queries, over a period, from whichever grain a day
//! has (the exact page figures where the day has them, else the page ×
//! query rows summed, which leave out anonymized queries).

use std::collections::{BTreeMap, HashMap};

use rusqlite::Connection;

use super::store::{self, StoredDay, term_texts};
use super::{Engine, Grain, Metrics};
use crate::day::Day;

/// A site's search figures over a period.
#[derive(Debug, Clone, Default)]
pub struct SiteSearch {
    /// The site's totals.
    pub totals: Metrics,
    /// Per page path.
    pub pages: BTreeMap<String, PageSearch>,
    /// Queries for the whole site, most impressions first.
    pub queries: Vec<(String, Metrics)>,
    /// Days of the period with figures.
    pub days: u32,
    /// Of those, days whose figures were spread from an export's totals
    /// over a longer period (estimates unless the period is the export's).
    pub spread_days: u32,
}

/// A page's search figures.
#[derive(Debug, Clone, Default)]
pub struct PageSearch {
    /// Its totals.
    pub metrics: Metrics,
    /// Its queries, most impressions first.
    pub queries: Vec<(String, Metrics)>,
}

/// One day's rows of every grain, for one engine.
#[derive(Default)]
struct DayRows {
    grains: [Option<StoredDay>; 4],
}

fn grain_index(grain: Grain) -> usize {
    Grain::ALL.iter().position(|g| *g == grain).expect("listed")
}

/// Every stored day of `site` on days `from..=to`, by day and engine.
fn day_rows(
    conn: &Connection,
    site: &str,
    from: Day,
    to: Day,
) -> rusqlite::Result<BTreeMap<(Day, Engine), DayRows>> {
    let mut days: BTreeMap<(Day, Engine), DayRows> = BTreeMap::new();
    for grain in Grain::ALL {
        for stored in store::read_days(conn, site, grain, from, to)? {
            let key = (stored.day, stored.engine);
            days.entry(key).or_default().grains[grain_index(grain)] = Some(stored);
        }
    }
    Ok(days)
}

impl DayRows {
    fn grain(&self, grain: Grain) -> Option<&StoredDay> {
        self.grains[grain_index(grain)].as_ref()
    }

    fn spread(&self) -> bool {
        self.grains.iter().flatten().any(|d| d.spread)
    }

    /// Page id -> figures: the page rows, else page × query rows summed.
    fn pages(&self) -> HashMap<u32, Metrics> {
        let mut pages: HashMap<u32, Metrics> = HashMap::new();
        let source = self
            .grain(Grain::Page)
            .or_else(|| self.grain(Grain::PageQuery));
        for entry in source.map_or(&[][..], |d| &d.entries) {
            pages.entry(entry.page).or_default().add(&entry.metrics());
        }
        pages
    }

    /// Query id -> figures: the query rows, else page × query rows summed.
    fn queries(&self) -> HashMap<u32, Metrics> {
        let mut queries: HashMap<u32, Metrics> = HashMap::new();
        let source = self
            .grain(Grain::Query)
            .or_else(|| self.grain(Grain::PageQuery));
        for entry in source.map_or(&[][..], |d| &d.entries) {
            queries
                .entry(entry.query)
                .or_default()
                .add(&entry.metrics());
        }
        queries
    }

    /// The site's totals: the property's, else the pages' summed, else
    /// the queries'.
    fn totals(&self) -> Metrics {
        let sum = |day: &StoredDay| {
            let mut total = Metrics::default();
            for entry in &day.entries {
                total.add(&entry.metrics());
            }
            total
        };
        [Grain::Site, Grain::Page, Grain::PageQuery, Grain::Query]
            .into_iter()
            .find_map(|g| self.grain(g).map(sum))
            .unwrap_or_default()
    }
}

/// `site`'s search figures on days `from..=to`, pages with at most
/// `queries_per_page` queries each.
pub fn site_search(
    conn: &Connection,
    site: &str,
    from: Day,
    to: Day,
    queries_per_page: usize,
) -> rusqlite::Result<SiteSearch> {
    let rows = day_rows(conn, site, from, to)?;
    let mut search = SiteSearch::default();
    let mut pages: HashMap<u32, Metrics> = HashMap::new();
    let mut queries: HashMap<u32, Metrics> = HashMap::new();
    let mut page_queries: HashMap<(u32, u32), Metrics> = HashMap::new();
    let mut days: BTreeMap<Day, bool> = BTreeMap::new();
    for ((day, _), day_rows) in &rows {
        *days.entry(*day).or_default() |= day_rows.spread();
        search.totals.add(&day_rows.totals());
        for (page, metrics) in day_rows.pages() {
            pages.entry(page).or_default().add(&metrics);
        }
        for (query, metrics) in day_rows.queries() {
            queries.entry(query).or_default().add(&metrics);
        }
        if let Some(stored) = day_rows.grain(Grain::PageQuery) {
            for entry in &stored.entries {
                page_queries
                    .entry((entry.page, entry.query))
                    .or_default()
                    .add(&entry.metrics());
            }
        }
    }
    search.days = days.len() as u32;
    search.spread_days = days.values().filter(|s| **s).count() as u32;
    let texts = term_texts(
        conn,
        pages
            .keys()
            .chain(queries.keys())
            .copied()
            .chain(page_queries.keys().flat_map(|(p, q)| [*p, *q])),
    )?;
    let text = |id: &u32| texts.get(id).cloned().unwrap_or_default();
    let mut by_page: HashMap<u32, Vec<(String, Metrics)>> = HashMap::new();
    for ((page, query), metrics) in page_queries {
        by_page
            .entry(page)
            .or_default()
            .push((text(&query), metrics));
    }
    for (page, metrics) in pages {
        let mut queries = by_page.remove(&page).unwrap_or_default();
        most_shown_first(&mut queries);
        queries.truncate(queries_per_page);
        search
            .pages
            .insert(text(&page), PageSearch { metrics, queries });
    }
    search.queries = queries
        .into_iter()
        .filter(|(id, _)| *id != 0)
        .map(|(id, m)| (text(&id), m))
        .collect();
    most_shown_first(&mut search.queries);
    Ok(search)
}

/// Sorts by impressions, then clicks (most first), then name.
pub fn most_shown_first(list: &mut [(String, Metrics)]) {
    list.sort_by(|a, b| {
        b.1.impressions
            .cmp(&a.1.impressions)
            .then(b.1.clicks.cmp(&a.1.clicks))
            .then(a.0.cmp(&b.0))
    });
}

/// Clicks per page and day of `site` on days `from..=to` (for finding
/// decaying pages).
pub fn page_clicks_by_day(
    conn: &Connection,
    site: &str,
    from: Day,
    to: Day,
) -> rusqlite::Result<HashMap<String, BTreeMap<Day, u64>>> {
    let rows = day_rows(conn, site, from, to)?;
    let mut by_id: HashMap<u32, BTreeMap<Day, u64>> = HashMap::new();
    for ((day, _), day_rows) in &rows {
        for (page, metrics) in day_rows.pages() {
            *by_id.entry(page).or_default().entry(*day).or_default() += metrics.clicks;
        }
    }
    let texts = term_texts(conn, by_id.keys().copied())?;
    Ok(by_id
        .into_iter()
        .filter_map(|(id, days)| texts.get(&id).map(|t| (t.clone(), days)))
        .collect())
}

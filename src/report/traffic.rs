//! The report's traffic: a site's daily rollups and its series (pages,
//! clicks, referrers, crawlers, 404s) summed over the period, from the
//! stats database.

use std::collections::{BTreeMap, HashMap};

use rusqlite::params;

use super::money::ClicksFrom;
use super::{Count, DayRange, PageRow, Period, ProductRow, SiteReport};
use crate::day::Day;
use crate::db::{DaySeries, Db};
use crate::error::Result;

/// Whether `table` has any row.
pub fn has_rows(db: &mut Db, table: &str) -> Result<bool> {
    let sql = format!("SELECT EXISTS (SELECT 1 FROM {table})");
    let found = db.conn().query_row(&sql, [], |row| row.get(0));
    found.map_err(|e| db.error(&e))
}

/// The first and last day with traffic of any of `sites`.
pub fn traffic_range(db: &mut Db, sites: &[String]) -> Result<Option<DayRange>> {
    let mut range: Option<DayRange> = None;
    for site in sites {
        let found = db.conn().query_row(
            "SELECT min(day), max(day) FROM site_days WHERE site = ?1",
            [site],
            |row| Ok((row.get::<_, Option<i32>>(0)?, row.get::<_, Option<i32>>(1)?)),
        );
        if let (Some(first), Some(last)) = found.map_err(|e| db.error(&e))? {
            let (first, last) = (Day(first), Day(last));
            range = Some(match range {
                None => DayRange { first, last },
                Some(r) => DayRange {
                    first: r.first.min(first),
                    last: r.last.max(last),
                },
            });
        }
    }
    Ok(range)
}

/// Fills `report` (of one site, empty) with its traffic in `period`:
/// daily totals, pages, products, referrers, crawlers and 404s. `covered`
/// are the stretches of the period earnings reports cover: the clicks and
/// views there are kept for the ratios, and the clicks per product and
/// page there are returned, to share revenue by.
pub fn fill_site(
    db: &mut Db,
    report: &mut SiteReport,
    period: Period,
    covered: &[Period],
) -> Result<ClicksFrom> {
    let site = report.site.clone();
    for (day, [views, visitors, clicks, not_found, crawler_hits]) in site_days(db, &site, period)? {
        let totals = &mut report.totals;
        totals.views += views;
        totals.visitors += visitors;
        totals.clicks += clicks;
        totals.not_found += not_found;
        totals.crawler_hits += crawler_hits;
        if covered.iter().any(|p| p.since <= day && day <= p.until) {
            totals.covered.0 += clicks;
            totals.covered.1 += views;
        }
        let row = &mut report.daily[(day.0 - period.since.0) as usize];
        row.views = views;
        row.visitors = visitors;
        row.clicks = clicks;
        row.crawler_hits = crawler_hits;
    }
    let mut pages: BTreeMap<String, PageRow> = BTreeMap::new();
    for (path, count) in series_sums(db, &site, "view", period)? {
        page_row(&mut pages, path).views += count;
    }
    for (key, count) in series_sums(db, &site, "click_from", period)? {
        let (_, page) = product_and_page(&key);
        if !page.is_empty() {
            page_row(&mut pages, page.to_string()).clicks += count;
        }
    }
    let mut clicks_from: ClicksFrom = HashMap::new();
    for part in covered {
        for (path, count) in series_sums(db, &site, "view", *part)? {
            page_row(&mut pages, path).covered.1 += count;
        }
        for (key, count) in series_sums(db, &site, "click_from", *part)? {
            let (product, page) = product_and_page(&key);
            if !page.is_empty() {
                page_row(&mut pages, page.to_string()).covered.0 += count;
            }
            *clicks_from
                .entry((product.to_string(), page.to_string()))
                .or_default() += count;
        }
    }
    report.pages = pages
        .into_values()
        .filter(|p| p.views + p.clicks > 0)
        .collect();
    report.pages.sort_by(|a, b| {
        b.views
            .cmp(&a.views)
            .then(b.clicks.cmp(&a.clicks))
            .then(a.path.cmp(&b.path))
    });
    report.products = series_sums(db, &site, "click", period)?
        .into_iter()
        .filter(|(_, clicks)| *clicks > 0)
        .map(|(slug, clicks)| ProductRow {
            slug,
            in_registry: true,
            clicks,
            revenue: None,
            epc: None,
        })
        .collect();
    report.referrers = counts(series_sums(db, &site, "referrer", period)?);
    report.crawlers = counts(series_sums(db, &site, "crawler", period)?);
    report.not_found_paths = counts(series_sums(db, &site, "not_found", period)?);
    report.statuses = counts(series_sums(db, &site, "status", period)?);
    Ok(clicks_from)
}

/// A `click_from` key's product and page (`""`: unknown).
fn product_and_page(key: &str) -> (&str, &str) {
    key.split_once('\t').unwrap_or((key, ""))
}

/// A site's daily rollups in `period`: views, visitors, clicks, 404s and
/// crawler requests.
fn site_days(db: &mut Db, site: &str, period: Period) -> Result<Vec<(Day, [u64; 5])>> {
    let result = (|| -> rusqlite::Result<Vec<(Day, [u64; 5])>> {
        let mut statement = db.conn().prepare_cached(
            "SELECT day, views, visitors, clicks, not_found, crawler_hits FROM site_days
             WHERE site = ?1 AND day BETWEEN ?2 AND ?3",
        )?;
        let rows = statement.query_map(params![site, period.since.0, period.until.0], |r| {
            let n = |i| r.get::<_, i64>(i).map(|v| v.max(0) as u64);
            Ok((Day(r.get(0)?), [n(1)?, n(2)?, n(3)?, n(4)?, n(5)?]))
        })?;
        rows.collect()
    })();
    result.map_err(|e| db.error(&e))
}

/// The row of `path`, added empty if it is not there yet.
fn page_row(pages: &mut BTreeMap<String, PageRow>, path: String) -> &mut PageRow {
    pages
        .entry(path.clone())
        .or_insert_with(|| PageRow::empty(path))
}

/// Series of `kind` for `site`, each summed over `period`.
fn series_sums(db: &mut Db, site: &str, kind: &str, period: Period) -> Result<Vec<(String, u64)>> {
    crate::db::series_sums(db.conn(), site, kind, period.since, period.until)
        .map_err(|e| db.error(&e))
}

/// Series of `kind` for `site`: each key's count per day of `period`.
pub fn series_days(
    db: &mut Db,
    site: &str,
    kind: &str,
    period: Period,
) -> Result<Vec<(String, Vec<u64>)>> {
    let (first_year, _) = period.since.year_and_ordinal();
    let (last_year, _) = period.until.year_and_ordinal();
    let result = (|| -> rusqlite::Result<Vec<(String, Vec<u64>)>> {
        let mut statement = db.conn().prepare_cached(
            "SELECT key, year, days FROM series WHERE site = ?1 AND kind = ?2 AND year BETWEEN ?3 AND ?4",
        )?;
        let mut by_key: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        let mut rows = statement.query(params![site, kind, first_year, last_year])?;
        while let Some(row) = rows.next()? {
            let year: i32 = row.get(1)?;
            let series = DaySeries::decode(row.get_ref(2)?.as_blob()?);
            let key: String = row.get(0)?;
            for &(ordinal, count) in series.days() {
                let day = Day::from_year_and_ordinal(year, ordinal);
                if day < period.since || day > period.until {
                    continue;
                }
                by_key
                    .entry(key.clone())
                    .or_insert_with(|| vec![0; period.days as usize])
                    [(day.0 - period.since.0) as usize] += count;
            }
        }
        Ok(by_key.into_iter().collect())
    })();
    result.map_err(|e| db.error(&e))
}

/// Counts sorted most first, then by name.
fn counts(sums: Vec<(String, u64)>) -> Vec<Count> {
    let mut counts: Vec<Count> = sums
        .into_iter()
        .map(|(name, count)| Count { name, count })
        .collect();
    counts.sort_by(|a, b| b.count.cmp(&a.count).then(a.name.cmp(&b.name)));
    counts
}

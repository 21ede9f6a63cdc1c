//! Reading the report's figures: the stats database (daily rollups and
//! series), revenue rows, the ledger's spend and the last build's record.

use std::collections::{BTreeMap, HashMap};

use rusqlite::params;

use super::{
    Count, DayRow, NamedDays, PageRow, Period, ProductRow, Report, ReportOptions, SiteReport,
    Totals,
};
use crate::build::BuildRecord;
use crate::day::Day;
use crate::db::{DaySeries, Db, sum_encoded};
use crate::draft::{STATE_DIR, ledger};
use crate::error::Result;
use crate::network::Network;

/// One revenue row in the period.
struct Earned {
    site: Option<String>,
    day: Day,
    product: String,
    currency: String,
    amount: f64,
}

/// Builds the report for `sites` (names) of `network`.
pub fn build(network: &Network, sites: &[String], options: &ReportOptions) -> Result<Report> {
    let state = network.root.join(STATE_DIR);
    let mut db = Db::open_existing(&state)?;
    let latest = match db.as_mut() {
        Some(db) => latest_day(db)?,
        None => None,
    };
    let until = options.until.or(latest).unwrap_or_else(Day::today);
    let since = options.since.unwrap_or(until.plus(-29));
    let period = Period {
        since,
        until,
        days: until.0 - since.0 + 1,
    };
    let earned = match db.as_mut() {
        Some(db) => revenue(db, period)?,
        None => Vec::new(),
    };
    let currency = main_currency(&earned);
    let usd = currency == "USD";
    let spend = spend(&state, period)?;
    let record = BuildRecord::read(&state);
    let (has_stats, has_revenue) = match db.as_mut() {
        Some(db) => (has_rows(db, "site_days")?, has_rows(db, "revenue")?),
        None => (false, false),
    };

    let mut reports = Vec::new();
    let mut crawlers_daily: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for site in sites {
        if let Some(db) = db.as_mut() {
            for (name, counts) in series_days(db, site, "crawler", period)? {
                let total = crawlers_daily
                    .entry(name)
                    .or_insert_with(|| vec![0; period.days as usize]);
                for (sum, count) in total.iter_mut().zip(counts) {
                    *sum += count;
                }
            }
        }
        let mut report = match db.as_mut() {
            Some(db) => site_stats(db, site, period)?,
            None => empty_site(site, period),
        };
        let built = record.sites.get(site);
        report.totals.pages_published = built.map(|r| r.pages);
        report.totals.drafts = built.map(|r| r.drafts);
        add_money(&mut report, &earned, &currency, spend.get(site), period);
        report.totals.derive(usd);
        reports.push(report);
    }

    let mut network_totals = Totals::default();
    let mut daily = days_of(period);
    for site in &reports {
        network_totals.add(&site.totals);
        for (row, site_row) in daily.iter_mut().zip(&site.daily) {
            row.views += site_row.views;
            row.visitors += site_row.visitors;
            row.clicks += site_row.clicks;
            row.crawler_hits += site_row.crawler_hits;
            row.revenue += site_row.revenue;
            row.spend += site_row.spend;
        }
    }
    network_totals.derive(usd);
    let mut other_currencies: BTreeMap<String, f64> = BTreeMap::new();
    let mut unattributed_revenue = 0.0;
    for e in &earned {
        if e.currency != currency {
            *other_currencies.entry(e.currency.clone()).or_default() += e.amount;
        } else if e.site.is_none() {
            unattributed_revenue += e.amount;
        }
    }
    let mut crawlers_daily: Vec<NamedDays> = crawlers_daily
        .into_iter()
        .map(|(name, counts)| NamedDays { name, counts })
        .collect();
    crawlers_daily.sort_by_key(|c| std::cmp::Reverse(c.counts.iter().sum::<u64>()));
    Ok(Report {
        period,
        currency,
        network: network_totals,
        unattributed_revenue,
        other_currencies,
        sites: reports,
        daily,
        crawlers_daily,
        has_stats,
        has_revenue,
    })
}

/// A row per day of the period, all zero.
fn days_of(period: Period) -> Vec<DayRow> {
    (0..period.days)
        .map(|i| DayRow {
            date: Some(period.since.plus(i)),
            ..DayRow::default()
        })
        .collect()
}

fn empty_site(site: &str, period: Period) -> SiteReport {
    SiteReport {
        site: site.to_string(),
        totals: Totals::default(),
        pages: Vec::new(),
        products: Vec::new(),
        referrers: Vec::new(),
        crawlers: Vec::new(),
        not_found_paths: Vec::new(),
        daily: days_of(period),
    }
}

fn has_rows(db: &mut Db, table: &str) -> Result<bool> {
    let sql = format!("SELECT EXISTS (SELECT 1 FROM {table})");
    let found = db.conn().query_row(&sql, [], |row| row.get(0));
    found.map_err(|e| db.error(&e))
}

/// The last day with stats or revenue.
fn latest_day(db: &mut Db) -> Result<Option<Day>> {
    let found = db.conn().query_row(
        "SELECT max(d) FROM (SELECT max(day) AS d FROM site_days UNION ALL SELECT max(day) FROM revenue)",
        [],
        |row| row.get::<_, Option<i32>>(0),
    );
    found.map(|d| d.map(Day)).map_err(|e| db.error(&e))
}

/// The stats of one site in `period`: daily totals and series.
fn site_stats(db: &mut Db, site: &str, period: Period) -> Result<SiteReport> {
    let mut report = empty_site(site, period);
    let rows: Vec<(i32, [u64; 5])> = {
        let result = (|| -> rusqlite::Result<Vec<(i32, [u64; 5])>> {
            let mut statement = db.conn().prepare_cached(
                "SELECT day, views, visitors, clicks, not_found, crawler_hits FROM site_days
                 WHERE site = ?1 AND day BETWEEN ?2 AND ?3",
            )?;
            let rows = statement.query_map(params![site, period.since.0, period.until.0], |r| {
                let n = |i| r.get::<_, i64>(i).map(|v| v.max(0) as u64);
                Ok((r.get(0)?, [n(1)?, n(2)?, n(3)?, n(4)?, n(5)?]))
            })?;
            rows.collect()
        })();
        result.map_err(|e| db.error(&e))?
    };
    for (day, [views, visitors, clicks, not_found, crawler_hits]) in rows {
        let totals = &mut report.totals;
        totals.views += views;
        totals.visitors += visitors;
        totals.clicks += clicks;
        totals.not_found += not_found;
        totals.crawler_hits += crawler_hits;
        let row = &mut report.daily[(day - period.since.0) as usize];
        row.views = views;
        row.visitors = visitors;
        row.clicks = clicks;
        row.crawler_hits = crawler_hits;
    }
    let views = series_sums(db, site, "view", period)?;
    let clicks_from = series_sums(db, site, "click_from", period)?;
    let mut page_clicks: HashMap<String, u64> = HashMap::new();
    for (key, count) in &clicks_from {
        let page = key.split_once('\t').map_or("", |(_, page)| page);
        if !page.is_empty() {
            *page_clicks.entry(page.to_string()).or_default() += count;
        }
    }
    let mut pages: BTreeMap<String, PageRow> = BTreeMap::new();
    for (path, count) in views {
        page_row(&mut pages, path).views += count;
    }
    for (path, count) in page_clicks {
        page_row(&mut pages, path).clicks += count;
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
    report.products = series_sums(db, site, "click", period)?
        .into_iter()
        .filter(|(_, clicks)| *clicks > 0)
        .map(|(slug, clicks)| ProductRow {
            slug,
            clicks,
            revenue: 0.0,
            epc: None,
        })
        .collect();
    report.referrers = counts(series_sums(db, site, "referrer", period)?);
    report.crawlers = counts(series_sums(db, site, "crawler", period)?);
    report.not_found_paths = counts(series_sums(db, site, "not_found", period)?);
    Ok(report)
}

/// The row of `path`, added empty if it is not there yet.
fn page_row(pages: &mut BTreeMap<String, PageRow>, path: String) -> &mut PageRow {
    pages.entry(path.clone()).or_insert_with(|| PageRow {
        path,
        views: 0,
        clicks: 0,
    })
}

/// Series of `kind` for `site`, each summed over `period`.
fn series_sums(db: &mut Db, site: &str, kind: &str, period: Period) -> Result<Vec<(String, u64)>> {
    let (first_year, first_day) = period.since.year_and_ordinal();
    let (last_year, last_day) = period.until.year_and_ordinal();
    let result = (|| -> rusqlite::Result<Vec<(String, u64)>> {
        let mut statement = db.conn().prepare_cached(
            "SELECT key, year, days FROM series WHERE site = ?1 AND kind = ?2 AND year BETWEEN ?3 AND ?4",
        )?;
        let mut sums: HashMap<String, u64> = HashMap::new();
        let mut rows = statement.query(params![site, kind, first_year, last_year])?;
        while let Some(row) = rows.next()? {
            let year: i32 = row.get(1)?;
            let from = if year == first_year { first_day } else { 0 };
            let to = if year == last_year { last_day } else { 366 };
            let days = row.get_ref(2)?.as_blob()?;
            let sum = sum_encoded(days, from, to);
            if sum > 0 {
                let key: String = row.get(0)?;
                *sums.entry(key).or_default() += sum;
            }
        }
        Ok(sums.into_iter().collect())
    })();
    result.map_err(|e| db.error(&e))
}

/// Series of `kind` for `site`: each key's count per day of `period`.
fn series_days(
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

/// Revenue rows of the period.
fn revenue(db: &mut Db, period: Period) -> Result<Vec<Earned>> {
    let result = (|| -> rusqlite::Result<Vec<Earned>> {
        let mut statement = db.conn().prepare_cached(
            "SELECT site, day, coalesce(slug, item), currency, amount FROM revenue WHERE day BETWEEN ?1 AND ?2",
        )?;
        let rows = statement.query_map(params![period.since.0, period.until.0], |r| {
            Ok(Earned {
                site: r.get(0)?,
                day: Day(r.get(1)?),
                product: r.get(2)?,
                currency: r.get(3)?,
                amount: r.get(4)?,
            })
        })?;
        rows.collect()
    })();
    result.map_err(|e| db.error(&e))
}

/// The currency most revenue is in (USD when there is none).
fn main_currency(earned: &[Earned]) -> String {
    let mut totals: BTreeMap<&str, f64> = BTreeMap::new();
    for e in earned {
        *totals.entry(&e.currency).or_default() += e.amount.abs();
    }
    totals
        .into_iter()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map_or_else(|| "USD".to_string(), |(c, _)| c.to_string())
}

/// LLM spend (USD) per site and day in `period`, from the ledger.
fn spend(state: &std::path::Path, period: Period) -> Result<HashMap<String, BTreeMap<Day, f64>>> {
    let mut spend: HashMap<String, BTreeMap<Day, f64>> = HashMap::new();
    for entry in ledger::settle(ledger::read(state)?) {
        let Some(day) = entry.time.get(..10).and_then(Day::parse) else {
            continue;
        };
        if day < period.since || day > period.until || entry.cost_usd == 0.0 {
            continue;
        }
        *spend.entry(entry.site).or_default().entry(day).or_default() += entry.cost_usd;
    }
    Ok(spend)
}

/// Adds revenue (in `currency`) and spend to a site's totals, products and
/// days.
fn add_money(
    report: &mut SiteReport,
    earned: &[Earned],
    currency: &str,
    spend: Option<&BTreeMap<Day, f64>>,
    period: Period,
) {
    let mut by_product: BTreeMap<&str, f64> = BTreeMap::new();
    for e in earned
        .iter()
        .filter(|e| e.site.as_deref() == Some(report.site.as_str()) && e.currency == currency)
    {
        report.totals.revenue += e.amount;
        report.daily[(e.day.0 - period.since.0) as usize].revenue += e.amount;
        *by_product.entry(&e.product).or_default() += e.amount;
    }
    for (product, revenue) in by_product {
        match report.products.iter_mut().find(|p| p.slug == product) {
            Some(row) => row.revenue += revenue,
            None => report.products.push(ProductRow {
                slug: product.to_string(),
                clicks: 0,
                revenue,
                epc: None,
            }),
        }
    }
    for product in &mut report.products {
        product.epc = (product.clicks > 0).then(|| product.revenue / product.clicks as f64);
    }
    report.products.sort_by(|a, b| {
        b.clicks
            .cmp(&a.clicks)
            .then(b.revenue.total_cmp(&a.revenue))
            .then(a.slug.cmp(&b.slug))
    });
    for (day, cost) in spend.into_iter().flatten() {
        report.totals.spend += cost;
        report.daily[(day.0 - period.since.0) as usize].spend += cost;
    }
}

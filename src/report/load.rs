//! Putting the report together: the period, each site's traffic and
//! money, the network's sums, and the replicate candidates.

use std::collections::BTreeMap;

use super::money;
use super::search;
use super::traffic::{fill_site, has_rows, series_days, traffic_range};
use super::{DayRow, NamedDays, Period, Report, ReportOptions, SiteReport, Totals, candidates};
use crate::build::BuildRecord;
use crate::day::Day;
use crate::db::Db;
use crate::error::Result;
use crate::network::Network;
use crate::state::{self, Record};

/// Builds the report for `sites` (names) of `network`.
pub fn build(network: &Network, sites: &[String], options: &ReportOptions) -> Result<Report> {
    let state = state::dir(&network.root);
    let mut db = Db::open_existing(&state)?;
    let spend = money::spend(&state)?;
    let (traffic, ranges, searched) = match db.as_mut() {
        Some(db) => (
            traffic_range(db, sites)?,
            money::covered_ranges(db)?,
            search::search_range(db, sites)?,
        ),
        None => (None, BTreeMap::new(), None),
    };
    let latest = [
        traffic.map(|t| t.last),
        searched.map(|t| t.last),
        money::last_covered(&ranges),
        money::last_spend(&spend),
    ]
    .into_iter()
    .flatten()
    .max();
    let until = options.until.or(latest).unwrap_or_else(Day::today);
    let since = options.since.unwrap_or(until.plus(-29));
    let period = Period {
        since,
        until,
        days: until.0 - since.0 + 1,
    };
    let mut coverage = money::coverage(traffic, ranges, period);
    coverage.search = searched;
    let covered = coverage.revenue_stretches(period);
    let earned = match db.as_mut() {
        Some(db) => money::revenue(db, period)?,
        None => Vec::new(),
    };
    let currency = money::main_currency(&earned);
    let usd = currency == "USD";
    let record = BuildRecord::read(&state);
    let (has_stats, has_revenue) = match db.as_mut() {
        Some(db) => (has_rows(db, "site_days")?, has_rows(db, "revenue_imports")?),
        None => (false, false),
    };

    let mut reports = Vec::new();
    let mut crawlers_daily: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for name in sites {
        let mut report = empty_site(network, name, period);
        let clicks_from = match db.as_mut() {
            Some(db) => {
                add_crawlers(
                    &mut crawlers_daily,
                    series_days(db, name, "crawler", period)?,
                );
                fill_site(db, &mut report, period, &covered)?
            }
            None => Default::default(),
        };
        let built = record.sites.get(name);
        if let Some(db) = db.as_mut() {
            let titles = built.map(|r| &r.titles).filter(|t| !t.is_empty());
            coverage.search_estimated |= search::add_search(db, &mut report, period, titles)?;
        }
        report.totals.pages_published = built.map(|r| r.pages);
        report.totals.drafts = built.map(|r| r.drafts);
        money::add_revenue(
            &mut report,
            &earned,
            &currency,
            &coverage,
            &clicks_from,
            period,
        );
        money::add_spend(&mut report, &spend, period);
        report.totals.derive(usd);
        reports.push(report);
    }
    let (network_totals, daily) = network_sums(&reports, period, usd, &coverage);
    let mut crawlers_daily: Vec<NamedDays> = crawlers_daily
        .into_iter()
        .map(|(name, counts)| NamedDays { name, counts })
        .collect();
    crawlers_daily.sort_by_key(|c| std::cmp::Reverse(c.counts.iter().sum::<u64>()));
    Ok(Report {
        period,
        network: network_totals,
        revenue_by_source: money::by_source(&earned, &currency),
        unattributed_revenue: money::unattributed_total(&earned, &currency),
        unattributed: money::unattributed(&earned, &currency, sites),
        other_currencies: money::other_currencies(&earned, &currency),
        replicate_candidates: candidates::candidates(network, &reports, &record)?,
        currency,
        coverage,
        sites: reports,
        daily,
        crawlers_daily,
        has_stats,
        has_revenue,
    })
}

/// Adds one site's crawler requests per day to the network's.
fn add_crawlers(network: &mut BTreeMap<String, Vec<u64>>, site: Vec<(String, Vec<u64>)>) {
    for (name, counts) in site {
        let total = network.entry(name).or_insert_with(|| vec![0; counts.len()]);
        for (sum, count) in total.iter_mut().zip(counts) {
            *sum += count;
        }
    }
}

/// The network's totals and days: the sites' summed.
fn network_sums(
    reports: &[SiteReport],
    period: Period,
    usd: bool,
    coverage: &super::Coverage,
) -> (Totals, Vec<DayRow>) {
    let mut totals = Totals::default();
    let mut daily = days_of(period);
    for (row, day) in daily.iter_mut().zip(period.days()) {
        if coverage.revenue_covers(day) {
            row.revenue = Some(0.0);
        }
    }
    if coverage.revenue_days > 0 {
        totals.revenue = Some(0.0);
    }
    for site in reports {
        totals.add(&site.totals);
        for (row, site_row) in daily.iter_mut().zip(&site.daily) {
            row.views += site_row.views;
            row.visitors += site_row.visitors;
            row.clicks += site_row.clicks;
            row.crawler_hits += site_row.crawler_hits;
            if let Some(revenue) = site_row.revenue {
                *row.revenue.get_or_insert(0.0) += revenue;
            }
            row.spend += site_row.spend;
        }
    }
    totals.derive(usd);
    (totals, daily)
}

/// A row per day of the period, all zero, revenue unknown.
fn days_of(period: Period) -> Vec<DayRow> {
    period
        .days()
        .map(|day| DayRow {
            date: Some(day),
            ..DayRow::default()
        })
        .collect()
}

/// The report of site `name` before any figure is added.
fn empty_site(network: &Network, name: &str, period: Period) -> SiteReport {
    let site = network.sites.iter().find(|s| s.name == name);
    SiteReport {
        site: name.to_string(),
        title: site.map(|s| s.config.title.clone()).unwrap_or_default(),
        domain: site.map(|s| domain(&s.base_url)).unwrap_or_default(),
        totals: Totals::default(),
        revenue_by_program: Vec::new(),
        revenue_off_pages: None,
        pages: Vec::new(),
        search_queries: Vec::new(),
        opportunities: Default::default(),
        products: Vec::new(),
        referrers: Vec::new(),
        crawlers: Vec::new(),
        not_found_paths: Vec::new(),
        statuses: Vec::new(),
        daily: days_of(period),
    }
}

/// The host of `base_url`, with its path when it has one:
/// `https://example.com/blog` -> `example.com/blog`.
fn domain(base_url: &str) -> String {
    let rest = base_url
        .split_once("://")
        .map_or(base_url, |(_, rest)| rest);
    rest.trim_end_matches('/').to_string()
}

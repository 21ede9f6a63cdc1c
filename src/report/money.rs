//! The report's money: revenue rows and the days earnings reports cover,
//! the main currency, LLM spend from the ledger, and how a site's revenue
//! splits by program, product and page.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use rusqlite::params;

use super::{
    Coverage, DayRange, PageRow, Period, ProductRow, ProgramRevenue, SiteReport, SourceCoverage,
    SourceRevenue, Unattributed, UnattributedKind,
};
use crate::day::Day;
use crate::db::Db;
use crate::error::Result;
use crate::model::ledger;

/// One revenue row in the period.
pub struct Earned {
    source: String,
    site: Option<String>,
    day: Day,
    program: String,
    item: String,
    slug: Option<String>,
    tag: Option<String>,
    currency: String,
    amount: f64,
}

/// Revenue rows of `period`.
pub fn revenue(db: &mut Db, period: Period) -> Result<Vec<Earned>> {
    let result = (|| -> rusqlite::Result<Vec<Earned>> {
        let mut statement = db.conn().prepare_cached(
            "SELECT source, site, day, program, item, slug, tag, currency, amount FROM revenue
             WHERE day BETWEEN ?1 AND ?2",
        )?;
        let rows = statement.query_map(params![period.since.0, period.until.0], |r| {
            Ok(Earned {
                source: r.get(0)?,
                site: r.get(1)?,
                day: Day(r.get(2)?),
                program: r.get(3)?,
                item: r.get(4)?,
                slug: r.get(5)?,
                tag: r.get(6)?,
                currency: r.get(7)?,
                amount: r.get(8)?,
            })
        })?;
        rows.collect()
    })();
    result.map_err(|e| db.error(&e))
}

/// The days each source's imported earnings reports cover, as merged
/// stretches, by source.
pub fn covered_ranges(db: &mut Db) -> Result<BTreeMap<String, Vec<DayRange>>> {
    let result = (|| -> rusqlite::Result<Vec<(String, i32, i32)>> {
        let mut statement = db
            .conn()
            .prepare_cached("SELECT source, first_day, last_day FROM revenue_imports")?;
        let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect()
    })();
    let mut by_source: BTreeMap<String, Vec<DayRange>> = BTreeMap::new();
    for (source, first, last) in result.map_err(|e| db.error(&e))? {
        by_source.entry(source).or_default().push(DayRange {
            first: Day(first),
            last: Day(last),
        });
    }
    for ranges in by_source.values_mut() {
        *ranges = merge(std::mem::take(ranges));
    }
    Ok(by_source)
}

/// `ranges` sorted, with overlapping and adjacent ones joined.
fn merge(mut ranges: Vec<DayRange>) -> Vec<DayRange> {
    ranges.sort_by_key(|r| (r.first, r.last));
    let mut merged: Vec<DayRange> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match merged.last_mut() {
            Some(last) if range.first.0 <= last.last.0 + 1 => {
                last.last = last.last.max(range.last);
            }
            _ => merged.push(range),
        }
    }
    merged
}

/// The coverage of `period`: traffic's first and last day, and each
/// revenue source's stretches.
pub fn coverage(
    traffic: Option<DayRange>,
    ranges: BTreeMap<String, Vec<DayRange>>,
    period: Period,
) -> Coverage {
    let revenue: Vec<SourceCoverage> = ranges
        .into_iter()
        .filter_map(|(source, ranges)| {
            let first = ranges.first()?.first;
            let last = ranges.last()?.last;
            let days_in_period = ranges.iter().map(|r| overlap(*r, period)).sum();
            Some(SourceCoverage {
                source,
                first,
                last,
                ranges,
                days_in_period,
            })
        })
        .collect();
    let mut coverage = Coverage {
        traffic,
        revenue,
        revenue_days: 0,
        search: None,
        search_estimated: false,
    };
    coverage.revenue_days = coverage.revenue_days_in(period);
    coverage
}

/// Days of `period` inside `range`.
fn overlap(range: DayRange, period: Period) -> i32 {
    let first = range.first.max(period.since);
    let last = range.last.min(period.until);
    (last.0 - first.0 + 1).max(0)
}

/// The last day some earnings report covers.
pub fn last_covered(ranges: &BTreeMap<String, Vec<DayRange>>) -> Option<Day> {
    ranges.values().flatten().map(|r| r.last).max()
}

/// The currency most revenue is in (USD when there is none).
pub fn main_currency(earned: &[Earned]) -> String {
    let mut totals: BTreeMap<&str, f64> = BTreeMap::new();
    for e in earned {
        *totals.entry(&e.currency).or_default() += e.amount.abs();
    }
    totals
        .into_iter()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map_or_else(|| "USD".to_string(), |(c, _)| c.to_string())
}

/// LLM spend (USD) per site and day, from the ledger.
pub type Spend = HashMap<String, BTreeMap<Day, f64>>;

/// Every day's LLM spend per site.
pub fn spend(state: &Path) -> Result<Spend> {
    let mut spend: Spend = HashMap::new();
    for entry in ledger::settle(ledger::read(state)?) {
        let Some(day) = entry.time.get(..10).and_then(Day::parse) else {
            continue;
        };
        if entry.cost_usd == 0.0 {
            continue;
        }
        *spend.entry(entry.site).or_default().entry(day).or_default() += entry.cost_usd;
    }
    Ok(spend)
}

/// The last day with LLM spend.
pub fn last_spend(spend: &Spend) -> Option<Day> {
    spend
        .values()
        .filter_map(|days| days.keys().next_back())
        .max()
        .copied()
}

/// Adds the site's LLM spend in `period` to its totals and days.
pub fn add_spend(report: &mut SiteReport, spend: &Spend, period: Period) {
    let Some(days) = spend.get(&report.site) else {
        return;
    };
    for (day, cost) in days.range(period.since..=period.until) {
        report.totals.spend += cost;
        report.daily[(day.0 - period.since.0) as usize].spend += cost;
    }
}

/// Where each page's clicks went: clicks per (product, page) on the days
/// earnings reports cover, `""` for a click whose page is unknown.
pub type ClicksFrom = HashMap<(String, String), u64>;

/// Adds revenue (in `currency`, on the days `coverage` covers) to a
/// site's totals, days, programs and products, and shares each product's
/// revenue among the pages its clicks came from.
pub fn add_revenue(
    report: &mut SiteReport,
    earned: &[Earned],
    currency: &str,
    coverage: &Coverage,
    clicks_from: &ClicksFrom,
    period: Period,
) {
    let covered_any = coverage.revenue_days > 0;
    for (i, day) in period.days().enumerate() {
        if coverage.revenue_covers(day) {
            report.daily[i].revenue = Some(0.0);
        }
    }
    report.totals.revenue = covered_any.then_some(0.0);
    let mut by_program: BTreeMap<&str, f64> = BTreeMap::new();
    let mut by_product: BTreeMap<(&str, bool), f64> = BTreeMap::new();
    for e in earned
        .iter()
        .filter(|e| e.site.as_deref() == Some(report.site.as_str()) && e.currency == currency)
    {
        *report.totals.revenue.get_or_insert(0.0) += e.amount;
        *report.daily[(e.day.0 - period.since.0) as usize]
            .revenue
            .get_or_insert(0.0) += e.amount;
        *by_program.entry(&e.program).or_default() += e.amount;
        let product = match &e.slug {
            Some(slug) => (slug.as_str(), true),
            None => (e.item.as_str(), false),
        };
        *by_product.entry(product).or_default() += e.amount;
    }
    report.revenue_by_program = by_program
        .into_iter()
        .map(|(program, revenue)| ProgramRevenue {
            program: program.to_string(),
            revenue,
        })
        .collect();
    report
        .revenue_by_program
        .sort_by(|a, b| b.revenue.total_cmp(&a.revenue));
    let mut product_clicks: HashMap<&str, u64> = HashMap::new();
    for ((product, _), clicks) in clicks_from {
        *product_clicks.entry(product).or_default() += clicks;
    }
    add_products(report, &by_product, &product_clicks);
    attribute_to_pages(report, &by_product, &product_clicks, clicks_from);
}

/// Sets each product's revenue and EPC (over the clicks of the covered
/// days), adding the products that earned without a click.
fn add_products(
    report: &mut SiteReport,
    by_product: &BTreeMap<(&str, bool), f64>,
    product_clicks: &HashMap<&str, u64>,
) {
    let known = report.totals.revenue.is_some();
    for product in &mut report.products {
        product.revenue = known.then_some(0.0);
    }
    for (&(product, in_registry), &revenue) in by_product {
        match report
            .products
            .iter_mut()
            .find(|p| p.slug == product && p.in_registry == in_registry)
        {
            Some(row) => row.revenue = Some(revenue),
            None => report.products.push(ProductRow {
                slug: product.to_string(),
                in_registry,
                clicks: 0,
                revenue: Some(revenue),
                epc: None,
            }),
        }
    }
    for product in &mut report.products {
        let clicks = match product.in_registry {
            true => product_clicks.get(product.slug.as_str()).copied(),
            false => None,
        };
        product.epc = match (product.revenue, clicks) {
            (Some(revenue), Some(clicks)) if clicks > 0 => Some(revenue / clicks as f64),
            _ => None,
        };
    }
    report.products.sort_by(|a, b| {
        b.clicks
            .cmp(&a.clicks)
            .then(
                b.revenue
                    .unwrap_or(0.0)
                    .total_cmp(&a.revenue.unwrap_or(0.0)),
            )
            .then(a.slug.cmp(&b.slug))
    });
}

/// Shares each registry product's revenue among the pages whose clicks
/// led to it, in proportion to their clicks; what no known page's click
/// led to stays in `revenue_off_pages`.
fn attribute_to_pages(
    report: &mut SiteReport,
    by_product: &BTreeMap<(&str, bool), f64>,
    product_clicks: &HashMap<&str, u64>,
    clicks_from: &ClicksFrom,
) {
    let Some(total) = report.totals.revenue else {
        return;
    };
    let mut per_page: HashMap<&str, f64> = HashMap::new();
    for ((product, page), &clicks) in clicks_from {
        let Some(&revenue) = by_product.get(&(product.as_str(), true)) else {
            continue;
        };
        if page.is_empty() {
            continue;
        }
        let all = product_clicks[product.as_str()] as f64;
        *per_page.entry(page).or_default() += revenue * clicks as f64 / all;
    }
    let mut on_pages = 0.0;
    for (page, revenue) in per_page {
        on_pages += revenue;
        match report.pages.iter_mut().find(|p| p.path == page) {
            Some(row) => row.revenue = Some(revenue),
            None => report.pages.push(PageRow {
                revenue: Some(revenue),
                ..PageRow::empty(page.to_string())
            }),
        }
    }
    for page in &mut report.pages {
        let revenue = *page.revenue.get_or_insert(0.0);
        let (clicks, views) = page.covered;
        page.epc = (clicks > 0).then(|| revenue / clicks as f64);
        page.rpm = (views > 0).then(|| revenue * 1000.0 / views as f64);
    }
    report.revenue_off_pages = Some(total - on_pages);
}

/// Revenue per source and program, in `currency`, most first.
pub fn by_source(earned: &[Earned], currency: &str) -> Vec<SourceRevenue> {
    let mut sums: BTreeMap<(&str, &str), f64> = BTreeMap::new();
    for e in earned.iter().filter(|e| e.currency == currency) {
        *sums.entry((&e.source, &e.program)).or_default() += e.amount;
    }
    let mut rows: Vec<SourceRevenue> = sums
        .into_iter()
        .map(|((source, program), revenue)| SourceRevenue {
            source: source.to_string(),
            program: program.to_string(),
            revenue,
        })
        .collect();
    rows.sort_by(|a, b| b.revenue.total_cmp(&a.revenue));
    rows
}

/// Revenue in `currency` no site could be matched to (by the tracking ID
/// or sub-ID), and earnings of items outside a site's registry, of the
/// selected `sites`, most first.
pub fn unattributed(earned: &[Earned], currency: &str, sites: &[String]) -> Vec<Unattributed> {
    let mut sums: BTreeMap<(UnattributedKind, &str, Option<&str>, &str), f64> = BTreeMap::new();
    for e in earned.iter().filter(|e| e.currency == currency) {
        let key = match (&e.site, &e.slug) {
            (None, _) => (
                UnattributedKind::NoSite,
                e.source.as_str(),
                None,
                e.tag.as_deref().unwrap_or("(none)"),
            ),
            (Some(site), None) if sites.contains(site) => (
                UnattributedKind::NotInRegistry,
                e.source.as_str(),
                Some(site.as_str()),
                e.item.as_str(),
            ),
            _ => continue,
        };
        *sums.entry(key).or_default() += e.amount;
    }
    let mut rows: Vec<Unattributed> = sums
        .into_iter()
        .map(|((kind, source, site, id), revenue)| Unattributed {
            kind,
            source: source.to_string(),
            site: site.map(str::to_string),
            id: id.to_string(),
            revenue,
        })
        .collect();
    rows.sort_by(|a, b| b.revenue.total_cmp(&a.revenue));
    rows
}

/// Revenue in currencies other than `currency`, by currency.
pub fn other_currencies(earned: &[Earned], currency: &str) -> BTreeMap<String, super::Money> {
    let mut other: BTreeMap<String, super::Money> = BTreeMap::new();
    for e in earned.iter().filter(|e| e.currency != currency) {
        other.entry(e.currency.clone()).or_default().0 += e.amount;
    }
    other
}

/// Revenue in `currency` that no site could be matched to.
pub fn unattributed_total(earned: &[Earned], currency: &str) -> f64 {
    earned
        .iter()
        .filter(|e| e.currency == currency && e.site.is_none())
        .map(|e| e.amount)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(first: i32, last: i32) -> DayRange {
        DayRange {
            first: Day(first),
            last: Day(last),
        }
    }

    #[test]
    fn stretches_join_where_they_touch_or_overlap() {
        let merged = merge(vec![range(10, 20), range(1, 5), range(6, 8), range(15, 25)]);
        assert_eq!(merged, vec![range(1, 8), range(10, 25)]);
    }

    #[test]
    fn coverage_counts_the_days_of_the_period_covered() {
        let period = Period {
            since: Day(5),
            until: Day(14),
            days: 10,
        };
        let mut ranges = BTreeMap::new();
        ranges.insert("amazon".to_string(), vec![range(1, 6), range(13, 30)]);
        ranges.insert("impact".to_string(), vec![range(6, 7)]);
        let coverage = coverage(None, ranges, period);
        assert_eq!(coverage.revenue[0].days_in_period, 4);
        assert_eq!(coverage.revenue[1].days_in_period, 2);
        assert_eq!(coverage.revenue_days, 5, "days 5, 6, 7, 13, 14");
        assert!(coverage.revenue_covers(Day(7)));
        assert!(!coverage.revenue_covers(Day(8)));
    }
}

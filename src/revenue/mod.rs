//! `grove revenue import`: affiliate and ad earnings reports into the stats
//! database, attributed to sites (and products, where the report names
//! them), so that `grove report` can set money against views, clicks and
//! LLM spend.
//!
//! Re-importing a report of the same source for the same period replaces
//! that source's rows for the period (reports are revised: returns,
//! reversals), never adds to them.

mod formats;
pub(crate) mod table;
mod values;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rusqlite::params;

pub use formats::ColumnMap;
pub use values::{iso_code, parse_amount, parse_date};

use crate::affiliate::Registry;
use crate::day::Day;
use crate::db::Db;
use crate::error::{Error, Location, Result};
use crate::network::Network;
use crate::run_lock::{self, RunLock};
use crate::state;
use table::Table;

/// The report formats `grove revenue import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RevenueFormat {
    /// Amazon Associates earnings report (CSV from Associates Central).
    Amazon,
    /// Impact partner actions export.
    Impact,
    /// AdSense report by date and site.
    Adsense,
    /// Any CSV, with `--map`.
    Csv,
}

impl RevenueFormat {
    /// Its name, and the default source name of its reports.
    pub fn name(self) -> &'static str {
        match self {
            RevenueFormat::Amazon => "amazon",
            RevenueFormat::Impact => "impact",
            RevenueFormat::Adsense => "adsense",
            RevenueFormat::Csv => "csv",
        }
    }

    fn required_columns(self, map: Option<&ColumnMap>) -> Vec<&str> {
        match self {
            RevenueFormat::Amazon => vec!["Tracking ID"],
            RevenueFormat::Impact => vec!["Payout"],
            RevenueFormat::Adsense => vec!["Date"],
            RevenueFormat::Csv => map.map(ColumnMap::columns).unwrap_or_default(),
        }
    }
}

/// What `grove revenue import` should do.
#[derive(Debug, Clone)]
pub struct RevenueOptions {
    /// The reports' format.
    pub format: RevenueFormat,
    /// Column mapping, for [`RevenueFormat::Csv`].
    pub map: Option<ColumnMap>,
    /// The source reports replace each other within (default: the
    /// format's name); give each account its own.
    pub source: Option<String>,
    /// Currency of amounts that name none (default USD).
    pub currency: Option<String>,
    /// The report files.
    pub files: Vec<PathBuf>,
}

/// One day's earnings for one item, as a report gives them.
#[derive(Debug, Clone, PartialEq)]
pub struct Earning {
    /// The day (shipped, or the action's date).
    pub day: Day,
    /// The site it is attributed to.
    pub site: Option<String>,
    /// The tag, sub-ID or domain that matched no site.
    pub unmatched: Option<String>,
    /// `amazon`, `impact`, `adsense`, ...
    pub program: String,
    /// What earned it: an ASIN, a campaign, `ads`.
    pub item: String,
    /// The registry entry of the item, when known.
    pub slug: Option<String>,
    /// ISO currency code.
    pub currency: String,
    /// The earning (negative for returns and reversals).
    pub amount: f64,
    /// Items sold (less returns), where the report says.
    pub items: i64,
}

/// A row a report could not use, or a report of the wrong format.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The row's line in the file (`None`: the whole report).
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl Problem {
    fn row(line: usize, message: String) -> Problem {
        Problem {
            line: Some(line),
            message,
        }
    }

    fn format(columns: &str) -> Problem {
        Problem {
            line: None,
            message: format!("the report lacks {columns}; is this the right --format?"),
        }
    }
}

/// What importing one report did.
#[derive(Debug, Clone)]
pub struct RevenueReport {
    /// The report file.
    pub file: PathBuf,
    /// The source its rows belong to.
    pub source: String,
    /// The period it covers (its rows for the source replaced).
    pub period: Option<(Day, Day)>,
    /// Rows read into earnings.
    pub rows: usize,
    /// Total per currency.
    pub totals: BTreeMap<String, f64>,
    /// Earnings attributed to no site: (tag or domain, total), per currency.
    pub unmatched: Vec<(String, String, f64)>,
    /// Rows that could not be read.
    pub problems: Vec<Problem>,
}

/// How report rows find their site and product.
pub struct Attribution {
    /// Tag, sub-ID value or site name -> site.
    tags: HashMap<String, String>,
    /// Host without `www.` -> site.
    hosts: HashMap<String, String>,
    /// ASIN -> registry slug.
    asins: HashMap<String, String>,
    /// Registry slug or product name, lowercase -> slug.
    names: HashMap<String, String>,
}

impl Attribution {
    /// From the network's sites (names, `[affiliate]` tags, base URLs) and
    /// registries (product URLs and names).
    pub fn new(network: &Network) -> Result<Attribution> {
        let mut tags = HashMap::new();
        let mut hosts = HashMap::new();
        let mut asins = HashMap::new();
        let mut names = HashMap::new();
        for site in &network.sites {
            tags.insert(site.name.to_ascii_lowercase(), site.name.clone());
            for value in site.config.affiliate.values() {
                tags.insert(value.to_ascii_lowercase(), site.name.clone());
            }
            if let Some(host) = crate::stats::referrer::host_of(&site.base_url) {
                hosts.insert(bare(&host), site.name.clone());
            }
            let registry = Registry::load(&network.root, site)?;
            for slug in registry.slugs() {
                let entry = registry.get(slug).expect("listed slugs exist");
                if let Some(asin) = asin_in(&entry.url) {
                    asins.insert(asin, slug.to_string());
                }
                names.insert(slug.to_ascii_lowercase(), slug.to_string());
                names.insert(entry.name.to_ascii_lowercase(), slug.to_string());
            }
        }
        Ok(Attribution {
            tags,
            hosts,
            asins,
            names,
        })
    }

    fn site_for_tag(&self, tag: &str) -> Option<String> {
        self.tags.get(&tag.trim().to_ascii_lowercase()).cloned()
    }

    fn site_for_host(&self, host: &str) -> Option<String> {
        let host = crate::stats::referrer::host_of(host).unwrap_or_else(|| host.to_string());
        self.hosts.get(&bare(&host)).cloned()
    }

    fn slug_for_asin(&self, asin: &str) -> Option<String> {
        self.asins.get(&asin.trim().to_ascii_uppercase()).cloned()
    }

    fn slug_for_name(&self, name: &str) -> Option<String> {
        self.names.get(&name.trim().to_ascii_lowercase()).cloned()
    }
}

fn bare(host: &str) -> String {
    let host = host.trim().trim_end_matches('/').to_ascii_lowercase();
    host.strip_prefix("www.").unwrap_or(&host).to_string()
}

/// The ASIN in an Amazon product URL (`/dp/B0BH3WMZ8X`,
/// `/gp/product/B0BH3WMZ8X`).
fn asin_in(url: &str) -> Option<String> {
    let at = url
        .find("/dp/")
        .map(|i| i + 4)
        .or_else(|| url.find("/gp/product/").map(|i| i + 12))?;
    let asin: String = url[at..]
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    (asin.len() == 10).then(|| asin.to_ascii_uppercase())
}

/// What `grove revenue forget` took out: rows, and amounts per currency.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RevenueForgotten {
    /// Rows (per day, site and item) removed.
    pub rows: u64,
    /// Their amounts, per currency.
    pub totals: BTreeMap<String, f64>,
}

/// Takes the earnings of `source` (on days `since..=until`, each end
/// optional) out of the stats database, with the record of its imports
/// in that range, so its reports can be imported again; with `dry_run`,
/// only says what would go.
pub fn forget(
    network: &Network,
    source: &str,
    (since, until): (Option<Day>, Option<Day>),
    dry_run: bool,
) -> Result<RevenueForgotten> {
    let state = state::dir(&network.root);
    let _lock = RunLock::wait(&state, run_lock::STATS)?;
    let Some(mut db) = Db::open_existing(&state)? else {
        return Ok(RevenueForgotten::default());
    };
    let (from, to) = (
        since.map_or(i32::MIN, |d| d.0),
        until.map_or(i32::MAX, |d| d.0),
    );
    let result = (|| -> rusqlite::Result<RevenueForgotten> {
        let transaction = db.conn().transaction()?;
        let mut forgotten = RevenueForgotten::default();
        {
            let mut statement = transaction.prepare(
                "SELECT currency, COUNT(*), SUM(amount) FROM revenue
                 WHERE source = ?1 AND day BETWEEN ?2 AND ?3 GROUP BY currency",
            )?;
            let rows = statement.query_map(params![source, from, to], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, f64>(2)?,
                ))
            })?;
            for row in rows {
                let (currency, count, amount) = row?;
                forgotten.rows += count as u64;
                forgotten.totals.insert(currency, amount);
            }
        }
        if !dry_run {
            transaction.execute(
                "DELETE FROM revenue WHERE source = ?1 AND day BETWEEN ?2 AND ?3",
                params![source, from, to],
            )?;
            uncover(&transaction, source, from, to)?;
            transaction.commit()?;
        }
        Ok(forgotten)
    })();
    result.map_err(|e| db.error(&e))
}

/// Takes days `from..=to` out of what `source`'s imported reports cover:
/// an import inside them goes, one overlapping them keeps its days
/// outside (two imports when the forgotten days are in its middle), so
/// the report calls those days unknown, not zero.
fn uncover(
    transaction: &rusqlite::Transaction<'_>,
    source: &str,
    from: i32,
    to: i32,
) -> rusqlite::Result<()> {
    let overlapping: Vec<(i64, i32, i32)> = {
        let mut statement = transaction.prepare(
            "SELECT rowid, first_day, last_day FROM revenue_imports
             WHERE source = ?1 AND last_day >= ?2 AND first_day <= ?3",
        )?;
        let rows = statement.query_map(params![source, from, to], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (rowid, first, last) in overlapping {
        if first < from {
            transaction.execute(
                "INSERT INTO revenue_imports (source, first_day, last_day, file, rows, imported_at)
                 SELECT source, first_day, ?2, file, rows, imported_at FROM revenue_imports WHERE rowid = ?1",
                params![rowid, from - 1],
            )?;
        }
        if last > to {
            transaction.execute(
                "INSERT INTO revenue_imports (source, first_day, last_day, file, rows, imported_at)
                 SELECT source, ?2, last_day, file, rows, imported_at FROM revenue_imports WHERE rowid = ?1",
                params![rowid, to + 1],
            )?;
        }
        transaction.execute("DELETE FROM revenue_imports WHERE rowid = ?1", [rowid])?;
    }
    Ok(())
}

/// The largest earnings report read: larger than a year of a big
/// network's orders, and small enough to hold in memory.
const MAX_REPORT_BYTES: u64 = 256 << 20;

/// The bytes of the report at `file`, refused past [`MAX_REPORT_BYTES`].
fn read_report(file: &std::path::Path) -> Result<Vec<u8>> {
    let size = std::fs::metadata(file)
        .map_err(|source| Error::io(file, "cannot read report", source))?
        .len();
    if size > MAX_REPORT_BYTES {
        return Err(Error::Content {
            location: crate::error::Location::file(file),
            message: format!(
                "{size} bytes, over the {} MB an earnings report may have: is this an earnings report? (split it by period)",
                MAX_REPORT_BYTES >> 20
            ),
        });
    }
    std::fs::read(file).map_err(|source| Error::io(file, "cannot read report", source))
}

/// Imports every report of `options`, one transaction each.
pub fn import(network: &Network, options: &RevenueOptions) -> Result<Vec<RevenueReport>> {
    if options.format == RevenueFormat::Csv && options.map.is_none() {
        return Err(Error::Usage(
            "--format csv needs --map, e.g. --map date=Date,amount=Commission,site=Sub ID".into(),
        ));
    }
    let attribution = Attribution::new(network)?;
    let _lock = RunLock::wait(&state::dir(&network.root), run_lock::STATS)?;
    let mut db = Db::open(&state::dir(&network.root))?;
    let source = options
        .source
        .clone()
        .unwrap_or_else(|| options.format.name().to_string());
    let currency = options.currency.clone().unwrap_or_else(|| "USD".into());
    let mut reports = Vec::new();
    for file in &options.files {
        let bytes = read_report(file)?;
        let required = options.format.required_columns(options.map.as_ref());
        let table = Table::parse(file, &bytes, &required)?;
        let (earnings, problems) = match options.format {
            RevenueFormat::Amazon => formats::amazon(&table, &attribution),
            RevenueFormat::Impact => formats::impact(&table, &attribution),
            RevenueFormat::Adsense => formats::adsense(&table, &attribution),
            RevenueFormat::Csv => formats::mapped(
                &table,
                options.map.as_ref().expect("checked above"),
                &attribution,
                &currency,
            ),
        };
        if let Some(problem) = problems.iter().find(|p| p.line.is_none()) {
            return Err(Error::Content {
                location: Location::file(file),
                message: problem.message.clone(),
            });
        }
        let period = formats::period(&table, &earnings);
        if let Some(period) = period {
            replace(&mut db, &source, period, &earnings, file)?;
        }
        reports.push(summarize(file, &source, period, &earnings, problems));
    }
    Ok(reports)
}

/// Replaces `source`'s rows in `period` with `earnings` (rolled up per day,
/// site and item) and records the import, in one transaction.
fn replace(
    db: &mut Db,
    source: &str,
    period: (Day, Day),
    earnings: &[Earning],
    file: &Path,
) -> Result<()> {
    /// Day, site, program, item, slug, currency, unmatched tag.
    type Key<'a> = (
        Day,
        Option<&'a str>,
        &'a str,
        &'a str,
        Option<&'a str>,
        &'a str,
        Option<&'a str>,
    );
    let mut rollup: BTreeMap<Key<'_>, (f64, i64)> = BTreeMap::new();
    for e in earnings {
        let key = (
            e.day,
            e.site.as_deref(),
            e.program.as_str(),
            e.item.as_str(),
            e.slug.as_deref(),
            e.currency.as_str(),
            e.unmatched.as_deref(),
        );
        let entry = rollup.entry(key).or_default();
        entry.0 += e.amount;
        entry.1 += e.items;
    }
    let result = (|| -> rusqlite::Result<()> {
        let transaction = db.conn().transaction()?;
        transaction.execute(
            "DELETE FROM revenue WHERE source = ?1 AND day BETWEEN ?2 AND ?3",
            params![source, period.0.0, period.1.0],
        )?;
        {
            let mut insert = transaction.prepare(
                "INSERT INTO revenue (source, day, site, program, item, slug, currency, amount, items, tag)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            for ((day, site, program, item, slug, currency, tag), (amount, items)) in &rollup {
                insert.execute(params![
                    source, day.0, site, program, item, slug, currency, amount, items, tag
                ])?;
            }
        }
        transaction.execute(
            "INSERT INTO revenue_imports (source, first_day, last_day, file, rows, imported_at)
             VALUES (?1, ?2, ?3, ?4, ?5, datetime('now'))",
            params![
                source,
                period.0.0,
                period.1.0,
                file.display().to_string(),
                earnings.len() as i64
            ],
        )?;
        transaction.commit()
    })();
    result.map_err(|e| db.error(&e))
}

fn summarize(
    file: &Path,
    source: &str,
    period: Option<(Day, Day)>,
    earnings: &[Earning],
    problems: Vec<Problem>,
) -> RevenueReport {
    let mut totals: BTreeMap<String, f64> = BTreeMap::new();
    let mut unmatched: BTreeMap<(String, String), f64> = BTreeMap::new();
    for e in earnings {
        *totals.entry(e.currency.clone()).or_default() += e.amount;
        if let Some(tag) = &e.unmatched {
            *unmatched
                .entry((tag.clone(), e.currency.clone()))
                .or_default() += e.amount;
        }
    }
    RevenueReport {
        file: file.to_path_buf(),
        source: source.to_string(),
        period,
        rows: earnings.len(),
        totals,
        unmatched: unmatched
            .into_iter()
            .map(|((tag, currency), amount)| (tag, currency, amount))
            .collect(),
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asins_are_found_in_product_urls() {
        assert_eq!(
            asin_in("https://www.amazon.com/dp/B0BH3WMZ8X?tag={{ site.affiliate.amazon_tag }}"),
            Some("B0BH3WMZ8X".into())
        );
        assert_eq!(
            asin_in("https://www.amazon.de/gp/product/b0cjbw4b9q/ref=x"),
            Some("B0CJBW4B9Q".into())
        );
        assert_eq!(asin_in("https://shop.example/dp/short"), None);
    }
}

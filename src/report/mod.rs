//! `grove report`: stats, revenue, LLM spend and the last build joined into
//! one model, per site and for the network, over a period. `--json` prints
//! it as it is (the dashboard reads the same model); the text form shows
//! the headline figures.
//!
//! Definitions:
//! - **views**: human page views; **visitors**: distinct visitors per day
//!   (salted daily hashes, so nobody is followed across days), summed over
//!   the period; **clicks**: human `/go/` clicks;
//! - **CTR** = clicks / views; **EPC** = revenue / clicks; **RPM** =
//!   revenue / views x 1000; **ROI** = (revenue - spend) / spend, with
//!   spend the LLM cost from the ledger (USD), so only when revenue is in
//!   USD.

mod load;
mod text;

use std::collections::BTreeMap;

use serde::Serialize;

pub use text::print_text;

use crate::day::Day;
use crate::error::{Error, Result};
use crate::network::Network;

/// What to report on.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// Sites to report on; all when empty.
    pub sites: Vec<String>,
    /// First day (default: 29 days before `until`).
    pub since: Option<Day>,
    /// Last day (default: the last day with data, else today).
    pub until: Option<Day>,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The days reported on.
    pub period: Period,
    /// The currency of `revenue` and the ratios.
    pub currency: String,
    /// The selected sites together.
    pub network: Totals,
    /// Revenue no site could be matched to, in `currency`.
    pub unattributed_revenue: f64,
    /// Revenue in other currencies, not in `revenue` or the ratios.
    pub other_currencies: BTreeMap<String, f64>,
    /// Per site, by name.
    pub sites: Vec<SiteReport>,
    /// Per day, for the network.
    pub daily: Vec<DayRow>,
    /// Crawler requests per crawler and day, for the network (is Google
    /// still crawling?), most requests first.
    pub crawlers_daily: Vec<NamedDays>,
    /// Whether any stats or revenue were ever imported (else the report
    /// says how to start).
    pub has_stats: bool,
    /// Whether any revenue was ever imported.
    pub has_revenue: bool,
}

/// First and last day, and how many.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Period {
    /// First day, `YYYY-MM-DD`.
    pub since: Day,
    /// Last day.
    pub until: Day,
    /// Days in the period.
    pub days: i32,
}

impl Period {
    /// The same number of days just before this period.
    pub fn previous(&self) -> Period {
        Period {
            since: self.since.plus(-self.days),
            until: self.since.plus(-1),
            days: self.days,
        }
    }
}

/// Figures of a site or the network.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    /// Pages the last build published (`None`: never built).
    pub pages_published: Option<usize>,
    /// Pages marked draft at the last build.
    pub drafts: Option<usize>,
    /// Human page views.
    pub views: u64,
    /// Visitors per day, summed.
    pub visitors: u64,
    /// `/go/` clicks.
    pub clicks: u64,
    /// clicks / views.
    pub ctr: Option<f64>,
    /// Earnings in the report's currency.
    pub revenue: f64,
    /// revenue / clicks.
    pub epc: Option<f64>,
    /// revenue per 1,000 views.
    pub rpm: Option<f64>,
    /// LLM spend (USD) from the ledger.
    pub spend: f64,
    /// (revenue - spend) / spend.
    pub roi: Option<f64>,
    /// 404 responses to people.
    pub not_found: u64,
    /// Crawler requests.
    pub crawler_hits: u64,
}

impl Totals {
    /// Fills the ratios from the counts; ROI only when revenue is in USD.
    fn derive(&mut self, usd: bool) {
        let ratio = |a: f64, b: f64| (b > 0.0).then(|| a / b);
        self.ctr = ratio(self.clicks as f64, self.views as f64);
        self.epc = ratio(self.revenue, self.clicks as f64);
        self.rpm = ratio(self.revenue * 1000.0, self.views as f64);
        self.roi = if usd {
            ratio(self.revenue - self.spend, self.spend)
        } else {
            None
        };
    }

    fn add(&mut self, other: &Totals) {
        let sum = |a: Option<usize>, b: Option<usize>| match (a, b) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
        };
        self.pages_published = sum(self.pages_published, other.pages_published);
        self.drafts = sum(self.drafts, other.drafts);
        self.views += other.views;
        self.visitors += other.visitors;
        self.clicks += other.clicks;
        self.revenue += other.revenue;
        self.spend += other.spend;
        self.not_found += other.not_found;
        self.crawler_hits += other.crawler_hits;
    }
}

/// One site's report.
#[derive(Debug, Clone, Serialize)]
pub struct SiteReport {
    /// The site's name.
    pub site: String,
    /// Its figures.
    #[serde(flatten)]
    pub totals: Totals,
    /// Pages with views or clicks, most viewed first.
    pub pages: Vec<PageRow>,
    /// Affiliate products with clicks or revenue, most clicked first.
    pub products: Vec<ProductRow>,
    /// Referrers of page views, most first.
    pub referrers: Vec<Count>,
    /// Crawler requests by crawler, most first.
    pub crawlers: Vec<Count>,
    /// Paths answered 404, most first.
    pub not_found_paths: Vec<Count>,
    /// Per day.
    pub daily: Vec<DayRow>,
}

/// A page's figures.
#[derive(Debug, Clone, Serialize)]
pub struct PageRow {
    /// Its path (below the site's base path).
    pub path: String,
    /// Human views.
    pub views: u64,
    /// `/go/` clicks from it.
    pub clicks: u64,
}

/// An affiliate product's figures.
#[derive(Debug, Clone, Serialize)]
pub struct ProductRow {
    /// Registry slug (or the report's item name, when it matched none).
    pub slug: String,
    /// `/go/` clicks.
    pub clicks: u64,
    /// Earnings in the report's currency.
    pub revenue: f64,
    /// revenue / clicks.
    pub epc: Option<f64>,
}

/// A name and a count.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Count {
    /// What was counted.
    pub name: String,
    /// How often.
    pub count: u64,
}

/// A count per day of the period, under a name.
#[derive(Debug, Clone, Serialize)]
pub struct NamedDays {
    /// What was counted.
    pub name: String,
    /// One count per day of the period, first day first.
    pub counts: Vec<u64>,
}

/// One day's figures.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DayRow {
    /// The day.
    pub date: Option<Day>,
    /// Human page views.
    pub views: u64,
    /// Visitors.
    pub visitors: u64,
    /// `/go/` clicks.
    pub clicks: u64,
    /// Crawler requests.
    pub crawler_hits: u64,
    /// Earnings in the report's currency.
    pub revenue: f64,
    /// LLM spend (USD).
    pub spend: f64,
}

/// Builds the report of `options` for `network`.
pub fn report(network: &Network, options: &ReportOptions) -> Result<Report> {
    let sites: Vec<String> = network
        .select(&options.sites, None)?
        .iter()
        .map(|s| s.name.clone())
        .collect();
    if let (Some(since), Some(until)) = (options.since, options.until)
        && since > until
    {
        return Err(Error::Usage(format!(
            "--since {since} is after --until {until}"
        )));
    }
    load::build(network, &sites, options)
}

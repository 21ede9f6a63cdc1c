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

mod candidates;
mod load;
mod money;
mod search;
mod text;
mod traffic;

use std::collections::BTreeMap;

use serde::Serialize;

pub use search::{
    LowCtrPage, Opportunities, PageSearchRow, QueryRow, SearchFigures, StrikingQuery, expected_ctr,
};
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
    /// Which days the imported data covers: figures outside it are not
    /// zero but unknown.
    pub coverage: Coverage,
    /// Revenue per source and program (in `currency`).
    pub revenue_by_source: Vec<SourceRevenue>,
    /// Revenue no site could be matched to, in `currency`.
    #[serde(serialize_with = "money")]
    pub unattributed_revenue: f64,
    /// That revenue, by the tracking ID or sub-ID no site has.
    pub unattributed: Vec<Unattributed>,
    /// Revenue in other currencies, not in `revenue` or the ratios.
    pub other_currencies: BTreeMap<String, Money>,
    /// Per site, by name.
    pub sites: Vec<SiteReport>,
    /// Per day, for the network.
    pub daily: Vec<DayRow>,
    /// Crawler requests per crawler and day, for the network (is Google
    /// still crawling?), most requests first.
    pub crawlers_daily: Vec<NamedDays>,
    /// Pages earning the most per 1,000 views that some site has no brief
    /// replicating yet, best first.
    pub replicate_candidates: Vec<Candidate>,
    /// Whether any stats or revenue were ever imported (else the report
    /// says how to start).
    pub has_stats: bool,
    /// Whether any revenue was ever imported.
    pub has_revenue: bool,
}

/// An amount of money, rounded to cents when printed as JSON.
#[derive(Debug, Clone, Copy, Default, PartialEq, PartialOrd)]
pub struct Money(pub f64);

impl Serialize for Money {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        money(&self.0, serializer)
    }
}

/// `value` rounded to cents.
fn money<S: serde::Serializer>(value: &f64, serializer: S) -> std::result::Result<S::Ok, S::Error> {
    serializer.serialize_f64(round(*value, 2))
}

/// `value` rounded to cents, when there is one.
fn money_opt<S: serde::Serializer>(
    value: &Option<f64>,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    match value {
        Some(v) => serializer.serialize_some(&round(*v, 2)),
        None => serializer.serialize_none(),
    }
}

/// A ratio rounded to 4 decimals (0.0123 = 1.23%), when there is one.
fn ratio_opt<S: serde::Serializer>(
    value: &Option<f64>,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    match value {
        Some(v) => serializer.serialize_some(&round(*v, 4)),
        None => serializer.serialize_none(),
    }
}

fn round(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    let rounded = (value * scale).round() / scale;
    if rounded == 0.0 { 0.0 } else { rounded }
}

/// First and last day of something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DayRange {
    /// First day.
    pub first: Day,
    /// Last day.
    pub last: Day,
}

/// Which days the imported data covers.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Coverage {
    /// First and last day of traffic imported (any selected site).
    pub traffic: Option<DayRange>,
    /// Per revenue source: the days its imported reports cover.
    pub revenue: Vec<SourceCoverage>,
    /// Days of the period some earnings report covers; revenue and its
    /// ratios count only those days.
    pub revenue_days: i32,
    /// First and last day of search figures imported (any selected site).
    pub search: Option<DayRange>,
    /// Whether some of the period's search figures were spread from an
    /// export's totals over a longer period: over part of that period
    /// they are estimates.
    pub search_estimated: bool,
}

impl Coverage {
    /// Whether every day of `period` has traffic imported around it.
    pub fn traffic_covers(&self, period: Period) -> bool {
        self.traffic
            .is_some_and(|t| t.first <= period.since && period.until <= t.last)
    }

    /// Days of `period` some earnings report covers.
    pub fn revenue_days_in(&self, period: Period) -> i32 {
        period
            .days()
            .filter(|&day| self.revenue_covers(day))
            .count() as i32
    }

    /// The stretches of `period` some earnings report covers.
    pub fn revenue_stretches(&self, period: Period) -> Vec<Period> {
        let mut stretches: Vec<Period> = Vec::new();
        for day in period.days().filter(|&day| self.revenue_covers(day)) {
            match stretches.last_mut() {
                Some(last) if last.until.plus(1) == day => {
                    last.until = day;
                    last.days += 1;
                }
                _ => stretches.push(Period {
                    since: day,
                    until: day,
                    days: 1,
                }),
            }
        }
        stretches
    }

    /// Whether `day` is covered by some earnings report.
    pub fn revenue_covers(&self, day: Day) -> bool {
        self.revenue
            .iter()
            .any(|s| s.ranges.iter().any(|r| r.first <= day && day <= r.last))
    }
}

/// The days one revenue source's imported reports cover.
#[derive(Debug, Clone, Serialize)]
pub struct SourceCoverage {
    /// The source (`amazon`, `impact`, or a `--source` name).
    pub source: String,
    /// First day covered.
    pub first: Day,
    /// Last day covered.
    pub last: Day,
    /// The covered stretches (several when reports left gaps).
    pub ranges: Vec<DayRange>,
    /// Days of the period it covers.
    pub days_in_period: i32,
}

/// Revenue of one source and program.
#[derive(Debug, Clone, Serialize)]
pub struct SourceRevenue {
    /// The source.
    pub source: String,
    /// The program (`amazon`, `impact`, `adsense`, a CSV's).
    pub program: String,
    /// Earnings in the report's currency.
    #[serde(serialize_with = "money")]
    pub revenue: f64,
}

/// Why revenue is attributed to no page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnattributedKind {
    /// Its tracking ID, sub-ID or site value matches no site: it is in no
    /// site's revenue.
    NoSite,
    /// An item of a site's earnings that is not in its affiliate registry
    /// (a shopper bought something else): in the site's revenue, on no
    /// page.
    NotInRegistry,
}

/// Revenue no site, or no registry product, could be matched to.
#[derive(Debug, Clone, Serialize)]
pub struct Unattributed {
    /// Why.
    pub kind: UnattributedKind,
    /// The source.
    pub source: String,
    /// The site, for an item outside its registry.
    pub site: Option<String>,
    /// The tracking ID, sub-ID or site value no site has, or the item.
    pub id: String,
    /// Earnings in the report's currency.
    #[serde(serialize_with = "money")]
    pub revenue: f64,
}

/// A page worth replicating.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    /// Its site.
    pub site: String,
    /// Its URL path.
    pub path: String,
    /// Its content file, relative to the network root.
    pub file: String,
    /// Views in the period.
    pub views: u64,
    /// Revenue attributed to it.
    #[serde(serialize_with = "money")]
    pub revenue: f64,
    /// Revenue per 1,000 views.
    #[serde(serialize_with = "ratio_opt")]
    pub rpm: Option<f64>,
    /// Sites with no brief replicating it yet.
    pub missing: Vec<String>,
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

    /// The period's days, first first.
    pub fn days(&self) -> impl Iterator<Item = Day> + '_ {
        (0..self.days).map(|i| self.since.plus(i))
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
    #[serde(serialize_with = "ratio_opt")]
    pub ctr: Option<f64>,
    /// Earnings in the report's currency on the days some earnings report
    /// covers; `None` when none covers any day of the period (unknown, not
    /// zero).
    #[serde(serialize_with = "money_opt")]
    pub revenue: Option<f64>,
    /// revenue / clicks, over the covered days.
    #[serde(serialize_with = "ratio_opt")]
    pub epc: Option<f64>,
    /// revenue per 1,000 views, over the covered days.
    #[serde(serialize_with = "ratio_opt")]
    pub rpm: Option<f64>,
    /// LLM spend (USD) from the ledger.
    #[serde(serialize_with = "money")]
    pub spend: f64,
    /// (revenue - spend) / spend, when revenue is in USD and spend is at
    /// least [`MEANINGFUL_SPEND`].
    #[serde(serialize_with = "ratio_opt")]
    pub roi: Option<f64>,
    /// 404 responses to people.
    pub not_found: u64,
    /// Crawler requests.
    pub crawler_hits: u64,
    /// Search results: impressions, clicks, CTR, average position.
    pub search: SearchFigures,
    /// Clicks and views on the days revenue covers (for the ratios).
    #[serde(skip)]
    covered: (u64, u64),
}

/// Spend below this (USD) makes ROI a meaningless huge number.
pub const MEANINGFUL_SPEND: f64 = 1.0;

impl Totals {
    /// Fills the ratios from the counts; ROI only when revenue is in USD.
    fn derive(&mut self, usd: bool) {
        let ratio = |a: f64, b: f64| (b > 0.0).then(|| a / b);
        self.ctr = ratio(self.clicks as f64, self.views as f64);
        let (clicks, views) = self.covered;
        self.epc = self.revenue.and_then(|r| ratio(r, clicks as f64));
        self.rpm = self.revenue.and_then(|r| ratio(r * 1000.0, views as f64));
        self.roi = match self.revenue {
            Some(revenue) if usd && self.spend >= MEANINGFUL_SPEND => {
                ratio(revenue - self.spend, self.spend)
            }
            _ => None,
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
        self.revenue = match (self.revenue, other.revenue) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
        };
        self.spend += other.spend;
        self.not_found += other.not_found;
        self.crawler_hits += other.crawler_hits;
        self.search.0.add(&other.search.0);
        self.covered.0 += other.covered.0;
        self.covered.1 += other.covered.1;
    }
}

/// One site's report.
#[derive(Debug, Clone, Serialize)]
pub struct SiteReport {
    /// The site's name (its folder).
    pub site: String,
    /// Its title.
    pub title: String,
    /// The host of its base URL.
    pub domain: String,
    /// Its figures.
    #[serde(flatten)]
    pub totals: Totals,
    /// Revenue per program.
    pub revenue_by_program: Vec<ProgramRevenue>,
    /// Revenue no known page's click led to: items outside the registry,
    /// products whose clicks came from unknown pages or fell outside the
    /// period.
    #[serde(serialize_with = "money_opt")]
    pub revenue_off_pages: Option<f64>,
    /// Pages with views, clicks, revenue or search impressions, most
    /// viewed first.
    pub pages: Vec<PageRow>,
    /// Search queries the site is shown for, most impressions first.
    pub search_queries: Vec<QueryRow>,
    /// What its search figures suggest doing.
    pub opportunities: Opportunities,
    /// Affiliate products with clicks or revenue, most clicked first.
    pub products: Vec<ProductRow>,
    /// Referrers of page views, most first.
    pub referrers: Vec<Count>,
    /// Crawler requests by crawler, most first.
    pub crawlers: Vec<Count>,
    /// Paths answered 404, most first.
    pub not_found_paths: Vec<Count>,
    /// Every request (people's and crawlers', pages and assets) by HTTP
    /// status code, most first.
    pub statuses: Vec<Count>,
    /// Per day.
    pub daily: Vec<DayRow>,
}

/// Revenue of one program on a site.
#[derive(Debug, Clone, Serialize)]
pub struct ProgramRevenue {
    /// The program.
    pub program: String,
    /// Earnings in the report's currency.
    #[serde(serialize_with = "money")]
    pub revenue: f64,
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
    /// Revenue attributed to it: each product's revenue shared among the
    /// pages its clicks came from, in proportion to their clicks.
    #[serde(serialize_with = "money_opt")]
    pub revenue: Option<f64>,
    /// revenue / clicks.
    #[serde(serialize_with = "ratio_opt")]
    pub epc: Option<f64>,
    /// revenue per 1,000 views.
    #[serde(serialize_with = "ratio_opt")]
    pub rpm: Option<f64>,
    /// Search figures and top queries.
    pub search: PageSearchRow,
    /// Clicks and views on the days revenue covers (for the ratios).
    #[serde(skip)]
    covered: (u64, u64),
}

impl PageRow {
    /// The row of `path`, with nothing counted yet.
    pub(crate) fn empty(path: String) -> PageRow {
        PageRow {
            path,
            views: 0,
            clicks: 0,
            revenue: None,
            epc: None,
            rpm: None,
            search: PageSearchRow::default(),
            covered: (0, 0),
        }
    }
}

/// An affiliate product's figures.
#[derive(Debug, Clone, Serialize)]
pub struct ProductRow {
    /// Registry slug (or the report's item name, when it matched none).
    pub slug: String,
    /// Whether it is an entry of the affiliate registry.
    pub in_registry: bool,
    /// `/go/` clicks.
    pub clicks: u64,
    /// Earnings in the report's currency (`None`: no report covers the
    /// period).
    #[serde(serialize_with = "money_opt")]
    pub revenue: Option<f64>,
    /// revenue / clicks.
    #[serde(serialize_with = "ratio_opt")]
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
    /// Earnings in the report's currency; `None` on a day no earnings
    /// report covers.
    #[serde(serialize_with = "money_opt")]
    pub revenue: Option<f64>,
    /// LLM spend (USD).
    #[serde(serialize_with = "money")]
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

//! Search performance data: how each page does in Google and Bing
//! (impressions, clicks, average position, per query), read from what
//! operators have — Search Console's web export (a zip of CSV files),
//! saved Search Analytics API responses, Bing Webmaster Tools' exports —
//! or fetched from the Search Console API, into the stats database.
//!
//! Kept per site, engine, grain and day (see [`store`]): a day's rows of
//! one grain are one record, so a re-import replaces exactly its days.
//! Exports that give totals over a period (the web export's pages and
//! queries) are spread over its days by the export's own daily totals
//! ([`spread`]): a report over the export's period shows its figures
//! exactly, one over part of it an estimate, which the report says.

pub mod api;
pub mod export;
pub mod fetch;
pub mod figures;
pub mod import;
pub mod jwt;
mod numbers;
pub mod sites;
pub mod spread;
pub mod store;

use serde::Serialize;

use crate::day::Day;

/// The search engine figures come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// Google (Search Console).
    Google,
    /// Bing (Webmaster Tools).
    Bing,
}

impl Engine {
    /// Its name, as stored.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Google => "google",
            Engine::Bing => "bing",
        }
    }

    /// The engine of a stored name.
    pub fn from_name(name: &str) -> Option<Engine> {
        match name {
            "google" => Some(Engine::Google),
            "bing" => Some(Engine::Bing),
            _ => None,
        }
    }
}

/// What one row of search figures is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Grain {
    /// The whole site (Search Console's property totals per day).
    Site,
    /// One page, all queries (counted by page: the exact page figures).
    Page,
    /// One query, all pages.
    Query,
    /// One page for one query (anonymized queries left out by Google).
    PageQuery,
}

impl Grain {
    /// Its name, as stored.
    pub fn name(self) -> &'static str {
        match self {
            Grain::Site => "site",
            Grain::Page => "page",
            Grain::Query => "query",
            Grain::PageQuery => "page_query",
        }
    }

    /// Every grain.
    pub const ALL: [Grain; 4] = [Grain::Site, Grain::Page, Grain::Query, Grain::PageQuery];
}

/// Clicks, impressions and the sum of positions (position x impressions:
/// the average position is `position_sum / impressions`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Metrics {
    /// Clicks from search results.
    pub clicks: u64,
    /// Times shown in search results.
    pub impressions: u64,
    /// Position x impressions, summed.
    pub position_sum: f64,
}

impl Metrics {
    /// From a report's clicks, impressions and average position.
    pub fn new(clicks: u64, impressions: u64, position: f64) -> Metrics {
        Metrics {
            clicks,
            impressions,
            position_sum: position * impressions as f64,
        }
    }

    /// Adds `other`.
    pub fn add(&mut self, other: &Metrics) {
        self.clicks += other.clicks;
        self.impressions += other.impressions;
        self.position_sum += other.position_sum;
    }

    /// clicks / impressions.
    pub fn ctr(&self) -> Option<f64> {
        (self.impressions > 0).then(|| self.clicks as f64 / self.impressions as f64)
    }

    /// The average position, weighted by impressions.
    pub fn position(&self) -> Option<f64> {
        (self.impressions > 0).then(|| self.position_sum / self.impressions as f64)
    }

    /// Whether nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.clicks == 0 && self.impressions == 0
    }
}

/// One row of search figures for a day, as read from a file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fact<'a> {
    /// The engine.
    pub engine: Engine,
    /// What the row is about.
    pub grain: Grain,
    /// The site (its name).
    pub site: &'a str,
    /// The day.
    pub day: Day,
    /// The page (a path as Grove names pages), empty for site and query
    /// rows.
    pub page: &'a str,
    /// The query, empty for site and page rows.
    pub query: &'a str,
    /// Its figures.
    pub metrics: Metrics,
    /// Whether it was spread from a period's totals.
    pub spread: bool,
}

//! What one import counted, in memory, before it is added to the database
//! in one transaction. Tallies of parts of a log are counted in parallel
//! and merged.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::hll::Sketch;
use crate::day::Day;

/// The per-key daily series Grove keeps, and their names in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// Human page views, by page path.
    View,
    /// `/go/` clicks, by affiliate slug.
    Click,
    /// `/go/` clicks, by slug and source page (`slug\tpath`).
    ClickFrom,
    /// 404 responses to people, by path.
    NotFound,
    /// Page views, by referrer (see [`super::referrer::referrer_key`]).
    Referrer,
    /// Crawler requests, by crawler name.
    Crawler,
    /// Crawler requests refused (401, 403 or 429), by crawler name.
    CrawlerRefused,
    /// Every request of the site (people's and crawlers', pages and
    /// assets), by HTTP status code.
    Status,
}

impl Kind {
    /// Every kind, in the order of [`SiteTally::series`].
    pub const ALL: [Kind; 8] = [
        Kind::View,
        Kind::Click,
        Kind::ClickFrom,
        Kind::NotFound,
        Kind::Referrer,
        Kind::Crawler,
        Kind::CrawlerRefused,
        Kind::Status,
    ];

    /// The name stored in `series.kind`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::View => "view",
            Kind::Click => "click",
            Kind::ClickFrom => "click_from",
            Kind::NotFound => "not_found",
            Kind::Referrer => "referrer",
            Kind::Crawler => "crawler",
            Kind::CrawlerRefused => "crawler_refused",
            Kind::Status => "status",
        }
    }
}

/// One site's totals on one day.
#[derive(Debug, Default, Clone)]
pub struct DayTotals {
    /// Human page views.
    pub views: u64,
    /// Human `/go/` clicks.
    pub clicks: u64,
    /// 404 responses to people.
    pub not_found: u64,
    /// Crawler requests.
    pub crawler_hits: u64,
    /// The day's visitors (present once a page view was counted).
    pub sketch: Option<Box<Sketch>>,
}

impl DayTotals {
    fn merge(&mut self, other: DayTotals) {
        self.views += other.views;
        self.clicks += other.clicks;
        self.not_found += other.not_found;
        self.crawler_hits += other.crawler_hits;
        match (&mut self.sketch, other.sketch) {
            (Some(mine), Some(theirs)) => mine.merge(&theirs),
            (mine @ None, theirs) => *mine = theirs,
            (Some(_), None) => {}
        }
    }
}

/// A hash map with a fast, unkeyed hasher (FxHash's): keys here are paths
/// and user agents from one log, not chosen to collide, and hashing them
/// with SipHash cost a twentieth of an import.
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// FxHash (rustc's): a multiply and rotate per word.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
        }
        for &byte in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(byte)).wrapping_mul(SEED);
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.write(&[byte]);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Counts per key: each day seen with its count (few days per import).
pub type Series = FastMap<Box<str>, Vec<(Day, u64)>>;

/// Everything counted for one site.
#[derive(Debug, Default)]
pub struct SiteTally {
    /// Totals per day.
    pub days: FastMap<Day, DayTotals>,
    /// One map per [`Kind`], in [`Kind::ALL`]'s order.
    pub series: [Series; 8],
    /// Requests per (day, status code), kept apart while counting: a few
    /// entries, found by a short scan instead of a hash lookup per line;
    /// folded into the `status` series by [`Tally::settle`].
    statuses: Vec<(Day, u16, u64)>,
}

/// Entries of [`SiteTally::statuses`] scanned before they are folded into
/// the series (a log of many days and statuses stays fast).
const STATUS_ENTRIES: usize = 32;

impl SiteTally {
    /// The totals of `day`.
    pub fn day(&mut self, day: Day) -> &mut DayTotals {
        self.days.entry(day).or_default()
    }

    /// Adds one to `key` of `kind` on `day`.
    pub fn count(&mut self, kind: Kind, key: &str, day: Day) {
        let series = &mut self.series[kind as usize];
        let days = match series.get_mut(key) {
            Some(days) => days,
            None => series.entry(Box::from(key)).or_default(),
        };
        match days.iter_mut().find(|(d, _)| *d == day) {
            Some((_, count)) => *count += 1,
            None => days.push((day, 1)),
        }
    }

    /// Adds one request answered `status` on `day`.
    pub fn count_status(&mut self, day: Day, status: u16) {
        match self
            .statuses
            .iter_mut()
            .rev()
            .find(|(d, s, _)| *d == day && *s == status)
        {
            Some(entry) => entry.2 += 1,
            None => {
                if self.statuses.len() == STATUS_ENTRIES {
                    self.fold_statuses();
                }
                self.statuses.push((day, status, 1));
            }
        }
    }

    /// Moves the status counts into the `status` series.
    fn fold_statuses(&mut self) {
        let series = &mut self.series[Kind::Status as usize];
        for (day, status, count) in self.statuses.drain(..) {
            let days = series.entry(Box::from(status.to_string())).or_default();
            match days.iter_mut().find(|(d, _)| *d == day) {
                Some((_, existing)) => *existing += count,
                None => days.push((day, count)),
            }
        }
    }

    fn merge(&mut self, mut other: SiteTally) {
        other.fold_statuses();
        for (day, totals) in other.days {
            self.days.entry(day).or_default().merge(totals);
        }
        for (mine, theirs) in self.series.iter_mut().zip(other.series.iter_mut()) {
            // The smaller map goes into the larger: counts add up alike.
            if theirs.len() > mine.len() {
                std::mem::swap(mine, theirs);
            }
            for (key, days) in std::mem::take(theirs) {
                let entry = mine.entry(key).or_default();
                for (day, count) in days {
                    match entry.iter_mut().find(|(d, _)| *d == day) {
                        Some((_, existing)) => *existing += count,
                        None => entry.push((day, count)),
                    }
                }
            }
        }
    }
}

/// Everything one import (or part of one) counted.
#[derive(Debug, Default)]
pub struct Tally {
    /// Per site, by the site's index in the import's site list.
    pub sites: Vec<SiteTally>,
    /// Requests for hosts no site has: (host, day) -> requests.
    pub unknown_hosts: HashMap<(Box<str>, Day), u64>,
    /// Lines read (not counting ones imported before).
    pub lines: u64,
    /// Lines that are not requests of the format.
    pub malformed: u64,
    /// The first malformed lines: (line number, text).
    pub malformed_examples: Vec<(u64, String)>,
    /// Requests on a site's host but outside its base path.
    pub outside_base_path: u64,
    /// `/go/` requests, counted as clicks by [`Tally::settle`].
    pub clicks: Vec<Click>,
}

/// A `/go/` request, before repeats are merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Click {
    /// The site, by index.
    pub site: usize,
    /// The visitor's salted hash (never stored).
    pub visitor: u64,
    /// The affiliate slug.
    pub slug: Box<str>,
    /// The page it came from, or empty.
    pub source: Box<str>,
    /// Seconds since 1970.
    pub time: i64,
    /// Its day.
    pub day: Day,
}

/// Requests of one `/go/` link by one visitor this close together are one
/// click: a server's redirect to the trailing-slash form (`/go/slug` ->
/// `/go/slug/`), a double click, a reload.
pub const REPEAT_SECONDS: i64 = 10;

/// How many malformed lines an import shows.
pub const MALFORMED_SHOWN: usize = 5;

impl Tally {
    /// An empty tally for `sites` sites.
    pub fn new(sites: usize) -> Tally {
        Tally {
            sites: (0..sites).map(|_| SiteTally::default()).collect(),
            ..Tally::default()
        }
    }

    /// Adds `other` (a later part of the same log) to this one.
    pub fn merge(&mut self, other: Tally) {
        for (mine, theirs) in self.sites.iter_mut().zip(other.sites) {
            mine.merge(theirs);
        }
        for (key, hits) in other.unknown_hosts {
            *self.unknown_hosts.entry(key).or_default() += hits;
        }
        self.clicks.extend(other.clicks);
        self.lines += other.lines;
        self.malformed += other.malformed;
        self.outside_base_path += other.outside_base_path;
        for example in other.malformed_examples {
            if self.malformed_examples.len() < MALFORMED_SHOWN {
                self.malformed_examples.push(example);
            }
        }
    }

    /// Makes the counts final: status counts into their series, and the
    /// `/go/` requests into clicks (see [`Tally::settle_clicks`]).
    pub fn settle(&mut self) {
        for site in &mut self.sites {
            site.fold_statuses();
        }
        self.settle_clicks();
    }

    /// Counts the `/go/` requests as clicks: of one visitor's requests of
    /// one link, one a click and the next ones within [`REPEAT_SECONDS`]
    /// of it repeats; a click keeps the page its first request came from.
    fn settle_clicks(&mut self) {
        let mut clicks = std::mem::take(&mut self.clicks);
        clicks.sort_by(|a, b| {
            (a.site, a.visitor, &a.slug, a.time).cmp(&(b.site, b.visitor, &b.slug, b.time))
        });
        let mut last: Option<&Click> = None;
        for click in &clicks {
            let repeat = last.is_some_and(|counted| {
                (counted.site, counted.visitor, &counted.slug)
                    == (click.site, click.visitor, &click.slug)
                    && click.time - counted.time <= REPEAT_SECONDS
            });
            if repeat {
                continue;
            }
            let site = &mut self.sites[click.site];
            site.day(click.day).clicks += 1;
            site.count(Kind::Click, &click.slug, click.day);
            site.count(
                Kind::ClickFrom,
                &format!("{}\t{}", click.slug, click.source),
                click.day,
            );
            last = Some(click);
        }
    }

    /// Records a malformed line.
    pub fn malformed(&mut self, line_number: u64, text: &str) {
        self.malformed += 1;
        if self.malformed_examples.len() < MALFORMED_SHOWN {
            let shown: String = text.chars().take(160).collect();
            self.malformed_examples.push((line_number, shown));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_of_many_days_add_up_in_the_series() {
        let mut tally = Tally::new(1);
        // 40 days x 3 statuses: more entries than are scanned at once.
        for day in 0..40 {
            for status in [200, 404, 200, 304] {
                tally.sites[0].count_status(Day(day), status);
            }
        }
        let mut other = Tally::new(1);
        other.sites[0].count_status(Day(0), 200);
        tally.merge(other);
        tally.settle();
        let series = &tally.sites[0].series[Kind::Status as usize];
        let total = |key: &str| -> u64 { series[key].iter().map(|(_, n)| n).sum() };
        assert_eq!(total("200"), 81);
        assert_eq!(total("404"), 40);
        assert_eq!(total("304"), 40);
        assert_eq!(series["200"].len(), 40, "one entry per day");
        assert!(
            series["200"]
                .iter()
                .any(|&(day, n)| day == Day(0) && n == 3)
        );
    }
}

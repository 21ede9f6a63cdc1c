//! Watching the database: a site's views or clicks falling against the
//! same weekday's average, a 404 spike, a search crawler that stopped
//! coming or that is suddenly refused (401, 403, 429), and a program that
//! stopped earning.
//!
//! The day judged is the last complete day the logs cover (the latest
//! day in the database, at most yesterday); its baseline is the same
//! weekday in the four weeks before, from the days the database covers
//! (at least two). Earnings are judged over the last seven days each
//! source's reports cover against the four weeks before.

use rusqlite::{Connection, params};

use super::alerts::{Finding, Kind};
use crate::day::Day;
use crate::network::WatchSettings;

/// Crawlers whose disappearance matters (names as `grove stats` counts
/// them).
const SEARCH_CRAWLERS: &[&str] = &["Googlebot", "Bingbot"];

/// A crawler counts as coming every day from this many hits a day on
/// average.
const CRAWLER_MIN_DAILY: f64 = 5.0;

/// A program counts as earning when it earned on this many days of the
/// four weeks before.
const EARNING_DAYS: usize = 3;

/// What the stats checks found, and the day they judged.
pub struct Trends {
    /// Problems.
    pub findings: Vec<Finding>,
    /// The day judged (none without traffic in the database).
    pub day: Option<Day>,
}

/// Runs the stats checks for `sites`.
pub fn check(
    conn: &Connection,
    sites: &[String],
    settings: &WatchSettings,
) -> rusqlite::Result<Trends> {
    let mut findings = Vec::new();
    let span: Option<(i32, i32)> =
        conn.query_row("SELECT MIN(day), MAX(day) FROM site_days", [], |row| {
            Ok(row
                .get::<_, Option<i32>>(0)?
                .zip(row.get::<_, Option<i32>>(1)?))
        })?;
    let day = span.map(|(first, last)| {
        let judged = Day(last).min(Day::today().plus(-1));
        (Day(first), judged)
    });
    if let Some((first, judged)) = day {
        for site in sites {
            traffic(conn, site, first, judged, settings, &mut findings)?;
            crawlers(conn, site, first, judged, &mut findings)?;
        }
    }
    earnings(conn, sites, &mut findings)?;
    Ok(Trends {
        findings,
        day: day.map(|(_, judged)| judged),
    })
}

/// The same weekday in the four weeks before `day`, from `first` on.
fn baseline_days(first: Day, day: Day) -> Vec<Day> {
    (1..=4)
        .map(|week| day.plus(-7 * week))
        .filter(|d| *d >= first)
        .collect()
}

/// The mean of `values`, when there are at least two.
fn mean(values: &[u64]) -> Option<f64> {
    (values.len() >= 2).then(|| values.iter().sum::<u64>() as f64 / values.len() as f64)
}

/// Whether `value` fell by more than `share` from `average` (judged only
/// from `min` up).
pub fn fell(value: u64, average: f64, share: f64, min: u64) -> bool {
    average >= min as f64 && (value as f64) < average * (1.0 - share)
}

/// Whether `value` is a spike over `average`.
pub fn spiked(value: u64, average: f64, factor: f64) -> bool {
    let value = value as f64;
    value >= 20.0 && value >= average * factor && value >= average + 20.0
}

fn weekday_name(day: Day) -> &'static str {
    const NAMES: [&str; 7] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    // 1970-01-01 was a Thursday.
    NAMES[(day.0 + 3).rem_euclid(7) as usize]
}

fn traffic(
    conn: &Connection,
    site: &str,
    first: Day,
    day: Day,
    settings: &WatchSettings,
    findings: &mut Vec<Finding>,
) -> rusqlite::Result<()> {
    let mut statement = conn.prepare_cached(
        "SELECT views, clicks, not_found FROM site_days WHERE site = ?1 AND day = ?2",
    )?;
    let mut counts = |d: Day| -> rusqlite::Result<[u64; 3]> {
        let mut rows = statement.query(params![site, d.0])?;
        Ok(match rows.next()? {
            Some(row) => [row.get(0)?, row.get(1)?, row.get(2)?],
            None => [0; 3],
        })
    };
    let today = counts(day)?;
    let before: Vec<[u64; 3]> = baseline_days(first, day)
        .into_iter()
        .map(&mut counts)
        .collect::<rusqlite::Result<_>>()?;
    let column = |i: usize| before.iter().map(|c| c[i]).collect::<Vec<_>>();
    let weekday = weekday_name(day);
    for (index, kind, what) in [
        (0, Kind::ViewsDrop, "page views"),
        (1, Kind::ClicksDrop, "affiliate clicks"),
    ] {
        let Some(average) = mean(&column(index)) else {
            continue;
        };
        if fell(
            today[index],
            average,
            settings.drop_share,
            settings.min_daily,
        ) {
            findings.push(Finding {
                site: site.to_string(),
                kind,
                subject: what.to_string(),
                message: format!(
                    "{what} on {weekday} {day}: {}, against {average:.0} on the {weekday}s before ({}); look at the site, its pages' positions and the log import",
                    today[index],
                    percent_change(today[index], average)
                ),
            });
        }
    }
    if let Some(average) = mean(&column(2))
        && spiked(today[2], average, settings.not_found_factor)
    {
        findings.push(Finding {
            site: site.to_string(),
            kind: Kind::NotFoundSpike,
            subject: "404s".into(),
            message: format!(
                "{} requests for missing pages on {weekday} {day}, against {average:.0} on the {weekday}s before: `grove stats 404s --site {site} --suggest` lists them",
                today[2]
            ),
        });
    }
    Ok(())
}

fn crawlers(
    conn: &Connection,
    site: &str,
    first: Day,
    day: Day,
    findings: &mut Vec<Finding>,
) -> rusqlite::Result<()> {
    let baseline = baseline_days(first, day);
    // Days imported before refusals were counted are unknown, not zero.
    let counted_from = crate::db::crawler_refusals_from(conn)?;
    let refusals_counted = baseline.iter().all(|d| *d >= counted_from);
    let baseline_counts: Vec<Vec<(u64, u64)>> = baseline
        .iter()
        .map(|d| crawler_day(conn, site, *d))
        .collect::<rusqlite::Result<_>>()?;
    let day_counts = crawler_day(conn, site, day)?;
    for (index, crawler) in SEARCH_CRAWLERS.iter().enumerate() {
        let before: Vec<(u64, u64)> = baseline_counts.iter().map(|c| c[index]).collect();
        let hits: Vec<u64> = before.iter().map(|(h, _)| *h).collect();
        let Some(average) = mean(&hits) else {
            continue;
        };
        let today = day_counts[index];
        let weekday = weekday_name(day);
        if average >= CRAWLER_MIN_DAILY && today.0 == 0 {
            findings.push(Finding {
                site: site.to_string(),
                kind: Kind::CrawlerGone,
                subject: (*crawler).to_string(),
                message: format!(
                    "{crawler} did not come on {day} (it came {average:.0} times a day on the {weekday}s before): check robots.txt, the firewall and the host's bot protection"
                ),
            });
        }
        let (before_hits, before_refused) = before
            .iter()
            .fold((0, 0), |(h, r), (dh, dr)| (h + dh, r + dr));
        if refusals_counted && newly_refused(today, (before_hits, before_refused)) {
            findings.push(Finding {
                site: site.to_string(),
                kind: Kind::CrawlerRefused,
                subject: (*crawler).to_string(),
                message: format!(
                    "{crawler} was refused {} of its {} requests on {day} (401, 403 or 429; {:.0}% on the {weekday}s before): a firewall rule or the host's bot protection may be turning it away; impostors using its name are refused too, so compare with the search engine's own crawl report",
                    today.1,
                    today.0,
                    100.0 * before_refused as f64 / before_hits as f64
                ),
            });
        }
    }
    Ok(())
}

/// Each search crawler's (requests, refused requests) on `day`, in the
/// order of [`SEARCH_CRAWLERS`].
fn crawler_day(conn: &Connection, site: &str, day: Day) -> rusqlite::Result<Vec<(u64, u64)>> {
    let hits = crate::db::series_sums(conn, site, "crawler", day, day)?;
    let refused = crate::db::series_sums(conn, site, "crawler_refused", day, day)?;
    let of = |counts: &[(String, u64)], crawler: &str| -> u64 {
        counts
            .iter()
            .filter(|(name, _)| name == crawler)
            .map(|(_, n)| n)
            .sum()
    };
    Ok(SEARCH_CRAWLERS
        .iter()
        .map(|crawler| (of(&hits, crawler), of(&refused, crawler)))
        .collect())
}

/// Whether a crawler's (requests, refused) of a day are mostly refusals
/// (from [`CRAWLER_MIN_DAILY`] requests up) where its requests of the
/// days before were mostly let in: a rule that began to turn it away, not
/// the impostors a firewall always refuses.
pub fn newly_refused(day: (u64, u64), before: (u64, u64)) -> bool {
    let (hits, refused) = day;
    let (before_hits, before_refused) = before;
    hits as f64 >= CRAWLER_MIN_DAILY
        && refused * 2 >= hits
        && before_hits > 0
        && (before_refused as f64) < 0.2 * before_hits as f64
}

fn earnings(
    conn: &Connection,
    sites: &[String],
    findings: &mut Vec<Finding>,
) -> rusqlite::Result<()> {
    let mut sources =
        conn.prepare("SELECT source, MAX(last_day) FROM revenue_imports GROUP BY source")?;
    let covered: Vec<(String, i32)> = sources
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut days = conn.prepare(
        "SELECT site, program, day, SUM(amount) FROM revenue
         WHERE source = ?1 AND site IS NOT NULL AND day BETWEEN ?2 AND ?3
         GROUP BY site, program, day",
    )?;
    for (source, last) in covered {
        let last = Day(last);
        let recent_from = last.plus(-6);
        let mut per_program: std::collections::BTreeMap<(String, String), (usize, f64)> =
            std::collections::BTreeMap::new();
        let rows = days.query_map(params![source, last.plus(-34).0, last.0], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, i32>(2)?,
                row.get::<_, f64>(3)?,
            ))
        })?;
        for row in rows {
            let (site, program, day, amount) = row?;
            let entry = per_program.entry((site, program)).or_default();
            if Day(day) >= recent_from {
                entry.1 += amount;
            } else if amount > 0.0 {
                entry.0 += 1;
            }
        }
        for ((site, program), (earning_days, recent)) in per_program {
            if sites.contains(&site) && earning_days >= EARNING_DAYS && recent <= 0.0 {
                findings.push(Finding {
                    site,
                    kind: Kind::EarningsZero,
                    subject: program.clone(),
                    message: format!(
                        "{program} earned nothing from {recent_from} to {last} ({source} reports), after earning on {earning_days} days of the four weeks before: check the tracking tag, the links and the account"
                    ),
                });
            }
        }
    }
    Ok(())
}

fn percent_change(value: u64, average: f64) -> String {
    format!("{:+.0}%", (value as f64 / average - 1.0) * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_crawler_is_newly_refused_only_against_a_let_in_past() {
        // Refused on most of 40 requests, let in before: an alert.
        assert!(newly_refused((40, 30), (160, 3)));
        // Impostors always refused (half the requests before): none.
        assert!(!newly_refused((40, 30), (160, 80)));
        // A few refusals, or too few requests to judge: none.
        assert!(!newly_refused((40, 10), (160, 3)));
        assert!(!newly_refused((4, 4), (160, 3)));
        // Never seen before: nothing to compare with.
        assert!(!newly_refused((40, 40), (0, 0)));
    }

    #[test]
    fn falls_and_spikes() {
        assert!(fell(40, 100.0, 0.5, 20));
        assert!(!fell(60, 100.0, 0.5, 20));
        // Too little traffic to judge.
        assert!(!fell(0, 10.0, 0.5, 20));
        assert!(spiked(90, 10.0, 3.0));
        assert!(!spiked(25, 10.0, 3.0));
        assert!(!spiked(10, 0.0, 3.0));
        assert!(spiked(20, 0.0, 3.0));
    }

    #[test]
    fn weekdays_and_baselines() {
        assert_eq!(weekday_name(Day::from_ymd(2026, 12, 4).unwrap()), "Friday");
        assert_eq!(weekday_name(Day(0)), "Thursday");
        let day = Day::from_ymd(2026, 12, 4).unwrap();
        assert_eq!(baseline_days(day.plus(-30), day).len(), 4);
        assert_eq!(
            baseline_days(day.plus(-14), day),
            [day.plus(-7), day.plus(-14)]
        );
        assert_eq!(mean(&[10]), None);
        assert_eq!(mean(&[10, 20]), Some(15.0));
        assert_eq!(percent_change(25, 100.0), "-75%");
    }

    #[test]
    fn a_program_that_stopped_earning() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = crate::db::Db::open(dir.path()).unwrap();
        let conn = db.conn();
        let last = Day::from_ymd(2026, 11, 30).unwrap();
        conn.execute(
            "INSERT INTO revenue_imports VALUES ('amazon', ?1, ?2, 'r.csv', 1, 'now')",
            params![last.plus(-40).0, last.0],
        )
        .unwrap();
        let earn = |site: &str, program: &str, day: Day, amount: f64| {
            conn.execute(
                "INSERT INTO revenue (source, day, site, program, item, currency, amount, items) VALUES ('amazon', ?1, ?2, ?3, 'x', 'USD', ?4, 1)",
                params![day.0, site, program, amount],
            )
            .unwrap();
        };
        for back in [10, 15, 20, 25] {
            earn("a", "amazon", last.plus(-back), 3.0);
            earn("b", "amazon", last.plus(-back), 3.0);
        }
        // Site b still earns; a does not; c earned only once before.
        earn("b", "amazon", last.plus(-2), 1.0);
        earn("c", "amazon", last.plus(-20), 9.0);
        let sites: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let mut findings = Vec::new();
        earnings(conn, &sites, &mut findings).unwrap();
        assert_eq!(findings.len(), 1);
        assert_eq!(
            (findings[0].site.as_str(), findings[0].kind),
            ("a", Kind::EarningsZero)
        );
        assert!(
            findings[0].message.contains("2026-11-24 to 2026-11-30"),
            "{}",
            findings[0].message
        );
    }
}

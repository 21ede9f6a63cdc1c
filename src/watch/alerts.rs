//! Alerts in the database (`watch_alerts`): a problem found by a check
//! is an alert with when it was first and last seen; found again, it is
//! the same alert (not new); no longer found by a check that ran, it is
//! resolved; found after that, it is new again.

use std::collections::BTreeSet;

use rusqlite::{Connection, params};
use serde::Serialize;

/// The three families of checks; an alert is resolved only by a run of
/// its own family for its site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Check {
    /// The live site: pages, sitemap, certificate, crawlers let in.
    Live,
    /// Affiliate destinations.
    Affiliates,
    /// Traffic, 404s, crawlers and earnings in the database.
    Stats,
}

/// What kind of problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A page, the home page or the sitemap does not answer 200.
    SiteDown,
    /// A page answers with other content than the build holds.
    WrongContent,
    /// The TLS certificate expires soon (or could not be checked).
    Certificate,
    /// robots.txt or the server turns a search engine's crawler away.
    CrawlerBlocked,
    /// An affiliate destination answers 4xx/5xx or not at all.
    AffiliateBroken,
    /// An affiliate destination lands on a search, home or
    /// "unavailable" page.
    AffiliateUnavailable,
    /// A redirect on the shop's own domain drops the tracking tag.
    AffiliateTagLost,
    /// A day's page views fell against the weekday's average.
    ViewsDrop,
    /// A day's affiliate clicks fell against the weekday's average.
    ClicksDrop,
    /// A day's 404s rose far over the weekday's average.
    NotFoundSpike,
    /// A crawler that came every day stopped coming.
    CrawlerGone,
    /// A crawler let in before was mostly refused (401, 403, 429) on a day.
    CrawlerRefused,
    /// A program that earned stopped earning.
    EarningsZero,
}

impl Kind {
    /// The name stored and printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::SiteDown => "site_down",
            Kind::WrongContent => "wrong_content",
            Kind::Certificate => "certificate",
            Kind::CrawlerBlocked => "crawler_blocked",
            Kind::AffiliateBroken => "affiliate_broken",
            Kind::AffiliateUnavailable => "affiliate_unavailable",
            Kind::AffiliateTagLost => "affiliate_tag_lost",
            Kind::ViewsDrop => "views_drop",
            Kind::ClicksDrop => "clicks_drop",
            Kind::NotFoundSpike => "not_found_spike",
            Kind::CrawlerGone => "crawler_gone",
            Kind::CrawlerRefused => "crawler_refused",
            Kind::EarningsZero => "earnings_zero",
        }
    }

    /// The check that finds it.
    pub fn check(self) -> Check {
        match self {
            Kind::SiteDown | Kind::WrongContent | Kind::Certificate | Kind::CrawlerBlocked => {
                Check::Live
            }
            Kind::AffiliateBroken | Kind::AffiliateUnavailable | Kind::AffiliateTagLost => {
                Check::Affiliates
            }
            Kind::ViewsDrop
            | Kind::ClicksDrop
            | Kind::NotFoundSpike
            | Kind::CrawlerGone
            | Kind::CrawlerRefused
            | Kind::EarningsZero => Check::Stats,
        }
    }

    const ALL: [Kind; 13] = [
        Kind::SiteDown,
        Kind::WrongContent,
        Kind::Certificate,
        Kind::CrawlerBlocked,
        Kind::AffiliateBroken,
        Kind::AffiliateUnavailable,
        Kind::AffiliateTagLost,
        Kind::ViewsDrop,
        Kind::ClicksDrop,
        Kind::NotFoundSpike,
        Kind::CrawlerGone,
        Kind::CrawlerRefused,
        Kind::EarningsZero,
    ];

    fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// A problem one run found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The site.
    pub site: String,
    /// What kind.
    pub kind: Kind,
    /// What it is about (a URL, a slug, a program); with site and kind,
    /// the alert's identity.
    pub subject: String,
    /// What is wrong and what to do, in a sentence.
    pub message: String,
}

/// An alert as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    /// The site.
    pub site: String,
    /// What kind (`site_down`, `affiliate_broken`, ...).
    pub kind: String,
    /// What it is about.
    pub subject: String,
    /// The latest description.
    pub message: String,
    /// When first seen (RFC 3339, UTC).
    pub first_seen: String,
    /// When last seen.
    pub last_seen: String,
    /// Whether this run found it first.
    pub new: bool,
    /// Whether it was sent (webhook, email).
    #[serde(skip)]
    pub notified: bool,
}

/// What recording a run changed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Recorded {
    /// Alerts open after the run (new ones first).
    pub open: Vec<Alert>,
    /// Alerts this run no longer found.
    pub resolved: Vec<Alert>,
}

/// Records a run's `findings` at `now`; open alerts of the (site, check)
/// pairs in `ran` that were not found again are resolved.
pub fn record(
    conn: &mut Connection,
    findings: &[Finding],
    ran: &BTreeSet<(String, Check)>,
    now: &str,
) -> rusqlite::Result<Recorded> {
    let transaction = conn.transaction()?;
    let before = open_alerts(&transaction)?;
    let mut found = BTreeSet::new();
    for finding in findings {
        let key = (
            finding.site.clone(),
            finding.kind.as_str().to_string(),
            finding.subject.clone(),
        );
        if !found.insert(key) {
            continue;
        }
        transaction.execute(
            "INSERT INTO watch_alerts (site, kind, subject, message, first_seen, last_seen, resolved)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5, NULL)
             ON CONFLICT (site, kind, subject) DO UPDATE SET
                 message = excluded.message,
                 last_seen = excluded.last_seen,
                 first_seen = CASE WHEN resolved IS NULL THEN first_seen ELSE excluded.first_seen END,
                 notified = CASE WHEN resolved IS NULL THEN notified ELSE 0 END,
                 resolved = NULL",
            params![
                finding.site,
                finding.kind.as_str(),
                finding.subject,
                finding.message,
                now
            ],
        )?;
    }
    let mut resolved = Vec::new();
    for alert in &before {
        let key = (
            alert.site.clone(),
            alert.kind.clone(),
            alert.subject.clone(),
        );
        let check = Kind::parse(&alert.kind).map(Kind::check);
        let ran_here = check.is_some_and(|c| ran.contains(&(alert.site.clone(), c)));
        if ran_here && !found.contains(&key) {
            transaction.execute(
                "UPDATE watch_alerts SET resolved = ?4 WHERE site = ?1 AND kind = ?2 AND subject = ?3",
                params![alert.site, alert.kind, alert.subject, now],
            )?;
            resolved.push(alert.clone());
        }
    }
    let was_open: BTreeSet<(&str, &str, &str)> = before
        .iter()
        .map(|a| (a.site.as_str(), a.kind.as_str(), a.subject.as_str()))
        .collect();
    let mut open = open_alerts(&transaction)?;
    for alert in &mut open {
        alert.new = !was_open.contains(&(
            alert.site.as_str(),
            alert.kind.as_str(),
            alert.subject.as_str(),
        ));
    }
    open.sort_by(|a, b| {
        b.new
            .cmp(&a.new)
            .then_with(|| (&a.site, &a.kind, &a.subject).cmp(&(&b.site, &b.kind, &b.subject)))
    });
    transaction.commit()?;
    Ok(Recorded { open, resolved })
}

/// Open alerts not yet sent to the webhook or by email.
pub fn unsent(conn: &Connection) -> rusqlite::Result<Vec<Alert>> {
    Ok(open_alerts(conn)?
        .into_iter()
        .filter(|a| !a.notified)
        .collect())
}

/// Marks `alerts` as sent.
pub fn mark_sent(conn: &mut Connection, alerts: &[Alert]) -> rusqlite::Result<()> {
    let transaction = conn.transaction()?;
    for alert in alerts {
        transaction.execute(
            "UPDATE watch_alerts SET notified = 1 WHERE site = ?1 AND kind = ?2 AND subject = ?3",
            params![alert.site, alert.kind, alert.subject],
        )?;
    }
    transaction.commit()
}

/// The alerts not resolved, by site, kind and subject.
pub fn open_alerts(conn: &Connection) -> rusqlite::Result<Vec<Alert>> {
    let mut statement = conn.prepare(
        "SELECT site, kind, subject, message, first_seen, last_seen, notified FROM watch_alerts
         WHERE resolved IS NULL ORDER BY site, kind, subject",
    )?;
    statement
        .query_map([], |row| {
            Ok(Alert {
                site: row.get(0)?,
                kind: row.get(1)?,
                subject: row.get(2)?,
                message: row.get(3)?,
                first_seen: row.get(4)?,
                last_seen: row.get(5)?,
                notified: row.get(6)?,
                new: false,
            })
        })?
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(site: &str, kind: Kind, subject: &str) -> Finding {
        Finding {
            site: site.into(),
            kind,
            subject: subject.into(),
            message: format!("{subject} is wrong"),
        }
    }

    #[test]
    fn alerts_open_stay_and_resolve() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = crate::db::Db::open(dir.path()).unwrap();
        let conn = db.conn();
        let ran: BTreeSet<_> = [
            ("a".to_string(), Check::Live),
            ("a".to_string(), Check::Stats),
        ]
        .into_iter()
        .collect();
        let down = finding("a", Kind::SiteDown, "https://a.test/");
        let drop = finding("a", Kind::ViewsDrop, "views");
        let first = record(
            conn,
            &[down.clone(), drop.clone()],
            &ran,
            "2026-12-01T00:00:00Z",
        )
        .unwrap();
        assert_eq!(first.open.len(), 2);
        assert!(first.open.iter().all(|a| a.new));
        // Seen again: not new, first seen kept.
        let second = record(conn, &[down.clone(), drop], &ran, "2026-12-02T00:00:00Z").unwrap();
        assert!(second.open.iter().all(|a| !a.new));
        assert!(
            second
                .open
                .iter()
                .all(|a| a.first_seen == "2026-12-01T00:00:00Z")
        );
        assert!(
            second
                .open
                .iter()
                .all(|a| a.last_seen == "2026-12-02T00:00:00Z")
        );
        // Only the live check ran: the drop is neither seen nor resolved.
        let live_only: BTreeSet<_> = [("a".to_string(), Check::Live)].into_iter().collect();
        let third = record(conn, &[], &live_only, "2026-12-03T00:00:00Z").unwrap();
        assert_eq!(third.resolved.len(), 1);
        assert_eq!(third.resolved[0].kind, "site_down");
        assert_eq!(third.open.len(), 1);
        assert_eq!(third.open[0].kind, "views_drop");
        // Back again: new, first seen now.
        let fourth = record(conn, &[down], &live_only, "2026-12-04T00:00:00Z").unwrap();
        let back = fourth.open.iter().find(|a| a.kind == "site_down").unwrap();
        assert!(back.new);
        assert_eq!(back.first_seen, "2026-12-04T00:00:00Z");
    }
}

//! Adding a tally to the stats database, with the file's checkpoint, in
//! one transaction: a killed import leaves the previous state, and the
//! next import counts those lines once.

use rusqlite::{OptionalExtension, Transaction, params};

use super::hll::Sketch;
use super::tally::{Kind, Tally};
use crate::day::Day;
use crate::db::{DaySeries, Db};
use crate::error::Result;

/// How far a log was imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Checkpoint {
    /// Bytes (of the decompressed log) up to the end of the last line counted.
    pub offset: u64,
    /// Lines up to there.
    pub lines: u64,
}

/// The checkpoint of the log with `fingerprint`, if it was imported before.
pub fn checkpoint(db: &mut Db, fingerprint: &str) -> Result<Option<Checkpoint>> {
    let found = db
        .conn()
        .query_row(
            "SELECT offset, lines FROM checkpoints WHERE fingerprint = ?1",
            [fingerprint],
            |row| {
                Ok(Checkpoint {
                    offset: row.get::<_, i64>(0)? as u64,
                    lines: row.get::<_, i64>(1)? as u64,
                })
            },
        )
        .optional();
    found.map_err(|e| db.error(&e))
}

/// The network's secret for visitor hashes, created on first use.
pub fn salt(db: &mut Db) -> Result<u64> {
    let existing: Option<String> = db
        .conn()
        .query_row("SELECT value FROM meta WHERE key = 'salt'", [], |row| {
            row.get(0)
        })
        .optional()
        .map_err(|e| db.error(&e))?;
    if let Some(value) = existing.and_then(|v| u64::from_str_radix(&v, 16).ok()) {
        return Ok(value);
    }
    let salt = random_u64();
    db.conn()
        .execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('salt', ?1)",
            [format!("{salt:016x}")],
        )
        .map_err(|e| db.error(&e))?;
    Ok(salt)
}

/// 64 random bits from the standard library's per-process random keys
/// (seeded by the operating system).
fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    hasher.finish()
}

/// Adds `tally` (sites named by `site_names`, in its order) and sets the
/// log's checkpoint, in one transaction.
pub fn commit(
    db: &mut Db,
    site_names: &[String],
    tally: &Tally,
    log: (&str, &str, Checkpoint),
) -> Result<()> {
    let (fingerprint, name, checkpoint) = log;
    let result = (|| -> rusqlite::Result<()> {
        let transaction = db.conn().transaction()?;
        for (site_tally, site) in tally.sites.iter().zip(site_names) {
            for (day, totals) in &site_tally.days {
                add_day(&transaction, site, *day, totals)?;
            }
            for kind in Kind::ALL {
                for (key, days) in &site_tally.series[kind as usize] {
                    add_series(&transaction, site, kind, key, days)?;
                }
            }
        }
        for ((host, day), hits) in &tally.unknown_hosts {
            transaction.execute(
                "INSERT INTO unknown_hosts (host, day, hits) VALUES (?1, ?2, ?3)
                 ON CONFLICT (host, day) DO UPDATE SET hits = hits + excluded.hits",
                params![host.as_ref(), day.0, *hits as i64],
            )?;
        }
        transaction.execute(
            "INSERT INTO checkpoints (fingerprint, name, offset, lines, imported_at)
             VALUES (?1, ?2, ?3, ?4, datetime('now'))
             ON CONFLICT (fingerprint) DO UPDATE SET name = excluded.name,
                 offset = excluded.offset, lines = excluded.lines,
                 imported_at = excluded.imported_at",
            params![
                fingerprint,
                name,
                checkpoint.offset as i64,
                checkpoint.lines as i64
            ],
        )?;
        transaction.commit()
    })();
    result.map_err(|e| db.error(&e))
}

fn add_day(
    transaction: &Transaction<'_>,
    site: &str,
    day: Day,
    totals: &super::tally::DayTotals,
) -> rusqlite::Result<()> {
    let existing: Option<Option<Vec<u8>>> = transaction
        .prepare_cached("SELECT sketch FROM site_days WHERE site = ?1 AND day = ?2")?
        .query_row(params![site, day.0], |row| row.get(0))
        .optional()?;
    let mut sketch = existing
        .flatten()
        .and_then(|bytes| Sketch::from_bytes(&bytes));
    if let Some(new) = &totals.sketch {
        match &mut sketch {
            Some(old) => old.merge(new),
            None => sketch = Some((**new).clone()),
        }
    }
    let visitors = sketch.as_ref().map_or(0, Sketch::estimate) as i64;
    let bytes = sketch.as_ref().map(Sketch::to_bytes);
    transaction
        .prepare_cached(
            "INSERT INTO site_days (site, day, views, visitors, clicks, not_found, crawler_hits, sketch)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (site, day) DO UPDATE SET
                 views = views + excluded.views,
                 visitors = excluded.visitors,
                 clicks = clicks + excluded.clicks,
                 not_found = not_found + excluded.not_found,
                 crawler_hits = crawler_hits + excluded.crawler_hits,
                 sketch = excluded.sketch",
        )?
        .execute(params![
            site,
            day.0,
            totals.views as i64,
            visitors,
            totals.clicks as i64,
            totals.not_found as i64,
            totals.crawler_hits as i64,
            bytes
        ])?;
    Ok(())
}

fn add_series(
    transaction: &Transaction<'_>,
    site: &str,
    kind: Kind,
    key: &str,
    days: &[(Day, u64)],
) -> rusqlite::Result<()> {
    let mut by_year: Vec<(i32, Vec<(u16, u64)>)> = Vec::new();
    for &(day, count) in days {
        let (year, ordinal) = day.year_and_ordinal();
        match by_year.iter_mut().find(|(y, _)| *y == year) {
            Some((_, counts)) => counts.push((ordinal, count)),
            None => by_year.push((year, vec![(ordinal, count)])),
        }
    }
    for (year, counts) in by_year {
        let existing: Option<Vec<u8>> = transaction
            .prepare_cached(
                "SELECT days FROM series WHERE site = ?1 AND kind = ?2 AND key = ?3 AND year = ?4",
            )?
            .query_row(params![site, kind.name(), key, year], |row| row.get(0))
            .optional()?;
        let mut series = existing.map_or_else(DaySeries::default, |b| DaySeries::decode(&b));
        for (ordinal, count) in counts {
            series.add(ordinal, count);
        }
        transaction
            .prepare_cached(
                "INSERT OR REPLACE INTO series (site, kind, key, year, days, total)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                site,
                kind.name(),
                key,
                year,
                series.encode(),
                series.total() as i64
            ])?;
    }
    Ok(())
}

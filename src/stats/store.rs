//! Adding tallies to the stats database, with the files' checkpoints, in
//! one transaction: a killed import leaves the previous state, and the
//! next import counts those lines once.

use rusqlite::{OptionalExtension, Transaction, params};

use super::contribution::Contribution;
use super::hll::Sketch;
use super::identity::{Fingerprints, KnownLog};
use super::tally::{Kind, Tally};
use crate::day::Day;
use crate::db::{DaySeries, Db};
use crate::error::Result;

/// The logs a file with `fingerprints` may be: those whose first data
/// line it has, and those counted before Grove kept prefix hashes whose
/// first line it has.
pub fn known_logs(db: &mut Db, fingerprints: &Fingerprints) -> Result<Vec<KnownLog>> {
    let found = (|| -> rusqlite::Result<Vec<KnownLog>> {
        let conn = db.conn();
        let mut statement = conn.prepare_cached(
            "SELECT id, name, offset, lines, prefix_hash FROM logs
             WHERE fingerprint = ?1 OR (fingerprint = ?2 AND prefix_hash IS NULL)",
        )?;
        let rows = statement.query_map(
            params![fingerprints.data, fingerprints.first_line],
            known_log,
        )?;
        let mut logs: Vec<KnownLog> = rows.collect::<rusqlite::Result<_>>()?;
        // Where their earlier imports ended: a copy of the log from then
        // holds nothing new.
        let mut statement = conn.prepare_cached(
            "SELECT logs.id, logs.name, log_imports.end_offset, log_imports.end_lines,
                    log_imports.end_hash, logs.offset
             FROM log_imports JOIN logs ON logs.id = log_imports.log
             WHERE logs.fingerprint = ?1 AND log_imports.end_hash IS NOT NULL
               AND log_imports.end_offset < logs.offset",
        )?;
        let earlier = statement.query_map(params![fingerprints.data], |row| {
            Ok(KnownLog {
                id: row.get(0)?,
                name: row.get(1)?,
                offset: row.get::<_, i64>(2)? as u64,
                lines: row.get::<_, i64>(3)? as u64,
                prefix_hash: row.get(4)?,
                checkpoint: row.get::<_, i64>(5)? as u64,
            })
        })?;
        for log in earlier {
            logs.push(log?);
        }
        Ok(logs)
    })();
    found.map_err(|e| db.error(&e))
}

/// A `logs` row (`id, name, offset, lines, prefix_hash`).
pub fn known_log(row: &rusqlite::Row<'_>) -> rusqlite::Result<KnownLog> {
    let offset = row.get::<_, i64>(2)? as u64;
    Ok(KnownLog {
        id: row.get(0)?,
        name: row.get(1)?,
        offset,
        lines: row.get::<_, i64>(3)? as u64,
        prefix_hash: row.get(4)?,
        checkpoint: offset,
    })
}

/// Where an import leaves its log.
#[derive(Debug, Clone)]
pub struct LogUpdate {
    /// The log counted before that the file is, if any.
    pub known: Option<i64>,
    /// Its fingerprint.
    pub fingerprint: String,
    /// The name it was imported as.
    pub name: String,
    /// Bytes counted, to the end of the last line counted.
    pub offset: u64,
    /// Lines up to there.
    pub lines: u64,
    /// XXH3-128 hash of those bytes.
    pub prefix_hash: String,
    /// Lines this import read.
    pub new_lines: u64,
}

/// One file's import, waiting in a [`super::batch::Batch`]: where it
/// leaves its log, what it added (encoded) and its visitor sketches per
/// site and day.
#[derive(Debug, Clone)]
pub struct PendingImport {
    /// Where the import leaves its log.
    pub log: LogUpdate,
    /// What it added ([`Contribution::encode`]).
    pub contribution: Vec<u8>,
    /// Its visitor sketch of each site and day it counted views on.
    pub sketches: Vec<(String, Day, Vec<u8>)>,
}

impl PendingImport {
    /// The import of `tally` (sites named by `site_names`) into `log`.
    pub fn of(tally: &Tally, site_names: &[String], log: LogUpdate) -> PendingImport {
        let mut sketches = Vec::new();
        for (site_tally, site) in tally.sites.iter().zip(site_names) {
            for (day, totals) in &site_tally.days {
                if let Some(sketch) = &totals.sketch {
                    sketches.push((site.clone(), *day, sketch.to_bytes()));
                }
            }
        }
        PendingImport {
            log,
            contribution: Contribution::of(tally, site_names).encode(),
            sketches,
        }
    }
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

/// Adds `tally` (the imports' counts together, sites named by
/// `site_names`, in its order) and records each import with its log's
/// checkpoint, in one transaction.
pub fn commit(
    db: &mut Db,
    site_names: &[String],
    tally: &Tally,
    imports: &[PendingImport],
) -> Result<()> {
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
        for import in imports {
            record_import(&transaction, import)?;
        }
        transaction.commit()
    })();
    result.map_err(|e| db.error(&e))
}

/// Moves the import's log to its checkpoint and records what it added.
fn record_import(transaction: &Transaction<'_>, import: &PendingImport) -> rusqlite::Result<()> {
    let log = &import.log;
    let log_id = match log.known {
        Some(id) => {
            transaction.execute(
                "UPDATE logs SET fingerprint = ?1, name = ?2, offset = ?3, lines = ?4,
                     prefix_hash = ?5, imported_at = datetime('now') WHERE id = ?6",
                params![
                    log.fingerprint,
                    log.name,
                    log.offset as i64,
                    log.lines as i64,
                    log.prefix_hash,
                    id
                ],
            )?;
            id
        }
        None => {
            transaction.execute(
                "INSERT INTO logs (fingerprint, name, offset, lines, prefix_hash, imported_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, datetime('now'))",
                params![
                    log.fingerprint,
                    log.name,
                    log.offset as i64,
                    log.lines as i64,
                    log.prefix_hash
                ],
            )?;
            transaction.last_insert_rowid()
        }
    };
    transaction.execute(
        "INSERT INTO log_imports (log, imported_at, lines, counts, end_offset, end_lines, end_hash)
         VALUES (?1, datetime('now'), ?2, ?3, ?4, ?5, ?6)",
        params![
            log_id,
            log.new_lines as i64,
            import.contribution,
            log.offset as i64,
            log.lines as i64,
            log.prefix_hash
        ],
    )?;
    let id = transaction.last_insert_rowid();
    let mut insert = transaction.prepare_cached(
        "INSERT INTO log_import_days (site, day, import, sketch) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (site, day, sketch) in &import.sketches {
        insert.execute(params![site, day.0, id, sketch])?;
    }
    Ok(())
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

/// Counts by day, grouped by calendar year as the `series` rows hold them:
/// (year, [(day of the year, count)]).
pub fn by_year(days: impl IntoIterator<Item = (Day, u64)>) -> Vec<(i32, Vec<(u16, u64)>)> {
    let mut by_year: Vec<(i32, Vec<(u16, u64)>)> = Vec::new();
    for (day, count) in days {
        let (year, ordinal) = day.year_and_ordinal();
        match by_year.iter_mut().find(|(y, _)| *y == year) {
            Some((_, counts)) => counts.push((ordinal, count)),
            None => by_year.push((year, vec![(ordinal, count)])),
        }
    }
    by_year
}

/// The stored series of one site, kind, key and year, if there is one.
pub fn stored_series(
    transaction: &Transaction<'_>,
    site: &str,
    kind: &str,
    key: &str,
    year: i32,
) -> rusqlite::Result<Option<DaySeries>> {
    let stored: Option<Vec<u8>> = transaction
        .prepare_cached(
            "SELECT days FROM series WHERE site = ?1 AND kind = ?2 AND key = ?3 AND year = ?4",
        )?
        .query_row(params![site, kind, key, year], |row| row.get(0))
        .optional()?;
    Ok(stored.map(|bytes| DaySeries::decode(&bytes)))
}

fn add_series(
    transaction: &Transaction<'_>,
    site: &str,
    kind: Kind,
    key: &str,
    days: &[(Day, u64)],
) -> rusqlite::Result<()> {
    for (year, counts) in by_year(days.iter().copied()) {
        let mut series =
            stored_series(transaction, site, kind.name(), key, year)?.unwrap_or_default();
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

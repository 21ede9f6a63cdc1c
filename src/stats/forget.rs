//! `grove stats forget`: what the imports of some logs added, taken back
//! out of the database with their checkpoints, so those logs can be
//! imported again (with the right `--format`, or after a fix). Counts are
//! subtracted exactly as each import recorded them; visitor sketches of
//! the days touched are merged again from the imports that remain.

use std::collections::BTreeSet;

use rusqlite::{OptionalExtension, Transaction, params};

use super::contribution::{Contribution, SiteContribution};
use super::hll::Sketch;
use super::identity::{Fingerprints, KnownLog, Match, PrefixHasher, identify};
use super::input::LogInput;
use super::store::{by_year, known_log, known_logs, stored_series};
use crate::day::Day;
use crate::db::Db;
use crate::error::{Error, Result};

/// Which logs to forget.
#[derive(Debug, Clone, Default)]
pub struct ForgetOptions {
    /// Log files (known by their content) or names they were imported as.
    pub files: Vec<String>,
    /// Only logs that counted something for this site.
    pub site: Option<String>,
    /// Only logs that counted something on or after this day.
    pub since: Option<Day>,
    /// Only logs that counted something on or before this day.
    pub until: Option<Day>,
    /// Say what would be forgotten; change nothing.
    pub dry_run: bool,
}

/// One log forgotten.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Forgotten {
    /// The name it was last imported as.
    pub name: String,
    /// Its imports.
    pub imports: usize,
    /// Lines they read.
    pub lines: u64,
    /// Page views they counted.
    pub views: u64,
    /// Clicks they counted.
    pub clicks: u64,
    /// Site days they touched.
    pub days: usize,
    /// Of those, days counted before imports were kept one by one, whose
    /// visitors cannot be counted again without this log (left as they
    /// were).
    pub visitors_kept: usize,
}

/// Forgets the logs `options` select, in one transaction.
pub fn forget(db: &mut Db, options: &ForgetOptions) -> Result<Vec<Forgotten>> {
    if options.files.is_empty()
        && options.site.is_none()
        && options.since.is_none()
        && options.until.is_none()
    {
        return Err(Error::Usage(
            "name the logs to forget (files, or names they were imported as), or select them with --site, --since and --until".into(),
        ));
    }
    let mut logs = if options.files.is_empty() {
        all_logs(db)?
    } else {
        let mut logs = Vec::new();
        for file in &options.files {
            logs.push(find(db, file)?);
        }
        logs
    };
    let mut selected = Vec::new();
    for log in logs.drain(..) {
        let imports = imports_of(db, log.id)?;
        if imports.is_empty() {
            return Err(Error::Usage(format!(
                "{} was counted before Grove kept what each import added, so its counts cannot be taken away (importing it again would count it twice); to start over, delete .grove/stats.db and import every log again",
                log.name
            )));
        }
        let touched = imports.iter().any(|(_, _, c)| touches(c, options));
        if touched || (!options.files.is_empty() && !has_filter(options)) {
            selected.push((log, imports));
        }
    }
    let forgotten: Vec<Forgotten> = selected
        .iter()
        .map(|(log, imports)| summary(log, imports))
        .collect();
    if options.dry_run || selected.is_empty() {
        return Ok(forgotten);
    }
    let result = (|| -> rusqlite::Result<Vec<Forgotten>> {
        let transaction = db.conn().transaction()?;
        let mut forgotten = forgotten;
        for ((log, imports), done) in selected.iter().zip(&mut forgotten) {
            let mut touched: BTreeSet<(String, i32)> = BTreeSet::new();
            for (id, _, contribution) in imports {
                subtract(&transaction, contribution, &mut touched)?;
                transaction.execute("DELETE FROM log_import_days WHERE import = ?1", [id])?;
                transaction.execute("DELETE FROM log_imports WHERE id = ?1", [id])?;
            }
            for (site, day) in &touched {
                if !recount_visitors(&transaction, site, *day)? {
                    done.visitors_kept += 1;
                }
            }
            transaction.execute("DELETE FROM logs WHERE id = ?1", [log.id])?;
        }
        transaction.commit()?;
        Ok(forgotten)
    })();
    result.map_err(|e| db.error(&e))
}

fn has_filter(options: &ForgetOptions) -> bool {
    options.site.is_some() || options.since.is_some() || options.until.is_some()
}

/// Whether `contribution` counted anything for the options' site and days.
fn touches(contribution: &Contribution, options: &ForgetOptions) -> bool {
    if !has_filter(options) {
        return true;
    }
    let in_range = |day: i32| {
        options.since.is_none_or(|since| day >= since.0)
            && options.until.is_none_or(|until| day <= until.0)
    };
    contribution
        .sites
        .iter()
        .filter(|site| options.site.as_ref().is_none_or(|name| &site.site == name))
        .any(|site| site.days.iter().any(|d| in_range(d.0)))
}

fn summary(log: &KnownLog, imports: &[(i64, u64, Contribution)]) -> Forgotten {
    let days: BTreeSet<(&str, i32)> = imports
        .iter()
        .flat_map(|(_, _, c)| c.sites.iter())
        .flat_map(|s| s.days.iter().map(move |d| (s.site.as_str(), d.0)))
        .collect();
    let sum = |field: fn(&(i32, u64, u64, u64, u64)) -> u64| -> u64 {
        imports
            .iter()
            .flat_map(|(_, _, c)| c.sites.iter())
            .flat_map(|s| s.days.iter())
            .map(field)
            .sum()
    };
    Forgotten {
        name: log.name.clone(),
        imports: imports.len(),
        lines: imports.iter().map(|(_, lines, _)| lines).sum(),
        views: sum(|d| d.1),
        clicks: sum(|d| d.2),
        days: days.len(),
        visitors_kept: 0,
    }
}

fn all_logs(db: &mut Db) -> Result<Vec<KnownLog>> {
    let found = (|| -> rusqlite::Result<Vec<KnownLog>> {
        let conn = db.conn();
        let mut statement =
            conn.prepare("SELECT id, name, offset, lines, prefix_hash FROM logs ORDER BY id")?;
        let rows = statement.query_map([], known_log)?;
        rows.collect()
    })();
    found.map_err(|e| db.error(&e))
}

/// The log `file` is: by its content when the file exists (as an import
/// would find it), else by the name it was imported as.
fn find(db: &mut Db, file: &str) -> Result<KnownLog> {
    let not_imported = || {
        Error::Usage(format!(
            "{file} was never imported: no log counted in this network holds what it holds (or was imported under that name)"
        ))
    };
    if file == "-" || !std::path::Path::new(file).exists() {
        let by_name = all_logs(db)?.into_iter().find(|log| log.name == file);
        return by_name.ok_or_else(not_imported);
    }
    let mut input = LogInput::open(file)?;
    let head = input.peek(1 << 16)?.to_vec();
    let known = known_logs(db, &Fingerprints::of(&head))?;
    let mut hasher = PrefixHasher::new(known.iter().map(|log| log.offset).collect());
    let complete = input.complete;
    loop {
        let block = input.read_block()?;
        if block.is_empty() {
            break;
        }
        hasher.update(&block);
    }
    let prefixes = hasher.finish(complete);
    match identify(&known, file, prefixes.end.0, |offset| prefixes.at(offset)) {
        // An earlier copy of a log is that log.
        Match::Known(log) | Match::Inside(log) => Ok(log),
        Match::Diverged(_) | Match::Truncated(_) | Match::New => Err(not_imported()),
    }
}

/// The imports of log `id`: (import, lines, what it added).
fn imports_of(db: &mut Db, id: i64) -> Result<Vec<(i64, u64, Contribution)>> {
    let rows = (|| -> rusqlite::Result<Vec<(i64, i64, Vec<u8>)>> {
        let conn = db.conn();
        let mut statement =
            conn.prepare("SELECT id, lines, counts FROM log_imports WHERE log = ?1 ORDER BY id")?;
        let rows = statement.query_map([id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
        rows.collect()
    })()
    .map_err(|e| db.error(&e))?;
    rows.into_iter()
        .map(|(import, lines, bytes)| {
            let contribution = Contribution::decode(&bytes).ok_or_else(|| Error::Output {
                path: db.path().to_path_buf(),
                message: format!("stats database: the counts of import {import} cannot be read"),
            })?;
            Ok((import, lines as u64, contribution))
        })
        .collect()
}

/// Takes `contribution` out of the rollups; records the site days touched.
fn subtract(
    transaction: &Transaction<'_>,
    contribution: &Contribution,
    touched: &mut BTreeSet<(String, i32)>,
) -> rusqlite::Result<()> {
    for site in &contribution.sites {
        subtract_site(transaction, site, touched)?;
    }
    for (host, day, hits) in &contribution.unknown_hosts {
        transaction.execute(
            "UPDATE unknown_hosts SET hits = hits - ?3 WHERE host = ?1 AND day = ?2",
            params![host, day, *hits as i64],
        )?;
    }
    transaction.execute("DELETE FROM unknown_hosts WHERE hits <= 0", [])?;
    Ok(())
}

fn subtract_site(
    transaction: &Transaction<'_>,
    site: &SiteContribution,
    touched: &mut BTreeSet<(String, i32)>,
) -> rusqlite::Result<()> {
    for &(day, views, clicks, not_found, crawler_hits) in &site.days {
        transaction
            .prepare_cached(
                "UPDATE site_days SET views = MAX(views - ?3, 0), clicks = MAX(clicks - ?4, 0),
                     not_found = MAX(not_found - ?5, 0), crawler_hits = MAX(crawler_hits - ?6, 0)
                 WHERE site = ?1 AND day = ?2",
            )?
            .execute(params![
                site.site,
                day,
                views as i64,
                clicks as i64,
                not_found as i64,
                crawler_hits as i64
            ])?;
        touched.insert((site.site.clone(), day));
    }
    for (kind, key, counts) in &site.series {
        let days = counts.iter().map(|&(day, count)| (Day(day), count));
        for (year, list) in by_year(days) {
            let Some(mut series) = stored_series(transaction, &site.site, kind, key, year)? else {
                continue;
            };
            for (ordinal, count) in list {
                series.subtract(ordinal, count);
            }
            if series.total() == 0 {
                transaction
                    .prepare_cached(
                        "DELETE FROM series WHERE site = ?1 AND kind = ?2 AND key = ?3 AND year = ?4",
                    )?
                    .execute(params![site.site, kind, key, year])?;
            } else {
                transaction
                    .prepare_cached(
                        "UPDATE series SET days = ?5, total = ?6
                         WHERE site = ?1 AND kind = ?2 AND key = ?3 AND year = ?4",
                    )?
                    .execute(params![
                        site.site,
                        kind,
                        key,
                        year,
                        series.encode(),
                        series.total() as i64
                    ])?;
            }
        }
    }
    Ok(())
}

/// Merges the visitor sketches of the imports left on `site`'s `day` and
/// counts its visitors again (removing the day when nothing is left);
/// `false` for a day counted before imports were kept one by one, which
/// is left as it was.
fn recount_visitors(transaction: &Transaction<'_>, site: &str, day: i32) -> rusqlite::Result<bool> {
    let legacy: Option<bool> = transaction
        .query_row(
            "SELECT legacy FROM site_days WHERE site = ?1 AND day = ?2",
            params![site, day],
            |row| row.get(0),
        )
        .optional()?;
    match legacy {
        None => return Ok(true),
        Some(true) => return Ok(false),
        Some(false) => {}
    }
    let mut statement = transaction
        .prepare_cached("SELECT sketch FROM log_import_days WHERE site = ?1 AND day = ?2")?;
    let mut sketch: Option<Sketch> = None;
    for bytes in statement.query_map(params![site, day], |row| row.get::<_, Vec<u8>>(0))? {
        if let Some(part) = Sketch::from_bytes(&bytes?) {
            match &mut sketch {
                Some(all) => all.merge(&part),
                None => sketch = Some(part),
            }
        }
    }
    let visitors = sketch.as_ref().map_or(0, Sketch::estimate) as i64;
    transaction.execute(
        "UPDATE site_days SET visitors = ?3, sketch = ?4 WHERE site = ?1 AND day = ?2",
        params![site, day, visitors, sketch.as_ref().map(Sketch::to_bytes)],
    )?;
    transaction.execute(
        "DELETE FROM site_days WHERE site = ?1 AND day = ?2 AND views = 0 AND clicks = 0
             AND not_found = 0 AND crawler_hits = 0 AND sketch IS NULL",
        params![site, day],
    )?;
    Ok(true)
}

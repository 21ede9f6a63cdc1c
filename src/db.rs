//! The embedded database, `.grove/stats.db` (SQLite): daily rollups of
//! access logs and earnings reports, never raw lines or IP addresses.
//! Every import runs in one transaction, so an interrupted import leaves
//! the previous state, and a file's checkpoint is committed with its
//! counts.
//!
//! Schema (version 2):
//!
//! | table | one row per | holds |
//! |---|---|---|
//! | `meta` | setting | `schema_version`; `salt`, the secret mixed into visitor hashes |
//! | `site_days` | site, day | human page views, visitors (estimated from `sketch`, a HyperLogLog of salted hashes of IP and user agent), `/go/` clicks, 404s, crawler hits; `legacy` when counts came in before imports were kept one by one |
//! | `series` | site, kind, key, year | a count per day of that year (`days`, see [`DaySeries`]) and their `total`; kinds: `view` (page path), `click` (affiliate slug), `click_from` (slug, tab, source page path), `not_found` (path), `referrer` (host, `search:<engine>`, `(direct)` or `(internal)`), `crawler` (crawler name) |
//! | `unknown_hosts` | host, day | requests for hosts no site has |
//! | `logs` | log | how far it was counted: the fingerprint of its first data line, its last name, the byte offset and line count after its last counted line, and the XXH3-128 hash of its bytes up to there (see [`crate::stats`]'s identity rules) |
//! | `log_imports` | import of a log | when, how many lines, what it added (deflated JSON), so that `grove stats forget` can take it away, and where it left the log (offset, lines, prefix hash: a copy of the log from then holds nothing new) |
//! | `log_import_days` | import, site, day | the visitor sketch of that import's day, merged again without a forgotten import |
//! | `revenue` | source, day, site, program, item, currency | earnings (`amount`) and items; `slug` when the item is a registry entry; `tag`, the tracking ID or sub-ID of earnings no site has |
//! | `revenue_imports` | imported report | its source, period and file, for `grove report` to name |
//! | `search_terms` | page path or search query | its id (search rows name pages and queries by id) |
//! | `search_days` | site, engine, grain, day | that day's search rows of one grain (site, page, query, page × query): clicks, impressions, position sum per page and query (see [`crate::search::store`]); `spread` when spread from an export's totals over a period |
//! | `search_imports` | imported search file and site | engine, first and last day, rows, when |
//! | `watch_alerts` | site, kind of problem, subject (URL, slug, program) | what `grove watch` found, when first and last, when it went away (`resolved`), whether it was sent (`notified`) |
//!
//! Days are whole numbers: days since 1970-01-01 (UTC), see [`crate::day`].

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension};

use crate::error::{Error, Result};

/// The database file inside `.grove/`.
pub const DB_FILE: &str = crate::state::STATS_DB;

const SCHEMA_VERSION: i64 = 2;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS site_days (
    site TEXT NOT NULL,
    day INTEGER NOT NULL,
    views INTEGER NOT NULL DEFAULT 0,
    visitors INTEGER NOT NULL DEFAULT 0,
    clicks INTEGER NOT NULL DEFAULT 0,
    not_found INTEGER NOT NULL DEFAULT 0,
    crawler_hits INTEGER NOT NULL DEFAULT 0,
    sketch BLOB,
    legacy INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (site, day)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS series (
    site TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    year INTEGER NOT NULL,
    days BLOB NOT NULL,
    total INTEGER NOT NULL,
    PRIMARY KEY (site, kind, key, year)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS unknown_hosts (
    host TEXT NOT NULL,
    day INTEGER NOT NULL,
    hits INTEGER NOT NULL,
    PRIMARY KEY (host, day)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS logs (
    id INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    name TEXT NOT NULL,
    offset INTEGER NOT NULL,
    lines INTEGER NOT NULL,
    prefix_hash TEXT,
    imported_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS logs_by_fingerprint ON logs (fingerprint);
CREATE TABLE IF NOT EXISTS log_imports (
    id INTEGER PRIMARY KEY,
    log INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    lines INTEGER NOT NULL,
    counts BLOB NOT NULL,
    end_offset INTEGER,
    end_lines INTEGER,
    end_hash TEXT
);
CREATE INDEX IF NOT EXISTS log_imports_by_log ON log_imports (log);
CREATE TABLE IF NOT EXISTS log_import_days (
    site TEXT NOT NULL,
    day INTEGER NOT NULL,
    import INTEGER NOT NULL,
    sketch BLOB NOT NULL,
    PRIMARY KEY (site, day, import)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS revenue (
    source TEXT NOT NULL,
    day INTEGER NOT NULL,
    site TEXT,
    program TEXT NOT NULL,
    item TEXT NOT NULL,
    slug TEXT,
    currency TEXT NOT NULL,
    amount REAL NOT NULL,
    items INTEGER NOT NULL,
    tag TEXT
);
CREATE INDEX IF NOT EXISTS revenue_by_source_day ON revenue (source, day);
CREATE INDEX IF NOT EXISTS revenue_by_day ON revenue (day);
CREATE TABLE IF NOT EXISTS revenue_imports (
    source TEXT NOT NULL,
    first_day INTEGER NOT NULL,
    last_day INTEGER NOT NULL,
    file TEXT NOT NULL,
    rows INTEGER NOT NULL,
    imported_at TEXT NOT NULL
);
";

/// The table of `grove watch`'s alerts (created on every open).
const WATCH_TABLES: &str = "
CREATE TABLE IF NOT EXISTS watch_alerts (
    site TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    message TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    resolved TEXT,
    notified INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (site, kind, subject)
) WITHOUT ROWID;
";

/// The search tables (created on every open: older databases gain them).
const SEARCH_TABLES: &str = "
CREATE TABLE IF NOT EXISTS search_terms (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS search_days (
    site TEXT NOT NULL,
    engine TEXT NOT NULL,
    grain TEXT NOT NULL,
    day INTEGER NOT NULL,
    entries BLOB NOT NULL,
    spread INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (site, grain, day, engine)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS search_imports (
    file TEXT NOT NULL,
    engine TEXT NOT NULL,
    site TEXT NOT NULL,
    first_day INTEGER NOT NULL,
    last_day INTEGER NOT NULL,
    rows INTEGER NOT NULL,
    spread INTEGER NOT NULL,
    imported_at TEXT NOT NULL
);
";

/// Schema 1 to 2: checkpoints become logs (known by their first line, with
/// no prefix hash), and the counts already in are marked `legacy`: which
/// import added what was not kept then.
const FROM_VERSION_1: &str = "
BEGIN;
CREATE TABLE logs (
    id INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    name TEXT NOT NULL,
    offset INTEGER NOT NULL,
    lines INTEGER NOT NULL,
    prefix_hash TEXT,
    imported_at TEXT NOT NULL
);
CREATE INDEX logs_by_fingerprint ON logs (fingerprint);
INSERT INTO logs (fingerprint, name, offset, lines, prefix_hash, imported_at)
    SELECT fingerprint, name, offset, lines, NULL, imported_at FROM checkpoints;
DROP TABLE checkpoints;
CREATE TABLE log_imports (
    id INTEGER PRIMARY KEY,
    log INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    lines INTEGER NOT NULL,
    counts BLOB NOT NULL,
    end_offset INTEGER,
    end_lines INTEGER,
    end_hash TEXT
);
CREATE INDEX log_imports_by_log ON log_imports (log);
CREATE TABLE log_import_days (
    site TEXT NOT NULL,
    day INTEGER NOT NULL,
    import INTEGER NOT NULL,
    sketch BLOB NOT NULL,
    PRIMARY KEY (site, day, import)
) WITHOUT ROWID;
ALTER TABLE site_days ADD COLUMN legacy INTEGER NOT NULL DEFAULT 0;
ALTER TABLE revenue ADD COLUMN tag TEXT;
UPDATE site_days SET legacy = 1;
UPDATE meta SET value = '2' WHERE key = 'schema_version';
COMMIT;
";

/// An open stats database.
pub struct Db {
    conn: Connection,
    path: PathBuf,
}

impl Db {
    /// Opens (creating, and bringing its schema up to date) the database
    /// in `state_dir` (the network's `.grove/`).
    pub fn open(state_dir: &Path) -> Result<Db> {
        std::fs::create_dir_all(state_dir)
            .map_err(|source| Error::io(state_dir, "cannot create folder", source))?;
        let path = state_dir.join(DB_FILE);
        let conn = Connection::open(&path).map_err(|e| db_error(&path, &e))?;
        let db = Db { conn, path };
        // WAL: readers never wait for an import; NORMAL sync is durable
        // against a killed process (not against power loss, where the last
        // transactions may be lost, never half-applied).
        db.conn
            .execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000;",
            )
            .map_err(|e| db.error(&e))?;
        db.migrate()?;
        db.mark_counted_from()?;
        db.conn
            .execute_batch(SEARCH_TABLES)
            .and_then(|()| db.conn.execute_batch(WATCH_TABLES))
            .map_err(|e| db.error(&e))?;
        Ok(db)
    }

    /// Opens the database if it exists (for reading); `None` otherwise.
    pub fn open_existing(state_dir: &Path) -> Result<Option<Db>> {
        if state_dir.join(DB_FILE).is_file() {
            Db::open(state_dir).map(Some)
        } else {
            Ok(None)
        }
    }

    fn migrate(&self) -> Result<()> {
        let version: Option<i64> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |row| row.get::<_, String>(0),
            )
            .optional()
            .or_else(|e| match e {
                // A new database has no meta table yet.
                rusqlite::Error::SqliteFailure(_, Some(ref m)) if m.contains("no such table") => {
                    Ok(None)
                }
                other => Err(other),
            })
            .map_err(|e| self.error(&e))?
            .and_then(|v| v.parse().ok());
        match version {
            Some(v) if v > SCHEMA_VERSION => Err(Error::Usage(format!(
                "{} was written by a newer Grove (schema {v}); upgrade Grove to read it",
                self.path.display()
            ))),
            Some(1) => self
                .conn
                .execute_batch(FROM_VERSION_1)
                .map_err(|e| self.error(&e)),
            Some(_) => Ok(()),
            None => {
                self.conn
                    .execute_batch(SCHEMA)
                    .map_err(|e| self.error(&e))?;
                self.conn
                    .execute(
                        "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?1)",
                        [SCHEMA_VERSION.to_string()],
                    )
                    .map_err(|e| self.error(&e))?;
                Ok(())
            }
        }
    }

    /// Records, once, from which day counts added by later Grove versions
    /// exist: in a database that already holds days, from today (the days
    /// before were imported without them: unknown, not zero); in a new
    /// one, from the beginning.
    fn mark_counted_from(&self) -> Result<()> {
        // Read first: an insert, even one that inserts nothing, takes the
        // write lock, and readers (the dashboard, `watch`) open too.
        let marked = meta(&self.conn, CRAWLER_REFUSALS_FROM).map_err(|e| self.error(&e))?;
        if marked.is_some() {
            return Ok(());
        }
        self.conn
            .execute(
                "INSERT OR IGNORE INTO meta (key, value) SELECT ?1, CASE WHEN EXISTS (SELECT 1 FROM site_days) THEN ?2 ELSE ?3 END",
                rusqlite::params![
                    CRAWLER_REFUSALS_FROM,
                    crate::day::Day::today().0.to_string(),
                    i32::MIN.to_string()
                ],
            )
            .map_err(|e| self.error(&e))?;
        Ok(())
    }

    /// The connection, for the modules that read and write their tables.
    pub fn conn(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A database error as Grove's error, naming the file.
    pub fn error(&self, error: &rusqlite::Error) -> Error {
        db_error(&self.path, error)
    }
}

fn db_error(path: &Path, error: &rusqlite::Error) -> Error {
    Error::Output {
        path: path.to_path_buf(),
        message: format!("stats database: {error}"),
    }
}

/// Counts per day of one year, as stored in `series.days`: pairs of
/// (day of the year, count), each a LEB128 varint, days ascending. Compact
/// when sparse (a 404 seen once: 2 bytes), about 3 bytes a day when dense.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DaySeries {
    counts: Vec<(u16, u64)>,
}

impl DaySeries {
    /// Decodes a stored blob (malformed tails are ignored).
    pub fn decode(bytes: &[u8]) -> DaySeries {
        let counts = pairs(bytes)
            .map(|(day, count)| (day as u16, count))
            .collect();
        DaySeries { counts }
    }

    /// The stored form.
    pub fn encode(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(self.counts.len() * 3);
        for &(day, count) in &self.counts {
            write_varint(&mut bytes, u64::from(day));
            write_varint(&mut bytes, count);
        }
        bytes
    }

    /// Adds `count` on day `ordinal` of the year.
    pub fn add(&mut self, ordinal: u16, count: u64) {
        match self.counts.binary_search_by_key(&ordinal, |&(d, _)| d) {
            Ok(i) => self.counts[i].1 += count,
            Err(i) => self.counts.insert(i, (ordinal, count)),
        }
    }

    /// Takes `count` away from day `ordinal` (not below zero); a day left
    /// at zero is dropped.
    pub fn subtract(&mut self, ordinal: u16, count: u64) {
        if let Ok(i) = self.counts.binary_search_by_key(&ordinal, |&(d, _)| d) {
            self.counts[i].1 = self.counts[i].1.saturating_sub(count);
            if self.counts[i].1 == 0 {
                self.counts.remove(i);
            }
        }
    }

    /// The sum of the counts on days `from..=to` (ordinals of the year).
    pub fn sum(&self, from: u16, to: u16) -> u64 {
        self.counts
            .iter()
            .filter(|(d, _)| (from..=to).contains(d))
            .map(|(_, c)| c)
            .sum()
    }

    /// The sum of every count.
    pub fn total(&self) -> u64 {
        self.counts.iter().map(|(_, c)| c).sum()
    }

    /// (day of the year, count) pairs, days ascending.
    pub fn days(&self) -> &[(u16, u64)] {
        &self.counts
    }
}

/// The `meta` key holding the first day whose crawler refusals (the
/// `crawler_refused` series) were counted.
const CRAWLER_REFUSALS_FROM: &str = "crawler_refusals_from";

/// The first day whose crawler refusals were counted: days before it were
/// imported by a Grove that did not count them.
pub fn crawler_refusals_from(conn: &Connection) -> rusqlite::Result<crate::day::Day> {
    let value = meta(conn, CRAWLER_REFUSALS_FROM)?;
    Ok(crate::day::Day(
        value.and_then(|v| v.parse().ok()).unwrap_or(i32::MIN),
    ))
}

/// The `meta` value of `key`, if set.
fn meta(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| {
        row.get(0)
    })
    .optional()
}

/// Series of `kind` for `site` (see the `series` table), each key's
/// counts summed over days `from..=to`; keys with none left out.
pub fn series_sums(
    conn: &Connection,
    site: &str,
    kind: &str,
    from: crate::day::Day,
    to: crate::day::Day,
) -> rusqlite::Result<Vec<(String, u64)>> {
    let (first_year, first_day) = from.year_and_ordinal();
    let (last_year, last_day) = to.year_and_ordinal();
    let mut statement = conn.prepare_cached(
        "SELECT key, year, days FROM series WHERE site = ?1 AND kind = ?2 AND year BETWEEN ?3 AND ?4",
    )?;
    let mut sums: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    let mut rows = statement.query(rusqlite::params![site, kind, first_year, last_year])?;
    while let Some(row) = rows.next()? {
        let year: i32 = row.get(1)?;
        let first = if year == first_year { first_day } else { 0 };
        let last = if year == last_year { last_day } else { 366 };
        let sum = sum_encoded(row.get_ref(2)?.as_blob()?, first, last);
        if sum > 0 {
            let key: String = row.get(0)?;
            *sums.entry(key).or_default() += sum;
        }
    }
    Ok(sums.into_iter().collect())
}

/// Sums the counts of an encoded series on days `from..=to` without
/// building it (the report's inner loop).
pub fn sum_encoded(bytes: &[u8], from: u16, to: u16) -> u64 {
    pairs(bytes)
        .take_while(|&(day, _)| day <= u64::from(to))
        .filter(|&(day, _)| day >= u64::from(from))
        .map(|(_, count)| count)
        .sum()
}

/// The (day, count) pairs of an encoded series, up to a malformed tail.
fn pairs(bytes: &[u8]) -> impl Iterator<Item = (u64, u64)> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        let (day, used) = read_varint(bytes.get(at..)?)?;
        let (count, more) = read_varint(&bytes[at + used..])?;
        at += used + more;
        Some((day, count))
    })
}

/// Appends `value` as a LEB128 varint.
pub fn write_varint(bytes: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            bytes.push(byte);
            return;
        }
        bytes.push(byte | 0x80);
    }
}

/// The LEB128 varint at the start of `bytes` and its length.
pub fn read_varint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (i, &byte) in bytes.iter().enumerate().take(10) {
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_new_to_grove_are_unknown_for_days_imported_before() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Db::open(dir.path()).unwrap();
        let from = |db: &mut Db| crawler_refusals_from(db.conn()).unwrap();
        assert_eq!(from(&mut db), crate::day::Day(i32::MIN), "a new database");
        // A database of a Grove before the key: days in, no key.
        db.conn()
            .execute_batch(
                "INSERT INTO site_days (site, day) VALUES ('a', 20000); DELETE FROM meta WHERE key = 'crawler_refusals_from';",
            )
            .unwrap();
        drop(db);
        let mut db = Db::open(dir.path()).unwrap();
        assert_eq!(from(&mut db), crate::day::Day::today());
    }

    #[test]
    fn series_round_trip_and_sum_ranges() {
        let mut series = DaySeries::default();
        for (day, count) in [(300, 2), (5, 1), (300, 3), (0, 200), (365, 1_000_000)] {
            series.add(day, count);
        }
        assert_eq!(
            series.days(),
            [(0, 200), (5, 1), (300, 5), (365, 1_000_000)]
        );
        let bytes = series.encode();
        assert_eq!(DaySeries::decode(&bytes), series);
        assert_eq!(series.sum(1, 300), 6);
        assert_eq!(sum_encoded(&bytes, 1, 300), 6);
        assert_eq!(sum_encoded(&bytes, 0, 365), series.total());
    }

    #[test]
    fn a_new_database_gets_its_schema_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Db::open(dir.path()).unwrap();
        db.conn()
            .execute("INSERT INTO unknown_hosts VALUES ('x', 1, 2)", [])
            .unwrap();
        drop(db);
        let mut db = Db::open(dir.path()).unwrap();
        let hits: i64 = db
            .conn()
            .query_row("SELECT hits FROM unknown_hosts", [], |r| r.get(0))
            .unwrap();
        assert_eq!(hits, 2);
    }
}

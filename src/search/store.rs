//! Search figures in the stats database (tables `search_terms`,
//! `search_days`, `search_imports`; see [`crate::db`]).
//!
//! An import replaces the days it brings, per site, engine and grain:
//! the first time it writes a day's record it replaces it, later rows of
//! the same import (the next page of an API response) merge into it, a
//! row for the same page and query replacing the earlier one.

use std::collections::{HashMap, HashSet};

use rusqlite::{Connection, OptionalExtension, params};

use super::{Engine, Fact, Grain, Metrics};
use crate::day::Day;
use crate::db::{read_varint, write_varint};
use crate::stats::tally::FastMap;

/// One stored row: a page and a query (by term id, 0 for none) and their
/// figures, the position sum in hundredths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// The page's term id (0: none).
    pub page: u32,
    /// The query's term id (0: none).
    pub query: u32,
    /// Clicks.
    pub clicks: u64,
    /// Impressions.
    pub impressions: u64,
    /// Position x impressions, in hundredths.
    pub position_centi: u64,
}

impl Entry {
    /// Its figures.
    pub fn metrics(&self) -> Metrics {
        Metrics {
            clicks: self.clicks,
            impressions: self.impressions,
            position_sum: self.position_centi as f64 / 100.0,
        }
    }
}

/// The stored form of a day's entries, sorted by page and query: per
/// entry, the page id's difference from the previous one, the query id,
/// clicks, impressions and position sum, each a LEB128 varint.
pub fn encode(entries: &[Entry]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(entries.len() * 8);
    let mut previous = 0u32;
    for e in entries {
        for value in [
            u64::from(e.page - previous),
            u64::from(e.query),
            e.clicks,
            e.impressions,
            e.position_centi,
        ] {
            write_varint(&mut bytes, value);
        }
        previous = e.page;
    }
    bytes
}

/// The entries of a stored blob (a malformed tail is dropped).
pub fn decode(bytes: &[u8]) -> Vec<Entry> {
    let mut entries = Vec::with_capacity(bytes.len() / 8);
    let mut at = 0;
    let mut page = 0u32;
    'entries: while at < bytes.len() {
        let mut values = [0u64; 5];
        for value in &mut values {
            let Some((v, used)) = read_varint(&bytes[at..]) else {
                break 'entries;
            };
            *value = v;
            at += used;
        }
        page = page.saturating_add(values[0] as u32);
        entries.push(Entry {
            page,
            query: values[1] as u32,
            clicks: values[2],
            impressions: values[3],
            position_centi: values[4],
        });
    }
    entries
}

/// Page paths and queries by id.
#[derive(Debug, Default)]
pub struct Terms {
    ids: FastMap<Box<str>, u32>,
    next: u32,
    new: Vec<(u32, Box<str>)>,
}

impl Terms {
    /// Every term already stored.
    pub fn load(conn: &Connection) -> rusqlite::Result<Terms> {
        let mut ids = FastMap::default();
        let mut next = 1;
        let mut statement = conn.prepare("SELECT id, text FROM search_terms")?;
        let rows =
            statement.query_map([], |r| Ok((r.get::<_, u32>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (id, text) = row?;
            next = next.max(id + 1);
            ids.insert(text.into_boxed_str(), id);
        }
        Ok(Terms {
            ids,
            next,
            new: Vec::new(),
        })
    }

    /// The id of `text` (0 for empty), a new one if it has none.
    pub fn id(&mut self, text: &str) -> u32 {
        if text.is_empty() {
            return 0;
        }
        if let Some(&id) = self.ids.get(text) {
            return id;
        }
        let id = self.next;
        self.next += 1;
        self.ids.insert(text.into(), id);
        self.new.push((id, text.into()));
        id
    }

    /// Writes the terms added since the last save.
    fn save(&mut self, conn: &Connection) -> rusqlite::Result<()> {
        let mut insert =
            conn.prepare_cached("INSERT INTO search_terms (id, text) VALUES (?1, ?2)")?;
        for (id, text) in self.new.drain(..) {
            insert.execute(params![id, &*text])?;
        }
        Ok(())
    }
}

/// The texts of term ids.
pub fn term_texts(
    conn: &Connection,
    ids: impl IntoIterator<Item = u32>,
) -> rusqlite::Result<HashMap<u32, String>> {
    let mut texts = HashMap::new();
    let mut statement = conn.prepare_cached("SELECT text FROM search_terms WHERE id = ?1")?;
    for id in ids {
        if id == 0 || texts.contains_key(&id) {
            continue;
        }
        if let Some(text) = statement
            .query_row([id], |r| r.get::<_, String>(0))
            .optional()?
        {
            texts.insert(id, text);
        }
    }
    Ok(texts)
}

/// A day's record: site (index into the writer's names), engine, grain,
/// day.
type DayKey = (usize, Engine, Grain, Day);

/// Rows on their way into the database, held per day's record and
/// written when many are held, inside the import's transaction.
pub struct Writer {
    terms: Terms,
    sites: Vec<String>,
    pending: FastMap<DayKey, (Vec<Entry>, bool)>,
    held: usize,
    written: HashSet<DayKey>,
}

/// A position sum in hundredths, as stored.
pub fn centi(position_sum: f64) -> u64 {
    (position_sum * 100.0).round().max(0.0) as u64
}

/// Rows held before they are written (about 40 bytes each).
const HOLD: usize = 1_000_000;

impl Writer {
    /// A writer adding to the terms of `conn`.
    pub fn new(conn: &Connection) -> rusqlite::Result<Writer> {
        Ok(Writer {
            terms: Terms::load(conn)?,
            sites: Vec::new(),
            pending: FastMap::default(),
            held: 0,
            written: HashSet::new(),
        })
    }

    /// Adds a row; writes what is held when it is much.
    pub fn add(&mut self, conn: &Connection, fact: &Fact<'_>) -> rusqlite::Result<()> {
        let entry = Entry {
            page: self.terms.id(fact.page),
            query: self.terms.id(fact.query),
            clicks: fact.metrics.clicks,
            impressions: fact.metrics.impressions,
            position_centi: centi(fact.metrics.position_sum),
        };
        let site = self.site(fact.site);
        self.add_entry(
            conn,
            (site, fact.engine, fact.grain, fact.day),
            entry,
            fact.spread,
        )
    }

    /// The id of a page path or query (0 for empty).
    pub fn term(&mut self, text: &str) -> u32 {
        self.terms.id(text)
    }

    /// The writer's number for site `name`.
    pub fn site(&mut self, name: &str) -> usize {
        match self.sites.iter().position(|s| s == name) {
            Some(index) => index,
            None => {
                self.sites.push(name.to_string());
                self.sites.len() - 1
            }
        }
    }

    /// The name of the writer's site `index`.
    pub fn site_name(&self, index: usize) -> &str {
        &self.sites[index]
    }

    /// Adds an entry to the day's record `key` (site by [`Writer::site`]).
    pub fn add_entry(
        &mut self,
        conn: &Connection,
        key: (usize, Engine, Grain, Day),
        entry: Entry,
        spread: bool,
    ) -> rusqlite::Result<()> {
        let slot = self.pending.entry(key).or_default();
        slot.0.push(entry);
        slot.1 |= spread;
        self.held += 1;
        if self.held >= HOLD {
            self.flush(conn)?;
        }
        Ok(())
    }

    /// Writes everything held: a day's record written for the first time
    /// in this import replaces the stored one, a later one merges into it.
    pub fn flush(&mut self, conn: &Connection) -> rusqlite::Result<()> {
        self.terms.save(conn)?;
        let mut read = conn.prepare_cached(
            "SELECT entries FROM search_days WHERE site = ?1 AND grain = ?2 AND day = ?3 AND engine = ?4",
        )?;
        let mut write = conn.prepare_cached(
            "INSERT OR REPLACE INTO search_days (site, engine, grain, day, entries, spread)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        let mut keys: Vec<DayKey> = self.pending.keys().cloned().collect();
        keys.sort();
        for key in keys {
            let (mut entries, spread) = self.pending.remove(&key).expect("listed");
            let (site, engine, grain, day) = &key;
            let site = &self.sites[*site];
            if self.written.contains(&key) {
                let stored: Option<Vec<u8>> = read
                    .query_row(params![site, grain.name(), day.0, engine.name()], |r| {
                        r.get(0)
                    })
                    .optional()?;
                let mut merged = stored.map(|b| decode(&b)).unwrap_or_default();
                merged.append(&mut entries);
                entries = merged;
            }
            // Sorted by page and query; of two rows for the same page and
            // query, the later one stays (a file given twice counts once).
            entries.reverse();
            entries.sort_by_key(|e| (e.page, e.query));
            entries.dedup_by_key(|e| (e.page, e.query));
            write.execute(params![
                site,
                engine.name(),
                grain.name(),
                day.0,
                encode(&entries),
                spread
            ])?;
            self.written.insert(key);
        }
        self.held = 0;
        Ok(())
    }
}

/// One day's stored rows of a grain.
#[derive(Debug, Clone)]
pub struct StoredDay {
    /// The day.
    pub day: Day,
    /// The engine.
    pub engine: Engine,
    /// Its rows.
    pub entries: Vec<Entry>,
    /// Whether they were spread from a period's totals.
    pub spread: bool,
}

/// The stored days of `site`'s `grain` on days `from..=to`.
pub fn read_days(
    conn: &Connection,
    site: &str,
    grain: Grain,
    from: Day,
    to: Day,
) -> rusqlite::Result<Vec<StoredDay>> {
    let mut statement = conn.prepare_cached(
        "SELECT day, engine, entries, spread FROM search_days
         WHERE site = ?1 AND grain = ?2 AND day BETWEEN ?3 AND ?4 ORDER BY day, engine",
    )?;
    let rows = statement.query_map(params![site, grain.name(), from.0, to.0], |r| {
        Ok((
            r.get::<_, i32>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Vec<u8>>(2)?,
            r.get::<_, bool>(3)?,
        ))
    })?;
    let mut days = Vec::new();
    for row in rows {
        let (day, engine, bytes, spread) = row?;
        let Some(engine) = Engine::from_name(&engine) else {
            continue;
        };
        days.push(StoredDay {
            day: Day(day),
            engine,
            entries: decode(&bytes),
            spread,
        });
    }
    Ok(days)
}

/// The first and last day with search figures of any of `sites`.
pub fn range(conn: &Connection, sites: &[String]) -> rusqlite::Result<Option<(Day, Day)>> {
    let mut statement =
        conn.prepare_cached("SELECT MIN(day), MAX(day) FROM search_days WHERE site = ?1")?;
    let mut range: Option<(Day, Day)> = None;
    for site in sites {
        let (first, last): (Option<i32>, Option<i32>) =
            statement.query_row([site], |r| Ok((r.get(0)?, r.get(1)?)))?;
        if let (Some(first), Some(last)) = (first, last) {
            range = Some(match range {
                Some((a, b)) => (a.min(Day(first)), b.max(Day(last))),
                None => (Day(first), Day(last)),
            });
        }
    }
    Ok(range)
}

/// The periods of `site`'s imports whose totals were spread over days.
pub fn spread_periods(conn: &Connection, site: &str) -> rusqlite::Result<Vec<(Day, Day)>> {
    let mut statement = conn.prepare_cached(
        "SELECT DISTINCT first_day, last_day FROM search_imports WHERE site = ?1 AND spread = 1",
    )?;
    let rows = statement.query_map([site], |r| Ok((Day(r.get(0)?), Day(r.get(1)?))))?;
    rows.collect()
}

/// Records an import of `file` for `site`.
pub fn record_import(
    conn: &Connection,
    file: &str,
    engine: Engine,
    site: &str,
    (first, last): (Day, Day),
    rows: u64,
    spread: bool,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO search_imports (file, engine, site, first_day, last_day, rows, spread, imported_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, datetime('now'))",
        params![file, engine.name(), site, first.0, last.0, rows as i64, spread],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip() {
        let entries = vec![
            Entry {
                page: 1,
                query: 0,
                clicks: 3,
                impressions: 40,
                position_centi: 12_000,
            },
            Entry {
                page: 1,
                query: 9,
                clicks: 0,
                impressions: 1,
                position_centi: 750,
            },
            Entry {
                page: 300_000,
                query: 2,
                clicks: 1 << 40,
                impressions: 5,
                position_centi: 1,
            },
        ];
        assert_eq!(decode(&encode(&entries)), entries);
        let bytes = encode(&entries);
        assert_eq!(decode(&bytes[..bytes.len() - 1]).len(), 2);
    }
}

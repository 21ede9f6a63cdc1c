//! `grove seo import`: search exports and saved API responses into the
//! stats database, all files in one transaction (all or nothing), each
//! day a file brings replacing that day's stored figures of its site,
//! engine and grain.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use super::api::{self, Dimension, SavedResponse};
use super::export::{self, Table, TableKind, TableRow};
use super::sites::{SiteUrls, Unmatched};
use super::spread::spread;
use super::store::{self, Entry, Writer, centi};
use super::{Engine, Fact, Grain, Metrics};
use crate::day::Day;
use crate::db::Db;
use crate::error::{Error, Location, Result};
use crate::network::Network;
use crate::run_lock::{self, RunLock};
use crate::state;
use crate::stats::tally::FastMap;
use crate::zip_archive;

/// What `grove seo import` should do.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The files: zip, CSV or JSON.
    pub files: Vec<PathBuf>,
    /// The site of files that carry no URLs (`Queries.csv` alone, a
    /// response without the page dimension).
    pub site: Option<String>,
    /// The period of files that do not say it (Bing's exports, a
    /// response without the date dimension).
    pub period: Option<(Day, Day)>,
    /// The dimensions of saved API responses, when they cannot be told
    /// from the values.
    pub dimensions: Option<Vec<Dimension>>,
    /// The engine, when the file does not show it.
    pub engine: Option<Engine>,
}

/// What one file (or one export's files) brought.
#[derive(Debug, Clone, Default)]
pub struct ImportSummary {
    /// The file (a zip, a folder of CSV files, a JSON file).
    pub file: PathBuf,
    /// The engine.
    pub engine: Option<Engine>,
    /// What it held: `pages`, `queries`, `dates`, `page × query`, ...
    pub held: Vec<String>,
    /// Rows read.
    pub rows: u64,
    /// Days written per site: (first, last).
    pub sites: BTreeMap<String, (Day, Day)>,
    /// Whether totals over a period were spread over its days.
    pub spread: bool,
    /// What was not kept, and why (`Countries.csv: 229 rows: countries
    /// are not kept`).
    pub skipped: Vec<String>,
    /// Rows of URLs no site has.
    pub unmatched: Unmatched,
}

/// The largest file read (a year of a network's API responses is split
/// into many files by the API's paging).
const MAX_FILE_BYTES: u64 = 1 << 30;

/// Imports `options.files` into the network's stats database.
pub fn import(network: &Network, options: &ImportOptions) -> Result<Vec<ImportSummary>> {
    if options.files.is_empty() {
        return Err(Error::Usage(
            "name the files to import: Search Console's export (zip or CSV files), saved API responses (JSON), Bing's exports (CSV)".into(),
        ));
    }
    let inputs = group_inputs(&options.files)?;
    let mut session = Session::open(network, options.clone())?;
    for input in inputs {
        let summary = session.input(input)?;
        session.keep(summary);
    }
    session.commit()
}

/// An import in progress: the stats database's lock held and one
/// transaction open; dropped without [`Session::commit`], nothing of it
/// stays.
pub struct Session {
    urls: SiteUrls,
    options: ImportOptions,
    writer: Writer,
    summaries: Vec<ImportSummary>,
    committed: bool,
    db: Db,
    _lock: RunLock,
}

impl Session {
    /// Starts an import into `network`'s stats database.
    pub fn open(network: &Network, options: ImportOptions) -> Result<Session> {
        if let Some(site) = &options.site {
            network.select(std::slice::from_ref(site), None)?;
        }
        let state = state::dir(&network.root);
        let lock = RunLock::wait(&state, run_lock::STATS)?;
        let mut db = Db::open(&state)?;
        db.conn()
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| db.error(&e))?;
        let writer = Writer::new(db.conn()).map_err(|e| db.error(&e))?;
        Ok(Session {
            urls: SiteUrls::new(network),
            options,
            writer,
            summaries: Vec::new(),
            committed: false,
            db,
            _lock: lock,
        })
    }

    fn importer(&mut self, file: &Path) -> FileImport<'_> {
        FileImport {
            site: self.options.site.clone(),
            options: &self.options,
            urls: &self.urls,
            writer: &mut self.writer,
            conn: self.db.conn(),
            summary: ImportSummary {
                file: file.to_path_buf(),
                ..ImportSummary::default()
            },
        }
    }

    fn input(&mut self, input: Input) -> Result<ImportSummary> {
        let mut importer = self.importer(input.path());
        match input {
            Input::Export { path, files } => importer.export(&path, files)?,
            Input::Json { path } => {
                let bytes = std::fs::read(&path)
                    .map_err(|source| Error::io(&path, "cannot read file", source))?;
                importer.api(&path, &bytes)?;
            }
        }
        Ok(importer.summary)
    }

    /// Adds the rows of an API response (named `label` in messages) of
    /// `site`'s property.
    pub fn response(
        &mut self,
        label: &Path,
        saved: SavedResponse<'_>,
        site: &str,
    ) -> Result<ImportSummary> {
        let mut importer = self.importer(label);
        importer.site = Some(site.to_string());
        importer.api_rows(label, saved)?;
        Ok(importer.summary)
    }

    /// Records `summary` as an import of its file when the session commits.
    pub fn keep(&mut self, summary: ImportSummary) {
        self.summaries.push(summary);
    }

    /// Writes what is held, records the kept imports and commits.
    pub fn commit(mut self) -> Result<Vec<ImportSummary>> {
        let db_path = self.db.path().to_path_buf();
        let database = |e: rusqlite::Error| Error::Output {
            path: db_path.clone(),
            message: format!("stats database: {e}"),
        };
        let conn = self.db.conn();
        self.writer.flush(conn).map_err(database)?;
        for summary in &self.summaries {
            for (site, range) in &summary.sites {
                store::record_import(
                    conn,
                    &summary.file.display().to_string(),
                    summary.engine.unwrap_or(Engine::Google),
                    site,
                    *range,
                    summary.rows,
                    summary.spread,
                )
                .map_err(database)?;
            }
        }
        conn.execute_batch("COMMIT").map_err(database)?;
        self.committed = true;
        Ok(std::mem::take(&mut self.summaries))
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if !self.committed {
            let _ = self.db.conn().execute_batch("ROLLBACK");
        }
    }
}

/// What the command line named, read: an export (a zip's CSV files, or
/// the loose CSV files of one folder), or a JSON file.
enum Input {
    Export {
        path: PathBuf,
        files: Vec<(PathBuf, Vec<u8>)>,
    },
    Json {
        path: PathBuf,
    },
}

impl Input {
    fn path(&self) -> &Path {
        match self {
            Input::Export { path, .. } | Input::Json { path, .. } => path,
        }
    }
}

fn group_inputs(named: &[PathBuf]) -> Result<Vec<Input>> {
    let mut inputs = Vec::new();
    let mut loose: BTreeMap<PathBuf, Vec<(PathBuf, Vec<u8>)>> = BTreeMap::new();
    for file in expand_folders(named)? {
        let size = std::fs::metadata(&file)
            .map_err(|source| Error::io(&file, "cannot read file", source))?
            .len();
        if size > MAX_FILE_BYTES {
            return Err(Error::Content {
                location: Location::file(&file),
                message: format!(
                    "{size} bytes, over the {} MB a search export may have: split it (the API pages responses by 25,000 rows)",
                    MAX_FILE_BYTES >> 20
                ),
            });
        }
        let head = file_head(&file)?;
        if zip_archive::is_zip(&head) {
            let bytes = std::fs::read(&file)
                .map_err(|source| Error::io(&file, "cannot read file", source))?;
            let entries = zip_archive::read_zip(&bytes).map_err(|message| Error::Content {
                location: Location::file(&file),
                message,
            })?;
            let files: Vec<(PathBuf, Vec<u8>)> = entries
                .into_iter()
                .filter(|e| e.name.to_ascii_lowercase().ends_with(".csv"))
                .map(|e| (file.join(&e.name), e.bytes))
                .collect();
            if files.is_empty() {
                return Err(Error::Content {
                    location: Location::file(&file),
                    message: "a zip without CSV files (an Excel file? In Search Console, export with \"Download CSV\")".into(),
                });
            }
            inputs.push(Input::Export { path: file, files });
        } else if api::is_json(&head) {
            // Read when its turn comes: a year of responses is gigabytes.
            inputs.push(Input::Json { path: file });
        } else {
            let bytes = std::fs::read(&file)
                .map_err(|source| Error::io(&file, "cannot read file", source))?;
            let folder = file.parent().map(Path::to_path_buf).unwrap_or_default();
            loose.entry(folder).or_default().push((file, bytes));
        }
    }
    for (folder, files) in loose {
        let path = if files.len() == 1 {
            files[0].0.clone()
        } else {
            folder
        };
        inputs.push(Input::Export { path, files });
    }
    Ok(inputs)
}

/// The files `named` names: files as they are, folders as the export
/// files below them (`.zip`, `.csv`, `.tsv`, `.json`), in name order.
fn expand_folders(named: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in named {
        if !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        let mut found: Vec<PathBuf> = walkdir::WalkDir::new(path)
            .into_iter()
            .filter_map(std::result::Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(walkdir::DirEntry::into_path)
            .filter(|p| {
                p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                    ["zip", "csv", "tsv", "json"].contains(&e.to_ascii_lowercase().as_str())
                })
            })
            .collect();
        found.sort();
        files.extend(found);
    }
    Ok(files)
}

/// The first bytes of `path`, to tell its kind.
fn file_head(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let mut head = Vec::with_capacity(512);
    std::fs::File::open(path)
        .and_then(|f| f.take(512).read_to_end(&mut head))
        .map_err(|source| Error::io(path, "cannot read file", source))?;
    Ok(head)
}

/// Importing one input.
struct FileImport<'a> {
    /// The site of rows that name no page (`--site`, or the fetched
    /// property's).
    site: Option<String>,
    options: &'a ImportOptions,
    urls: &'a SiteUrls,
    writer: &'a mut Writer,
    conn: &'a rusqlite::Connection,
    summary: ImportSummary,
}

/// (site, page or "", query or ""): figures summed.
type Rollup = HashMap<(String, String, String), Metrics>;

impl FileImport<'_> {
    fn write(&mut self, fact: Fact<'_>) -> Result<()> {
        if fact.metrics.is_empty() {
            return Ok(());
        }
        let range = self
            .summary
            .sites
            .entry(fact.site.to_string())
            .or_insert((fact.day, fact.day));
        range.0 = range.0.min(fact.day);
        range.1 = range.1.max(fact.day);
        self.summary.spread |= fact.spread;
        self.writer
            .add(self.conn, &fact)
            .map_err(|e| Error::Output {
                path: self.summary.file.clone(),
                message: format!("stats database: {e}"),
            })
    }

    /// Writes totals over `days`, spread by `weights` (clicks,
    /// impressions per day; even when `None`).
    fn write_spread(
        &mut self,
        engine: Engine,
        grain: Grain,
        totals: &Rollup,
        days: &[Day],
        weights: Option<(&[u64], &[u64])>,
    ) -> Result<()> {
        let even = vec![0; days.len()];
        let (click_weights, impression_weights) = weights.unwrap_or((&even, &even));
        let mut keys: Vec<&(String, String, String)> = totals.keys().collect();
        keys.sort();
        for key in keys {
            let metrics = totals[key];
            let position = metrics.position().unwrap_or(0.0);
            let clicks = spread(metrics.clicks, click_weights);
            let impressions = spread(metrics.impressions, impression_weights);
            for (i, &day) in days.iter().enumerate() {
                self.write(Fact {
                    engine,
                    grain,
                    site: &key.0,
                    day,
                    page: &key.1,
                    query: &key.2,
                    metrics: Metrics::new(clicks[i], impressions[i], position),
                    spread: true,
                })?;
            }
        }
        Ok(())
    }

    /// A Search Console web export, or Bing's exports.
    fn export(&mut self, path: &Path, files: Vec<(PathBuf, Vec<u8>)>) -> Result<()> {
        let mut tables: Vec<(PathBuf, Table)> = Vec::new();
        for (file, bytes) in files {
            let name = file.display().to_string();
            let table =
                export::read_table(&name, &bytes).map_err(|(line, message)| Error::Content {
                    location: match line {
                        Some(line) => Location::line(&file, line),
                        None => Location::file(&file),
                    },
                    message,
                })?;
            tables.push((file, table));
        }
        let bing = self.options.engine == Some(Engine::Bing)
            || (self.options.engine.is_none() && tables.iter().any(|(_, t)| t.bing));
        if bing {
            self.summary.engine = Some(Engine::Bing);
            for (file, table) in tables {
                self.bing_table(&file, &table)?;
            }
            return Ok(());
        }
        self.summary.engine = Some(Engine::Google);
        self.console_export(path, tables)
    }

    fn console_export(&mut self, path: &Path, tables: Vec<(PathBuf, Table)>) -> Result<()> {
        let find = |kind: TableKind| tables.iter().find(|(_, t)| t.kind == kind);
        let filters = find(TableKind::Filters)
            .map(|(_, t)| export::filters(&t.filters))
            .unwrap_or_default();
        if !filters.narrowing.is_empty() {
            return Err(Error::Content {
                location: Location::file(path),
                message: format!(
                    "the export is filtered ({}): its figures are a part of the site's; export the report again without filters",
                    filters.narrowing.join("; ")
                ),
            });
        }
        let dates = find(TableKind::Dates);
        let mut daily: BTreeMap<Day, (u64, u64, f64)> = BTreeMap::new();
        if let Some((file, table)) = dates {
            for row in &table.rows {
                let day = export_day(file, row)?;
                daily.insert(day, (row.clicks, row.impressions, row.position));
            }
            self.summary
                .held
                .push(format!("dates ({} days)", table.rows.len()));
        }
        let period = match (daily.keys().next(), daily.keys().next_back()) {
            (Some(&first), Some(&last)) => (first, last),
            _ => filters.period.or(self.options.period).ok_or_else(|| Error::Content {
                location: Location::file(path),
                message: "no Chart.csv or Dates.csv and no dates in Filters.csv: the export's period is unknown; give --since and --until".into(),
            })?,
        };
        let days: Vec<Day> = (period.0.0..=period.1.0).map(Day).collect();
        let click_weights: Vec<u64> = days
            .iter()
            .map(|d| daily.get(d).map_or(0, |v| v.0))
            .collect();
        let impression_weights: Vec<u64> = days
            .iter()
            .map(|d| daily.get(d).map_or(0, |v| v.1))
            .collect();

        let mut page_totals: Rollup = HashMap::new();
        if let Some((_, table)) = find(TableKind::Pages) {
            for row in &table.rows {
                self.summary.rows += 1;
                match self.urls.page_of(&row.label) {
                    Some(page) => {
                        add_to(&mut page_totals, (page.site, page.page, String::new()), row)
                    }
                    None => self.summary.unmatched.add(&row.label),
                }
            }
            self.summary
                .held
                .push(format!("pages ({} rows)", table.rows.len()));
        }
        let mut page_sites: Vec<&str> = page_totals.keys().map(|k| k.0.as_str()).collect();
        page_sites.sort_unstable();
        page_sites.dedup();
        let site = match (&self.site, page_sites.as_slice()) {
            (Some(site), _) => Some(site.clone()),
            (None, [one]) => Some(one.to_string()),
            _ => None,
        };
        let weights = Some((click_weights.as_slice(), impression_weights.as_slice()));
        self.write_spread(Engine::Google, Grain::Page, &page_totals, &days, weights)?;

        let site_wide: Vec<&(PathBuf, Table)> = tables
            .iter()
            .filter(|(_, t)| matches!(t.kind, TableKind::Dates | TableKind::Queries))
            .collect();
        match &site {
            Some(site) => {
                for (day, (clicks, impressions, position)) in &daily {
                    self.write(Fact {
                        engine: Engine::Google,
                        grain: Grain::Site,
                        site,
                        day: *day,
                        page: "",
                        query: "",
                        metrics: Metrics::new(*clicks, *impressions, *position),
                        spread: false,
                    })?;
                }
                self.summary.rows += daily.len() as u64;
                if let Some((_, table)) = find(TableKind::Queries) {
                    let mut totals: Rollup = HashMap::new();
                    for row in &table.rows {
                        add_to(
                            &mut totals,
                            (site.clone(), String::new(), row.label.clone()),
                            row,
                        );
                    }
                    self.summary.rows += table.rows.len() as u64;
                    self.summary
                        .held
                        .push(format!("queries ({} rows)", table.rows.len()));
                    self.write_spread(Engine::Google, Grain::Query, &totals, &days, weights)?;
                }
            }
            None if !site_wide.is_empty() => {
                let names: Vec<String> = site_wide
                    .iter()
                    .map(|(f, t)| format!("{} ({} rows)", file_name(f), t.rows.len()))
                    .collect();
                let why = if page_sites.is_empty() {
                    "no page URL says which site it is".to_string()
                } else {
                    format!("the export covers the sites {}", page_sites.join(", "))
                };
                self.summary.skipped.push(format!(
                    "{}: {why}; give --site NAME to import its totals for one site",
                    names.join(", ")
                ));
            }
            None => {}
        }
        for (file, table) in &tables {
            if matches!(
                table.kind,
                TableKind::Countries | TableKind::Devices | TableKind::Appearance
            ) && !table.rows.is_empty()
            {
                self.summary.skipped.push(format!(
                    "{}: {} rows: {} are not kept (Grove keeps pages and queries)",
                    file_name(file),
                    table.rows.len(),
                    table.kind.name()
                ));
            }
        }
        Ok(())
    }

    /// One of Bing Webmaster Tools' exports: pages or keywords, per day
    /// when it has a date column, else over `--since`..`--until`.
    fn bing_table(&mut self, file: &Path, table: &Table) -> Result<()> {
        let grain = match table.kind {
            TableKind::Pages => Grain::Page,
            TableKind::Queries => Grain::Query,
            TableKind::Dates => Grain::Site,
            other => {
                self.summary.skipped.push(format!(
                    "{}: {} rows: {} are not kept",
                    file_name(file),
                    table.rows.len(),
                    other.name()
                ));
                return Ok(());
            }
        };
        self.summary
            .held
            .push(format!("{} ({} rows)", table.kind.name(), table.rows.len()));
        let mut daily: BTreeMap<Day, Rollup> = BTreeMap::new();
        let mut totals: Rollup = HashMap::new();
        for row in &table.rows {
            self.summary.rows += 1;
            let (site, page, query, day) = match grain {
                Grain::Page => match self.urls.page_of(&row.label) {
                    Some(page) => (page.site, page.page, String::new(), row.day),
                    None => {
                        self.summary.unmatched.add(&row.label);
                        continue;
                    }
                },
                Grain::Query => (
                    self.forced_site(file)?,
                    String::new(),
                    row.label.clone(),
                    row.day,
                ),
                _ => (
                    self.forced_site(file)?,
                    String::new(),
                    String::new(),
                    Some(export_day(file, row)?),
                ),
            };
            match day {
                Some(day) => add_to(daily.entry(day).or_default(), (site, page, query), row),
                None => add_to(&mut totals, (site, page, query), row),
            }
        }
        for (day, rollup) in &daily {
            let mut keys: Vec<_> = rollup.keys().collect();
            keys.sort();
            for key in keys {
                self.write(Fact {
                    engine: Engine::Bing,
                    grain,
                    site: &key.0,
                    day: *day,
                    page: &key.1,
                    query: &key.2,
                    metrics: rollup[key],
                    spread: false,
                })?;
            }
        }
        if !totals.is_empty() {
            let (first, last) = self.options.period.ok_or_else(|| Error::Content {
                location: Location::file(file),
                message: "Bing's export does not say its period: give --since and --until (the dates of the export)".into(),
            })?;
            let days: Vec<Day> = (first.0..=last.0).map(Day).collect();
            self.write_spread(Engine::Bing, grain, &totals, &days, None)?;
        }
        Ok(())
    }

    /// `--site`, for rows that name no page.
    fn forced_site(&self, file: &Path) -> Result<String> {
        self.site.clone().ok_or_else(|| Error::Content {
            location: Location::file(file),
            message: "its rows name no page, so not their site: give --site NAME".into(),
        })
    }

    /// A saved Search Analytics API response.
    fn api(&mut self, path: &Path, bytes: &[u8]) -> Result<()> {
        let error = |message: String| Error::Content {
            location: Location::file(path),
            message,
        };
        let saved = api::read(bytes).map_err(error)?;
        self.api_rows(path, saved)
    }

    /// The rows of a response (from a file at `path`, or fetched).
    fn api_rows(&mut self, path: &Path, saved: SavedResponse<'_>) -> Result<()> {
        let error = |message: String| Error::Content {
            location: Location::file(path),
            message,
        };
        self.summary.engine = Some(Engine::Google);
        if saved.rows.is_empty() {
            self.summary.held.push("no rows".into());
            return Ok(());
        }
        let dimensions = match (&self.options.dimensions, &saved.dimensions) {
            (Some(d), _) | (None, Some(d)) => d.clone(),
            (None, None) => api::infer_dimensions(&saved.rows).map_err(error)?,
        };
        if let Some(row) = saved.rows.iter().find(|r| r.keys.len() != dimensions.len()) {
            return Err(error(format!(
                "a row has {} keys for the {} dimensions {}",
                row.keys.len(),
                dimensions.len(),
                dimension_names(&dimensions)
            )));
        }
        if dimensions.contains(&Dimension::Hour) {
            return Err(error(
                "hourly rows are not kept: request the date dimension instead of hour".into(),
            ));
        }
        let at = |d: Dimension| dimensions.iter().position(|x| *x == d);
        let (date, page, query) = (
            at(Dimension::Date),
            at(Dimension::Page),
            at(Dimension::Query),
        );
        let grain = match (page, query) {
            (Some(_), Some(_)) => Grain::PageQuery,
            (Some(_), None) => Grain::Page,
            (None, Some(_)) => Grain::Query,
            (None, None) => Grain::Site,
        };
        self.summary.held.push(format!(
            "{} rows by {}",
            saved.rows.len(),
            dimension_names(&dimensions)
        ));
        let site_of_rows = match page {
            Some(_) => None,
            None => Some(match (&self.site, &saved.property) {
                (Some(site), _) => site.clone(),
                (None, Some(property)) => {
                    self.urls.site_of_property(property).ok_or_else(|| {
                        error(format!(
                            "no site of this network has the property {property}: give --site NAME"
                        ))
                    })?
                }
                (None, None) => self.forced_site(path)?,
            }),
        };
        // Rows of one page and query on one day are summed (several
        // countries or devices, `http` and `https`), by term id.
        let mut pages: FastMap<&str, Option<(usize, u32, String)>> = FastMap::default();
        let mut rollup: FastMap<(Option<Day>, usize, u32, u32), Metrics> = FastMap::default();
        let mut undated: Rollup = HashMap::new();
        let forced = site_of_rows.as_deref().map(|name| self.writer.site(name));
        for (index, row) in saved.rows.iter().enumerate() {
            self.summary.rows += 1;
            let day = match date {
                Some(i) => Some(Day::parse(&row.keys[i]).ok_or_else(|| {
                    error(format!(
                        "row {}: date `{}` is not YYYY-MM-DD",
                        index + 1,
                        row.keys[i]
                    ))
                })?),
                None => None,
            };
            let (site, page_id) = match page {
                Some(i) => {
                    let url: &str = &row.keys[i];
                    let found = pages.entry(url).or_insert_with(|| {
                        self.urls
                            .page_of(url)
                            .map(|p| (self.writer.site(&p.site), self.writer.term(&p.page), p.page))
                    });
                    match found {
                        Some((site, page, _)) => (*site, *page),
                        None => {
                            self.summary.unmatched.add(url);
                            continue;
                        }
                    }
                }
                None => (forced.expect("set without pages"), 0),
            };
            let query_text: &str = query.map_or("", |i| &row.keys[i]);
            let metrics = Metrics::new(
                row.clicks.max(0.0).round() as u64,
                row.impressions.max(0.0).round() as u64,
                row.position.max(0.0),
            );
            if day.is_none() {
                let page_text = match page {
                    Some(i) => pages[&*row.keys[i]]
                        .as_ref()
                        .map(|p| p.2.clone())
                        .unwrap_or_default(),
                    None => String::new(),
                };
                let site_name = self.writer.site_name(site).to_string();
                undated
                    .entry((site_name, page_text, query_text.to_string()))
                    .or_default()
                    .add(&metrics);
                continue;
            }
            let query_id = self.writer.term(query_text);
            rollup
                .entry((day, site, page_id, query_id))
                .or_default()
                .add(&metrics);
        }
        let mut keys: Vec<_> = rollup.keys().copied().collect();
        keys.sort_unstable();
        for key in keys {
            let metrics = rollup[&key];
            let (day, site, page, query) = key;
            let day = day.expect("undated rows are apart");
            self.note_day(site, day);
            let entry = Entry {
                page,
                query,
                clicks: metrics.clicks,
                impressions: metrics.impressions,
                position_centi: centi(metrics.position_sum),
            };
            self.writer
                .add_entry(self.conn, (site, Engine::Google, grain, day), entry, false)
                .map_err(|e| self.database(e))?;
        }
        if !undated.is_empty() {
            let (first, last) = saved.period.or(self.options.period).ok_or_else(|| {
                error("the rows have no date dimension and the file does not say its period: give --since and --until (the request's startDate and endDate)".into())
            })?;
            let days: Vec<Day> = (first.0..=last.0).map(Day).collect();
            self.write_spread(Engine::Google, grain, &undated, &days, None)?;
        }
        Ok(())
    }

    /// Counts `day` among the days written for the writer's site `site`.
    fn note_day(&mut self, site: usize, day: Day) {
        let name = self.writer.site_name(site);
        match self.summary.sites.get_mut(name) {
            Some(range) => {
                range.0 = range.0.min(day);
                range.1 = range.1.max(day);
            }
            None => {
                self.summary.sites.insert(name.to_string(), (day, day));
            }
        }
    }

    fn database(&self, e: rusqlite::Error) -> Error {
        Error::Output {
            path: self.summary.file.clone(),
            message: format!("stats database: {e}"),
        }
    }
}

fn add_to(rollup: &mut Rollup, key: (String, String, String), row: &TableRow) {
    rollup
        .entry(key)
        .or_default()
        .add(&Metrics::new(row.clicks, row.impressions, row.position));
}

fn export_day(file: &Path, row: &TableRow) -> Result<Day> {
    row.day
        .or_else(|| crate::revenue::parse_date(&row.label))
        .ok_or_else(|| Error::Content {
            location: Location::line(file, row.line),
            message: format!("`{}` is not a date", row.label),
        })
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn dimension_names(dimensions: &[Dimension]) -> String {
    dimensions
        .iter()
        .map(|d| d.name())
        .collect::<Vec<_>>()
        .join(", ")
}

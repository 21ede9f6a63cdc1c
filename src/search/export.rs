//! Search exports as CSV: Search Console's web export (`Queries.csv`,
//! `Pages.csv`, `Chart.csv` or `Dates.csv`, `Countries.csv`,
//! `Devices.csv`, `Search appearance.csv`, `Filters.csv`, in any of its
//! languages, with `,` or `;` between fields and `.` or `,` as the
//! decimal mark) and Bing Webmaster Tools' page and keyword exports.
//!
//! A table is known by its file name, else its header, else its first
//! column's values (URLs: pages; dates: days). Columns are known by their
//! names in the languages below, else by Search Console's order (label,
//! clicks, impressions, CTR, position).

use crate::day::Day;
use crate::revenue::parse_date;
use crate::revenue::table::{decode, delimiter};

use super::numbers;

/// What a table lists, one row each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    /// Days (`Chart.csv`, `Dates.csv`): the property's totals per day.
    Dates,
    /// Pages: totals per page over the period.
    Pages,
    /// Queries (or Bing's keywords): totals per query over the period.
    Queries,
    /// Countries: not kept.
    Countries,
    /// Devices: not kept.
    Devices,
    /// Search appearance: not kept.
    Appearance,
    /// The export's filters.
    Filters,
}

impl TableKind {
    /// Its name in messages.
    pub fn name(self) -> &'static str {
        match self {
            TableKind::Dates => "dates",
            TableKind::Pages => "pages",
            TableKind::Queries => "queries",
            TableKind::Countries => "countries",
            TableKind::Devices => "devices",
            TableKind::Appearance => "search appearance",
            TableKind::Filters => "filters",
        }
    }
}

/// One row of a table: its label (a query, a URL, a day) and figures.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRow {
    /// The row's line in its file.
    pub line: usize,
    /// The first column: a query, a page URL, a date.
    pub label: String,
    /// The day, when the table has a date column besides its label
    /// (Bing's exports may).
    pub day: Option<Day>,
    /// Clicks.
    pub clicks: u64,
    /// Impressions.
    pub impressions: u64,
    /// Average position (0 when empty).
    pub position: f64,
}

/// A table read from one CSV file.
#[derive(Debug, Clone)]
pub struct Table {
    /// What it lists.
    pub kind: TableKind,
    /// Whether it reads like Bing Webmaster Tools' export.
    pub bing: bool,
    /// Its rows (for filters: label = filter, `position` unused, see
    /// [`Table::filters`]).
    pub rows: Vec<TableRow>,
    /// (filter, value) pairs of a filters table.
    pub filters: Vec<(String, String)>,
}

const QUERY_HEADERS: &[&str] = &[
    "top queries",
    "queries",
    "query",
    "keyword",
    "keywords",
    "search query",
    "search queries",
    "häufigste suchanfragen",
    "suchanfragen",
    "requêtes les plus fréquentes",
    "requêtes",
    "consultas principales",
    "consultas",
    "nejčastější dotazy",
    "dotazy",
    "上位のクエリ",
    "クエリ",
    "热门查询",
    "查询",
    "principais consultas",
    "populairste zoekopdrachten",
    "zoekopdrachten",
    "najczęstsze zapytania",
    "zapytania",
    "query principali",
];
const PAGE_HEADERS: &[&str] = &[
    "top pages",
    "pages",
    "page",
    "url",
    "urls",
    "landing page",
    "top-seiten",
    "seiten",
    "häufigste seiten",
    "pages les plus populaires",
    "páginas principales",
    "páginas",
    "nejčastější stránky",
    "stránky",
    "上位のページ",
    "ページ",
    "热门网页",
    "网页",
    "principais páginas",
    "populairste pagina's",
    "pagina's",
    "najczęstsze strony",
    "strony",
    "pagine principali",
];
const DATE_HEADERS: &[&str] = &[
    "date", "datum", "fecha", "date ", "日付", "日期", "data", "день", "dátum",
];
const COUNTRY_HEADERS: &[&str] = &[
    "country",
    "countries",
    "land",
    "länder",
    "pays",
    "país",
    "países",
    "země",
    "国",
    "国家/地区",
    "paese",
    "kraj",
];
const DEVICE_HEADERS: &[&str] = &[
    "device",
    "devices",
    "gerät",
    "geräte",
    "appareil",
    "appareils",
    "dispositivo",
    "dispositivos",
    "zařízení",
    "デバイス",
    "设备",
    "urządzenie",
];
const APPEARANCE_HEADERS: &[&str] = &[
    "search appearance",
    "darstellung in der suche",
    "apparence dans les résultats de recherche",
    "aparición en búsqueda",
    "検索での見え方",
    "搜索结果呈现",
];
const FILTER_HEADERS: &[&str] = &[
    "filter",
    "filtre",
    "filtro",
    "フィルタ",
    "过滤条件",
    "filtr",
];

const CLICK_HEADERS: &[&str] = &[
    "clicks",
    "click",
    "klicks",
    "clics",
    "clic",
    "kliknutí",
    "クリック数",
    "点击次数",
    "cliques",
    "klikken",
    "kliknięcia",
    "clic",
];
const IMPRESSION_HEADERS: &[&str] = &[
    "impressions",
    "impression",
    "impressionen",
    "impresiones",
    "zobrazení",
    "表示回数",
    "展示次数",
    "impressões",
    "vertoningen",
    "wyświetlenia",
    "impressioni",
];
const CTR_HEADERS: &[&str] = &["ctr", "click-through rate"];
const POSITION_HEADERS: &[&str] = &[
    "position",
    "avg. position",
    "average position",
    "avg position",
    "posición",
    "pozice",
    "掲載順位",
    "排名",
    "posição",
    "positie",
    "pozycja",
    "posizione",
    "durchschnittliche position",
    "position moyenne",
];

fn matches_any(header: &str, names: &[&str]) -> bool {
    names.contains(&header)
}

fn normalize(header: &str) -> String {
    header
        .trim()
        .trim_start_matches('\u{feff}')
        .trim_matches('"')
        .to_lowercase()
}

/// The kind a file name says (`Queries.csv`, `export/Pages.csv`).
fn kind_of_name(name: &str) -> Option<TableKind> {
    let file = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let stem = file
        .rsplit_once('.')
        .map_or(file, |(stem, _)| stem)
        .to_lowercase();
    Some(match stem.as_str() {
        "queries" => TableKind::Queries,
        "pages" => TableKind::Pages,
        "chart" | "dates" => TableKind::Dates,
        "countries" => TableKind::Countries,
        "devices" => TableKind::Devices,
        "search appearance" => TableKind::Appearance,
        "filters" => TableKind::Filters,
        _ => return None,
    })
}

fn kind_of_header(header: &str) -> Option<TableKind> {
    [
        (QUERY_HEADERS, TableKind::Queries),
        (PAGE_HEADERS, TableKind::Pages),
        (DATE_HEADERS, TableKind::Dates),
        (COUNTRY_HEADERS, TableKind::Countries),
        (DEVICE_HEADERS, TableKind::Devices),
        (APPEARANCE_HEADERS, TableKind::Appearance),
        (FILTER_HEADERS, TableKind::Filters),
    ]
    .into_iter()
    .find(|(names, _)| matches_any(header, names))
    .map(|(_, kind)| kind)
}

/// Reads the CSV `bytes` of the file `name`; `Err` says why it is not a
/// search export (with the line where there is one).
pub fn read_table(name: &str, bytes: &[u8]) -> Result<Table, (Option<usize>, String)> {
    let text = decode(bytes);
    let lines: Vec<&str> = text.lines().collect();
    let delimiter = delimiter(&lines);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            (
                e.position().map(|p| p.line() as usize),
                format!("malformed CSV: {e}"),
            )
        })?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        let fields: Vec<String> = record.iter().map(|f| f.trim().to_string()).collect();
        if fields.iter().all(String::is_empty) {
            continue;
        }
        records.push((line, fields));
    }
    let Some(((_, header), body)) = records.split_first() else {
        return Err((None, "empty: no header line".into()));
    };
    let header: Vec<String> = header.iter().map(|h| normalize(h)).collect();
    let label_header = header.first().cloned().unwrap_or_default();
    let kind = kind_of_name(name)
        .or_else(|| kind_of_header(&label_header))
        .or_else(|| kind_of_values(body));
    let Some(kind) = kind else {
        return Err((
            Some(1),
            format!(
                "not a search export: its first column `{label_header}` is neither queries, pages nor dates \
                 (Search Console's export holds Queries.csv, Pages.csv and Chart.csv; Bing's, Keyword or Page)"
            ),
        ));
    };
    if kind == TableKind::Filters {
        let filters = body
            .iter()
            .filter_map(|(_, f)| Some((f.first()?.clone(), f.get(1).cloned().unwrap_or_default())))
            .collect();
        return Ok(Table {
            kind,
            bing: false,
            rows: Vec::new(),
            filters,
        });
    }
    let columns = Columns::find(&header).ok_or_else(|| {
        (
            Some(1),
            format!(
                "no clicks and impressions columns in its header ({}): is this a search export?",
                header.join(", ")
            ),
        )
    })?;
    let bing = label_header.contains("keyword")
        || header.iter().any(|h| h.starts_with("avg"))
        || (matches!(label_header.as_str(), "page" | "url" | "query")
            && kind_of_name(name).is_none());
    let mut rows = Vec::with_capacity(body.len());
    for (line, fields) in body {
        rows.push(columns.row(*line, fields)?);
    }
    Ok(Table {
        kind,
        bing,
        rows,
        filters: Vec::new(),
    })
}

/// The kind a table's first column's values show: all URLs (pages) or
/// all dates.
fn kind_of_values(body: &[(usize, Vec<String>)]) -> Option<TableKind> {
    let labels: Vec<&str> = body
        .iter()
        .filter_map(|(_, f)| f.first().map(String::as_str))
        .take(50)
        .collect();
    if labels.is_empty() {
        return None;
    }
    if labels
        .iter()
        .all(|l| l.starts_with("http://") || l.starts_with("https://"))
    {
        Some(TableKind::Pages)
    } else if labels.iter().all(|l| parse_date(l).is_some()) {
        Some(TableKind::Dates)
    } else {
        None
    }
}

/// Where a table's figures are.
struct Columns {
    date: Option<usize>,
    clicks: usize,
    impressions: usize,
    position: Option<usize>,
}

impl Columns {
    fn find(header: &[String]) -> Option<Columns> {
        let find = |names: &[&str]| {
            header
                .iter()
                .skip(1)
                .position(|h| matches_any(h, names))
                .map(|i| i + 1)
        };
        let clicks = find(CLICK_HEADERS);
        let impressions = find(IMPRESSION_HEADERS);
        match (clicks, impressions) {
            (Some(clicks), Some(impressions)) => Some(Columns {
                date: find(DATE_HEADERS),
                clicks,
                impressions,
                position: find(POSITION_HEADERS),
            }),
            // Search Console's order, whatever the language.
            _ if header.len() == 5 && matches_any(&header[3], CTR_HEADERS) => Some(Columns {
                date: None,
                clicks: 1,
                impressions: 2,
                position: Some(4),
            }),
            _ => None,
        }
    }

    fn row(&self, line: usize, fields: &[String]) -> Result<TableRow, (Option<usize>, String)> {
        let field = |i: usize| fields.get(i).map(String::as_str).unwrap_or_default();
        let bad =
            |what: &str, value: &str| (Some(line), format!("{what} `{value}` is not a number"));
        let clicks =
            numbers::count(field(self.clicks)).ok_or_else(|| bad("clicks", field(self.clicks)))?;
        let impressions = numbers::count(field(self.impressions))
            .ok_or_else(|| bad("impressions", field(self.impressions)))?;
        let position = match self.position {
            Some(i) => numbers::decimal(field(i)).ok_or_else(|| bad("position", field(i)))?,
            None => 0.0,
        };
        let day = match self.date {
            Some(i) => Some(
                parse_date(field(i))
                    .ok_or_else(|| (Some(line), format!("date `{}` is not a date", field(i))))?,
            ),
            None => None,
        };
        Ok(TableRow {
            line,
            label: field(0).to_string(),
            day,
            clicks,
            impressions,
            position,
        })
    }
}

/// What an export's `Filters.csv` says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// The period, when it is written as dates.
    pub period: Option<(Day, Day)>,
    /// Filters that make the export a part of the site's figures (a page,
    /// query, country or device filter, a search type other than web).
    pub narrowing: Vec<String>,
}

const DATE_FILTERS: &[&str] = &[
    "date",
    "time range",
    "datum",
    "zeitraum",
    "période",
    "plage de dates",
    "fecha",
    "intervalo de fechas",
    "období",
    "期間",
    "日期",
    "日付",
];
const SEARCH_TYPE_FILTERS: &[&str] = &[
    "search type",
    "suchtyp",
    "type de recherche",
    "tipo de búsqueda",
    "typ vyhledávání",
    "検索タイプ",
    "搜索类型",
];

/// Reads a filters table's (filter, value) pairs.
pub fn filters(pairs: &[(String, String)]) -> Filters {
    let mut filters = Filters::default();
    for (name, value) in pairs {
        let key = normalize(name);
        if matches_any(&key, DATE_FILTERS) {
            filters.period = date_range(value);
        } else if matches_any(&key, SEARCH_TYPE_FILTERS) {
            if !value.trim().eq_ignore_ascii_case("web") {
                filters.narrowing.push(format!("{name}: {value}"));
            }
        } else {
            filters.narrowing.push(format!("{name}: {value}"));
        }
    }
    filters
}

/// A period as the export's filter writes it: `Mar 1, 2026-Mar 31, 2026`,
/// `1 Jan 2025-31 Dec 2025`, `2026-03-01 - 2026-03-31`.
fn date_range(value: &str) -> Option<(Day, Day)> {
    let value = value.trim();
    // Split at a dash with a digit before it and a non-digit or a space
    // after it, or at " - ".
    if let Some((a, b)) = value.split_once(" - ") {
        return Some((parse_date(a)?, parse_date(b)?));
    }
    let bytes = value.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'-' && i > 0 && bytes[i - 1].is_ascii_digit() {
            let (first, last) = (&value[..i], &value[i + 1..]);
            if let (Some(first), Some(last)) = (parse_date(first), parse_date(last)) {
                return Some((first, last));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_known_by_name_header_or_values() {
        let table = read_table("Queries.csv", b"Top queries,Clicks,Impressions,CTR,Position\nstupski foundation,627,974,64.37%,1.27\n").unwrap();
        assert_eq!(table.kind, TableKind::Queries);
        assert!(!table.bing);
        assert_eq!(table.rows[0].clicks, 627);
        assert_eq!(table.rows[0].position, 1.27);
        assert_eq!(table.rows[0].line, 2);
        let czech =
            "Nejčastější dotazy;Kliknutí;Zobrazení;CTR;Pozice\nnorway highway;5;120;4,2%;11,7\n";
        let table = read_table("Dotazy.csv", czech.as_bytes()).unwrap();
        assert_eq!(table.kind, TableKind::Queries);
        assert_eq!(
            (
                table.rows[0].clicks,
                table.rows[0].impressions,
                table.rows[0].position
            ),
            (5, 120, 11.7)
        );
        let unknown_language = "Foo;Bar;Baz;CTR;Qux\nhttps://a.example/x;1;2;50 %;3,5\n";
        let table = read_table("export.csv", unknown_language.as_bytes()).unwrap();
        assert_eq!(table.kind, TableKind::Pages);
        assert_eq!(table.rows[0].position, 3.5);
        let bing =
            "Keyword,Impressions,Clicks,CTR,Avg. Position\nespresso grinder,120,4,3.33%,8.2\n";
        let table = read_table("keywords.csv", bing.as_bytes()).unwrap();
        assert!(table.bing);
        assert_eq!((table.rows[0].clicks, table.rows[0].impressions), (4, 120));
        assert!(read_table("x.csv", b"Name,Amount\na,1\n").is_err());
        let error = read_table(
            "Pages.csv",
            b"Top pages,Clicks,Impressions,CTR,Position\nhttps://a/,x,1,0%,1\n",
        )
        .unwrap_err();
        assert_eq!(error.0, Some(2));
    }

    #[test]
    fn filters_name_the_period_and_what_narrows_the_export() {
        let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
            list.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        let f = filters(&pairs(&[
            ("Search type", "Web"),
            ("Date", "Mar 1, 2026-Mar 31, 2026"),
        ]));
        assert_eq!(
            f.period,
            Some((
                Day::from_ymd(2026, 3, 1).unwrap(),
                Day::from_ymd(2026, 3, 31).unwrap()
            ))
        );
        assert!(f.narrowing.is_empty());
        let f = filters(&pairs(&[
            ("Date", "1 Jan 2025-31 Dec 2025"),
            ("Page", "+/blog/"),
        ]));
        assert_eq!(f.period.unwrap().0, Day::from_ymd(2025, 1, 1).unwrap());
        assert_eq!(f.narrowing, ["Page: +/blog/"]);
        let f = filters(&pairs(&[
            ("Date", "Last 3 months"),
            ("Search type", "Image"),
        ]));
        assert_eq!(f.period, None);
        assert_eq!(f.narrowing.len(), 1);
    }
}

//! Saved Search Analytics API responses (`searchanalytics.query`):
//! `{"rows": [{"keys": [...], "clicks", "impressions", "ctr", "position"}]}`,
//! one response or an array of them (the pages of one request), or
//! `{"request": {...}, "response": {...}}` as `grove seo fetch` would
//! save them. The keys are in the order of the request's dimensions,
//! which the response does not repeat: they are taken from the request
//! when the file has it, from `--dimensions`, or else from the values
//! (dates, URLs, device names, country codes; the rest are queries).

use std::borrow::Cow;

use serde::Deserialize;

use crate::day::Day;

/// A dimension of a Search Analytics request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    /// `date`.
    Date,
    /// `page`.
    Page,
    /// `query`.
    Query,
    /// `country`.
    Country,
    /// `device`.
    Device,
    /// `searchAppearance`.
    SearchAppearance,
    /// `hour`.
    Hour,
}

impl Dimension {
    /// The dimension of its API name.
    pub fn parse(name: &str) -> Option<Dimension> {
        Some(match name.trim() {
            "date" => Dimension::Date,
            "page" => Dimension::Page,
            "query" => Dimension::Query,
            "country" => Dimension::Country,
            "device" => Dimension::Device,
            "searchAppearance" | "search_appearance" => Dimension::SearchAppearance,
            "hour" => Dimension::Hour,
            _ => return None,
        })
    }

    /// Its API name.
    pub fn name(self) -> &'static str {
        match self {
            Dimension::Date => "date",
            Dimension::Page => "page",
            Dimension::Query => "query",
            Dimension::Country => "country",
            Dimension::Device => "device",
            Dimension::SearchAppearance => "searchAppearance",
            Dimension::Hour => "hour",
        }
    }
}

/// One row of a response (its keys borrowed from the file's text where
/// they hold no escapes).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct ApiRow<'a> {
    /// Dimension values, in the request's order.
    #[serde(default, borrow)]
    pub keys: Vec<Cow<'a, str>>,
    /// Clicks (the API writes them as decimals: `109.0`).
    #[serde(default)]
    pub clicks: f64,
    /// Impressions.
    #[serde(default)]
    pub impressions: f64,
    /// Average position.
    #[serde(default)]
    pub position: f64,
}

/// A response's rows.
#[derive(Debug, Deserialize)]
struct Response<'a> {
    #[serde(default, borrow)]
    rows: Vec<ApiRow<'a>>,
}

/// The request a response answered, where the file keeps it.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Request {
    #[serde(default)]
    dimensions: Vec<String>,
    start_date: Option<String>,
    end_date: Option<String>,
    site_url: Option<String>,
}

/// A file holding one response, or a response with its request
/// (`{"request": ..., "response": ...}`): read without buffering, as
/// files of 25,000 rows are many.
#[derive(Debug, Deserialize)]
struct Saved<'a> {
    #[serde(default, borrow)]
    rows: Vec<ApiRow<'a>>,
    #[serde(default)]
    request: Option<Request>,
    #[serde(default, borrow)]
    response: Option<OneOrMany<'a>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany<'a> {
    One(#[serde(borrow)] Response<'a>),
    Many(#[serde(borrow)] Vec<Response<'a>>),
}

/// A saved response, read.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedResponse<'a> {
    /// Every row of every page.
    pub rows: Vec<ApiRow<'a>>,
    /// The request's dimensions, when the file has them.
    pub dimensions: Option<Vec<Dimension>>,
    /// The request's period, when the file has it.
    pub period: Option<(Day, Day)>,
    /// The request's property (`sc-domain:example.com`), when the file has it.
    pub property: Option<String>,
}

/// Whether `bytes` look like JSON (an object or array).
pub fn is_json(bytes: &[u8]) -> bool {
    let start = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]).unwrap_or(bytes);
    matches!(
        start.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    )
}

/// Reads a saved response; `Err` says what is wrong (with serde's line).
pub fn read(bytes: &[u8]) -> Result<SavedResponse<'_>, String> {
    let bytes = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]).unwrap_or(bytes);
    let not_a_response =
        |e: serde_json::Error| format!("line {}: not a Search Analytics response: {e}", e.line());
    let starts_with_array = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    let (request, rows) = if starts_with_array {
        // The pages of one request, one after the other.
        let pages: Vec<Response<'_>> = serde_json::from_slice(bytes).map_err(not_a_response)?;
        (None, pages.into_iter().flat_map(|r| r.rows).collect())
    } else {
        let saved: Saved<'_> = serde_json::from_slice(bytes).map_err(not_a_response)?;
        let mut rows = saved.rows;
        match saved.response {
            Some(OneOrMany::One(r)) => rows.extend(r.rows),
            Some(OneOrMany::Many(pages)) => rows.extend(pages.into_iter().flat_map(|r| r.rows)),
            None => {}
        }
        (saved.request, rows)
    };
    let request = request.unwrap_or_default();
    let dimensions = if request.dimensions.is_empty() {
        None
    } else {
        Some(
            request
                .dimensions
                .iter()
                .map(|d| {
                    Dimension::parse(d)
                        .ok_or_else(|| format!("unknown dimension `{d}` in the request"))
                })
                .collect::<Result<Vec<_>, _>>()?,
        )
    };
    let period = match (&request.start_date, &request.end_date) {
        (Some(a), Some(b)) => Some((
            Day::parse(a).ok_or_else(|| format!("startDate `{a}` is not YYYY-MM-DD"))?,
            Day::parse(b).ok_or_else(|| format!("endDate `{b}` is not YYYY-MM-DD"))?,
        )),
        _ => None,
    };
    Ok(SavedResponse {
        rows,
        dimensions,
        period,
        property: request.site_url,
    })
}

/// The dimensions of rows' keys, from their values: dates, URLs, device
/// names, country codes, search appearances; any other column is the
/// query (two such columns cannot be told apart: `Err`).
pub fn infer_dimensions(rows: &[ApiRow<'_>]) -> Result<Vec<Dimension>, String> {
    let width = rows.first().map_or(0, |r| r.keys.len());
    if let Some(row) = rows.iter().find(|r| r.keys.len() != width) {
        return Err(format!(
            "rows have different numbers of keys ({width} and {}): one request's responses per file",
            row.keys.len()
        ));
    }
    let mut dimensions = Vec::with_capacity(width);
    for column in 0..width {
        let values = || rows.iter().map(|r| r.keys[column].as_ref());
        let dimension = if values().all(|v| Day::parse(v).is_some()) {
            Dimension::Date
        } else if values().all(|v| v.starts_with("http://") || v.starts_with("https://")) {
            Dimension::Page
        } else if values().all(|v| matches!(v, "DESKTOP" | "MOBILE" | "TABLET")) {
            Dimension::Device
        } else if values().all(is_country_code) && values().any(|v| COMMON_COUNTRIES.contains(&v)) {
            Dimension::Country
        } else if values()
            .all(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'))
        {
            Dimension::SearchAppearance
        } else {
            Dimension::Query
        };
        dimensions.push(dimension);
    }
    if dimensions
        .iter()
        .filter(|d| **d == Dimension::Query)
        .count()
        > 1
    {
        return Err("two key columns could be the query: name the request's dimensions with --dimensions, e.g. --dimensions date,page,query".into());
    }
    Ok(dimensions)
}

fn is_country_code(value: &str) -> bool {
    value.len() == 3 && value.bytes().all(|b| b.is_ascii_lowercase())
}

/// Frequent ISO 3166-1 alpha-3 codes, lowercase as the API writes them.
const COMMON_COUNTRIES: &[&str] = &[
    "usa", "gbr", "can", "aus", "ind", "deu", "fra", "esp", "ita", "nld", "bra", "mex", "jpn",
    "kor", "chn", "rus", "pol", "swe", "nor", "dnk", "fin", "irl", "nzl", "zaf", "sgp", "phl",
    "idn", "mys", "tha", "vnm", "tur", "are", "sau", "isr", "egy", "nga", "ken", "arg", "chl",
    "col", "per", "che", "aut", "bel", "prt", "grc", "cze", "hun", "rou", "ukr", "pak", "bgd",
    "zzz",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn row<'a>(keys: &[&'a str]) -> ApiRow<'a> {
        ApiRow {
            keys: keys.iter().map(|k| Cow::Borrowed(*k)).collect(),
            clicks: 1.0,
            impressions: 10.0,
            position: 3.0,
        }
    }

    #[test]
    fn dimensions_come_from_the_values() {
        let rows = [
            row(&[
                "2026-11-01",
                "https://a.example/x/",
                "espresso grinder",
                "usa",
                "MOBILE",
            ]),
            row(&[
                "2026-11-02",
                "https://a.example/y/",
                "usa",
                "gbr",
                "DESKTOP",
            ]),
        ];
        assert_eq!(
            infer_dimensions(&rows).unwrap(),
            [
                Dimension::Date,
                Dimension::Page,
                Dimension::Query,
                Dimension::Country,
                Dimension::Device
            ]
        );
        assert!(infer_dimensions(&[row(&["a", "b"])]).is_err());
    }

    #[test]
    fn responses_read_bare_paged_or_with_their_request() {
        let bare = br#"{"rows":[{"keys":["robotic crowd","https://roboticcrowd.com/"],"clicks":109.0,"impressions":181.0,"ctr":0.6,"position":1.0055}],"responseAggregationType":"byPage"}"#;
        let saved = read(bare).unwrap();
        assert_eq!(saved.rows.len(), 1);
        assert_eq!(saved.dimensions, None);
        let paged = br#"[{"rows":[{"keys":["a"],"clicks":1,"impressions":2,"position":3}]},{"responseAggregationType":"byProperty"}]"#;
        assert_eq!(read(paged).unwrap().rows.len(), 1);
        let wrapped = br#"{"request":{"startDate":"2026-11-01","endDate":"2026-11-28","dimensions":["page","query"],"siteUrl":"sc-domain:a.example"},"response":{"rows":[]}}"#;
        let saved = read(wrapped).unwrap();
        assert_eq!(
            saved.dimensions,
            Some(vec![Dimension::Page, Dimension::Query])
        );
        assert_eq!(
            saved.period.unwrap().1,
            Day::from_ymd(2026, 11, 28).unwrap()
        );
        assert!(read(b"{\"rows\": 3}").is_err());
    }
}

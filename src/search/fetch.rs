//! `grove seo fetch`: the Search Analytics API, day by day, into the
//! stats database. A service account (its key file named by an
//! environment variable, `GOOGLE_APPLICATION_CREDENTIALS` by default)
//! signs a JWT for a bearer token; each site's property is asked for its
//! daily totals, then per day its pages and its pages' queries, 25,000
//! rows a call, paging by `startRow`. Quota answers (429, 403
//! `rateLimitExceeded`/`quotaExceeded`) and server errors are retried
//! after a pause; an expired token is renewed once. A fetch takes the
//! days after the last one fetched, and the last few again (Search
//! Console revises recent days). All of it lands in one transaction.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value, json};

use super::Engine;
use super::api::{ApiRow, Dimension, SavedResponse};
use super::import::{ImportOptions, ImportSummary, Session};
use super::jwt::{SCOPE, ServiceAccount};
use crate::day::Day;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::network::{Network, SearchConsoleSettings, Site};
use crate::state;
use crate::stats::classify::bare_host;
use crate::stats::referrer::host_of;

/// Rows per call: the API's most.
pub const ROW_LIMIT: usize = 25_000;
/// Tries of one call before giving up.
const TRIES: u32 = 6;

/// What `grove seo fetch` should do.
#[derive(Debug, Clone, Default)]
pub struct FetchOptions {
    /// Sites to fetch; all when empty.
    pub sites: Vec<String>,
    /// First day (default: the day after the last fetched, less the
    /// settling days; for a first fetch, `first_days` back).
    pub since: Option<Day>,
    /// Last day (default: today less the settling days).
    pub until: Option<Day>,
}

/// What a fetch brought for one site.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The site.
    pub site: String,
    /// Its property.
    pub property: String,
    /// The days asked for.
    pub period: (Day, Day),
    /// Rows received.
    pub rows: u64,
    /// Calls made (retries included).
    pub calls: u32,
    /// What importing them said (unmatched URLs, ...).
    pub summary: ImportSummary,
}

/// Fetches the selected sites' search figures.
pub fn fetch(network: &Network, options: &FetchOptions) -> Result<Vec<Fetched>> {
    let settings = &network.config.search_console;
    let sites = network.select(&options.sites, None)?;
    let account = account(settings)?;
    let last_fetched = last_fetched(network, &sites)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Usage(format!("cannot start the async runtime: {e}")))?;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder()
        .user_agent(concat!("grove/", env!("CARGO_PKG_VERSION")))
        .timeout(Duration::from_secs(120))
        .build()
        .map_err(|e| Error::Usage(format!("cannot start an HTTP client: {e}")))?;
    let mut client = Client {
        http,
        account,
        token: None,
        api_url: settings.api_url.trim_end_matches('/').to_string(),
        calls: 0,
    };
    let today = Day::today();
    let mut session = Session::open(network, ImportOptions::default())?;
    let mut fetched = Vec::new();
    for site in sites {
        let property = property_of(site);
        let until = options
            .until
            .unwrap_or(today.plus(-(settings.settle_days as i32)));
        let since = options
            .since
            .unwrap_or_else(|| match last_fetched.get(&property) {
                Some(last) => last.plus(1 - settings.settle_days as i32),
                None => until.plus(1 - settings.first_days.max(1) as i32),
            });
        if since > until {
            continue;
        }
        let calls_before = client.calls;
        let label = PathBuf::from(format!("search-console:{property}"));
        let mut summary = ImportSummary {
            file: label.clone(),
            engine: Some(Engine::Google),
            ..ImportSummary::default()
        };
        let mut requests = vec![(vec![Dimension::Date], since, until)];
        for day in since.0..=until.0 {
            requests.push((vec![Dimension::Date, Dimension::Page], Day(day), Day(day)));
            requests.push((
                vec![Dimension::Date, Dimension::Page, Dimension::Query],
                Day(day),
                Day(day),
            ));
        }
        for (dimensions, first, last) in requests {
            let rows = runtime.block_on(client.rows(&property, &dimensions, first, last))?;
            let saved = SavedResponse {
                rows,
                dimensions: Some(dimensions),
                period: Some((first, last)),
                property: Some(property.clone()),
            };
            let part = session.response(&label, saved, &site.name)?;
            merge(&mut summary, part);
        }
        summary.held = vec![format!("{} rows", summary.rows)];
        fetched.push(Fetched {
            site: site.name.clone(),
            property: property.clone(),
            period: (since, until),
            rows: summary.rows,
            calls: client.calls - calls_before,
            summary: summary.clone(),
        });
        // The fetch is recorded for the whole period asked, so the next
        // one starts after it even where days had no rows.
        summary.sites = BTreeMap::from([(site.name.clone(), (since, until))]);
        session.keep(summary);
    }
    session.commit()?;
    Ok(fetched)
}

fn merge(total: &mut ImportSummary, part: ImportSummary) {
    total.rows += part.rows;
    for (site, (first, last)) in part.sites {
        let range = total.sites.entry(site).or_insert((first, last));
        range.0 = range.0.min(first);
        range.1 = range.1.max(last);
    }
    for (host, rows) in part.unmatched.hosts {
        *total.unmatched.hosts.entry(host).or_default() += rows;
    }
}

/// The site's Search Console property.
pub fn property_of(site: &Site) -> String {
    site.config
        .search_console_property
        .clone()
        .unwrap_or_else(|| {
            format!(
                "sc-domain:{}",
                bare_host(&host_of(&site.base_url).unwrap_or_default())
            )
        })
}

/// The service account of the key file the environment names.
fn account(settings: &SearchConsoleSettings) -> Result<ServiceAccount> {
    let variable = &settings.credentials_env;
    let Some(path) = std::env::var_os(variable).filter(|v| !v.is_empty()) else {
        return Err(Error::Usage(format!(
            "{variable} is not set: set it to the path of a Google service account's key file (JSON), and add the account's email as a user of each site's Search Console property"
        )));
    };
    let path = PathBuf::from(path);
    let text = std::fs::read_to_string(&path)
        .map_err(|source| Error::io(&path, "cannot read the service account key file", source))?;
    ServiceAccount::parse(&text).map_err(|message| Error::Content {
        location: crate::error::Location::file(&path),
        message,
    })
}

/// The last day fetched per property, from the import records.
fn last_fetched(network: &Network, sites: &[&Site]) -> Result<BTreeMap<String, Day>> {
    let mut last = BTreeMap::new();
    let Some(mut db) = Db::open_existing(&state::dir(&network.root))? else {
        return Ok(last);
    };
    for site in sites {
        let property = property_of(site);
        let day: Option<i32> = db
            .conn()
            .query_row(
                "SELECT max(last_day) FROM search_imports WHERE file = ?1 AND site = ?2",
                [format!("search-console:{property}"), site.name.clone()],
                |r| r.get(0),
            )
            .map_err(|e| db.error(&e))?;
        if let Some(day) = day {
            last.insert(property, Day(day));
        }
    }
    Ok(last)
}

/// A row as the API answers it, owned.
#[derive(serde::Deserialize)]
struct OwnedRow {
    #[serde(default)]
    keys: Vec<String>,
    #[serde(default)]
    clicks: f64,
    #[serde(default)]
    impressions: f64,
    #[serde(default)]
    position: f64,
}

/// The API client: a token, renewed when it expires.
struct Client {
    http: reqwest::Client,
    account: ServiceAccount,
    token: Option<String>,
    api_url: String,
    calls: u32,
}

/// What one call came to.
enum Answer {
    Ok(Value),
    Retry(Duration, String),
    Expired,
}

impl Client {
    /// Every row of one query, page by page.
    async fn rows(
        &mut self,
        property: &str,
        dimensions: &[Dimension],
        first: Day,
        last: Day,
    ) -> Result<Vec<ApiRow<'static>>> {
        let url = format!(
            "{}/webmasters/v3/sites/{}/searchAnalytics/query",
            self.api_url,
            percent_encode(property)
        );
        let mut rows = Vec::new();
        loop {
            let body = json!({
                "startDate": first.to_string(),
                "endDate": last.to_string(),
                "dimensions": dimensions.iter().map(|d| d.name()).collect::<Vec<_>>(),
                "type": "web",
                "rowLimit": ROW_LIMIT,
                "startRow": rows.len(),
                "dataState": "final",
            });
            let answer = self.call(&url, &body, property).await?;
            let page: Vec<OwnedRow> = match answer.get("rows") {
                Some(found) => serde_json::from_value(found.clone()).map_err(|e| {
                    Error::Usage(format!(
                        "Search Console answered rows Grove cannot read ({e}) for {property}"
                    ))
                })?,
                None => Vec::new(),
            };
            let full = page.len() == ROW_LIMIT;
            rows.extend(page.into_iter().map(|row| ApiRow {
                keys: row.keys.into_iter().map(std::borrow::Cow::Owned).collect(),
                clicks: row.clicks,
                impressions: row.impressions,
                position: row.position,
            }));
            if !full {
                return Ok(rows);
            }
        }
    }

    /// One call, retried on quota and server errors.
    async fn call(&mut self, url: &str, body: &Value, property: &str) -> Result<Value> {
        let mut renewed = false;
        let mut last_error = String::new();
        for attempt in 0..TRIES {
            let token = match &self.token {
                Some(token) => token.clone(),
                None => {
                    let token = self.new_token().await?;
                    self.token = Some(token.clone());
                    token
                }
            };
            self.calls += 1;
            match self.post(url, body, &token, property).await? {
                Answer::Ok(value) => return Ok(value),
                Answer::Expired if !renewed => {
                    renewed = true;
                    self.token = None;
                }
                Answer::Expired => {
                    return Err(Error::Usage(format!(
                        "Search Console refused the service account {} twice: is the key revoked?",
                        self.account.client_email
                    )));
                }
                Answer::Retry(pause, why) => {
                    last_error = why;
                    let backoff = Duration::from_millis(500 << attempt.min(6));
                    tokio::time::sleep(pause.max(backoff).min(Duration::from_secs(60))).await;
                }
            }
        }
        Err(Error::Usage(format!(
            "Search Console kept refusing after {TRIES} tries ({last_error}); run `grove seo fetch` again later: it takes up where it stopped"
        )))
    }

    async fn post(&self, url: &str, body: &Value, token: &str, property: &str) -> Result<Answer> {
        let response = match self
            .http
            .post(url)
            .bearer_auth(token)
            .json(body)
            .send()
            .await
        {
            Ok(response) => response,
            Err(e) => {
                return Ok(Answer::Retry(
                    Duration::ZERO,
                    format!("cannot reach {url}: {e}"),
                ));
            }
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map_or(Duration::ZERO, Duration::from_secs);
        let text = response.text().await.unwrap_or_default();
        let reason = error_reason(&text);
        match status {
            200 => serde_json::from_str(&text).map(Answer::Ok).map_err(|e| {
                Error::Usage(format!(
                    "Search Console answered something that is not JSON ({e}) for {property}"
                ))
            }),
            401 => Ok(Answer::Expired),
            429 | 500 | 502 | 503 | 504 => {
                Ok(Answer::Retry(retry_after, format!("{status} {reason}")))
            }
            403 if reason.contains("rateLimitExceeded")
                || reason.contains("quotaExceeded")
                || reason.contains("RATE_LIMIT") =>
            {
                Ok(Answer::Retry(retry_after, format!("{status} {reason}")))
            }
            403 => Err(Error::Usage(format!(
                "Search Console refused {property} ({reason}): add {} as a user of the property in Search Console (Settings, Users and permissions), or set search_console_property in the site's site.toml",
                self.account.client_email
            ))),
            _ => Err(Error::Usage(format!(
                "Search Console answered {status} for {property}: {reason}"
            ))),
        }
    }

    /// A bearer token for the service account.
    async fn new_token(&mut self) -> Result<String> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let assertion = self.account.assertion(SCOPE, now).map_err(Error::Usage)?;
        let form = [
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", assertion.as_str()),
        ];
        let mut last_error = String::new();
        for attempt in 0..TRIES {
            self.calls += 1;
            let body = form
                .iter()
                .map(|(k, v)| format!("{k}={}", percent_encode(v)))
                .collect::<Vec<_>>()
                .join("&");
            let sent = self
                .http
                .post(&self.account.token_uri)
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(body)
                .send()
                .await;
            match sent {
                Ok(response) if response.status().is_success() => {
                    let value: Value = response.json().await.map_err(|e| {
                        Error::Usage(format!(
                            "the token endpoint answered something that is not JSON: {e}"
                        ))
                    })?;
                    return value["access_token"]
                        .as_str()
                        .map(str::to_string)
                        .ok_or_else(|| {
                            Error::Usage("the token endpoint answered no access_token".into())
                        });
                }
                Ok(response)
                    if response.status().is_server_error() || response.status().as_u16() == 429 =>
                {
                    last_error = response.status().to_string();
                }
                Ok(response) => {
                    let status = response.status();
                    let text = response.text().await.unwrap_or_default();
                    return Err(Error::Usage(format!(
                        "{} refused the service account {} ({status}: {}): is the key file current?",
                        self.account.token_uri,
                        self.account.client_email,
                        error_reason(&text)
                    )));
                }
                Err(e) => last_error = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(500 << attempt.min(6))).await;
        }
        Err(Error::Usage(format!(
            "cannot get a token from {} ({last_error})",
            self.account.token_uri
        )))
    }
}

/// The reason in a Google API error body (`error.status`, `error.errors[].reason`, `error.message`, or an OAuth `error`).
fn error_reason(text: &str) -> String {
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        return text.chars().take(200).collect();
    };
    let error = &value["error"];
    let reasons: Vec<&str> = error["errors"]
        .as_array()
        .map(|list| list.iter().filter_map(|e| e["reason"].as_str()).collect())
        .unwrap_or_default();
    let parts: Vec<&str> = [
        error["status"].as_str(),
        error["message"].as_str(),
        error.as_str(),
        value["error_description"].as_str(),
    ]
    .into_iter()
    .flatten()
    .chain(reasons)
    .collect();
    parts.join(": ")
}

/// `text` percent-encoded for a URL path segment or a form value.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

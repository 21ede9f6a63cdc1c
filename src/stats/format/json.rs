//! JSON-lines logs: Cloudflare Logpush `http_requests` and Caddy's access
//! log. Only the fields Grove reads are decoded; the rest are skipped.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::Deserialize;

use super::{Format, Hit};
use crate::day::Day;

/// Cloudflare or Caddy, from a first line starting with `{`.
pub fn detect(first: &str) -> Option<Format> {
    let value: serde_json::Value = serde_json::from_str(first).ok()?;
    let object = value.as_object()?;
    if [
        "ClientRequestHost",
        "ClientIP",
        "EdgeStartTimestamp",
        "ClientRequestURI",
    ]
    .iter()
    .any(|key| object.contains_key(*key))
    {
        return Some(Format::Cloudflare);
    }
    let logger = object.get("logger").and_then(|l| l.as_str()).unwrap_or("");
    if object.get("request").is_some_and(|r| r.is_object())
        && (logger.starts_with("http.log.access") || object.contains_key("status"))
    {
        return Some(Format::Caddy);
    }
    None
}

/// A timestamp as Cloudflare (RFC 3339, Unix seconds or nanoseconds, per
/// the job's `timestamps` option) or Caddy (Unix seconds with a fraction,
/// or a formatted time) write it.
#[derive(Deserialize)]
#[serde(untagged)]
enum Timestamp<'a> {
    Number(f64),
    Text(#[serde(borrow)] Cow<'a, str>),
}

impl Timestamp<'_> {
    /// Seconds since 1970 (UTC).
    fn seconds(&self) -> Option<i64> {
        match self {
            Timestamp::Number(n) => {
                let seconds = if *n > 1e17 {
                    n / 1e9
                } else if *n > 1e14 {
                    n / 1e6
                } else if *n > 1e11 {
                    n / 1e3
                } else {
                    *n
                };
                seconds.is_finite().then(|| seconds.floor() as i64)
            }
            Timestamp::Text(text) => {
                if let Ok(seconds) = text.parse::<f64>() {
                    return Timestamp::Number(seconds).seconds();
                }
                let instant = chrono::DateTime::parse_from_rfc3339(text).ok()?;
                Some(instant.timestamp())
            }
        }
    }
}

#[derive(Deserialize)]
struct CloudflareLine<'a> {
    #[serde(rename = "ClientIP", borrow, default)]
    ip: Cow<'a, str>,
    #[serde(rename = "ClientRequestHost", borrow, default)]
    host: Option<Cow<'a, str>>,
    #[serde(rename = "ClientRequestMethod", borrow, default)]
    method: Cow<'a, str>,
    #[serde(rename = "ClientRequestURI", borrow, default)]
    uri: Option<Cow<'a, str>>,
    #[serde(rename = "ClientRequestPath", borrow, default)]
    path: Option<Cow<'a, str>>,
    #[serde(rename = "EdgeResponseStatus")]
    status: u16,
    #[serde(rename = "ClientRequestReferer", borrow, default)]
    referrer: Cow<'a, str>,
    #[serde(rename = "ClientRequestUserAgent", borrow, default)]
    user_agent: Cow<'a, str>,
    #[serde(rename = "EdgeStartTimestamp", borrow)]
    start: Option<Timestamp<'a>>,
    #[serde(rename = "EdgeEndTimestamp", borrow)]
    end: Option<Timestamp<'a>>,
}

/// One Cloudflare `http_requests` record.
pub fn parse_cloudflare(line: &str) -> Option<Hit<'_>> {
    let record: CloudflareLine<'_> = serde_json::from_str(line).ok()?;
    let time = record.start.or(record.end)?.seconds()?;
    let target = record.uri.or(record.path)?;
    Some(Hit {
        host: record.host,
        ip: record.ip,
        day: Day::from_unix(time),
        time,
        method: record.method,
        target,
        status: record.status,
        referrer: record.referrer,
        user_agent: record.user_agent,
    })
}

#[derive(Deserialize)]
struct CaddyLine<'a> {
    #[serde(borrow)]
    ts: Timestamp<'a>,
    #[serde(borrow)]
    request: CaddyRequest<'a>,
    status: u16,
}

#[derive(Deserialize)]
struct CaddyRequest<'a> {
    #[serde(borrow, default)]
    client_ip: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    remote_ip: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    method: Cow<'a, str>,
    #[serde(borrow, default)]
    host: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    uri: Cow<'a, str>,
    #[serde(borrow, default)]
    headers: HashMap<Cow<'a, str>, Vec<Cow<'a, str>>>,
}

/// One line of Caddy's access log (`"logger":"http.log.access..."`).
pub fn parse_caddy(line: &str) -> Option<Hit<'_>> {
    let record: CaddyLine<'_> = serde_json::from_str(line).ok()?;
    let mut request = record.request;
    let mut header = |name: &str| {
        let key = request
            .headers
            .keys()
            .find(|k| k.eq_ignore_ascii_case(name))
            .cloned()?;
        request.headers.remove(&key)?.into_iter().next()
    };
    let referrer = header("Referer").unwrap_or_default();
    let user_agent = header("User-Agent").unwrap_or_default();
    Some(Hit {
        host: request.host.map(|h| match h {
            Cow::Borrowed(b) => Cow::Borrowed(super::clf::strip_port(b)),
            Cow::Owned(o) => Cow::Owned(super::clf::strip_port(&o).to_string()),
        }),
        ip: request.client_ip.or(request.remote_ip).unwrap_or_default(),
        day: Day::from_unix(record.ts.seconds()?),
        time: record.ts.seconds()?,
        method: request.method,
        target: request.uri,
        status: record.status,
        referrer,
        user_agent,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloudflare_records_with_each_timestamp_format() {
        for (timestamp, day) in [
            ("\"2019-10-12T07:34:57Z\"", "2019-10-12"),
            ("1570865697", "2019-10-12"),
            ("1570865697000000000", "2019-10-12"),
        ] {
            let line = format!(
                r#"{{"ClientIP":"89.163.242.206","ClientRequestHost":"www.theburritobot.com","ClientRequestMethod":"GET","ClientRequestURI":"/static/img/testimonial-hipster.png?x=1","EdgeEndTimestamp":{timestamp},"EdgeResponseBytes":69045,"EdgeResponseStatus":200,"EdgeStartTimestamp":{timestamp},"RayID":"3a6050bcbe121a87","ClientRequestReferer":"https://www.theburritobot.com/","ClientRequestUserAgent":"Mozilla/5.0 \"x\""}}"#
            );
            let hit = parse_cloudflare(&line).unwrap();
            assert_eq!(hit.day.to_string(), day);
            assert_eq!(hit.host.as_deref(), Some("www.theburritobot.com"));
            assert_eq!(hit.target, "/static/img/testimonial-hipster.png?x=1");
            assert_eq!(hit.user_agent, "Mozilla/5.0 \"x\"");
            assert_eq!((hit.status, hit.ip.as_ref()), (200, "89.163.242.206"));
        }
        assert!(parse_cloudflare(r#"{"ClientIP":"1.2.3.4"}"#).is_none());
    }

    #[test]
    fn caddy_access_log_lines() {
        let line = r#"{"level":"info","ts":1646861401.5241024,"logger":"http.log.access.log0","msg":"handled request","request":{"remote_ip":"127.0.0.1","remote_port":"41342","client_ip":"127.0.0.1","proto":"HTTP/2.0","method":"GET","host":"localhost:8443","uri":"/guides/?x","headers":{"User-Agent":["curl/7.82.0"],"Referer":["https://localhost/"],"Accept":["*/*"]},"tls":{"resumed":false,"version":772}},"bytes_read":0,"user_id":"","duration":0.000929675,"size":10900,"status":200,"resp_headers":{"Server":["Caddy"]}}"#;
        let hit = parse_caddy(line).unwrap();
        assert_eq!(hit.day.to_string(), "2022-03-09");
        assert_eq!(hit.host.as_deref(), Some("localhost"));
        assert_eq!(hit.target, "/guides/?x");
        assert_eq!(hit.user_agent, "curl/7.82.0");
        assert_eq!(hit.referrer, "https://localhost/");
        assert!(parse_caddy(r#"{"ts":1,"status":200}"#).is_none());
    }
}

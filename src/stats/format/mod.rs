//! Access log formats: each line becomes a [`Hit`], borrowing from the
//! line where it can.

mod clf;
mod cloudfront;
mod json;

use std::borrow::Cow;

pub use clf::strip_port;
pub use cloudfront::CloudFrontFields;

use crate::day::Day;

/// The formats `grove stats import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Apache/nginx Common Log Format: `%h %l %u %t "%r" %>s %b`.
    Common,
    /// Combined: Common plus `"%{Referer}i" "%{User-Agent}i"`.
    Combined,
    /// Combined with the virtual host first: `%v:%p %h %l %u %t "%r" ...`.
    Vcombined,
    /// AWS CloudFront standard logs: tab-separated, `#Fields:` header.
    Cloudfront,
    /// Cloudflare Logpush `http_requests`, JSON lines.
    Cloudflare,
    /// Caddy's JSON access log.
    Caddy,
}

impl Format {
    /// Its name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Format::Common => "common",
            Format::Combined => "combined",
            Format::Vcombined => "vcombined",
            Format::Cloudfront => "cloudfront",
            Format::Cloudflare => "cloudflare",
            Format::Caddy => "caddy",
        }
    }

    /// Whether lines of this format name the requested host.
    pub fn has_host(self) -> bool {
        !matches!(self, Format::Common | Format::Combined)
    }

    /// Recognizes the format from the first lines of a log (`None` if none
    /// fits).
    pub fn detect(head: &[&str]) -> Option<Format> {
        let lines: Vec<&str> = head
            .iter()
            .map(|l| l.trim_end_matches(['\r', '\n']))
            .filter(|l| !l.trim().is_empty())
            .take(20)
            .collect();
        let first = lines.first()?;
        if first.starts_with("#Version") || first.starts_with("#Fields") {
            return Some(Format::Cloudfront);
        }
        if first.starts_with('{') {
            return json::detect(first);
        }
        // Count the formats that parse each line; the best one wins.
        let candidates = [Format::Vcombined, Format::Combined, Format::Common];
        candidates
            .into_iter()
            .map(|format| {
                let parsed = lines
                    .iter()
                    .filter(|line| clf::parse(line, format).is_some())
                    .count();
                (parsed, format)
            })
            .filter(|(parsed, _)| *parsed * 2 > lines.len())
            .max_by_key(|(parsed, format)| (*parsed, *format == Format::Vcombined))
            .map(|(_, format)| format)
    }
}

/// One request, as a log line gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit<'a> {
    /// The requested host (without port), when the format has it.
    pub host: Option<Cow<'a, str>>,
    /// The client's address.
    pub ip: Cow<'a, str>,
    /// The day of the request, UTC.
    pub day: Day,
    /// The moment of the request: seconds since 1970 (UTC).
    pub time: i64,
    /// `GET`, `HEAD`, ...
    pub method: Cow<'a, str>,
    /// The request target as sent: path and query.
    pub target: Cow<'a, str>,
    /// The response status.
    pub status: u16,
    /// The `Referer` header; empty when absent.
    pub referrer: Cow<'a, str>,
    /// The `User-Agent` header; empty when absent.
    pub user_agent: Cow<'a, str>,
}

/// Parses lines of one format; CloudFront needs its `#Fields:` header.
pub struct LineParser {
    format: Format,
    cloudfront: CloudFrontFields,
    /// The days a request can be from: from 2000 to two days after today
    /// (time zones). A line dated outside is not believed.
    plausible: std::ops::RangeInclusive<Day>,
}

impl LineParser {
    /// A parser for `format`; `head` holds the file's first lines (for
    /// CloudFront's header).
    pub fn new(format: Format, head: &[&str]) -> LineParser {
        LineParser {
            format,
            cloudfront: CloudFrontFields::from_head(head),
            plausible: Day::from_ymd(2000, 1, 1).expect("a real day")..=Day::today().plus(2),
        }
    }

    /// The hit a line holds; `Err(())` for a malformed line (one dated
    /// before 2000 or after tomorrow too), `Ok(None)` for one that holds no
    /// request (comments, headers, blank lines).
    #[allow(clippy::result_unit_err)]
    pub fn parse<'a>(&self, line: &'a str) -> Result<Option<Hit<'a>>, ()> {
        match self.parse_fields(line) {
            Ok(Some(hit)) if !self.plausible.contains(&hit.day) => Err(()),
            parsed => parsed,
        }
    }

    fn parse_fields<'a>(&self, line: &'a str) -> Result<Option<Hit<'a>>, ()> {
        let line = line.trim_end_matches(['\r', '\n']);
        if line.trim().is_empty() {
            return Ok(None);
        }
        match self.format {
            Format::Cloudfront if line.starts_with('#') => Ok(None),
            Format::Cloudfront => self.cloudfront.parse(line).map(Some).ok_or(()),
            Format::Cloudflare => json::parse_cloudflare(line).map(Some).ok_or(()),
            Format::Caddy => json::parse_caddy(line).map(Some).ok_or(()),
            format => clf::parse(line, format).map(Some).ok_or(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_recognized_from_their_first_lines() {
        let common = r#"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326"#;
        let combined = r#"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)""#;
        let vcombined = r#"www.example.com:443 127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 2326 "-" "curl/8.0""#;
        let ipv6 =
            r#"::1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 2326 "-" "curl/8.0""#;
        assert_eq!(Format::detect(&[common]), Some(Format::Common));
        assert_eq!(Format::detect(&[combined]), Some(Format::Combined));
        assert_eq!(Format::detect(&[vcombined]), Some(Format::Vcombined));
        assert_eq!(Format::detect(&[ipv6]), Some(Format::Combined));
        assert_eq!(
            Format::detect(&["#Version: 1.0", "#Fields: date time"]),
            Some(Format::Cloudfront)
        );
        assert_eq!(
            Format::detect(&[r#"{"ClientIP":"1.2.3.4","ClientRequestHost":"a.com"}"#]),
            Some(Format::Cloudflare)
        );
        assert_eq!(
            Format::detect(&[r#"{"level":"info","logger":"http.log.access","request":{}}"#]),
            Some(Format::Caddy)
        );
        assert_eq!(Format::detect(&["hello world"]), None);
    }
}

//! AWS CloudFront standard logs: tab-separated, with `#Version:` and
//! `#Fields:` header lines naming the columns (their set and order have
//! changed over the years, so columns are found by name). Times are UTC.
//! Text fields are URL-encoded (`Mozilla/5.0%20(...)`), some twice.

use std::borrow::Cow;

use super::Hit;
use crate::day::Day;
use crate::html_scan::percent_decode;

/// The column order CloudFront documents, for files without a header.
const DEFAULT_FIELDS: &str = "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end";

/// Columns a line is cut into at most: a header naming a column Grove
/// reads past this one leaves it unread (CloudFront logs have 33).
const STACK_COLUMNS: usize = 64;

/// Where each column Grove reads sits.
#[derive(Debug, Clone)]
pub struct CloudFrontFields {
    date: usize,
    time: Option<usize>,
    ip: usize,
    method: usize,
    host: Option<usize>,
    host_header: Option<usize>,
    stem: usize,
    query: Option<usize>,
    status: usize,
    referrer: Option<usize>,
    user_agent: Option<usize>,
    /// Columns read: one past the last column Grove uses.
    needed: usize,
}

impl CloudFrontFields {
    /// Columns from the `#Fields:` line among `head`, else the documented
    /// order.
    pub fn from_head(head: &[&str]) -> CloudFrontFields {
        let fields = head
            .iter()
            .find_map(|line| line.trim_end().strip_prefix("#Fields:"))
            .unwrap_or(DEFAULT_FIELDS);
        let names: Vec<&str> = fields.split_whitespace().collect();
        let at = |name: &str| names.iter().position(|n| *n == name);
        let default = CloudFrontFields::documented();
        let mut fields = CloudFrontFields {
            date: at("date").unwrap_or(default.date),
            time: at("time"),
            ip: at("c-ip").unwrap_or(default.ip),
            method: at("cs-method").unwrap_or(default.method),
            host: at("cs(Host)"),
            host_header: at("x-host-header"),
            stem: at("cs-uri-stem").unwrap_or(default.stem),
            query: at("cs-uri-query"),
            status: at("sc-status").unwrap_or(default.status),
            referrer: at("cs(Referer)"),
            user_agent: at("cs(User-Agent)"),
            needed: 0,
        };
        fields.needed = fields.last_used() + 1;
        fields
    }

    /// The last column Grove reads.
    fn last_used(&self) -> usize {
        [self.date, self.ip, self.method, self.stem, self.status]
            .into_iter()
            .chain(
                [
                    self.time,
                    self.host,
                    self.host_header,
                    self.query,
                    self.referrer,
                    self.user_agent,
                ]
                .into_iter()
                .flatten(),
            )
            .max()
            .unwrap_or(0)
    }

    fn documented() -> CloudFrontFields {
        CloudFrontFields {
            date: 0,
            time: Some(1),
            ip: 4,
            method: 5,
            host: Some(6),
            host_header: Some(15),
            stem: 7,
            query: Some(11),
            status: 8,
            referrer: Some(9),
            user_agent: Some(10),
            needed: 16,
        }
    }

    /// The hit on one line.
    pub fn parse<'a>(&self, line: &'a str) -> Option<Hit<'a>> {
        // The columns up to the last one read, on the stack (a line is
        // cut into them once, without allocating).
        let mut fields = [""; STACK_COLUMNS];
        let mut found = 0;
        let limit = self.needed.min(STACK_COLUMNS);
        let mut start = 0;
        let ends = memchr::memchr_iter(b'\t', line.as_bytes()).chain(std::iter::once(line.len()));
        for end in ends {
            if found == limit {
                break;
            }
            // Tabs are ASCII: the slice ends on character boundaries.
            fields[found] = &line[start..end];
            found += 1;
            start = end + 1;
        }
        let get = |index: usize| (index < found).then(|| fields[index]);
        let optional =
            |index: Option<usize>| index.and_then(get).filter(|v| *v != "-" && !v.is_empty());
        let day = Day::parse(get(self.date)?)?;
        let time = i64::from(day.0) * 86_400 + self.time.and_then(get).map_or(0, seconds_of_day);
        let status = get(self.status)?.parse().ok()?;
        let stem = get(self.stem)?;
        let target = match optional(self.query) {
            Some(query) => Cow::Owned(format!("{stem}?{query}")),
            None => Cow::Borrowed(stem),
        };
        // The viewer's Host header (a custom domain) over the distribution's
        // own cloudfront.net name.
        let host = optional(self.host_header)
            .or_else(|| optional(self.host))
            .map(Cow::Borrowed);
        Some(Hit {
            host,
            ip: Cow::Borrowed(get(self.ip)?),
            day,
            time,
            method: Cow::Borrowed(get(self.method)?),
            target,
            status,
            referrer: optional(self.referrer).map_or(Cow::Borrowed(""), decode),
            user_agent: optional(self.user_agent).map_or(Cow::Borrowed(""), decode),
        })
    }
}

/// `21:02:31` -> seconds since midnight (0 when it is not a time).
fn seconds_of_day(text: &str) -> i64 {
    let mut parts = text.splitn(3, ':').map(|p| p.parse::<i64>().ok());
    match (
        parts.next().flatten(),
        parts.next().flatten(),
        parts.next().flatten(),
    ) {
        (Some(h), Some(m), Some(s)) if h < 24 && m < 60 && s <= 60 => h * 3600 + m * 60 + s,
        _ => 0,
    }
}

/// A URL-encoded field decoded; CloudFront encodes some characters twice
/// (`%2520`), so a second round is applied when the first leaves `%25`.
fn decode(value: &str) -> Cow<'_, str> {
    if !value.contains('%') {
        return Cow::Borrowed(value);
    }
    let once = percent_decode(value).unwrap_or_else(|| value.to_string());
    if once.contains('%') && value.contains("%25") {
        return Cow::Owned(percent_decode(&once).unwrap_or(once));
    }
    Cow::Owned(once)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_lines_parse_by_their_header() {
        let head = [
            "#Version: 1.0",
            "#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end",
        ];
        let fields = CloudFrontFields::from_head(&head);
        let line = "2019-12-04\t21:02:31\tLAX1\t392\t192.0.2.100\tGET\td111111abcdef8.cloudfront.net\t/index.html\t200\thttps://www.google.com/\tMozilla/5.0%20(Windows%20NT%2010.0)%2520x\tq=1\t-\tHit\tSOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==\twww.example.com\thttps\t23\t0.001\t-\tTLSv1.2\tECDHE-RSA-AES128-GCM-SHA256\tHit\tHTTP/2.0\t-\t-\t11040\t0.001\tHit\ttext/html\t78\t-\t-";
        let hit = fields.parse(line).unwrap();
        assert_eq!(hit.day.to_string(), "2019-12-04");
        assert_eq!(hit.ip, "192.0.2.100");
        assert_eq!(hit.host.as_deref(), Some("www.example.com"));
        assert_eq!(hit.target, "/index.html?q=1");
        assert_eq!(hit.status, 200);
        assert_eq!(hit.referrer, "https://www.google.com/");
        assert_eq!(hit.user_agent, "Mozilla/5.0 (Windows NT 10.0) x");
        assert!(fields.parse("not\ta\tline").is_none());
    }

    #[test]
    fn columns_are_found_by_name() {
        let head = ["#Fields: c-ip date sc-status cs-uri-stem cs-method"];
        let fields = CloudFrontFields::from_head(&head);
        let hit = fields.parse("1.2.3.4\t2024-01-02\t404\t/x\tGET").unwrap();
        assert_eq!(
            (hit.status, hit.target.as_ref(), hit.host),
            (404, "/x", None)
        );
    }
}

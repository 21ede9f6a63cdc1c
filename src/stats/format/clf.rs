//! Apache and nginx logs: the Common Log Format (`%h %l %u %t "%r" %>s %b`),
//! Combined (plus `"%{Referer}i" "%{User-Agent}i"`) and the virtual-host
//! variant (`%v:%p` first, Apache's `vhost_combined`). Quoted fields may
//! hold escaped quotes: `\"` (Apache) or `\x22` (nginx).

use std::borrow::Cow;

use super::{Format, Hit};
use crate::day::Day;

/// Parses `line` as `format` (one of the three Common Log Format variants).
pub fn parse(line: &str, format: Format) -> Option<Hit<'_>> {
    let mut rest = line;
    let host = if format == Format::Vcombined {
        let vhost = token(&mut rest)?;
        Some(Cow::Borrowed(strip_port(vhost)))
    } else {
        None
    };
    let ip = token(&mut rest)?;
    let _ident = token(&mut rest)?;
    let _user = token(&mut rest)?;
    let rest_after_user = rest.trim_start();
    let date_text = rest_after_user.strip_prefix('[')?;
    let close = memchr::memchr(b']', date_text.as_bytes())?;
    let time = parse_clf_time(&date_text[..close])?;
    rest = &date_text[close + 1..];
    let request = quoted(&mut rest)?;
    let status = token(&mut rest)?.parse::<u16>().ok()?;
    let bytes = token(&mut rest)?;
    if bytes != "-" && !bytes.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (referrer, user_agent) = match format {
        Format::Common => {
            if !rest.trim().is_empty() {
                return None;
            }
            (Cow::Borrowed(""), Cow::Borrowed(""))
        }
        Format::Combined => (quoted(&mut rest)?, last_quoted(&mut rest)?),
        // The virtual-host variant comes with and without the two headers.
        _ if rest.trim().is_empty() => (Cow::Borrowed(""), Cow::Borrowed("")),
        _ => (quoted(&mut rest)?, last_quoted(&mut rest)?),
    };
    let (method, target) = split_request(request);
    Some(Hit {
        host,
        ip: Cow::Borrowed(ip),
        day: Day::from_unix(time),
        time,
        method,
        target,
        status,
        referrer: dash_is_empty(referrer),
        user_agent: dash_is_empty(user_agent),
    })
}

/// The next space-separated token.
fn token<'a>(rest: &mut &'a str) -> Option<&'a str> {
    let text = rest.trim_start_matches(' ');
    let end = memchr::memchr(b' ', text.as_bytes()).unwrap_or(text.len());
    if end == 0 {
        return None;
    }
    *rest = &text[end..];
    Some(&text[..end])
}

/// The next `"quoted"` field, unescaped.
fn quoted<'a>(rest: &mut &'a str) -> Option<Cow<'a, str>> {
    let text = rest.trim_start_matches(' ').strip_prefix('"')?;
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut escaped = false;
    while i < bytes.len() {
        i += memchr::memchr2(b'"', b'\\', &bytes[i..])?;
        if bytes[i] == b'\\' {
            escaped = true;
            i += 2;
            continue;
        }
        *rest = &text[i + 1..];
        let raw = &text[..i];
        return Some(if escaped {
            Cow::Owned(unescape(raw))
        } else {
            Cow::Borrowed(raw)
        });
    }
    None
}

/// The line's last quoted field (the user agent): as [`quoted`], but a
/// field the line cuts before its closing quote runs to the end of the
/// line (real logs hold such lines, and GoAccess counts them too).
fn last_quoted<'a>(rest: &mut &'a str) -> Option<Cow<'a, str>> {
    if let Some(field) = quoted(rest) {
        return Some(field);
    }
    let text = rest.trim_start_matches(' ').strip_prefix('"')?;
    *rest = "";
    let text = text.trim_end_matches(['\r', '\n']);
    Some(if text.contains('\\') {
        Cow::Owned(unescape(text))
    } else {
        Cow::Borrowed(text)
    })
}

/// `\"`, `\\` and `\xHH` decoded.
fn unescape(raw: &str) -> String {
    let mut bytes = Vec::with_capacity(raw.len());
    let raw = raw.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'\\' && i + 1 < raw.len() {
            match raw[i + 1] {
                b'x' if i + 3 < raw.len()
                    && raw[i + 2].is_ascii_hexdigit()
                    && raw[i + 3].is_ascii_hexdigit() =>
                {
                    let hex = std::str::from_utf8(&raw[i + 2..i + 4]).unwrap_or("3f");
                    bytes.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                    i += 4;
                }
                other => {
                    bytes.push(other);
                    i += 2;
                }
            }
        } else {
            bytes.push(raw[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// `"GET /a?b HTTP/1.1"` -> (`GET`, `/a?b`). A malformed request (`-`,
/// junk from a scanner) gives empty parts.
fn split_request(request: Cow<'_, str>) -> (Cow<'_, str>, Cow<'_, str>) {
    match request {
        Cow::Borrowed(text) => {
            let mut parts = text.split(' ');
            let method = parts.next().unwrap_or_default();
            let target = parts.next().unwrap_or_default();
            (Cow::Borrowed(method), Cow::Borrowed(target))
        }
        Cow::Owned(text) => {
            let mut parts = text.split(' ');
            let method = parts.next().unwrap_or_default().to_string();
            let target = parts.next().unwrap_or_default().to_string();
            (Cow::Owned(method), Cow::Owned(target))
        }
    }
}

fn dash_is_empty(value: Cow<'_, str>) -> Cow<'_, str> {
    if value == "-" {
        Cow::Borrowed("")
    } else {
        value
    }
}

/// `www.example.com:443` -> `www.example.com` (IPv6 `[::1]:443` -> `[::1]`).
pub fn strip_port(host: &str) -> &str {
    // A bare IPv6 address has colons but no port.
    if host.matches(':').count() > 1 && !host.starts_with('[') {
        return host;
    }
    match host.rfind(':') {
        Some(colon)
            if host[colon + 1..].bytes().all(|b| b.is_ascii_digit())
                && (!host.contains(']') || host[..colon].ends_with(']')) =>
        {
            &host[..colon]
        }
        _ => host,
    }
}

/// `10/Oct/2000:13:55:36 -0700` -> seconds since 1970 (UTC).
pub fn parse_clf_time(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() < 20 || bytes[2] != b'/' || bytes[6] != b'/' || bytes[11] != b':' {
        return None;
    }
    let number =
        |range: std::ops::Range<usize>| -> Option<i64> { text.get(range)?.parse::<i64>().ok() };
    let day = number(0..2)?;
    let month = match &text[3..6] {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year = number(7..11)?;
    let (hour, minute, second) = (number(12..14)?, number(15..17)?, number(18..20)?);
    let offset = match text.get(20..)?.trim() {
        "" => 0,
        zone => {
            let sign = match zone.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let hours: i64 = zone.get(1..3)?.parse().ok()?;
            let minutes: i64 = zone.get(3..5)?.parse().ok()?;
            sign * (hours * 3600 + minutes * 60)
        }
    };
    let date = Day::from_ymd(year as i32, month, day as u32)?;
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some(i64::from(date.0) * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apache_documentation_examples_parse() {
        // From Apache's log file documentation.
        let common = r#"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326"#;
        let hit = parse(common, Format::Common).unwrap();
        assert_eq!(hit.ip, "127.0.0.1");
        assert_eq!(hit.day.to_string(), "2000-10-10");
        assert_eq!(
            (hit.method.as_ref(), hit.target.as_ref()),
            ("GET", "/apache_pb.gif")
        );
        assert_eq!(hit.status, 200);
        let combined = format!(
            "{common} \"http://www.example.com/start.html\" \"Mozilla/4.08 [en] (Win98; I ;Nav)\""
        );
        let hit = parse(&combined, Format::Combined).unwrap();
        assert_eq!(hit.referrer, "http://www.example.com/start.html");
        assert_eq!(hit.user_agent, "Mozilla/4.08 [en] (Win98; I ;Nav)");
        assert!(parse(&combined, Format::Common).is_none());
        assert!(parse(common, Format::Combined).is_none());
    }

    #[test]
    fn a_user_agent_the_line_cuts_runs_to_its_end() {
        // Line 8,899 of a real Apache log (semicomplete.com, May 2015, as
        // published in elastic/examples): its user agent has no closing
        // quote.
        let line = r#"46.118.127.106 - - [20/May/2015:12:05:17 +0000] "GET /scripts/grok-py-test/configlib.py HTTP/1.1" 200 235 "-" "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html"#;
        let hit = parse(line, Format::Combined).unwrap();
        assert_eq!(hit.status, 200);
        assert_eq!(
            hit.user_agent,
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html"
        );
        // A cut referrer is still malformed: which field ends where is
        // unknown.
        let cut = r#"1.2.3.4 - - [20/May/2015:12:05:17 +0000] "GET / HTTP/1.1" 200 235 "http://a.example/"#;
        assert!(parse(cut, Format::Combined).is_none());
    }

    #[test]
    fn escapes_time_zones_and_virtual_hosts() {
        let line = r#"example.com:443 10.0.0.1 - - [31/Dec/2025:23:30:00 -0100] "GET /a?q=\"x\" HTTP/1.1" 304 - "-" "Agent \x22quoted\x22""#;
        let hit = parse(line, Format::Vcombined).unwrap();
        assert_eq!(hit.host.as_deref(), Some("example.com"));
        // 23:30 at UTC-1 is 00:30 on January 1st, UTC.
        assert_eq!(hit.day.to_string(), "2026-01-01");
        assert_eq!(hit.target, "/a?q=\"x\"");
        assert_eq!(hit.status, 304);
        assert_eq!(hit.referrer, "");
        assert_eq!(hit.user_agent, "Agent \"quoted\"");
        assert_eq!(strip_port("[::1]:8080"), "[::1]");
        assert_eq!(strip_port("::1"), "::1");
        for bad in [
            "",
            "garbage",
            r#"1.2.3.4 - - [10/Foo/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1"#,
            r#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 2x0 1"#,
            r#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0 200 1"#,
        ] {
            assert!(parse(bad, Format::Common).is_none(), "{bad}");
        }
    }
}

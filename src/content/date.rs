//! Dates from front matter: `2024-05-01`, `2024-05-01T09:30:00`, or RFC 3339.

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use serde::{Serialize, Serializer};

/// A front matter date: kept as written (normalized) for templates, with a
/// UTC instant for sorting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Date {
    instant: NaiveDateTime,
    text: String,
}

impl Date {
    /// Parses the forms TOML and YAML users write; `None` if it is not a date.
    pub fn parse(text: &str) -> Option<Date> {
        let text = text.trim();
        if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
            return Some(Date {
                instant: dt.naive_utc(),
                text: dt.to_rfc3339(),
            });
        }
        for format in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M"] {
            if let Ok(dt) = NaiveDateTime::parse_from_str(text, format) {
                return Some(Date {
                    instant: dt,
                    text: dt.format("%Y-%m-%dT%H:%M:%S").to_string(),
                });
            }
        }
        let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
        Some(Date {
            instant: date.and_hms_opt(0, 0, 0)?,
            text: date.format("%Y-%m-%d").to_string(),
        })
    }

    /// The instant, in UTC, for ordering.
    pub fn instant(&self) -> NaiveDateTime {
        self.instant
    }

    /// Whether only a day was given (no time).
    fn date_only(&self) -> bool {
        self.text.len() == 10
    }

    /// W3C datetime for sitemaps: `2024-05-01`, or with time, in UTC.
    pub fn w3c(&self) -> String {
        if self.date_only() {
            self.text.clone()
        } else {
            self.instant.format("%Y-%m-%dT%H:%M:%S+00:00").to_string()
        }
    }

    /// RFC 3339 in UTC, for Atom and JSON-LD.
    pub fn rfc3339(&self) -> String {
        self.instant.format("%Y-%m-%dT%H:%M:%S+00:00").to_string()
    }

    /// RFC 2822 in UTC, for RSS.
    pub fn rfc2822(&self) -> String {
        self.instant.and_utc().to_rfc2822()
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl PartialOrd for Date {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Date {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.instant.cmp(&other.instant)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_forms() {
        assert_eq!(Date::parse("2024-05-01").unwrap().to_string(), "2024-05-01");
        assert_eq!(
            Date::parse("2024-05-01T09:30:00").unwrap().to_string(),
            "2024-05-01T09:30:00"
        );
        let zoned = Date::parse("2024-05-01T09:30:00+02:00").unwrap();
        assert_eq!(zoned.instant().to_string(), "2024-05-01 07:30:00");
        assert!(Date::parse("May 1st").is_none());
        let d = Date::parse("2024-05-01T09:30:00").unwrap();
        assert_eq!(d.w3c(), "2024-05-01T09:30:00+00:00");
        assert_eq!(Date::parse("2024-05-01").unwrap().w3c(), "2024-05-01");
        assert_eq!(zoned.rfc2822(), "Wed, 1 May 2024 07:30:00 +0000");
    }
}

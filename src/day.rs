//! Calendar days as whole numbers (days since 1970-01-01), the unit stats,
//! revenue and reports are kept in. Plain arithmetic (Howard Hinnant's
//! `days_from_civil`), fast enough to run for every line of a log.

use std::fmt;

use serde::{Serialize, Serializer};

/// A UTC calendar day: days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub i32);

impl Day {
    /// The day of a civil date, if it exists.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Day> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = month as i32;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i32 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(Day(era * 146_097 + doe - 719_468))
    }

    /// The day holding Unix time `seconds`.
    pub fn from_unix(seconds: i64) -> Day {
        Day(seconds.div_euclid(86_400) as i32)
    }

    /// Today, in UTC.
    pub fn today() -> Day {
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        Day::from_unix(seconds)
    }

    /// Year, month (1-12) and day of month.
    pub fn ymd(self) -> (i32, u32, u32) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i32::from(month <= 2);
        (year, month, day)
    }

    /// The year and the 0-based day within it.
    pub fn year_and_ordinal(self) -> (i32, u16) {
        let (year, _, _) = self.ymd();
        let first = Day::from_ymd(year, 1, 1).expect("January 1st exists");
        (year, (self.0 - first.0) as u16)
    }

    /// The day `ordinal` days after January 1st of `year`.
    pub fn from_year_and_ordinal(year: i32, ordinal: u16) -> Day {
        let first = Day::from_ymd(year, 1, 1).expect("January 1st exists");
        Day(first.0 + i32::from(ordinal))
    }

    /// The day a command-line option names (`--since 2026-11-01`), if it
    /// was given: an error naming the option when it is not a date.
    pub fn parse_flag(flag: &str, value: Option<String>) -> crate::error::Result<Option<Day>> {
        value
            .map(|text| {
                Day::parse(&text).ok_or_else(|| {
                    crate::error::Error::Usage(format!(
                        "{flag} {text} is not a date; write YYYY-MM-DD"
                    ))
                })
            })
            .transpose()
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<Day> {
        let text = text.trim();
        let mut parts = text.splitn(3, '-');
        let year = parts.next()?.parse().ok()?;
        let month = parts.next()?.parse().ok()?;
        let day = parts.next()?.parse().ok()?;
        if text.len() != 10 {
            return None;
        }
        Day::from_ymd(year, month, day)
    }

    /// The day `n` days later (earlier for negative `n`).
    pub fn plus(self, n: i32) -> Day {
        Day(self.0 + n)
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = self.ymd();
        write!(f, "{year:04}-{month:02}-{day:02}")
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_through_the_calendar() {
        assert_eq!(Day::from_ymd(1970, 1, 1), Some(Day(0)));
        assert_eq!(Day::from_ymd(2000, 3, 1), Some(Day(11_017)));
        assert_eq!(
            Day::from_ymd(2024, 2, 29).unwrap().to_string(),
            "2024-02-29"
        );
        assert_eq!(Day::from_ymd(2023, 2, 29), None);
        for n in -800_000..800_000 {
            let day = Day(n);
            let (y, m, d) = day.ymd();
            assert_eq!(Day::from_ymd(y, m, d), Some(day));
        }
        assert_eq!(
            Day::parse("2026-11-24").unwrap().year_and_ordinal(),
            (2026, 327)
        );
        assert_eq!(
            Day::from_year_and_ordinal(2026, 327).to_string(),
            "2026-11-24"
        );
        assert_eq!(Day::from_unix(-1), Day(-1));
        assert_eq!(Day::parse("2026-1-24"), None);
    }
}

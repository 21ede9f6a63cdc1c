//! A publishing pace: approved drafts get dates spread over the coming
//! days, so that a site publishes steadily instead of in batches.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use walkdir::WalkDir;

use crate::content::PageMeta;
use crate::content::front_matter;
use crate::error::{Error, Result};

/// Pages a day, as in `--schedule "3 per day"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace(pub u32);

impl std::str::FromStr for Pace {
    type Err = String;

    /// `3 per day`, `3/day` or `3`.
    fn from_str(text: &str) -> std::result::Result<Pace, String> {
        let text = text.trim().to_lowercase();
        let number = text
            .strip_suffix("per day")
            .or_else(|| text.strip_suffix("/day"))
            .unwrap_or(&text)
            .trim();
        match number.parse::<u32>() {
            Ok(n) if n > 0 => Ok(Pace(n)),
            _ => Err(format!(
                "`{text}` is not a pace: write it as \"N per day\" with N of 1 or more"
            )),
        }
    }
}

/// Pages of the content folder `dir` (not drafts, not in `except`) per
/// publication day, from `from` on: the days already taken.
pub fn taken_days(
    dir: &Path,
    from: NaiveDate,
    except: &[PathBuf],
    taxonomies: &[&str],
) -> Result<BTreeMap<NaiveDate, u32>> {
    let mut taken = BTreeMap::new();
    for entry in WalkDir::new(dir)
        .into_iter()
        .filter_map(std::result::Result::ok)
    {
        let path = entry.path();
        let markdown = entry.file_type().is_file() && path.extension().is_some_and(|x| x == "md");
        let is_section = path.file_name().is_some_and(|n| n == "_index.md");
        if !markdown || is_section || except.iter().any(|e| same_file(e, path)) {
            continue;
        }
        let text = std::fs::read_to_string(path)
            .map_err(|source| Error::io(path, "cannot read file", source))?;
        let split = front_matter::split(path, &text)?;
        let meta = PageMeta::from_fields(front_matter::parse_fields(path, &split)?, taxonomies)?;
        if meta.draft {
            continue;
        }
        if let Some(day) = meta.date.map(|d| d.instant().date())
            && day >= from
        {
            *taken.entry(day).or_insert(0) += 1;
        }
    }
    Ok(taken)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// `count` publication days from `start` on, at most `pace` pages a day
/// counting the pages `taken` already has, earliest first.
pub fn spread(
    start: NaiveDate,
    pace: Pace,
    taken: &BTreeMap<NaiveDate, u32>,
    count: usize,
) -> Vec<NaiveDate> {
    let mut days = Vec::with_capacity(count);
    let mut day = start;
    let mut used = taken.get(&day).copied().unwrap_or(0);
    while days.len() < count {
        if used < pace.0 {
            days.push(day);
            used += 1;
        } else {
            day = day.succ_opt().expect("dates this far ahead exist");
            used = taken.get(&day).copied().unwrap_or(0);
        }
    }
    days
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn paces_parse() {
        assert_eq!("2 per day".parse(), Ok(Pace(2)));
        assert_eq!(" 3/day".parse(), Ok(Pace(3)));
        assert_eq!("1".parse(), Ok(Pace(1)));
        assert!("0 per day".parse::<Pace>().is_err());
        assert!("often".parse::<Pace>().is_err());
    }

    #[test]
    fn drafts_fill_the_free_places_of_each_day() {
        let taken = BTreeMap::from([(day("2026-12-01"), 1), (day("2026-12-02"), 2)]);
        assert_eq!(
            spread(day("2026-12-01"), Pace(2), &taken, 3),
            [day("2026-12-01"), day("2026-12-03"), day("2026-12-03")]
        );
        assert_eq!(
            spread(day("2026-12-01"), Pace(1), &BTreeMap::new(), 2),
            [day("2026-12-01"), day("2026-12-02")]
        );
    }
}

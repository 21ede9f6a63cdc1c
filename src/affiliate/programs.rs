//! What affiliate programs require of the pages that link them, kept by
//! default so a site does not lose its account over a missing sentence
//! or a stale price:
//!
//! - a program's own disclosure statement, added to the page's disclosure
//!   on pages that link the program (Amazon's Operating Agreement requires
//!   "As an Amazon Associate I earn from qualifying purchases");
//! - prices only while fresh: a program whose terms forbid showing prices
//!   that are not current (Amazon: only prices from its Product
//!   Advertising API, refreshed within 24 hours, with the time they were
//!   fetched) gets no hand-typed price, unless the entry records when the
//!   price was checked (`price_checked`) and that is within the program's
//!   freshness; then it is shown "as of" that time.
//!
//! `[affiliates.programs.NAME]` in `grove.toml` sets these for any program
//! and overrides the built-in ones.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::registry::AffiliateEntry;
use crate::network::ProgramSettings;

/// One program's rules.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProgramRules {
    /// How pages name the program ("Amazon").
    pub name: String,
    /// The statement pages linking it must carry.
    pub disclosure: Option<String>,
    /// How long a checked price may be shown; `None`: prices are shown
    /// as written.
    pub price_max_age_hours: Option<u32>,
}

/// The rules of every program, by the `program` name registry entries use.
#[derive(Debug, Clone, Default)]
pub struct Programs {
    rules: BTreeMap<String, ProgramRules>,
}

/// A price as a page may show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownPrice {
    /// The price, when it may be shown.
    pub price: Option<String>,
    /// When it was checked, when the program wants that said
    /// (`2026-12-03 14:00 UTC`).
    pub as_of: Option<String>,
}

impl Programs {
    /// The built-in rules (Amazon's) with `settings` laid over them.
    pub fn new(settings: &BTreeMap<String, ProgramSettings>) -> Programs {
        let mut rules = BTreeMap::from([(
            "amazon".to_string(),
            ProgramRules {
                name: "Amazon".into(),
                disclosure: Some("As an Amazon Associate I earn from qualifying purchases.".into()),
                price_max_age_hours: Some(24),
            },
        )]);
        for (program, set) in settings {
            let rule = rules
                .entry(program.clone())
                .or_insert_with(|| ProgramRules {
                    name: program.clone(),
                    ..ProgramRules::default()
                });
            if let Some(name) = &set.name {
                rule.name = name.clone();
            }
            if let Some(disclosure) = &set.disclosure {
                rule.disclosure = Some(disclosure.clone()).filter(|d| !d.trim().is_empty());
            }
            if let Some(hours) = set.price_max_age_hours {
                rule.price_max_age_hours = Some(hours);
            }
        }
        Programs { rules }
    }

    /// The rules of `program` (case-insensitive), if it has any.
    pub fn get(&self, program: &str) -> Option<&ProgramRules> {
        self.rules.get(&program.to_ascii_lowercase())
    }

    /// The price of `entry` as a page may show it at `now`.
    pub fn price(&self, entry: &AffiliateEntry, now: DateTime<Utc>) -> ShownPrice {
        let Some(price) = entry.price.clone() else {
            return ShownPrice {
                price: None,
                as_of: None,
            };
        };
        let Some(max_age) = self
            .get(&entry.program)
            .and_then(|rules| rules.price_max_age_hours)
        else {
            return ShownPrice {
                price: Some(price),
                as_of: None,
            };
        };
        let checked = entry.price_checked.as_ref().and_then(checked_at);
        match checked {
            Some(at) if at <= now && now - at <= chrono::Duration::hours(i64::from(max_age)) => {
                ShownPrice {
                    price: Some(price),
                    as_of: Some(at.format("%Y-%m-%d %H:%M UTC").to_string()),
                }
            }
            _ => ShownPrice {
                price: None,
                as_of: None,
            },
        }
    }
}

/// `price_checked` as an instant: a date means its start (UTC), a time
/// without an offset is UTC.
fn checked_at(value: &toml::value::Datetime) -> Option<DateTime<Utc>> {
    let text = value.to_string();
    if let Ok(at) = DateTime::parse_from_rfc3339(&text) {
        return Some(at.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(at) = chrono::NaiveDateTime::parse_from_str(&text, format) {
            return Some(at.and_utc());
        }
    }
    chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .ok()
        .and_then(|day| day.and_hms_opt(0, 0, 0))
        .map(|at| at.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(program: &str, checked: Option<&str>) -> AffiliateEntry {
        let mut text = format!(
            "name = \"Grinder\"\nprogram = \"{program}\"\nurl = \"https://x.example/\"\nprice = \"$199\"\n"
        );
        if let Some(checked) = checked {
            text.push_str(&format!("price_checked = {checked}\n"));
        }
        toml::from_str(&text).unwrap()
    }

    #[test]
    fn amazon_prices_are_shown_only_while_fresh() {
        let programs = Programs::new(&BTreeMap::new());
        let now: DateTime<Utc> = "2026-12-04T12:00:00Z".parse().unwrap();
        let shown = |checked| programs.price(&entry("amazon", checked), now);
        assert_eq!(shown(None).price, None, "never checked");
        assert_eq!(shown(Some("2026-12-01T08:00:00Z")).price, None, "stale");
        assert_eq!(
            shown(Some("2026-12-05T08:00:00Z")).price,
            None,
            "in the future"
        );
        let fresh = shown(Some("2026-12-04T08:30:00Z"));
        assert_eq!(fresh.price.as_deref(), Some("$199"));
        assert_eq!(fresh.as_of.as_deref(), Some("2026-12-04 08:30 UTC"));
        // Other programs show prices as written.
        let other = programs.price(&entry("impact", None), now);
        assert_eq!(other.price.as_deref(), Some("$199"));
        assert_eq!(other.as_of, None);
    }

    #[test]
    fn settings_override_and_add_programs() {
        let settings = BTreeMap::from([
            (
                "amazon".to_string(),
                ProgramSettings {
                    price_max_age_hours: Some(72),
                    ..ProgramSettings::default()
                },
            ),
            (
                "shareasale".to_string(),
                ProgramSettings {
                    name: Some("ShareASale".into()),
                    disclosure: Some("We earn from ShareASale links.".into()),
                    price_max_age_hours: None,
                },
            ),
        ]);
        let programs = Programs::new(&settings);
        let amazon = programs.get("Amazon").unwrap();
        assert_eq!(amazon.price_max_age_hours, Some(72));
        assert!(
            amazon
                .disclosure
                .as_deref()
                .unwrap()
                .contains("Amazon Associate")
        );
        assert_eq!(
            programs.get("shareasale").unwrap().disclosure.as_deref(),
            Some("We earn from ShareASale links.")
        );
    }
}

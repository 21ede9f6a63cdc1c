//! Earnings report formats: each turns a report's rows into [`Earning`]s,
//! attributed to sites where the report allows.

use std::collections::BTreeMap;

use super::table::Table;
use super::values::{currency_in, parse_amount, parse_date};
use super::{Attribution, Earning, Problem};
use crate::day::Day;

/// The Amazon Associates earnings report (Associates Central, Reports,
/// Earnings, download CSV): a title line, then `Category, Name, ASIN,
/// Seller, Tracking ID, Date Shipped, Price($), Items Shipped, Returns,
/// Revenue($), Ad Fees($), Device Type Group`. The commission is `Ad Fees`;
/// `Revenue` is what the customer paid. Rows are attributed through their
/// tracking ID (a site's `amazon_tag`), products through their ASIN (in the
/// registry entry's URL).
pub fn amazon(table: &Table, attribution: &Attribution) -> (Vec<Earning>, Vec<Problem>) {
    let column = |names: &[&str]| table.column(names);
    let (Some(fees), Some(date), Some(tracking)) = (
        column(&["Ad Fees", "Fees", "Earnings"]),
        column(&["Date Shipped", "Date"]),
        column(&["Tracking ID", "Tracking Id"]),
    ) else {
        return (
            Vec::new(),
            vec![Problem::format("Ad Fees, Date Shipped and Tracking ID")],
        );
    };
    let asin = column(&["ASIN"]);
    let shipped = column(&["Items Shipped"]);
    let returns = column(&["Returns"]);
    let currency = table
        .header
        .get(fees)
        .and_then(|h| currency_in(h))
        .unwrap_or("USD");
    let mut earnings = Vec::new();
    let mut problems = Vec::new();
    for (line, row) in &table.rows {
        let field = |i: Option<usize>| i.and_then(|i| row.get(i)).map_or("", String::as_str);
        // A totals row has no date and no ASIN.
        if field(Some(date)).is_empty() && field(asin).is_empty() {
            continue;
        }
        let Some(day) = parse_date(field(Some(date))) else {
            problems.push(Problem::row(
                *line,
                format!("date `{}` is not a date", field(Some(date))),
            ));
            continue;
        };
        let Some((amount, _)) = parse_amount(field(Some(fees))) else {
            problems.push(Problem::row(
                *line,
                format!("ad fees `{}` is not an amount", field(Some(fees))),
            ));
            continue;
        };
        let tag = field(Some(tracking));
        let item = field(asin).to_string();
        let items =
            field(shipped).parse::<i64>().unwrap_or(0) - field(returns).parse::<i64>().unwrap_or(0);
        earnings.push(Earning {
            day,
            site: attribution.site_for_tag(tag),
            unmatched: attribution
                .site_for_tag(tag)
                .is_none()
                .then(|| tag.to_string()),
            program: "amazon".into(),
            slug: attribution.slug_for_asin(&item),
            item,
            currency: currency.to_string(),
            amount,
            items,
        });
    }
    (earnings, problems)
}

/// An Impact partner export of actions: `Action Date` (or `Event Date`),
/// `Campaign`, `Payout`, `Currency`, `Status`, `SubId1`. Rows are
/// attributed through `SubId1`, which the affiliate URL sets to the site's
/// name (`subId1={{ site.name }}`); reversed and rejected actions are left
/// out.
pub fn impact(table: &Table, attribution: &Attribution) -> (Vec<Earning>, Vec<Problem>) {
    let column = |names: &[&str]| table.column(names);
    let (Some(date), Some(payout)) = (
        column(&[
            "Action Date",
            "Event Date",
            "EventDate",
            "ActionDate",
            "Date",
        ]),
        column(&["Payout", "Earnings", "Commission"]),
    ) else {
        return (Vec::new(), vec![Problem::format("Action Date and Payout")]);
    };
    let campaign = column(&["Campaign", "Campaign Name", "CampaignName", "Brand"]);
    let sub_id = column(&["SubId1", "Sub Id 1", "SubID1", "Sub ID 1", "Sub Id1"]);
    let currency_column = column(&["Currency", "Payout Currency"]);
    let status = column(&["Status", "State", "Action Status"]);
    let mut earnings = Vec::new();
    let mut problems = Vec::new();
    for (line, row) in &table.rows {
        let field = |i: Option<usize>| i.and_then(|i| row.get(i)).map_or("", String::as_str);
        let state = field(status).to_ascii_lowercase();
        if state.contains("revers") || state.contains("reject") || state.contains("declin") {
            continue;
        }
        let Some(day) = parse_date(field(Some(date))) else {
            problems.push(Problem::row(
                *line,
                format!("date `{}` is not a date", field(Some(date))),
            ));
            continue;
        };
        let Some((amount, symbol)) = parse_amount(field(Some(payout))) else {
            problems.push(Problem::row(
                *line,
                format!("payout `{}` is not an amount", field(Some(payout))),
            ));
            continue;
        };
        let currency = Some(field(currency_column))
            .filter(|c| c.len() == 3)
            .map(str::to_ascii_uppercase)
            .or(symbol.map(str::to_string))
            .unwrap_or_else(|| "USD".to_string());
        let sub = field(sub_id);
        let item = field(campaign).to_string();
        earnings.push(Earning {
            day,
            site: attribution.site_for_tag(sub),
            unmatched: attribution
                .site_for_tag(sub)
                .is_none()
                .then(|| sub.to_string()),
            program: "impact".into(),
            slug: attribution.slug_for_name(&item),
            item,
            currency,
            amount,
            items: 1,
        });
    }
    (earnings, problems)
}

/// An AdSense report by date and site: `Date`, `Site` (the domain), and
/// `Estimated earnings (USD)` (the currency in the column's name).
pub fn adsense(table: &Table, attribution: &Attribution) -> (Vec<Earning>, Vec<Problem>) {
    let column = |names: &[&str]| table.column(names);
    let (Some(date), Some(site), Some(earned)) = (
        column(&["Date", "Day"]),
        column(&["Site", "Domain", "Domain name", "Sites"]),
        column(&["Estimated earnings", "Earnings", "Estimated revenue"]),
    ) else {
        return (
            Vec::new(),
            vec![Problem::format("Date, Site and Estimated earnings")],
        );
    };
    let currency = table
        .header
        .get(earned)
        .and_then(|h| currency_in(h))
        .unwrap_or("USD");
    let mut earnings = Vec::new();
    let mut problems = Vec::new();
    for (line, row) in &table.rows {
        let field = |i: usize| row.get(i).map_or("", String::as_str);
        if field(date).to_ascii_lowercase().starts_with("total") {
            continue;
        }
        let Some(day) = parse_date(field(date)) else {
            problems.push(Problem::row(
                *line,
                format!("date `{}` is not a date", field(date)),
            ));
            continue;
        };
        let Some((amount, symbol)) = parse_amount(field(earned)) else {
            problems.push(Problem::row(
                *line,
                format!("earnings `{}` is not an amount", field(earned)),
            ));
            continue;
        };
        let domain = field(site);
        earnings.push(Earning {
            day,
            site: attribution.site_for_host(domain),
            unmatched: attribution
                .site_for_host(domain)
                .is_none()
                .then(|| domain.to_string()),
            program: "adsense".into(),
            item: "ads".into(),
            slug: None,
            currency: symbol.unwrap_or(currency).to_string(),
            amount,
            items: 0,
        });
    }
    (earnings, problems)
}

/// Which column holds what, for `--format csv`: `date` and `amount`
/// required; `site` (a site's name, domain or tag), `currency`, `item`,
/// `items` and `program` optional.
#[derive(Debug, Clone, Default)]
pub struct ColumnMap(pub BTreeMap<String, String>);

impl ColumnMap {
    /// Parses `date=Date,amount=Commission,site=Sub ID`.
    pub fn parse(text: &str) -> Result<ColumnMap, String> {
        let mut map = BTreeMap::new();
        for pair in text.split(',').filter(|p| !p.trim().is_empty()) {
            let (field, column) = pair
                .split_once('=')
                .ok_or_else(|| format!("`{pair}` is not field=Column"))?;
            let field = field.trim();
            if ![
                "date", "amount", "site", "currency", "item", "items", "program",
            ]
            .contains(&field)
            {
                return Err(format!(
                    "unknown field `{field}`: the fields are date, amount, site, currency, item, items and program"
                ));
            }
            map.insert(field.to_string(), column.trim().to_string());
        }
        for required in ["date", "amount"] {
            if !map.contains_key(required) {
                return Err(format!("--map needs {required}=<column>"));
            }
        }
        Ok(ColumnMap(map))
    }

    /// The columns the header must have.
    pub fn columns(&self) -> Vec<&str> {
        self.0.values().map(String::as_str).collect()
    }
}

/// Any CSV, through a [`ColumnMap`].
pub fn mapped(
    table: &Table,
    map: &ColumnMap,
    attribution: &Attribution,
    default_currency: &str,
) -> (Vec<Earning>, Vec<Problem>) {
    let index = |field: &str| map.0.get(field).and_then(|c| table.column(&[c.as_str()]));
    let (Some(date), Some(amount)) = (index("date"), index("amount")) else {
        return (
            Vec::new(),
            vec![Problem::format("the mapped date and amount columns")],
        );
    };
    let (site, currency, item, items, program) = (
        index("site"),
        index("currency"),
        index("item"),
        index("items"),
        index("program"),
    );
    let mut earnings = Vec::new();
    let mut problems = Vec::new();
    for (line, row) in &table.rows {
        let field = |i: Option<usize>| i.and_then(|i| row.get(i)).map_or("", String::as_str);
        let Some(day) = parse_date(field(Some(date))) else {
            problems.push(Problem::row(
                *line,
                format!("date `{}` is not a date", field(Some(date))),
            ));
            continue;
        };
        let Some((value, symbol)) = parse_amount(field(Some(amount))) else {
            problems.push(Problem::row(
                *line,
                format!("amount `{}` is not an amount", field(Some(amount))),
            ));
            continue;
        };
        let site_value = field(site);
        let found = attribution
            .site_for_tag(site_value)
            .or_else(|| attribution.site_for_host(site_value));
        let item_name = field(item).to_string();
        earnings.push(Earning {
            day,
            unmatched: found.is_none().then(|| site_value.to_string()),
            site: found,
            program: Some(field(program))
                .filter(|p| !p.is_empty())
                .unwrap_or("csv")
                .to_string(),
            slug: attribution.slug_for_name(&item_name),
            item: item_name,
            currency: Some(field(currency))
                .filter(|c| c.len() == 3)
                .map(str::to_ascii_uppercase)
                .or(symbol.map(str::to_string))
                .unwrap_or_else(|| default_currency.to_string()),
            amount: value,
            items: field(items).parse().unwrap_or(0),
        });
    }
    (earnings, problems)
}

/// The period a report covers: from its title (`... from 10-01-2026 to
/// 10-31-2026`) if it says, else its first and last rows' days.
pub fn period(table: &Table, earnings: &[Earning]) -> Option<(Day, Day)> {
    let from_title = table.preamble.iter().find_map(|line| {
        let lower = line.to_ascii_lowercase();
        let after = &line[lower.find(" from ")? + 6..];
        let (start, end) = after.split_once(" to ")?;
        Some((parse_date(start)?, parse_date(end.trim_end_matches('.'))?))
    });
    from_title.or_else(|| {
        let first = earnings.iter().map(|e| e.day).min()?;
        let last = earnings.iter().map(|e| e.day).max()?;
        Some((first, last))
    })
}

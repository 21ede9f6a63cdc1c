//! Earnings report formats: each turns a report's rows into [`Earning`]s,
//! attributed to sites where the report allows.

use std::collections::BTreeMap;

use super::table::Table;
use super::values::{currency_in, iso_code, parse_amount, parse_date};
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
        let day = match row_date(field(Some(date))) {
            Ok(day) => day,
            Err(problem) => {
                problems.push(Problem::row(*line, problem));
                continue;
            }
        };
        let Some((amount, _)) = parse_amount(field(Some(fees))) else {
            problems.push(Problem::row(
                *line,
                format!("ad fees `{}` is not an amount", shown(field(Some(fees)))),
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
        let day = match row_date(field(Some(date))) {
            Ok(day) => day,
            Err(problem) => {
                problems.push(Problem::row(*line, problem));
                continue;
            }
        };
        let Some((amount, symbol)) = parse_amount(field(Some(payout))) else {
            problems.push(Problem::row(
                *line,
                format!("payout `{}` is not an amount", shown(field(Some(payout)))),
            ));
            continue;
        };
        let currency = match row_currency(field(currency_column), symbol, "USD") {
            Ok(currency) => currency,
            Err(problem) => {
                problems.push(Problem::row(*line, problem));
                continue;
            }
        };
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
        let day = match row_date(field(date)) {
            Ok(day) => day,
            Err(problem) => {
                problems.push(Problem::row(*line, problem));
                continue;
            }
        };
        let Some((amount, symbol)) = parse_amount(field(earned)) else {
            problems.push(Problem::row(
                *line,
                format!("earnings `{}` is not an amount", shown(field(earned))),
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
        let day = match row_date(field(Some(date))) {
            Ok(day) => day,
            Err(problem) => {
                problems.push(Problem::row(*line, problem));
                continue;
            }
        };
        let Some((value, symbol)) = parse_amount(field(Some(amount))) else {
            problems.push(Problem::row(
                *line,
                format!("amount `{}` is not an amount", shown(field(Some(amount)))),
            ));
            continue;
        };
        let currency = match row_currency(field(currency), symbol, default_currency) {
            Ok(currency) => currency,
            Err(problem) => {
                problems.push(Problem::row(*line, problem));
                continue;
            }
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
            currency,
            amount: value,
            items: field(items).parse().unwrap_or(0),
        });
    }
    (earnings, problems)
}

/// A field as a message shows it: control characters escaped, cut
/// after 40 characters.
fn shown(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(40)
        .collect::<String>()
        .escape_debug()
        .to_string();
    if text.chars().count() > 40 {
        out.push_str("...");
    }
    out
}

/// A row's day: a date, and one an earning can have (from 2000 to two
/// days after today), not a misread column or a typo's year 9999.
fn row_date(text: &str) -> Result<Day, String> {
    let day = parse_date(text).ok_or_else(|| format!("date `{}` is not a date", shown(text)))?;
    let first = Day::from_ymd(2000, 1, 1).expect("a real day");
    if day < first || day > Day::today().plus(2) {
        return Err(format!(
            "date `{}` is not a day an earning can have",
            shown(text)
        ));
    }
    Ok(day)
}

/// A row's currency: its currency column's ISO 4217 code, else the one
/// its amount names, else `default`; a column naming no ISO 4217 code, or
/// one the amount contradicts, is a problem.
fn row_currency(
    column: &str,
    from_amount: Option<&'static str>,
    default: &str,
) -> Result<String, String> {
    let column = column.trim();
    if column.is_empty() {
        return Ok(from_amount.unwrap_or(default).to_string());
    }
    let Some(code) = iso_code(column) else {
        return Err(format!(
            "currency `{}` is not an ISO 4217 code (such as USD, EUR, GBP)",
            shown(column)
        ));
    };
    match from_amount {
        Some(named) if named != code => Err(format!(
            "the amount is in {named} but the currency column says {code}"
        )),
        _ => Ok(code.to_string()),
    }
}

/// The period a report covers, which an import of it replaces: the
/// period its title names (`... from 10-01-2026 to 10-31-2026`, either way
/// round) widened to every row's day, else its first and last rows'
/// days. So importing a report again replaces every row it added, whatever
/// its title claims; a title naming days no report can cover (before
/// 2000, or past next month) is not believed.
pub fn period(table: &Table, earnings: &[Earning]) -> Option<(Day, Day)> {
    let first_plausible = Day::from_ymd(2000, 1, 1).expect("a real day");
    let last_plausible = Day::today().plus(31);
    let from_title = table
        .preamble
        .iter()
        .find_map(|line| {
            let lower = line.to_ascii_lowercase();
            let after = &line[lower.find(" from ")? + 6..];
            let (start, end) = after.split_once(" to ")?;
            let (a, b) = (parse_date(start)?, parse_date(end.trim_end_matches('.'))?);
            Some((a.min(b), a.max(b)))
        })
        .filter(|(start, end)| *start >= first_plausible && *end <= last_plausible);
    let rows = earnings
        .iter()
        .map(|e| e.day)
        .min()
        .zip(earnings.iter().map(|e| e.day).max());
    match (from_title, rows) {
        (Some(title), Some(rows)) => Some((title.0.min(rows.0), title.1.max(rows.1))),
        (title, rows) => title.or(rows),
    }
}

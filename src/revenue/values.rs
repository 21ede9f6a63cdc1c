//! Amounts and dates as earnings reports write them.

use crate::day::Day;

/// An amount and the currency its text names, if any: `$1,234.56`,
/// `1.234,56 €`, `(12.00)` (negative), `-€3,50`, `USD 12`. With both `.`
/// and `,`, the last one is the decimal point; with one of them, it is the
/// decimal point unless exactly three digits follow it (a thousands
/// separator, as in `1,234`).
pub fn parse_amount(text: &str) -> Option<(f64, Option<&'static str>)> {
    let text = text.trim();
    if text.is_empty() || text == "-" {
        return None;
    }
    let currency = currency_in(text);
    let negative = text.contains('-') || (text.starts_with('(') && text.ends_with(')'));
    let number: String = text
        .chars()
        .filter(|c| c.is_ascii_digit() || matches!(c, '.' | ','))
        .collect();
    if !number.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let decimal = match (number.rfind('.'), number.rfind(',')) {
        (Some(dot), Some(comma)) => Some(dot.max(comma)),
        (Some(at), None) | (None, Some(at)) => {
            let separator = number.as_bytes()[at];
            let digits_after = number.len() - at - 1;
            let repeated = number.bytes().filter(|&b| b == separator).count() > 1;
            (digits_after != 3 && !repeated).then_some(at)
        }
        (None, None) => None,
    };
    let normalized: String = number
        .char_indices()
        .filter_map(|(i, c)| match c {
            '.' | ',' if Some(i) == decimal => Some('.'),
            '.' | ',' => None,
            digit => Some(digit),
        })
        .collect();
    let value: f64 = normalized.parse().ok()?;
    Some((if negative { -value } else { value }, currency))
}

/// The currency a text names by symbol or ISO code.
pub fn currency_in(text: &str) -> Option<&'static str> {
    const CODES: &[&str] = &[
        "USD", "EUR", "GBP", "CAD", "AUD", "JPY", "INR", "BRL", "MXN", "CHF", "SEK", "PLN",
    ];
    let upper = text.to_ascii_uppercase();
    if let Some(code) = CODES.iter().find(|code| upper.contains(*code)) {
        return Some(code);
    }
    if text.contains('€') {
        Some("EUR")
    } else if text.contains('£') {
        Some("GBP")
    } else if text.contains('¥') {
        Some("JPY")
    } else if text.contains('₹') {
        Some("INR")
    } else if text.contains("R$") {
        Some("BRL")
    } else if text.contains('$') {
        Some("USD")
    } else {
        None
    }
}

/// A date as reports write it: `2026-10-05` (with a time after it or
/// not), `10/05/2026` (month first, as US reports write it, unless the
/// first number is over 12), `05.10.2026`, `October 5, 2026`, `Oct 5 2026`,
/// `5 October 2026`, `20261005`.
pub fn parse_date(text: &str) -> Option<Day> {
    let text = text.trim();
    let head = text.split(['T', ' ']).next().unwrap_or(text);
    if let Some(day) = Day::parse(head) {
        return Some(day);
    }
    if head.len() == 8 && head.bytes().all(|b| b.is_ascii_digit()) {
        return Day::from_ymd(
            head[..4].parse().ok()?,
            head[4..6].parse().ok()?,
            head[6..].parse().ok()?,
        );
    }
    for separator in ['/', '.', '-'] {
        let parts: Vec<&str> = head.split(separator).collect();
        if let [a, b, c] = parts[..]
            && let (Ok(a), Ok(b), Ok(c)) = (a.parse::<u32>(), b.parse::<u32>(), c.parse::<i32>())
        {
            let year = if c < 100 { 2000 + c } else { c };
            let (month, day) = if separator == '.' || a > 12 {
                (b, a)
            } else {
                (a, b)
            };
            return Day::from_ymd(year, month, day);
        }
    }
    // Month names: "October 5, 2026", "Oct 5 2026", "5 October 2026".
    let words: Vec<String> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let month = words.iter().find_map(|w| month_number(w))?;
    let numbers: Vec<i64> = words
        .iter()
        .filter_map(|w| {
            w.trim_end_matches(['s', 't', 'n', 'd', 'r', 'h'])
                .parse()
                .ok()
        })
        .collect();
    let (day, year) = match numbers[..] {
        [a, b, ..] if a > 31 => (b, a),
        [a, b, ..] => (a, b),
        _ => return None,
    };
    Day::from_ymd(year as i32, month, day as u32)
}

fn month_number(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let word = word.trim_end_matches('.');
    if word.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| word.starts_with(m))
        .map(|i| i as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_many_spellings() {
        for (text, value, currency) in [
            ("12.34", 12.34, None),
            ("$1,234.56", 1234.56, Some("USD")),
            ("1.234,56 €", 1234.56, Some("EUR")),
            ("€3,50", 3.5, Some("EUR")),
            ("-€3,50", -3.5, Some("EUR")),
            ("(12.00)", -12.0, None),
            ("USD 7", 7.0, Some("USD")),
            ("1,234", 1234.0, None),
            ("1.234.567", 1_234_567.0, None),
            ("£0.99", 0.99, Some("GBP")),
            ("-20.00", -20.0, None),
        ] {
            let (parsed, found) = parse_amount(text).unwrap();
            assert!((parsed - value).abs() < 1e-9, "{text}: {parsed}");
            assert_eq!(found, currency, "{text}");
        }
        assert_eq!(parse_amount(""), None);
        assert_eq!(parse_amount("n/a"), None);
    }

    #[test]
    fn dates_in_many_spellings() {
        for text in [
            "2026-10-05",
            "2026-10-05 14:22:01",
            "2026-10-05T14:22:01Z",
            "10/05/2026",
            "10/5/26",
            "05.10.2026",
            "October 5, 2026",
            "Oct 5 2026",
            "5 October 2026",
            "20261005",
        ] {
            assert_eq!(
                parse_date(text).map(|d| d.to_string()).as_deref(),
                Some("2026-10-05"),
                "{text}"
            );
        }
        assert_eq!(parse_date("25/10/2026").unwrap().to_string(), "2026-10-25");
        assert_eq!(parse_date("nope"), None);
    }
}

//! Amounts and dates as earnings reports write them.

use crate::day::Day;

/// The largest amount believed: a row of an earnings report is never a
/// trillion; anything larger is a misread column, not money.
const MAX_AMOUNT: f64 = 1e12;
/// Digits an amount may have: more cannot be held exactly.
const MAX_DIGITS: usize = 15;

/// An amount and the currency its text names, if any: `$1,234.56`,
/// `1.234,56 €`, `1 234,56`, `1'234.50`, `(12.00)` and `5.00-`
/// (negative), `-€3,50`, `USD 12`, `1.5E+03`. `None` for anything else:
/// a date, a word (`inf`, `NaN`), two signs or currencies, digits grouped
/// wrongly, more than 15 digits, or a value past a trillion.
///
/// Separators: with both `.` and `,`, the last one is the decimal point
/// and the other groups digits. With one of them once, it is the decimal
/// point unless exactly three digits follow it and one to three digits
/// (not starting with 0) precede it: `1,234` is 1234, `0,125` and `12,5`
/// are decimals. Repeated, it groups digits (`1.234.567`). Spaces and `'`
/// group digits too.
pub fn parse_amount(text: &str) -> Option<(f64, Option<&'static str>)> {
    let mut rest = text.trim();
    if rest.is_empty() || rest == "-" {
        return None;
    }
    let mut negative = false;
    if let Some(inner) = rest.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        negative = true;
        rest = inner.trim();
    }
    let mut sign: Option<bool> = None;
    let mut currency: Option<&'static str> = None;
    // Signs and currencies around the number, in any order, once each.
    loop {
        let before = rest;
        if sign.is_none() {
            for (mark, is_negative) in [("-", true), ("\u{2212}", true), ("+", false)] {
                if let Some(after) = rest.strip_prefix(mark) {
                    sign = Some(is_negative);
                    rest = after.trim_start();
                } else if let Some(after) = rest.strip_suffix(mark) {
                    sign = Some(is_negative);
                    rest = after.trim_end();
                }
            }
        }
        if currency.is_none()
            && let Some((code, after)) = strip_currency(rest)
        {
            currency = Some(code);
            rest = after;
        }
        if rest == before {
            break;
        }
    }
    let value = number(rest)?;
    negative ^= sign == Some(true);
    Some((if negative { -value } else { value }, currency))
}

/// `text` without a currency at its start or end, and the currency.
fn strip_currency(text: &str) -> Option<(&'static str, &str)> {
    const SYMBOLS: &[(&str, &str)] = &[
        ("US$", "USD"),
        ("R$", "BRL"),
        ("€", "EUR"),
        ("£", "GBP"),
        ("¥", "JPY"),
        ("₹", "INR"),
        ("$", "USD"),
    ];
    for (symbol, code) in SYMBOLS {
        if let Some(after) = text.strip_prefix(symbol) {
            return Some((code, after.trim()));
        }
        if let Some(before) = text.strip_suffix(symbol) {
            return Some((code, before.trim()));
        }
    }
    let code_at = |code: &str| iso_code(code);
    if let Some(head) = text.get(..3)
        && let Some(code) = code_at(head)
        && !text[3..].starts_with(|c: char| c.is_ascii_alphabetic())
    {
        return Some((code, text[3..].trim()));
    }
    let tail_start = text.len().checked_sub(3)?;
    if let Some(tail) = text.get(tail_start..)
        && let Some(code) = code_at(tail)
        && !text[..tail_start].ends_with(|c: char| c.is_ascii_alphabetic())
    {
        return Some((code, text[..tail_start].trim()));
    }
    None
}

/// The value of `text`, digits with separators or in scientific notation
/// (see [`parse_amount`]), within [`MAX_DIGITS`] and [`MAX_AMOUNT`].
fn number(text: &str) -> Option<f64> {
    let digits = text.bytes().filter(u8::is_ascii_digit).count();
    if digits == 0 || digits > MAX_DIGITS {
        return None;
    }
    let value = match text.find(['e', 'E']) {
        Some(at) => scientific(&text[..at], &text[at + 1..])?,
        None => plain(text)?,
    };
    (value.is_finite() && value.abs() < MAX_AMOUNT).then_some(value)
}

/// `1.5` and `+03` of `1.5E+03`.
fn scientific(mantissa: &str, exponent: &str) -> Option<f64> {
    let mantissa_ok = !mantissa.is_empty()
        && mantissa.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && mantissa.matches('.').count() <= 1;
    let exponent_digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
    let exponent_ok = !exponent_digits.is_empty()
        && exponent_digits.len() <= 3
        && exponent_digits.bytes().all(|b| b.is_ascii_digit());
    if !(mantissa_ok && exponent_ok) {
        return None;
    }
    format!("{mantissa}e{exponent}").parse().ok()
}

/// Digits with `.`, `,`, spaces or `'` between them.
fn plain(text: &str) -> Option<f64> {
    let grouped: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '\'' | '\u{a0}' | '\u{202f}' | '\u{2009}'))
        .collect();
    if !grouped
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return None;
    }
    let decimal = match (grouped.rfind('.'), grouped.rfind(',')) {
        (Some(dot), Some(comma)) => Some(dot.max(comma)),
        (Some(at), None) | (None, Some(at)) => {
            let separator = grouped.as_bytes()[at];
            let repeated = grouped.bytes().filter(|&b| b == separator).count() > 1;
            let before = &grouped[..at];
            let digits_after = grouped.len() - at - 1;
            let thousands =
                digits_after == 3 && (1..=3).contains(&before.len()) && !before.starts_with('0');
            (!repeated && !thousands).then_some(at)
        }
        (None, None) => None,
    };
    let (integer, fraction) = match decimal {
        Some(at) => (&grouped[..at], &grouped[at + 1..]),
        None => (grouped.as_str(), ""),
    };
    if !fraction.bytes().all(|b| b.is_ascii_digit()) || !grouped_well(integer) {
        return None;
    }
    let integer: String = integer.chars().filter(char::is_ascii_digit).collect();
    let integer = if integer.is_empty() { "0" } else { &integer };
    format!("{integer}.{fraction}0").parse().ok()
}

/// Whether the integer part's separators (one kind) group its digits as
/// people write them: the first group 1 to 3 digits, the others 3 (or 2,
/// then 3 last, as Indian reports group them).
fn grouped_well(integer: &str) -> bool {
    let Some(separator) = integer.chars().find(|c| !c.is_ascii_digit()) else {
        return true;
    };
    let groups: Vec<&str> = integer.split(separator).collect();
    let (first, rest) = groups.split_first().expect("split yields one part");
    let last = rest.last().map_or(3, |g| g.len());
    (1..=3).contains(&first.len())
        && rest
            .iter()
            .all(|g| (g.len() == 3 || g.len() == 2) && g.bytes().all(|b| b.is_ascii_digit()))
        && last == 3
}

/// The currency a text names by symbol or ISO code (a column's name, such
/// as `Estimated earnings (USD)` or `Ad Fees($)`).
pub fn currency_in(text: &str) -> Option<&'static str> {
    let words = text
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() == 3);
    if let Some(code) = words
        .filter(|w| w.bytes().all(|b| b.is_ascii_uppercase()))
        .find_map(iso_code)
    {
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

/// `code` (any case) if it is an ISO 4217 currency code.
pub fn iso_code(code: &str) -> Option<&'static str> {
    let upper = code.to_ascii_uppercase();
    ISO_4217.iter().copied().find(|c| *c == upper)
}

/// The ISO 4217 currency codes (and precious metals and the SDR), as the
/// standard's list has them in 2026; not `XXX` (no currency) or `XTS`
/// (for testing).
const ISO_4217: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD",
    "CAD", "CDF", "CHE", "CHF", "CHW", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CUC", "CUP",
    "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP",
    "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS",
    "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW",
    "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD",
    "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN",
    "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR",
    "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SLL",
    "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY",
    "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS", "VED", "VES",
    "VND", "VUV", "WST", "XAF", "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XCD", "XCG", "XDR",
    "XOF", "XPD", "XPF", "XPT", "XSU", "XUA", "YER", "ZAR", "ZMW", "ZWG", "ZWL",
];

/// A date as reports write it: `2026-10-05` (with a time after it or
/// not), `10/05/2026` (month first, as US reports write it, unless the
/// first number is over 12), `05.10.2026`, `October 5, 2026`, `Oct 5 2026`,
/// `5 October 2026`, `20261005`.
pub fn parse_date(text: &str) -> Option<Day> {
    // `1. 3. 2026`, as Czech and German exports write it.
    let compact;
    let text = if text.contains(". ")
        && text
            .trim()
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ' ')
    {
        compact = text.replace(' ', "");
        compact.as_str()
    } else {
        text.trim()
    };
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
            ("0,125", 0.125, None),
            ("12,5", 12.5, None),
            ("1.5E+03", 1500.0, None),
            ("2e-2", 0.02, None),
            ("1 234,56", 1234.56, None),
            ("1'234.50", 1234.5, None),
            ("5.00-", -5.0, None),
            ("$ -5.00", -5.0, Some("USD")),
            ("12 usd", 12.0, Some("USD")),
            ("CHF 12.50", 12.5, Some("CHF")),
            ("1,23,45,678.90", 12_345_678.9, None),
            (".50", 0.5, None),
            ("1234,567", 1234.567, None),
        ] {
            let (parsed, found) = parse_amount(text).unwrap();
            assert!((parsed - value).abs() < 1e-9, "{text}: {parsed}");
            assert_eq!(found, currency, "{text}");
        }
        assert_eq!(parse_amount(""), None);
        assert_eq!(parse_amount("n/a"), None);
    }

    #[test]
    fn what_is_not_an_amount_is_refused_not_misread() {
        let four_hundred_digits = "9".repeat(400);
        for text in [
            "2026-11-24",
            "11/24/2026",
            "24.11.2026",
            "inf",
            "-inf",
            "NaN",
            "Infinity",
            four_hundred_digits.as_str(),
            "1e400",
            "1.2.3,4,5",
            "--5",
            "5 EUR USD",
            "ABC 5",
            "5 apples",
            "1234567890123456",
            "2000000000000",
            "0x10",
        ] {
            assert_eq!(parse_amount(text), None, "{text}");
        }
    }

    #[test]
    fn currency_codes_are_iso_4217() {
        assert_eq!(iso_code("usd"), Some("USD"));
        assert_eq!(iso_code("CHF"), Some("CHF"));
        assert_eq!(iso_code("ABC"), None);
        assert_eq!(iso_code("XXX"), None);
        assert_eq!(currency_in("Estimated earnings (USD)"), Some("USD"));
        assert_eq!(currency_in("Ad Fees($)"), Some("USD"));
        assert_eq!(currency_in("Revenue"), None);
        assert_eq!(currency_in("AUSDX"), None);
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
        assert_eq!(parse_date("1. 3. 2026").unwrap().to_string(), "2026-03-01");
    }
}

//! Numbers as search exports write them: `1234`, `1,234` or `1.234` for a
//! count; `7.35`, `7,35` (comma-decimal locales) for a position; `4.2%`,
//! `4,20 %` for a click-through rate.

/// A count: digits, with any thousands separators (`,` `.` space,
/// no-break space, `'`) dropped; a decimal count (`109.0`, as the API
/// writes) is rounded.
pub fn count(text: &str) -> Option<u64> {
    let text = text.trim();
    if text.is_empty() {
        return Some(0);
    }
    if let Ok(value) = text.parse::<f64>()
        && value.is_finite()
        && value >= 0.0
        && !text.contains(',')
        && text.matches('.').count() == 1
        && text
            .split('.')
            .nth(1)
            .is_some_and(|decimals| decimals.len() != 3)
    {
        return Some(value.round() as u64);
    }
    let digits: String = text
        .chars()
        .filter(|c| !matches!(c, ',' | '.' | ' ' | '\u{a0}' | '\u{202f}' | '\''))
        .collect();
    digits.parse().ok()
}

/// A decimal number (a position), with `.` or `,` as its decimal mark;
/// empty is zero (Search Console leaves it empty without impressions).
pub fn decimal(text: &str) -> Option<f64> {
    let text: String = text
        .trim()
        .trim_end_matches('%')
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    if text.is_empty() {
        return Some(0.0);
    }
    let normalized = match (text.rfind(','), text.rfind('.')) {
        (Some(comma), Some(dot)) if comma > dot => text.replace('.', "").replace(',', "."),
        (Some(_), Some(_)) => text.replace(',', ""),
        (Some(_), None) => text.replace(',', "."),
        _ => text,
    };
    normalized
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_decimals_in_any_locale() {
        assert_eq!(count("1234"), Some(1234));
        assert_eq!(count("1,234"), Some(1234));
        assert_eq!(count("1.234"), Some(1234));
        assert_eq!(count("1 234"), Some(1234));
        assert_eq!(count("109.0"), Some(109));
        assert_eq!(count(""), Some(0));
        assert_eq!(count("abc"), None);
        assert_eq!(decimal("7.35"), Some(7.35));
        assert_eq!(decimal("7,35"), Some(7.35));
        assert_eq!(decimal("10,00 %"), Some(10.0));
        assert_eq!(decimal("1,234.5"), Some(1234.5));
        assert_eq!(decimal("1.234,5"), Some(1234.5));
        assert_eq!(decimal(""), Some(0.0));
        assert_eq!(decimal("-1"), None);
    }
}

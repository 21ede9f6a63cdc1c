//! Numbers as the page shows them: counts with thousands separators,
//! money in cents, ratios as percentages, and "–" for what no data
//! covers, each with the value a sortable table sorts by.

/// `1234567.0` -> `1,234,567`; fractions below 1,000 keep two decimals.
pub fn number(value: f64) -> String {
    if value.fract().abs() > 1e-9 && value.abs() < 1000.0 {
        return format!("{value:.2}");
    }
    grouped(value.round() as i64)
}

/// An amount in cents with thousands separators: `12345.678` ->
/// `12,345.68`.
pub fn money(value: f64) -> String {
    let cents = (value * 100.0).round() as i64;
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}{}.{:02}", grouped((cents / 100) as i64), cents % 100)
}

/// `money`, or "–" when unknown.
pub fn money_or_dash(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_string(), money)
}

/// A ratio as a percentage with `decimals`, or "–" when unknown.
pub fn percent(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(
        || "–".to_string(),
        |v| format!("{:.*}%", decimals, v * 100.0),
    )
}

/// What a sortable cell sorts by: the value, or -1e300 when unknown (so
/// unknowns sort below every figure).
pub fn sort_key(value: Option<f64>) -> String {
    value.map_or_else(|| "-1e300".to_string(), |v| format!("{v}"))
}

fn grouped(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::new();
    if value < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(number(1_234_567.0), "1,234,567");
        assert_eq!(number(-1200.0), "-1,200");
        assert_eq!(number(2.5), "2.50");
        assert_eq!(number(0.0), "0");
        assert_eq!(money(2.7300000000000004), "2.73");
        assert_eq!(money(12345.678), "12,345.68");
        assert_eq!(money(-0.5), "-0.50");
        assert_eq!(money_or_dash(None), "–");
        assert_eq!(percent(Some(0.0123), 1), "1.2%");
        assert_eq!(percent(None, 0), "–");
    }
}

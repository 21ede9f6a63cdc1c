//! When an X.509 certificate expires: its `notAfter`, read from the DER
//! bytes a TLS handshake hands over (RFC 5280 §4.1), without a
//! certificate-parsing library for one field.

/// The `notAfter` of a DER certificate, in Unix seconds.
pub fn not_after(der: &[u8]) -> Option<i64> {
    // Certificate ::= SEQUENCE { tbsCertificate, ... }
    let (certificate, _) = element(der, 0x30)?;
    // TBSCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber,
    //     signature, issuer, validity, ... }
    let (mut tbs, _) = element(certificate, 0x30)?;
    if tbs.first() == Some(&0xa0) {
        tbs = element(tbs, 0xa0)?.1;
    }
    let (_, rest) = element(tbs, 0x02)?;
    let (_, rest) = element(rest, 0x30)?;
    let (_, rest) = element(rest, 0x30)?;
    // Validity ::= SEQUENCE { notBefore Time, notAfter Time }
    let (validity, _) = element(rest, 0x30)?;
    let (_, rest) = time(validity)?;
    time(rest).map(|(seconds, _)| seconds)
}

/// A UTCTime (`YYMMDDHHMMSSZ`, years 1950–2049) or GeneralizedTime
/// (`YYYYMMDDHHMMSSZ`), and what follows it.
fn time(bytes: &[u8]) -> Option<(i64, &[u8])> {
    let tag = *bytes.first()?;
    let (value, rest) = element(bytes, tag)?;
    let text = std::str::from_utf8(value).ok()?.strip_suffix('Z')?;
    let (year, rest_text) = match tag {
        0x17 => {
            let yy: i32 = text.get(..2)?.parse().ok()?;
            (if yy < 50 { 2000 + yy } else { 1900 + yy }, text.get(2..)?)
        }
        0x18 => (text.get(..4)?.parse().ok()?, text.get(4..)?),
        _ => return None,
    };
    let field = |at: usize| -> Option<u32> { rest_text.get(at..at + 2)?.parse().ok() };
    let day = crate::day::Day::from_ymd(year, field(0)?, field(2)?)?;
    let seconds = i64::from(field(4)?) * 3600 + i64::from(field(6)?) * 60 + i64::from(field(8)?);
    Some((i64::from(day.0) * 86_400 + seconds, rest))
}

/// The content of the DER element at the start of `bytes` with `tag`,
/// and the bytes after it.
fn element(bytes: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    if *bytes.first()? != tag {
        return None;
    }
    let first = *bytes.get(1)?;
    let (length, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 {
            return None;
        }
        let mut length = 0usize;
        for byte in bytes.get(2..2 + count)? {
            length = (length << 8) | usize::from(*byte);
        }
        (length, 2 + count)
    };
    let end = header.checked_add(length)?;
    Some((bytes.get(header..end)?, bytes.get(end..)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Made with `openssl req -x509 -days 30` and `-days 20000`; the
    // expected values are `date -d "<openssl x509 -enddate>" +%s`.
    #[test]
    fn reads_utc_and_generalized_times() {
        let short = include_bytes!("../../tests/data/certificates/utc-time.der");
        assert_eq!(not_after(short), Some(1_799_001_473));
        let long = include_bytes!("../../tests/data/certificates/generalized-time.der");
        assert_eq!(not_after(long), Some(3_524_409_473));
    }

    #[test]
    fn garbage_is_none() {
        assert_eq!(not_after(b""), None);
        assert_eq!(not_after(&[0x30, 0x82, 0xff]), None);
        let short = include_bytes!("../../tests/data/certificates/utc-time.der");
        assert_eq!(not_after(&short[..100]), None);
    }
}

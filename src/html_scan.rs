//! A small HTML tag scanner: enough to find tags and their attributes in
//! HTML Grove wrote or received, without a full HTML parser in the binary.

/// One HTML tag.
pub struct Tag<'a> {
    /// Element name as written.
    pub name: &'a str,
    /// `</name>`.
    pub closing: bool,
    /// Attributes in order, with values when given.
    pub attributes: Vec<(&'a str, Option<&'a str>)>,
    /// Ends with `/>`.
    pub self_closing: bool,
    /// Length of the tag's text.
    pub len: usize,
}

impl<'a> Tag<'a> {
    /// The value of attribute `name` (case-insensitive).
    pub fn attribute(&self, name: &str) -> Option<&'a str> {
        self.attributes
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| *v)
    }
}

/// Parses `<name attr="v" ...>` at the start of `text`.
pub fn parse_tag(text: &str) -> Option<Tag<'_>> {
    let bytes = text.as_bytes();
    let mut i = 1;
    let closing = bytes.get(i) == Some(&b'/');
    if closing {
        i += 1;
    }
    let name_start = i;
    while i < bytes.len()
        && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'-' || bytes[i] == b':')
    {
        i += 1;
    }
    if i == name_start || !bytes[name_start].is_ascii_alphabetic() {
        return None;
    }
    let name = &text[name_start..i];
    let mut attributes = Vec::new();
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        match bytes.get(i)? {
            b'>' => {
                let self_closing = text[..i].trim_end().ends_with('/');
                return Some(Tag {
                    name,
                    closing,
                    attributes,
                    self_closing,
                    len: i + 1,
                });
            }
            _ => {
                let attr_start = i;
                while i < bytes.len()
                    && !bytes[i].is_ascii_whitespace()
                    && !matches!(bytes[i], b'=' | b'>' | b'/')
                {
                    i += 1;
                }
                let attr = &text[attr_start..i];
                while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                if bytes.get(i) == Some(&b'=') {
                    i += 1;
                    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                        i += 1;
                    }
                    let value = match bytes.get(i)? {
                        q @ (b'"' | b'\'') => {
                            let end = text[i + 1..].find(*q as char)? + i + 1;
                            let value = &text[i + 1..end];
                            i = end + 1;
                            value
                        }
                        _ => {
                            let start = i;
                            while i < bytes.len()
                                && !bytes[i].is_ascii_whitespace()
                                && bytes[i] != b'>'
                            {
                                i += 1;
                            }
                            &text[start..i]
                        }
                    };
                    attributes.push((attr, Some(value)));
                } else if !attr.is_empty() {
                    attributes.push((attr, None));
                }
            }
        }
    }
}

/// Every tag in `html`, skipping comments and text. Character references in
/// attribute values are left as written.
pub fn tags(html: &str) -> impl Iterator<Item = Tag<'_>> {
    let mut rest = html;
    std::iter::from_fn(move || {
        loop {
            let lt = rest.find('<')?;
            rest = &rest[lt..];
            if let Some(after) = rest.strip_prefix("<!--") {
                rest = after.find("-->").map_or("", |i| &after[i + 3..]);
                continue;
            }
            match parse_tag(rest) {
                Some(tag) => {
                    rest = &rest[tag.len..];
                    return Some(tag);
                }
                None => rest = &rest[1..],
            }
        }
    })
}

/// Percent-decodes a URL path; `None` if the result is not UTF-8.
pub fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut start = 0;
    // Runs without `%` are copied whole.
    for at in memchr::memchr_iter(b'%', bytes) {
        if at < start {
            continue; // inside an escape already decoded
        }
        let byte = bytes
            .get(at + 1..at + 3)
            .and_then(|hex| Some((hex_value(hex[0])? << 4) | hex_value(hex[1])?));
        if let Some(byte) = byte {
            out.extend_from_slice(&bytes[start..at]);
            out.push(byte);
            start = at + 3;
        }
    }
    out.extend_from_slice(&bytes[start..]);
    String::from_utf8(out).ok()
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// Decodes character references: numeric ones (`&#47;`, `&#x2F;`) and
/// the common named ones; anything else is left as written.
pub fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let decoded = after
            .find(';')
            .filter(|&end| end <= 32)
            .and_then(|end| decode_entity(&after[..end]).map(|c| (c, end)));
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character an entity's name (`amp`, `#47`, `#x2F`) stands for.
fn decode_entity(name: &str) -> Option<char> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        return char::from_u32(code).filter(|&c| c != '\0');
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "ndash" => '\u{2013}',
        "mdash" => '\u{2014}',
        "lsquo" => '\u{2018}',
        "rsquo" => '\u{2019}',
        "ldquo" => '\u{201c}',
        "rdquo" => '\u{201d}',
        "hellip" => '\u{2026}',
        "laquo" => '\u{ab}',
        "raquo" => '\u{bb}',
        "copy" => '\u{a9}',
        "reg" => '\u{ae}',
        "trade" => '\u{2122}',
        "times" => '\u{d7}',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_escapes_are_decoded_and_the_rest_kept() {
        for (text, decoded) in [
            ("/a%20b/", Some("/a b/")),
            ("Mozilla/5.0%20(X11)", Some("Mozilla/5.0 (X11)")),
            ("%e2%80%9cq%E2%80%9D", Some("\u{201c}q\u{201d}")),
            ("%", Some("%")),
            ("%4", Some("%4")),
            ("%zz%41", Some("%zzA")),
            ("%%20", Some("% ")),
            ("%2520", Some("%20")),
            ("plain", Some("plain")),
            ("%ff", None),
        ] {
            assert_eq!(percent_decode(text).as_deref(), decoded, "{text}");
        }
    }

    #[test]
    fn character_references_are_decoded() {
        assert_eq!(
            unescape("https:&#x2F;&#x2F;github.com&#47;a?b=1&amp;c"),
            "https://github.com/a?b=1&c"
        );
        assert_eq!(
            unescape("a &amp;&lt;&gt;&quot;&#39;&rsquo; b"),
            "a &<>\"'\u{2019} b"
        );
        assert_eq!(
            unescape("AT&T &unknown; &#0; & x"),
            "AT&T &unknown; &#0; & x"
        );
    }

    #[test]
    fn finds_tags_and_attributes() {
        let html = "<p>x <a href=\"/a/?b=1&amp;c=2\" class=x>y</a><!-- <a href=\"/no/\"> --><img src='i.png' alt></p>";
        let found: Vec<(String, Option<String>)> = tags(html)
            .filter(|t| !t.closing)
            .map(|t| {
                (
                    t.name.to_string(),
                    t.attribute("href").or(t.attribute("src")).map(unescape),
                )
            })
            .collect();
        assert_eq!(
            found,
            vec![
                ("p".into(), None),
                ("a".into(), Some("/a/?b=1&c=2".into())),
                ("img".into(), Some("i.png".into()))
            ]
        );
    }
}

//! HTML escaping for Grove's own markup and for theme templates.

/// Escapes `&`, `<`, `>`, `"` and `'` so `text` is safe inside a quoted
/// HTML attribute or element body. Unlike Tera's default escaper it leaves
/// `/` alone, so URLs stay readable in the output.
pub fn escape_html(text: &str) -> String {
    let bytes = text.as_bytes();
    let Some(first) = bytes.iter().position(|&b| SPECIAL[usize::from(b)]) else {
        // Most text has none of them.
        return text.to_string();
    };
    let mut out = String::with_capacity(text.len() + text.len() / 16 + 8);
    out.push_str(&text[..first]);
    let mut rest = &text[first..];
    // Copy runs without special characters whole. They are ASCII, so every
    // cut falls on a character boundary.
    while let Some(at) = rest.bytes().position(|b| SPECIAL[usize::from(b)]) {
        out.push_str(&rest[..at]);
        out.push_str(match rest.as_bytes()[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        });
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
    out
}

/// The bytes [`escape_html`] replaces, as a table: a lookup per byte is
/// several times cheaper than matching each character against a list.
const SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    table[b'&' as usize] = true;
    table[b'<' as usize] = true;
    table[b'>' as usize] = true;
    table[b'"' as usize] = true;
    table[b'\'' as usize] = true;
    table
};

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup() {
        assert_eq!(super::escape_html("a\"<b>&'"), "a&quot;&lt;b&gt;&amp;&#39;");
        assert_eq!(super::escape_html("plain é text"), "plain é text");
        assert_eq!(super::escape_html("ends with &"), "ends with &amp;");
        assert_eq!(super::escape_html("é<ü>"), "é&lt;ü&gt;");
        assert_eq!(super::escape_html(""), "");
    }
}

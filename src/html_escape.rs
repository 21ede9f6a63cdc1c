//! HTML escaping for Grove's own markup and for theme templates.

/// Escapes `&`, `<`, `>`, `"` and `'` so `text` is safe inside a quoted
/// HTML attribute or element body. Unlike Tera's default escaper it leaves
/// `/` alone, so URLs stay readable in the output.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut rest = text;
    // Copy runs without special characters whole: most text has none.
    while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
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

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup() {
        assert_eq!(super::escape_html("a\"<b>&'"), "a&quot;&lt;b&gt;&amp;&#39;");
        assert_eq!(super::escape_html("plain é text"), "plain é text");
        assert_eq!(super::escape_html("ends with &"), "ends with &amp;");
    }
}

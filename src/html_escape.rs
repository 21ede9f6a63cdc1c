//! HTML escaping for Grove's own markup and for theme templates.

/// Escapes `&`, `<`, `>`, `"` and `'` so `text` is safe inside a quoted
/// HTML attribute or element body. Unlike Tera's default escaper it leaves
/// `/` alone, so URLs stay readable in the output.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup() {
        assert_eq!(super::escape_html("a\"<b>&'"), "a&quot;&lt;b&gt;&amp;&#39;");
    }
}

//! Escaping for text placed into HTML attributes by hand-written markup.

/// Escapes `&`, `<`, `>`, `"` and `'` so `text` is safe inside a quoted
/// HTML attribute or element body.
pub fn escape_attr(text: &str) -> String {
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
        assert_eq!(super::escape_attr("a\"<b>&'"), "a&quot;&lt;b&gt;&amp;&#39;");
    }
}

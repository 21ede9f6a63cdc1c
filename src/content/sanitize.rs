//! Making a model's Markdown safe to publish: the raw HTML in it loses
//! scripts, frames, styles, SVG and MathML, event handlers and URLs of any
//! scheme but `http`, `https`, `mailto` and `tel`; Markdown links with such
//! URLs are neutralized. Everything else is left byte for byte.
//!
//! URLs are judged by an allow-list, after decoding what a browser would
//! decode (character references, ignored whitespace), so spellings such as
//! `java&#x73;cript:` or `java\tscript:` do not get through.

use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag};

use super::MarkdownOptions;
use super::markdown::parser_options;
use crate::html_scan::{self, parse_tag};

/// Elements removed together with their content.
const DROP_WITH_CONTENT: &[&str] = &[
    "script",
    "style",
    "iframe",
    "object",
    "noscript",
    "template",
    "frameset",
    "svg",
    "math",
    "xmp",
    "plaintext",
    "noembed",
    "noframes",
];
/// Elements whose tags are removed but whose content is kept.
const DROP_TAG: &[&str] = &[
    "embed", "form", "input", "button", "textarea", "select", "base", "link", "meta", "frame",
    "applet", "param",
];
/// Attributes that hold URLs.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "poster",
    "background",
    "cite",
    "data",
    "srcset",
    "ping",
    "lowsrc",
    "dynsrc",
];
/// URL schemes a published link may use; `aff` is Grove's own affiliate
/// link (`[text](aff:slug)`), resolved at build time.
const SAFE_SCHEMES: &[&str] = &["http", "https", "mailto", "tel"];

/// Sanitizes the raw HTML in Markdown `text` and neutralizes Markdown links
/// and images whose URL is not safe.
///
/// An edit can change how the text around it parses (a dropped tag can
/// turn `<x:y>` after it into a link), so passes repeat until one changes
/// nothing: the text returned is exactly the text last checked. Should
/// that not happen within a few passes, every `<`, `[` and `]` is escaped,
/// which leaves no HTML and no link at all.
pub fn sanitize_markdown(text: &str) -> String {
    sanitize_markdown_trusting(text, &[])
}

/// [`sanitize_markdown`], keeping as written each run of raw HTML made of
/// `trusted` HTML blocks only (shortcode output, which the theme wrote),
/// separated by whitespace. Text that only copies a trusted block is that
/// block, so it gains nothing by doing so.
pub fn sanitize_markdown_trusting(text: &str, trusted: &[String]) -> String {
    // Checked as it will be rendered: NUL becomes U+FFFD there (which can
    // make `<javascript:\0>` a link).
    let text = text.replace('\0', "\u{FFFD}");
    let mut current = sanitize_pass(&text, trusted);
    for _ in 0..8 {
        let next = sanitize_pass(&current, trusted);
        if next == current {
            return next;
        }
        current = next;
    }
    current
        .replace('<', "&lt;")
        .replace('[', "\\[")
        .replace(']', "\\]")
}

/// One pass of [`sanitize_markdown_trusting`], over one parse of `text`.
fn sanitize_pass(text: &str, trusted: &[String]) -> String {
    let mut html_ranges: Vec<Range<usize>> = Vec::new();
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let options = parser_options(MarkdownOptions::default());
    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        match event {
            Event::Html(_) | Event::InlineHtml(_) => match html_ranges.last_mut() {
                Some(last) if last.end == range.start => last.end = range.end,
                _ => html_ranges.push(range),
            },
            Event::Start(Tag::Link { dest_url, .. }) if !markdown_url_is_safe(&dest_url, true) => {
                edits.push(neutralize_link(text, range, &dest_url));
            }
            Event::Start(Tag::Image { dest_url, .. })
                if !markdown_url_is_safe(&dest_url, false) =>
            {
                edits.push(neutralize_link(text, range, &dest_url));
            }
            _ => {}
        }
    }
    edits.extend(
        html_ranges
            .into_iter()
            .filter(|r| !is_trusted(&text[r.clone()], trusted))
            .map(|r| {
                let clean = sanitize_html(&text[r.clone()]);
                (r, clean)
            }),
    );
    edits.sort_by_key(|(r, _)| r.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (range, replacement) in edits {
        if range.start < at {
            continue; // inside an edit already made
        }
        out.push_str(&text[at..range.start]);
        out.push_str(&replacement);
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Whether `html` is nothing but `trusted` blocks and whitespace.
fn is_trusted(html: &str, trusted: &[String]) -> bool {
    if trusted.is_empty() {
        return false;
    }
    let mut rest = html.trim_start();
    while !rest.is_empty() {
        match trusted
            .iter()
            .filter(|block| !block.is_empty())
            .find(|block| rest.starts_with(block.as_str()))
        {
            Some(block) => rest = rest[block.len()..].trim_start(),
            None => return false,
        }
    }
    true
}

/// The edit that makes the link at `range` harmless: its URL replaced by
/// `#` where it is written as is, else (a reference link, an encoded URL)
/// the whole link escaped into plain text.
fn neutralize_link(text: &str, range: Range<usize>, dest_url: &str) -> (Range<usize>, String) {
    let written = &text[range.clone()];
    if !dest_url.is_empty()
        && let Some(at) = written.rfind(dest_url)
        && written.matches(dest_url).count() == 1
    {
        let start = range.start + at;
        return (start..start + dest_url.len(), "#".to_string());
    }
    let mut escaped = String::with_capacity(written.len() + 8);
    for c in written.chars() {
        if matches!(c, '[' | ']' | '(' | ')' | '<' | '>' | '!' | '\\' | '&') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    (range, escaped)
}

/// Whether a Markdown link or image destination (already decoded by the
/// parser) may be published: relative, or of a safe scheme, or (for a link)
/// an `aff:` affiliate link, which the build resolves.
fn markdown_url_is_safe(url: &str, link: bool) -> bool {
    match scheme(url) {
        None => true,
        Some(scheme) => SAFE_SCHEMES.contains(&scheme.as_str()) || (link && scheme == "aff"),
    }
}

/// Whether an HTML attribute value holding a URL may be published, as a
/// browser would read it: character references decoded, whitespace and
/// control characters inside the scheme ignored. A named reference before
/// the end of the scheme (`&colon;`) is not decoded here, so it is refused.
fn html_url_is_safe(raw: &str) -> bool {
    let decoded = decode_numeric_references(raw);
    let scheme_part = decoded.split(['/', '?', '#']).next().unwrap_or_default();
    if scheme_part.contains('&') {
        return false;
    }
    match scheme(&decoded) {
        None => true,
        Some(scheme) => SAFE_SCHEMES.contains(&scheme.as_str()),
    }
}

/// The lowercased scheme of `url` (`javascript` in ` Java\tScript:x`), if
/// it has one: a `:` before any `/`, `?` or `#`, whitespace and control
/// characters ignored as browsers do.
fn scheme(url: &str) -> Option<String> {
    let compact: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take_while(|c| !matches!(c, '/' | '?' | '#'))
        .collect();
    compact
        .split_once(':')
        .map(|(scheme, _)| scheme.to_ascii_lowercase())
}

/// `&#106;`, `&#x6A;` (the `;` optional, as browsers allow) decoded;
/// anything else left as written.
fn decode_numeric_references(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("&#") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let (hex, digits) = match after.strip_prefix(['x', 'X']) {
            Some(hex_digits) => (true, hex_digits),
            None => (false, after),
        };
        let len = digits
            .bytes()
            .take_while(|b| {
                if hex {
                    b.is_ascii_hexdigit()
                } else {
                    b.is_ascii_digit()
                }
            })
            .count();
        let value = u32::from_str_radix(&digits[..len], if hex { 16 } else { 10 })
            .ok()
            .and_then(char::from_u32);
        match value {
            Some(c) if len > 0 => {
                out.push(c);
                let consumed = at + 2 + usize::from(hex) + len;
                rest = &rest[consumed..];
                rest = rest.strip_prefix(';').unwrap_or(rest);
            }
            _ => {
                out.push_str("&#");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Sanitizes one run of raw HTML.
pub fn sanitize_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            let end = after.find("-->").map_or(rest.len(), |i| i + 4 + 3);
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            continue;
        }
        let Some(tag) = parse_tag(rest) else {
            out.push_str("&lt;");
            rest = &rest[1..];
            continue;
        };
        let name = tag.name.to_ascii_lowercase();
        if DROP_WITH_CONTENT.contains(&name.as_str()) && !tag.closing {
            let close = format!("</{name}");
            rest = match find_ignoring_ascii_case(&rest[tag.len..], &close) {
                Some(i) => {
                    let close_start = tag.len + i;
                    let close_end = rest[close_start..]
                        .find('>')
                        .map_or(rest.len(), |j| close_start + j + 1);
                    &rest[close_end..]
                }
                None => "",
            };
            continue;
        }
        if DROP_WITH_CONTENT.contains(&name.as_str()) || DROP_TAG.contains(&name.as_str()) {
            rest = &rest[tag.len..];
            continue;
        }
        out.push_str(&rebuild_tag(&tag));
        rest = &rest[tag.len..];
    }
    out.push_str(rest);
    out
}

/// The byte offset of ASCII `needle` in `haystack`, ignoring ASCII case.
/// (Searching a lowercased copy would not do: lowercasing can change the
/// length of non-ASCII text, so its offsets need not fit the original.)
fn find_ignoring_ascii_case(haystack: &str, needle: &str) -> Option<usize> {
    let (haystack, needle) = (haystack.as_bytes(), needle.as_bytes());
    haystack
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle))
}

/// The tag written again with only its safe attributes, each quoted.
fn rebuild_tag(tag: &html_scan::Tag<'_>) -> String {
    if tag.closing {
        return format!("</{}>", tag.name);
    }
    let mut out = format!("<{}", tag.name);
    for (name, value) in &tag.attributes {
        let lower = name.to_ascii_lowercase();
        let plain_name = lower
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.'));
        if !plain_name || lower.starts_with("on") || lower == "srcdoc" || lower == "style" {
            continue;
        }
        if URL_ATTRIBUTES.contains(&lower.as_str()) && value.is_some_and(|v| !html_url_is_safe(v)) {
            continue;
        }
        match value {
            Some(value) => out.push_str(&format!(
                " {name}=\"{}\"",
                value.replace('"', "&quot;").replace('<', "&lt;")
            )),
            None => out.push_str(&format!(" {name}")),
        }
    }
    out.push_str(if tag.self_closing { " />" } else { ">" });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_frames_are_removed() {
        let md = "Intro <b onclick=\"x()\">bold</b>.\n\n<script>\nalert(1)\n</script>\n\n<div class=\"box\" onmouseover='y()'>Kept</div>\n\n<iframe src=\"https://evil\"></iframe>\n\n[link](javascript:alert(1)) and <a href=\" JaVaScRiPt:z()\">a</a>\n\n`<script>` in code stays.\n";
        let clean = sanitize_markdown(md);
        assert!(!clean.contains("alert(1)\n"), "{clean}");
        assert!(
            !clean.contains("onclick") && !clean.contains("onmouseover"),
            "{clean}"
        );
        assert!(!clean.contains("iframe"), "{clean}");
        assert!(!clean.to_lowercase().contains("javascript:"), "{clean}");
        assert!(clean.contains("<b>bold</b>"), "{clean}");
        assert!(clean.contains("<div class=\"box\">Kept</div>"), "{clean}");
        assert!(clean.contains("[link](#)"), "{clean}");
        assert!(clean.contains("`<script>` in code stays."), "{clean}");
    }

    #[test]
    fn encoded_and_referenced_script_urls_are_caught() {
        for html in [
            "<a href=\"java&#x73;cript:alert(1)\">x</a>",
            "<a href=\"java&#115cript:alert(1)\">x</a>",
            "<a href=\"javascript&colon;alert(1)\">x</a>",
            "<a href=\"java\tscript:alert(1)\">x</a>",
            "<img src=\"data:image/svg+xml,<svg onload=alert(1)>\">",
            "<a href=vbscript:x>x</a>",
        ] {
            let clean = sanitize_html(html);
            assert!(
                !clean.contains("href") && !clean.contains("src"),
                "{html} -> {clean}"
            );
        }
        assert_eq!(
            sanitize_html("<a href=\"https://a.example/?q=1&amp;r=2\">x</a>"),
            "<a href=\"https://a.example/?q=1&amp;r=2\">x</a>"
        );
        for md in [
            "[x][r]\n\n[r]: javascript:alert(1)\n",
            "[x](java&#115;cript:alert(1))",
            "<javascript:alert(1)>",
            "![i](JAVASCRIPT:alert(1))",
        ] {
            let clean = sanitize_markdown(md);
            let mut html = String::new();
            let options = parser_options(MarkdownOptions::default());
            pulldown_cmark::html::push_html(&mut html, Parser::new_ext(&clean, options));
            assert!(
                !html.to_lowercase().contains("href=\"javascript"),
                "{md} -> {html}"
            );
            assert!(
                !html.to_lowercase().contains("src=\"javascript"),
                "{md} -> {html}"
            );
        }
        assert_eq!(sanitize_markdown("[x](aff:grinder)"), "[x](aff:grinder)");
        assert_eq!(sanitize_markdown("[x](@/a.md)"), "[x](@/a.md)");
    }

    #[test]
    fn trusted_blocks_are_kept_and_nothing_else() {
        let block = "<div class=\"box\"><svg><path d=\"M0\"/></svg></div>".to_string();
        let trusted = [block.clone()];
        let text = format!("Intro.\n\n{block}\n\n{block}\n{block}\n\n<script>x()</script>\n");
        let clean = sanitize_markdown_trusting(&text, &trusted);
        assert_eq!(clean.matches("<svg>").count(), 3, "{clean}");
        assert!(!clean.contains("<script>"), "{clean}");
        // A trusted block next to other HTML in one run is sanitized with it.
        let mixed = format!("<div onclick=\"x()\">\n{block}\n</div>\n");
        let clean = sanitize_markdown_trusting(&mixed, &trusted);
        assert!(
            !clean.contains("onclick") && !clean.contains("<svg>"),
            "{clean}"
        );
    }

    #[test]
    fn non_ascii_text_around_dropped_elements_is_kept_intact() {
        // `Ω` lowercases to the same length, `İ` (2 bytes) to 3 bytes: a
        // search in a lowercased copy would cut the original mid-character.
        for html in [
            "<style>Ω Ω</style>after",
            "<STYLE>İİİİ</Style>after",
            "<script>ﬁ İ</SCRIPT >after",
            "<style>unclosed İ",
        ] {
            let clean = sanitize_html(html);
            assert!(
                clean == "after" || clean.is_empty(),
                "{html:?} -> {clean:?}"
            );
        }
        assert_eq!(
            sanitize_markdown("Grüße İstanbul <b>ß</b>\n\n<style>Ω</style>\n\nΩ end\n"),
            "Grüße İstanbul <b>ß</b>\n\n\n\nΩ end\n"
        );
    }
}

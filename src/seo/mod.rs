//! What search engines, social networks and feed readers get from every
//! site: descriptions, sitemaps, feeds and structured data.

pub mod feeds;
mod head;
pub mod indexnow;
pub mod jsonld;
pub mod sitemap;

pub use head::{Alternates, SiteHead};

/// Longest meta description, in characters.
pub const DESCRIPTION_LENGTH: usize = 160;

/// Text of an HTML fragment: tags dropped, entities decoded, whitespace
/// collapsed.
pub fn plain_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut tag: Option<String> = None;
    for c in html.chars() {
        match (c, tag.as_mut()) {
            ('<', None) => tag = Some(String::new()),
            ('>', Some(name)) => {
                // Inline elements join their text (`<em>hot</em>.` is
                // "hot."); any other tag separates words.
                let name = name.trim_start_matches('/').to_ascii_lowercase();
                let name = name
                    .split(|c: char| c.is_whitespace() || c == '/')
                    .next()
                    .unwrap_or_default();
                if !INLINE.contains(&name) {
                    text.push(' ');
                }
                tag = None;
            }
            (c, Some(name)) => name.push(c),
            (c, None) => text.push(c),
        }
    }
    crate::html_scan::unescape(&text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Elements whose tags do not separate words.
const INLINE: &[&str] = &[
    "a", "abbr", "b", "cite", "code", "del", "em", "i", "ins", "kbd", "mark", "q", "s", "samp",
    "small", "span", "strong", "sub", "sup", "time", "u", "var",
];

/// Cuts `text` to at most `max` characters at a word boundary, adding an
/// ellipsis when something was cut.
pub fn trim_at_word(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max - 1).collect();
    let cut = match cut.rfind(char::is_whitespace) {
        Some(space) if space > max / 2 => &cut[..space],
        _ => &cut,
    };
    format!(
        "{}…",
        cut.trim_end_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace())
    )
}

/// The meta description: the front matter's, else the summary's text, else
/// the content's, trimmed at a word boundary.
pub fn description(given: Option<&str>, summary_html: Option<&str>, content_html: &str) -> String {
    if let Some(given) = given.filter(|d| !d.trim().is_empty()) {
        return trim_at_word(given.trim(), DESCRIPTION_LENGTH);
    }
    let source = summary_html.unwrap_or(content_html);
    trim_at_word(&plain_text(source), DESCRIPTION_LENGTH)
}

/// Makes root-relative links in `html` absolute (`href="/a/"` ->
/// `href="https://example.com/a/"`): feed readers have no page URL to
/// resolve them against. `origin` is the scheme and host.
pub fn absolutize(html: &str, origin: &str) -> String {
    let mut out = html.to_string();
    for attribute in ["href=\"/", "src=\"/"] {
        let mut result = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(at) = rest.find(attribute) {
            let end = at + attribute.len();
            result.push_str(&rest[..end - 1]);
            if rest[end..].starts_with('/') {
                result.push('/'); // protocol-relative: leave alone
            } else {
                result.push_str(origin);
                result.push('/');
            }
            rest = &rest[end..];
        }
        result.push_str(rest);
        out = result;
    }
    out
}

/// The scheme and host of `base_url` (`https://x.com/blog` -> `https://x.com`).
pub fn origin(base_url: &str, base_path: &str) -> String {
    base_url[..base_url.len() - base_path.len()].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_fall_back_and_trim_at_words() {
        assert_eq!(description(Some("Given."), None, "x"), "Given.");
        assert_eq!(
            description(None, Some("<p>Sum &amp; more</p>"), "x"),
            "Sum & more"
        );
        let long = "word ".repeat(60);
        let d = description(None, None, &long);
        assert!(
            d.chars().count() <= DESCRIPTION_LENGTH && d.ends_with("word…"),
            "{d}"
        );
    }

    #[test]
    fn inline_tags_join_words_and_block_tags_separate_them() {
        assert_eq!(
            plain_text(
                "<p>Fish &amp; <em>hot</em>, <a href=\"x\">chips</a>.</p><p>Next<br>line</p>"
            ),
            "Fish & hot, chips. Next line"
        );
    }

    #[test]
    fn links_become_absolute() {
        assert_eq!(
            absolutize(
                "<a href=\"/a/\">x</a><img src=\"/i.png\"><a href=\"//cdn/x\">",
                "https://e.com"
            ),
            "<a href=\"https://e.com/a/\">x</a><img src=\"https://e.com/i.png\"><a href=\"//cdn/x\">"
        );
    }
}

//! How a site turns names into URL segments and heading ids. Grove's own
//! rules (the `slug` crate's, which are also Zola's: ASCII, lower case,
//! one `-` between words) by default; Hugo's for sites moved in from Hugo,
//! so that their term URLs and `#heading` links keep answering.

use serde::Deserialize;

/// A site's rules for term URLs and heading ids (`url_rules` in site.toml).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UrlRules {
    /// Grove's (and Zola's) rules: `Home & Garden` -> `home-garden`,
    /// `故事` -> `gu-shi`.
    #[default]
    Grove,
    /// Hugo's: `urlize` for term URLs (`Black+Decker` -> `black+decker`,
    /// Unicode letters kept) and Goldmark's GitHub-style heading ids
    /// (`People & Body` -> `people--body`).
    Hugo,
}

impl UrlRules {
    /// The URL segment of a taxonomy term.
    pub fn term(self, name: &str) -> String {
        match self {
            UrlRules::Grove => slug::slugify(name),
            UrlRules::Hugo => hugo_urlize(name),
        }
    }

    /// The id of a heading with this text (before making it unique).
    pub fn heading(self, text: &str) -> String {
        match self {
            UrlRules::Grove => slug::slugify(text),
            UrlRules::Hugo => hugo_anchorize(text),
        }
    }
}

/// Hugo's `urlize` without its URL escaping (the segment as written on
/// disk): characters Hugo allows in paths kept, a run of spaces (and the
/// characters dropped between them) one `-`, lower case.
pub fn hugo_urlize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut was_hyphen = false;
    let chars: Vec<char> = text.trim().chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let is_hex = |k: usize| chars.get(k).is_some_and(char::is_ascii_hexdigit);
        let allowed = matches!(c, '.' | '/' | '\\' | '_' | '#' | '+' | '~' | '-' | '@')
            || c.is_alphanumeric()
            || is_mark(c)
            || (c == '%' && is_hex(i + 1) && is_hex(i + 2));
        if allowed {
            was_hyphen = c == '-';
            out.push(c);
        } else if !was_hyphen && c.is_whitespace() {
            was_hyphen = true;
            out.push('-');
        }
    }
    out.to_lowercase()
}

/// Goldmark's GitHub-style heading id, as Hugo makes it: letters, digits
/// and `_` kept in lower case, each space or `-` a `-`, the rest dropped.
pub fn hugo_anchorize(text: &str) -> String {
    text.trim()
        .chars()
        .filter_map(|c| match c {
            ' ' | '-' => Some('-'),
            c if c == '_' || c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Combining marks (accents written as their own code point), which Hugo
/// keeps in URLs.
fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hugo_rules_keep_what_hugo_keeps() {
        assert_eq!(hugo_urlize("Home & Garden"), "home-garden");
        assert_eq!(hugo_urlize("Black+Decker"), "black+decker");
        assert_eq!(hugo_urlize("Battery — Life"), "battery-life");
        assert_eq!(hugo_urlize("故事"), "故事");
        assert_eq!(hugo_urlize("C# tips"), "c#-tips");
        assert_eq!(hugo_anchorize("People & Body"), "people--body");
        assert_eq!(hugo_anchorize("Battery — Life"), "battery--life");
        assert_eq!(hugo_anchorize("Über-Größe 2"), "über-größe-2");
        assert_eq!(UrlRules::Grove.term("Home & Garden"), "home-garden");
        assert_eq!(UrlRules::Grove.heading("People & Body"), "people-body");
    }
}

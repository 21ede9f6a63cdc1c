//! Which URLs Grove writes into pages, redirects and crawler files: absolute
//! `http(s)` URLs with a host and nothing that could end an attribute, a
//! line of `_redirects` or `robots.txt`, or run as script (`javascript:`).

/// Characters never valid in a URL as written (RFC 3986 leaves them out):
/// they could end an HTML attribute, start a tag, or split a line.
const FORBIDDEN: &[char] = &['"', '<', '>', '\\', '^', '`', '{', '|', '}'];

/// Checks that `url` is an absolute `http://` or `https://` URL with a
/// host, without whitespace, control characters or characters URLs never
/// hold; the error says what is wrong.
pub fn check_web_url(url: &str) -> Result<(), String> {
    let Some(rest) = strip_scheme(url) else {
        return Err(format!(
            "`{}` is not an http:// or https:// URL",
            shown(url)
        ));
    };
    if let Some(bad) = url.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "`{}` holds {}; URLs cannot (percent-encode it)",
            shown(url),
            describe(bad)
        ));
    }
    if let Some(bad) = url.chars().find(|c| FORBIDDEN.contains(c)) {
        return Err(format!(
            "`{}` holds `{bad}`, which URLs cannot (percent-encode it)",
            shown(url)
        ));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    let host = host.split(':').next().unwrap_or_default();
    if host.is_empty() && !authority.starts_with('[') {
        return Err(format!("`{}` has no host", shown(url)));
    }
    Ok(())
}

/// Checks an unexpanded URL template (`https://shop/x?tag={{ site.tag }}`)
/// as far as it can be before expansion: its text outside `{{ }}` and
/// `{% %}` tags, and its scheme when it does not start with a tag.
pub fn check_url_template(template: &str) -> Result<(), String> {
    let literal = without_tags(template);
    if let Some(bad) = literal
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || FORBIDDEN.contains(c))
    {
        return Err(format!(
            "`{}` holds {}, which URLs cannot (percent-encode it)",
            shown(template),
            describe(bad)
        ));
    }
    let starts_with_tag = template.starts_with("{{") || template.starts_with("{%");
    if !starts_with_tag && strip_scheme(template).is_none() {
        return Err(format!(
            "`{}` is not an http:// or https:// URL",
            shown(template)
        ));
    }
    Ok(())
}

fn strip_scheme(url: &str) -> Option<&str> {
    ["https://", "http://"].iter().find_map(|scheme| {
        url.get(..scheme.len())
            .filter(|head| head.eq_ignore_ascii_case(scheme))
            .map(|_| &url[scheme.len()..])
    })
}

/// `text` with its Tera tags left out.
fn without_tags(text: &str) -> String {
    let mut literal = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(['{']) {
        let close = match &rest[start..] {
            tail if tail.starts_with("{{") => "}}",
            tail if tail.starts_with("{%") => "%}",
            _ => {
                literal.push_str(&rest[..=start]);
                rest = &rest[start + 1..];
                continue;
            }
        };
        literal.push_str(&rest[..start]);
        match rest[start..].find(close) {
            Some(end) => rest = &rest[start + end + close.len()..],
            None => return literal,
        }
    }
    literal.push_str(rest);
    literal
}

/// Turns site-relative URL paths into links and permalinks.
#[derive(Debug, Clone)]
pub struct Urls {
    base_url: String,
    base_path: String,
}

impl Urls {
    /// URLs for a site at `base_url` (no trailing slash), whose path is
    /// `base_path` (`/blog`, or empty).
    pub fn new(base_url: &str, base_path: &str) -> Self {
        Urls {
            base_url: base_url.to_string(),
            base_path: base_path.to_string(),
        }
    }

    /// The base URL without a trailing slash, e.g. `https://example.com/blog`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Root-relative link: `/guides/a/` (with the base URL's path in front),
    /// percent-encoded where the path needs it.
    pub fn path(&self, path: &str) -> String {
        joined(&self.base_path, path)
    }

    /// Absolute URL: `https://example.com/guides/a/`, percent-encoded.
    pub fn permalink(&self, path: &str) -> String {
        joined(&self.base_url, path)
    }
}

/// `prefix` then `path` percent-encoded, in one allocation of the right
/// size (these are made for every link of every page).
fn joined(prefix: &str, path: &str) -> String {
    let path = encode_path(path);
    let mut url = String::with_capacity(prefix.len() + path.len());
    url.push_str(prefix);
    url.push_str(&path);
    url
}

/// `path` (a URL path as Grove builds it from file names and slugs, such
/// as `/guías/mi café/`) as it goes into an `href`, a sitemap or a feed:
/// every byte that may not stand in a path segment percent-encoded (`%`
/// too, since the output folder is named with the raw text). Paths that
/// need nothing come back borrowed.
pub fn encode_path(path: &str) -> std::borrow::Cow<'_, str> {
    /// Bytes that stand in a path as they are, one flag per byte value.
    const ALLOWED: [bool; 256] = {
        let mut table = [false; 256];
        let mut byte = 0;
        while byte < 256 {
            let b = byte as u8;
            table[byte] = b.is_ascii_alphanumeric();
            byte += 1;
        }
        let marks = b"-._~!$&'()*+,;=:@/";
        let mut i = 0;
        while i < marks.len() {
            table[marks[i] as usize] = true;
            i += 1;
        }
        table
    };
    fn allowed(byte: u8) -> bool {
        ALLOWED[usize::from(byte)]
    }
    if path.bytes().all(allowed) {
        return std::borrow::Cow::Borrowed(path);
    }
    let mut encoded = String::with_capacity(path.len() + 16);
    for byte in path.bytes() {
        if allowed(byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    std::borrow::Cow::Owned(encoded)
}

/// `c` named for a message.
fn describe(c: char) -> String {
    match c {
        '\n' => "a line break".to_string(),
        '\t' => "a tab".to_string(),
        ' ' => "a space".to_string(),
        c if c.is_control() => format!("the control character U+{:04X}", c as u32),
        c if c.is_whitespace() => format!("the space character U+{:04X}", c as u32),
        c => format!("`{c}`"),
    }
}

/// `url` for a message: control characters escaped, so a URL holding a
/// line break stays on one line.
fn shown(url: &str) -> String {
    url.escape_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_http_urls_with_a_host_pass() {
        for good in [
            "https://example.com",
            "HTTPS://example.com/a?b=c&d=e#f",
            "http://example.com:8080/x/%20y",
            "https://user@example.com/",
            "https://[::1]:8080/",
            "https://例え.jp/パス",
        ] {
            assert_eq!(check_web_url(good), Ok(()), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript://example.com/%0aalert(1)",
            "data:text/html,x",
            "//example.com/",
            "/relative",
            "https://",
            "https:///path",
            "https://example.com/a\n/* https://evil.example 200",
            "https://example.com/a b",
            "https://example.com/\"><script>",
            "https://example.com/\u{0}",
            "https://example.com/\u{2028}",
            "ftp://example.com/",
        ] {
            assert!(check_web_url(bad).is_err(), "{bad:?}");
        }
        assert!(
            check_web_url("https://x.example/a\nb")
                .unwrap_err()
                .contains("a line break")
        );
    }

    #[test]
    fn paths_are_percent_encoded_where_urls_need_it() {
        assert_eq!(encode_path("/guides/a-b_c.d~/"), "/guides/a-b_c.d~/");
        assert!(matches!(encode_path("/a/"), std::borrow::Cow::Borrowed(_)));
        assert_eq!(encode_path("/mi café/"), "/mi%20caf%C3%A9/");
        assert_eq!(encode_path("/100%/"), "/100%25/");
        assert_eq!(encode_path("/a?b#c/"), "/a%3Fb%23c/");
        assert_eq!(encode_path("/日本/"), "/%E6%97%A5%E6%9C%AC/");
    }

    #[test]
    fn templates_are_checked_outside_their_tags() {
        assert_eq!(
            check_url_template("https://shop.example/x?tag={{ site.affiliate.tag }}"),
            Ok(())
        );
        assert_eq!(check_url_template("{{ site.vars.shop }}/x"), Ok(()));
        assert_eq!(
            check_url_template("https://shop.example/{% if x %}a{% endif %}"),
            Ok(())
        );
        assert!(check_url_template("javascript:alert({{ site.title }})").is_err());
        assert!(check_url_template("https://shop.example/x\n/* 200").is_err());
        assert!(check_url_template("https://shop.example/ x{{ a }}").is_err());
    }
}

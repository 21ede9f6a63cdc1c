//! Redirect pages for aliases, `/page/1/` and cloaked affiliate links
//! (`/go/<slug>/`): plain HTML that works on any static host, without
//! JavaScript.

use crate::affiliate::AFFILIATE_REL;
use crate::html_escape::escape_html;

/// An HTML page that sends browsers and crawlers to `url` (a moved page).
pub fn redirect_page(url: &str, lang: &str) -> String {
    page(url, lang, "This page has moved to", "", true)
}

/// The `/go/<slug>/` page of an affiliate link: not indexed, not followed,
/// and the link is marked sponsored.
pub fn affiliate_redirect_page(destination: &str, lang: &str) -> String {
    page(destination, lang, "Continue to", AFFILIATE_REL, false)
}

fn page(url: &str, lang: &str, lead: &str, rel: &str, canonical: bool) -> String {
    let url = escape_html(url);
    let lang = escape_html(lang);
    let canonical = if canonical {
        format!("<link rel=\"canonical\" href=\"{url}\">\n")
    } else {
        String::new()
    };
    let (robots, rel) = if rel.is_empty() {
        ("noindex", String::new())
    } else {
        ("noindex, nofollow", format!(" rel=\"{rel}\""))
    };
    format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>Redirecting…</title>\n{canonical}<meta name=\"robots\" content=\"{robots}\">\n<meta http-equiv=\"refresh\" content=\"0; url={url}\">\n</head>\n<body>\n<p>{lead} <a href=\"{url}\"{rel}>{url}</a>.</p>\n</body>\n</html>\n"
    )
}

//! Redirect pages for aliases and `/page/1/`: plain HTML that works on any
//! static host, without JavaScript.

use crate::html_escape::escape_html;

/// An HTML page that sends browsers and crawlers to `url`.
pub fn redirect_page(url: &str, lang: &str) -> String {
    let url = escape_html(url);
    let lang = escape_html(lang);
    format!(
        "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>Redirecting…</title>\n<link rel=\"canonical\" href=\"{url}\">\n<meta name=\"robots\" content=\"noindex\">\n<meta http-equiv=\"refresh\" content=\"0; url={url}\">\n</head>\n<body>\n<p>This page has moved to <a href=\"{url}\">{url}</a>.</p>\n</body>\n</html>\n"
    )
}

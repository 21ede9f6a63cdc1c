//! RSS 2.0 and Atom 1.0 feeds.

use crate::content::Date;
use crate::html_escape::escape_html;

/// A feed's own description.
#[derive(Debug, Clone)]
pub struct FeedInfo<'a> {
    /// Feed title.
    pub title: &'a str,
    /// What the feed is about.
    pub description: &'a str,
    /// The page the feed belongs to (absolute).
    pub link: &'a str,
    /// This feed's own URL (absolute).
    pub self_url: &'a str,
    /// Language code.
    pub language: &'a str,
}

/// One feed entry.
#[derive(Debug, Clone)]
pub struct FeedEntry<'a> {
    /// Title.
    pub title: &'a str,
    /// Absolute URL.
    pub link: String,
    /// Publication date.
    pub published: &'a Date,
    /// Last update, if any.
    pub updated: Option<&'a Date>,
    /// HTML (summary or full content) with absolute links.
    pub html: String,
    /// Category names (tags).
    pub categories: Vec<&'a str>,
}

/// RSS 2.0.
pub fn rss(info: &FeedInfo<'_>, entries: &[FeedEntry<'_>]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n",
    );
    xml.push_str(&format!(
        "<title>{}</title>\n<link>{}</link>\n<description>{}</description>\n<language>{}</language>\n<atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>\n<generator>Grove</generator>\n",
        escape_html(info.title),
        escape_html(info.link),
        escape_html(info.description),
        escape_html(info.language),
        escape_html(info.self_url)
    ));
    if let Some(latest) = entries
        .iter()
        .map(|e| e.updated.unwrap_or(e.published))
        .max()
    {
        xml.push_str(&format!(
            "<lastBuildDate>{}</lastBuildDate>\n",
            latest.rfc2822()
        ));
    }
    for entry in entries {
        xml.push_str(&format!(
            "<item>\n<title>{}</title>\n<link>{}</link>\n<guid isPermaLink=\"true\">{}</guid>\n<pubDate>{}</pubDate>\n",
            escape_html(entry.title),
            escape_html(&entry.link),
            escape_html(&entry.link),
            entry.published.rfc2822()
        ));
        for category in &entry.categories {
            xml.push_str(&format!("<category>{}</category>\n", escape_html(category)));
        }
        xml.push_str(&format!(
            "<description>{}</description>\n</item>\n",
            escape_html(&entry.html)
        ));
    }
    xml.push_str("</channel>\n</rss>\n");
    xml
}

/// Atom 1.0.
pub fn atom(info: &FeedInfo<'_>, entries: &[FeedEntry<'_>]) -> String {
    let updated = entries
        .iter()
        .map(|e| e.updated.unwrap_or(e.published))
        .max()
        .map_or_else(|| "1970-01-01T00:00:00+00:00".to_string(), Date::rfc3339);
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n<title>{}</title>\n<subtitle>{}</subtitle>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n<id>{}</id>\n<updated>{updated}</updated>\n<author><name>{}</name></author>\n<generator>Grove</generator>\n",
        escape_html(info.language),
        escape_html(info.title),
        escape_html(info.description),
        escape_html(info.link),
        escape_html(info.self_url),
        escape_html(info.self_url),
        escape_html(info.title)
    );
    for entry in entries {
        xml.push_str(&format!(
            "<entry>\n<title>{}</title>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n<id>{}</id>\n<published>{}</published>\n<updated>{}</updated>\n",
            escape_html(entry.title),
            escape_html(&entry.link),
            escape_html(&entry.link),
            entry.published.rfc3339(),
            entry.updated.unwrap_or(entry.published).rfc3339()
        ));
        for category in &entry.categories {
            xml.push_str(&format!("<category term=\"{}\"/>\n", escape_html(category)));
        }
        xml.push_str(&format!(
            "<content type=\"html\">{}</content>\n</entry>\n",
            escape_html(&entry.html)
        ));
    }
    xml.push_str("</feed>\n");
    xml
}

//! `sitemap.xml` (sitemaps.org 0.9), split into numbered files under a
//! sitemap index when a site has more URLs than one file may hold.

use crate::html_escape::escape_html;

/// One URL of a sitemap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitemapUrl {
    /// Absolute URL.
    pub loc: String,
    /// W3C datetime of the last change, if known.
    pub lastmod: Option<String>,
}

const HEADER: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
const NAMESPACE: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

/// The sitemap files of a site, as (file name, XML): `sitemap.xml` alone,
/// or `sitemap.xml` as an index over `sitemap-1.xml`, `sitemap-2.xml`, ...
pub fn render(urls: &[SitemapUrl], base_url: &str, max_per_file: usize) -> Vec<(String, String)> {
    if urls.len() <= max_per_file {
        return vec![("sitemap.xml".into(), urlset(urls))];
    }
    let mut files = Vec::new();
    let mut index = format!("{HEADER}<sitemapindex xmlns=\"{NAMESPACE}\">\n");
    for (n, chunk) in urls.chunks(max_per_file).enumerate() {
        let name = format!("sitemap-{}.xml", n + 1);
        index.push_str(&format!(
            "  <sitemap>\n    <loc>{}/{name}</loc>\n",
            escape_html(base_url)
        ));
        if let Some(latest) = chunk.iter().filter_map(|u| u.lastmod.as_deref()).max() {
            index.push_str(&format!("    <lastmod>{latest}</lastmod>\n"));
        }
        index.push_str("  </sitemap>\n");
        files.push((name, urlset(chunk)));
    }
    index.push_str("</sitemapindex>\n");
    files.insert(0, ("sitemap.xml".into(), index));
    files
}

fn urlset(urls: &[SitemapUrl]) -> String {
    let mut xml = format!("{HEADER}<urlset xmlns=\"{NAMESPACE}\">\n");
    for url in urls {
        xml.push_str(&format!(
            "  <url>\n    <loc>{}</loc>\n",
            escape_html(&url.loc)
        ));
        if let Some(lastmod) = &url.lastmod {
            xml.push_str(&format!("    <lastmod>{lastmod}</lastmod>\n"));
        }
        xml.push_str("  </url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_into_an_index_past_the_limit() {
        let urls: Vec<SitemapUrl> = (0..5)
            .map(|i| SitemapUrl {
                loc: format!("https://e.com/{i}/?a=1&b=2"),
                lastmod: Some(format!("2024-01-0{}", i + 1)),
            })
            .collect();
        assert_eq!(render(&urls, "https://e.com", 5).len(), 1);
        let files = render(&urls, "https://e.com", 2);
        assert_eq!(
            files.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
            [
                "sitemap.xml",
                "sitemap-1.xml",
                "sitemap-2.xml",
                "sitemap-3.xml"
            ]
        );
        assert!(
            files[0].1.contains(
                "<loc>https://e.com/sitemap-3.xml</loc>\n    <lastmod>2024-01-05</lastmod>"
            )
        );
        assert!(
            files[1]
                .1
                .contains("<loc>https://e.com/0/?a=1&amp;b=2</loc>")
        );
    }
}

//! Site-wide files for crawlers and feed readers: sitemap(s), RSS and Atom
//! feeds (site and sections), `robots.txt`, `ads.txt` and the IndexNow
//! key file.

use std::collections::BTreeMap;

use super::listings::capitalize;
use super::{Claimant, SiteRenderer};
use crate::affiliate::GO_PREFIX;
use crate::content::{Date, Page, UrlRules};
use crate::error::Result;
use crate::seo::feeds::{FeedEntry, FeedInfo, atom, rss};
use crate::seo::sitemap::{SitemapUrl, render as render_sitemap};
use crate::seo::{absolutize, origin};

impl SiteRenderer {
    /// Whether a page belongs in sitemaps and feeds.
    fn listed(page: &Page) -> bool {
        !page.meta.draft && !page.meta.noindex
    }

    /// Writes sitemap(s), `robots.txt` and `ads.txt` (feeds: see
    /// [`SiteRenderer::write_feeds`]). A static file of the same name (a
    /// site's own `robots.txt`, as Hugo and Zola sites have) is published
    /// instead of the generated one; returns the files written and those
    /// names.
    pub(super) fn write_crawler_files(&self) -> Result<(usize, Vec<String>)> {
        let mut files: Vec<(String, String)> = self.sitemaps();
        files.push(("robots.txt".into(), self.robots()));
        if !self.target.ads_txt.is_empty() {
            files.push(("ads.txt".into(), self.target.ads_txt.join("\n") + "\n"));
        }
        if let Some(key) = &self.target.indexnow_key {
            files.push((format!("{key}.txt"), key.clone()));
        }
        let mut count = 0;
        let mut replaced = Vec::new();
        for (name, text) in files {
            if let Some(Claimant::Copied(_)) = self.claims.holder(&name) {
                replaced.push(name);
                continue;
            }
            let claimant = Claimant::Generated(name.clone());
            self.emit(&name, text, claimant)?;
            count += 1;
        }
        Ok((count, replaced))
    }

    /// Writes the RSS and Atom feeds, when enabled; they show page content,
    /// so they are written before pages take their HTML, and again when a
    /// page's body changes.
    pub(super) fn write_feeds(&self) -> Result<usize> {
        if !self.target.seo.feeds {
            return Ok(0);
        }
        let files = self.feeds();
        let count = files.len();
        for (name, text) in files {
            let claimant = Claimant::Generated(name.clone());
            self.emit(&name, text, claimant)?;
        }
        Ok(count)
    }

    fn robots(&self) -> String {
        let urls = &self.data.urls;
        let mut robots = String::from("User-agent: *\n");
        if self.links.style().cloak {
            robots.push_str(&format!("Disallow: {}\n", urls.path(GO_PREFIX)));
        } else {
            robots.push_str("Disallow:\n");
        }
        for rule in &self.target.robots_rules {
            robots.push_str(rule.trim());
            robots.push('\n');
        }
        robots.push_str(&format!("\nSitemap: {}\n", urls.permalink("/sitemap.xml")));
        robots
    }

    fn sitemaps(&self) -> Vec<(String, String)> {
        let content = self.content();
        let urls = &self.data.urls;
        fn lastmod(page: &Page) -> Option<&Date> {
            page.meta.updated.as_ref().or(page.meta.date.as_ref())
        }
        let latest = |pages: &[usize]| -> Option<String> {
            pages
                .iter()
                .map(|&p| &content.pages[p])
                .filter(|p| Self::listed(p))
                .filter_map(lastmod)
                .max()
                .map(Date::w3c)
        };
        let mut entries: BTreeMap<String, Option<String>> = BTreeMap::new();
        let everything: Vec<usize> = (0..content.pages.len()).collect();
        for (i, section) in content.sections.iter().enumerate() {
            if section.meta.noindex {
                continue;
            }
            let pages = if i == 0 { &everything } else { &section.pages };
            let own = section.meta.updated.as_ref().or(section.meta.date.as_ref());
            let lastmod = latest(pages).max(own.map(Date::w3c));
            entries.insert(urls.permalink(&section.path), lastmod);
        }
        for page in content.pages.iter().filter(|p| Self::listed(p)) {
            entries.insert(urls.permalink(&page.path), lastmod(page).map(Date::w3c));
        }
        for taxonomy in content.taxonomies.iter().filter(|t| !t.terms.is_empty()) {
            let all: Vec<usize> = taxonomy
                .terms
                .iter()
                .flat_map(|t| t.pages.iter().copied())
                .collect();
            entries.insert(
                urls.permalink(&format!("/{}/", taxonomy.config.name)),
                latest(&all),
            );
            for term in &taxonomy.terms {
                entries.insert(
                    urls.permalink(&format!("/{}/{}/", taxonomy.config.name, term.slug)),
                    latest(&term.pages),
                );
            }
        }
        let list: Vec<SitemapUrl> = entries
            .into_iter()
            .map(|(loc, lastmod)| SitemapUrl { loc, lastmod })
            .collect();
        render_sitemap(
            &list,
            self.data.urls.base_url(),
            self.target.seo.sitemap_max_urls,
        )
    }

    /// The feed entries for `pages`: listed, dated, newest first, limited.
    fn feed_entries(&self, pages: &[usize]) -> Vec<FeedEntry<'_>> {
        let content = self.content();
        let origin = origin(
            self.site["base_url"].as_str().unwrap_or_default(),
            self.site["base_path"].as_str().unwrap_or_default(),
        );
        let mut dated: Vec<(usize, &Page)> = pages
            .iter()
            .map(|&p| (p, &content.pages[p]))
            .filter(|(_, p)| Self::listed(p) && p.meta.date.is_some())
            .collect();
        dated.sort_by(|(_, a), (_, b)| {
            b.meta
                .date
                .cmp(&a.meta.date)
                .then_with(|| a.rel.cmp(&b.rel))
        });
        dated
            .into_iter()
            .take(self.target.seo.feed_limit)
            .map(|(index, page)| {
                let html = if self.target.seo.feed_full_content {
                    self.page_html[index].clone()
                } else {
                    match (&page.rendered.summary, &page.meta.description) {
                        (Some(summary), _) => summary.clone(),
                        (None, Some(description)) => {
                            format!("<p>{}</p>", crate::html_escape::escape_html(description))
                        }
                        (None, None) => crate::seo::trim_at_word(
                            &crate::seo::plain_text(&self.page_html[index]),
                            300,
                        ),
                    }
                };
                FeedEntry {
                    title: &page.meta.title,
                    link: self.data.urls.permalink(&page.path),
                    published: page.meta.date.as_ref().expect("filtered on dates"),
                    updated: page.meta.updated.as_ref(),
                    html: absolutize(&html, &origin),
                    categories: page
                        .meta
                        .taxonomies
                        .values()
                        .flatten()
                        .map(String::as_str)
                        .collect(),
                }
            })
            .collect()
    }

    fn feeds(&self) -> Vec<(String, String)> {
        let content = self.content();
        let urls = &self.data.urls;
        let language = self.lang.as_str();
        let site_description = self.site["description"].as_str().unwrap_or_default();
        let mut files = Vec::new();
        let everything: Vec<usize> = (0..content.pages.len()).collect();
        // A site on Hugo's rules also has its feeds where Hugo put them
        // (`index.xml` of the home page, each section and each term).
        let hugo_feeds = content.url_rules == UrlRules::Hugo;
        let mut write_pair =
            |dir: &str, title: &str, description: &str, link: String, pages: &[usize]| {
                let entries = self.feed_entries(pages);
                if entries.is_empty() && !dir.is_empty() && !hugo_feeds {
                    return;
                }
                let rss_url = urls.permalink(&format!("/{dir}rss.xml"));
                let atom_url = urls.permalink(&format!("/{dir}atom.xml"));
                let info = FeedInfo {
                    title,
                    description,
                    link: &link,
                    self_url: &rss_url,
                    language,
                };
                files.push((format!("{dir}rss.xml"), rss(&info, &entries)));
                if hugo_feeds {
                    let index_url = urls.permalink(&format!("/{dir}index.xml"));
                    let info = FeedInfo {
                        self_url: &index_url,
                        ..info
                    };
                    files.push((format!("{dir}index.xml"), rss(&info, &entries)));
                }
                let info = FeedInfo {
                    self_url: &atom_url,
                    ..info
                };
                files.push((format!("{dir}atom.xml"), atom(&info, &entries)));
            };
        write_pair(
            "",
            &self.data.site_title,
            site_description,
            urls.permalink("/"),
            &everything,
        );
        for section in content.sections.iter().skip(1) {
            let title = format!("{} | {}", section.meta.title, self.data.site_title);
            let description = section
                .meta
                .description
                .clone()
                .unwrap_or_else(|| title.clone());
            let dir = section.path.trim_start_matches('/').to_string();
            write_pair(
                &dir,
                &title,
                &description,
                urls.permalink(&section.path),
                &section.pages,
            );
            if hugo_feeds {
                // An old URL of the section (Hugo's lower-cased path) had its feed too.
                for alias in &section.meta.aliases {
                    let alias_dir = format!("{}/", alias.trim_matches('/'));
                    let link = urls.permalink(&section.path);
                    write_pair(&alias_dir, &title, &description, link, &section.pages);
                }
            }
        }
        if hugo_feeds || self.target.term_feeds {
            for taxonomy in content.taxonomies.iter().filter(|t| !t.terms.is_empty()) {
                let name = &taxonomy.config.name;
                if hugo_feeds {
                    let mut all: Vec<usize> = taxonomy
                        .terms
                        .iter()
                        .flat_map(|t| t.pages.iter().copied())
                        .collect();
                    all.sort_unstable();
                    all.dedup();
                    let title = format!("{} | {}", capitalize(name), self.data.site_title);
                    let link = urls.permalink(&format!("/{name}/"));
                    write_pair(&format!("{name}/"), &title, &title, link, &all);
                }
                for term in &taxonomy.terms {
                    let title = format!("{} | {}", term.name, self.data.site_title);
                    let dir = format!("{name}/{}/", term.slug);
                    let link = urls.permalink(&format!("/{dir}"));
                    write_pair(&dir, &title, &title, link.clone(), &term.pages);
                    // An old URL of the term page had its feed too.
                    for alias in &term.text.aliases {
                        let alias_dir = format!("{}/", alias.trim_matches('/'));
                        write_pair(&alias_dir, &title, &title, link.clone(), &term.pages);
                    }
                }
            }
        }
        files
    }
}

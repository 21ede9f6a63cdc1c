//! Redirect pages and `_redirects`: aliases, `/page/1/` of paginated
//! listings, and cloaked affiliate links under `/go/`.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::{SiteRenderer, output_file};
use crate::affiliate::GO_PREFIX;
use crate::error::{Error, Location, Result, collect_all};
use crate::render::pagination::pager_path;
use crate::render::redirect::{affiliate_redirect_page, redirect_page};
use crate::render::views::Urls;

impl SiteRenderer {
    /// Redirect pages for aliases and for `/page/1/` of paginated listings.
    pub(super) fn write_redirects(&self) -> Result<usize> {
        let content = self.content();
        let urls = &self.data.urls;
        // (alias as written, URL path it points to), for pages and sections.
        let aliases: Vec<(&str, &str)> = content
            .pages
            .iter()
            .flat_map(|p| {
                p.meta
                    .aliases
                    .iter()
                    .map(move |a| (a.as_str(), p.path.as_str()))
            })
            .chain(content.sections.iter().flat_map(|s| {
                s.meta
                    .aliases
                    .iter()
                    .map(move |a| (a.as_str(), s.path.as_str()))
            }))
            .collect();
        let mut redirects: BTreeMap<String, String> = aliases
            .iter()
            .map(|(alias, path)| (output_file(alias), urls.path(path)))
            .collect();
        for section in &content.sections {
            if section.meta.paginate_by.is_some() {
                redirects.insert(
                    output_file(&format!("{}page/1/", section.path)),
                    urls.path(&pager_path(&section.path, 1)),
                );
            }
        }
        for taxonomy in &content.taxonomies {
            if taxonomy.config.paginate_by.is_none() {
                continue;
            }
            for term in &taxonomy.terms {
                let base = format!("/{}/{}/", taxonomy.config.name, term.slug);
                redirects.insert(output_file(&format!("{base}page/1/")), urls.path(&base));
            }
        }
        // Host-level redirects for hosts that read `_redirects` (Netlify,
        // Cloudflare Pages): real 301s for aliases, 302s (configurable) for
        // affiliate links.
        let mut host_rules: Vec<String> = aliases
            .iter()
            .map(|(alias, path)| format!("{} {} 301", alias_url(alias, urls), urls.path(path)))
            .collect();
        let mut pages: Vec<(String, String)> = redirects
            .into_iter()
            .map(|(file, target)| (file, redirect_page(&target, &self.lang)))
            .collect();
        if self.links.style().cloak {
            for slug in self.used_affiliates() {
                let destination =
                    self.links
                        .destination(&slug)
                        .map_err(|message| Error::Content {
                            location: Location::file(&self.network_file),
                            message,
                        })?;
                let go = format!("{GO_PREFIX}{slug}/");
                host_rules.push(format!(
                    "{} {destination} {}",
                    urls.path(&go),
                    self.redirect_status
                ));
                pages.push((
                    output_file(&go),
                    affiliate_redirect_page(destination, &self.lang),
                ));
            }
        }
        host_rules.sort();
        host_rules.dedup();
        if !host_rules.is_empty() {
            pages.push(("_redirects".into(), host_rules.join("\n") + "\n"));
        }
        let count = pages.len();
        collect_all(
            pages
                .into_par_iter()
                .map(|(file, text)| self.emit(&file, text))
                .collect::<Vec<_>>(),
        )?;
        Ok(count)
    }

    /// Affiliate slugs linked anywhere in the site's content, sorted.
    pub(super) fn used_affiliates(&self) -> Vec<String> {
        let content = self.content();
        let mut slugs: Vec<String> = content
            .pages
            .iter()
            .flat_map(|p| p.rendered.affiliates.iter())
            .chain(
                content
                    .sections
                    .iter()
                    .flat_map(|s| s.rendered.affiliates.iter()),
            )
            .cloned()
            .collect();
        slugs.sort();
        slugs.dedup();
        slugs
    }
}

/// An alias as a root-relative URL: `old/url` -> `/old/url/`.
fn alias_url(alias: &str, urls: &Urls) -> String {
    let trimmed = alias.trim_matches('/');
    if trimmed.ends_with(".html") {
        urls.path(&format!("/{trimmed}"))
    } else {
        urls.path(&format!("/{trimmed}/"))
    }
}

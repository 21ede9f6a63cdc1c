//! Redirect pages and `_redirects`: aliases, `/page/1/` of paginated
//! listings, and cloaked affiliate links under `/go/`.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{Claimant, SiteRenderer, output_file};
use crate::affiliate::GO_PREFIX;
use crate::content::SiteContent;
use crate::error::{Error, Location, Result, collect_all};
use crate::render::pagination::pager_path;
use crate::render::redirect::{affiliate_redirect_page, redirect_page};
use crate::web_url::Urls;

impl SiteRenderer {
    /// Redirect pages for aliases and for `/page/1/` of paginated listings.
    pub(super) fn write_redirects(&self) -> Result<usize> {
        let content = self.content();
        let urls = &self.data.urls;
        // (alias as written, URL path it points to, file declaring it), for
        // pages and sections.
        let listing_aliases = listing_aliases(content);
        let aliases: Vec<(&str, &str, &Path)> = content
            .pages
            .iter()
            .flat_map(|p| {
                p.meta
                    .aliases
                    .iter()
                    .map(move |a| (a.as_str(), p.path.as_str(), p.file.as_path()))
            })
            .chain(content.sections.iter().flat_map(|s| {
                let file = s.file.as_deref().unwrap_or(Path::new("content/_index.md"));
                s.meta
                    .aliases
                    .iter()
                    .map(move |a| (a.as_str(), s.path.as_str(), file))
            }))
            .chain(
                listing_aliases
                    .iter()
                    .map(|(alias, path, file)| (alias.as_str(), path.as_str(), file.as_path())),
            )
            .collect();
        // (output file, its text, who writes it)
        let site_file = self.target.site_file.as_path();
        let configured = self
            .target
            .redirects
            .iter()
            .map(|(from, to)| (from.as_str(), to.as_str(), site_file));
        let aliases: Vec<(&str, &str, &Path)> = aliases.into_iter().chain(configured).collect();
        let mut pages: Vec<(String, String, Claimant)> = aliases
            .iter()
            .map(|(alias, path, owner)| {
                let claimant = Claimant::Alias {
                    alias: (*alias).to_string(),
                    owner: owner.to_path_buf(),
                };
                let page = redirect_page(&urls.path(path), &self.lang);
                (output_file(alias), page, claimant)
            })
            .collect();
        let mut first_pagers: Vec<&str> = content
            .sections
            .iter()
            .filter(|s| s.meta.paginate_by.is_some())
            .map(|s| s.path.as_str())
            .collect();
        let term_paths: Vec<String> = content
            .taxonomies
            .iter()
            .filter(|t| t.config.paginate_by.is_some())
            .flat_map(|t| {
                t.terms
                    .iter()
                    .map(|term| format!("/{}/{}/", t.config.name, term.slug))
            })
            .collect();
        first_pagers.extend(term_paths.iter().map(String::as_str));
        for path in first_pagers {
            let page = redirect_page(&urls.path(&pager_path(path, 1)), &self.lang);
            let claimant = Claimant::FirstPager(path.to_string());
            pages.push((output_file(&format!("{path}page/1/")), page, claimant));
        }
        // Host-level redirects for hosts that read `_redirects` (Netlify,
        // Cloudflare Pages): real 301s for aliases, 302s (configurable) for
        // affiliate links. Every source is claimed once above, so no two
        // lines share a path.
        let mut host_rules: Vec<String> = aliases
            .iter()
            .map(|(alias, path, _)| format!("{} {} 301", alias_url(alias, urls), urls.path(path)))
            .collect();
        if self.links.style().cloak {
            for slug in self.used_affiliates() {
                let destination =
                    self.links
                        .destination(&slug)
                        .map_err(|message| Error::Content {
                            location: Location::file(&self.target.network_file),
                            message,
                        })?;
                let go = format!("{GO_PREFIX}{slug}/");
                host_rules.push(format!(
                    "{} {destination} {}",
                    urls.path(&go),
                    self.target.redirect_status
                ));
                pages.push((
                    output_file(&go),
                    affiliate_redirect_page(destination, &self.lang),
                    Claimant::Affiliate(slug),
                ));
            }
        }
        host_rules.sort();
        if !host_rules.is_empty() {
            pages.push((
                "_redirects".into(),
                host_rules.join("\n") + "\n",
                Claimant::Generated("_redirects".into()),
            ));
        }
        for (file, _, claimant) in &pages {
            self.claim(file, claimant.clone())?;
        }
        let count = pages.len();
        collect_all(
            pages
                .into_par_iter()
                .map(|(file, text, claimant)| self.emit(&file, text, claimant))
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

/// The aliases of taxonomy and term pages (from their `_index.md`): (alias,
/// the page's URL path, the file declaring it).
fn listing_aliases(content: &SiteContent) -> Vec<(String, String, PathBuf)> {
    let mut found = Vec::new();
    for taxonomy in content.taxonomies.iter().filter(|t| !t.terms.is_empty()) {
        let name = &taxonomy.config.name;
        let listings = std::iter::once((format!("/{name}/"), &taxonomy.text)).chain(
            taxonomy
                .terms
                .iter()
                .map(|term| (format!("/{name}/{}/", term.slug), &term.text)),
        );
        for (path, text) in listings {
            let Some(file) = &text.file else { continue };
            for alias in &text.aliases {
                found.push((alias.clone(), path.clone(), file.clone()));
            }
        }
    }
    found
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

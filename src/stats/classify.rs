//! What a request counts as, and for which site.
//!
//! - A request goes to the site whose base URL has its host (with or
//!   without `www.`) and whose base path holds its path; `--site` names
//!   the site for logs of one site. Requests for other hosts are counted
//!   per host and reported, never guessed.
//! - Every request of a site counts for its status code (people's and
//!   crawlers', pages and assets alike).
//! - Crawlers (see [`super::crawlers`]) count as crawler hits only, and
//!   as refused when answered 401, 403 or 429 (a firewall or bot
//!   protection turning them away).
//! - `GET /go/<slug>/` answered 2xx or 3xx is a click on that affiliate
//!   link, attributed to the page in its `Referer` when that page is on the
//!   site (else to no page).
//! - A 404 counts for its path (a broken inbound link, or a probe).
//! - A `GET` of a page (a path ending in `/`, in `.html`, or without an
//!   extension) answered 2xx or 304 is a page view: it counts for the page
//!   (`/a/index.html` is `/a/`), for its referrer and for the day's
//!   visitors. Assets, feeds, redirects and other methods count nothing.

use std::borrow::Cow;
use std::collections::HashMap;

use super::crawlers;
use super::format::Hit;
use super::hll::{Sketch, visitor_hash};
use super::referrer::{host_of, path_of, referrer_key, same_host};
use super::tally::{Click, FastMap, Kind, Tally};
use crate::html_scan::percent_decode;

/// A site as the import sees it.
#[derive(Debug, Clone)]
pub struct SiteTarget {
    /// The site's name.
    pub name: String,
    /// The host of its base URL, lowercase.
    pub host: String,
    /// The path of its base URL (`/blog`, or empty).
    pub base_path: String,
}

/// Sorts requests into sites and counts them.
pub struct Classifier {
    sites: Vec<SiteTarget>,
    /// Host without `www.` -> site indices, longest base path first.
    by_host: HashMap<String, Vec<usize>>,
    /// Every request goes to this site (`--site`).
    forced: Option<usize>,
    /// The secret of visitor hashes.
    salt: u64,
}

impl Classifier {
    /// A classifier for `sites`; with `forced`, every request is that
    /// site's (by index).
    pub fn new(sites: Vec<SiteTarget>, forced: Option<usize>, salt: u64) -> Classifier {
        let mut by_host: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, site) in sites.iter().enumerate() {
            by_host
                .entry(bare_host(&site.host))
                .or_default()
                .push(index);
        }
        for indices in by_host.values_mut() {
            indices.sort_by_key(|&i| std::cmp::Reverse(sites[i].base_path.len()));
        }
        Classifier {
            sites,
            by_host,
            forced,
            salt,
        }
    }

    /// The sites, by index.
    pub fn sites(&self) -> &[SiteTarget] {
        &self.sites
    }

    /// Counts `hit` into `tally`; `crawlers` caches user agent verdicts.
    pub fn count(
        &self,
        hit: &Hit<'_>,
        tally: &mut Tally,
        crawlers: &mut FastMap<Box<str>, Option<&'static str>>,
    ) {
        let path = request_path(&hit.target);
        let candidates: &[usize] = match (self.forced.as_ref(), &hit.host) {
            (Some(forced), _) => std::slice::from_ref(forced),
            (None, Some(host)) => match self.by_host.get(&bare_host(host)) {
                Some(indices) => indices,
                None => {
                    let host = host.to_ascii_lowercase();
                    *tally
                        .unknown_hosts
                        .entry((Box::from(host.as_str()), hit.day))
                        .or_default() += 1;
                    return;
                }
            },
            // The import checks that such logs come with --site.
            (None, None) => return,
        };
        let Some((index, path)) = candidates.iter().find_map(|&index| {
            within_base(&path, &self.sites[index].base_path).map(|inside| (index, inside))
        }) else {
            tally.outside_base_path += 1;
            return;
        };
        let site = &self.sites[index];
        let site_tally = &mut tally.sites[index];
        site_tally.count_status(hit.day, hit.status);
        let crawler = match crawlers.get(hit.user_agent.as_ref()) {
            Some(verdict) => *verdict,
            None => {
                let verdict = crawlers::crawler(&hit.user_agent);
                crawlers.insert(Box::from(hit.user_agent.as_ref()), verdict);
                verdict
            }
        };
        if let Some(name) = crawler {
            site_tally.day(hit.day).crawler_hits += 1;
            site_tally.count(Kind::Crawler, name, hit.day);
            if matches!(hit.status, 401 | 403 | 429) {
                site_tally.count(Kind::CrawlerRefused, name, hit.day);
            }
            return;
        }
        if let Some(rest) = path.strip_prefix("/go/") {
            let slug = rest.split('/').next().unwrap_or_default();
            if !slug.is_empty() && hit.method == "GET" && (200..400).contains(&hit.status) {
                tally.clicks.push(Click {
                    site: index,
                    visitor: visitor_hash(
                        self.salt,
                        hit.day.0,
                        &[hit.ip.as_bytes(), hit.user_agent.as_bytes()],
                    ),
                    slug: Box::from(slug),
                    source: Box::from(self.source_page(hit, site).as_str()),
                    time: hit.time,
                    day: hit.day,
                });
                return;
            }
        }
        if hit.status == 404 {
            site_tally.day(hit.day).not_found += 1;
            site_tally.count(Kind::NotFound, &decoded(path), hit.day);
            return;
        }
        let success = (200..300).contains(&hit.status) || hit.status == 304;
        if hit.method != "GET" || !success || !is_page(path) {
            return;
        }
        let page = page_key(path);
        let totals = site_tally.day(hit.day);
        totals.views += 1;
        totals
            .sketch
            .get_or_insert_with(|| Box::new(Sketch::default()))
            .add(visitor_hash(
                self.salt,
                hit.day.0,
                &[hit.ip.as_bytes(), hit.user_agent.as_bytes()],
            ));
        site_tally.count(Kind::View, &page, hit.day);
        let referrer = referrer_key(&hit.referrer, &[site.host.as_str()]);
        site_tally.count(Kind::Referrer, &referrer, hit.day);
    }

    /// The page of the site a click came from (its `Referer`), or empty.
    fn source_page(&self, hit: &Hit<'_>, site: &SiteTarget) -> String {
        let Some(host) = host_of(&hit.referrer) else {
            return String::new();
        };
        if !same_host(&host, &site.host) {
            return String::new();
        }
        let path = request_path(path_of(&hit.referrer));
        match within_base(&path, &site.base_path) {
            Some(inside) if is_page(inside) => page_key(inside).into_owned(),
            _ => String::new(),
        }
    }
}

/// `www.example.com:443` -> `example.com`.
pub(crate) fn bare_host(host: &str) -> String {
    let host = super::format::strip_port(host).trim_end_matches('.');
    host.strip_prefix("www.")
        .unwrap_or(host)
        .to_ascii_lowercase()
}

/// The path of a request target: no query or fragment, an absolute-form
/// target (`http://host/path`) reduced to its path.
pub(crate) fn request_path(target: &str) -> Cow<'_, str> {
    let target = if target.starts_with('/') {
        target
    } else {
        path_of(target)
    };
    let end = target.find(['?', '#']).unwrap_or(target.len());
    Cow::Borrowed(&target[..end])
}

/// The path below the site's base path, or `None` outside it.
pub(crate) fn within_base<'p>(path: &'p str, base: &str) -> Option<&'p str> {
    if base.is_empty() {
        return path.starts_with('/').then_some(path);
    }
    let rest = path.strip_prefix(base)?;
    if rest.is_empty() {
        Some("/")
    } else {
        rest.starts_with('/').then_some(rest)
    }
}

/// Whether a path is a page rather than a file: it ends in `/`, in
/// `.html`/`.htm`, or its last segment has no extension.
pub(crate) fn is_page(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or_default();
    last.is_empty() || last.ends_with(".html") || last.ends_with(".htm") || !last.contains('.')
}

/// A page path as Grove names pages: percent-decoded, `index.html` folded
/// into its folder, and a trailing slash (a host redirects `/a` to `/a/`,
/// but a log may hold either).
pub(crate) fn page_key(path: &str) -> Cow<'_, str> {
    let path = decoded(path);
    let folded = path
        .strip_suffix("index.html")
        .or_else(|| path.strip_suffix("index.htm"))
        .map(str::to_string);
    match folded {
        Some(folder) => Cow::Owned(folder),
        None if path.ends_with('/') || path.ends_with(".html") || path.ends_with(".htm") => path,
        None => Cow::Owned(format!("{path}/")),
    }
}

/// `path` percent-decoded (left as is if that is not UTF-8).
pub(crate) fn decoded(path: &str) -> Cow<'_, str> {
    if path.contains('%') {
        percent_decode(path).map_or(Cow::Borrowed(path), Cow::Owned)
    } else {
        Cow::Borrowed(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_pages_or_files() {
        for page in ["/", "/guides/", "/guides/a", "/a.html", "/caf%C3%A9/"] {
            assert!(is_page(page), "{page}");
        }
        for file in [
            "/style.css",
            "/rss.xml",
            "/img/a.png",
            "/robots.txt",
            "/favicon.ico",
        ] {
            assert!(!is_page(file), "{file}");
        }
        assert_eq!(page_key("/a/index.html"), "/a/");
        assert_eq!(page_key("/index.html"), "/");
        assert_eq!(page_key("/a"), "/a/");
        assert_eq!(page_key("/caf%C3%A9/"), "/café/");
        assert_eq!(within_base("/blog/a/", "/blog"), Some("/a/"));
        assert_eq!(within_base("/blog", "/blog"), Some("/"));
        assert_eq!(within_base("/blogger/", "/blog"), None);
        assert_eq!(request_path("/a/?q=1#x"), "/a/");
        assert_eq!(request_path("http://example.com/a/?q"), "/a/");
    }
}

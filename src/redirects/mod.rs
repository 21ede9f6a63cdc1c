//! `grove stats 404s`: the paths people asked for that answered 404, by
//! how often, each with the existing page it most likely meant (the
//! closest by its words and spelling); accepted, a suggestion becomes an
//! `aliases` entry of that page (see [`aliases`]), so the next build
//! redirects the old address.

pub mod aliases;

use serde::Serialize;

use crate::build::published_pages;
use crate::day::Day;
use crate::db::{Db, series_sums};
use crate::error::Result;
use crate::network::Network;
use crate::state;
use crate::words::stem;

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct NotFoundOptions {
    /// Sites to look at; all when empty.
    pub sites: Vec<String>,
    /// First day (default: 29 days before `until`).
    pub since: Option<Day>,
    /// Last day (default: the last day with traffic).
    pub until: Option<Day>,
    /// The least 404s a path needs to be listed.
    pub min: u64,
}

/// A path that answered 404.
#[derive(Debug, Clone, Serialize)]
pub struct Missing {
    /// Its site.
    pub site: String,
    /// The path asked for (below the base path).
    pub path: String,
    /// How many times people asked for it in the period.
    pub count: u64,
    /// The page it most likely meant.
    pub suggestion: Option<Closest>,
    /// Why there is no suggestion.
    pub why: Option<String>,
}

/// The page a missing path most likely meant.
#[derive(Debug, Clone, Serialize)]
pub struct Closest {
    /// Its URL path.
    pub page: String,
    /// Its content file, relative to the network root.
    pub file: String,
    /// How alike the two are, 0 to 1.
    pub score: f64,
}

/// Below this a page is not suggested.
const MIN_SCORE: f64 = 0.45;

/// The 404 paths of the selected sites in the period, most asked first,
/// with the closest page of their site.
pub fn not_found(network: &Network, options: &NotFoundOptions) -> Result<(Day, Day, Vec<Missing>)> {
    let sites = network.select(&options.sites, None)?;
    let state = state::dir(&network.root);
    let Some(mut db) = Db::open_existing(&state)? else {
        let today = Day::today();
        return Ok((today, today, Vec::new()));
    };
    let until = match options.until {
        Some(day) => day,
        None => {
            let last: Option<i32> = db
                .conn()
                .query_row("SELECT max(day) FROM site_days", [], |r| r.get(0))
                .map_err(|e| db.error(&e))?;
            last.map_or_else(Day::today, Day)
        }
    };
    let since = options.since.unwrap_or(until.plus(-29));
    let published = published_pages(network, &sites)?;
    let mut missing = Vec::new();
    for site in sites {
        let counts = series_sums(db.conn(), &site.name, "not_found", since, until)
            .map_err(|e| db.error(&e))?;
        let pages: Vec<(&String, &String)> = published
            .get(&site.name)
            .map(|list| list.iter().map(|p| (&p.path, &p.file)).collect())
            .unwrap_or_default();
        for (path, count) in counts {
            if count < options.min.max(1) {
                continue;
            }
            let (suggestion, why) = if !looks_like_a_page(&path) {
                (
                    None,
                    Some("not a page (a file, or a scanner's probe)".to_string()),
                )
            } else if pages.is_empty() {
                (
                    None,
                    Some("the site was never built: run `grove build` first".to_string()),
                )
            } else {
                match closest(&path, &pages) {
                    Some(found) => (Some(found), None),
                    None => (None, Some("no page is close enough".to_string())),
                }
            };
            missing.push(Missing {
                site: site.name.clone(),
                path,
                count,
                suggestion,
                why,
            });
        }
    }
    missing.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then((&a.site, &a.path).cmp(&(&b.site, &b.path)))
    });
    Ok((since, until, missing))
}

/// Whether a 404 path could have been a page: no file extension other
/// than `.html`, and none of the addresses scanners try.
fn looks_like_a_page(path: &str) -> bool {
    const PROBES: &[&str] = &[
        "wp-admin",
        "wp-login",
        "wp-content",
        "wp-includes",
        "xmlrpc",
        ".env",
        ".git",
        "phpmyadmin",
        "cgi-bin",
        "admin.php",
        ".well-known",
    ];
    let lower = path.to_ascii_lowercase();
    if PROBES.iter().any(|p| lower.contains(p)) {
        return false;
    }
    let last = lower
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    !last.contains('.') || last.ends_with(".html") || last.ends_with(".htm")
}

/// The words of a path, stemmed: `/guides/Best-Grinders.html` ->
/// {guid, best, grinder}.
fn words(path: &str) -> Vec<String> {
    let path = path
        .strip_suffix(".html")
        .or_else(|| path.strip_suffix(".htm"))
        .unwrap_or(path);
    let mut words: Vec<String> = path
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| stem(&w.to_lowercase()))
        .collect();
    words.sort();
    words.dedup();
    words
}

/// How alike a missing path and a page are: shared words (Jaccard), and
/// the spelling of their last segments (typos, a changed slug), and 1 for
/// the same last segment in another folder.
fn score(missing: &str, page: &str) -> f64 {
    let last = |p: &str| {
        p.trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .trim_end_matches(".html")
            .to_lowercase()
    };
    let (a, b) = (last(missing), last(page));
    if !a.is_empty() && a == b {
        return 1.0;
    }
    let (x, y) = (words(missing), words(page));
    let shared = x.iter().filter(|w| y.contains(w)).count();
    let union = x.len() + y.len() - shared;
    let jaccard = if union == 0 {
        0.0
    } else {
        shared as f64 / union as f64
    };
    let spelling = strsim::normalized_levenshtein(&a, &b);
    jaccard.max(spelling * 0.9)
}

/// The page of `pages` (path, file) closest to `missing`.
fn closest(missing: &str, pages: &[(&String, &String)]) -> Option<Closest> {
    pages
        .iter()
        .filter(|(page, _)| page.as_str() != "/")
        .map(|(page, file)| (score(missing, page), page, file))
        .filter(|(s, _, _)| *s >= MIN_SCORE)
        .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(a.1)))
        .map(|(score, page, file)| Closest {
            page: page.to_string(),
            file: file.to_string(),
            score: (score * 100.0).round() / 100.0,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_closest_page_is_found_by_words_and_spelling() {
        let a = "/guides/dialing-in-espresso/".to_string();
        let b = "/reviews/best-grinders/".to_string();
        let file = "x.md".to_string();
        let pages = [(&a, &file), (&b, &file)];
        let moved = closest("/blog/dialing-in-espresso/", &pages).unwrap();
        assert_eq!(
            (moved.page.as_str(), moved.score),
            ("/guides/dialing-in-espresso/", 1.0)
        );
        let typo = closest("/reviews/best-grindres/", &pages).unwrap();
        assert_eq!(typo.page, "/reviews/best-grinders/");
        let words = closest("/grinders-best.html", &pages).unwrap();
        assert_eq!(words.page, "/reviews/best-grinders/");
        assert!(closest("/contact/", &pages).is_none());
        assert!(!looks_like_a_page("/wp-login.php"));
        assert!(!looks_like_a_page("/img/a.png"));
        assert!(looks_like_a_page("/old-post.html"));
    }
}

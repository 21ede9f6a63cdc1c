//! Watching affiliate destinations: every destination a built site links
//! to (directly or through `/go/<slug>/`) is fetched once, its redirects
//! followed one by one. Broken (4xx/5xx, no answer), landing on a search,
//! home or "unavailable" page, or losing the tracking tag on a redirect
//! within the shop's own domain are alerts.
//!
//! Amazon's conditions of use forbid robots and data gathering beyond
//! what a person would do; Grove asks for each Amazon link once per run,
//! one request every `amazon_interval_secs` (5 s by default), and an
//! Amazon "robot check" answer (503) is reported as unchecked, never as
//! broken. The Product Advertising API is the sanctioned way to check
//! availability at scale.

use std::collections::BTreeMap;
use std::path::Path;

use super::alerts::Kind;
use super::fetch::{Answer, Fetcher, is_amazon};
use crate::affiliate::GO_PREFIX;
use crate::html_scan::{tags, unescape};

/// One affiliate link a built site uses.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Used {
    /// The site.
    pub site: String,
    /// The registry slug.
    pub slug: String,
    /// The site's tracking values (its `[affiliate]` table) that appear
    /// in the destination's query.
    pub tags: Vec<String>,
}

/// Destination URL -> the sites and slugs linking to it.
pub type Destinations = BTreeMap<String, Vec<Used>>;

/// The destinations a built site in `dir` links to; `tag_values` are
/// the values of its `[affiliate]` table.
pub fn collect(
    site: &str,
    dir: &Path,
    base_path: &str,
    tag_values: &[String],
    into: &mut Destinations,
) {
    let go = format!("{base_path}{GO_PREFIX}");
    let mut seen = std::collections::BTreeSet::new();
    for entry in walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
    {
        if !entry.file_type().is_file() || entry.path().extension().is_none_or(|e| e != "html") {
            continue;
        }
        let Ok(html) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        if !html.contains("data-affiliate=") {
            continue;
        }
        for tag in tags(&html).filter(|t| t.name.eq_ignore_ascii_case("a")) {
            let (Some(slug), Some(href)) = (tag.attribute("data-affiliate"), tag.attribute("href"))
            else {
                continue;
            };
            let href = unescape(href);
            let destination = match href.strip_prefix(&go) {
                Some(_) => match go_destination(dir, slug) {
                    Some(url) => url,
                    None => continue,
                },
                None => href,
            };
            if seen.insert((slug.to_string(), destination.clone())) {
                let query = destination.split_once('?').map_or("", |(_, q)| q);
                let tags = tag_values
                    .iter()
                    .filter(|v| !v.is_empty() && query_values(query).any(|q| q == **v))
                    .cloned()
                    .collect();
                into.entry(destination).or_default().push(Used {
                    site: site.to_string(),
                    slug: slug.to_string(),
                    tags,
                });
            }
        }
    }
}

/// Where the built `/go/<slug>/` page sends people.
fn go_destination(dir: &Path, slug: &str) -> Option<String> {
    let html = std::fs::read_to_string(dir.join("go").join(slug).join("index.html")).ok()?;
    let refresh = tags(&html).find(|t| {
        t.name.eq_ignore_ascii_case("meta")
            && t.attribute("http-equiv")
                .is_some_and(|v| v.eq_ignore_ascii_case("refresh"))
    })?;
    let content = unescape(refresh.attribute("content")?);
    let (_, url) = content.split_once("url=")?;
    Some(url.trim().to_string())
}

/// The decoded values of a query string.
fn query_values(query: &str) -> impl Iterator<Item = String> + '_ {
    query.split('&').filter_map(|pair| {
        let value = pair.split_once('=')?.1.replace('+', " ");
        crate::html_scan::percent_decode(&value)
    })
}

/// What checking one destination found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Fine.
    Ok,
    /// Amazon answered with its robot check: not known.
    Unchecked,
    /// A problem of this kind, described.
    Problem(Kind, String),
}

/// Checks one destination.
pub async fn check(fetcher: &Fetcher, url: &str, tags: &[String]) -> Verdict {
    match fetcher.follow(url).await {
        Ok(hops) => judge(url, &hops, tags),
        Err(failure) => {
            Verdict::Problem(Kind::AffiliateBroken, format!("{url}: {}", failure.reason))
        }
    }
}

/// The verdict on the answers to `url`.
pub fn judge(url: &str, hops: &[Answer], tags: &[String]) -> Verdict {
    let last = hops.last().expect("one answer at least");
    if is_amazon(&host(&last.url)) && matches!(last.status, 503 | 429) {
        return Verdict::Unchecked;
    }
    let through = if hops.len() > 1 {
        format!(" (after redirects to {})", last.url)
    } else {
        String::new()
    };
    if last.location.is_some() {
        return Verdict::Problem(
            Kind::AffiliateBroken,
            format!("{url} redirects more than ten times"),
        );
    }
    if last.status >= 400 {
        return Verdict::Problem(
            Kind::AffiliateBroken,
            format!(
                "{url} answers HTTP {}{through}: the product or page is gone; replace the link",
                last.status
            ),
        );
    }
    let body = String::from_utf8_lossy(&last.body);
    if hops.len() > 1 && looks_unavailable(url, &last.url) {
        return Verdict::Problem(
            Kind::AffiliateUnavailable,
            format!(
                "{url} now lands on {}, a search, home or \"unavailable\" page: the product is likely gone; replace the link",
                last.url
            ),
        );
    }
    if is_amazon(&host(&last.url)) && body.contains("Currently unavailable.") {
        return Verdict::Problem(
            Kind::AffiliateUnavailable,
            format!("{url}: Amazon says \"Currently unavailable\": link another product"),
        );
    }
    let first_host = host(url);
    if let Some(hop) = hops.iter().skip(1).find(|hop| {
        same_shop(&host(&hop.url), &first_host)
            && tags.iter().any(|tag| {
                !query_values(hop.url.split_once('?').map_or("", |(_, q)| q)).any(|v| v == *tag)
            })
    }) {
        return Verdict::Problem(
            Kind::AffiliateTagLost,
            format!(
                "{url} redirects to {} without the tracking tag ({}): clicks there earn nothing; update the link in the registry",
                hop.url,
                tags.join(", ")
            ),
        );
    }
    Verdict::Ok
}

/// Whether landing on `to` from `from` means the product is gone: a
/// search, the home page, or a page named unavailable or not found.
pub fn looks_unavailable(from: &str, to: &str) -> bool {
    let path = |url: &str| -> String {
        let rest = url.split_once("://").map_or(url, |(_, r)| r);
        let path = rest.find('/').map_or("/", |i| &rest[i..]);
        path.split('#')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    let (before, after) = (path(from), path(to));
    let after_path = after.split('?').next().unwrap_or_default();
    let home =
        (after_path == "/" || after_path.is_empty()) && before.split('?').next() != Some("/");
    let words = [
        "/s",
        "/search",
        "unavailable",
        "not-found",
        "notfound",
        "no-longer-available",
        "/404",
        "discontinued",
    ];
    home || (!before.contains("search")
        && words.iter().any(|w| {
            after_path == *w
                || after_path.contains(&format!("{w}/"))
                || (w.len() > 4 && after_path.contains(w))
        }))
        || after.contains("?k=") && !before.contains("?k=")
}

fn host(url: &str) -> String {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .unwrap_or_default()
}

/// Whether two hosts belong to one shop: the same last two labels (three
/// under a country's second level, as `amazon.co.uk`).
fn same_shop(a: &str, b: &str) -> bool {
    let registrable = |host: &str| -> String {
        let labels: Vec<&str> = host.split('.').collect();
        let n = labels.len();
        let keep = if n >= 3
            && labels[n - 1].len() == 2
            && matches!(labels[n - 2], "co" | "com" | "org" | "net" | "ac" | "gov")
        {
            3
        } else {
            2
        };
        labels[n.saturating_sub(keep)..].join(".")
    };
    registrable(a) == registrable(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(url: &str, status: u16, location: Option<&str>, body: &str) -> Answer {
        Answer {
            url: url.into(),
            status,
            location: location.map(str::to_string),
            body: body.as_bytes().to_vec(),
            certificate_expires: None,
        }
    }

    #[test]
    fn verdicts() {
        let tags = vec!["mysite-20".to_string()];
        let url = "https://www.amazon.com/dp/B01?tag=mysite-20";
        let fine = [
            answer(
                url,
                301,
                Some("https://www.amazon.com/Grinder/dp/B01?tag=mysite-20"),
                "",
            ),
            answer(
                "https://www.amazon.com/Grinder/dp/B01?tag=mysite-20",
                200,
                None,
                "Add to cart",
            ),
        ];
        assert_eq!(judge(url, &fine, &tags), Verdict::Ok);
        let stripped = [
            answer(url, 301, Some("https://www.amazon.com/Grinder/dp/B01"), ""),
            answer("https://www.amazon.com/Grinder/dp/B01", 200, None, ""),
        ];
        assert!(matches!(
            judge(url, &stripped, &tags),
            Verdict::Problem(Kind::AffiliateTagLost, _)
        ));
        let robot = [answer(url, 503, None, "Robot Check")];
        assert_eq!(judge(url, &robot, &tags), Verdict::Unchecked);
        let gone = [answer(url, 404, None, "")];
        assert!(matches!(
            judge(url, &gone, &tags),
            Verdict::Problem(Kind::AffiliateBroken, _)
        ));
        let search = [
            answer(
                url,
                302,
                Some("https://www.amazon.com/s?k=grinder&tag=mysite-20"),
                "",
            ),
            answer(
                "https://www.amazon.com/s?k=grinder&tag=mysite-20",
                200,
                None,
                "",
            ),
        ];
        assert!(matches!(
            judge(url, &search, &tags),
            Verdict::Problem(Kind::AffiliateUnavailable, _)
        ));
        let unavailable = [answer(
            url,
            200,
            None,
            "<span>Currently unavailable.</span>",
        )];
        assert!(matches!(
            judge(url, &unavailable, &tags),
            Verdict::Problem(Kind::AffiliateUnavailable, _)
        ));
        // A network's redirector may drop the tag on the way to the shop.
        let network = "https://www.awin1.com/cread.php?awinaffid=123&ued=x";
        let hops = [
            answer(network, 302, Some("https://shop.example/p/1?awc=abc"), ""),
            answer("https://shop.example/p/1?awc=abc", 200, None, ""),
        ];
        assert_eq!(judge(network, &hops, &["123".to_string()]), Verdict::Ok);
    }

    #[test]
    fn unavailable_landings() {
        assert!(looks_unavailable(
            "https://shop.test/p/grinder",
            "https://shop.test/"
        ));
        assert!(looks_unavailable(
            "https://shop.test/p/grinder",
            "https://shop.test/search?q=grinder"
        ));
        assert!(looks_unavailable(
            "https://shop.test/p/grinder",
            "https://shop.test/product-unavailable"
        ));
        assert!(!looks_unavailable(
            "https://shop.test/p/grinder",
            "https://shop.test/products/grinder-2"
        ));
        assert!(!looks_unavailable(
            "https://shop.test/",
            "https://shop.test/"
        ));
    }

    #[test]
    fn shops() {
        assert!(same_shop("www.amazon.co.uk", "amazon.co.uk"));
        assert!(!same_shop("amazon.co.uk", "amazon.com"));
        assert!(same_shop("smile.amazon.com", "www.amazon.com"));
    }
}

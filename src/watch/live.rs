//! Watching the live site: the home page, a sample of pages and the
//! sitemap answer 200 with the titles the build holds, the TLS
//! certificate is not about to expire, and search engines' crawlers are
//! let in (robots.txt, and the home page asked for as Googlebot).

use std::path::{Path, PathBuf};

use super::alerts::{Finding, Kind};
use super::fetch::{Answer, Fetcher, GOOGLEBOT};
use crate::day::Day;
use crate::html_scan::unescape;

/// A built site to compare the live one with.
#[derive(Debug, Clone)]
pub struct LiveSite {
    /// The site.
    pub name: String,
    /// Its `base_url`, ending in `/`.
    pub base_url: String,
    /// Its built output.
    pub dir: PathBuf,
}

/// What to check and against what.
#[derive(Debug, Clone, Copy)]
pub struct LiveRules {
    /// Pages sampled besides the home page.
    pub sample_pages: usize,
    /// An alert when the certificate expires within this many days.
    pub certificate_days: i64,
    /// Now, in Unix seconds.
    pub now: i64,
    /// The day (picks which pages are sampled, so that every page is
    /// fetched over a few days).
    pub day: Day,
}

/// Checks one site.
pub async fn check(fetcher: &Fetcher, site: &LiveSite, rules: LiveRules) -> Vec<Finding> {
    let mut findings = Vec::new();
    let finding = |kind, subject: &str, message: String| Finding {
        site: site.name.clone(),
        kind,
        subject: subject.to_string(),
        message,
    };
    let Some(home) = page(fetcher, site, "", &mut findings).await else {
        // One alert for a site that does not answer, not one per page.
        return findings;
    };
    {
        if let Some(expires) = home.certificate_expires {
            let days = (expires - rules.now).div_euclid(86_400);
            if days < rules.certificate_days {
                findings.push(finding(
                    Kind::Certificate,
                    &site.base_url,
                    format!(
                        "the TLS certificate of {} expires on {} ({days} days): renew it (or check the host's automatic renewal)",
                        site.base_url,
                        Day::from_unix(expires)
                    ),
                ));
            }
        }
        let as_google = fetcher.get(&site.base_url, Some(GOOGLEBOT)).await;
        if let Ok(answer) = as_google
            && matches!(answer.status, 401 | 403 | 429 | 503)
        {
            findings.push(finding(
                Kind::CrawlerBlocked,
                &format!("{} as Googlebot", site.base_url),
                format!(
                    "{} answers {} to Googlebot's user agent and 200 to others: the host's bot protection or firewall turns search engines away",
                    site.base_url, answer.status
                ),
            ));
        }
    }
    let pages = sample(&site.dir, rules.sample_pages, rules.day);
    for path in &pages {
        page(fetcher, site, path, &mut findings).await;
    }
    sitemap(fetcher, site, &mut findings).await;
    robots(fetcher, site, &pages, &mut findings).await;
    findings
}

/// Fetches the page at `path` (below the base URL) and compares its
/// title with the built file's.
async fn page(
    fetcher: &Fetcher,
    site: &LiveSite,
    path: &str,
    findings: &mut Vec<Finding>,
) -> Option<Answer> {
    let url = format!("{}{path}", site.base_url);
    let answer = fetch_ok(fetcher, site, &url, findings).await?;
    let built = std::fs::read_to_string(local_file(&site.dir, path)).unwrap_or_default();
    let expected = title(&built);
    let live = title(&String::from_utf8_lossy(&answer.body));
    if expected.is_some() && expected != live {
        findings.push(Finding {
            site: site.name.clone(),
            kind: Kind::WrongContent,
            subject: url.clone(),
            message: format!(
                "{url} shows the title {} where the build has {}: deploy again (`grove deploy --site {}`), or check what the host serves",
                quoted(live.as_deref()),
                quoted(expected.as_deref()),
                site.name
            ),
        });
    }
    Some(answer)
}

/// Follows `url`; a final answer other than 200 (or none) is a finding.
async fn fetch_ok(
    fetcher: &Fetcher,
    site: &LiveSite,
    url: &str,
    findings: &mut Vec<Finding>,
) -> Option<Answer> {
    let problem = match fetcher.follow(url).await {
        Ok(mut hops) => {
            let last = hops.pop().expect("one answer at least");
            if last.status == 200 {
                // The certificate is the first host's.
                let certificate = hops.first().and_then(|h| h.certificate_expires);
                return Some(Answer {
                    certificate_expires: certificate.or(last.certificate_expires),
                    ..last
                });
            }
            if last.location.is_some() {
                format!("redirects more than ten times (last to {})", last.url)
            } else {
                format!("answers HTTP {}", last.status)
            }
        }
        Err(failure) => failure.reason,
    };
    findings.push(Finding {
        site: site.name.clone(),
        kind: Kind::SiteDown,
        subject: url.to_string(),
        message: format!("{url} {problem}"),
    });
    None
}

async fn sitemap(fetcher: &Fetcher, site: &LiveSite, findings: &mut Vec<Finding>) {
    let Ok(built) = std::fs::read_to_string(site.dir.join("sitemap.xml")) else {
        return;
    };
    let url = format!("{}sitemap.xml", site.base_url);
    let Some(answer) = fetch_ok(fetcher, site, &url, findings).await else {
        return;
    };
    let live = String::from_utf8_lossy(&answer.body);
    let (expected, got) = (locations(&built), locations(&live));
    if expected != got {
        findings.push(Finding {
            site: site.name.clone(),
            kind: Kind::WrongContent,
            subject: url.clone(),
            message: format!(
                "{url} lists {} addresses where the build's lists {}: deploy again (`grove deploy --site {}`)",
                got.len(),
                expected.len(),
                site.name
            ),
        });
    }
}

/// Search engines' crawlers whose robots.txt verdicts are checked.
const ROBOTS_CRAWLERS: [&str; 2] = ["Googlebot", "Bingbot"];

/// Pages named in a robots.txt finding, at most.
const ROBOTS_NAMED: usize = 5;

/// The live robots.txt must not disallow to a search engine's crawler
/// the home page or sampled `pages` that the build's robots.txt allows.
async fn robots(fetcher: &Fetcher, site: &LiveSite, pages: &[String], findings: &mut Vec<Finding>) {
    let url = format!("{}robots.txt", site.base_url);
    let Ok(answer) = fetcher.get(&url, None).await else {
        return;
    };
    if answer.status != 200 {
        return;
    }
    let live = String::from_utf8_lossy(&answer.body);
    let built = std::fs::read_to_string(site.dir.join("robots.txt")).unwrap_or_default();
    let checked: Vec<String> = std::iter::once(String::new())
        .chain(pages.iter().cloned())
        .collect();
    for crawler in ROBOTS_CRAWLERS {
        let allowed_by_build = disallowed(&built, crawler, &site.base_url, &checked);
        let newly: Vec<&str> = disallowed(&live, crawler, &site.base_url, &checked)
            .into_iter()
            .filter(|path| !allowed_by_build.contains(path))
            .collect();
        if newly.is_empty() {
            continue;
        }
        let what = if newly.len() == checked.len() {
            "the whole site".to_string()
        } else {
            let named: Vec<String> = newly
                .iter()
                .take(ROBOTS_NAMED)
                .map(|path| format!("/{path}"))
                .collect();
            format!(
                "{} of the {} pages checked ({})",
                newly.len(),
                checked.len(),
                named.join(", ")
            )
        };
        findings.push(Finding {
            site: site.name.clone(),
            kind: Kind::CrawlerBlocked,
            subject: format!("{url} {crawler}"),
            message: format!(
                "{url} disallows {what} to {crawler}, which the build's robots.txt does not: a staging robots.txt went live, or the host writes its own"
            ),
        });
    }
}

/// Which of `paths` (below `base_url`) robots.txt `text` disallows to
/// `crawler`, as Google reads robots.txt: its own parser and matcher,
/// ported to Rust (the `robotstxt` crate: user-agent tokens, the groups
/// that apply, longest match, `*` and `$`, a byte order mark, and the
/// typos Google forgives, such as `disalow`).
pub fn disallowed<'p>(
    text: &str,
    crawler: &str,
    base_url: &str,
    paths: &'p [String],
) -> Vec<&'p str> {
    let text = readable(text);
    paths
        .iter()
        .filter(|path| {
            let url = format!("{base_url}{path}");
            // The matcher wants URLs percent-encoded.
            let url = reqwest::Url::parse(&url).map_or(url, String::from);
            !robotstxt::DefaultMatcher::default().one_agent_allowed_by_robots(&text, crawler, &url)
        })
        .map(String::as_str)
        .collect()
}

/// Bytes of a robots.txt line Google reads; the rest is ignored.
const ROBOTS_LINE_BYTES: usize = 2083 * 8 - 2;

/// `text` as the `robotstxt` port reads it safely, meaning what Google's
/// parser makes of it: without a byte order mark (the port compares
/// characters with the mark's bytes and keeps it) and with each line cut
/// at [`ROBOTS_LINE_BYTES`] on a character boundary (the port cuts
/// longer lines by characters and then slices bytes inside one: a panic).
fn readable(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive(['\n', '\r']) {
        let (body, ending) = match line.char_indices().last() {
            Some((at, '\n' | '\r')) => line.split_at(at),
            _ => (line, ""),
        };
        let mut cut = body.len().min(ROBOTS_LINE_BYTES);
        while !body.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&body[..cut]);
        out.push_str(ending);
    }
    out
}

/// Every `<loc>` of a sitemap, sorted.
fn locations(xml: &str) -> Vec<String> {
    let mut locations: Vec<String> = xml
        .split("<loc>")
        .skip(1)
        .filter_map(|rest| rest.split("</loc>").next())
        .map(|loc| loc.trim().to_string())
        .collect();
    locations.sort();
    locations
}

/// The `<title>` text of an HTML page, whitespace collapsed.
pub fn title(html: &str) -> Option<String> {
    let start = html.find("<title")?;
    let open_end = start + html[start..].find('>')? + 1;
    let close = open_end + html[open_end..].find("</title>")?;
    let text = unescape(&html[open_end..close]);
    Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn quoted(text: Option<&str>) -> String {
    text.map_or("(none)".to_string(), |t| format!("\"{t}\""))
}

/// The built file of the page at `path`.
fn local_file(dir: &Path, path: &str) -> PathBuf {
    if path.is_empty() || path.ends_with('/') {
        dir.join(path).join("index.html")
    } else {
        dir.join(path)
    }
}

/// `count` page paths of the built site (its sitemap's, else its HTML
/// files'), spread over the list; which ones turns with `day`.
pub fn sample(dir: &Path, count: usize, day: Day) -> Vec<String> {
    let mut pages: Vec<String> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(std::result::Result::ok)
        .filter(|e| e.file_type().is_file() && e.file_name() == "index.html")
        .filter_map(|e| {
            let rel = e
                .path()
                .parent()?
                .strip_prefix(dir)
                .ok()?
                .to_string_lossy()
                .replace('\\', "/");
            (!rel.is_empty()).then(|| format!("{rel}/"))
        })
        .filter(|path| {
            !path.starts_with("go/") && !path.contains("/page/") && !path.starts_with("page/")
        })
        .filter(|path| {
            // Redirect pages (aliases) say nothing about the site.
            std::fs::read_to_string(dir.join(path).join("index.html"))
                .map(|html| !html.contains("http-equiv=\"refresh\""))
                .unwrap_or(false)
        })
        .collect();
    pages.sort();
    if pages.len() <= count {
        return pages;
    }
    let stride = pages.len() / count.max(1);
    let offset = day.0.rem_euclid(stride as i32) as usize;
    (0..count)
        .map(|i| pages[offset + i * stride].clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robots_txt_is_read_as_google_reads_it() {
        let base = "https://a.example/blog/";
        let paths: Vec<String> = ["", "guides/kettles/", "reviews/ä/"]
            .map(String::from)
            .to_vec();
        let blocked = |text: &str, crawler: &str| disallowed(text, crawler, base, &paths);
        let all = ["", "guides/kettles/", "reviews/ä/"];
        assert_eq!(blocked("User-agent: *\nDisallow: /\n", "Googlebot"), all);
        assert!(blocked("User-agent: *\nDisallow: /private/\n", "Googlebot").is_empty());
        // Googlebot's own group wins over `*`.
        let own = "User-agent: *\nDisallow: /\n\nUser-agent: Googlebot\nDisallow:\n";
        assert!(blocked(own, "Googlebot").is_empty());
        assert_eq!(blocked(own, "Bingbot"), all);
        // Several agents in one group; comments; a version after the token.
        let shared = "User-agent: GPTBot\nUser-agent: googlebot/2.1 # ours\nDisallow: / \n";
        assert_eq!(blocked(shared, "Googlebot"), all);
        // What a line-by-line reading missed: wildcards, a byte order
        // mark, a typo Google forgives, a section.
        assert_eq!(blocked("User-agent: *\nDisallow: /*\n", "Googlebot"), all);
        assert_eq!(
            blocked("\u{feff}User-agent: *\nDisallow: /\n", "Googlebot"),
            all
        );
        assert_eq!(blocked("User-agent: *\nDisalow: /\n", "Googlebot"), all);
        assert_eq!(
            blocked("User-agent: *\nDisallow: /blog/guides/\n", "Googlebot"),
            ["guides/kettles/"]
        );
        // Only the home page allowed: everything else is blocked.
        assert_eq!(
            blocked("User-agent: *\nAllow: /blog/$\nDisallow: /\n", "Googlebot"),
            ["guides/kettles/", "reviews/ä/"]
        );
        assert!(blocked("", "Googlebot").is_empty());
        // A line longer than Google reads, of two-byte characters: what
        // Google ignores is cut, and nothing panics.
        let long = format!(
            "User-agent: *\nDisallow: /{}\nDisallow: /\n",
            "é".repeat(20_000)
        );
        assert_eq!(blocked(&long, "Googlebot"), all);
        // Lines ended by carriage returns alone are lines too.
        let old_mac = format!("User-agent: *\r# {}\rDisallow: /\r", "x".repeat(20_000));
        assert_eq!(blocked(&old_mac, "Googlebot"), all);
    }

    proptest::proptest! {
        /// Whatever a host serves as robots.txt, reading it never panics.
        #[test]
        fn any_robots_txt_is_read(text in "(?s).{0,400}", lines in proptest::collection::vec("(User-agent|Disallow|Allow|Sitemap): ?[*/$a-zé?#]{0,12}", 0..12), long in 16_000usize..17_000, wide in "[éa\u{feff}\r]") {
            let paths = vec![String::new(), "a/é/".to_string()];
            disallowed(&text, "Googlebot", "https://a.example/", &paths);
            disallowed(&lines.join("\n"), "Bingbot", "https://a.example/", &paths);
            let line = format!("\u{feff}Disallow: /{}\r\n{text}", wide.repeat(long / 2));
            disallowed(&line, "Googlebot", "https://a.example/", &paths);
        }
    }

    #[test]
    fn titles_and_locations() {
        assert_eq!(
            title("<html><head><title>\n  Tom &amp; Jerry\n</title>").as_deref(),
            Some("Tom & Jerry")
        );
        assert_eq!(title("<p>none</p>"), None);
        assert_eq!(
            locations("<url><loc>b</loc></url><url><loc> a </loc></url>"),
            ["a", "b"]
        );
    }

    #[test]
    fn samples_spread_and_turn() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..10 {
            let page = dir.path().join(format!("p{i}"));
            std::fs::create_dir_all(&page).unwrap();
            std::fs::write(page.join("index.html"), "<title>x</title>").unwrap();
        }
        let moved = dir.path().join("old");
        std::fs::create_dir_all(&moved).unwrap();
        std::fs::write(
            moved.join("index.html"),
            "<meta http-equiv=\"refresh\" content=\"0; url=/p1/\">",
        )
        .unwrap();
        let monday = sample(dir.path(), 3, Day(0));
        assert_eq!(monday.len(), 3);
        assert!(!monday.contains(&"old/".to_string()));
        let tuesday = sample(dir.path(), 3, Day(1));
        assert_ne!(monday, tuesday);
        assert_eq!(sample(dir.path(), 20, Day(0)).len(), 10);
    }
}

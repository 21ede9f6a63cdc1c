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
    for path in sample(&site.dir, rules.sample_pages, rules.day) {
        page(fetcher, site, &path, &mut findings).await;
    }
    sitemap(fetcher, site, &mut findings).await;
    robots(fetcher, site, &mut findings).await;
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

async fn robots(fetcher: &Fetcher, site: &LiveSite, findings: &mut Vec<Finding>) {
    let url = format!("{}robots.txt", site.base_url);
    let Ok(answer) = fetcher.get(&url, None).await else {
        return;
    };
    if answer.status != 200 {
        return;
    }
    let built = std::fs::read_to_string(site.dir.join("robots.txt")).unwrap_or_default();
    for crawler in ["Googlebot", "Bingbot"] {
        if blocks_everything(&String::from_utf8_lossy(&answer.body), crawler)
            && !blocks_everything(&built, crawler)
        {
            findings.push(Finding {
                site: site.name.clone(),
                kind: Kind::CrawlerBlocked,
                subject: format!("{url} {crawler}"),
                message: format!(
                    "{url} disallows the whole site to {crawler}, which the build's robots.txt does not: a staging robots.txt went live, or the host writes its own"
                ),
            });
        }
    }
}

/// A robots.txt group: its user agents (lowercased) and its rules.
type RobotsGroup = (Vec<String>, Vec<(String, String)>);

/// Whether robots.txt `text` disallows `/` to `crawler`: in the group
/// naming it, or else in the `*` group (RFC 9309 §2.2.1).
pub fn blocks_everything(text: &str, crawler: &str) -> bool {
    let crawler = crawler.to_ascii_lowercase();
    let mut groups: Vec<RobotsGroup> = Vec::new();
    let mut in_agents = false;
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or_default().trim();
        let Some((field, value)) = line.split_once(':') else {
            continue;
        };
        let (field, value) = (field.trim().to_ascii_lowercase(), value.trim().to_string());
        if field == "user-agent" {
            if !in_agents {
                groups.push((Vec::new(), Vec::new()));
            }
            in_agents = true;
            if let Some(group) = groups.last_mut() {
                group.0.push(value.to_ascii_lowercase());
            }
        } else if field == "allow" || field == "disallow" {
            in_agents = false;
            if let Some(group) = groups.last_mut() {
                group.1.push((field, value));
            }
        }
    }
    let own: Vec<_> = groups
        .iter()
        .filter(|(agents, _)| agents.contains(&crawler))
        .collect();
    let applying = if own.is_empty() {
        groups
            .iter()
            .filter(|(agents, _)| agents.iter().any(|a| a == "*"))
            .collect()
    } else {
        own
    };
    let rules: Vec<&(String, String)> = applying.iter().flat_map(|(_, rules)| rules).collect();
    rules
        .iter()
        .any(|(field, value)| field == "disallow" && value == "/")
        && !rules
            .iter()
            .any(|(field, value)| field == "allow" && !value.is_empty())
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
    fn robots_groups() {
        assert!(blocks_everything(
            "User-agent: *\nDisallow: /\n",
            "Googlebot"
        ));
        assert!(!blocks_everything(
            "User-agent: *\nDisallow: /private/\n",
            "Googlebot"
        ));
        // Googlebot's own group wins over `*`.
        let own = "User-agent: *\nDisallow: /\n\nUser-agent: Googlebot\nDisallow:\n";
        assert!(!blocks_everything(own, "Googlebot"));
        assert!(blocks_everything(own, "Bingbot"));
        // Several agents in one group; comments.
        let shared = "User-agent: GPTBot\nUser-agent: googlebot # ours\nDisallow: / \n";
        assert!(blocks_everything(shared, "Googlebot"));
        assert!(!blocks_everything("", "Googlebot"));
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

//! The dashboard page: one HTML document, styles and script inline.

use super::destination::SIGNATURE;
use std::fmt::Write;

use super::Dashboard;
use super::chart::{BarRow, Line, bar_table, line_chart, number};
use crate::day::Day;
use crate::html_escape::escape_html;
use crate::report::{Count, Report, SiteReport, Totals};

/// How many rows the top lists show (the rest is in `grove report --json`).
const TOP: usize = 10;

const STYLE: &str = include_str!("style.css");
const SCRIPT: &str = include_str!("sort.js");

/// The whole page.
pub fn page(d: &Dashboard) -> String {
    let r = &d.report;
    let mut html = String::with_capacity(64 * 1024 + r.sites.len() * 8 * 1024);
    let _ = write!(
        html,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"color-scheme\" content=\"light dark\">\n<title>{} dashboard, {} to {}</title>\n{SIGNATURE}\n<meta name=\"robots\" content=\"noindex, nofollow\">\n<link rel=\"icon\" href=\"data:,\">\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape_html(&d.name),
        r.period.since,
        r.period.until
    );
    let _ = write!(
        html,
        "<header><h1>{}</h1><p>{} to {} ({} days), compared with the {} days before. Revenue in {}.</p></header>\n<main>\n",
        escape_html(&d.name),
        r.period.since,
        r.period.until,
        r.period.days,
        d.previous_period.days,
        escape_html(&r.currency)
    );
    empty_state(&mut html, r);
    totals(&mut html, d);
    sites_table(&mut html, d);
    money(&mut html, r);
    top_pages(&mut html, r);
    products(&mut html, r);
    crawlers(&mut html, r);
    drafting(&mut html, d);
    each_site(&mut html, r);
    html.push_str("</main>\n<footer><p>Made by <code>grove dashboard</code>. Every figure, with the full lists, is in <code>grove report --json</code>.</p></footer>\n");
    let _ = write!(html, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
    html
}

fn days(r: &Report) -> Vec<Day> {
    (0..r.period.days).map(|i| r.period.since.plus(i)).collect()
}

fn empty_state(html: &mut String, r: &Report) {
    if r.has_stats && r.has_revenue {
        return;
    }
    html.push_str("<section class=\"notice\" aria-labelledby=\"start\"><h2 id=\"start\">Getting started</h2><ul>");
    if !r.has_stats {
        html.push_str("<li>No traffic yet: import your host's access logs with <code>grove stats import access.log</code> (Apache, nginx, CloudFront, Cloudflare and Caddy logs; see <code>grove stats import --help</code>).</li>");
    }
    if !r.has_revenue {
        html.push_str("<li>No earnings yet: import a report with <code>grove revenue import --format amazon earnings.csv</code> (or <code>impact</code>, <code>adsense</code>, <code>csv</code>; see <code>grove revenue import --help</code>).</li>");
    }
    html.push_str("<li>Broken links come from the last <code>grove check</code>, audit findings from the last <code>grove audit</code>, pages and drafts from the last <code>grove build</code>.</li></ul></section>\n");
}

/// A figure against the previous period's: "up 12% from 1,100".
fn change(now: f64, before: f64, money: bool) -> String {
    let shown = |v: f64| if money { format!("{v:.2}") } else { number(v) };
    if before == 0.0 && now == 0.0 {
        return "<span class=\"delta\">no change</span>".into();
    }
    if before == 0.0 {
        return "<span class=\"delta up\">new this period</span>".into();
    }
    let percent = (now - before) / before.abs() * 100.0;
    let (class, arrow, word) = if percent >= 0.0 {
        ("up", "▲", "up")
    } else {
        ("down", "▼", "down")
    };
    format!(
        "<span class=\"delta {class}\"><span aria-hidden=\"true\">{arrow}</span> {word} {:.0}% from {}</span>",
        percent.abs(),
        shown(before)
    )
}

fn totals(html: &mut String, d: &Dashboard) {
    let (now, before) = (&d.report.network, &d.previous);
    let currency = escape_html(&d.report.currency);
    html.push_str(
        "<section aria-labelledby=\"network\"><h2 id=\"network\">Network</h2><dl class=\"cards\">",
    );
    let mut card = |label: &str, value: String, delta: String| {
        let _ = write!(
            html,
            "<div><dt>{label}</dt><dd><span class=\"value\">{value}</span> {delta}</dd></div>"
        );
    };
    card(
        "Views",
        number(now.views as f64),
        change(now.views as f64, before.views as f64, false),
    );
    card(
        "Visitors",
        number(now.visitors as f64),
        change(now.visitors as f64, before.visitors as f64, false),
    );
    card(
        "Clicks",
        number(now.clicks as f64),
        change(now.clicks as f64, before.clicks as f64, false),
    );
    card(
        "Revenue",
        format!("{:.2} {currency}", now.revenue),
        change(now.revenue, before.revenue, true),
    );
    card(
        "LLM spend",
        format!("{:.2} USD", now.spend),
        change(now.spend, before.spend, true),
    );
    let roi = |t: &Totals| {
        t.roi
            .map_or("–".to_string(), |r| format!("{:.0}%", r * 100.0))
    };
    let roi_change = match (now.roi, before.roi) {
        (Some(_), Some(_)) => format!("<span class=\"delta\">{} before</span>", roi(before)),
        _ => String::new(),
    };
    card("ROI", roi(now), roi_change);
    html.push_str("</dl>");
    let r = &d.report;
    let lines = [
        Line {
            name: "Views",
            class: "c1",
            values: r.daily.iter().map(|d| d.views as f64).collect(),
        },
        Line {
            name: "Clicks",
            class: "c2",
            values: r.daily.iter().map(|d| d.clicks as f64).collect(),
        },
    ];
    html.push_str(&line_chart(
        "Views and clicks per day, whole network",
        &days(r),
        &lines,
        true,
    ));
    html.push_str("</section>\n");
}

fn ratio(value: Option<f64>, percent: bool) -> (String, String) {
    match value {
        None => ("–".into(), "-1".into()),
        Some(v) if percent => (format!("{:.1}%", v * 100.0), format!("{v}")),
        Some(v) => (format!("{v:.2}"), format!("{v}")),
    }
}

fn sites_table(html: &mut String, d: &Dashboard) {
    let r = &d.report;
    html.push_str("<section aria-labelledby=\"sites\"><h2 id=\"sites\">Sites</h2><div class=\"scroll\"><table class=\"sortable\" id=\"sites-table\"><caption>One row per site. Select a heading to sort by it.</caption><thead><tr>");
    let headings = [
        "Site",
        "Pages",
        "Drafts",
        "Broken links",
        "Audit errors / warnings",
        "Views",
        "Clicks",
        "CTR",
        "Revenue",
        "EPC",
        "RPM",
        "Spend",
        "ROI",
    ];
    for (i, heading) in headings.iter().enumerate() {
        let class = if i == 0 { "" } else { " class=\"num\"" };
        let _ = write!(
            html,
            "<th scope=\"col\"{class}><button type=\"button\">{heading}</button></th>"
        );
    }
    html.push_str("</tr></thead><tbody>");
    for site in &r.sites {
        let t = &site.totals;
        let check = d.checks.sites.get(&site.site);
        let audit = match d.audits.sites.get(&site.site) {
            Some(a) => (
                format!("{} / {}", a.errors, a.warnings),
                (a.errors * 1_000_000 + a.warnings).to_string(),
            ),
            None => ("–".to_string(), "-1".to_string()),
        };
        let count = |n: Option<usize>| match n {
            Some(n) => (n.to_string(), n.to_string()),
            None => ("–".to_string(), "-1".to_string()),
        };
        let cells = [
            count(t.pages_published),
            count(t.drafts),
            count(check.map(|c| c.broken())),
            audit,
            (number(t.views as f64), t.views.to_string()),
            (number(t.clicks as f64), t.clicks.to_string()),
            ratio(t.ctr, true),
            (format!("{:.2}", t.revenue), format!("{}", t.revenue)),
            ratio(t.epc, false),
            ratio(t.rpm, false),
            (format!("{:.2}", t.spend), format!("{}", t.spend)),
            ratio(t.roi, true),
        ];
        let _ = write!(
            html,
            "<tr><th scope=\"row\" data-sort=\"{0}\"><a href=\"#site-{0}\">{0}</a></th>",
            escape_html(&site.site)
        );
        for (shown, sort) in cells {
            let _ = write!(html, "<td class=\"num\" data-sort=\"{sort}\">{shown}</td>");
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table></div></section>\n");
}

fn money(html: &mut String, r: &Report) {
    let mut sites: Vec<&SiteReport> = r.sites.iter().collect();
    sites.sort_by(|a, b| {
        (b.totals.revenue + b.totals.spend).total_cmp(&(a.totals.revenue + a.totals.spend))
    });
    let rows: Vec<BarRow> = sites
        .iter()
        .take(2 * TOP)
        .map(|s| BarRow {
            label: escape_html(&s.site),
            cells: vec![
                format!("{:.2}", s.totals.revenue),
                format!("{:.2}", s.totals.spend),
            ],
            bars: vec![("c3", s.totals.revenue), ("c4", s.totals.spend)],
        })
        .collect();
    html.push_str("<section aria-labelledby=\"money\"><h2 id=\"money\">Revenue and LLM spend</h2>");
    let title = format!(
        "Revenue ({}) against LLM spend (USD) per site, the {} sites with the most",
        r.currency,
        rows.len()
    );
    html.push_str(&bar_table(&title, "Site", &["Revenue", "Spend"], &rows));
    html.push_str("</section>\n");
}

/// Every page of the network with its site, for the top lists.
fn all_pages(r: &Report) -> Vec<(&str, &crate::report::PageRow)> {
    r.sites
        .iter()
        .flat_map(|s| s.pages.iter().map(move |p| (s.site.as_str(), p)))
        .collect()
}

fn top_pages(html: &mut String, r: &Report) {
    let mut pages = all_pages(r);
    html.push_str(
        "<section aria-labelledby=\"pages\"><h2 id=\"pages\">Top pages</h2><div class=\"pair\">",
    );
    pages.sort_by(|a, b| b.1.views.cmp(&a.1.views).then(a.1.path.cmp(&b.1.path)));
    let rows = |pages: &[(&str, &crate::report::PageRow)], clicks: bool| -> Vec<BarRow> {
        pages
            .iter()
            .take(TOP)
            .filter(|(_, p)| if clicks { p.clicks > 0 } else { p.views > 0 })
            .map(|(site, p)| {
                let value = if clicks { p.clicks } else { p.views };
                BarRow {
                    label: format!(
                        "{} <span class=\"path\">{}</span>",
                        escape_html(site),
                        escape_html(&p.path)
                    ),
                    cells: vec![number(value as f64)],
                    bars: vec![(if clicks { "c2" } else { "c1" }, value as f64)],
                }
            })
            .collect()
    };
    html.push_str(&bar_table(
        "The 10 pages with the most views",
        "Page",
        &["Views"],
        &rows(&pages, false),
    ));
    pages.sort_by(|a, b| b.1.clicks.cmp(&a.1.clicks).then(a.1.path.cmp(&b.1.path)));
    html.push_str(&bar_table(
        "The 10 pages with the most clicks",
        "Page",
        &["Clicks"],
        &rows(&pages, true),
    ));
    html.push_str("</div></section>\n");
}

fn products(html: &mut String, r: &Report) {
    let mut products: Vec<(&str, &crate::report::ProductRow)> = r
        .sites
        .iter()
        .flat_map(|s| s.products.iter().map(move |p| (s.site.as_str(), p)))
        .filter(|(_, p)| p.epc.is_some())
        .collect();
    products.sort_by(|a, b| {
        b.1.epc
            .unwrap_or(0.0)
            .total_cmp(&a.1.epc.unwrap_or(0.0))
            .then(b.1.clicks.cmp(&a.1.clicks))
    });
    let rows: Vec<BarRow> = products
        .iter()
        .take(TOP)
        .map(|(site, p)| BarRow {
            label: format!(
                "{} <span class=\"path\">{}</span>",
                escape_html(&p.slug),
                escape_html(site)
            ),
            cells: vec![
                format!("{:.2}", p.epc.unwrap_or(0.0)),
                format!("{:.2}", p.revenue),
                number(p.clicks as f64),
            ],
            bars: vec![("c3", p.epc.unwrap_or(0.0))],
        })
        .collect();
    html.push_str("<section aria-labelledby=\"products\"><h2 id=\"products\">Products</h2>");
    if rows.is_empty() {
        html.push_str("<p>No product has clicks in this period yet.</p>");
    } else {
        let title = format!(
            "The products earning the most per click (EPC, {})",
            r.currency
        );
        html.push_str(&bar_table(
            &title,
            "Product",
            &["EPC", "Revenue", "Clicks"],
            &rows,
        ));
    }
    html.push_str("</section>\n");
}

fn crawlers(html: &mut String, r: &Report) {
    const CLASSES: [&str; 6] = ["c1", "c2", "c3", "c4", "c5", "c6"];
    let mut lines: Vec<Line<'_>> = r
        .crawlers_daily
        .iter()
        .take(5)
        .zip(CLASSES)
        .map(|(c, class)| Line {
            name: &c.name,
            class,
            values: c.counts.iter().map(|&n| n as f64).collect(),
        })
        .collect();
    if r.crawlers_daily.len() > 5 {
        let mut rest = vec![0.0; r.period.days as usize];
        for c in &r.crawlers_daily[5..] {
            for (sum, n) in rest.iter_mut().zip(&c.counts) {
                *sum += *n as f64;
            }
        }
        lines.push(Line {
            name: "All others",
            class: "c6",
            values: rest,
        });
    }
    html.push_str("<section aria-labelledby=\"crawlers\"><h2 id=\"crawlers\">Crawlers</h2>");
    if lines.is_empty() {
        html.push_str("<p>No crawler requests in this period.</p>");
    } else {
        html.push_str(&line_chart(
            "Crawler requests per day, by crawler",
            &days(r),
            &lines,
            true,
        ));
    }
    html.push_str("</section>\n");
}

fn drafting(html: &mut String, d: &Dashboard) {
    let rows: Vec<BarRow> = d
        .pipelines
        .iter()
        .map(|p| BarRow {
            label: escape_html(&p.site),
            cells: vec![
                p.proposed.to_string(),
                p.planned.to_string(),
                p.drafted.to_string(),
                p.approved.to_string(),
            ],
            bars: vec![
                ("c4", p.proposed as f64),
                ("c5", p.planned as f64),
                ("c6", p.drafted as f64),
                ("c3", p.approved as f64),
            ],
        })
        .collect();
    html.push_str("<section aria-labelledby=\"drafting\"><h2 id=\"drafting\">Drafting</h2>");
    html.push_str(&bar_table(
        "Briefs per site: proposed (waiting to be accepted), planned (no file yet), drafted (waiting for review), approved",
        "Site",
        &["Proposed", "Planned", "Drafted", "Approved"],
        &rows,
    ));
    html.push_str("</section>\n");
}

fn count_list(html: &mut String, title: &str, counts: &[Count]) {
    let _ = write!(html, "<div><h4>{title}</h4>");
    if counts.is_empty() {
        html.push_str("<p>None.</p></div>");
        return;
    }
    html.push_str("<ol class=\"counts\">");
    for c in counts.iter().take(TOP) {
        let _ = write!(
            html,
            "<li><span>{}</span> <span class=\"num\">{}</span></li>",
            escape_html(&c.name),
            number(c.count as f64)
        );
    }
    html.push_str("</ol></div>");
}

fn each_site(html: &mut String, r: &Report) {
    html.push_str("<section aria-labelledby=\"each\"><h2 id=\"each\">Each site</h2>");
    let days = days(r);
    for site in &r.sites {
        let t = &site.totals;
        let _ = write!(
            html,
            "<details id=\"site-{0}\"><summary><h3>{0}</h3> <span>{1} views, {2} clicks, {3:.2} {4}</span></summary>",
            escape_html(&site.site),
            number(t.views as f64),
            number(t.clicks as f64),
            t.revenue,
            escape_html(&r.currency)
        );
        let lines = [
            Line {
                name: "Views",
                class: "c1",
                values: site.daily.iter().map(|d| d.views as f64).collect(),
            },
            Line {
                name: "Clicks",
                class: "c2",
                values: site.daily.iter().map(|d| d.clicks as f64).collect(),
            },
        ];
        html.push_str(&line_chart(
            &format!("Views and clicks per day, {}", site.site),
            &days,
            &lines,
            false,
        ));
        html.push_str("<div class=\"lists\">");
        let pages: Vec<Count> = site
            .pages
            .iter()
            .map(|p| Count {
                name: p.path.clone(),
                count: p.views,
            })
            .collect();
        count_list(html, "Pages by views", &pages);
        let referrers: Vec<Count> = site
            .referrers
            .iter()
            .filter(|c| c.name != "(internal)")
            .cloned()
            .collect();
        count_list(html, "Referrers", &referrers);
        count_list(html, "Not found (404)", &site.not_found_paths);
        count_list(html, "Crawlers", &site.crawlers);
        html.push_str("</div></details>");
    }
    html.push_str("</section>\n");
}

//! The dashboard page: one HTML document, styles and script inline. This
//! file holds the page's frame, what the data covers, the network's
//! figures, the sites table and the drafting pipeline; [`super::earnings`]
//! and [`super::traffic`] hold the rest.

use std::fmt::Write;

use super::Dashboard;
use super::chart::{BarRow, BarTable, Line, bar_table, line_chart};
use super::destination::SIGNATURE;
use super::format::{money, money_or_dash, number, percent, sort_key};
use super::{earnings, search, traffic};
use crate::day::Day;
use crate::html_escape::escape_html;
use crate::report::{Period, Report, SiteReport, Totals};

/// How many rows the top lists show (the rest is in `grove report --json`).
pub const TOP: usize = 10;

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
    super::alerts::section(&mut html, &d.alerts, r);
    empty_state(&mut html, r);
    coverage(&mut html, r);
    totals(&mut html, d);
    sites_table(&mut html, d);
    earnings::sections(&mut html, r);
    traffic::top_pages(&mut html, r);
    search::section(&mut html, r);
    traffic::crawlers(&mut html, r);
    drafting(&mut html, d);
    traffic::each_site(&mut html, r);
    html.push_str("</main>\n<footer><p>Made by <code>grove dashboard</code>. Every figure, with the full lists, is in <code>grove report --json</code>.</p></footer>\n");
    let _ = write!(html, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
    html
}

/// The period's days, first first.
pub fn days(r: &Report) -> Vec<Day> {
    r.period.days().collect()
}

/// A site as the page names it: its title (its folder in the tooltip)
/// and domain, as HTML.
pub fn site_label(site: &SiteReport) -> String {
    let title = if site.title.trim().is_empty() {
        &site.site
    } else {
        &site.title
    };
    format!(
        "<span title=\"folder sites/{}\">{}</span> <span class=\"path\">{}</span>",
        escape_html(&site.site),
        escape_html(title),
        escape_html(&site.domain)
    )
}

/// Site `name`'s title (its folder in the tooltip), as HTML.
pub fn site_title_of(r: &Report, name: &str) -> String {
    let title = r
        .sites
        .iter()
        .find(|s| s.site == name && !s.title.trim().is_empty())
        .map_or(name, |s| s.title.as_str());
    format!(
        "<span title=\"folder sites/{}\">{}</span>",
        escape_html(name),
        escape_html(title)
    )
}

/// The label of site `name` of `r`, or the name when it is not there.
pub fn site_label_of(r: &Report, name: &str) -> String {
    r.sites
        .iter()
        .find(|s| s.site == name)
        .map_or_else(|| escape_html(name), site_label)
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

/// Which days the traffic and each earnings source cover.
fn coverage(html: &mut String, r: &Report) {
    let c = &r.coverage;
    if c.traffic.is_none() && c.revenue.is_empty() {
        return;
    }
    html.push_str("<section aria-labelledby=\"coverage\"><h2 id=\"coverage\">What the figures cover</h2><ul class=\"coverage\">");
    if let Some(t) = c.traffic {
        let _ = write!(
            html,
            "<li>Traffic: imported from {} to {}.</li>",
            t.first, t.last
        );
    }
    for source in &c.revenue {
        let _ = write!(
            html,
            "<li>Earnings from <strong>{}</strong>: reports cover {} to {}, {} of the period's {} days.</li>",
            escape_html(&source.source),
            source.first,
            source.last,
            source.days_in_period,
            r.period.days
        );
    }
    if !c.revenue.is_empty() && c.revenue_days == 0 {
        html.push_str("<li><strong>No earnings report covers these days</strong>: revenue, EPC, RPM and ROI are unknown (–), not zero.</li>");
    } else if c.revenue_days > 0 && c.revenue_days < r.period.days {
        let _ = write!(
            html,
            "<li>Revenue, EPC, RPM and ROI count only the {} days some earnings report covers.</li>",
            c.revenue_days
        );
    }
    html.push_str("</ul></section>\n");
}

/// Whether two periods' figures can be compared, and why not.
enum Comparison {
    Yes,
    No(String),
}

fn traffic_comparison(r: &Report, previous: Period) -> Comparison {
    let Some(t) = r.coverage.traffic else {
        return Comparison::No(String::new());
    };
    if !r.coverage.traffic_covers(previous) {
        return Comparison::No(format!(
            "no comparison: traffic is imported from {} only",
            t.first
        ));
    }
    if !r.coverage.traffic_covers(r.period) {
        return Comparison::No(format!(
            "no comparison: traffic is imported up to {} only",
            t.last
        ));
    }
    Comparison::Yes
}

fn revenue_comparison(r: &Report, previous: Period) -> Comparison {
    let now = r.coverage.revenue_days_in(r.period);
    let before = r.coverage.revenue_days_in(previous);
    if now == 0 {
        return Comparison::No(String::new());
    }
    if now < r.period.days {
        return Comparison::No(format!(
            "no comparison: reports cover {now} of these {} days",
            r.period.days
        ));
    }
    if before < previous.days {
        return Comparison::No(format!(
            "no comparison: reports cover {before} of the {} days before",
            previous.days
        ));
    }
    Comparison::Yes
}

/// A figure against the previous period's: "up 12% from 1,100", or why
/// there is no comparison.
fn change(now: f64, before: f64, is_money: bool, comparison: &Comparison) -> String {
    if let Comparison::No(why) = comparison {
        return if why.is_empty() {
            String::new()
        } else {
            format!("<span class=\"delta\">{}</span>", escape_html(why))
        };
    }
    let shown = |v: f64| if is_money { money(v) } else { number(v) };
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
    let r = &d.report;
    let (now, before) = (&r.network, &d.previous);
    let traffic = traffic_comparison(r, d.previous_period);
    let revenue = revenue_comparison(r, d.previous_period);
    let currency = escape_html(&r.currency);
    html.push_str(
        "<section aria-labelledby=\"network\"><h2 id=\"network\">Network</h2><dl class=\"cards\">",
    );
    let mut card = |label: &str, value: String, delta: String| {
        let _ = write!(
            html,
            "<div><dt>{label}</dt><dd><span class=\"value\">{value}</span> {delta}</dd></div>"
        );
    };
    for (label, now, before) in [
        ("Views", now.views, before.views),
        ("Visitors", now.visitors, before.visitors),
        ("Clicks", now.clicks, before.clicks),
    ] {
        card(
            label,
            number(now as f64),
            change(now as f64, before as f64, false, &traffic),
        );
    }
    match now.revenue {
        Some(amount) => card(
            "Revenue",
            format!("{} {currency}", money(amount)),
            change(amount, before.revenue.unwrap_or(0.0), true, &revenue),
        ),
        None => card(
            "Revenue",
            "–".into(),
            "<span class=\"delta\">no earnings report covers these days</span>".into(),
        ),
    }
    card("EPC", money_or_dash(now.epc), String::new());
    card(
        "LLM spend",
        format!("{} USD", money(now.spend)),
        change(now.spend, before.spend, true, &Comparison::Yes),
    );
    let roi_note = match now.roi {
        Some(_) => String::new(),
        None if now.spend < crate::report::MEANINGFUL_SPEND => format!(
            "<span class=\"delta\">shown from {} USD of spend</span>",
            money(crate::report::MEANINGFUL_SPEND)
        ),
        None => String::new(),
    };
    card("ROI", percent(now.roi, 0), roi_note);
    html.push_str("</dl><div class=\"pair\">");
    let days = days(r);
    for (name, class, values) in [
        (
            "Views",
            "c1",
            r.daily.iter().map(|d| d.views as f64).collect(),
        ),
        (
            "Clicks",
            "c2",
            r.daily.iter().map(|d| d.clicks as f64).collect(),
        ),
    ] {
        let lines = [Line {
            name,
            class,
            values,
        }];
        html.push_str(&line_chart(
            &format!("{name} per day, whole network"),
            &days,
            &lines,
            true,
        ));
    }
    html.push_str("</div></section>\n");
}

fn ratio_cell(value: Option<f64>, percent_decimals: Option<usize>) -> (String, String) {
    let shown = match percent_decimals {
        Some(decimals) => percent(value, decimals),
        None => money_or_dash(value),
    };
    (shown, sort_key(value))
}

fn sites_table(html: &mut String, d: &Dashboard) {
    let r = &d.report;
    html.push_str("<section aria-labelledby=\"sites\"><h2 id=\"sites\">Sites</h2><table class=\"sortable stack\" id=\"sites-table\"><caption>One row per site. Select a heading to sort by it.</caption><thead><tr>");
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
            ratio_cell(t.ctr, Some(1)),
            ratio_cell(t.revenue, None),
            ratio_cell(t.epc, None),
            ratio_cell(t.rpm, None),
            (money(t.spend), format!("{}", t.spend)),
            ratio_cell(t.roi, Some(0)),
        ];
        let _ = write!(
            html,
            "<tr><th scope=\"row\" data-sort=\"{}\"><a href=\"#site-{}\">{}</a></th>",
            escape_html(&site.title),
            escape_html(&site.site),
            site_label(site)
        );
        for ((shown, sort), label) in cells.into_iter().zip(&headings[1..]) {
            let _ = write!(
                html,
                "<td class=\"num\" data-label=\"{label}\" data-sort=\"{sort}\">{shown}</td>"
            );
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table></section>\n");
}

fn drafting(html: &mut String, d: &Dashboard) {
    let rows: Vec<BarRow> = d
        .pipelines
        .iter()
        .map(|p| BarRow {
            label: site_label_of(&d.report, &p.site),
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
        &BarTable {
            title: "Briefs per site: proposed (waiting to be accepted), planned (no file yet), drafted (waiting for review), approved",
            label_heading: "Site",
            columns: &["Proposed", "Planned", "Drafted", "Approved"],
            legend: &[
                ("c4", "Proposed"),
                ("c5", "Planned"),
                ("c6", "Drafted"),
                ("c3", "Approved"),
            ],
        },
        &rows,
    ));
    if let Some(costs) = &d.article_costs {
        super::article_cost::table(html, costs, &d.report);
    }
    html.push_str("</section>\n");
}

/// A site's revenue as its summary line says it.
pub fn revenue_text(t: &Totals, currency: &str) -> String {
    match t.revenue {
        Some(revenue) => format!("{} {}", money(revenue), escape_html(currency)),
        None => "revenue unknown".into(),
    }
}

//! The dashboard's traffic: the network's top pages, crawlers per day,
//! and a section per site with its charts and lists.

use std::fmt::Write;

use super::chart::{BarRow, BarTable, Line, bar_table, line_chart};
use super::earnings::{all_pages, page_label};
use super::format::number;
use super::html::{TOP, days, revenue_text, site_label};
use crate::html_escape::escape_html;
use crate::report::{Count, Report};

/// The pages with the most views and with the most clicks.
pub fn top_pages(html: &mut String, r: &Report) {
    let mut pages = all_pages(r);
    html.push_str(
        "<section aria-labelledby=\"pages\"><h2 id=\"pages\">Top pages</h2><div class=\"pair\">",
    );
    for clicks in [false, true] {
        let count = |p: &crate::report::PageRow| if clicks { p.clicks } else { p.views };
        pages.sort_by(|a, b| count(b.1).cmp(&count(a.1)).then(a.1.path.cmp(&b.1.path)));
        let (name, class) = if clicks {
            ("Clicks", "c2")
        } else {
            ("Views", "c1")
        };
        let rows: Vec<BarRow> = pages
            .iter()
            .take(TOP)
            .filter(|(_, p)| count(p) > 0)
            .map(|(site, p)| BarRow {
                label: page_label(site, p),
                cells: vec![number(count(p) as f64)],
                bars: vec![(class, count(p) as f64)],
            })
            .collect();
        html.push_str(&bar_table(
            &BarTable {
                title: &format!("The {TOP} pages with the most {}", name.to_lowercase()),
                label_heading: "Page",
                columns: &[name],
                legend: &[(class, name)],
            },
            &rows,
        ));
    }
    html.push_str("</div></section>\n");
}

/// Crawler requests per day: the five busiest crawlers and the rest.
pub fn crawlers(html: &mut String, r: &Report) {
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

/// A section per site: views and clicks per day, and its top lists.
pub fn each_site(html: &mut String, r: &Report) {
    html.push_str("<section aria-labelledby=\"each\"><h2 id=\"each\">Each site</h2>");
    let days = days(r);
    for site in &r.sites {
        let t = &site.totals;
        let _ = write!(
            html,
            "<details id=\"site-{}\"><summary><h3>{}</h3> <span>{} views, {} clicks, {}</span></summary><div class=\"pair\">",
            escape_html(&site.site),
            site_label(site),
            number(t.views as f64),
            number(t.clicks as f64),
            revenue_text(t, &r.currency)
        );
        for (name, class, values) in [
            (
                "Views",
                "c1",
                site.daily.iter().map(|d| d.views as f64).collect(),
            ),
            (
                "Clicks",
                "c2",
                site.daily.iter().map(|d| d.clicks as f64).collect(),
            ),
        ] {
            html.push_str(&line_chart(
                &format!("{name} per day, {}", site.domain),
                &days,
                &[Line {
                    name,
                    class,
                    values,
                }],
                false,
            ));
        }
        html.push_str("</div><div class=\"lists\">");
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
        count_list(html, "Responses by status", &site.statuses);
        html.push_str("</div></details>");
    }
    html.push_str("</section>\n");
}

//! The dashboard's search section: the pages search sends most to, with
//! impressions, clicks, CTR, position, top query and revenue side by
//! side, and each site's opportunities.

use std::fmt::Write;

use super::earnings::{all_pages, page_label};
use super::format::{money_or_dash, number, percent, sort_key};
use super::html::TOP;
use crate::html_escape::escape_html;
use crate::report::Report;

/// Pages listed in the search table.
const PAGES: usize = 50;

/// The search section (nothing when no search figures were imported).
pub fn section(html: &mut String, r: &Report) {
    let Some(range) = r.coverage.search else {
        return;
    };
    let mut pages = all_pages(r);
    pages.retain(|(_, p)| p.search.figures.0.impressions > 0);
    pages.sort_by(|a, b| {
        let (x, y) = (a.1.search.figures.0, b.1.search.figures.0);
        y.clicks
            .cmp(&x.clicks)
            .then(y.impressions.cmp(&x.impressions))
            .then(a.1.path.cmp(&b.1.path))
    });
    let _ = write!(
        html,
        "<section aria-labelledby=\"search\"><h2 id=\"search\">Search</h2><p>Search figures imported from {} to {}.{}</p>",
        range.first,
        range.last,
        if r.coverage.search_estimated {
            " Some pages and queries come from exports over a longer period, spread over its days: for this period they are estimates."
        } else {
            ""
        }
    );
    let headings = [
        "Page",
        "Impressions",
        "Clicks",
        "CTR",
        "Position",
        "Revenue",
        "Top query",
    ];
    html.push_str("<table class=\"sortable stack\" id=\"search-table\"><caption>The pages search sends most visitors to. Select a heading to sort by it.</caption><thead><tr>");
    for (i, heading) in headings.iter().enumerate() {
        let class = if i == 0 || i == 6 {
            ""
        } else {
            " class=\"num\""
        };
        let _ = write!(
            html,
            "<th scope=\"col\"{class}><button type=\"button\">{heading}</button></th>"
        );
    }
    html.push_str("</tr></thead><tbody>");
    for (site, page) in pages.iter().take(PAGES) {
        let m = page.search.figures.0;
        let label = page_label(site, page);
        let _ = write!(
            html,
            "<tr><th scope=\"row\" data-sort=\"{}\">{}</th>",
            escape_html(&format!("{} {}", site.site, page.path)),
            label
        );
        let cells = [
            (number(m.impressions as f64), m.impressions.to_string()),
            (number(m.clicks as f64), m.clicks.to_string()),
            (percent(m.ctr(), 1), sort_key(m.ctr())),
            (
                m.position().map_or("–".into(), |p| format!("{p:.1}")),
                sort_key(m.position()),
            ),
            (money_or_dash(page.revenue), sort_key(page.revenue)),
        ];
        for ((shown, sort), heading) in cells.into_iter().zip(&headings[1..]) {
            let _ = write!(
                html,
                "<td class=\"num\" data-label=\"{heading}\" data-sort=\"{sort}\">{shown}</td>"
            );
        }
        let top = page
            .search
            .queries
            .first()
            .map_or(String::new(), |q| q.query.clone());
        let _ = write!(
            html,
            "<td data-label=\"Top query\" data-sort=\"{0}\">{0}</td></tr>",
            escape_html(&top)
        );
    }
    html.push_str("</tbody></table>");
    opportunities(html, r);
    html.push_str("</section>\n");
}

fn opportunities(html: &mut String, r: &Report) {
    for site in &r.sites {
        let o = &site.opportunities;
        if o.striking_distance.is_empty()
            && o.low_ctr_pages.is_empty()
            && o.untargeted_queries.is_empty()
        {
            continue;
        }
        let _ = write!(
            html,
            "<h3>Opportunities on {}</h3><div class=\"lists\">",
            escape_html(&site.site)
        );
        html.push_str("<div><h4>Striking distance (positions 5 to 20)</h4><ol class=\"counts\">");
        for q in o.striking_distance.iter().take(TOP) {
            let _ = write!(
                html,
                "<li><span>{}{}</span> <span class=\"num\">{:.1}</span></li>",
                escape_html(&q.query),
                q.page
                    .as_ref()
                    .map_or(String::new(), |p| format!(" → {}", escape_html(p))),
                q.figures.0.position().unwrap_or(0.0)
            );
        }
        html.push_str(
            "</ol></div><div><h4>Low CTR: rewrite title and description</h4><ol class=\"counts\">",
        );
        for p in o.low_ctr_pages.iter().take(TOP) {
            let _ = write!(
                html,
                "<li><span>{} ({} at position {:.1})</span> <span class=\"num\">{} missed</span></li>",
                escape_html(&p.page),
                percent(p.figures.0.ctr(), 1),
                p.figures.0.position().unwrap_or(0.0),
                number(p.missed_clicks as f64)
            );
        }
        html.push_str("</ol></div><div><h4>Queries no page targets</h4><ol class=\"counts\">");
        for q in o.untargeted_queries.iter().take(TOP) {
            let _ = write!(
                html,
                "<li><span>{}</span> <span class=\"num\">{}</span></li>",
                escape_html(&q.query),
                number(q.figures.0.impressions as f64)
            );
        }
        html.push_str("</ol></div></div>");
    }
}

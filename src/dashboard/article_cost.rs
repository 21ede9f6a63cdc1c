//! The dashboard's cost per published article, in the Drafting section:
//! per site and kind of article, with what batches saved.

use std::fmt::Write;

use super::html::site_title_of;
use crate::draft::cost::{ArticleCost, ArticleCosts};
use crate::html_escape::escape_html;
use crate::report::Report;

/// The table; nothing when no model call was paid.
pub fn table(html: &mut String, costs: &ArticleCosts, r: &Report) {
    if costs.network.spend <= 0.0 {
        return;
    }
    html.push_str("<table class=\"sortable stack\" id=\"article-cost-table\"><caption>Model spend per published article (USD): each article's own calls, plus the calls that led to no published article (research, drafts not approved), shared by the site's published ones.</caption><thead><tr><th scope=\"col\">Site or kind</th><th scope=\"col\">Published</th><th scope=\"col\">Spend</th><th scope=\"col\">Per article</th></tr></thead><tbody>");
    let row = |html: &mut String, label: String, cost: &ArticleCost| {
        let per = cost
            .per_article
            .map_or("–".to_string(), |v| format!("${v:.4}"));
        let _ = write!(
            html,
            "<tr><td data-label=\"Site or kind\">{label}</td><td data-label=\"Published\">{}</td><td data-label=\"Spend\">${:.4}</td><td data-label=\"Per article\">{per}</td></tr>",
            cost.published, cost.spend
        );
    };
    for (site, cost) in &costs.sites {
        row(html, site_title_of(r, site), cost);
    }
    for (kind, cost) in &costs.kinds {
        row(html, format!("kind: {}", escape_html(kind)), cost);
    }
    row(html, "<strong>Network</strong>".into(), &costs.network);
    html.push_str("</tbody></table>");
    if costs.batch_saving > 0.0 {
        let _ = write!(
            html,
            "<p>Batches saved ${:.4} against the same calls live.</p>",
            costs.batch_saving
        );
    }
}

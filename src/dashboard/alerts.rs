//! The dashboard's first section: the alerts `grove watch` left open.

use std::fmt::Write;

use super::html::site_title_of;
use crate::html_escape::escape_html;
use crate::report::Report;
use crate::watch::alerts::Alert;

/// The open alerts, most recently seen first; nothing when there are none.
pub fn section(html: &mut String, alerts: &[Alert], r: &Report) {
    if alerts.is_empty() {
        return;
    }
    let mut sorted: Vec<&Alert> = alerts.iter().collect();
    sorted.sort_by(|a, b| {
        b.first_seen
            .cmp(&a.first_seen)
            .then_with(|| a.site.cmp(&b.site))
    });
    let _ = write!(
        html,
        "<section class=\"alerts\" aria-labelledby=\"alerts\"><h2 id=\"alerts\">Alerts ({})</h2><table class=\"sortable stack\" id=\"alerts-table\"><caption>Open alerts of <code>grove watch</code>, newest first. They close when a run no longer finds them.</caption><thead><tr><th scope=\"col\">Site</th><th scope=\"col\">Kind</th><th scope=\"col\">What</th><th scope=\"col\">First seen</th><th scope=\"col\">Last seen</th></tr></thead><tbody>",
        alerts.len()
    );
    for alert in sorted {
        let _ = write!(
            html,
            "<tr><td data-label=\"Site\">{}</td><td data-label=\"Kind\"><code>{}</code></td><td data-label=\"What\">{}</td><td data-label=\"First seen\">{}</td><td data-label=\"Last seen\">{}</td></tr>",
            site_title_of(r, &alert.site),
            escape_html(&alert.kind),
            escape_html(&alert.message),
            escape_html(&alert.first_seen),
            escape_html(&alert.last_seen)
        );
    }
    html.push_str("</tbody></table></section>\n");
}

//! The report as text: a row per site, the network's total, then the top
//! pages and products.

use super::{Report, Totals};
use crate::terminal::say;

/// How many pages and products the text shows in each list.
const TOP: usize = 10;

/// Prints `report` for a terminal.
pub fn print_text(report: &Report) {
    let period = report.period;
    say!(
        "{} to {} ({} day{}), revenue in {}",
        period.since,
        period.until,
        period.days,
        if period.days == 1 { "" } else { "s" },
        report.currency
    );
    if !report.has_stats {
        say!(
            "No traffic imported yet: run `grove stats import access.log` (see `grove stats import --help`)."
        );
    }
    if !report.has_revenue {
        say!(
            "No earnings imported yet: run `grove revenue import --format amazon report.csv` (see `grove revenue import --help`)."
        );
    }
    say!();
    say!(
        "{:<22} {:>6} {:>6} {:>9} {:>9} {:>7} {:>6} {:>10} {:>7} {:>7} {:>8} {:>7}",
        "site",
        "pages",
        "drafts",
        "views",
        "visitors",
        "clicks",
        "CTR",
        "revenue",
        "EPC",
        "RPM",
        "spend",
        "ROI"
    );
    for site in &report.sites {
        print_row(&site.site, &site.totals);
    }
    print_row("network", &report.network);
    if report.unattributed_revenue != 0.0 {
        say!(
            "plus {:.2} {} of revenue matched to no site",
            report.unattributed_revenue,
            report.currency
        );
    }
    for (currency, amount) in &report.other_currencies {
        say!("plus {amount:.2} {currency} of revenue in another currency (not in the figures)");
    }

    let mut pages: Vec<(&str, &super::PageRow)> = report
        .sites
        .iter()
        .flat_map(|s| s.pages.iter().map(move |p| (s.site.as_str(), p)))
        .collect();
    if !pages.is_empty() {
        pages.sort_by(|a, b| b.1.views.cmp(&a.1.views).then(a.1.path.cmp(&b.1.path)));
        say!("\nTop pages by views");
        for (site, page) in pages.iter().take(TOP) {
            say!("  {:>9}  {site} {}", page.views, page.path);
        }
        pages.sort_by(|a, b| b.1.clicks.cmp(&a.1.clicks).then(a.1.path.cmp(&b.1.path)));
        if pages[0].1.clicks > 0 {
            say!("\nTop pages by clicks");
            for (site, page) in pages.iter().take(TOP).filter(|(_, p)| p.clicks > 0) {
                say!("  {:>9}  {site} {}", page.clicks, page.path);
            }
        }
    }
    let mut products: Vec<(&str, &super::ProductRow)> = report
        .sites
        .iter()
        .flat_map(|s| s.products.iter().map(move |p| (s.site.as_str(), p)))
        .collect();
    if !products.is_empty() {
        products.sort_by(|a, b| b.1.clicks.cmp(&a.1.clicks).then(a.1.slug.cmp(&b.1.slug)));
        say!("\nTop products by clicks (clicks, revenue, EPC)");
        for (site, product) in products.iter().take(TOP) {
            say!(
                "  {:>9}  {:>10.2}  {:>7}  {site} {}",
                product.clicks,
                product.revenue,
                money(product.epc),
                product.slug
            );
        }
    }
}

fn print_row(name: &str, t: &Totals) {
    let count = |n: Option<usize>| n.map_or("-".to_string(), |n| n.to_string());
    say!(
        "{:<22} {:>6} {:>6} {:>9} {:>9} {:>7} {:>6} {:>10.2} {:>7} {:>7} {:>8.2} {:>7}",
        name,
        count(t.pages_published),
        count(t.drafts),
        t.views,
        t.visitors,
        t.clicks,
        t.ctr
            .map_or("-".to_string(), |c| format!("{:.1}%", c * 100.0)),
        t.revenue,
        money(t.epc),
        money(t.rpm),
        t.spend,
        t.roi
            .map_or("-".to_string(), |r| format!("{:.0}%", r * 100.0)),
    )
}

fn money(value: Option<f64>) -> String {
    value.map_or("-".to_string(), |v| format!("{v:.2}"))
}

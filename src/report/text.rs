//! The report as text: what the data covers, a row per site, the
//! network's total, where the money comes from, then the top pages,
//! products and replicate candidates. `-` is a figure no data covers
//! (unknown), not zero.

use super::{PageRow, Report, Totals, UnattributedKind};
use crate::terminal::say;

/// How many pages, products and candidates the text shows in each list
/// (`--json` has them all).
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
    print_coverage(report);
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
    print_money(report);
    print_pages(report);
    print_search(report);
    print_products(report);
    print_candidates(report);
}

/// Which days the traffic and each earnings source cover, and how to
/// start when nothing was imported.
fn print_coverage(report: &Report) {
    let coverage = &report.coverage;
    if !report.has_stats {
        say!(
            "No traffic imported yet: run `grove stats import access.log` (see `grove stats import --help`)."
        );
    } else if let Some(traffic) = coverage.traffic {
        say!(
            "Traffic imported from {} to {}.",
            traffic.first,
            traffic.last
        );
    }
    if !report.has_revenue {
        say!(
            "No earnings imported yet: run `grove revenue import --format amazon report.csv` (see `grove revenue import --help`)."
        );
        return;
    }
    for source in &coverage.revenue {
        say!(
            "Earnings from {}: reports cover {} to {} ({} of the period's {} days).",
            source.source,
            source.first,
            source.last,
            source.days_in_period,
            report.period.days
        );
    }
    if coverage.revenue_days == 0 {
        say!("No earnings report covers these days: revenue is unknown (-), not zero.");
    } else if coverage.revenue_days < report.period.days {
        say!(
            "Revenue, EPC, RPM and ROI count only the {} days some earnings report covers.",
            coverage.revenue_days
        );
    }
}

fn print_row(name: &str, t: &Totals) {
    let count = |n: Option<usize>| n.map_or("-".to_string(), |n| n.to_string());
    say!(
        "{:<22} {:>6} {:>6} {:>9} {:>9} {:>7} {:>6} {:>10} {:>7} {:>7} {:>8.2} {:>7}",
        name,
        count(t.pages_published),
        count(t.drafts),
        t.views,
        t.visitors,
        t.clicks,
        percent(t.ctr, 1),
        money(t.revenue),
        money(t.epc),
        money(t.rpm),
        t.spend,
        percent(t.roi, 0),
    )
}

/// Revenue by source, earnings matched to no site or product, and other
/// currencies.
fn print_money(report: &Report) {
    if !report.revenue_by_source.is_empty() {
        say!("\nRevenue by source and program");
        for row in &report.revenue_by_source {
            say!("  {:>10.2}  {} ({})", row.revenue, row.source, row.program);
        }
    }
    if report.unattributed_revenue != 0.0 {
        say!(
            "\n{:.2} {} of revenue matched to no site (not in the figures above):",
            report.unattributed_revenue,
            report.currency
        );
        for row in report
            .unattributed
            .iter()
            .filter(|u| u.kind == UnattributedKind::NoSite)
        {
            say!("  {:>10.2}  {} ID {}", row.revenue, row.source, row.id);
        }
    }
    let unregistered: Vec<_> = report
        .unattributed
        .iter()
        .filter(|u| u.kind == UnattributedKind::NotInRegistry)
        .collect();
    if !unregistered.is_empty() {
        say!(
            "\nRevenue of items outside the affiliate registry (in the site's revenue, on no page):"
        );
        for row in unregistered.iter().take(TOP) {
            say!(
                "  {:>10.2}  {} {}",
                row.revenue,
                row.site.as_deref().unwrap_or(""),
                row.id
            );
        }
        more(unregistered.len());
    }
    for (currency, amount) in &report.other_currencies {
        say!(
            "plus {:.2} {currency} of revenue in another currency (not in the figures)",
            amount.0
        );
    }
}

fn print_pages(report: &Report) {
    let mut pages: Vec<(&str, &PageRow)> = report
        .sites
        .iter()
        .flat_map(|s| s.pages.iter().map(move |p| (s.site.as_str(), p)))
        .collect();
    if pages.is_empty() {
        return;
    }
    pages.sort_by(|a, b| b.1.views.cmp(&a.1.views).then(a.1.path.cmp(&b.1.path)));
    if pages.iter().any(|(_, p)| p.views > 0) {
        say!("\nTop pages by views (views, clicks, revenue, RPM)");
        for (site, page) in pages.iter().filter(|(_, p)| p.views > 0).take(TOP) {
            print_page(site, page);
        }
    }
    pages.retain(|(_, p)| p.revenue.is_some_and(|r| r != 0.0));
    if !pages.is_empty() {
        pages.sort_by(|a, b| {
            b.1.revenue
                .unwrap_or(0.0)
                .total_cmp(&a.1.revenue.unwrap_or(0.0))
                .then(a.1.path.cmp(&b.1.path))
        });
        say!("\nTop pages by revenue (views, clicks, revenue, RPM)");
        for (site, page) in pages.iter().take(TOP) {
            print_page(site, page);
        }
    }
}

fn print_page(site: &str, page: &PageRow) {
    say!(
        "  {:>9} {:>7} {:>10} {:>7}  {site} {}",
        page.views,
        page.clicks,
        money(page.revenue),
        money(page.rpm),
        page.path
    );
}

/// Search figures per site, the pages search sends most to, and the
/// opportunities.
fn print_search(report: &Report) {
    let Some(range) = report.coverage.search else {
        return;
    };
    say!(
        "\nSearch (imported {} to {}{}): impressions, clicks, CTR, average position",
        range.first,
        range.last,
        if report.coverage.search_estimated {
            "; pages and queries of exports over a longer period are estimates for these days"
        } else {
            ""
        }
    );
    for site in &report.sites {
        let m = site.totals.search.0;
        if m.impressions == 0 {
            continue;
        }
        say!(
            "  {:<22} {:>11} {:>7} {:>7} {:>6}",
            site.site,
            m.impressions,
            m.clicks,
            percent(m.ctr(), 2),
            m.position().map_or("-".into(), |p| format!("{p:.1}"))
        );
    }
    let mut pages: Vec<(&str, &PageRow)> = report
        .sites
        .iter()
        .flat_map(|s| s.pages.iter().map(move |p| (s.site.as_str(), p)))
        .filter(|(_, p)| p.search.figures.0.impressions > 0)
        .collect();
    pages.sort_by(|a, b| {
        let (x, y) = (a.1.search.figures.0, b.1.search.figures.0);
        y.clicks
            .cmp(&x.clicks)
            .then(y.impressions.cmp(&x.impressions))
            .then(a.1.path.cmp(&b.1.path))
    });
    if !pages.is_empty() {
        say!("\nTop pages by search clicks (clicks, impressions, CTR, position, revenue)");
        for (site, page) in pages.iter().take(TOP) {
            let m = page.search.figures.0;
            say!(
                "  {:>7} {:>11} {:>7} {:>6} {:>10}  {site} {}",
                m.clicks,
                m.impressions,
                percent(m.ctr(), 2),
                m.position().map_or("-".into(), |p| format!("{p:.1}")),
                money(page.revenue),
                page.path
            );
        }
        more(pages.len());
    }
    for site in &report.sites {
        let o = &site.opportunities;
        for q in o.striking_distance.iter().take(3) {
            say!(
                "  {}: striking distance: \"{}\" at position {:.1}, {} impressions{}",
                site.site,
                q.query,
                q.figures.0.position().unwrap_or(0.0),
                q.figures.0.impressions,
                q.page.as_ref().map_or(String::new(), |p| format!(" ({p})"))
            );
        }
        for p in o.low_ctr_pages.iter().take(3) {
            say!(
                "  {}: low CTR: {} ({} impressions, CTR {} where position {:.1} usually gets {}): rewrite its title and description",
                site.site,
                p.page,
                p.figures.0.impressions,
                percent(p.figures.0.ctr(), 2),
                p.figures.0.position().unwrap_or(0.0),
                percent(Some(p.expected_ctr), 1)
            );
        }
        for q in o.untargeted_queries.iter().take(3) {
            say!(
                "  {}: no page targets \"{}\" ({} impressions): worth a brief",
                site.site,
                q.query,
                q.figures.0.impressions
            );
        }
    }
}

fn print_products(report: &Report) {
    let mut products: Vec<(&str, &super::ProductRow)> = report
        .sites
        .iter()
        .flat_map(|s| s.products.iter().map(move |p| (s.site.as_str(), p)))
        .collect();
    if products.is_empty() {
        return;
    }
    products.sort_by(|a, b| {
        b.1.clicks
            .cmp(&a.1.clicks)
            .then(
                b.1.revenue
                    .unwrap_or(0.0)
                    .total_cmp(&a.1.revenue.unwrap_or(0.0)),
            )
            .then(a.1.slug.cmp(&b.1.slug))
    });
    say!("\nTop products by clicks (clicks, revenue, EPC)");
    for (site, product) in products.iter().take(TOP) {
        say!(
            "  {:>9}  {:>10}  {:>7}  {site} {}{}",
            product.clicks,
            money(product.revenue),
            money(product.epc),
            product.slug,
            if product.in_registry {
                ""
            } else {
                " (not in the registry)"
            }
        );
    }
}

fn print_candidates(report: &Report) {
    let candidates = &report.replicate_candidates;
    if candidates.is_empty() {
        return;
    }
    say!(
        "\nReplicate candidates: best revenue per 1,000 views, not on every site yet (RPM, views, revenue)"
    );
    for c in candidates.iter().take(TOP) {
        say!(
            "  {:>7} {:>9} {:>10.2}  {} (missing on {})",
            money(c.rpm),
            c.views,
            c.revenue,
            c.file,
            c.missing.join(", ")
        );
    }
    more(candidates.len());
    say!("  Replicate one with `grove replicate FILE --to SITE` (or --all).");
}

/// Says how many rows the list left out.
fn more(shown: usize) {
    if shown > TOP {
        say!("  ... and {} more in `grove report --json`", shown - TOP);
    }
}

fn money(value: Option<f64>) -> String {
    value.map_or("-".to_string(), |v| format!("{v:.2}"))
}

fn percent(value: Option<f64>, decimals: usize) -> String {
    value.map_or("-".to_string(), |v| format!("{:.*}%", decimals, v * 100.0))
}

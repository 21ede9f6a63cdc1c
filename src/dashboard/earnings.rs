//! The dashboard's money: where revenue comes from (sources, programs,
//! what matched no site or product), revenue against LLM spend per site,
//! what each page earns, the pages worth replicating, and products.

use std::fmt::Write;

use super::chart::{BarRow, BarTable, bar_table};
use super::format::{money, money_or_dash, number};
use super::html::{TOP, site_label, site_label_of, site_title_of};
use crate::html_escape::escape_html;
use crate::report::{PageRow, ProductRow, Report, SiteReport, UnattributedKind};

/// Every money section of the page.
pub fn sections(html: &mut String, r: &Report) {
    sources(html, r);
    pages(html, r);
    candidates(html, r);
    products(html, r);
}

/// Revenue by source and program, what matched no site, items outside
/// the registry, other currencies, and revenue against spend per site.
fn sources(html: &mut String, r: &Report) {
    html.push_str("<section aria-labelledby=\"money\"><h2 id=\"money\">Revenue and LLM spend</h2>");
    let currency = escape_html(&r.currency);
    if r.revenue_by_source.is_empty() {
        html.push_str("<p>No revenue in this period.</p>");
    } else {
        let rows: Vec<BarRow> = r
            .revenue_by_source
            .iter()
            .map(|s| BarRow {
                label: if s.source == s.program {
                    escape_html(&s.program)
                } else {
                    format!(
                        "{} <span class=\"path\">{}</span>",
                        escape_html(&s.program),
                        escape_html(&s.source)
                    )
                },
                cells: vec![money(s.revenue)],
                bars: vec![("c3", s.revenue)],
            })
            .collect();
        html.push_str(&bar_table(
            &BarTable {
                title: &format!("Revenue by program and source ({})", r.currency),
                label_heading: "Program",
                columns: &["Revenue"],
                legend: &[("c3", "Revenue")],
            },
            &rows,
        ));
    }
    let no_site: Vec<_> = r
        .unattributed
        .iter()
        .filter(|u| u.kind == UnattributedKind::NoSite)
        .collect();
    if !no_site.is_empty() {
        let _ = write!(
            html,
            "<p class=\"warning\"><strong>{} {currency} matched no site</strong> (not in any site's figures): their tracking ID or sub-ID is no site's. Add it to the site's <code>[affiliates]</code> settings, then import the report again.</p><ul class=\"ids\">",
            money(r.unattributed_revenue)
        );
        for u in &no_site {
            let _ = write!(
                html,
                "<li><code>{}</code> <span class=\"path\">{}</span> <span class=\"num\">{}</span></li>",
                escape_html(&u.id),
                escape_html(&u.source),
                money(u.revenue)
            );
        }
        html.push_str("</ul>");
    }
    let unregistered: Vec<_> = r
        .unattributed
        .iter()
        .filter(|u| u.kind == UnattributedKind::NotInRegistry)
        .collect();
    if !unregistered.is_empty() {
        let total: f64 = unregistered.iter().map(|u| u.revenue).sum();
        let _ = write!(
            html,
            "<p><strong>{} {currency} from items outside the affiliate registry</strong> (in the site's revenue, on no page: a shopper bought something else):</p><ul class=\"ids\">",
            money(total)
        );
        for u in unregistered.iter().take(TOP) {
            let _ = write!(
                html,
                "<li>{} <span class=\"path\">{}</span> <span class=\"num\">{}</span></li>",
                escape_html(&u.id),
                u.site
                    .as_deref()
                    .map_or_else(String::new, |s| site_label_of(r, s)),
                money(u.revenue)
            );
        }
        if unregistered.len() > TOP {
            let _ = write!(
                html,
                "<li>and {} more in <code>grove report --json</code></li>",
                unregistered.len() - TOP
            );
        }
        html.push_str("</ul>");
    }
    for (other, amount) in &r.other_currencies {
        let _ = write!(
            html,
            "<p>Plus {} {} of revenue in another currency, not in the figures.</p>",
            money(amount.0),
            escape_html(other)
        );
    }
    revenue_and_spend(html, r);
    html.push_str("</section>\n");
}

fn revenue_and_spend(html: &mut String, r: &Report) {
    let mut sites: Vec<&SiteReport> = r.sites.iter().collect();
    let weight = |s: &SiteReport| s.totals.revenue.unwrap_or(0.0) + s.totals.spend;
    sites.sort_by(|a, b| weight(b).total_cmp(&weight(a)));
    let rows: Vec<BarRow> = sites
        .iter()
        .take(2 * TOP)
        .map(|s| BarRow {
            label: site_label(s),
            cells: vec![money_or_dash(s.totals.revenue), money(s.totals.spend)],
            bars: vec![
                ("c3", s.totals.revenue.unwrap_or(0.0)),
                ("c4", s.totals.spend),
            ],
        })
        .collect();
    let title = format!(
        "Revenue ({}) against LLM spend (USD) per site, the {} sites with the most",
        r.currency,
        rows.len()
    );
    html.push_str(&bar_table(
        &BarTable {
            title: &title,
            label_heading: "Site",
            columns: &["Revenue", "Spend"],
            legend: &[("c3", "Revenue"), ("c4", "LLM spend")],
        },
        &rows,
    ));
}

/// Every page of the network with its site.
pub fn all_pages(r: &Report) -> Vec<(&SiteReport, &PageRow)> {
    r.sites
        .iter()
        .flat_map(|s| s.pages.iter().map(move |p| (s, p)))
        .collect()
}

/// A page as the page names it: its site's domain and its path.
pub fn page_label(site: &SiteReport, page: &PageRow) -> String {
    format!(
        "<span title=\"folder sites/{}\">{}</span><span class=\"path\">{}</span>",
        escape_html(&site.site),
        escape_html(&site.domain),
        escape_html(&page.path)
    )
}

/// The pages earning the most, with EPC and RPM.
fn pages(html: &mut String, r: &Report) {
    let mut pages = all_pages(r);
    pages.retain(|(_, p)| p.revenue.is_some_and(|v| v != 0.0));
    pages.sort_by(|a, b| {
        b.1.revenue
            .unwrap_or(0.0)
            .total_cmp(&a.1.revenue.unwrap_or(0.0))
            .then(a.1.path.cmp(&b.1.path))
    });
    html.push_str("<section aria-labelledby=\"earns\"><h2 id=\"earns\">What earns</h2>");
    if pages.is_empty() {
        html.push_str("<p>No page has revenue in this period: revenue reaches a page through the <code>/go/</code> clicks that led to each product.</p>");
    } else {
        let rows: Vec<BarRow> = pages
            .iter()
            .take(TOP)
            .map(|(site, p)| BarRow {
                label: page_label(site, p),
                cells: vec![
                    number(p.views as f64),
                    number(p.clicks as f64),
                    money_or_dash(p.revenue),
                    money_or_dash(p.epc),
                    money_or_dash(p.rpm),
                ],
                bars: vec![("c3", p.revenue.unwrap_or(0.0))],
            })
            .collect();
        let title = format!(
            "The {} pages earning the most ({}): each product's revenue shared among the pages its clicks came from",
            rows.len(),
            r.currency
        );
        html.push_str(&bar_table(
            &BarTable {
                title: &title,
                label_heading: "Page",
                columns: &["Views", "Clicks", "Revenue", "EPC", "RPM"],
                legend: &[("c3", "Revenue")],
            },
            &rows,
        ));
    }
    let off_pages: f64 = r.sites.iter().filter_map(|s| s.revenue_off_pages).sum();
    if off_pages.abs() >= 0.005 {
        let _ = write!(
            html,
            "<p>{} {} of the sites' revenue reached no known page: items outside the registry, clicks whose page is unknown (no <code>Referer</code>) or outside the period.</p>",
            money(off_pages),
            escape_html(&r.currency)
        );
    }
    html.push_str("</section>\n");
}

/// Pages with the best revenue per 1,000 views not on every site yet.
fn candidates(html: &mut String, r: &Report) {
    html.push_str(
        "<section aria-labelledby=\"replicate\"><h2 id=\"replicate\">Replicate candidates</h2>",
    );
    if r.replicate_candidates.is_empty() {
        html.push_str("<p>No earning page is missing from another site.</p></section>\n");
        return;
    }
    let _ = write!(
        html,
        "<table class=\"candidates stack\"><caption>The pages earning the most per 1,000 views that some site has no brief for yet. Replicate one with <code>grove replicate FILE --to SITE</code> (or <code>--all</code>).</caption><thead><tr><th scope=\"col\">Page</th><th scope=\"col\" class=\"num\">RPM ({0})</th><th scope=\"col\" class=\"num\">Views</th><th scope=\"col\" class=\"num\">Revenue ({0})</th><th scope=\"col\">Missing on</th></tr></thead><tbody>",
        escape_html(&r.currency)
    );
    for c in r.replicate_candidates.iter().take(TOP) {
        let missing: Vec<String> = c.missing.iter().map(|s| site_title_of(r, s)).collect();
        let _ = write!(
            html,
            "<tr><th scope=\"row\">{}<br><code>{}</code></th><td class=\"num\" data-label=\"RPM\">{}</td><td class=\"num\" data-label=\"Views\">{}</td><td class=\"num\" data-label=\"Revenue\">{}</td><td data-label=\"Missing on\"><span>{}</span></td></tr>",
            r.sites
                .iter()
                .find(|s| s.site == c.site)
                .map_or_else(|| escape_html(&c.site), site_label),
            escape_html(&c.file),
            money_or_dash(c.rpm),
            number(c.views as f64),
            money(c.revenue),
            missing.join(", ")
        );
    }
    html.push_str("</tbody></table>");
    if r.replicate_candidates.len() > TOP {
        let _ = write!(
            html,
            "<p>And {} more in <code>grove report --json</code>.</p>",
            r.replicate_candidates.len() - TOP
        );
    }
    html.push_str("</section>\n");
}

fn products(html: &mut String, r: &Report) {
    let mut products: Vec<(&SiteReport, &ProductRow)> = r
        .sites
        .iter()
        .flat_map(|s| s.products.iter().map(move |p| (s, p)))
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
                escape_html(&site.domain)
            ),
            cells: vec![
                money_or_dash(p.epc),
                money_or_dash(p.revenue),
                number(p.clicks as f64),
            ],
            bars: vec![("c3", p.epc.unwrap_or(0.0))],
        })
        .collect();
    html.push_str("<section aria-labelledby=\"products\"><h2 id=\"products\">Products</h2>");
    if rows.is_empty() {
        html.push_str(
            "<p>No product has both clicks and a covered earnings report in this period yet.</p>",
        );
    } else {
        let title = format!(
            "The products earning the most per click (EPC, {})",
            r.currency
        );
        html.push_str(&bar_table(
            &BarTable {
                title: &title,
                label_heading: "Product",
                columns: &["EPC", "Revenue", "Clicks"],
                legend: &[("c3", "EPC")],
            },
            &rows,
        ));
    }
    html.push_str("</section>\n");
}

//! `grove dashboard`: the whole network on one self-contained HTML page:
//! totals against the previous period, a sortable table of sites, charts
//! drawn as inline SVG, and a section per site. Its figures are the
//! report's ([`crate::report`]), for the same period; broken links come
//! from the last `grove check`, pages and drafts from the last build, the
//! drafting pipeline from the briefs.
//!
//! The page fetches nothing: CSS, charts and a few lines of script (table
//! sorting) are inline, and it is fully readable without the script. It
//! holds revenue, so it is never written into an output folder.

mod alerts;
mod article_cost;
mod chart;
mod destination;
mod earnings;
mod format;
mod html;
mod pipeline;
mod search;
mod traffic;

use std::path::{Path, PathBuf};

pub use pipeline::Pipeline;

use crate::audit::AuditRecord;
use crate::check::CheckRecord;
use crate::day::Day;
use crate::error::Result;
use crate::network::Network;
use crate::output::write_atomic;
use crate::report::{Period, Report, ReportOptions, Totals, report};
use crate::state::{self, Record};

/// The period of a dashboard.
#[derive(Debug, Clone, Default)]
pub struct DashboardOptions {
    /// First day (default: 29 days before `until`).
    pub since: Option<Day>,
    /// Last day (default: the last day with data, else today).
    pub until: Option<Day>,
}

/// Everything the page shows.
pub struct Dashboard {
    /// The network's name.
    pub name: String,
    /// The report of the period.
    pub report: Report,
    /// The period of the same length before it.
    pub previous_period: Period,
    /// The network's totals then.
    pub previous: Totals,
    /// The last `grove check` per site.
    pub checks: CheckRecord,
    /// The last `grove audit` per site.
    pub audits: AuditRecord,
    /// Briefs per site, by stage.
    pub pipelines: Vec<Pipeline>,
    /// The alerts `grove watch` left open.
    pub alerts: Vec<crate::watch::alerts::Alert>,
    /// Model spend per published article (none when it cannot be known:
    /// no `[llm]`, a brief that does not plan).
    pub article_costs: Option<crate::draft::cost::ArticleCosts>,
}

/// Gathers the dashboard of `network`.
pub fn dashboard(network: &Network, options: &DashboardOptions) -> Result<Dashboard> {
    let current = report(
        network,
        &ReportOptions {
            sites: Vec::new(),
            since: options.since,
            until: options.until,
        },
    )?;
    let previous_period = current.period.previous();
    let previous = report(
        network,
        &ReportOptions {
            sites: Vec::new(),
            since: Some(previous_period.since),
            until: Some(previous_period.until),
        },
    )?;
    let sites: Vec<_> = network.sites.iter().collect();
    Ok(Dashboard {
        name: network.config.network.name.clone(),
        report: current,
        previous_period,
        previous: previous.network,
        checks: CheckRecord::read(&state::dir(&network.root)),
        audits: AuditRecord::read(&state::dir(&network.root)),
        pipelines: pipeline::pipelines(network, &sites)?,
        alerts: open_alerts(network)?,
        article_costs: crate::model::ledger::read(&state::dir(&network.root))
            .ok()
            .map(crate::model::ledger::settle)
            .and_then(|entries| crate::draft::cost::article_costs(network, &entries).ok()),
    })
}

/// The open alerts in the database (none without one).
fn open_alerts(network: &Network) -> Result<Vec<crate::watch::alerts::Alert>> {
    match crate::db::Db::open_existing(&state::dir(&network.root))? {
        Some(mut db) => crate::watch::alerts::open_alerts(db.conn()).map_err(|e| db.error(&e)),
        None => Ok(Vec::new()),
    }
}

/// The page of `dashboard`.
pub fn render(dashboard: &Dashboard) -> String {
    html::page(dashboard)
}

/// Where the dashboard goes by default: `.grove/dashboard/index.html`.
pub fn default_output(network: &Network) -> PathBuf {
    state::dir(&network.root)
        .join(state::DASHBOARD_DIR)
        .join("index.html")
}

/// Writes the dashboard of `network` to `output` (atomically), where
/// [`destination::check`] allows it.
pub fn write(network: &Network, options: &DashboardOptions, output: &Path) -> Result<Dashboard> {
    destination::check(network, output)?;
    let dashboard = dashboard(network, options)?;
    write_atomic(output, render(&dashboard).as_bytes())?;
    Ok(dashboard)
}

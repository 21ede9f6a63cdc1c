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

mod chart;
mod html;
mod pipeline;

use std::path::{Path, PathBuf};

pub use pipeline::Pipeline;

use crate::audit::AuditRecord;
use crate::check::CheckRecord;
use crate::day::Day;
use crate::draft::STATE_DIR;
use crate::error::{Error, Result};
use crate::network::{INPUTS, Network};
use crate::output::write_atomic;
use crate::report::{Period, Report, ReportOptions, Totals, report};

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
        checks: CheckRecord::read(&network.root.join(STATE_DIR)),
        audits: AuditRecord::read(&network.root.join(STATE_DIR)),
        pipelines: pipeline::pipelines(network, &sites)?,
    })
}

/// The page of `dashboard`.
pub fn render(dashboard: &Dashboard) -> String {
    html::page(dashboard)
}

/// Where the dashboard goes by default: `.grove/dashboard/index.html`.
pub fn default_output(network: &Network) -> PathBuf {
    network
        .root
        .join(STATE_DIR)
        .join("dashboard")
        .join("index.html")
}

/// Writes the dashboard of `network` to `output` (atomically). An output
/// inside the network's output folder (where sites are published) or its
/// sources is refused: the page holds revenue figures.
pub fn write(network: &Network, options: &DashboardOptions, output: &Path) -> Result<Dashboard> {
    refuse_published(network, output)?;
    let dashboard = dashboard(network, options)?;
    write_atomic(output, render(&dashboard).as_bytes())?;
    Ok(dashboard)
}

fn refuse_published(network: &Network, output: &Path) -> Result<()> {
    let absolute = if output.is_absolute() {
        output.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|source| Error::io(".", "cannot read the current folder", source))?
            .join(output)
    };
    let folder = absolute.parent().unwrap_or(&absolute);
    let published = network.output_dir();
    let inside = |dir: &Path| {
        let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        let mut at = Some(folder.to_path_buf());
        while let Some(path) = at {
            if path.canonicalize().unwrap_or_else(|_| path.clone()) == dir {
                return true;
            }
            at = path.parent().map(Path::to_path_buf);
        }
        false
    };
    let sources = INPUTS
        .iter()
        .filter(|name| **name != STATE_DIR)
        .map(|name| network.root.join(name));
    if inside(&published) || sources.into_iter().any(|input| inside(&input)) {
        return Err(Error::Output {
            path: output.to_path_buf(),
            message: "refusing to write the dashboard into the published output or the network's sources: it holds revenue figures. Write it elsewhere, e.g. the default .grove/dashboard/index.html".into(),
        });
    }
    Ok(())
}

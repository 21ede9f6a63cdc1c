//! `grove dashboard`: the whole network on one self-contained HTML page.

use crate::terminal::say;
use std::path::PathBuf;

use crate::dashboard::{DashboardOptions, default_output, write};
use crate::day::Day;
use crate::error::{Result, display_path};
use crate::network::Network;

/// Arguments of `grove dashboard`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// First day, YYYY-MM-DD (default: 29 days before --until).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Last day, YYYY-MM-DD (default: the last day with data, else today).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Write the page here (default: .grove/dashboard/index.html); never
    /// inside the published output, since it holds revenue.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Runs `grove dashboard`.
pub fn run(network: &Network, args: Args) -> Result<()> {
    let options = DashboardOptions {
        since: Day::parse_flag("--since", args.since)?,
        until: Day::parse_flag("--until", args.until)?,
    };
    let output = args.output.unwrap_or_else(|| default_output(network));
    let dashboard = write(network, &options, &output)?;
    let period = dashboard.report.period;
    say!(
        "Dashboard for {} to {} -> {}",
        period.since,
        period.until,
        display_path(&output).display()
    );
    Ok(())
}

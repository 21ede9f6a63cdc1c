//! `grove report`: traffic, clicks, revenue and LLM spend, per site and for
//! the network.

use crate::day::Day;
use crate::error::Result;
use crate::network::Network;
use crate::report::{ReportOptions, print_text, report};

/// Arguments of `grove report`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Report on this site only (repeat for several).
    #[arg(long = "site", value_name = "NAME")]
    pub sites: Vec<String>,
    /// First day, YYYY-MM-DD (default: 29 days before --until).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Last day, YYYY-MM-DD (default: the last day with data, else today).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Print the whole report as JSON: period, network, and per site its figures, pages, products, referrers, crawlers, 404s and days.
    #[arg(long)]
    pub json: bool,
}

/// Runs `grove report`.
pub fn run(network: &Network, args: Args) -> Result<()> {
    let options = ReportOptions {
        sites: args.sites,
        since: Day::parse_flag("--since", args.since)?,
        until: Day::parse_flag("--until", args.until)?,
    };
    let report = report(network, &options)?;
    if args.json {
        println!(
            "{}",
            crate::terminal::clean_json(
                &serde_json::to_string_pretty(&report).expect("a report serializes")
            )
        );
    } else {
        print_text(&report);
    }
    Ok(())
}

//! `grove watch`: check the live sites, their affiliate links and their
//! figures; exit non-zero on a new alert.

use crate::error::{Error, Result};
use crate::network::Network;
use crate::terminal::{say, say_part};
use crate::watch::{WatchOptions, watch};

/// Arguments of `grove watch`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this site (repeat for several).
    #[arg(long = "site", value_name = "NAME")]
    pub sites: Vec<String>,
    /// Judge the database only: fetch nothing.
    #[arg(long)]
    pub offline: bool,
    /// Do not fetch affiliate destinations.
    #[arg(long)]
    pub skip_affiliates: bool,
    /// Do not fetch Amazon destinations (Amazon's conditions of use
    /// restrict automated access; they are checked one every 5 s).
    #[arg(long)]
    pub skip_amazon: bool,
    /// Record alerts but send nothing to the webhook.
    #[arg(long)]
    pub no_notify: bool,
    /// Print the run as JSON: {"alerts": [{"site", "kind", "subject", "message", "first_seen", "last_seen", "new"}], "new", "resolved", ...}.
    #[arg(long)]
    pub json: bool,
}

/// Runs `grove watch`.
pub fn run(network: &Network, args: Args) -> Result<()> {
    let options = WatchOptions {
        sites: args.sites,
        live: !args.offline,
        affiliates: !args.offline && !args.skip_affiliates,
        amazon: !args.skip_amazon,
        stats: true,
        notify: !args.no_notify,
    };
    let run = watch(network, &options)?;
    if args.json {
        say_part!(
            "{}\n",
            serde_json::to_string_pretty(&run).expect("serializes")
        );
    } else {
        for alert in &run.alerts {
            let age = if alert.new {
                "NEW".to_string()
            } else {
                format!("since {}", alert.first_seen)
            };
            say!("{} [{}] {age}: {}", alert.site, alert.kind, alert.message);
        }
        for alert in &run.resolved {
            say!(
                "{} [{}] resolved: {}",
                alert.site,
                alert.kind,
                alert.subject
            );
        }
        for note in &run.notes {
            say!("note: {note}");
        }
        let sites: std::collections::BTreeSet<&str> =
            run.checked.iter().map(|(s, _)| s.as_str()).collect();
        say!(
            "{} site{} watched, {} affiliate destination{} fetched: {} alert{} open, {} new, {} resolved{}",
            sites.len(),
            if sites.len() == 1 { "" } else { "s" },
            run.destinations,
            if run.destinations == 1 { "" } else { "s" },
            run.alerts.len(),
            if run.alerts.len() == 1 { "" } else { "s" },
            run.new,
            run.resolved.len(),
            if run.notified.is_empty() {
                String::new()
            } else {
                format!("; sent to the {}", run.notified.join(", "))
            }
        );
    }
    if run.new > 0 {
        return Err(Error::Usage(format!(
            "{} new alert{}",
            run.new,
            if run.new == 1 { "" } else { "s" }
        )));
    }
    Ok(())
}

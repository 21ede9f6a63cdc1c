//! `grove refresh`: pages whose search clicks or views fell, proposed for
//! a refresh; `grove refresh accept` and `reject` decide on them.

use crate::day::Day;
use crate::draft::briefs_file::Decision;
use crate::error::{Error, Result};
use crate::network::Network;
use crate::refresh::{Proposal, RefreshOptions, find, propose};
use crate::terminal::{plural, say};

use super::research::{DecisionCommand, decide};

/// Arguments of `grove refresh`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    /// Accept or reject proposed refreshes instead of looking for new ones.
    #[command(subcommand)]
    pub decision: Option<DecisionCommand>,
    /// Only this site (repeat for several).
    #[arg(long = "site", value_name = "NAME")]
    pub sites: Vec<String>,
    /// How far traffic must have fallen, in percent (last 28 days against the 28 before, or against the page's best 28 days).
    #[arg(long, default_value_t = 30.0, value_name = "PERCENT")]
    pub drop: f64,
    /// The least clicks or views the period compared with must have had.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub min: u64,
    /// The last day compared, YYYY-MM-DD (default: each site's last day with data).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// List the proposals; write nothing to briefs.toml.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the proposals as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `grove refresh`.
pub fn run(network: &Network, args: Args) -> Result<()> {
    let is_refresh = |slug: &str| slug.ends_with("-refresh");
    match args.decision {
        Some(DecisionCommand::Accept(decide_args)) => {
            return decide(network, &decide_args, Decision::Accept, &is_refresh);
        }
        Some(DecisionCommand::Reject(decide_args)) => {
            return decide(network, &decide_args, Decision::Reject, &is_refresh);
        }
        None => {}
    }
    check(&args)?;
    let options = RefreshOptions {
        sites: args.sites,
        share: args.drop / 100.0,
        min: args.min,
        until: Day::parse_flag("--until", args.until)?,
    };
    let proposals = find(network, &options)?;
    let added = if args.dry_run {
        0
    } else {
        propose(network, &proposals)?
    };
    if args.json {
        print_json(&proposals);
        return Ok(());
    }
    for p in &proposals {
        say!(
            "{} {} ({}): {}{}",
            p.site,
            p.page,
            p.file,
            p.reason,
            if p.already_proposed {
                " [already proposed]"
            } else {
                ""
            }
        );
        if !p.queries.is_empty() {
            say!("    searched for: {}", p.queries.join(", "));
        }
    }
    match (proposals.len(), args.dry_run) {
        (0, _) => say!(
            "no page fell by {}% or more (with at least {} before): nothing to refresh",
            args.drop,
            args.min
        ),
        (n, true) => say!(
            "{n} page{} to refresh (dry run: nothing written)",
            plural(n)
        ),
        (n, false) => say!(
            "{n} page{} to refresh; {added} proposed in briefs.toml. Accept with `grove refresh accept SLUG` (or --all), then `grove draft` writes each new version beside its page and `grove approve` swaps it in.",
            plural(n)
        ),
    }
    Ok(())
}

fn check(args: &Args) -> Result<()> {
    if !(0.0..=100.0).contains(&args.drop) || args.drop == 0.0 {
        return Err(Error::Usage(format!(
            "--drop {} must be a percentage above 0 and at most 100",
            args.drop
        )));
    }
    Ok(())
}

fn print_json(proposals: &[Proposal]) {
    let value = serde_json::json!({ "proposals": proposals });
    crate::terminal::say_part!(
        "{}\n",
        serde_json::to_string_pretty(&value).expect("proposals serialize")
    );
}

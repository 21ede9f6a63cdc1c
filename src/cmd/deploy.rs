//! `grove deploy`: built sites to their targets, only what changed.

use crate::deploy::{DeployOptions, deploy};
use crate::error::Result;
use crate::network::Network;
use crate::terminal::{say, say_part};

/// Arguments of `grove deploy`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this site (repeat for several).
    #[arg(long = "site", value_name = "NAME")]
    pub sites: Vec<String>,
    /// Say what would be written and deleted; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Delete more files than [deploy] max_deletes (default 256) allows.
    #[arg(long)]
    pub force: bool,
    /// Print what moved as JSON: {"sites": [{"site", "uploaded", "deleted", "unchanged", ...}]}.
    #[arg(long)]
    pub json: bool,
}

/// Runs `grove deploy`.
pub fn run(network: &Network, args: Args) -> Result<()> {
    let options = DeployOptions {
        sites: args.sites,
        dry_run: args.dry_run,
        force: args.force,
    };
    let done = deploy(network, &options)?;
    if args.json {
        let value = serde_json::json!({ "sites": done, "dry_run": args.dry_run });
        say_part!(
            "{}\n",
            serde_json::to_string_pretty(&value).expect("serializes")
        );
        return Ok(());
    }
    let verb = if args.dry_run {
        "would upload"
    } else {
        "uploaded"
    };
    for site in &done {
        say!(
            "{} -> {}: {verb} {}, {} {}, {} unchanged",
            site.site,
            site.target,
            site.uploaded,
            if args.dry_run {
                "would delete"
            } else {
                "deleted"
            },
            site.deleted,
            site.unchanged
        );
    }
    Ok(())
}

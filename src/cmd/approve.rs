//! `grove approve`: publish drafts (set `draft = false`).

use std::path::PathBuf;

use crate::draft::review::{approve, resolve_paths};
use crate::error::{Error, Result, display_path};
use crate::network::Network;

/// Arguments of `grove approve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Draft files to publish.
    pub paths: Vec<PathBuf>,
    /// Publish every draft of this site (repeat for several).
    #[arg(long = "site", value_name = "NAME")]
    pub sites: Vec<String>,
}

/// Runs `grove approve`.
pub fn run(network: &Network, args: Args) -> Result<()> {
    if args.paths.is_empty() && args.sites.is_empty() {
        return Err(Error::Usage(
            "name the draft files to approve, or --site NAME to approve all drafts of a site"
                .into(),
        ));
    }
    let sites = network.select(&args.sites, None)?;
    let mut approved = 0;
    for path in resolve_paths(network, &args.paths, &sites)? {
        if approve(&path)? {
            approved += 1;
            println!("approved {}", display_path(&path).display());
        } else {
            println!("not a draft: {}", display_path(&path).display());
        }
    }
    println!("{approved} approved; they are published by the next `grove build`.");
    Ok(())
}

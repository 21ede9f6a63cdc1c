//! `grove review`: drafts waiting for a person, with warnings.

use crate::draft::review::drafts;
use crate::error::{Result, display_path};
use crate::network::Network;

/// Arguments of `grove review`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this site (repeat for several).
    #[arg(long = "site", value_name = "NAME")]
    pub sites: Vec<String>,
}

/// Runs `grove review`.
pub fn run(network: &Network, args: Args) -> Result<()> {
    let sites = network.select(&args.sites, None)?;
    let found = drafts(network, &sites)?;
    for draft in &found {
        let target = draft
            .target_words
            .map(|t| format!(" / {t}"))
            .unwrap_or_default();
        println!(
            "{}  \"{}\"  {} words{target}",
            display_path(&draft.path).display(),
            draft.title,
            draft.words
        );
        for warning in &draft.warnings {
            println!("    warning: {warning}");
        }
    }
    let warned = found.iter().filter(|d| !d.warnings.is_empty()).count();
    println!(
        "{} draft{} awaiting review, {warned} with warnings. Publish with `grove approve PATH...`.",
        found.len(),
        if found.len() == 1 { "" } else { "s" }
    );
    Ok(())
}

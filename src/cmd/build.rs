//! `grove build`: render sites to static files.

use std::path::PathBuf;
use std::time::Instant;

use crate::build::{BuildOptions, BuildRecord, build};
use crate::draft::STATE_DIR;
use crate::error::{Result, display_path};
use crate::network::{Network, Shard};

/// Arguments of `grove build`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Build only this site (repeat for several).
    #[arg(long = "site", value_name = "NAME")]
    pub sites: Vec<String>,
    /// Include pages marked draft = true.
    #[arg(long)]
    pub drafts: bool,
    /// Write DIR/<site>/ instead of the network's output_dir.
    #[arg(long, short, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Build part I of N of the sites (sorted by name, round-robin), e.g. 2/4.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<Shard>,
    /// Print only errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs `grove build`.
pub fn run(network: &Network, args: Args) -> Result<()> {
    let started = Instant::now();
    let options = BuildOptions {
        sites: args.sites,
        drafts: args.drafts,
        output: args.output,
        shard: args.shard,
    };
    let summary = build(network, &options)?;
    BuildRecord::update(&network.root.join(STATE_DIR), &summary.sites)?;
    for note in &summary.notes {
        eprintln!("note: {note}");
    }
    if args.quiet {
        return Ok(());
    }
    for site in &summary.sites {
        println!(
            "  {:<24} {:>6} pages {:>7} files",
            site.name, site.pages, site.files
        );
    }
    let pages: usize = summary.sites.iter().map(|s| s.pages).sum();
    println!(
        "Built {} site{}, {} page{} in {} ms -> {}",
        summary.sites.len(),
        plural(summary.sites.len()),
        pages,
        plural(pages),
        started.elapsed().as_millis(),
        display_path(&summary.output).display()
    );
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

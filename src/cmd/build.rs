//! `grove build`: render sites to static files.

use crate::state;
use crate::terminal::plural;
use crate::terminal::{say, tell};
use std::path::PathBuf;
use std::time::Instant;

use crate::audit::{AuditOptions, audit};
use crate::build::{BuildOptions, BuildRecord, build};
use crate::error::{Error, Location, Result, display_path};
use crate::network::{Gate, Network, Shard};

/// Arguments of `grove build`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Build only this site (repeat for several).
    #[arg(long = "site", value_name = "NAME")]
    pub sites: Vec<String>,
    /// Include pages marked draft = true.
    #[arg(long)]
    pub drafts: bool,
    /// Include pages dated in the future (scheduled).
    #[arg(long)]
    pub future: bool,
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
        future: args.future,
        output: args.output,
        shard: args.shard,
    };
    quality_gate(network, &options)?;
    let summary = build(network, &options)?;
    BuildRecord::update(&state::dir(&network.root), &summary.sites)?;
    for note in summary.notes.iter().chain(&summary.notices().lines()) {
        tell!("note: {note}");
    }
    if args.quiet {
        return Ok(());
    }
    for site in &summary.sites {
        let scheduled = match &site.next_scheduled {
            Some(next) => format!("   {} scheduled, next on {next}", site.scheduled),
            None => String::new(),
        };
        say!(
            "  {:<24} {:>6} page{} {:>7} file{}{scheduled}",
            site.name,
            site.pages,
            if site.pages == 1 { " " } else { "s" },
            site.files,
            plural(site.files)
        );
    }
    let pages: usize = summary.sites.iter().map(|s| s.pages).sum();
    let scheduled: usize = summary.sites.iter().map(|s| s.scheduled).sum();
    say!(
        "Built {} site{}, {} page{} in {} ms -> {}",
        summary.sites.len(),
        plural(summary.sites.len()),
        pages,
        plural(pages),
        started.elapsed().as_millis(),
        display_path(&summary.output).display()
    );
    let next = summary
        .sites
        .iter()
        .filter_map(|s| s.next_scheduled.as_ref())
        .min_by_key(|d| d.instant());
    if let Some(next) = next {
        say!(
            "{scheduled} page{} scheduled, not built before their date (--future builds them); the next goes out on {next}",
            plural(scheduled)
        );
    }
    Ok(())
}

/// With `[quality] gate = "block"` on a site to build, audits it first and
/// fails on an error finding, before anything is written.
fn quality_gate(network: &Network, options: &BuildOptions) -> Result<()> {
    let gated: Vec<String> = network
        .select(&options.sites, options.shard)?
        .into_iter()
        .filter(|site| site.gate(&network.config) == Gate::Block)
        .map(|site| site.name.clone())
        .collect();
    if gated.is_empty() {
        return Ok(());
    }
    let audit = audit(
        network,
        &AuditOptions {
            sites: gated,
            drafts: options.drafts,
        },
    )?;
    let errors: Vec<Error> = audit
        .blocking(network, Gate::Block)
        .into_iter()
        .map(|finding| Error::Content {
            location: Location {
                path: network.root.join(&finding.file),
                line: finding.line,
                column: None,
            },
            message: format!(
                "{} in {}, and [quality] gate = \"block\" stops the build: {}",
                finding.code, finding.site, finding.message
            ),
        })
        .collect();
    match Error::collect(errors) {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

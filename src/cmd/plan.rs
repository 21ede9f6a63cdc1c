//! `grove plan`: which briefs have a file and which would be drafted.

use crate::terminal::say;
use std::sync::Arc;

use crate::draft::manifest::Manifest;
use crate::draft::plan::{Status, plan};
use crate::error::{Result, display_path};
use crate::network::Network;

/// Arguments of `grove plan`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this site (repeat for several).
    #[arg(long = "site", value_name = "NAME")]
    pub sites: Vec<String>,
}

/// Runs `grove plan`.
pub fn run(network: &Network, args: Args) -> Result<()> {
    let sites = network.select(&args.sites, None)?;
    let manifest = Arc::new(Manifest::load(&network.root)?);
    let jobs = plan(network, &sites, &manifest)?;
    let mut current = String::new();
    let (mut count, mut tokens, mut cost) = (0, 0, 0.0);
    for job in &jobs {
        if job.site != current {
            current = job.site.clone();
            say!("{current} ({})", job.llm.model);
        }
        let status = match job.status {
            Status::ToDraft => "draft   ",
            Status::Drafted => "drafted ",
            Status::Human => "written ",
            Status::InBlueprint => "shared  ",
            Status::Proposed => "proposed",
        };
        let estimate = if job.status == Status::ToDraft {
            count += 1;
            tokens += job.input_estimate + job.output_estimate;
            cost += job.cost_estimate();
            format!(
                "  ~{} tokens, ~${:.4}",
                job.input_estimate + job.output_estimate,
                job.cost_estimate()
            )
        } else {
            String::new()
        };
        say!("  {status} {}{estimate}", display_path(&job.path).display());
    }
    say!(
        "{count} article{} to draft: ~{tokens} tokens, ~${cost:.4}",
        if count == 1 { "" } else { "s" }
    );
    Ok(())
}

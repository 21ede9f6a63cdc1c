//! `grove draft`: draft articles for briefs that have no file yet.

use indicatif::ProgressBar;

use crate::draft::run::Outcome;
use crate::draft::{DraftOptions, draft};
use crate::error::{Error, Result, display_path};
use crate::network::Network;

/// Arguments of `grove draft`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Draft only for this site (repeat for several).
    #[arg(long = "site", value_name = "NAME")]
    pub sites: Vec<String>,
    /// Draft only the brief with this slug.
    #[arg(long, value_name = "SLUG")]
    pub brief: Option<String>,
    /// Draft at most N articles.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Stop starting requests once spent plus in-flight estimates would pass USD.
    #[arg(long, value_name = "USD")]
    pub budget: Option<f64>,
    /// Show what would be drafted and its estimated cost; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Re-draft files Grove wrote that nobody edited (edited files are never touched).
    #[arg(long)]
    pub force: bool,
}

/// Runs `grove draft`.
pub fn run(network: &Network, args: Args) -> Result<()> {
    let options = DraftOptions {
        sites: args.sites,
        brief: args.brief,
        limit: args.limit,
        budget: args.budget,
        dry_run: args.dry_run,
        force: args.force,
    };
    let report = draft(network, &options, ProgressBar::new(0))?;
    for kept in &report.kept_human {
        println!(
            "kept     {} (edited by a person; never overwritten)",
            display_path(&kept.path).display()
        );
    }
    let mut counts = [0usize; 4];
    for job in &report.jobs {
        let path = display_path(&job.path);
        match &job.outcome {
            Outcome::Written { calls } => {
                counts[0] += 1;
                let how = if *calls == 0 { " (from cache)" } else { "" };
                println!("drafted  {}{how}", path.display());
            }
            Outcome::Kept(reason) => {
                counts[1] += 1;
                println!("kept     {}: {reason}", path.display());
            }
            Outcome::Failed(reason) => {
                counts[2] += 1;
                println!("FAILED   {}/{}: {reason}", job.site, job.slug);
            }
            Outcome::NotStarted(reason) if options.dry_run => {
                let _ = reason;
                println!("would draft {}", path.display());
            }
            Outcome::NotStarted(reason) => {
                counts[3] += 1;
                println!("skipped  {}/{}: {reason}", job.site, job.slug);
            }
        }
    }
    if options.dry_run {
        println!(
            "{} article{} to draft, estimated ${:.4}; {} brief{} already have a file",
            report.jobs.len(),
            if report.jobs.len() == 1 { "" } else { "s" },
            report.estimated_cost,
            report.existing,
            if report.existing == 1 { "" } else { "s" },
        );
        return Ok(());
    }
    println!(
        "Drafted {}, kept {}, failed {}, not started {}; {} already had a file. {} tokens, ${:.4}.",
        counts[0],
        counts[1] + report.kept_human.len(),
        counts[2],
        counts[3],
        report.existing,
        report.tokens,
        report.cost
    );
    if counts[2] > 0 {
        return Err(Error::Usage(format!(
            "{} brief{} failed (see above); fix the cause and run `grove draft` again: finished articles are kept and cached answers are not paid again",
            counts[2],
            if counts[2] == 1 { "" } else { "s" }
        )));
    }
    if counts[3] > 0 {
        println!("Run `grove draft` again to continue.");
    }
    Ok(())
}

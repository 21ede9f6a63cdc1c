//! `grove draft`: draft articles for briefs that have no file yet.

use crate::terminal::plural;
use crate::terminal::say;
use indicatif::ProgressBar;

use crate::draft::run::Outcome;
use crate::draft::{DraftOptions, JobReport, draft};
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
    /// Send what is not cached as one batch per provider at the batch price
    /// (half); run again to collect finished batches and write their drafts.
    #[arg(long)]
    pub batch: bool,
    /// Read finished batches and write their drafts; send nothing new.
    #[arg(long, conflicts_with = "batch")]
    pub collect: bool,
    /// With --batch or --collect: poll until every draft is written.
    #[arg(long)]
    pub wait: bool,
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
        batch: args.batch,
        collect: args.collect,
        wait: args.wait,
    };
    let progress = ProgressBar::new(0);
    // Each job's line is printed the moment it ends, above the progress bar.
    let print = |job: &JobReport| progress.suspend(|| say!("{}", job_line(job)));
    let report = draft(network, &options, progress.clone(), &print)?;
    for kept in &report.kept_human {
        say!(
            "kept     {} (edited by a person; never overwritten)",
            display_path(&kept.path).display()
        );
    }
    if report.proposed > 0 {
        say!(
            "{} proposed brief{} not drafted until accepted (`grove research accept`)",
            report.proposed,
            plural(report.proposed)
        );
    }
    if options.dry_run {
        for job in &report.jobs {
            say!("would draft {}", display_path(&job.path).display());
        }
        say!(
            "{} article{} to draft, estimated ${:.4}; {} brief{} already have a file",
            report.jobs.len(),
            plural(report.jobs.len()),
            report.estimated_cost,
            report.existing,
            plural(report.existing),
        );
        return Ok(());
    }
    let count = |wanted: fn(&Outcome) -> bool| {
        report
            .jobs
            .iter()
            .filter(|job| wanted(&job.outcome))
            .count()
    };
    let drafted = count(|o| matches!(o, Outcome::Written { .. }));
    let kept = count(|o| matches!(o, Outcome::Kept(_)));
    let failed = count(|o| matches!(o, Outcome::Failed(_)));
    let not_started = count(|o| matches!(o, Outcome::NotStarted(_)));
    let queued = count(|o| matches!(o, Outcome::Queued(_)));
    if queued > 0 {
        say!(
            "{queued} brief{} wait in batches: `grove draft --collect` (or --batch again) writes them once their batch ends; --wait polls until then",
            plural(queued)
        );
    }
    say!(
        "Drafted {drafted}, kept {}, failed {failed}, not started {not_started}; {} already had a file. {} tokens, ${:.4}.",
        kept + report.kept_human.len(),
        report.existing,
        report.tokens,
        report.cost
    );
    if failed > 0 {
        return Err(Error::Usage(format!(
            "{failed} brief{} failed (see above); fix the cause and run `grove draft` again: finished articles are kept and cached answers are not paid again",
            plural(failed)
        )));
    }
    if not_started > 0 {
        return Err(Error::Usage(format!(
            "{not_started} brief{} not started (see above); run `grove draft` again to continue",
            plural(not_started)
        )));
    }
    Ok(())
}

/// One job's line: what happened to its brief.
fn job_line(job: &JobReport) -> String {
    let path = display_path(&job.path);
    match &job.outcome {
        Outcome::Written { calls } => {
            let how = if *calls == 0 { " (from cache)" } else { "" };
            format!("drafted  {}{how}", path.display())
        }
        Outcome::Kept(reason) => format!("kept     {}: {reason}", path.display()),
        Outcome::Failed(reason) => format!("FAILED   {}/{}: {reason}", job.site, job.slug),
        Outcome::NotStarted(reason) => {
            format!("skipped  {}/{}: {reason}", job.site, job.slug)
        }
        Outcome::Queued(reason) => format!("queued   {}/{}: {reason}", job.site, job.slug),
    }
}

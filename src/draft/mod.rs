//! `grove draft`: briefs to Markdown drafts through an LLM API, for every
//! site, concurrently, cached, cost-tracked, never overwriting human work.
//!
//! `plan` expands briefs and prompts per site (failing before any paid
//! request if something is wrong), `run` sends the requests (cache first) and
//! writes each article the moment it arrives.

pub mod batch;
pub mod brief;
pub mod briefs_file;
pub mod cost;
pub mod manifest;
pub mod plan;
pub mod prompt;
pub mod refresh;
pub mod review;
pub mod run;
pub mod schedule;
pub mod stage;

use std::path::PathBuf;
use std::sync::Arc;

use indicatif::ProgressBar;

use crate::error::Result;
use crate::model::runner::{RunSettings, Runner};
use crate::network::Network;
use crate::run_lock::{self, RunLock};
use crate::state;
use manifest::Manifest;
use plan::{Job, Status};
use run::{Drafter, Outcome};

/// What `grove draft` should do.
#[derive(Debug, Clone, Default)]
pub struct DraftOptions {
    /// Sites to draft for; all when empty.
    pub sites: Vec<String>,
    /// Only the brief with this slug.
    pub brief: Option<String>,
    /// At most this many articles.
    pub limit: Option<usize>,
    /// Stop starting requests once spent plus in-flight estimates would pass this (USD).
    pub budget: Option<f64>,
    /// List what would be drafted; send nothing.
    pub dry_run: bool,
    /// Re-draft files Grove wrote that nobody has edited.
    pub force: bool,
    /// Send what is not cached as batches at the batch price.
    pub batch: bool,
    /// Read batches that ended and write their drafts; send nothing new.
    pub collect: bool,
    /// With `batch` or `collect`: repeat until nothing waits in a batch.
    pub wait: bool,
}

/// One brief's result.
#[derive(Debug, Clone)]
pub struct JobReport {
    /// Site name.
    pub site: String,
    /// Brief slug.
    pub slug: String,
    /// The article's file.
    pub path: PathBuf,
    /// What happened.
    pub outcome: Outcome,
}

/// What a draft run did.
#[derive(Debug, Clone, Default)]
pub struct DraftReport {
    /// Jobs that ran (or would run, in a dry run), in plan order.
    pub jobs: Vec<JobReport>,
    /// Briefs left alone with `--force` because a person edited their file.
    pub kept_human: Vec<JobReport>,
    /// Briefs whose file exists already (not re-drafted).
    pub existing: usize,
    /// Briefs `grove research` proposed that nobody accepted yet.
    pub proposed: usize,
    /// Tokens of real calls.
    pub tokens: u64,
    /// USD of real calls.
    pub cost: f64,
    /// Estimated USD of the jobs (for dry runs).
    pub estimated_cost: f64,
}

/// Plans and (unless `dry_run`) runs a draft. `progress` shows done/total,
/// tokens and cost; pass a hidden bar for none. `on_done` hears about each
/// job the moment it ends, so a run stopped halfway has said what it did.
pub fn draft(
    network: &Network,
    options: &DraftOptions,
    progress: ProgressBar,
    on_done: &(dyn Fn(&JobReport) + Sync),
) -> Result<DraftReport> {
    let sites = network.select(&options.sites, None)?;
    // Held from before the plan reads which briefs are drafted: two runs at
    // once would both pay for every brief.
    let _lock = if options.dry_run {
        None
    } else {
        Some(RunLock::hold(&state::dir(&network.root), run_lock::MODEL)?)
    };
    let manifest = Arc::new(Manifest::load(&network.root)?);
    let planned = plan::plan(network, &sites, &manifest)?;
    if let Some(slug) = &options.brief
        && !planned.iter().any(|job| job.brief.slug == *slug)
    {
        let mut known: Vec<&str> = planned.iter().map(|j| j.brief.slug.as_str()).collect();
        known.sort_unstable();
        known.dedup();
        return Err(crate::Error::Usage(format!(
            "no brief `{slug}` for the selected sites (known briefs: {}); see `grove plan`",
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        )));
    }
    let mut report = DraftReport::default();
    let mut jobs: Vec<Job> = Vec::new();
    for job in planned {
        if options
            .brief
            .as_ref()
            .is_some_and(|slug| *slug != job.brief.slug)
        {
            continue;
        }
        match job.status {
            Status::ToDraft => jobs.push(job),
            Status::Drafted if options.force => jobs.push(job),
            Status::Human if options.force => report.kept_human.push(JobReport {
                site: job.site.clone(),
                slug: job.brief.slug.clone(),
                path: job.path.clone(),
                outcome: Outcome::Kept("edited by a person: never overwritten".into()),
            }),
            Status::Proposed => report.proposed += 1,
            _ => report.existing += 1,
        }
    }
    if let Some(limit) = options.limit {
        jobs.truncate(limit);
    }
    // A fold from 0.0: an empty f64 sum is -0.0, printed "$-0.0000".
    report.estimated_cost = jobs.iter().map(Job::cost_estimate).fold(0.0, |a, b| a + b);
    if options.dry_run {
        report.jobs = jobs
            .iter()
            .map(|job| JobReport {
                site: job.site.clone(),
                slug: job.brief.slug.clone(),
                path: job.path.clone(),
                outcome: Outcome::NotStarted("dry run".into()),
            })
            .collect();
        return Ok(report);
    }
    if jobs.is_empty() && !options.collect {
        return Ok(report);
    }

    let llm = network.config.llm.clone().expect("plan checked [llm]");
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| crate::Error::Usage(format!("cannot start the async runtime: {e}")))?;
    let jobs: Vec<Arc<Job>> = jobs.into_iter().map(Arc::new).collect();
    if options.batch || options.collect {
        progress.enable_steady_tick(std::time::Duration::from_millis(200));
        let batch_options = batch::BatchOptions {
            send: options.batch,
            wait: options.wait,
        };
        let batched = batch::run(
            &llm,
            &state::dir(&network.root),
            Arc::clone(&manifest),
            jobs.clone(),
            (batch_options, options.budget, options.force),
            &progress,
            on_done,
            &mut report,
            &runtime,
        )?;
        if batched {
            progress.finish_and_clear();
            return Ok(report);
        }
    }
    let settings = RunSettings {
        llm,
        state_dir: state::dir(&network.root),
        budget: options.budget,
        ignore_cache: options.force,
        progress: progress.clone(),
        batch: None,
    };
    let drafter = Arc::new(Drafter::new(
        Runner::new(settings)?,
        manifest,
        options.force,
    ));
    progress.set_length(jobs.len() as u64);
    progress.enable_steady_tick(std::time::Duration::from_millis(200));
    let outcomes = runtime.block_on(run_all(Arc::clone(&drafter), jobs, on_done, None));
    progress.finish_and_clear();
    (report.tokens, report.cost) = drafter.runner().spent();
    report.jobs = outcomes;
    Ok(report)
}

/// Runs `jobs` through `drafter`; with `at_once`, at most that many
/// jobs at a time (jobs answered from the cache never wait on the
/// network, and a thousand writing at once would each hold a thread).
pub(crate) async fn run_all(
    drafter: Arc<Drafter>,
    jobs: Vec<Arc<Job>>,
    on_done: &(dyn Fn(&JobReport) + Sync),
    at_once: Option<usize>,
) -> Vec<JobReport> {
    let slots = Arc::new(tokio::sync::Semaphore::new(
        at_once.unwrap_or(tokio::sync::Semaphore::MAX_PERMITS),
    ));
    let interrupt = {
        let drafter = Arc::clone(&drafter);
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                drafter.runner().cancel();
                drafter.runner().log("interrupted: finishing requests in flight; run `grove draft` again to resume (press Ctrl-C again to quit now)");
                if tokio::signal::ctrl_c().await.is_ok() {
                    std::process::exit(130);
                }
            }
        })
    };
    let mut tasks = tokio::task::JoinSet::new();
    for (index, job) in jobs.iter().enumerate() {
        let drafter = Arc::clone(&drafter);
        let job = Arc::clone(job);
        let slots = Arc::clone(&slots);
        tasks.spawn(async move {
            let _slot = slots.acquire().await.expect("never closed");
            (index, drafter.run(&job).await)
        });
    }
    let report = |job: &Job, outcome: Outcome| JobReport {
        site: job.site.clone(),
        slug: job.brief.slug.clone(),
        path: job.path.clone(),
        outcome,
    };
    let mut outcomes: Vec<Option<Outcome>> = vec![None; jobs.len()];
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok((index, outcome)) => {
                on_done(&report(&jobs[index], outcome.clone()));
                outcomes[index] = Some(outcome);
            }
            Err(error) => drafter
                .runner()
                .log(&format!("a draft task crashed: {error}")),
        }
    }
    interrupt.abort();
    jobs.iter()
        .zip(outcomes)
        .map(|(job, outcome)| {
            report(
                job,
                outcome.unwrap_or_else(|| Outcome::Failed("the task crashed".into())),
            )
        })
        .collect()
}

//! `grove draft --batch`: the same jobs as a live run, but a step whose
//! answer is not in the cache is put aside and sent with the others as
//! one batch at the provider's batch price. Each run first reads the
//! batches that ended into the cache; the jobs then run as usual, so a
//! draft whose steps are all cached is written at once, and an article
//! whose outline just arrived goes in the next batch (two rounds). With
//! `--wait`, runs repeat until nothing waits; `--collect` reads and
//! writes without sending anything new.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use indicatif::ProgressBar;

use super::manifest::Manifest;
use super::plan::Job;
use super::run::{Drafter, Outcome};
use super::{DraftReport, JobReport, run_all};
use crate::error::Result;
use crate::model::batch::session::{Batches, Collected};
use crate::model::batch::store::Store;
use crate::model::batch::{BatchClient, Queue, Queued, lacks_batch_api};
use crate::model::cache::Cache;
use crate::model::ledger::Ledger;
use crate::model::runner::{RunSettings, Runner};
use crate::network::{BatchRetry, BatchSetting, LlmConfig};

/// Failures of one request in batches before a run stops asking: the
/// first, and once more.
const MAX_FAILURES: u32 = 2;

/// What the batch part of a run does.
#[derive(Debug, Clone, Copy)]
pub struct BatchOptions {
    /// Send what is not cached (else only read what ended).
    pub send: bool,
    /// Repeat until every job is drafted or failed.
    pub wait: bool,
}

/// Runs `jobs` in batch mode, reporting into `report`. `Ok(false)`: the
/// server has no batch API and `[llm] batch = "auto"` asks for live
/// calls instead (nothing was sent or reported).
#[allow(clippy::too_many_arguments)]
pub fn run(
    llm: &LlmConfig,
    state_dir: &std::path::Path,
    manifest: Arc<Manifest>,
    jobs: Vec<Arc<Job>>,
    options: (BatchOptions, Option<f64>, bool),
    progress: &ProgressBar,
    on_done: &(dyn Fn(&JobReport) + Sync),
    report: &mut DraftReport,
    runtime: &tokio::runtime::Runtime,
) -> Result<bool> {
    let (batch, budget, force) = options;
    let cache = Cache::new(state_dir);
    let ledger = Ledger::open(state_dir)?;
    let batches = Batches {
        client: BatchClient::new(llm)?,
        store: Store::new(state_dir),
        cache: &cache,
        ledger: &ledger,
        llm,
        state_dir,
    };
    let log = |line: &str| progress.suspend(|| crate::terminal::tell!("{line}"));
    let mut jobs = jobs;
    let mut outcomes: Vec<JobReport> = Vec::new();
    let mut failures: HashMap<String, u32> = HashMap::new();
    let mut budget_left = budget;
    loop {
        let collected = runtime.block_on(batches.collect())?;
        say_collected(&collected, &log);
        report.cost += collected.cost;
        for (key, _) in &collected.failed {
            *failures.entry(key.clone()).or_default() += 1;
        }
        let drafter = Arc::new(Drafter::new(
            Runner::new(RunSettings {
                llm: llm.clone(),
                state_dir: state_dir.to_path_buf(),
                budget: None,
                ignore_cache: false,
                progress: progress.clone(),
                batch: Some(Queue::new(
                    batches.store.pending_keys()?,
                    live_retries(llm, &failures),
                )),
            })?,
            Arc::clone(&manifest),
            force,
        ));
        progress.set_length(jobs.len() as u64);
        progress.set_position(0);
        let round = runtime.block_on(run_all(
            Arc::clone(&drafter),
            jobs.clone(),
            &|_| {},
            Some(llm.max_concurrency.max(1)),
        ));
        let mut given_up: HashSet<(String, String)> = HashSet::new();
        let mut sent_to = None;
        if batch.send {
            let mut queued = drafter.runner().take_queued();
            // A request a batch failed is asked once more, not forever
            // (one a batch did not run, expired or cancelled, is asked
            // again until it runs).
            queued.retain(|q| {
                let failed = failures.get(&q.custom_id).copied().unwrap_or(0);
                if failed >= MAX_FAILURES {
                    given_up.insert((q.site.clone(), q.label.clone()));
                }
                failed < MAX_FAILURES
            });
            let affordable = within_budget(llm, queued, &mut budget_left, &log);
            if !affordable.is_empty() {
                let count = affordable.len();
                let record = match runtime.block_on(batches.submit(affordable)) {
                    Err(error) if lacks_batch_api(&error) && llm.batch == BatchSetting::Auto => {
                        log(&format!(
                            "{} has no batch API: drafting with live calls ([llm] batch = \"auto\")",
                            llm.base_url()
                        ));
                        return Ok(false);
                    }
                    other => other?,
                };
                log(&format!(
                    "sent {count} request{} as batch {} ({}), at {}% of the live price",
                    if count == 1 { "" } else { "s" },
                    record.batch_id.as_deref().unwrap_or("?"),
                    record.local_id,
                    (record.discount * 100.0).round()
                ));
                sent_to = record.batch_id;
            }
        }
        let waiting = !batches.store.open()?.is_empty();
        let mut next = Vec::new();
        for (job, mut job_report) in jobs.iter().zip(round) {
            if let Outcome::Queued(why) = &job_report.outcome {
                if given_up.contains(&(job.site.clone(), job.brief.slug.clone())) {
                    job_report.outcome = Outcome::Failed(
                        "its request failed in two batches (the ledger says why); run `grove draft` live to see the error".into(),
                    );
                } else {
                    if let Some(id) = &sent_to {
                        job_report.outcome = Outcome::Queued(format!("{why}: batch {id}"));
                    }
                    if batch.wait && waiting {
                        next.push(Arc::clone(job));
                        continue;
                    }
                }
            }
            on_done(&job_report);
            outcomes.push(job_report);
        }
        if next.is_empty() {
            break;
        }
        jobs = next;
        std::thread::sleep(Duration::from_secs_f64(llm.batch_poll_secs.max(0.0)));
    }
    report.jobs = outcomes;
    Ok(true)
}

/// The requests a batch failed that go live now (`batch_retry = "live"`),
/// each once.
fn live_retries(llm: &LlmConfig, failures: &HashMap<String, u32>) -> HashSet<String> {
    match llm.batch_retry {
        BatchRetry::Live => failures
            .iter()
            .filter(|(_, n)| **n < MAX_FAILURES)
            .map(|(k, _)| k.clone())
            .collect(),
        BatchRetry::Batch => HashSet::new(),
    }
}

/// The queued requests whose worst case (prompt and a full answer, at the
/// batch price) fits in what is left of the budget; the rest are said and
/// left for a later run.
fn within_budget(
    llm: &LlmConfig,
    queued: Vec<Queued>,
    budget: &mut Option<f64>,
    log: &dyn Fn(&str),
) -> Vec<Queued> {
    let Some(limit) = budget.as_mut() else {
        return queued;
    };
    let mut total = 0.0;
    let mut kept = Vec::new();
    let mut left = 0;
    for request in queued {
        let worst =
            llm.cost(request.input_estimate, u64::from(llm.max_tokens)) * llm.batch_discount;
        if total + worst <= *limit {
            total += worst;
            kept.push(request);
        } else {
            left += 1;
        }
    }
    if left > 0 {
        log(&format!(
            "budget: {} request{} sent (worst case ${total:.4} of ${:.4} left), {left} left for a later run",
            kept.len(),
            if kept.len() == 1 { "" } else { "s" },
            *limit
        ));
    }
    *limit -= total;
    kept
}

fn say_collected(collected: &Collected, log: &dyn Fn(&str)) {
    if collected.answered > 0 || !collected.failed.is_empty() || collected.not_run > 0 {
        log(&format!(
            "batches read: {} answered (${:.4}), {} failed, {} not run (asked again)",
            collected.answered,
            collected.cost,
            collected.failed.len(),
            collected.not_run
        ));
    }
    for (_, failure) in &collected.failed {
        log(&format!(
            "  failed in a batch: {failure} (asked again in the next batch)"
        ));
    }
    for line in &collected.malformed {
        log(&format!("  unreadable result: {line}"));
    }
    for (local, status) in &collected.running {
        log(&format!("batch {local}: {status}"));
    }
}

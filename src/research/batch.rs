//! `grove research --batch`: the research call sent in a batch at the
//! batch price; a later run with the same options reads the answer from
//! the cache (where reading the batch put it) and writes the proposals.

use std::collections::HashSet;
use std::time::Duration;

use super::ResearchOptions;
use crate::error::{Error, Result};
use crate::model::batch::session::Batches;
use crate::model::batch::store::Store;
use crate::model::batch::{BatchClient, Queue, lacks_batch_api};
use crate::model::cache::{Answer, Cache};
use crate::model::call::Call;
use crate::model::ledger::Ledger;
use crate::model::message::Message;
use crate::model::runner::{NotAnswered, RunSettings, Runner};
use crate::network::{BatchSetting, LlmConfig, Network};
use crate::state;

/// A batch failing the research request this often ends the run.
const MAX_FAILURES: usize = 2;

/// Where the research call stands.
pub enum Asked {
    /// Answered (from the cache, or live when the server has no batch
    /// API and `batch = "auto"`), with the runner that asked.
    Answered(Box<Runner>, std::result::Result<(Answer, u32), NotAnswered>),
    /// Waiting in this batch.
    Waiting(String),
}

/// Asks `call` through batches.
pub fn ask(
    network: &Network,
    llm: &LlmConfig,
    call: &Call<'_>,
    messages: &[Message],
    options: &ResearchOptions,
    runtime: &tokio::runtime::Runtime,
    settings: &dyn Fn(Option<Queue>) -> RunSettings,
) -> Result<Asked> {
    if options.fresh {
        return Err(Error::Usage(
            "--fresh asks again at once: use it without --batch".into(),
        ));
    }
    let state_dir = state::dir(&network.root);
    let client = BatchClient::new(llm)?;
    let cache = Cache::new(&state_dir);
    let ledger = Ledger::open(&state_dir)?;
    let batches = Batches {
        client,
        store: Store::new(&state_dir),
        cache: &cache,
        ledger: &ledger,
        llm,
        state_dir: &state_dir,
    };
    let mut failures = 0;
    loop {
        let collected = runtime.block_on(batches.collect())?;
        failures += collected.failed.len();
        let queue = Queue::new(batches.store.pending_keys()?, HashSet::new());
        let runner = Runner::new(settings(Some(queue)))?;
        let asked = runtime.block_on(runner.step(call, "research", messages));
        let Err(NotAnswered::Queued(_)) = asked else {
            return Ok(Asked::Answered(Box::new(runner), asked));
        };
        let queued = runner.take_queued();
        let mut waiting_in = "a batch sent earlier".to_string();
        if !queued.is_empty() {
            if failures >= MAX_FAILURES {
                return Err(Error::Usage(format!(
                    "the research request failed in {failures} batches (the ledger says why): run it without --batch to see the error"
                )));
            }
            if let Some(limit) = options.budget {
                let worst: f64 = queued
                    .iter()
                    .map(|q| {
                        llm.cost(q.input_estimate, u64::from(llm.max_tokens)) * llm.batch_discount
                    })
                    .sum();
                if worst > limit {
                    return Err(Error::Usage(format!(
                        "the research request may cost up to ${worst:.4} in a batch, more than the budget of ${limit:.4}; raise --budget or lower [llm] max_tokens"
                    )));
                }
            }
            let record = match runtime.block_on(batches.submit(queued)) {
                // No batch API, and `batch = "auto"`: a live call.
                Err(error) if lacks_batch_api(&error) && llm.batch == BatchSetting::Auto => {
                    let runner = Runner::new(settings(None))?;
                    let asked = runtime.block_on(runner.step(call, "research", messages));
                    return Ok(Asked::Answered(Box::new(runner), asked));
                }
                other => other?,
            };
            waiting_in = record.batch_id.unwrap_or(record.local_id);
        }
        if !options.wait {
            return Ok(Asked::Waiting(waiting_in));
        }
        std::thread::sleep(Duration::from_secs_f64(llm.batch_poll_secs.max(0.0)));
    }
}

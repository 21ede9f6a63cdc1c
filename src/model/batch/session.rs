//! Sending batches and reading them back: each step written down before
//! the next ([`super::store`]), so any run picks a batch up where the last
//! one stopped; results go to the cache (usable answers, keyed as live
//! ones) and the ledger (every request, at the batch price, with the
//! batch's id).

use std::collections::HashSet;

use super::store::{Record, Store};
use super::{BatchClient, ItemResult, Progress, Queued, openai};
use crate::error::Result;
use crate::model::answer::check_answer;
use crate::model::cache::{Answer, Cache};
use crate::model::call::estimate_tokens;
use crate::model::ledger::{Entry, Ledger};
use crate::network::{LlmConfig, Provider};

/// How long OpenAI may take (the only window it offers).
const COMPLETION_WINDOW: &str = "24h";

/// What reading the open batches found.
#[derive(Debug, Default)]
pub struct Collected {
    /// Requests answered and cached.
    pub answered: usize,
    /// Requests the provider failed, or whose answer was unusable: their
    /// key and what happened.
    pub failed: Vec<(String, String)>,
    /// Requests a batch never ran (expired, cancelled): asked again.
    pub not_run: usize,
    /// Batches still running: Grove's id and the provider's status.
    pub running: Vec<(String, String)>,
    /// Unreadable result lines.
    pub malformed: Vec<String>,
    /// USD the read results cost.
    pub cost: f64,
}

/// Batches of one `[llm]`.
pub struct Batches<'a> {
    /// The provider's API.
    pub client: BatchClient,
    /// Where batches are written down.
    pub store: Store,
    /// Where answers go.
    pub cache: &'a Cache,
    /// Where calls are counted.
    pub ledger: &'a Ledger,
    /// The model settings (prices).
    pub llm: &'a LlmConfig,
    /// `.grove/`, whose ledger says which batch answers were counted.
    pub state_dir: &'a std::path::Path,
}

impl Batches<'_> {
    /// Writes `queued` down as a new batch and sends it; returns its record.
    pub async fn submit(&self, queued: Vec<Queued>) -> Result<Record> {
        let now = chrono::Utc::now();
        let local_id = format!(
            "grove-{}-{:x}",
            now.format("%Y%m%dT%H%M%S%3fZ"),
            std::process::id()
        );
        let path = match self.llm.provider {
            Provider::Openai => self.client.chat_path(),
            Provider::Anthropic => String::new(),
        };
        self.store
            .write_requests(&local_id, &openai::input_file(&queued, &path))?;
        let record = Record {
            local_id,
            provider: self.llm.provider,
            base_url: self.llm.base_url().to_string(),
            created_at: now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            sent_at: None,
            file_id: None,
            batch_id: None,
            status: "written".into(),
            discount: self.llm.batch_discount,
            requests: queued,
            ended: false,
        };
        self.store.write(&record)?;
        let local_id = record.local_id.clone();
        match self.send(record).await {
            Err(error) if super::lacks_batch_api(&error) => {
                // Refused at the first step: nothing was taken.
                self.store.remove(&local_id)?;
                Err(error)
            }
            other => other,
        }
    }

    /// Takes `record` as far as it goes: uploaded, created, recorded.
    async fn send(&self, mut record: Record) -> Result<Record> {
        if record.batch_id.is_some() {
            return Ok(record);
        }
        let requests = self.store.requests(&record)?;
        let stamp = || chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        match record.provider {
            Provider::Openai => {
                if record.file_id.is_none() {
                    let path = self.client.chat_path();
                    let file = self
                        .client
                        .upload(openai::input_file(&requests, &path))
                        .await?;
                    record.file_id = Some(file);
                    record.status = "uploaded".into();
                    self.store.write(&record)?;
                }
                // Created by a run that stopped before writing the id?
                if record.sent_at.is_some()
                    && let Some(id) = self.client.find(&record.local_id).await?
                {
                    record.batch_id = Some(id);
                } else {
                    record.sent_at = Some(stamp());
                    self.store.write(&record)?;
                    let file = record.file_id.clone().expect("uploaded above");
                    record.batch_id = Some(
                        self.client
                            .create(&file, &record.local_id, COMPLETION_WINDOW)
                            .await?,
                    );
                }
            }
            Provider::Anthropic => {
                let found = match &record.sent_at {
                    Some(since) => {
                        self.client
                            .find_message_batch(since, requests.len() as u64)
                            .await?
                    }
                    None => None,
                };
                record.batch_id = match found {
                    Some(id) => Some(id),
                    None => {
                        record.sent_at = Some(stamp());
                        self.store.write(&record)?;
                        Some(self.client.create_message_batch(&requests).await?)
                    }
                };
            }
        }
        record.status = "submitted".into();
        self.store.write(&record)?;
        Ok(record)
    }

    /// Sends what was not sent, polls the rest, and reads every batch
    /// that ended into the cache and the ledger.
    pub async fn collect(&self) -> Result<Collected> {
        let mut collected = Collected::default();
        // A run stopped while reading a batch counted some of its answers:
        // they are not counted again.
        let counted: HashSet<(String, String)> = crate::model::ledger::read(self.state_dir)?
            .into_iter()
            .filter_map(|e| Some((e.id?, e.batch?)))
            .collect();
        for record in self.store.open()? {
            if record.base_url != self.llm.base_url() || record.provider != self.llm.provider {
                // Another [llm] wrote it: left for when it is back.
                collected
                    .running
                    .push((record.local_id.clone(), format!("for {}", record.base_url)));
                continue;
            }
            let mut record = self.send(record).await?;
            let batch_id = record.batch_id.clone().expect("sent above");
            let progress = match record.provider {
                Provider::Openai => self.client.poll(&batch_id).await?,
                Provider::Anthropic => self.client.poll_message_batch(&batch_id).await?,
            };
            match progress {
                Progress::Running(status) => {
                    record.status = status.clone();
                    self.store.write(&record)?;
                    collected.running.push((record.local_id.clone(), status));
                }
                Progress::Ended {
                    status,
                    results,
                    malformed,
                } => {
                    for request in &record.requests {
                        let seen = counted.contains(&(request.custom_id.clone(), batch_id.clone()));
                        self.settle(
                            &record,
                            &batch_id,
                            request,
                            results.get(&request.custom_id),
                            seen,
                            &mut collected,
                        )?;
                    }
                    collected.malformed.extend(
                        malformed
                            .into_iter()
                            .map(|m| format!("batch {batch_id}: {m}")),
                    );
                    record.status = status;
                    record.ended = true;
                    self.store.write(&record)?;
                }
            }
        }
        Ok(collected)
    }

    /// Records one request's result: a usable answer cached; every
    /// answer, usable or not, in the ledger at the batch price.
    fn settle(
        &self,
        record: &Record,
        batch_id: &str,
        request: &Queued,
        result: Option<&ItemResult>,
        counted: bool,
        collected: &mut Collected,
    ) -> Result<()> {
        let append = |entry: Entry| {
            if counted {
                Ok(())
            } else {
                self.ledger.append(&entry)
            }
        };
        let entry =
            |model: &str, input: u64, output: u64, estimated: bool, cost: f64, status: &str| {
                Entry {
                    time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    site: request.site.clone(),
                    brief: request.label.clone(),
                    step: request.step.clone(),
                    model: model.to_string(),
                    input_tokens: input,
                    output_tokens: output,
                    cost_usd: cost,
                    cache_hit: false,
                    usage_estimated: estimated,
                    status: status.to_string(),
                    id: Some(request.custom_id.clone()),
                    batch: Some(batch_id.to_string()),
                }
            };
        match result {
            Some(ItemResult::Answered(completion)) => {
                let input = completion.input_tokens.unwrap_or(request.input_estimate);
                let output = completion
                    .output_tokens
                    .unwrap_or_else(|| estimate_tokens(&completion.text));
                let estimated =
                    completion.input_tokens.is_none() || completion.output_tokens.is_none();
                let model = completion
                    .model
                    .clone()
                    .unwrap_or_else(|| request.model.clone());
                let cost = self.llm.cost(input, output) * record.discount;
                if !counted {
                    collected.cost += cost;
                }
                match check_answer(&completion.text, completion.finish.as_ref()) {
                    Ok(text) => {
                        let answer = Answer {
                            text,
                            input_tokens: input,
                            output_tokens: output,
                            usage_estimated: estimated,
                            model: model.clone(),
                        };
                        self.cache.put(&request.custom_id, &answer)?;
                        append(entry(&model, input, output, estimated, cost, "ok"))?;
                        collected.answered += 1;
                    }
                    Err(problem) => {
                        append(entry(&model, input, output, estimated, cost, &problem))?;
                        collected.failed.push((
                            request.custom_id.clone(),
                            format!(
                                "{}/{} ({}): {problem}",
                                request.site, request.label, request.step
                            ),
                        ));
                    }
                }
            }
            Some(ItemResult::Failed(message)) => {
                append(entry(
                    &request.model,
                    0,
                    0,
                    false,
                    0.0,
                    &format!("failed: {message}"),
                ))?;
                collected.failed.push((
                    request.custom_id.clone(),
                    format!(
                        "{}/{} ({}): {message}",
                        request.site, request.label, request.step
                    ),
                ));
            }
            Some(ItemResult::NotRun(_)) | None => collected.not_run += 1,
        }
        Ok(())
    }
}

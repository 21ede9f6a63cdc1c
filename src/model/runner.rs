//! The runner of model calls: every [`Call`] of a run concurrently (at most
//! `max_concurrency` in flight, `requests_per_minute` respected, a budget
//! kept), the cache first, every real call in the ledger before it is sent
//! and settled after. It knows calls, not what they are for: drafting,
//! research and replicate hand it calls and use the answers.

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use tokio::sync::{Semaphore, SemaphorePermit};

use super::answer::check_answer;
use super::batch::{Queue, Queued};
use super::cache::{Answer, Cache, RequestKey};
use super::call::{Call, estimate_tokens};
use super::client::{Client, GiveUp};
use super::ledger::{self, Ledger};
use super::message::Message;
use super::wire::{self, ChatRequest, Finish};
use crate::network::{LlmConfig, Provider};
use crate::terminal::tell;

/// Why a call gave no answer.
#[derive(Debug, Clone, PartialEq)]
pub enum NotAnswered {
    /// It was sent and failed, or every answer was unusable.
    Failed(String),
    /// It was not sent (budget reached, interrupted, server unreachable).
    NotStarted(String),
    /// It was put aside for a batch, or waits in one.
    Queued(String),
}

/// Everything a run shares between its tasks: where calls go, the cache,
/// what lets a call start, and the books.
pub struct Runner {
    endpoint: Endpoint,
    /// Calls not in the cache are put aside for a batch, not sent.
    batch: Option<Queue>,
    cache: Cache,
    /// Ask the model even when the cache holds an answer.
    ignore_cache: bool,
    gate: Gate,
    books: Books,
}

/// Where calls go and how they are asked.
struct Endpoint {
    client: Client,
    provider: Provider,
    base_url: String,
    max_tokens: u32,
    stream: bool,
}

/// What lets a call start: a free slot, the pace, the budget, and neither
/// an interruption nor a reason to give up.
struct Gate {
    slots: Semaphore,
    pacer: Option<Pacer>,
    budget: Option<Budget>,
    cancelled: AtomicBool,
    give_up: GiveUp,
}

/// Where calls are counted: the ledger, the run's spending, the progress
/// display.
struct Books {
    ledger: Ledger,
    spent: Mutex<(u64, f64)>,
    progress: ProgressBar,
}

/// Spaces request starts to respect `requests_per_minute`.
struct Pacer {
    interval: Duration,
    next: tokio::sync::Mutex<Instant>,
}

impl Pacer {
    async fn wait(&self) {
        let start = {
            let mut next = self.next.lock().await;
            let start = (*next).max(Instant::now());
            *next = start + self.interval;
            start
        };
        tokio::time::sleep_until(start.into()).await;
    }
}

/// `--budget`: spent plus what requests in flight may still cost.
struct Budget {
    limit: f64,
    state: Mutex<(f64, f64)>,
}

impl Budget {
    /// Reserves `estimate` if spent + in flight + estimate stays within the limit.
    fn reserve(&self, estimate: f64) -> bool {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let (spent, in_flight) = *state;
        if spent + in_flight + estimate > self.limit {
            return false;
        }
        state.1 += estimate;
        true
    }

    fn settle(&self, estimate: f64, actual: f64) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.1 -= estimate;
        state.0 += actual;
    }

    /// Why a request estimated at `estimate` may not start.
    fn refusal(&self, estimate: f64) -> String {
        let (spent, in_flight) = *self.state.lock().unwrap_or_else(|e| e.into_inner());
        if spent == 0.0 && in_flight <= 0.0 {
            format!(
                "one request may cost up to ${estimate:.4} (its prompt and a full max_tokens answer), more than the budget of ${:.4}; raise --budget or lower [llm] max_tokens",
                self.limit
            )
        } else {
            format!(
                "budget of ${:.4} reached (${spent:.4} spent, ${:.4} in flight, ${estimate:.4} more for the next request)",
                self.limit,
                in_flight.max(0.0)
            )
        }
    }
}

/// What a request is expected to cost before it is sent.
struct Estimate {
    /// Prompt tokens, estimated from the messages.
    input_tokens: u64,
    /// USD, with the answer at its longest.
    cost: f64,
}

/// Settings of a run.
pub struct RunSettings {
    /// The network's `[llm]` (provider, base URL, limits).
    pub llm: LlmConfig,
    /// `.grove/` below the network root.
    pub state_dir: PathBuf,
    /// Stop starting requests past this many USD.
    pub budget: Option<f64>,
    /// Ask the model even when the cache holds an answer.
    pub ignore_cache: bool,
    /// Progress display (hidden when not a terminal).
    pub progress: ProgressBar,
    /// Put calls aside for a batch instead of sending them.
    pub batch: Option<Queue>,
}

impl Runner {
    /// Prepares a run; the HTTP client is built (and the key read) here.
    pub fn new(settings: RunSettings) -> crate::Result<Runner> {
        let llm = &settings.llm;
        let pacer = llm.requests_per_minute.filter(|&n| n > 0).map(|n| Pacer {
            interval: Duration::from_secs_f64(60.0 / f64::from(n)),
            next: tokio::sync::Mutex::new(Instant::now()),
        });
        settings.progress.set_style(
            ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {msg} ({elapsed})")
                .expect("valid template")
                .progress_chars("=> "),
        );
        Ok(Runner {
            batch: settings.batch,
            endpoint: Endpoint {
                client: Client::new(llm)?,
                provider: llm.provider,
                base_url: llm.base_url().to_string(),
                max_tokens: llm.max_tokens,
                stream: llm.stream,
            },
            cache: Cache::new(&settings.state_dir),
            ignore_cache: settings.ignore_cache,
            gate: Gate {
                slots: Semaphore::new(llm.max_concurrency.max(1)),
                pacer,
                budget: settings.budget.map(|limit| Budget {
                    limit,
                    state: Mutex::new((0.0, 0.0)),
                }),
                cancelled: AtomicBool::new(false),
                give_up: GiveUp::default(),
            },
            books: Books {
                ledger: Ledger::open(&settings.state_dir)?,
                spent: Mutex::new((0, 0.0)),
                progress: settings.progress,
            },
        })
    }

    /// Stops new requests; those in flight finish.
    pub fn cancel(&self) {
        self.gate.cancelled.store(true, Ordering::SeqCst);
    }

    /// Prints a line above the progress bar (or to stderr without one).
    pub fn log(&self, line: &str) {
        if self.books.progress.is_hidden() {
            tell!("{line}");
        } else {
            self.books.progress.println(crate::terminal::clean(line));
        }
    }

    /// The run's progress display.
    pub fn progress(&self) -> &ProgressBar {
        &self.books.progress
    }

    /// The calls put aside for a batch (none when not batching).
    pub fn take_queued(&self) -> Vec<Queued> {
        self.batch.as_ref().map(Queue::take).unwrap_or_default()
    }

    /// Tokens and USD spent on real calls so far.
    pub fn spent(&self) -> (u64, f64) {
        *self.books.spent.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// One model call (cache first); returns the answer and how many real
    /// calls it took. An unusable answer is retried once.
    pub async fn step(
        &self,
        job: &Call<'_>,
        step: &str,
        messages: &[Message],
    ) -> Result<(Answer, u32), NotAnswered> {
        let asked = Asked { call: job, step };
        let request = self.request(job, messages);
        let key = self.request_key(&request, messages);
        if !self.ignore_cache
            && let Some(answer) = self.cache.get(&key)
        {
            // A batch's answer was cached before the call's own check saw
            // it; one the check refuses is asked for again.
            match job.check.map(|check| check(&answer.text)) {
                Some(Err(problem)) => self.log(&format!(
                    "the cached answer for {}/{} ({step}) is unusable ({problem}): asking again",
                    job.site, job.label
                )),
                _ => {
                    self.record(&asked, &answer, 0.0, LedgerLine::CacheHit);
                    return Ok((answer, 0));
                }
            }
        }
        let input_estimate = messages
            .iter()
            .map(|m| estimate_tokens(&m.content))
            .sum::<u64>();
        if let Some(queue) = self.batch.as_ref().filter(|q| !q.is_live(&key)) {
            if queue.is_pending(&key) {
                return Err(NotAnswered::Queued("waiting in a batch".into()));
            }
            let body = wire::request_body(
                self.endpoint.provider,
                &ChatRequest {
                    stream: false,
                    ..request
                },
            );
            queue.push(Queued {
                custom_id: key,
                site: job.site.to_string(),
                label: job.label.to_string(),
                step: step.to_string(),
                model: job.llm.model.clone(),
                input_estimate,
                body,
            });
            return Err(NotAnswered::Queued(format!("{step} queued for a batch")));
        }
        let estimate = Estimate {
            input_tokens: input_estimate,
            cost: job
                .llm
                .cost(input_estimate, u64::from(self.endpoint.max_tokens)),
        };
        let mut calls = 0;
        let mut last_problem = String::new();
        // An unusable answer (cut off, refused by the check) is asked for
        // once more.
        for _ in 0..2 {
            let _slot = self.admit(estimate.cost).await?;
            let reply = self.send(&asked, &request, &estimate).await?;
            calls += 1;
            match self.accept(&asked, &key, reply) {
                Ok(answer) => return Ok((answer, calls)),
                Err(problem) => last_problem = problem,
            }
        }
        Err(NotAnswered::Failed(format!(
            "{last_problem} (also after one retry)"
        )))
    }

    /// The request for `messages` with `job`'s model settings.
    fn request<'m>(&'m self, job: &'m Call<'_>, messages: &'m [Message]) -> ChatRequest<'m> {
        ChatRequest {
            model: &job.llm.model,
            temperature: job.llm.temperature,
            max_tokens: self.endpoint.max_tokens,
            messages,
            stream: self.endpoint.stream,
            frequency_penalty: job.llm.frequency_penalty,
            presence_penalty: job.llm.presence_penalty,
            response_format: job.response_format,
        }
    }

    /// The cache key of a request: everything that shapes the answer.
    fn request_key(&self, request: &ChatRequest<'_>, messages: &[Message]) -> String {
        RequestKey {
            provider: self.endpoint.provider,
            base_url: &self.endpoint.base_url,
            model: request.model,
            temperature: request.temperature,
            max_tokens: request.max_tokens,
            frequency_penalty: request.frequency_penalty,
            presence_penalty: request.presence_penalty,
            response_format: request.response_format,
            messages,
        }
        .hash()
    }

    /// Waits for a free slot and the pacer, then lets a call go unless
    /// the run was interrupted, gave up, or the budget cannot take
    /// `cost_estimate` more; the slot is held while the permit lives.
    async fn admit(&self, cost_estimate: f64) -> Result<SemaphorePermit<'_>, NotAnswered> {
        let slot = self
            .gate
            .slots
            .acquire()
            .await
            .expect("the semaphore is never closed");
        if self.gate.cancelled.load(Ordering::SeqCst) {
            return Err(NotAnswered::NotStarted("interrupted".into()));
        }
        if let Some(reason) = self.gate.give_up.reason() {
            return Err(NotAnswered::NotStarted(format!("not sent: {reason}")));
        }
        if let Some(budget) = &self.gate.budget
            && !budget.reserve(cost_estimate)
        {
            return Err(NotAnswered::NotStarted(budget.refusal(cost_estimate)));
        }
        if let Some(pacer) = &self.gate.pacer {
            pacer.wait().await;
        }
        Ok(slot)
    }

    /// Sends one request, recorded in the ledger before it goes (killed in
    /// flight, it still counts) and settled after: the call's id, its
    /// usage, the answer's text (the API key redacted) and why it ended.
    async fn send(
        &self,
        asked: &Asked<'_>,
        request: &ChatRequest<'_>,
        estimate: &Estimate,
    ) -> Result<Reply, NotAnswered> {
        let Asked { call: job, step } = *asked;
        let id = call_id();
        let worst_case = Answer {
            input_tokens: estimate.input_tokens,
            output_tokens: u64::from(self.endpoint.max_tokens),
            usage_estimated: true,
            model: job.llm.model.clone(),
            text: String::new(),
        };
        self.record(asked, &worst_case, estimate.cost, LedgerLine::Sent(&id));
        let on_retry = |attempt: u32, reason: &str, delay: Duration| {
            self.log(&format!(
                "retry {attempt} for {}/{} ({step}) in {:.1} s: {reason}",
                job.site,
                job.label,
                delay.as_secs_f64()
            ));
        };
        let mut completion = match self
            .endpoint
            .client
            .complete(request, &on_retry, &self.gate.give_up)
            .await
        {
            Ok(completion) => completion,
            Err(error) => {
                if let Some(budget) = &self.gate.budget {
                    budget.settle(estimate.cost, 0.0);
                }
                let failed = Answer {
                    input_tokens: 0,
                    output_tokens: 0,
                    ..worst_case
                };
                let status = format!("failed: {}", error.message);
                self.record(asked, &failed, 0.0, LedgerLine::Settled(&id, &status));
                if error.unreachable {
                    self.gate.give_up.trigger(&format!(
                        "the server at {} is unreachable ({})",
                        self.endpoint.base_url, error.message
                    ));
                }
                return Err(NotAnswered::Failed(error.message));
            }
        };
        if self.endpoint.client.redact_answer(&mut completion.text) {
            self.log(&format!(
                "warning: the answer for {}/{} ({step}) held the API key, which was replaced by [redacted]; a server that echoes requests may be logging them",
                job.site, job.label
            ));
        }
        let usage_estimated =
            completion.input_tokens.is_none() || completion.output_tokens.is_none();
        let answer = Answer {
            input_tokens: completion.input_tokens.unwrap_or(estimate.input_tokens),
            output_tokens: completion
                .output_tokens
                .unwrap_or_else(|| estimate_tokens(&completion.text)),
            usage_estimated,
            model: completion
                .model
                .clone()
                .unwrap_or_else(|| job.llm.model.clone()),
            text: String::new(),
        };
        if let Some(budget) = &self.gate.budget {
            budget.settle(
                estimate.cost,
                job.llm.cost(answer.input_tokens, answer.output_tokens),
            );
        }
        Ok(Reply {
            id,
            answer,
            text: completion.text,
            finish: completion.finish,
        })
    }

    /// Checks an answer's text (cut off, refused by the call's check):
    /// a usable one is recorded and cached; an unusable one is recorded
    /// with why.
    fn accept(&self, asked: &Asked<'_>, key: &str, reply: Reply) -> Result<Answer, String> {
        let Asked { call: job, step } = *asked;
        let Reply {
            id,
            answer,
            text,
            finish,
        } = reply;
        let cost = job.llm.cost(answer.input_tokens, answer.output_tokens);
        let checked = check_answer(&text, finish.as_ref()).and_then(|text| match job.check {
            Some(check) => check(&text).map(|()| text),
            None => Ok(text),
        });
        match checked {
            Ok(text) => {
                let answer = Answer { text, ..answer };
                self.record(asked, &answer, cost, LedgerLine::Settled(&id, "ok"));
                if let Err(error) = tokio::task::block_in_place(|| self.cache.put(key, &answer)) {
                    self.log(&format!("warning: {error}"));
                }
                Ok(answer)
            }
            Err(problem) => {
                self.record(asked, &answer, cost, LedgerLine::Settled(&id, &problem));
                self.log(&format!(
                    "unusable answer for {}/{} ({step}): {problem}",
                    job.site, job.label
                ));
                Err(problem)
            }
        }
    }

    /// Appends a ledger line for `answer` of `asked`, at `cost`; a real
    /// call's id ties its [`ledger::SENT`] line to its final one.
    fn record(&self, asked: &Asked<'_>, answer: &Answer, cost: f64, line: LedgerLine<'_>) {
        let Asked { call: job, step } = *asked;
        let (cache_hit, status, id) = match line {
            LedgerLine::CacheHit => (true, "ok", None),
            LedgerLine::Sent(id) => (false, ledger::SENT, Some(id)),
            LedgerLine::Settled(id, status) => (false, status, Some(id)),
        };
        if matches!(line, LedgerLine::Settled(..)) {
            let mut spent = self.books.spent.lock().unwrap_or_else(|e| e.into_inner());
            spent.0 += answer.input_tokens + answer.output_tokens;
            spent.1 += cost;
            self.books
                .progress
                .set_message(format!("{} tokens · ${:.4}", spent.0, spent.1));
        }
        let entry = ledger::Entry {
            time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            site: job.site.to_string(),
            brief: job.label.to_string(),
            step: step.to_string(),
            model: answer.model.clone(),
            input_tokens: answer.input_tokens,
            output_tokens: answer.output_tokens,
            cost_usd: cost,
            cache_hit,
            usage_estimated: answer.usage_estimated,
            status: status.to_string(),
            id: id.map(str::to_string),
            batch: None,
        };
        // The line is flushed to disk: let the runtime move other tasks.
        if let Err(error) = tokio::task::block_in_place(|| self.books.ledger.append(&entry)) {
            self.log(&format!("warning: {error}"));
        }
    }
}

/// What is asked: a call, at one of its steps (`outline`, `article`,
/// `research`), as the ledger and the log name it.
#[derive(Clone, Copy)]
struct Asked<'a> {
    call: &'a Call<'a>,
    step: &'a str,
}

/// What a sent request got back: the call's id, its usage (the text not
/// yet checked), the answer's text and why it ended.
struct Reply {
    id: String,
    answer: Answer,
    text: String,
    finish: Option<Finish>,
}

/// Which ledger line a call gets.
#[derive(Clone, Copy)]
enum LedgerLine<'a> {
    /// Answered from the cache: nothing paid.
    CacheHit,
    /// Sent with this id: the worst case counted until settled.
    Sent(&'a str),
    /// The call with this id ended with this status (`ok`, or why not).
    Settled(&'a str, &'a str),
}

/// A name for one real call, unique across runs: process, time, count.
fn call_id() -> String {
    static COUNT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let count = COUNT.fetch_add(1, Ordering::Relaxed);
    format!("{:x}-{nanos:x}-{count}", std::process::id())
}

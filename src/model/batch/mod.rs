//! Batch APIs: the providers' half-price, asynchronous way to ask many
//! questions at once. OpenAI's Batch API (a JSONL file uploaded to
//! `/files`, a batch created from it, its output and error files read)
//! and Anthropic's Message Batches (requests posted at once, results read
//! from `results_url`). See [`openai`] and [`anthropic`].
//!
//! Every batch is written down in `.grove/batches/` ([`store`]) before
//! anything is sent, and each step's result (the uploaded file, the
//! batch's id) as soon as it is known, so a run killed at any point is
//! picked up by the next one without paying twice: a file uploaded but
//! never made a batch is made one; a batch created but never recorded is
//! found again by the id Grove gave it (OpenAI's `metadata`) or by its
//! time and size (Anthropic). Answers land in the cache, keyed as live
//! answers are, so the drafts are written by the normal run.

pub mod anthropic;
pub mod openai;
pub mod session;
pub mod store;

use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::wire::{self, Completion};
use crate::error::{Error, Result};
use crate::network::{LlmConfig, Provider};

/// One request in a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Queued {
    /// The request's cache key, also its `custom_id` (64 hex digits, as
    /// both providers allow).
    pub custom_id: String,
    /// Site name.
    pub site: String,
    /// Brief slug (or task).
    pub label: String,
    /// `outline`, `article`...
    pub step: String,
    /// Model asked.
    pub model: String,
    /// Prompt tokens, estimated.
    pub input_estimate: u64,
    /// The request body in the provider's format (not streamed).
    #[serde(skip)]
    pub body: serde_json::Value,
}

/// Requests a run puts aside for a batch instead of sending them; those
/// already in an open batch are not queued again.
#[derive(Debug, Default)]
pub struct Queue {
    pending: HashSet<String>,
    live: HashSet<String>,
    queued: Mutex<Vec<Queued>>,
}

impl Queue {
    /// A queue that knows the keys of requests in open batches, and
    /// those to send live instead (failed in a batch, `batch_retry =
    /// "live"`).
    pub fn new(pending: HashSet<String>, live: HashSet<String>) -> Queue {
        Queue {
            pending,
            live,
            queued: Mutex::default(),
        }
    }

    /// Whether a request with this key goes live, not in a batch.
    pub fn is_live(&self, key: &str) -> bool {
        self.live.contains(key)
    }

    /// Whether a request with this key waits in an open batch.
    pub fn is_pending(&self, key: &str) -> bool {
        self.pending.contains(key)
    }

    /// Puts `request` aside (once per key).
    pub fn push(&self, request: Queued) {
        let mut queued = self.queued.lock().unwrap_or_else(|e| e.into_inner());
        if !queued.iter().any(|q| q.custom_id == request.custom_id) {
            queued.push(request);
        }
    }

    /// The requests put aside, in the order they came.
    pub fn take(&self) -> Vec<Queued> {
        std::mem::take(&mut *self.queued.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// How one request of a batch ended.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemResult {
    /// An answer.
    Answered(Completion),
    /// The provider's error for this request.
    Failed(String),
    /// Not done: the batch expired or was cancelled first.
    NotRun(String),
}

/// Where a batch is.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// Still running: the provider's status and counts, as said.
    Running(String),
    /// Over: each request's result, by `custom_id`, and lines of the
    /// result files that could not be read.
    Ended {
        /// The provider's final status (`completed`, `expired`, `ended`...).
        status: String,
        /// Results by `custom_id`.
        results: BTreeMap<String, ItemResult>,
        /// Unreadable lines of the result files, with why.
        malformed: Vec<String>,
    },
}

/// An HTTP client for a provider's batch API.
pub struct BatchClient {
    http: reqwest::Client,
    provider: Provider,
    base_url: String,
    api_key: Option<String>,
}

impl BatchClient {
    /// A client for `[llm]` (the key read from its variable).
    pub fn new(config: &LlmConfig) -> Result<BatchClient> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let api_key = super::client::api_key(config)?;
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(config.connect_timeout_secs))
            .timeout(Duration::from_secs(config.timeout_secs.max(300)))
            .user_agent(concat!("grove/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Usage(format!("cannot create the HTTP client: {e}")))?;
        Ok(BatchClient {
            http,
            provider: config.provider,
            base_url: config.base_url().trim_end_matches('/').to_string(),
            api_key,
        })
    }

    /// A request to `url` with the provider's authentication.
    fn request(&self, method: reqwest::Method, url: &str) -> reqwest::RequestBuilder {
        let request = self.http.request(method, url);
        match (self.provider, &self.api_key) {
            (Provider::Openai, Some(key)) => request.bearer_auth(key),
            (Provider::Openai, None) => request,
            (Provider::Anthropic, key) => {
                let request = request.header("anthropic-version", wire::ANTHROPIC_VERSION);
                match key {
                    Some(key) => request.header("x-api-key", key),
                    None => request,
                }
            }
        }
    }

    /// Sends `request` and reads a JSON answer; a refusal names the
    /// status and the API's message (the key never).
    async fn json(
        &self,
        request: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<serde_json::Value> {
        let bytes = self.bytes(request, what).await?;
        serde_json::from_slice(&bytes)
            .map_err(|e| Error::Usage(format!("{what}: the answer is not JSON ({e})")))
    }

    async fn bytes(&self, request: reqwest::RequestBuilder, what: &str) -> Result<Vec<u8>> {
        let response = request.send().await.map_err(|e| {
            Error::Usage(format!(
                "{what}: cannot reach {}: {}",
                self.base_url,
                e.without_url()
            ))
        })?;
        let status = response.status().as_u16();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| Error::Usage(format!("{what}: {}", e.without_url())))?
            .to_vec();
        if !(200..300).contains(&status) {
            let (message, _) = wire::error_details(&bytes);
            if status == 404 || status == 405 {
                return Err(Error::Usage(format!(
                    "{what}: HTTP {status}: {NO_BATCH_API} (llama.cpp, Ollama and most vLLM setups have none): run without --batch, or set [llm] batch = \"auto\" in grove.toml to fall back to live calls"
                )));
            }
            return Err(Error::Usage(format!("{what}: HTTP {status}: {message}")));
        }
        Ok(bytes)
    }
}

/// What a refusal of the batch endpoints (404, 405) says.
pub const NO_BATCH_API: &str = "this server has no batch API";

/// Whether `error` says the server has no batch API.
pub fn lacks_batch_api(error: &Error) -> bool {
    matches!(error, Error::Usage(message) if message.contains(NO_BATCH_API))
}

/// The lines of a result file as (`custom_id`, line), blank lines
/// skipped; unreadable ones (not JSON, no `custom_id`) said in
/// `malformed` by their line number.
fn result_lines<'a>(
    bytes: &'a [u8],
    malformed: &'a mut Vec<String>,
) -> impl Iterator<Item = (String, serde_json::Value)> + 'a {
    bytes
        .split(|b| *b == b'\n')
        .enumerate()
        .filter(|(_, line)| !line.iter().all(u8::is_ascii_whitespace))
        .filter_map(move |(index, line)| {
            let Ok(value) = serde_json::from_slice::<serde_json::Value>(line) else {
                malformed.push(format!("line {}: not JSON", index + 1));
                return None;
            };
            match value["custom_id"].as_str() {
                Some(id) => Some((id.to_string(), value)),
                None => {
                    malformed.push(format!("line {}: no custom_id", index + 1));
                    None
                }
            }
        })
}

/// Parses one answer body of a batch result into a completion.
fn completion(
    provider: Provider,
    body: &serde_json::Value,
) -> std::result::Result<Completion, String> {
    wire::parse_response(provider, body.to_string().as_bytes())
}

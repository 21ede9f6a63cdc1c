//! The HTTP client for LLM APIs: one request at a time, with retries.
//!
//! Retried, with exponential backoff and jitter (or exactly `Retry-After`
//! when the server sends it): 429 (except quota/billing exhaustion), 5xx,
//! 529, timeouts, connection errors, malformed answers and interrupted
//! streams. Any other 4xx fails at once with the server's message.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};

use super::wire::{self, ANTHROPIC_VERSION, ChatRequest, Completion, StreamState};
use crate::error::{Error, Result};
use crate::network::{LlmConfig, Provider};

/// Longest wait Grove honours from a `Retry-After` header.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(600);
/// The most bytes read of one answer: far more than any article (a
/// million tokens of text is about 4 MB), so only a misbehaving server
/// reaches it, and memory stays bounded whatever it sends.
pub const MAX_ANSWER_BYTES: usize = 16 << 20;

/// Why one attempt failed.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// Worth another attempt, after `after` if the server said so.
    Transient {
        /// What went wrong.
        message: String,
        /// The server's `Retry-After`.
        after: Option<Duration>,
    },
    /// Another attempt would fail the same way.
    Permanent(String),
    /// No connection could be made: worth another attempt, but if the last
    /// one fails so too, the server is down for every request of the run.
    Unreachable(String),
}

impl Failure {
    /// What went wrong, whatever the kind of failure.
    pub fn into_message(self) -> String {
        match self {
            Failure::Transient { message, .. }
            | Failure::Permanent(message)
            | Failure::Unreachable(message) => message,
        }
    }
}

/// An answer past [`MAX_ANSWER_BYTES`]: the server would send it again.
fn too_large() -> Failure {
    Failure::Permanent(format!(
        "the answer is over {} MB, more than any article: the server is misbehaving; nothing of it was kept",
        MAX_ANSWER_BYTES >> 20
    ))
}

/// Why [`Client::complete`] gave up.
#[derive(Debug, Clone, PartialEq)]
pub struct CallError {
    /// What went wrong (never holding the key).
    pub message: String,
    /// The server could not be reached at all, so other requests to it
    /// need not try.
    pub unreachable: bool,
}

/// Shared by a run's requests: once one finds the server unreachable, the
/// others stop retrying (even mid-wait) and new ones are not sent.
#[derive(Debug, Default)]
pub struct GiveUp {
    reason: std::sync::Mutex<Option<String>>,
    notify: tokio::sync::Notify,
}

impl GiveUp {
    /// Gives up on the server, for `reason`.
    pub fn trigger(&self, reason: &str) {
        let mut current = self.reason.lock().unwrap_or_else(|e| e.into_inner());
        if current.is_none() {
            *current = Some(reason.to_string());
        }
        drop(current);
        self.notify.notify_waiters();
    }

    /// Why the run gave up on the server, if it did.
    pub fn reason(&self) -> Option<String> {
        self.reason
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Resolves once [`GiveUp::trigger`] has been called.
    async fn triggered(&self) {
        loop {
            // Created before the check, so a trigger in between is not lost.
            let notified = self.notify.notified();
            if self.reason().is_some() {
                return;
            }
            notified.await;
        }
    }
}

/// The API key, from the environment variable `api_key_env` names
/// (none without one), never from a file.
pub fn api_key(config: &LlmConfig) -> Result<Option<String>> {
    match &config.api_key_env {
        None => Ok(None),
        Some(var) => std::env::var(var).map(Some).map_err(|_| {
            Error::Usage(format!(
                "the environment variable {var} (named by [llm] api_key_env in grove.toml) is not set; export it with your API key"
            ))
        }),
    }
}

/// A client for one provider and base URL.
pub struct Client {
    http: reqwest::Client,
    provider: Provider,
    url: String,
    models_url: String,
    api_key: Option<String>,
    timeout: Duration,
    max_retries: u32,
    retry_base: Duration,
}

impl Client {
    /// Builds a client from `[llm]`; the key is read from the environment
    /// variable named by `api_key_env`, never from a file.
    pub fn new(config: &LlmConfig) -> Result<Client> {
        // Several clients may be built in one process (tests); only the
        // first installation of the crypto provider counts.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let api_key = api_key(config)?;
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(config.connect_timeout_secs))
            .user_agent(concat!("grove/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Usage(format!("cannot create the HTTP client: {e}")))?;
        Ok(Client {
            http,
            provider: config.provider,
            url: format!("{}{}", config.base_url(), wire::endpoint(config.provider)),
            models_url: format!("{}/models", config.base_url()),
            api_key,
            timeout: Duration::from_secs(config.timeout_secs),
            max_retries: config.max_retries,
            retry_base: Duration::from_millis(config.retry_base_ms),
        })
    }

    /// Sends `request`, retrying transient failures; `on_retry` hears about
    /// each retry (attempt number, reason, delay). The error is the last
    /// failure's message. When `give_up` is triggered (another request
    /// found the server unreachable), retries stop at once.
    pub async fn complete(
        &self,
        request: &ChatRequest<'_>,
        on_retry: &(dyn Fn(u32, &str, Duration) + Sync),
        give_up: &GiveUp,
    ) -> std::result::Result<Completion, CallError> {
        let mut attempt = 0;
        loop {
            let (message, after, unreachable) = match self.attempt(request).await {
                Ok(completion) => return Ok(completion),
                Err(Failure::Permanent(message)) => {
                    return Err(CallError {
                        message: self.redact(message),
                        unreachable: false,
                    });
                }
                Err(Failure::Transient { message, after }) => (message, after, false),
                Err(Failure::Unreachable(message)) => (message, None, true),
            };
            let message = self.redact(message);
            if attempt >= self.max_retries {
                return Err(CallError {
                    message: format!("gave up after {} attempts: {message}", attempt + 1),
                    unreachable,
                });
            }
            let delay = after.unwrap_or_else(|| backoff(self.retry_base, attempt));
            attempt += 1;
            on_retry(attempt, &message, delay);
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                () = give_up.triggered() => {
                    return Err(CallError {
                        message: give_up.reason().unwrap_or_default(),
                        unreachable: true,
                    });
                }
            }
        }
    }

    /// Never let the key reach a message, even if a server echoes it.
    fn redact(&self, message: String) -> String {
        match &self.api_key {
            Some(key) if !key.is_empty() => message.replace(key.as_str(), "[redacted]"),
            _ => message,
        }
    }

    /// Replaces the key in an answer's text, should a server echo it;
    /// returns whether it did. The key must never reach the cache or a
    /// draft.
    pub fn redact_answer(&self, text: &mut String) -> bool {
        match &self.api_key {
            Some(key) if !key.is_empty() && text.contains(key.as_str()) => {
                *text = text.replace(key.as_str(), "[redacted]");
                true
            }
            _ => false,
        }
    }

    /// The models the server lists (`GET /models`: OpenAI-compatible
    /// servers and Anthropic answer `{"data": [{"id": ...}]}`), or `None`
    /// when it has no such list (404). The error says what went wrong,
    /// without the key.
    pub async fn models(&self) -> std::result::Result<Option<Vec<String>>, String> {
        let timeout = self.timeout.min(Duration::from_secs(15));
        let builder = self
            .authorize(self.http.get(&self.models_url))
            .timeout(timeout);
        let response = builder.send().await.map_err(|e| {
            self.redact(self.transport_failure(&self.models_url, &e).into_message())
        })?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let headers = response.headers().clone();
        let body = response.bytes().await.unwrap_or_default();
        if !status.is_success() {
            let failure = classify_status(status.as_u16(), &headers, &body);
            return Err(self.redact(failure.into_message()));
        }
        let listed: serde_json::Value = serde_json::from_slice(&body).map_err(|e| {
            format!(
                "{} answered with something other than JSON: {e}",
                self.models_url
            )
        })?;
        let ids = listed["data"]
            .as_array()
            .map(|models| {
                models
                    .iter()
                    .filter_map(|m| m["id"].as_str().map(str::to_string))
                    .collect()
            })
            .ok_or_else(|| format!("{} answered without a `data` list", self.models_url))?;
        Ok(Some(ids))
    }

    /// Adds the key (where there is one) and version headers the provider
    /// expects.
    fn authorize(&self, mut builder: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        builder = match (self.provider, &self.api_key) {
            (Provider::Openai, Some(key)) => builder.bearer_auth(key),
            (Provider::Anthropic, Some(key)) => builder.header("x-api-key", key),
            (_, None) => builder,
        };
        if self.provider == Provider::Anthropic {
            builder = builder.header("anthropic-version", ANTHROPIC_VERSION);
        }
        builder
    }

    async fn attempt(&self, request: &ChatRequest<'_>) -> std::result::Result<Completion, Failure> {
        let body = wire::request_body(self.provider, request);
        let mut builder = self.authorize(self.http.post(&self.url).json(&body));
        if !request.stream {
            builder = builder.timeout(self.timeout);
        }
        let response = tokio::time::timeout(self.timeout, builder.send())
            .await
            .map_err(|_| self.timed_out())?
            .map_err(|e| self.transport_failure(&self.url, &e))?;

        let status = response.status();
        if !status.is_success() {
            let headers = response.headers().clone();
            let body = tokio::time::timeout(self.timeout, response.bytes())
                .await
                .ok()
                .and_then(Result::ok)
                .unwrap_or_default();
            return Err(classify_status(status.as_u16(), &headers, &body));
        }
        if request.stream {
            self.read_stream(response).await
        } else {
            let bytes = self.read_body(response).await?;
            wire::parse_response(self.provider, &bytes).map_err(|message| Failure::Transient {
                message: format!("malformed answer: {message}"),
                after: None,
            })
        }
    }

    /// The whole body of `response`, refused past [`MAX_ANSWER_BYTES`].
    async fn read_body(
        &self,
        mut response: reqwest::Response,
    ) -> std::result::Result<Vec<u8>, Failure> {
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.transport_failure(&self.url, &e))?
        {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_ANSWER_BYTES {
                return Err(too_large());
            }
        }
        Ok(body)
    }

    async fn read_stream(
        &self,
        mut response: reqwest::Response,
    ) -> std::result::Result<Completion, Failure> {
        let mut state = StreamState::new(self.provider);
        let mut read = 0;
        loop {
            let chunk = tokio::time::timeout(self.timeout, response.chunk())
                .await
                .map_err(|_| self.timed_out())?
                .map_err(|e| self.transport_failure(&self.url, &e))?;
            read += chunk.as_ref().map_or(0, |c| c.len());
            if read > MAX_ANSWER_BYTES {
                return Err(too_large());
            }
            match chunk {
                Some(bytes) => state.feed(&bytes).map_err(|message| Failure::Transient {
                    message: format!("stream error: {message}"),
                    after: None,
                })?,
                None if state.is_done() => return Ok(state.finish()),
                None => {
                    return Err(Failure::Transient {
                        message: "the stream ended before its end marker".into(),
                        after: None,
                    });
                }
            }
            if state.is_done() {
                return Ok(state.finish());
            }
        }
    }

    fn timed_out(&self) -> Failure {
        Failure::Transient {
            message: format!(
                "no answer within {} s (timeout_secs)",
                self.timeout.as_secs()
            ),
            after: None,
        }
    }

    /// What a failed request to `url` means.
    fn transport_failure(&self, url: &str, error: &reqwest::Error) -> Failure {
        if error.is_timeout() {
            return self.timed_out();
        }
        let mut message = if error.is_connect() {
            format!("cannot connect to {url}")
        } else {
            error.to_string()
        };
        let mut source = std::error::Error::source(error);
        while let Some(inner) = source {
            message = format!("{message}: {inner}");
            source = inner.source();
        }
        if error.is_connect() {
            return Failure::Unreachable(message);
        }
        Failure::Transient {
            message,
            after: None,
        }
    }
}

/// Decides what an HTTP error status means.
pub fn classify_status(status: u16, headers: &HeaderMap, body: &[u8]) -> Failure {
    let (message, code) = wire::error_details(body);
    let request_id = headers
        .get("x-request-id")
        .or_else(|| headers.get("request-id"))
        .and_then(|v| v.to_str().ok())
        .map(|id| format!(" (request id {id})"))
        .unwrap_or_default();
    let described = format!("HTTP {status}: {message}{request_id}");
    let billing = code.as_deref() == Some("insufficient_quota")
        || message.to_lowercase().contains("spend limit")
        || message.to_lowercase().contains("credit balance");
    match status {
        429 if billing => Failure::Permanent(format!(
            "{described}; this is a billing or quota limit, not a rate limit: check your account"
        )),
        429 | 500..=599 => Failure::Transient {
            message: described,
            after: retry_after(headers),
        },
        401 => Failure::Permanent(format!(
            "{described}; check the API key in the environment variable named by [llm] api_key_env"
        )),
        403 => Failure::Permanent(format!(
            "{described}; the key has no access to this model or endpoint"
        )),
        404 => Failure::Permanent(format!("{described}; check [llm] base_url and model")),
        _ => Failure::Permanent(described),
    }
}

/// `Retry-After` as seconds or an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    let delay = if let Ok(seconds) = value.parse::<f64>() {
        Duration::from_secs_f64(seconds.max(0.0))
    } else {
        let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
        let seconds = (when.timestamp_millis() - chrono::Utc::now().timestamp_millis()).max(0);
        Duration::from_millis(seconds as u64)
    };
    Some(delay.min(MAX_RETRY_AFTER))
}

/// Exponential backoff with "equal jitter": half the delay is fixed, half
/// random, so retries from many tasks spread out. Capped at one minute.
pub fn backoff(base: Duration, attempt: u32) -> Duration {
    let full = base
        .saturating_mul(1u32 << attempt.min(16))
        .min(Duration::from_secs(60));
    let half = full / 2;
    half + Duration::from_nanos(random_below(half.as_nanos() as u64 + 1))
}

/// A small, fast pseudo-random number (splitmix64 over a global counter
/// seeded from the clock): jitter needs spread, not cryptographic quality.
fn random_below(bound: u64) -> u64 {
    static STATE: AtomicU64 = AtomicU64::new(0);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut z = STATE.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed) ^ seed;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) % bound.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stays_within_bounds() {
        let base = Duration::from_millis(100);
        for attempt in 0..5 {
            let full = base * (1 << attempt);
            let d = backoff(base, attempt);
            assert!(d >= full / 2 && d <= full, "{attempt}: {d:?}");
        }
        assert!(backoff(base, 30) <= Duration::from_secs(60));
    }

    #[test]
    fn statuses_are_classified() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, "3".parse().unwrap());
        assert_eq!(
            classify_status(429, &headers, br#"{"error":{"message":"slow"}}"#),
            Failure::Transient {
                message: "HTTP 429: slow".into(),
                after: Some(Duration::from_secs(3))
            }
        );
        let quota = classify_status(
            429,
            &headers,
            br#"{"error":{"message":"q","code":"insufficient_quota"}}"#,
        );
        assert!(matches!(quota, Failure::Permanent(_)));
        assert!(matches!(
            classify_status(529, &HeaderMap::new(), b""),
            Failure::Transient { .. }
        ));
        assert!(matches!(
            classify_status(400, &HeaderMap::new(), b"{}"),
            Failure::Permanent(_)
        ));
    }
}

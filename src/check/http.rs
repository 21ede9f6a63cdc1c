//! Checking external URLs: HEAD first, GET when a server refuses HEAD,
//! redirects reported rather than followed, bounded concurrency, timeouts,
//! and a user agent that says who is asking.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::Semaphore;

use crate::error::{Error, Result};

/// The user agent of `grove check`.
pub const USER_AGENT: &str = concat!(
    "grove-link-checker/",
    env!("CARGO_PKG_VERSION"),
    " (static-site link check)"
);

/// What checking a URL found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "lowercase")]
pub enum LinkState {
    /// A 2xx answer.
    Ok {
        /// HTTP status.
        status: u16,
    },
    /// A 3xx answer; the link works but points somewhere else first.
    Redirected {
        /// HTTP status.
        status: u16,
        /// Where it redirects.
        location: Option<String>,
    },
    /// 4xx/5xx, DNS failure, refused connection or timeout.
    Broken {
        /// What went wrong.
        reason: String,
    },
}

/// Checks every URL once, at most `concurrency` at a time.
pub fn check_all(
    urls: &[String],
    timeout: Duration,
    concurrency: usize,
) -> Result<BTreeMap<String, LinkState>> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .connect_timeout(timeout)
        .build()
        .map_err(|e| Error::Usage(format!("cannot create the HTTP client: {e}")))?;
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| Error::Usage(format!("cannot start the async runtime: {e}")))?;
    let slots = Arc::new(Semaphore::new(concurrency.max(1)));
    runtime.block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for url in urls {
            let client = client.clone();
            let slots = Arc::clone(&slots);
            let url = url.clone();
            tasks.spawn(async move {
                let _slot = slots.acquire().await.expect("never closed");
                let state = check_one(&client, &url, timeout).await;
                (url, state)
            });
        }
        let mut states = BTreeMap::new();
        while let Some(joined) = tasks.join_next().await {
            if let Ok((url, state)) = joined {
                states.insert(url, state);
            }
        }
        Ok(states)
    })
}

async fn check_one(client: &reqwest::Client, url: &str, timeout: Duration) -> LinkState {
    match client.head(url).send().await {
        Ok(response) if response.status().as_u16() < 400 => classify(&response),
        Err(error) if error.is_timeout() => describe(&error, timeout),
        // Some servers refuse or mishandle HEAD: ask again with GET.
        _ => match client.get(url).send().await {
            Ok(response) => classify(&response),
            Err(error) => describe(&error, timeout),
        },
    }
}

fn classify(response: &reqwest::Response) -> LinkState {
    let status = response.status().as_u16();
    match status {
        200..=299 => LinkState::Ok { status },
        300..=399 => LinkState::Redirected {
            status,
            location: response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        },
        _ => LinkState::Broken {
            reason: format!("HTTP {status}"),
        },
    }
}

fn describe(error: &reqwest::Error, timeout: Duration) -> LinkState {
    let reason = if error.is_timeout() {
        format!("no answer within {} s", timeout.as_secs_f64())
    } else if error.is_connect() {
        let mut text = "cannot connect".to_string();
        let mut source = std::error::Error::source(error);
        while let Some(inner) = source {
            text = format!("{text}: {inner}");
            source = inner.source();
        }
        text
    } else {
        error.to_string()
    };
    LinkState::Broken { reason }
}

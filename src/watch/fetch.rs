//! Fetching for `grove watch`: redirects followed by hand (each hop is
//! judged), one request at a time per host with a pause between them
//! (longer for Amazon), bodies read up to a limit, and the server's TLS
//! certificate kept for its expiry.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use crate::error::{Error, Result};

/// The user agent of `grove watch`.
pub const USER_AGENT: &str = concat!("grove-watch/", env!("CARGO_PKG_VERSION"), " (site monitor)");

/// Googlebot's documented user agent, to see whether a site turns
/// Google's crawler away.
pub const GOOGLEBOT: &str =
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

/// Most bytes of a body kept.
const BODY_LIMIT: usize = 4 << 20;

/// Most redirects followed.
const MAX_HOPS: usize = 10;

/// One answer.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The URL asked for.
    pub url: String,
    /// HTTP status.
    pub status: u16,
    /// The `Location` of a redirect, made absolute.
    pub location: Option<String>,
    /// The body (up to 4 MiB), empty for redirects.
    pub body: Vec<u8>,
    /// When the server's certificate expires (Unix seconds), for HTTPS.
    pub certificate_expires: Option<i64>,
}

/// A request that got no answer.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The URL asked for.
    pub url: String,
    /// Why: refused, timed out, TLS.
    pub reason: String,
}

/// Pacing and the client.
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    next_slot: Arc<Mutex<HashMap<String, Instant>>>,
    host_interval: Duration,
    amazon_interval: Duration,
}

impl Fetcher {
    /// A fetcher waiting `host_interval` between requests to one host
    /// (`amazon_interval` for Amazon's).
    pub fn new(
        timeout: Duration,
        host_interval: Duration,
        amazon_interval: Duration,
    ) -> Result<Self> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout)
            .tls_info(true)
            .build()
            .map_err(|e| Error::Usage(format!("cannot create the HTTP client: {e}")))?;
        Ok(Fetcher {
            client,
            next_slot: Arc::default(),
            host_interval,
            amazon_interval,
        })
    }

    /// Waits for `url`'s host to be free, then asks for it once.
    pub async fn get(
        &self,
        url: &str,
        user_agent: Option<&str>,
    ) -> std::result::Result<Answer, Failure> {
        let fail = |reason: String| Failure {
            url: url.to_string(),
            reason,
        };
        let parsed = reqwest::Url::parse(url).map_err(|e| fail(format!("not a URL: {e}")))?;
        self.wait_for(parsed.host_str().unwrap_or_default()).await;
        let mut request = self.client.get(parsed.clone());
        if let Some(agent) = user_agent {
            request = request.header(reqwest::header::USER_AGENT, agent);
        }
        let mut response = request.send().await.map_err(|e| fail(describe(&e)))?;
        let status = response.status().as_u16();
        let certificate_expires = response
            .extensions()
            .get::<reqwest::tls::TlsInfo>()
            .and_then(|info| info.peer_certificate())
            .and_then(super::certificate::not_after);
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parsed.join(v).ok())
            .map(|u| u.to_string());
        let mut body = Vec::new();
        if location.is_none() {
            while let Some(chunk) = response.chunk().await.map_err(|e| fail(describe(&e)))? {
                body.extend_from_slice(&chunk);
                if body.len() >= BODY_LIMIT {
                    body.truncate(BODY_LIMIT);
                    break;
                }
            }
        }
        Ok(Answer {
            url: url.to_string(),
            status,
            location,
            body,
            certificate_expires,
        })
    }

    /// Asks for `url` and follows its redirects: every answer, the last
    /// one a non-redirect (or the tenth hop).
    pub async fn follow(&self, url: &str) -> std::result::Result<Vec<Answer>, Failure> {
        let mut hops = Vec::new();
        let mut next = url.to_string();
        for _ in 0..MAX_HOPS {
            let answer = self.get(&next, None).await?;
            let location = answer.location.clone();
            hops.push(answer);
            match location {
                Some(to) => next = to,
                None => break,
            }
        }
        Ok(hops)
    }

    async fn wait_for(&self, host: &str) {
        let interval = if is_amazon(host) {
            self.amazon_interval
        } else {
            self.host_interval
        };
        let start = {
            let mut slots = self.next_slot.lock().await;
            let now = Instant::now();
            let start = slots.get(host).copied().filter(|t| *t > now).unwrap_or(now);
            slots.insert(host.to_string(), start + interval);
            start
        };
        tokio::time::sleep_until(start.into()).await;
    }
}

/// Whether `host` is one of Amazon's shops or link shorteners.
pub fn is_amazon(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    host == "amzn.to"
        || host.ends_with(".amzn.to")
        || host == "amzn.eu"
        || host.split('.').any(|label| label == "amazon")
}

fn describe(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        "no answer in time".to_string()
    } else if error.is_connect() {
        "cannot connect".to_string()
    } else {
        error.to_string()
    };
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        text = format!("{text}: {inner}");
        source = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amazon_hosts() {
        for host in [
            "www.amazon.com",
            "amazon.co.uk",
            "smile.amazon.de",
            "amzn.to",
        ] {
            assert!(is_amazon(host), "{host}");
        }
        for host in ["amazonia.example", "example.com", "notamazon.com"] {
            assert!(!is_amazon(host), "{host}");
        }
    }
}

//! JSON calls to a hosting API (Netlify's, Cloudflare's) with a bearer
//! token: server errors, throttling and dropped connections are tried
//! again (four tries, waits doubling from 250 ms, or what `Retry-After`
//! says); other refusals end with the API's own message. The token is
//! never part of a message.

use std::time::Duration;

use serde_json::Value;

use crate::error::{Error, Result};

/// Tries of one call.
const TRIES: u32 = 4;

/// An HTTP client for hosting APIs.
pub fn client() -> Result<reqwest::Client> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .user_agent(concat!("grove/", env!("CARGO_PKG_VERSION")))
        .timeout(Duration::from_secs(300))
        .connect_timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| Error::Usage(format!("cannot start an HTTP client: {e}")))
}

/// A request body.
#[derive(Clone)]
pub enum Body {
    /// None.
    Empty,
    /// JSON.
    Json(Value),
    /// Bytes of a content type.
    Bytes(&'static str, Vec<u8>),
}

/// Calls `method url` with `token`, tries again where that can help, and
/// returns the answer's JSON (`null` for an empty answer). `what` names
/// the call in messages.
pub async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    token: &str,
    body: Body,
    what: &str,
) -> Result<Value> {
    let mut last = String::new();
    for attempt in 0..TRIES {
        let mut request = client.request(method.clone(), url).bearer_auth(token);
        request = match &body {
            Body::Empty => request,
            Body::Json(value) => request.json(value),
            Body::Bytes(content_type, bytes) => request
                .header(reqwest::header::CONTENT_TYPE, *content_type)
                .body(bytes.clone()),
        };
        let mut wait = Duration::from_millis(250 << attempt);
        match request.send().await {
            Ok(response) if response.status().is_success() => {
                let bytes = response.bytes().await.unwrap_or_default();
                if bytes.is_empty() {
                    return Ok(Value::Null);
                }
                return serde_json::from_slice(&bytes).map_err(|e| {
                    Error::Usage(format!("{what}: the API's answer is not JSON ({e})"))
                });
            }
            Ok(response)
                if response.status().is_server_error() || response.status().as_u16() == 429 =>
            {
                if let Some(seconds) = response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                {
                    wait = Duration::from_secs(seconds.min(60));
                }
                last = format!("HTTP {}", response.status().as_u16());
            }
            Ok(response) => {
                let status = response.status().as_u16();
                let text = response.text().await.unwrap_or_default();
                return Err(Error::Usage(format!(
                    "{what}: the API answered HTTP {status}: {}{}",
                    api_message(&text),
                    match status {
                        401 | 403 => " (check the token and its permissions)",
                        404 => " (check the site or project name and the account)",
                        _ => "",
                    }
                )));
            }
            Err(e) => last = e.without_url().to_string(),
        }
        if attempt + 1 < TRIES {
            tokio::time::sleep(wait).await;
        }
    }
    Err(Error::Usage(format!(
        "{what}: gave up after {TRIES} tries ({last})"
    )))
}

/// The readable part of an API's error answer: Cloudflare's
/// `errors[].message`, Netlify's `message`, else the text's start.
fn api_message(text: &str) -> String {
    if let Ok(value) = serde_json::from_str::<Value>(text) {
        if let Some(errors) = value["errors"].as_array() {
            let messages: Vec<String> = errors
                .iter()
                .map(|e| match e["code"].as_i64() {
                    Some(code) => format!("{} (code {code})", e["message"].as_str().unwrap_or("?")),
                    None => e["message"].as_str().unwrap_or("?").to_string(),
                })
                .collect();
            if !messages.is_empty() {
                return messages.join("; ");
            }
        }
        if let Some(message) = value["message"].as_str() {
            return message.to_string();
        }
    }
    text.chars().take(300).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_messages() {
        assert_eq!(
            api_message(
                r#"{"success":false,"errors":[{"code":8000007,"message":"Project not found."}]}"#
            ),
            "Project not found. (code 8000007)"
        );
        assert_eq!(
            api_message(r#"{"code":401,"message":"Access Denied"}"#),
            "Access Denied"
        );
        assert_eq!(api_message("plain"), "plain");
    }
}

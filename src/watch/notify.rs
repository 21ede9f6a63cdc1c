//! Telling someone about new alerts: a Slack- or Discord-compatible
//! incoming webhook (its URL, a secret, from an environment variable)
//! and email through SMTP ([`super::email`]).

use std::time::Duration;

use super::alerts::Alert;
use super::email;
use crate::error::{Error, Result};
use crate::network::WatchSettings;

/// Discord refuses messages longer than this.
const DISCORD_LIMIT: usize = 2000;

/// The message text for `alerts`.
pub fn message(network: &str, alerts: &[&Alert]) -> String {
    let mut text = format!(
        "grove watch: {} new alert{} on {network}\n",
        alerts.len(),
        if alerts.len() == 1 { "" } else { "s" }
    );
    for alert in alerts {
        text.push_str(&format!(
            "• {} [{}] {}\n",
            alert.site, alert.kind, alert.message
        ));
    }
    text
}

/// The JSON body for the webhook at `url`: Discord's (`content`, at most
/// 2,000 characters) or Slack's (`text`, also what Mattermost, Rocket.Chat
/// and Teams' Slack-compatible hooks read).
pub fn payload(url: &str, text: &str) -> serde_json::Value {
    let discord = reqwest::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.host_str()
                .map(|h| h.ends_with("discord.com") || h.ends_with("discordapp.com"))
        })
        .unwrap_or(false);
    if discord {
        let mut content: String = text.chars().take(DISCORD_LIMIT - 1).collect();
        if content.len() < text.len() {
            content.pop();
            content.push('…');
        }
        serde_json::json!({ "content": content })
    } else {
        serde_json::json!({ "text": text })
    }
}

/// Sends `text` (about `count` new alerts) wherever `settings` say;
/// returns where it went.
pub async fn send_all(settings: &WatchSettings, text: &str, count: usize) -> Result<Vec<String>> {
    let mut sent = Vec::new();
    let mut errors = Vec::new();
    if let Some(env) = &settings.webhook_env {
        match post(env, text).await {
            Ok(()) => sent.push(format!("webhook in {env}")),
            Err(error) => errors.push(error),
        }
    }
    if !settings.email_to.is_empty() {
        match mail(settings, text, count).await {
            Ok(()) => sent.push(format!("email to {}", settings.email_to.join(", "))),
            Err(error) => errors.push(error),
        }
    }
    if errors.is_empty() {
        Ok(sent)
    } else {
        Err(Error::Many(errors))
    }
}

/// Emails `text` to `[watch] email_to`.
async fn mail(settings: &WatchSettings, text: &str, count: usize) -> Result<()> {
    let env = &settings.smtp_env;
    let url = std::env::var(env).ok().filter(|v| !v.is_empty()).ok_or_else(|| {
        Error::Usage(format!(
            "{env} is not set: [watch] email_to needs the SMTP server, smtp://user:password@host:587 (its name is [watch] smtp_env)"
        ))
    })?;
    let server = email::Server::parse(&url).map_err(|e| Error::Usage(format!("{env}: {e}")))?;
    let from = settings
        .email_from
        .clone()
        .unwrap_or_else(|| format!("grove@{}", server.host));
    let subject = format!(
        "grove watch: {count} new alert{}",
        if count == 1 { "" } else { "s" }
    );
    let message = email::Message {
        from: &from,
        to: &settings.email_to,
        subject: &subject,
        body: text,
    };
    email::send(&server, &message).await
}

/// Posts `text` to the webhook whose URL is in the variable `env`.
pub async fn post(env: &str, text: &str) -> Result<()> {
    let url = std::env::var(env)
        .ok()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            Error::Usage(format!(
                "{env} is not set: [watch] webhook_env names the variable holding the webhook URL"
            ))
        })?;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| Error::Usage(format!("cannot create the HTTP client: {e}")))?;
    let body = payload(&url, text);
    let response = client.post(&url).json(&body).send().await;
    // The URL is a secret: name the variable, never the address.
    match response {
        Ok(r) if r.status().is_success() => Ok(()),
        Ok(r) => Err(Error::Usage(format!(
            "the webhook in {env} answered HTTP {}: check the URL",
            r.status().as_u16()
        ))),
        Err(e) => Err(Error::Usage(format!(
            "cannot reach the webhook in {env}: {}",
            if e.is_timeout() {
                "no answer in 30 s".into()
            } else if e.is_connect() {
                "cannot connect".into()
            } else {
                "request failed".to_string()
            }
        ))),
    }
}

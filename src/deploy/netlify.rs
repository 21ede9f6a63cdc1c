//! Deploying to Netlify with its file-digest method
//! (<https://docs.netlify.com/api/get-started/#file-digest-method>): a
//! deploy is created with the SHA-1 of every file; Netlify answers with
//! the digests it does not hold, only those files are sent (`PUT
//! /api/v1/deploys/{id}/files/{path}`), and the deploy goes live when
//! Netlify has them all. Files not listed are not in the new deploy, so
//! the deploy is the build, atomically; `_redirects` is read by Netlify.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::time::Duration;

use futures_util::stream::{self, StreamExt};
use reqwest::Method;
use serde_json::{Value, json};

use super::api_call::{Body, call, client};
use super::sigv4::encode_path;
use crate::error::{Error, Result};

/// Netlify's API.
pub const API: &str = "https://api.netlify.com";

/// Files sent at once.
const IN_FLIGHT: usize = 8;

/// Longest wait for Netlify to make a deploy live.
const READY_WITHIN: Duration = Duration::from_secs(600);

/// A Netlify site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetlifySite {
    /// Its id (or `name.netlify.app`).
    pub id: String,
    /// The API's address (another one for a test server).
    pub api: String,
}

/// What a deploy sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sent {
    /// The new deploy's id.
    pub deploy_id: String,
    /// Files Netlify asked for.
    pub files: usize,
}

/// SHA-1 of `bytes`, hex: the digest Netlify keys files by.
pub fn sha1_hex(bytes: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, bytes);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Deploys the files of `built` (paths `/`-separated) to `site`.
pub async fn deploy(
    site: &NetlifySite,
    token: &str,
    built: &Path,
    paths: &[String],
) -> Result<Sent> {
    let http = client()?;
    let api = site.api.trim_end_matches('/');
    let mut digests: BTreeMap<String, String> = BTreeMap::new();
    let mut by_digest: BTreeMap<String, String> = BTreeMap::new();
    for path in paths {
        let bytes = std::fs::read(built.join(path))
            .map_err(|source| Error::io(built.join(path), "cannot read file", source))?;
        let digest = sha1_hex(&bytes);
        by_digest
            .entry(digest.clone())
            .or_insert_with(|| path.clone());
        digests.insert(format!("/{path}"), digest);
    }
    let created = call(
        &http,
        Method::POST,
        &format!("{api}/api/v1/sites/{}/deploys", encode_path(&site.id)),
        token,
        Body::Json(json!({ "files": digests, "draft": false })),
        "Netlify: creating the deploy",
    )
    .await?;
    let deploy_id = created["id"]
        .as_str()
        .ok_or_else(|| Error::Usage("Netlify: the new deploy has no id".into()))?
        .to_string();
    let required: HashSet<&str> = created["required"]
        .as_array()
        .map(|list| list.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let wanted: Vec<&String> = by_digest
        .iter()
        .filter(|(digest, _)| required.contains(digest.as_str()))
        .map(|(_, path)| path)
        .collect();
    let results = stream::iter(wanted.iter().map(|path| {
        let (http, deploy_id) = (&http, &deploy_id);
        async move {
            let bytes = std::fs::read(built.join(path))
                .map_err(|source| Error::io(built.join(path), "cannot read file", source))?;
            call(
                http,
                Method::PUT,
                &format!(
                    "{api}/api/v1/deploys/{deploy_id}/files/{}",
                    encode_path(path)
                ),
                token,
                Body::Bytes("application/octet-stream", bytes),
                &format!("Netlify: sending {path}"),
            )
            .await
            .map(|_| ())
        }
    }))
    .buffer_unordered(IN_FLIGHT)
    .collect::<Vec<Result<()>>>()
    .await;
    results.into_iter().collect::<Result<Vec<()>>>()?;
    wait_until_ready(&http, api, token, &deploy_id).await?;
    Ok(Sent {
        deploy_id,
        files: wanted.len(),
    })
}

/// Polls the deploy until Netlify says `ready` (or `error`).
async fn wait_until_ready(http: &reqwest::Client, api: &str, token: &str, id: &str) -> Result<()> {
    let start = std::time::Instant::now();
    let mut pause = Duration::from_millis(200);
    loop {
        let deploy = call(
            http,
            Method::GET,
            &format!("{api}/api/v1/deploys/{id}"),
            token,
            Body::Empty,
            "Netlify: reading the deploy",
        )
        .await?;
        match deploy["state"].as_str().unwrap_or_default() {
            "ready" => return Ok(()),
            "error" => {
                return Err(Error::Usage(format!(
                    "Netlify: deploy {id} failed: {}",
                    deploy["error_message"]
                        .as_str()
                        .unwrap_or("no reason given")
                )));
            }
            _ if start.elapsed() > READY_WITHIN => {
                return Err(Error::Usage(format!(
                    "Netlify: deploy {id} was not ready after {} s; see it in Netlify's dashboard",
                    READY_WITHIN.as_secs()
                )));
            }
            _ => {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(5));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha1_of_known_text() {
        // FIPS 180 test vector.
        assert_eq!(sha1_hex(b"abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
    }
}

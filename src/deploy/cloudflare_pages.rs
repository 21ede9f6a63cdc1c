//! Deploying to Cloudflare Pages by direct upload, the API `wrangler
//! pages deploy` calls: an upload token for the project, the hashes of
//! every file asked about (`check-missing`), only the missing files sent
//! (base64, in buckets of at most 50 MiB and 5,000 files), the hashes
//! registered (`upsert-hashes`), then a deployment created with the
//! manifest (path -> hash) and the `_redirects` and `_headers` files.
//! A file's hash is wrangler's: the first 32 hex digits of BLAKE3 over
//! its base64 text and its extension, so files wrangler uploaded are
//! recognised too. The deployment is the build, atomically.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use futures_util::stream::{self, StreamExt};
use reqwest::Method;
use serde_json::{Value, json};

use super::api_call::{Body, call, client};
use super::s3::content_type;
use crate::error::{Error, Result};

/// Cloudflare's API.
pub const API: &str = "https://api.cloudflare.com/client/v4";

/// Files Pages reads as configuration, sent beside the manifest rather
/// than as assets.
const CONFIG_FILES: &[&str] = &["_redirects", "_headers", "_routes.json", "_worker.js"];

/// Largest file Pages serves.
const MAX_FILE: u64 = 25 * 1024 * 1024;

/// Most bytes and files in one upload request.
const BUCKET_BYTES: usize = 50 * 1024 * 1024;
const BUCKET_FILES: usize = 5000;

/// Upload requests at once.
const IN_FLIGHT: usize = 3;

/// A Pages project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// The project's name.
    pub name: String,
    /// The account that owns it.
    pub account_id: String,
    /// The branch deployed (the production branch when none).
    pub branch: Option<String>,
    /// The API's address (another one for a test server).
    pub api: String,
}

/// What a deploy sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sent {
    /// The deployment's id.
    pub deployment_id: String,
    /// Files Pages did not hold and were sent.
    pub files: usize,
}

/// Wrangler's hash of a file: BLAKE3 of its base64 text followed by its
/// extension (without the dot), the first 32 hex digits.
pub fn asset_hash(path: &str, bytes: &[u8]) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    let extension = match name.rfind('.') {
        Some(dot) if dot > 0 => &name[dot + 1..],
        _ => "",
    };
    let mut text = STANDARD.encode(bytes);
    text.push_str(extension);
    blake3::hash(text.as_bytes()).to_hex()[..32].to_string()
}

/// Deploys the files of `built` to `project`.
pub async fn deploy(
    project: &Project,
    token: &str,
    built: &Path,
    paths: &[String],
) -> Result<Sent> {
    let http = client()?;
    let api = project.api.trim_end_matches('/');
    let project_url = format!(
        "{api}/accounts/{}/pages/projects/{}",
        project.account_id, project.name
    );
    let mut manifest: BTreeMap<String, String> = BTreeMap::new();
    let mut assets: BTreeMap<String, (String, u64)> = BTreeMap::new();
    for path in paths.iter().filter(|p| !CONFIG_FILES.contains(&p.as_str())) {
        let file = built.join(path);
        let bytes =
            std::fs::read(&file).map_err(|source| Error::io(&file, "cannot read file", source))?;
        if bytes.len() as u64 > MAX_FILE {
            return Err(Error::Usage(format!(
                "{}: {} MiB, over the 25 MiB Cloudflare Pages serves; make it smaller or serve it from elsewhere",
                file.display(),
                bytes.len() >> 20
            )));
        }
        let hash = asset_hash(path, &bytes);
        assets
            .entry(hash.clone())
            .or_insert((path.clone(), bytes.len() as u64));
        manifest.insert(format!("/{path}"), hash);
    }
    let token_answer = call(
        &http,
        Method::GET,
        &format!("{project_url}/upload-token"),
        token,
        Body::Empty,
        "Cloudflare Pages: asking for an upload token",
    )
    .await?;
    let jwt = token_answer["result"]["jwt"]
        .as_str()
        .ok_or_else(|| Error::Usage("Cloudflare Pages: no upload token in the answer".into()))?
        .to_string();
    let hashes: Vec<&String> = assets.keys().collect();
    let missing = call(
        &http,
        Method::POST,
        &format!("{api}/pages/assets/check-missing"),
        &jwt,
        Body::Json(json!({ "hashes": hashes })),
        "Cloudflare Pages: asking which files it lacks",
    )
    .await?;
    let missing: HashSet<&str> = missing["result"]
        .as_array()
        .map(|list| list.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let buckets = buckets(
        assets
            .iter()
            .filter(|(hash, _)| missing.contains(hash.as_str())),
    );
    let sent: usize = buckets.iter().map(Vec::len).sum();
    let results = stream::iter(buckets.into_iter().map(|bucket| {
        let (http, jwt) = (&http, &jwt);
        async move {
            let mut payload = Vec::with_capacity(bucket.len());
            for (hash, path) in bucket {
                let bytes = std::fs::read(built.join(path))
                    .map_err(|source| Error::io(built.join(path), "cannot read file", source))?;
                payload.push(json!({
                    "key": hash,
                    "value": STANDARD.encode(&bytes),
                    "metadata": { "contentType": content_type(path) },
                    "base64": true,
                }));
            }
            call(
                http,
                Method::POST,
                &format!("{api}/pages/assets/upload"),
                jwt,
                Body::Json(Value::Array(payload)),
                "Cloudflare Pages: sending files",
            )
            .await
            .map(|_| ())
        }
    }))
    .buffer_unordered(IN_FLIGHT)
    .collect::<Vec<Result<()>>>()
    .await;
    results.into_iter().collect::<Result<Vec<()>>>()?;
    call(
        &http,
        Method::POST,
        &format!("{api}/pages/assets/upsert-hashes"),
        &jwt,
        Body::Json(json!({ "hashes": hashes })),
        "Cloudflare Pages: registering the files",
    )
    .await?;
    let mut form = Form::new();
    form.text(
        "manifest",
        &serde_json::to_string(&manifest).expect("serializes"),
    );
    if let Some(branch) = &project.branch {
        form.text("branch", branch);
    }
    for name in ["_redirects", "_headers"] {
        if paths.iter().any(|p| p == name) {
            let bytes = std::fs::read(built.join(name))
                .map_err(|source| Error::io(built.join(name), "cannot read file", source))?;
            form.file(name, &bytes);
        }
    }
    let created = call(
        &http,
        Method::POST,
        &format!("{project_url}/deployments"),
        token,
        Body::Bytes(form.content_type(), form.finish()),
        "Cloudflare Pages: creating the deployment",
    )
    .await?;
    Ok(Sent {
        deployment_id: created["result"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        files: sent,
    })
}

/// Groups missing files (hash -> path, size) into upload requests.
fn buckets<'a>(
    files: impl Iterator<Item = (&'a String, &'a (String, u64))>,
) -> Vec<Vec<(&'a String, &'a String)>> {
    let mut buckets: Vec<(Vec<(&String, &String)>, usize)> = Vec::new();
    for (hash, (path, size)) in files {
        // Counted as wrangler counts them: the files' own sizes.
        let size = *size as usize;
        match buckets.last_mut() {
            Some((files, bytes)) if files.len() < BUCKET_FILES && *bytes + size <= BUCKET_BYTES => {
                files.push((hash, path));
                *bytes += size;
            }
            _ => buckets.push((vec![(hash, path)], size)),
        }
    }
    buckets.into_iter().map(|(files, _)| files).collect()
}

/// A `multipart/form-data` body (RFC 7578), for the deployment's form.
struct Form {
    body: Vec<u8>,
}

/// The boundary between parts: not in any text Grove sends (JSON and
/// `_redirects` lines hold no run of dashes this long with this word).
const BOUNDARY: &str = "grove-form-boundary-7c1f0a9d";

impl Form {
    fn new() -> Form {
        Form { body: Vec::new() }
    }

    fn text(&mut self, name: &str, value: &str) {
        self.body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }

    fn file(&mut self, name: &str, bytes: &[u8]) {
        self.body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        self.body.extend_from_slice(bytes);
        self.body.extend_from_slice(b"\r\n");
    }

    fn content_type(&self) -> &'static str {
        concat!(
            "multipart/form-data; boundary=",
            "grove-form-boundary-7c1f0a9d"
        )
    }

    fn finish(mut self) -> Vec<u8> {
        self.body
            .extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        self.body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_as_wrangler() {
        // Computed independently with the Python `blake3` package:
        // blake3(b64encode(content) + extension).hexdigest()[:32].
        assert_eq!(
            asset_hash("notes/hello.txt", b"hello"),
            "f0b3413d4cabb000327fad369003d6a5"
        );
        assert_eq!(
            asset_hash("a/index.html", b"<!doctype html><title>x</title>"),
            "b9a52343b2f9aaebf9007141d9788e15"
        );
        // No extension: the base64 text alone (Node's path.extname).
        assert_eq!(
            asset_hash("LICENSE", b"x"),
            blake3::hash(b"eA==").to_hex()[..32].to_string()
        );
        assert_eq!(asset_hash("a.b/c", b"x"), asset_hash("LICENSE", b"x"));
    }

    #[test]
    fn buckets_are_bounded() {
        let files: Vec<(String, (String, u64))> = (0..12_000)
            .map(|i| (format!("h{i}"), (format!("f{i}"), 10)))
            .collect();
        let grouped = buckets(files.iter().map(|(h, f)| (h, f)));
        assert_eq!(
            grouped.iter().map(Vec::len).collect::<Vec<_>>(),
            [5000, 5000, 2000]
        );
        let big: Vec<(String, (String, u64))> = (0..3)
            .map(|i| (format!("h{i}"), (format!("f{i}"), 20 * 1024 * 1024)))
            .collect();
        assert_eq!(buckets(big.iter().map(|(h, f)| (h, f))).len(), 2);
    }
}

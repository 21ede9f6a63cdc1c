//! Remote images fetched to be processed like local ones, when a site or
//! the affiliate registry asks (`[images] fetch_remote`, `fetch_image`):
//! kept in `.grove/images/remote/` no longer than their maximum age, then
//! fetched again.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use xxhash_rust::xxh3::xxh3_64;

use super::probe::{Format, probe};
use crate::output::replace_file;

/// The folder of fetched images, below the image cache.
pub const REMOTE_DIR: &str = "remote";

/// The largest image fetched.
const MAX_BYTES: usize = 25 * 1024 * 1024;

/// How long a fetch may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The file holding `url`'s image in `dir`: a copy younger than `max_age`,
/// or a fresh download. `Err` says why there is none.
pub fn fetch(url: &str, dir: &Path, max_age: Duration) -> Result<PathBuf, String> {
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return Err(format!("`{url}` is not an http(s) URL"));
    }
    let stem = format!("{:016x}", xxh3_64(url.as_bytes()));
    let now = SystemTime::now();
    for format in [
        Format::Jpeg,
        Format::Png,
        Format::Webp,
        Format::Gif,
        Format::Svg,
    ] {
        let file = dir.join(format!("{stem}.{}", format.extension()));
        let fresh = std::fs::metadata(&file)
            .and_then(|m| m.modified())
            .is_ok_and(|t| now.duration_since(t).unwrap_or_default() < max_age);
        if fresh {
            return Ok(file);
        }
    }
    let (bytes, content_type) = download(url)?;
    let name = if content_type.contains("svg")
        || lower
            .split(['?', '#'])
            .next()
            .unwrap_or("")
            .ends_with(".svg")
    {
        "x.svg"
    } else {
        "x"
    };
    let found =
        probe(&bytes, name).map_err(|why| format!("`{url}` is not an image Grove reads: {why}"))?;
    let file = dir.join(format!("{stem}.{}", found.format.extension()));
    replace_file(&file, &bytes).map_err(|e| e.to_string())?;
    Ok(file)
}

/// The body and `Content-Type` of a GET of `url`, on a thread of its own
/// (a build may run inside the preview's async runtime).
fn download(url: &str) -> Result<(Vec<u8>, String), String> {
    let url = url.to_string();
    std::thread::scope(|scope| {
        scope
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| format!("cannot start the async runtime: {e}"))?;
                runtime.block_on(get(&url))
            })
            .join()
            .unwrap_or_else(|_| Err("the download failed".into()))
    })
}

async fn get(url: &str) -> Result<(Vec<u8>, String), String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let failed = |e: reqwest::Error| format!("cannot fetch `{url}`: {e}");
    let client = reqwest::Client::builder()
        .user_agent(concat!("grove/", env!("CARGO_PKG_VERSION")))
        .timeout(TIMEOUT)
        .build()
        .map_err(failed)?;
    let mut response = client.get(url).send().await.map_err(failed)?;
    if !response.status().is_success() {
        return Err(format!(
            "cannot fetch `{url}`: the server answered {}",
            response.status()
        ));
    }
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(failed)? {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_BYTES {
            return Err(format!(
                "`{url}` is larger than {} MB",
                MAX_BYTES / 1024 / 1024
            ));
        }
    }
    Ok((body, content_type))
}

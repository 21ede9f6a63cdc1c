//! After a deploy, a sample of the files sent is fetched from the live
//! `base_url` and compared with what was sent, byte for byte: a host or
//! CDN serving something else (an old copy, another site, an error page)
//! is reported and the deploy fails. A site whose address does not answer
//! at all (not live yet, or not reachable from here) is noted, not
//! failed. A mismatch is asked again twice, a few seconds apart, for
//! caches that take a moment.

use std::path::Path;
use std::time::Duration;

use serde::Serialize;

/// How long the first request may take.
const FIRST_WAIT: Duration = Duration::from_secs(8);

/// Rounds of asking: the first and two more for files that did not
/// match.
const TRIES: u32 = 3;

/// What verifying found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Verified {
    /// Files fetched.
    pub checked: usize,
    /// Files the live site serves otherwise: URL and what was wrong.
    pub mismatched: Vec<(String, String)>,
    /// Why the site could not be reached, when it could not.
    pub unreachable: Option<String>,
}

/// Files hosts read as their configuration and do not serve.
const HOST_FILES: &[&str] = &["_redirects", "_headers", "_routes.json"];

/// Up to `count` of `uploaded`, pages first, spread over the list
/// (never the host's configuration files).
pub fn sample(uploaded: &[String], count: usize) -> Vec<String> {
    let (mut pages, others): (Vec<&String>, Vec<&String>) = uploaded
        .iter()
        .filter(|p| !HOST_FILES.contains(&p.as_str()))
        .partition(|p| p.ends_with(".html"));
    pages.extend(others);
    if pages.len() <= count {
        return pages.into_iter().cloned().collect();
    }
    let stride = pages.len() as f64 / count as f64;
    (0..count)
        .map(|i| pages[(i as f64 * stride) as usize].clone())
        .collect()
}

/// The address of a file of the site at `base_url`.
pub fn url_of(base_url: &str, path: &str) -> String {
    let base = format!("{}/", base_url.trim_end_matches('/'));
    match path.strip_suffix("index.html") {
        Some(folder) if folder.is_empty() || folder.ends_with('/') => format!("{base}{folder}"),
        _ => format!("{base}{path}"),
    }
}

/// Fetches each of `paths` from `base_url` and compares it with the file
/// in `dir`; waits `pause` before asking again after a mismatch.
pub async fn verify(base_url: &str, dir: &Path, paths: &[String], pause: Duration) -> Verified {
    let mut verified = Verified::default();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!(
            "grove-deploy/",
            env!("CARGO_PKG_VERSION"),
            " (verifying a deploy)"
        ))
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            verified.unreachable = Some(format!("cannot create the HTTP client: {e}"));
            return verified;
        }
    };
    let mut pending: Vec<(String, Vec<u8>)> = paths
        .iter()
        .filter_map(|path| Some((url_of(base_url, path), std::fs::read(dir.join(path)).ok()?)))
        .collect();
    verified.checked = pending.len();
    let mut problems = Vec::new();
    let mut asked_none = true;
    for round in 0..TRIES {
        if round > 0 {
            if pending.is_empty() {
                break;
            }
            tokio::time::sleep(pause * round).await;
        }
        problems.clear();
        let mut still = Vec::new();
        for (url, sent) in pending {
            let first = std::mem::take(&mut asked_none);
            // The first request tells whether the site is there at all:
            // a shorter wait, so an address not live yet costs little.
            let request = client.get(&url);
            let request = if first {
                request.timeout(FIRST_WAIT)
            } else {
                request
            };
            let problem = match request.send().await {
                Err(e) if first && (e.is_connect() || e.is_timeout()) => {
                    verified.checked = 0;
                    verified.unreachable = Some(format!(
                        "{url}: {}",
                        if e.is_timeout() {
                            "no answer in time"
                        } else {
                            "cannot connect"
                        }
                    ));
                    return verified;
                }
                Err(e) => Some(format!("no answer ({e})")),
                Ok(response) if response.status().as_u16() != 200 => {
                    Some(format!("HTTP {}", response.status().as_u16()))
                }
                Ok(response) => match body_of(response).await {
                    Ok(body) if body == sent => None,
                    Ok(body) => Some(format!(
                        "serves {} bytes that differ from the {} sent",
                        body.len(),
                        sent.len()
                    )),
                    Err(e) => Some(e.to_string()),
                },
            };
            if let Some(problem) = problem {
                problems.push((url.clone(), problem));
                still.push((url, sent));
            }
        }
        pending = still;
    }
    verified.mismatched = problems;
    verified
}

/// The body of `response`, gunzipped when the host stored it compressed
/// (`precompress` on S3); the client asks for no compression itself.
async fn body_of(response: reqwest::Response) -> std::result::Result<Vec<u8>, String> {
    let gzipped = response
        .headers()
        .get(reqwest::header::CONTENT_ENCODING)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"gzip"));
    let bytes = response.bytes().await.map_err(|e| e.to_string())?;
    if !gzipped {
        return Ok(bytes.to_vec());
    }
    let mut plain = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(bytes.as_ref()),
        &mut plain,
    )
    .map_err(|e| format!("not gzip as its Content-Encoding says: {e}"))?;
    Ok(plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_samples() {
        assert_eq!(url_of("https://a.test", "index.html"), "https://a.test/");
        assert_eq!(
            url_of("https://a.test/blog/", "x/index.html"),
            "https://a.test/blog/x/"
        );
        assert_eq!(
            url_of("https://a.test", "style.css"),
            "https://a.test/style.css"
        );
        assert_eq!(
            url_of("https://a.test", "notindex.html"),
            "https://a.test/notindex.html"
        );
        let files: Vec<String> = (0..10)
            .map(|i| format!("p{i}/index.html"))
            .chain(["a.css".to_string()])
            .collect();
        let picked = sample(&files, 3);
        assert_eq!(picked, ["p0/index.html", "p3/index.html", "p7/index.html"]);
        assert_eq!(sample(&files[..2], 5).len(), 2);
    }
}

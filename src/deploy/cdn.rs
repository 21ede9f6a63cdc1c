//! After a deploy, the CDN in front of the site forgets what changed:
//! CloudFront through an invalidation
//! (`POST /2020-05-31/distribution/{id}/invalidation`, signed with SigV4
//! for the `cloudfront` service), Cloudflare through a cache purge
//! (`POST /zones/{zone}/purge_cache` with the changed URLs, 30 a
//! request). Past a hundred paths (CloudFront) or five hundred URLs
//! (Cloudflare), everything is invalidated at once, which costs less
//! than the paths one by one.

use reqwest::Method;
use serde_json::json;

use super::api_call::{Body, call, client};
use super::sigv4::{Credentials, Request, authorization, error_document, host_header, sha256_hex};
use crate::error::{Error, Result};

/// CloudFront's API.
pub const CLOUDFRONT_API: &str = "https://cloudfront.amazonaws.com";
/// Cloudflare's API.
pub const CLOUDFLARE_API: &str = "https://api.cloudflare.com/client/v4";

/// Paths CloudFront invalidates one by one; past this, `/*`.
const CLOUDFRONT_PATHS: usize = 100;
/// URLs one Cloudflare purge request takes.
const CLOUDFLARE_BATCH: usize = 30;
/// URLs Cloudflare purges one by one; past this, everything.
const CLOUDFLARE_URLS: usize = 500;

/// The URL paths a change of `files` (below the site's output) touches:
/// `a/index.html` is also `/a/`; `base_path` is the site's (`/blog`).
pub fn changed_paths(base_path: &str, files: &[String]) -> Vec<String> {
    let base = base_path.trim_end_matches('/');
    let mut paths = Vec::new();
    for file in files {
        paths.push(format!("{base}/{file}"));
        if let Some(folder) = file.strip_suffix("index.html")
            && (folder.is_empty() || folder.ends_with('/'))
        {
            paths.push(format!("{base}/{folder}"));
        }
    }
    paths.sort();
    paths.dedup();
    paths
}

/// Invalidates `paths` in the CloudFront `distribution`; returns the
/// paths asked for (maybe `/*`).
pub async fn cloudfront(
    api: &str,
    distribution: &str,
    credentials: &Credentials,
    paths: &[String],
) -> Result<Vec<String>> {
    let paths: Vec<String> = if paths.len() > CLOUDFRONT_PATHS {
        vec!["/*".to_string()]
    } else {
        paths.iter().map(|p| encode_cloudfront_path(p)).collect()
    };
    let reference = format!("grove-{}", chrono::Utc::now().format("%Y%m%dT%H%M%S%.6fZ"));
    let items: String = paths
        .iter()
        .map(|p| format!("<Path>{}</Path>", xml_escape(p)))
        .collect();
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<InvalidationBatch xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><Paths><Quantity>{}</Quantity><Items>{items}</Items></Paths><CallerReference>{reference}</CallerReference></InvalidationBatch>",
        paths.len()
    );
    let api = api.trim_end_matches('/');
    let path = format!("/2020-05-31/distribution/{distribution}/invalidation");
    let host = host_header(api);
    let amz_date = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let payload_hash = sha256_hex(body.as_bytes());
    let headers = vec![
        ("host".to_string(), host),
        ("x-amz-content-sha256".to_string(), payload_hash.clone()),
        ("x-amz-date".to_string(), amz_date.clone()),
    ];
    let signature = authorization(
        &Request {
            method: "POST",
            path: &path,
            query: "",
            headers: &headers,
            payload_hash: &payload_hash,
        },
        credentials,
        &amz_date,
        "us-east-1",
        "cloudfront",
    );
    let http = client()?;
    let mut request = http
        .post(format!("{api}{path}"))
        .header("authorization", signature)
        .header("content-type", "application/xml");
    for (name, value) in headers.iter().filter(|(n, _)| n != "host") {
        request = request.header(name, value);
    }
    let response = request.body(body).send().await.map_err(|e| {
        Error::Usage(format!(
            "CloudFront: cannot reach {api}: {}",
            e.without_url()
        ))
    })?;
    let status = response.status().as_u16();
    if !(200..300).contains(&status) {
        let text = response.text().await.unwrap_or_default();
        let message = error_document(&text).map_or(text, |(said, _)| said);
        return Err(Error::Usage(format!(
            "CloudFront: invalidating in {distribution} answered HTTP {status}: {}",
            message.chars().take(300).collect::<String>()
        )));
    }
    Ok(paths)
}

/// Purges `urls` from the Cloudflare `zone`; returns how many (0 when
/// everything was purged).
pub async fn cloudflare(api: &str, zone: &str, token: &str, urls: &[String]) -> Result<usize> {
    let http = client()?;
    let url = format!("{}/zones/{zone}/purge_cache", api.trim_end_matches('/'));
    if urls.len() > CLOUDFLARE_URLS {
        call(
            &http,
            Method::POST,
            &url,
            token,
            Body::Json(json!({ "purge_everything": true })),
            "Cloudflare: purging the cache",
        )
        .await?;
        return Ok(0);
    }
    for batch in urls.chunks(CLOUDFLARE_BATCH) {
        call(
            &http,
            Method::POST,
            &url,
            token,
            Body::Json(json!({ "files": batch })),
            "Cloudflare: purging changed URLs",
        )
        .await?;
    }
    Ok(urls.len())
}

/// A path as CloudFront takes it: characters outside its documented set
/// percent-encoded.
fn encode_cloudfront_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-_.~*$&+,:;=@".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_of_changed_files() {
        let files = [
            "index.html",
            "guides/a/index.html",
            "style.css",
            "notindex.html",
        ]
        .map(String::from);
        assert_eq!(
            changed_paths("", &files),
            [
                "/",
                "/guides/a/",
                "/guides/a/index.html",
                "/index.html",
                "/notindex.html",
                "/style.css"
            ]
        );
        assert_eq!(
            changed_paths("/blog", &["x/index.html".to_string()]),
            ["/blog/x/", "/blog/x/index.html"]
        );
        assert_eq!(
            encode_cloudfront_path("/caf\u{e9} menu/"),
            "/caf%C3%A9%20menu/"
        );
    }
}

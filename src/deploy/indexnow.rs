//! After a deploy, IndexNow hears which pages changed: one POST of up to
//! 10,000 URLs per batch to `[seo] indexnow_endpoint` with the site's
//! key, which the build published as `<key>.txt`
//! (<https://www.indexnow.org/documentation>). Only pages go: not
//! redirect pages, `/go/` links, `404.html` or pages marked `noindex`;
//! removed pages go too (search engines learn they are gone).

use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use crate::affiliate::GO_PREFIX;

/// Most URLs in one submission, as the protocol allows.
pub const BATCH: usize = 10_000;

/// What submitting did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Submitted {
    /// URLs accepted.
    pub submitted: usize,
    /// Why the rest were not (they are kept for the next deploy).
    pub error: Option<String>,
}

/// The page URLs among `paths` (below the built site in `dir`; a path
/// no longer there is a removed page).
pub fn page_urls(base_url: &str, dir: &Path, paths: &[String]) -> Vec<String> {
    let base = format!("{}/", base_url.trim_end_matches('/'));
    let go = GO_PREFIX.trim_start_matches('/');
    paths
        .iter()
        .filter(|path| path.ends_with(".html") && *path != "404.html" && !path.starts_with(go))
        .filter(|path| match std::fs::read_to_string(dir.join(path)) {
            Ok(html) => !is_redirect_or_noindex(&html),
            Err(_) => true,
        })
        .map(|path| match path.strip_suffix("index.html") {
            Some(folder) => format!("{base}{folder}"),
            None => format!("{base}{path}"),
        })
        .collect()
}

fn is_redirect_or_noindex(html: &str) -> bool {
    crate::html_scan::tags(html)
        .take_while(|tag| !tag.name.eq_ignore_ascii_case("body"))
        .any(|tag| {
            tag.name.eq_ignore_ascii_case("meta")
                && (tag
                    .attribute("http-equiv")
                    .is_some_and(|v| v.eq_ignore_ascii_case("refresh"))
                    || (tag
                        .attribute("name")
                        .is_some_and(|v| v.eq_ignore_ascii_case("robots"))
                        && tag
                            .attribute("content")
                            .is_some_and(|v| v.to_ascii_lowercase().contains("noindex"))))
        })
}

/// Submits `urls` for the site at `base_url` with `key`, in batches.
pub async fn submit(endpoint: &str, base_url: &str, key: &str, urls: &[String]) -> Submitted {
    let mut done = Submitted::default();
    let Ok(parsed) = reqwest::Url::parse(base_url) else {
        done.error = Some(format!("base_url `{base_url}` is not a URL"));
        return done;
    };
    let host = parsed.host_str().unwrap_or_default().to_string();
    let key_location = format!("{}/{key}.txt", base_url.trim_end_matches('/'));
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            done.error = Some(format!("cannot create the HTTP client: {e}"));
            return done;
        }
    };
    for batch in urls.chunks(BATCH) {
        let body = serde_json::json!({
            "host": host,
            "key": key,
            "keyLocation": key_location,
            "urlList": batch,
        });
        let answer = client
            .post(endpoint)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/json; charset=utf-8",
            )
            .body(body.to_string())
            .send()
            .await;
        let status = match answer {
            Ok(response) => response.status().as_u16(),
            Err(e) => {
                done.error = Some(format!("cannot reach {endpoint}: {e}"));
                return done;
            }
        };
        match status {
            200 | 202 => done.submitted += batch.len(),
            _ => {
                done.error = Some(refusal(status, endpoint, &key_location));
                return done;
            }
        }
    }
    done
}

/// What an IndexNow status means, and what to do (the documented codes).
fn refusal(status: u16, endpoint: &str, key_location: &str) -> String {
    let why = match status {
        400 => "the request is malformed".to_string(),
        403 => format!(
            "the key is not valid: {key_location} must answer with the key (deploy it, then the next deploy submits again)"
        ),
        422 => {
            "the URLs do not belong to the host, or the key does not match the protocol".to_string()
        }
        429 => "too many requests: the next deploy submits them again".to_string(),
        _ => "unexpected answer".to_string(),
    };
    format!("{endpoint} answered HTTP {status}: {why}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pages_are_submitted() {
        let dir = tempfile::tempdir().unwrap();
        let write = |path: &str, text: &str| {
            let file = dir.path().join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, text).unwrap();
        };
        write("index.html", "<title>Home</title>");
        write("guides/a/index.html", "<head><title>A</title></head><body>");
        write(
            "old/index.html",
            "<meta http-equiv=\"refresh\" content=\"0; url=/guides/a/\">",
        );
        write(
            "hidden/index.html",
            "<meta name=\"robots\" content=\"noindex, follow\">",
        );
        write("go/x/index.html", "<title>Redirecting</title>");
        write("404.html", "<title>Not found</title>");
        write("style.css", "body{}");
        let paths: Vec<String> = [
            "index.html",
            "guides/a/index.html",
            "old/index.html",
            "hidden/index.html",
            "go/x/index.html",
            "404.html",
            "style.css",
            "removed/index.html",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            page_urls("https://a.test", dir.path(), &paths),
            [
                "https://a.test/",
                "https://a.test/guides/a/",
                "https://a.test/removed/"
            ]
        );
    }
}

//! Deploying to S3-compatible storage: each file a `PUT` of
//! `PREFIX/<path>` with its `Content-Type` and `Cache-Control`, each
//! deletion a `DELETE`, signed with SigV4 ([`super::sigv4`]); path-style
//! addresses with a custom `endpoint` (MinIO, R2, B2), virtual-hosted
//! ones on AWS. A few requests in flight; server errors and throttling
//! retried.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use futures_util::stream::{self, StreamExt};

use super::sigv4::{
    Credentials, Request, authorization, encode_path, error_document, host_header, sha256_hex,
};
use crate::error::{Error, Result};

/// Requests in flight at once.
const IN_FLIGHT: usize = 8;
/// Tries of one request.
const TRIES: u32 = 4;

/// An S3 bucket and where in it a site goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    /// The bucket's name.
    pub name: String,
    /// The key prefix (no leading or trailing `/`), maybe empty.
    pub prefix: String,
    /// A custom endpoint (`http://127.0.0.1:9000`): path-style addresses.
    pub endpoint: Option<String>,
    /// The region (`us-east-1`; `auto` for R2).
    pub region: String,
    /// Store text files gzip-compressed with `Content-Encoding: gzip`.
    pub gzip: bool,
    /// The bucket serves a website (S3 static website hosting): aliases
    /// become website redirects.
    pub website: bool,
    /// The site whose objects these are: each object Grove writes is
    /// marked with it (`x-amz-meta-grove-site`), so that a deploy without
    /// a manifest knows which objects were Grove's.
    pub owner: String,
}

/// Header names and values of a request.
pub type Headers = Vec<(String, String)>;

/// Where a request goes: its URL, the path signed, the `Host` header.
struct Address {
    url: String,
    path: String,
    host: String,
}

impl Bucket {
    /// Where object `key` (below the prefix) is.
    fn url(&self, key: &str) -> Address {
        let full = if self.prefix.is_empty() {
            key.to_string()
        } else {
            format!("{}/{key}", self.prefix)
        };
        self.address(&full)
    }

    /// Where the bucket itself is (for listing).
    fn root(&self) -> Address {
        let address = self.address("");
        match &self.endpoint {
            Some(_) => Address {
                url: address.url.trim_end_matches('/').to_string(),
                path: address.path.trim_end_matches('/').to_string(),
                host: address.host,
            },
            None => address,
        }
    }

    /// Where object key `full` (prefix included) is.
    fn address(&self, full: &str) -> Address {
        match &self.endpoint {
            Some(endpoint) => {
                let endpoint = endpoint.trim_end_matches('/');
                let path = encode_path(&format!("/{}/{full}", self.name));
                Address {
                    url: format!("{endpoint}{path}"),
                    path,
                    host: host_header(endpoint),
                }
            }
            None => {
                let host = format!("{}.s3.{}.amazonaws.com", self.name, self.region);
                let path = encode_path(&format!("/{full}"));
                Address {
                    url: format!("https://{host}{path}"),
                    path,
                    host,
                }
            }
        }
    }
}

/// The Content-Type of a file, by its extension.
pub fn content_type(path: &str) -> &'static str {
    let extension = path
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "xsl" => "application/xslt+xml",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "pdf" => "application/pdf",
        "webmanifest" => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

/// The Cache-Control of a file: processed images (named by their
/// content's hash) for a year and immutable; pages, feeds and sitemaps
/// briefly, so a deploy shows at once; the rest for a day.
pub fn cache_control(path: &str) -> &'static str {
    let extension = path
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if path.starts_with("processed_images/") {
        "public, max-age=31536000, immutable"
    } else if matches!(
        extension.as_str(),
        "html" | "htm" | "xml" | "json" | "txt" | "xsl"
    ) || !path.rsplit('/').next().unwrap_or_default().contains('.')
    {
        "public, max-age=300"
    } else {
        "public, max-age=86400"
    }
}

/// Whether a file is text worth compressing.
pub fn compressible(path: &str) -> bool {
    let extension = path
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    matches!(
        extension.as_str(),
        "html"
            | "htm"
            | "css"
            | "js"
            | "mjs"
            | "json"
            | "xml"
            | "xsl"
            | "svg"
            | "txt"
            | "webmanifest"
    )
}

/// `bytes` gzip-compressed, deterministically (no name, no time).
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::GzBuilder::new().write(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

/// Aliases from a built site's `_redirects` (`from to 301` lines): the
/// object key of each old address (`old/index.html`) and where it leads,
/// for S3's website redirects (`x-amz-website-redirect-location`, always
/// a 301). Affiliate links (302 or 307) keep their HTML page: a cached
/// 301 would outlive a changed destination.
pub fn website_redirects(built: &Path, base_path: &str) -> BTreeMap<String, String> {
    let Ok(text) = std::fs::read_to_string(built.join("_redirects")) else {
        return BTreeMap::new();
    };
    let base = base_path.trim_end_matches('/');
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let (from, to, status) = (fields.next()?, fields.next()?, fields.next()?);
            if status != "301" || from.contains('*') || from.contains(':') {
                return None;
            }
            let key = from
                .strip_prefix(base)
                .unwrap_or(from)
                .trim_start_matches('/');
            let key = if key.is_empty() || key.ends_with('/') {
                format!("{key}index.html")
            } else {
                key.to_string()
            };
            Some((key, to.to_string()))
        })
        .collect()
}

/// A signed S3 client for one bucket.
pub struct Client {
    http: reqwest::Client,
    bucket: Bucket,
    credentials: Credentials,
}

impl Client {
    /// A client for `bucket` with `credentials`.
    pub fn new(bucket: Bucket, credentials: Credentials) -> Result<Client> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .user_agent(concat!("grove/", env!("CARGO_PKG_VERSION")))
            .timeout(Duration::from_secs(120))
            .build()
            .map_err(|e| Error::Usage(format!("cannot start an HTTP client: {e}")))?;
        Ok(Client {
            http,
            bucket,
            credentials,
        })
    }

    /// Uploads `paths` (below `built`) and deletes `deletions`;
    /// `redirects` (object key -> address) become website redirects.
    pub async fn apply(
        &self,
        built: &Path,
        uploads: &[String],
        deletions: &[String],
        redirects: &BTreeMap<String, String>,
    ) -> Result<()> {
        let puts = stream::iter(uploads.iter().map(|path| async move {
            let (bytes, mut extra) = self.payload(built, path)?;
            extra.push((
                "x-amz-meta-grove-site".to_string(),
                self.bucket.owner.clone(),
            ));
            if let Some(location) = redirects.get(path) {
                extra.push((
                    "x-amz-website-redirect-location".to_string(),
                    location.clone(),
                ));
            }
            self.send(
                "PUT",
                path,
                bytes,
                Some((content_type(path), cache_control(path))),
                &extra,
            )
            .await
        }))
        .buffer_unordered(IN_FLIGHT)
        .collect::<Vec<Result<()>>>()
        .await;
        puts.into_iter().collect::<Result<Vec<()>>>()?;
        let deletes = stream::iter(
            deletions
                .iter()
                .map(|path| async move { self.send("DELETE", path, Vec::new(), None, &[]).await }),
        )
        .buffer_unordered(IN_FLIGHT)
        .collect::<Vec<Result<()>>>()
        .await;
        deletes.into_iter().collect::<Result<Vec<()>>>()?;
        Ok(())
    }

    /// What `path` (below `built`) is stored as: its bytes, gzipped
    /// when the bucket takes text compressed, and the headers saying so.
    pub fn payload(&self, built: &Path, path: &str) -> Result<(Vec<u8>, Headers)> {
        let bytes = std::fs::read(built.join(path))
            .map_err(|source| Error::io(built.join(path), "cannot read file", source))?;
        if self.bucket.gzip && compressible(path) {
            let encoding = ("content-encoding".to_string(), "gzip".to_string());
            Ok((gzip(&bytes), vec![encoding]))
        } else {
            Ok((bytes, Vec::new()))
        }
    }

    /// Every object below the prefix: (path below the prefix, ETag
    /// without quotes), by ListObjectsV2, page after page.
    pub async fn list(&self) -> Result<Vec<(String, String)>> {
        let prefix = if self.bucket.prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", self.bucket.prefix)
        };
        let root = self.bucket.root();
        let mut objects = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut pairs = vec![("list-type", "2"), ("prefix", prefix.as_str())];
            if let Some(token) = &token {
                pairs.push(("continuation-token", token.as_str()));
            }
            let query = canonical_query(&pairs);
            let address = Address {
                url: format!("{}?{query}", root.url),
                path: root.path.clone(),
                host: root.host.clone(),
            };
            let url = address.url.clone();
            let reply = self
                .call("GET", &address, &query, Vec::new(), Vec::new())
                .await?;
            if !reply.status.is_success() {
                return Err(Error::Usage(format!(
                    "listing {url}: the storage answered {}: {}",
                    reply.status,
                    refusal(&String::from_utf8_lossy(&reply.body))
                )));
            }
            let text = String::from_utf8_lossy(&reply.body);
            let page = ListPage::parse(&text).map_err(|e| {
                Error::Usage(format!("listing {url}: not a ListObjectsV2 answer ({e})"))
            })?;
            for (key, etag) in page.objects {
                if let Some(path) = key.strip_prefix(&prefix) {
                    objects.push((path.to_string(), etag));
                }
            }
            match page.next {
                Some(next) => token = Some(next),
                None => return Ok(objects),
            }
        }
    }

    /// The site an object was written for (its `x-amz-meta-grove-site`),
    /// by a HEAD request; `None` for objects Grove did not mark.
    pub async fn owner_of(&self, path: &str) -> Result<Option<String>> {
        let address = self.bucket.url(path);
        let reply = self
            .call("HEAD", &address, "", Vec::new(), Vec::new())
            .await?;
        if reply.status.as_u16() == 404 {
            return Ok(None);
        }
        if !reply.status.is_success() {
            return Err(Error::Usage(format!(
                "HEAD {}: the storage answered {}",
                address.url, reply.status
            )));
        }
        Ok(reply
            .headers
            .get("x-amz-meta-grove-site")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string))
    }

    async fn send(
        &self,
        method: &str,
        key: &str,
        body: Vec<u8>,
        types: Option<(&str, &str)>,
        extra: &[(String, String)],
    ) -> Result<()> {
        let address = self.bucket.url(key);
        let mut headers = Vec::new();
        if let Some((content_type, cache_control)) = types {
            headers.push(("content-type".to_string(), content_type.to_string()));
            headers.push(("cache-control".to_string(), cache_control.to_string()));
        }
        headers.extend(extra.iter().cloned());
        let reply = self.call(method, &address, "", body, headers).await?;
        if reply.status.is_success() || (reply.status.as_u16() == 404 && method == "DELETE") {
            return Ok(());
        }
        Err(Error::Usage(format!(
            "{method} {}: the storage answered {}: {}",
            address.url,
            reply.status,
            refusal(&String::from_utf8_lossy(&reply.body))
        )))
    }

    /// Sends a signed request to `address` (`query` canonical, already in
    /// its URL), trying again on server errors, throttling and broken
    /// connections; any other answer is returned.
    async fn call(
        &self,
        method: &str,
        address: &Address,
        query: &str,
        body: Vec<u8>,
        headers: Vec<(String, String)>,
    ) -> Result<Reply> {
        let Address { url, path, host } = address;
        let payload_hash = sha256_hex(&body);
        let mut last = String::new();
        for attempt in 0..TRIES {
            let amz_date = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
            let mut signed = vec![
                ("host".to_string(), host.clone()),
                ("x-amz-content-sha256".to_string(), payload_hash.clone()),
                ("x-amz-date".to_string(), amz_date.clone()),
            ];
            signed.extend(headers.iter().cloned());
            let request = Request {
                method,
                path,
                query,
                headers: &signed,
                payload_hash: &payload_hash,
            };
            let signature = authorization(
                &request,
                &self.credentials,
                &amz_date,
                &self.bucket.region,
                "s3",
            );
            let mut builder = self
                .http
                .request(method.parse().expect("a known method"), url.as_str())
                .header("authorization", signature);
            for (name, value) in signed.iter().filter(|(n, _)| n != "host") {
                builder = builder.header(name, value);
            }
            match builder.body(body.clone()).send().await {
                Ok(response)
                    if response.status().is_server_error() || response.status().as_u16() == 429 =>
                {
                    last = response.status().to_string();
                }
                Ok(response) => {
                    let status = response.status();
                    let headers = response.headers().clone();
                    let body = response
                        .bytes()
                        .await
                        .map(|b| b.to_vec())
                        .unwrap_or_default();
                    return Ok(Reply {
                        status,
                        headers,
                        body,
                    });
                }
                Err(e) => last = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(250 << attempt)).await;
        }
        Err(Error::Usage(format!(
            "{method} {url}: gave up after {TRIES} tries ({last})"
        )))
    }
}

/// An answer of the storage.
struct Reply {
    status: reqwest::StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

/// One page of a ListObjectsV2 answer.
struct ListPage {
    /// (key, ETag without quotes).
    objects: Vec<(String, String)>,
    /// The continuation token when more pages follow.
    next: Option<String>,
}

impl ListPage {
    fn parse(xml: &str) -> std::result::Result<ListPage, String> {
        let document = roxmltree::Document::parse(xml).map_err(|e| e.to_string())?;
        let root = document.root_element();
        if !root.has_tag_name("ListBucketResult") {
            return Err(format!(
                "<{}> instead of <ListBucketResult>",
                root.tag_name().name()
            ));
        }
        let child_text = |node: roxmltree::Node, name: &str| {
            node.children()
                .find(|n| n.has_tag_name(name))
                .and_then(|n| n.text())
                .map(str::to_string)
        };
        let objects = root
            .children()
            .filter(|n| n.has_tag_name("Contents"))
            .filter_map(|n| {
                let key = child_text(n, "Key")?;
                let etag = child_text(n, "ETag").unwrap_or_default();
                Some((key, etag.trim_matches('"').to_string()))
            })
            .collect();
        let truncated = child_text(root, "IsTruncated").as_deref() == Some("true");
        let next = child_text(root, "NextContinuationToken").filter(|_| truncated);
        if truncated && next.is_none() {
            return Err("truncated without a NextContinuationToken".into());
        }
        Ok(ListPage { objects, next })
    }
}

/// A canonical query string: pairs sorted, names and values
/// percent-encoded (RFC 3986 unreserved characters left as they are).
fn canonical_query(pairs: &[(&str, &str)]) -> String {
    let mut encoded: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (encode_component(k), encode_component(v)))
        .collect();
    encoded.sort();
    encoded
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// `text` percent-encoded, `/` too.
fn encode_component(text: &str) -> String {
    encode_path(text).replace('/', "%2F")
}

/// What S3's error document says (`Code: Message`), with what to do for
/// the refusals a configuration causes; other bodies shortened as they are.
fn refusal(body: &str) -> String {
    let Some((said, code)) = error_document(body) else {
        return body.chars().take(300).collect();
    };
    let advice = match code.as_str() {
        "SignatureDoesNotMatch" => {
            "; the secret key does not fit the access key, or `region` is not the bucket's: check the variables [deploy] names (access_key_env and secret_key_env; AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY by default) and `region` in site.toml"
        }
        "InvalidAccessKeyId" => {
            "; the storage does not know this access key: check the variable [deploy] access_key_env names (AWS_ACCESS_KEY_ID by default)"
        }
        "AuthorizationHeaderMalformed" | "IllegalLocationConstraintException" => {
            "; set [deploy] region in site.toml to the bucket's region"
        }
        "NoSuchBucket" => "; create the bucket, or correct the bucket in [deploy] url",
        "AccessDenied" => "; the key may not write to this bucket or prefix",
        _ => "",
    };
    let said: String = said.chars().take(300).collect();
    format!("{said}{advice}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_say_what_s3_said_and_what_to_do() {
        let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided.</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>";
        let said = refusal(body);
        assert!(
            said.starts_with("SignatureDoesNotMatch: The request signature we calculated"),
            "{said}"
        );
        assert!(said.contains("secret_key_env"), "{said}");
        assert!(!said.contains("RequestId"), "{said}");
        assert_eq!(refusal("Bad Gateway"), "Bad Gateway");
    }

    #[test]
    fn listings_are_read_page_by_page() {
        let first = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>site/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken><Contents><Key>site/a &amp; b.html</Key><LastModified>2026-12-01T10:00:00.000Z</LastModified><ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>5</Size><StorageClass>STANDARD</StorageClass></Contents><Contents><Key>site/index.html</Key><ETag>"d41d8cd98f00b204e9800998ecf8427e"</ETag><Size>0</Size></Contents></ListBucketResult>"#;
        let page = ListPage::parse(first).unwrap();
        assert_eq!(
            page.objects,
            [
                (
                    "site/a & b.html".to_string(),
                    "9b2cf535f27731c974343645a3985328".to_string()
                ),
                (
                    "site/index.html".to_string(),
                    "d41d8cd98f00b204e9800998ecf8427e".to_string()
                )
            ]
        );
        assert_eq!(
            page.next.as_deref(),
            Some("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
        );
        let last = "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>";
        assert!(ListPage::parse(last).unwrap().next.is_none());
        assert!(ListPage::parse("<Error><Code>AccessDenied</Code></Error>").is_err());
        assert!(
            ListPage::parse("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>")
                .is_err(),
            "more pages without a token would list half the bucket"
        );
        assert_eq!(
            canonical_query(&[
                ("prefix", "site/"),
                ("continuation-token", "a/b+c="),
                ("list-type", "2")
            ]),
            "continuation-token=a%2Fb%2Bc%3D&list-type=2&prefix=site%2F"
        );
    }

    #[test]
    fn the_signed_host_is_the_one_sent() {
        assert_eq!(host_header("http://127.0.0.1:9000"), "127.0.0.1:9000");
        assert_eq!(host_header("http://minio.lan:80"), "minio.lan");
        assert_eq!(
            host_header("https://acct.r2.cloudflarestorage.com"),
            "acct.r2.cloudflarestorage.com"
        );
    }

    #[test]
    fn aliases_become_website_redirects() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("_redirects"),
            "/blog/old/ /blog/new/ 301\n/blog/go/x/ https://shop.example/x 302\n/blog/feed.xml /blog/rss.xml 301\n",
        )
        .unwrap();
        let redirects = website_redirects(dir.path(), "/blog");
        assert_eq!(redirects.len(), 2, "{redirects:?}");
        assert_eq!(redirects["old/index.html"], "/blog/new/");
        assert_eq!(redirects["feed.xml"], "/blog/rss.xml");
        assert!(compressible("a/index.html") && compressible("x.svg"));
        assert!(!compressible("x.webp") && !compressible("x.woff2"));
        // Deterministic: the same bytes each time (no name, no time).
        assert_eq!(gzip(b"hello"), gzip(b"hello"));
    }

    #[test]
    fn types_and_caching_by_path() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(
            content_type("processed_images/x-800x600-ab12.webp"),
            "image/webp"
        );
        assert_eq!(content_type("x.unknown"), "application/octet-stream");
        assert_eq!(
            cache_control("processed_images/x.webp"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(cache_control("a/index.html"), "public, max-age=300");
        assert_eq!(cache_control("_redirects"), "public, max-age=300");
        assert_eq!(cache_control("style.css"), "public, max-age=86400");
        let bucket = Bucket {
            gzip: false,
            website: false,
            name: "b".into(),
            prefix: "sites/alpha".into(),
            endpoint: Some("http://127.0.0.1:9000/".into()),
            region: "us-east-1".into(),
            owner: "alpha".into(),
        };
        let object = bucket.url("a b.html");
        assert_eq!(
            (
                object.url.as_str(),
                object.path.as_str(),
                object.host.as_str()
            ),
            (
                "http://127.0.0.1:9000/b/sites/alpha/a%20b.html",
                "/b/sites/alpha/a%20b.html",
                "127.0.0.1:9000"
            )
        );
        let root = bucket.root();
        assert_eq!(
            (root.url.as_str(), root.path.as_str()),
            ("http://127.0.0.1:9000/b", "/b")
        );
        let on_aws = Bucket {
            endpoint: None,
            ..bucket
        };
        let root = on_aws.root();
        assert_eq!(
            (root.url.as_str(), root.path.as_str(), root.host.as_str()),
            (
                "https://b.s3.us-east-1.amazonaws.com/",
                "/",
                "b.s3.us-east-1.amazonaws.com"
            )
        );
    }
}

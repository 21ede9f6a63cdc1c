//! AWS Signature Version 4 for S3-compatible storage (AWS S3, Cloudflare
//! R2, Backblaze B2, MinIO): the canonical request, the string to sign,
//! the key derived from the secret by date, region and service, and the
//! `Authorization` header. Checked against the example of AWS's
//! documentation.

use ring::hmac;
use sha2::{Digest, Sha256};

/// Access key and secret, read from the environment.
#[derive(Clone)]
pub struct Credentials {
    /// The access key id.
    pub access_key: String,
    /// The secret access key (never printed).
    pub secret_key: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key", &self.access_key)
            .finish_non_exhaustive()
    }
}

/// The SHA-256 of `bytes`, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn hmac_sha256(key: &[u8], data: &str) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data.as_bytes())
        .as_ref()
        .to_vec()
}

/// A request to sign.
pub struct Request<'a> {
    /// `GET`, `PUT`, `DELETE`...
    pub method: &'a str,
    /// The path, percent-encoded as sent (`/bucket/key`).
    pub path: &'a str,
    /// The query string, canonical (sorted, encoded), or empty.
    pub query: &'a str,
    /// The headers to sign (`host` and `x-amz-*` among them), any case.
    pub headers: &'a [(String, String)],
    /// The payload's SHA-256, hex (as `x-amz-content-sha256` says).
    pub payload_hash: &'a str,
}

/// The `Authorization` header of `request`, at `amz_date`
/// (`20130524T000000Z`), for `region` and `service` (`s3`).
pub fn authorization(
    request: &Request<'_>,
    credentials: &Credentials,
    amz_date: &str,
    region: &str,
    service: &str,
) -> String {
    let mut headers: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.to_ascii_lowercase(),
                v.split_whitespace().collect::<Vec<_>>().join(" "),
            )
        })
        .collect();
    headers.sort();
    let canonical_headers: String = headers.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let signed_headers = headers
        .iter()
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let canonical_request = format!(
        "{}\n{}\n{}\n{canonical_headers}\n{signed_headers}\n{}",
        request.method, request.path, request.query, request.payload_hash
    );
    let date = &amz_date[..8];
    let scope = format!("{date}/{region}/{service}/aws4_request");
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        sha256_hex(canonical_request.as_bytes())
    );
    let mut key = hmac_sha256(format!("AWS4{}", credentials.secret_key).as_bytes(), date);
    for part in [region, service, "aws4_request"] {
        key = hmac_sha256(&key, part);
    }
    let signature: String = hmac_sha256(&key, &string_to_sign)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!(
        "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
        credentials.access_key
    )
}

/// A key's path segments percent-encoded as S3 expects (RFC 3986
/// unreserved characters and `/` left as they are).
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The `Host` header an HTTP client sends to `endpoint`: its host, and
/// its port unless the scheme's default (`http://h:80` sends `h`).
pub fn host_header(endpoint: &str) -> String {
    match reqwest::Url::parse(endpoint) {
        Ok(url) => match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_string(),
            _ => endpoint.to_string(),
        },
        Err(_) => endpoint
            .split_once("://")
            .map_or(endpoint, |(_, h)| h)
            .to_string(),
    }
}

/// An AWS error document's (S3's `<Error>`, CloudFront's
/// `<ErrorResponse><Error>`) message, led by its code when it has one
/// (`SignatureDoesNotMatch: The request signature...`), and the code;
/// `None` when `body` is no such document.
pub fn error_document(body: &str) -> Option<(String, String)> {
    let document = roxmltree::Document::parse(body).ok()?;
    let field = |name: &str| {
        document
            .descendants()
            .find(|n| n.has_tag_name(name))
            .and_then(|n| n.text())
            .map(str::to_string)
    };
    let (code, message) = (field("Code"), field("Message"));
    if code.is_none() && message.is_none() {
        return None;
    }
    let code = code.unwrap_or_default();
    let message = message.unwrap_or_default();
    let said = if code.is_empty() {
        message
    } else {
        format!("{code}: {message}")
    };
    Some((said, code))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The "GET Object" example of AWS's Signature Version 4 documentation
    /// for S3 (examplebucket, `/test.txt`, the first ten bytes).
    #[test]
    fn the_documentation_example_signs_alike() {
        let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_eq!(sha256_hex(b""), empty);
        let headers = vec![
            (
                "Host".to_string(),
                "examplebucket.s3.amazonaws.com".to_string(),
            ),
            ("Range".to_string(), "bytes=0-9".to_string()),
            ("x-amz-content-sha256".to_string(), empty.to_string()),
            ("x-amz-date".to_string(), "20130524T000000Z".to_string()),
        ];
        let credentials = Credentials {
            access_key: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
        };
        let request = Request {
            method: "GET",
            path: "/test.txt",
            query: "",
            headers: &headers,
            payload_hash: empty,
        };
        assert_eq!(
            authorization(
                &request,
                &credentials,
                "20130524T000000Z",
                "us-east-1",
                "s3"
            ),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        );
        assert_eq!(encode_path("/site/a b/é.html"), "/site/a%20b/%C3%A9.html");
    }

    #[test]
    fn error_documents_of_s3_and_cloudfront() {
        let s3 = "<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>";
        assert_eq!(
            error_document(s3),
            Some((
                "NoSuchBucket: The specified bucket does not exist".into(),
                "NoSuchBucket".into()
            ))
        );
        let cloudfront = "<ErrorResponse><Error><Type>Sender</Type><Message>Too many paths</Message></Error></ErrorResponse>";
        assert_eq!(
            error_document(cloudfront),
            Some(("Too many paths".into(), String::new()))
        );
        assert_eq!(error_document("Bad Gateway"), None);
        assert_eq!(error_document("<html><body>502</body></html>"), None);
    }
}

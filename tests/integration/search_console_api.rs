//! `grove seo fetch` against a server on 127.0.0.1 that speaks Google's
//! wire formats: the OAuth token endpoint (JWT bearer grant, the RS256
//! signature checked with the key's public half) and Search Analytics
//! `searchAnalytics.query` (rows by dimension, `rowLimit`/`startRow`
//! paging, a 429 quota answer, a 403 for a property the account cannot
//! read).

use crate::common;

use std::sync::{Arc, Mutex};

use crate::common::Fixture;
use crate::common::measuring::report;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

const KEY_PEM: &str = include_str!("../data/search-console/test-service-account.pem");
const EMAIL: &str = "grove-test@example-project.iam.gserviceaccount.com";

#[derive(Default)]
struct Seen {
    token_requests: usize,
    queries: Vec<(String, Value)>,
    quota_answered: bool,
}

type Shared = Arc<Mutex<Seen>>;

fn public_key() -> Vec<u8> {
    let body: String = KEY_PEM
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let der = STANDARD.decode(body).unwrap();
    let pair = ring::signature::RsaKeyPair::from_pkcs8(&der).unwrap();
    ring::signature::KeyPair::public_key(&pair)
        .as_ref()
        .to_vec()
}

async fn token(State((seen, port)): State<(Shared, u16)>, body: String) -> Response {
    seen.lock().unwrap().token_requests += 1;
    let form: Vec<(String, String)> = body
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_string(), percent_decode(v)))
        .collect();
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    if field("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
        return (
            StatusCode::BAD_REQUEST,
            r#"{"error":"unsupported_grant_type"}"#,
        )
            .into_response();
    }
    let assertion = field("assertion");
    let parts: Vec<&str> = assertion.split('.').collect();
    let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap_or_default();
    let key = ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        public_key(),
    );
    if key
        .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
        .is_err()
    {
        return (
            StatusCode::BAD_REQUEST,
            r#"{"error":"invalid_grant","error_description":"Invalid JWT Signature."}"#,
        )
            .into_response();
    }
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    assert_eq!(header["alg"], "RS256");
    assert_eq!(claims["iss"], EMAIL);
    assert_eq!(
        claims["scope"],
        "https://www.googleapis.com/auth/webmasters.readonly"
    );
    assert_eq!(claims["aud"], format!("http://127.0.0.1:{port}/token"));
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        3600
    );
    (
        StatusCode::OK,
        json!({"access_token": "tok-1", "expires_in": 3599, "token_type": "Bearer"}).to_string(),
    )
        .into_response()
}

async fn query(
    State((seen, _)): State<(Shared, u16)>,
    Path(site): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some("Bearer tok-1") {
        return (
            StatusCode::UNAUTHORIZED,
            r#"{"error":{"code":401,"status":"UNAUTHENTICATED"}}"#,
        )
            .into_response();
    }
    let body: Value = serde_json::from_str(&body).unwrap();
    {
        let mut seen = seen.lock().unwrap();
        seen.queries.push((site.clone(), body.clone()));
        if !seen.quota_answered {
            seen.quota_answered = true;
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", "0")],
                r#"{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED","errors":[{"reason":"rateLimitExceeded"}]}}"#,
            )
                .into_response();
        }
    }
    if site != "sc-domain:alpha.example.com" {
        return (StatusCode::FORBIDDEN, r#"{"error":{"code":403,"message":"User does not have sufficient permission for site 'sc-domain:beta.example.com'.","status":"PERMISSION_DENIED"}}"#).into_response();
    }
    let dimensions: Vec<&str> = body["dimensions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    let start = body["startDate"].as_str().unwrap().to_string();
    let limit = body["rowLimit"].as_u64().unwrap() as usize;
    let from = body["startRow"].as_u64().unwrap() as usize;
    let url = |p: &str| format!("https://alpha.example.com{p}");
    let mut rows: Vec<Value> = Vec::new();
    match dimensions.as_slice() {
        ["date"] => {
            for day in ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04"] {
                if day >= start.as_str() && day <= body["endDate"].as_str().unwrap() {
                    rows.push(json!({"keys": [day], "clicks": 100.0, "impressions": 1000.0, "ctr": 0.1, "position": 5.0}));
                }
            }
        }
        ["date", "page"] => {
            rows.push(json!({"keys": [start, url("/a/")], "clicks": 60.0, "impressions": 600.0, "ctr": 0.1, "position": 3.0}));
            rows.push(json!({"keys": [start, url("/b/")], "clicks": 30.0, "impressions": 300.0, "ctr": 0.1, "position": 8.0}));
        }
        ["date", "page", "query"] => {
            rows.push(json!({"keys": [start, url("/a/"), "espresso"], "clicks": 5.0, "impressions": 50.0, "ctr": 0.1, "position": 2.0}));
            if start == "2026-11-01" {
                for n in 0..30_000 {
                    rows.push(json!({"keys": [start, url("/a/"), format!("q{n}")], "clicks": 0.0, "impressions": 1.0, "ctr": 0.0, "position": 10.0}));
                }
            }
        }
        other => panic!("unexpected dimensions {other:?}"),
    }
    let page: Vec<Value> = rows.into_iter().skip(from).take(limit).collect();
    let mut answer = json!({"responseAggregationType": "byPage"});
    if !page.is_empty() {
        answer["rows"] = Value::Array(page);
    }
    (StatusCode::OK, answer.to_string()).into_response()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// Starts the server; returns its port, what it saw, and its runtime.
fn start() -> (u16, Shared, tokio::runtime::Runtime) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen: Shared = Arc::default();
    let app = Router::new()
        .route("/token", post(token))
        .route(
            "/webmasters/v3/sites/{site}/searchAnalytics/query",
            post(query),
        )
        .with_state((Arc::clone(&seen), port));
    runtime.spawn(async move { axum::serve(listener, app).await.unwrap() });
    (port, seen, runtime)
}

fn network(port: u16) -> Fixture {
    let net = Fixture::new();
    net.site("alpha", "Alpha");
    net.write(
        "grove.toml",
        &format!("[network]\nname = \"Test\"\n[search_console]\napi_url = \"http://127.0.0.1:{port}\"\nsettle_days = 1\n"),
    );
    let key = json!({
        "type": "service_account",
        "project_id": "example-project",
        "private_key_id": "k1",
        "private_key": KEY_PEM,
        "client_email": EMAIL,
        "token_uri": format!("http://127.0.0.1:{port}/token"),
    });
    net.write("key.json", &key.to_string());
    net
}

fn fetch(net: &Fixture, args: &[&str]) -> std::process::Output {
    let key = net.path().join("key.json");
    let mut all = vec!["seo", "fetch"];
    all.extend(args);
    net.grove_env(
        &all,
        &[("GOOGLE_APPLICATION_CREDENTIALS", key.to_str().unwrap())],
    )
}

#[test]
fn a_fetch_signs_in_pages_through_rows_and_retries_quota() {
    let (port, seen, _runtime) = start();
    let net = network(port);
    let output = fetch(&net, &["--since", "2026-11-01", "--until", "2026-11-03"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("alpha (sc-domain:alpha.example.com): 2026-11-01 to 2026-11-03"),
        "{stdout}"
    );
    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen.token_requests, 1);
        assert!(seen.quota_answered);
        let paged: Vec<u64> = seen
            .queries
            .iter()
            .filter(|(_, b)| {
                b["startDate"] == "2026-11-01" && b["dimensions"].as_array().unwrap().len() == 3
            })
            .map(|(_, b)| b["startRow"].as_u64().unwrap())
            .collect();
        assert_eq!(paged, [0, 25_000], "{paged:?}");
        // The request answered with the quota error was sent again.
        assert_eq!(seen.queries[0], seen.queries[1]);
        assert!(
            seen.queries
                .iter()
                .all(|(_, b)| b["rowLimit"] == 25_000 && b["type"] == "web")
        );
    }
    let report = report(&net, "2026-11-01", "2026-11-03");
    let alpha = common::measuring::site(&report, "alpha");
    assert_eq!(alpha["search"]["clicks"], 300);
    assert_eq!(alpha["search"]["impressions"], 3000);
    let page = alpha["pages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["path"] == "/a/")
        .unwrap();
    assert_eq!(
        page["search"]["clicks"], 180,
        "the page totals, not the queries' sum"
    );
    assert_eq!(page["search"]["impressions"], 1800);
    assert_eq!(page["search"]["position"], 3.0);
    assert_eq!(page["search"]["queries"][0]["query"], "espresso");
    assert_eq!(page["search"]["queries"][0]["impressions"], 150);

    // The next fetch takes up where this one ended, less the settling day.
    seen.lock().unwrap().queries.clear();
    let output = fetch(&net, &["--until", "2026-11-04"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let seen_now = seen.lock().unwrap();
    let totals = seen_now
        .queries
        .iter()
        .find(|(_, b)| b["dimensions"] == json!(["date"]))
        .unwrap();
    assert_eq!(totals.1["startDate"], "2026-11-03");
    assert_eq!(totals.1["endDate"], "2026-11-04");
}

#[test]
fn a_property_the_account_cannot_read_stops_the_fetch_and_keeps_nothing() {
    let (port, _seen, _runtime) = start();
    let net = network(port);
    net.site("beta", "Beta");
    let output = fetch(&net, &["--since", "2026-11-01", "--until", "2026-11-01"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("add {EMAIL} as a user of the property")),
        "{stderr}"
    );
    assert!(!stderr.contains("PRIVATE KEY"), "{stderr}");
    let report = report(&net, "2026-11-01", "2026-11-01");
    assert_eq!(
        common::measuring::site(&report, "alpha")["search"]["impressions"],
        0
    );

    let output = net.grove(&["seo", "fetch"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("GOOGLE_APPLICATION_CREDENTIALS is not set"),
        "{stderr}"
    );
}

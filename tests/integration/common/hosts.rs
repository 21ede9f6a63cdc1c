//! Netlify's and Cloudflare Pages' deploy APIs as documented (and as
//! wrangler calls Cloudflare's), on 127.0.0.1, for `grove deploy`'s
//! tests: tokens checked, digests of sent files checked against what
//! they claim, the latest deploy served under `/live/` as the host would,
//! and every call recorded.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

/// The API token the fakes accept.
pub const TOKEN: &str = "test-token-1234";
/// The upload JWT Cloudflare's fake hands out.
const JWT: &str = "header.eyJleHAiOjQxMDI0NDQ4MDB9.signature";

/// One recorded call: method, path, body.
pub type Call = (String, String, Vec<u8>);

#[derive(Default)]
struct State {
    calls: Vec<Call>,
    /// Netlify: digest -> bytes held; Cloudflare: hash -> bytes held.
    blobs: HashMap<String, Vec<u8>>,
    /// Netlify deploys: id -> (path -> digest).
    deploys: BTreeMap<String, BTreeMap<String, String>>,
    /// The live deploy: path -> digest (or hash).
    live: BTreeMap<String, String>,
    /// Cloudflare: the `_redirects` of the live deployment.
    redirects: Option<String>,
    /// Answer the next calls with 503, this many times.
    fail_next: usize,
}

/// A fake hosting API.
pub struct Host {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    state: Arc<Mutex<State>>,
}

impl Host {
    /// Calls so far.
    pub fn calls(&self) -> Vec<Call> {
        self.state.lock().unwrap().calls.clone()
    }

    /// Calls whose path starts with `prefix`, of `method`.
    pub fn count(&self, method: &str, prefix: &str) -> usize {
        self.calls()
            .iter()
            .filter(|(m, p, _)| m == method && p.starts_with(prefix))
            .count()
    }

    /// Forgets the calls.
    pub fn clear(&self) {
        self.state.lock().unwrap().calls.clear();
    }

    /// The live deploy's paths.
    pub fn live_paths(&self) -> Vec<String> {
        self.state.lock().unwrap().live.keys().cloned().collect()
    }

    /// Cloudflare's live `_redirects`.
    pub fn redirects(&self) -> Option<String> {
        self.state.lock().unwrap().redirects.clone()
    }

    /// Makes the next `n` calls fail with 503.
    pub fn fail_next(&self, n: usize) {
        self.state.lock().unwrap().fail_next = n;
    }
}

/// Which API to speak.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// Netlify's file-digest deploys.
    Netlify,
    /// Cloudflare Pages' direct upload.
    CloudflarePages,
    /// CloudFront invalidations and Cloudflare cache purges.
    Cdn,
}

/// Starts a fake of `api`.
pub fn start(api: Api) -> Host {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = Arc::new(Mutex::new(State::default()));
    let shared = Arc::clone(&state);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let state = Arc::clone(&shared);
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request = String::new();
                reader.read_line(&mut request).unwrap_or_default();
                let mut headers = HashMap::new();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some((name, value)) = line.split_once(':') {
                        headers.insert(name.trim().to_lowercase(), value.trim().to_string());
                    }
                }
                let length: usize = headers
                    .get("content-length")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap_or_default();
                let mut parts = request.split_whitespace();
                let method = parts.next().unwrap_or_default().to_string();
                let path = parts.next().unwrap_or_default().to_string();
                let (status, content_type, answer) = {
                    let mut state = state.lock().unwrap();
                    state
                        .calls
                        .push((method.clone(), path.clone(), body.clone()));
                    if state.fail_next > 0 && !path.starts_with("/live/") {
                        state.fail_next -= 1;
                        (503, "application/json", b"{\"message\":\"busy\"}".to_vec())
                    } else {
                        let auth = headers.get("authorization").cloned().unwrap_or_default();
                        match api {
                            Api::Netlify => netlify(&mut state, &method, &path, &auth, &body),
                            Api::CloudflarePages => {
                                cloudflare(&mut state, &method, &path, &auth, &headers, &body)
                            }
                            Api::Cdn => cdn(&method, &path, &auth, &headers, &body),
                        }
                    }
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    answer.len()
                );
                let _ = stream.write_all(&answer);
            });
        }
    });
    Host { base, state }
}

type Answer = (u16, &'static str, Vec<u8>);

fn json_answer(status: u16, value: Value) -> Answer {
    (status, "application/json", value.to_string().into_bytes())
}

fn live(state: &State, path: &str) -> Answer {
    let mut file = path.trim_start_matches("/live/").to_string();
    if file.is_empty() || file.ends_with('/') {
        file.push_str("index.html");
    }
    match state
        .live
        .get(&format!("/{file}"))
        .and_then(|d| state.blobs.get(d))
    {
        Some(bytes) => (200, "text/html", bytes.clone()),
        None => (404, "text/plain", b"not found".to_vec()),
    }
}

fn sha1_hex(bytes: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, bytes);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

fn netlify(state: &mut State, method: &str, path: &str, auth: &str, body: &[u8]) -> Answer {
    if path.starts_with("/live/") {
        return live(state, path);
    }
    if auth != format!("Bearer {TOKEN}") {
        return json_answer(
            401,
            json!({"code": 401, "message": "Access Denied: your token is not valid"}),
        );
    }
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        ("POST", ["api", "v1", "sites", _site, "deploys"]) => {
            let request: Value = serde_json::from_slice(body).unwrap();
            let files: BTreeMap<String, String> =
                serde_json::from_value(request["files"].clone()).unwrap();
            let required: HashSet<&String> = files
                .values()
                .filter(|d| !state.blobs.contains_key(*d))
                .collect();
            let required: Vec<&String> = required.into_iter().collect();
            let id = format!("deploy{}", state.deploys.len() + 1);
            let answer = json!({"id": id, "state": "uploading", "required": required});
            state.deploys.insert(id, files);
            json_answer(200, answer)
        }
        ("PUT", ["api", "v1", "deploys", id, "files", rest @ ..]) => {
            let file = format!("/{}", percent_decode(&rest.join("/")));
            let Some(expected) = state.deploys.get(*id).and_then(|f| f.get(&file)).cloned() else {
                return json_answer(
                    404,
                    json!({"message": format!("{file} is not in deploy {id}")}),
                );
            };
            if sha1_hex(body) != expected {
                return json_answer(
                    422,
                    json!({"message": format!("{file}: content does not match its digest")}),
                );
            }
            state.blobs.insert(expected, body.to_vec());
            json_answer(200, json!({"id": file}))
        }
        ("GET", ["api", "v1", "deploys", id]) => {
            let Some(files) = state.deploys.get(*id).cloned() else {
                return json_answer(404, json!({"message": "no such deploy"}));
            };
            let ready = files.values().all(|d| state.blobs.contains_key(d));
            if ready {
                state.live = files;
            }
            json_answer(
                200,
                json!({"id": id, "state": if ready { "ready" } else { "uploading" }}),
            )
        }
        _ => json_answer(404, json!({"message": format!("no route {method} {path}")})),
    }
}

fn wrangler_hash(path: &str, bytes: &[u8]) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    let extension = match name.rfind('.') {
        Some(dot) if dot > 0 => &name[dot + 1..],
        _ => "",
    };
    let text = format!("{}{extension}", STANDARD.encode(bytes));
    blake3::hash(text.as_bytes()).to_hex()[..32].to_string()
}

fn cloudflare(
    state: &mut State,
    method: &str,
    path: &str,
    auth: &str,
    headers: &HashMap<String, String>,
    body: &[u8],
) -> Answer {
    if path.starts_with("/live/") {
        return live(state, path);
    }
    let fail = |status: u16, code: u32, message: &str| {
        json_answer(
            status,
            json!({"success": false, "errors": [{"code": code, "message": message}], "result": null}),
        )
    };
    let ok = |result: Value| {
        json_answer(
            200,
            json!({"success": true, "errors": [], "result": result}),
        )
    };
    let api_token = auth == format!("Bearer {TOKEN}");
    let jwt = auth == format!("Bearer {JWT}");
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        (
            "GET",
            [
                "client",
                "v4",
                "accounts",
                _,
                "pages",
                "projects",
                _,
                "upload-token",
            ],
        ) if api_token => ok(json!({"jwt": JWT})),
        ("POST", ["client", "v4", "pages", "assets", "check-missing"]) if jwt => {
            let request: Value = serde_json::from_slice(body).unwrap();
            let missing: Vec<&Value> = request["hashes"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|h| !state.blobs.contains_key(h.as_str().unwrap()))
                .collect();
            ok(json!(missing))
        }
        ("POST", ["client", "v4", "pages", "assets", "upload"]) if jwt => {
            let files: Vec<Value> = serde_json::from_slice(body).unwrap();
            for file in files {
                assert_eq!(file["base64"], true);
                assert!(file["metadata"]["contentType"].is_string());
                let bytes = STANDARD.decode(file["value"].as_str().unwrap()).unwrap();
                state
                    .blobs
                    .insert(file["key"].as_str().unwrap().to_string(), bytes);
            }
            ok(json!(null))
        }
        ("POST", ["client", "v4", "pages", "assets", "upsert-hashes"]) if jwt => ok(json!(null)),
        (
            "POST",
            [
                "client",
                "v4",
                "accounts",
                _,
                "pages",
                "projects",
                _,
                "deployments",
            ],
        ) if api_token => {
            let boundary = headers
                .get("content-type")
                .and_then(|t| t.split("boundary=").nth(1))
                .unwrap_or_default()
                .to_string();
            let parts = multipart(body, &boundary);
            let Some(manifest) = parts.get("manifest") else {
                return fail(400, 8000096, "A manifest is required");
            };
            let manifest: BTreeMap<String, String> = serde_json::from_slice(manifest).unwrap();
            for (file, hash) in &manifest {
                match state.blobs.get(hash) {
                    Some(bytes) if wrangler_hash(file, bytes) == *hash => {}
                    Some(_) => {
                        return fail(
                            400,
                            8000097,
                            &format!("{file}: hash does not match its content"),
                        );
                    }
                    None => {
                        return fail(
                            400,
                            8000098,
                            &format!("{file}: asset {hash} was never uploaded"),
                        );
                    }
                }
            }
            state.redirects = parts
                .get("_redirects")
                .map(|b| String::from_utf8_lossy(b).into_owned());
            state.live = manifest;
            ok(
                json!({"id": format!("deployment-{}", state.calls.len()), "url": "https://x.pages.dev"}),
            )
        }
        _ if !api_token && !jwt => fail(401, 10000, "Authentication error"),
        _ => fail(404, 7003, &format!("Could not route to {path}")),
    }
}

fn cdn(
    method: &str,
    path: &str,
    auth: &str,
    headers: &HashMap<String, String>,
    body: &[u8],
) -> Answer {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        ("POST", ["2020-05-31", "distribution", id, "invalidation"]) => {
            // Signed for CloudFront, which lives in us-east-1.
            if !auth.starts_with("AWS4-HMAC-SHA256 Credential=")
                || !auth.contains("/us-east-1/cloudfront/aws4_request")
                || !headers.contains_key("x-amz-date")
            {
                return (403, "text/xml", b"<ErrorResponse><Error><Message>The request signature we calculated does not match</Message></Error></ErrorResponse>".to_vec());
            }
            let xml = String::from_utf8_lossy(body);
            let quantity: usize = xml
                .split("<Quantity>")
                .nth(1)
                .and_then(|q| q.split('<').next())
                .and_then(|q| q.parse().ok())
                .unwrap_or(0);
            if quantity != xml.matches("<Path>").count() || !xml.contains("<CallerReference>") {
                return (400, "text/xml", b"<ErrorResponse><Error><Message>InconsistentQuantities</Message></Error></ErrorResponse>".to_vec());
            }
            (
                201,
                "text/xml",
                format!("<Invalidation><Id>I{id}</Id><Status>InProgress</Status></Invalidation>")
                    .into_bytes(),
            )
        }
        ("POST", ["client", "v4", "zones", _zone, "purge_cache"]) => {
            if auth != format!("Bearer {TOKEN}") {
                return json_answer(
                    403,
                    json!({"success": false, "errors": [{"code": 10000, "message": "Authentication error"}]}),
                );
            }
            let request: Value = serde_json::from_slice(body).unwrap();
            let files = request["files"].as_array().map_or(0, Vec::len);
            if files > 30 {
                return json_answer(
                    400,
                    json!({"success": false, "errors": [{"code": 1150, "message": "too many files"}]}),
                );
            }
            json_answer(
                200,
                json!({"success": true, "errors": [], "result": {"id": "purge"}}),
            )
        }
        _ => json_answer(404, json!({"message": "no route"})),
    }
}

/// The parts of a `multipart/form-data` body by name.
fn multipart(body: &[u8], boundary: &str) -> HashMap<String, Vec<u8>> {
    let text = body.to_vec();
    let delimiter = format!("--{boundary}").into_bytes();
    let mut parts = HashMap::new();
    let mut positions = Vec::new();
    let mut i = 0;
    while i + delimiter.len() <= text.len() {
        if text[i..].starts_with(&delimiter) {
            positions.push(i);
            i += delimiter.len();
        } else {
            i += 1;
        }
    }
    for pair in positions.windows(2) {
        let part = &text[pair[0] + delimiter.len() + 2..pair[1] - 2];
        let Some(split) = part.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&part[..split]);
        let Some(name) = head
            .split("name=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
        else {
            continue;
        };
        parts.insert(name.to_string(), part[split + 4..].to_vec());
    }
    parts
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 3 <= bytes.len()
            && let Ok(byte) = u8::from_str_radix(&text[i + 1..i + 3], 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

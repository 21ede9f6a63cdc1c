//! A fake LLM server on 127.0.0.1 speaking the OpenAI Chat Completions and
//! Anthropic Messages wire formats, plain and streaming. It validates each
//! request (path, model, messages, auth headers), records it, measures how
//! many requests are in flight at once, and answers as a test scripts it:
//! good articles, or faults (429 with Retry-After, 500, hangs, malformed
//! JSON, truncated answers, scripts in HTML, interrupted streams).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One request the server received.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// Request path.
    pub path: String,
    /// Headers, names lowercased.
    pub headers: HashMap<String, String>,
    /// The JSON body.
    pub body: Value,
    /// When it arrived.
    pub at: Instant,
}

impl Recorded {
    /// All message text (system and user), for matching briefs.
    pub fn prompt(&self) -> String {
        let mut text = self.body["system"].as_str().unwrap_or_default().to_string();
        for m in self.body["messages"].as_array().into_iter().flatten() {
            text.push('\n');
            text.push_str(m["content"].as_str().unwrap_or_default());
        }
        text
    }

    /// Whether the client asked for a stream.
    pub fn stream(&self) -> bool {
        self.body["stream"].as_bool().unwrap_or(false)
    }

    /// Whether this is an Anthropic Messages request.
    pub fn anthropic(&self) -> bool {
        self.path.ends_with("/messages")
    }
}

/// How to answer one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A good answer with this text (in the request's format and mode).
    Text(String),
    /// A good answer cut off by max_tokens.
    Truncated(String),
    /// An error status with a JSON error body and extra headers.
    Error {
        status: u16,
        code: String,
        message: String,
        headers: Vec<(String, String)>,
    },
    /// 200 with a body that is not JSON.
    Malformed,
    /// Accept the request and never answer.
    Hang,
    /// A stream that stops before its end marker.
    BrokenStream(String),
    /// A good answer without any usage numbers.
    NoUsage(String),
}

type Script = Box<dyn Fn(&Recorded, usize) -> Reply + Send + Sync>;

struct State {
    requests: Mutex<Vec<Recorded>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    latency: Mutex<Duration>,
    api_key: Option<String>,
    script: Mutex<Script>,
    /// What `GET /models` lists (`None`: answer 404, as servers without
    /// the list do).
    models: Mutex<Option<Vec<String>>>,
}

/// A running fake server; it stops when dropped (the runtime shuts down).
pub struct FakeLlm {
    /// `http://127.0.0.1:PORT/v1`.
    pub base_url: String,
    state: Arc<State>,
    _runtime: tokio::runtime::Runtime,
}

impl FakeLlm {
    /// Starts a server that expects `api_key` (if any) and answers every
    /// request with a ~`words`-word article naming the brief.
    pub fn start(api_key: Option<&str>) -> FakeLlm {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let state = Arc::new(State {
            requests: Mutex::new(Vec::new()),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            latency: Mutex::new(Duration::ZERO),
            api_key: api_key.map(str::to_string),
            script: Mutex::new(Box::new(|req, _| Reply::Text(article_for(req, 300)))),
            models: Mutex::new(Some(vec!["test-model".to_string()])),
        });
        let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let accept_state = Arc::clone(&state);
        runtime.spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let state = Arc::clone(&accept_state);
                tokio::spawn(async move {
                    let _ = serve(socket, state).await;
                });
            }
        });
        FakeLlm {
            base_url: format!("http://{addr}/v1"),
            state,
            _runtime: runtime,
        }
    }

    /// Sets what `GET /models` lists; `None` answers 404.
    pub fn set_models(&self, models: Option<&[&str]>) {
        *self.state.models.lock().unwrap() =
            models.map(|m| m.iter().map(|s| s.to_string()).collect());
    }

    /// Sets how requests are answered: `script(request, attempt)` where
    /// `attempt` counts earlier requests with the same user message.
    pub fn script(&self, script: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static) {
        *self.state.script.lock().unwrap() = Box::new(script);
    }

    /// Delay before every answer.
    pub fn set_latency(&self, latency: Duration) {
        *self.state.latency.lock().unwrap() = latency;
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().unwrap().clone()
    }

    /// How many requests so far.
    pub fn count(&self) -> usize {
        self.state.requests.lock().unwrap().len()
    }

    /// Requests whose prompt contains `needle`.
    pub fn count_matching(&self, needle: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.prompt().contains(needle))
            .count()
    }

    /// The most requests that were in flight at once.
    pub fn max_in_flight(&self) -> usize {
        self.state.max_in_flight.load(Ordering::SeqCst)
    }
}

/// A plausible article (~`words` words) that names the brief's title and
/// links every affiliate slug the prompt mentions.
pub fn article_for(req: &Recorded, words: usize) -> String {
    let prompt = req.prompt();
    let title = prompt
        .lines()
        .find_map(|l| l.strip_prefix("Title: "))
        .unwrap_or("Untitled")
        .to_string();
    let mut text = format!("## About {title}\n\n");
    let filler = "Careful testing shows which choice suits most readers and why it matters. ";
    while text.split_whitespace().count() < words {
        text.push_str(filler);
    }
    text.push_str("\n\n## Where to buy\n\n");
    for slug in prompt
        .split_whitespace()
        .filter_map(|w| w.strip_prefix("aff:"))
    {
        let slug = slug.trim_matches(|c: char| !c.is_alphanumeric() && c != '-');
        text.push_str(&format!("See [this one](aff:{slug}). "));
    }
    text
}

async fn serve(mut socket: TcpStream, state: Arc<State>) -> std::io::Result<()> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let header_end = loop {
        let n = socket.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(i) = find(&buffer, b"\r\n\r\n") {
            break i;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..header_end]).to_string();
    let mut lines = head.lines();
    let request_line = lines.next().unwrap_or_default().to_string();
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_string();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = buffer[header_end + 4..].to_vec();
    while body.len() < length {
        let n = socket.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }

    let now = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    state.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let result = respond(&mut socket, &state, path, headers, &body).await;
    state.in_flight.fetch_sub(1, Ordering::SeqCst);
    result
}

async fn respond(
    socket: &mut TcpStream,
    state: &State,
    path: String,
    headers: HashMap<String, String>,
    body: &[u8],
) -> std::io::Result<()> {
    if path.ends_with("/models") {
        return list_models(socket, state, &headers).await;
    }
    // Like llama.cpp and Ollama: no batch API, no files.
    let route = path.split('?').next().unwrap_or_default();
    if !route.ends_with("/chat/completions") && !route.ends_with("/messages") {
        return write_json(
            socket,
            404,
            &openai_error("not_found", "File Not Found"),
            &[],
        )
        .await;
    }
    let Ok(json) = serde_json::from_slice::<Value>(body) else {
        return write_json(
            socket,
            400,
            &openai_error("invalid_request_error", "body is not JSON"),
            &[],
        )
        .await;
    };
    let request = Recorded {
        path,
        headers,
        body: json,
        at: Instant::now(),
    };
    if let Err(problem) = validate(&request, state.api_key.as_deref()) {
        let status = if problem.starts_with("auth") {
            401
        } else {
            400
        };
        return write_json(
            socket,
            status,
            &openai_error("invalid_request_error", &problem),
            &[],
        )
        .await;
    }
    let attempt = {
        let mut requests = state.requests.lock().unwrap();
        let user = last_user(&request);
        let attempt = requests.iter().filter(|r| last_user(r) == user).count();
        requests.push(request.clone());
        attempt
    };
    let latency = *state.latency.lock().unwrap();
    let reply = (state.script.lock().unwrap())(&request, attempt);
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let anthropic = request.anthropic();
    match reply {
        Reply::Text(text) => {
            answer(
                socket,
                &request,
                &text,
                if anthropic { "end_turn" } else { "stop" },
                true,
            )
            .await
        }
        Reply::NoUsage(text) => {
            answer(
                socket,
                &request,
                &text,
                if anthropic { "end_turn" } else { "stop" },
                false,
            )
            .await
        }
        Reply::Truncated(text) => {
            answer(
                socket,
                &request,
                &text,
                if anthropic { "max_tokens" } else { "length" },
                true,
            )
            .await
        }
        Reply::Error {
            status,
            code,
            message,
            headers,
        } => {
            let body = if anthropic {
                json!({"type": "error", "error": {"type": code, "message": message}})
            } else {
                openai_error(&code, &message)
            };
            write_json(socket, status, &body, &headers).await
        }
        Reply::Malformed => {
            write_raw(
                socket,
                200,
                "application/json",
                b"{\"choices\": [ this is not json",
            )
            .await
        }
        Reply::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Ok(())
        }
        Reply::BrokenStream(text) => {
            let events = stream_events(&request, &text, "stop", true);
            let cut = events.len() / 2;
            write_stream(socket, &events[..cut]).await
        }
    }
}

fn last_user(request: &Recorded) -> String {
    request.body["messages"]
        .as_array()
        .and_then(|m| m.last())
        .and_then(|m| m["content"].as_str())
        .unwrap_or_default()
        .to_string()
}

fn validate(request: &Recorded, api_key: Option<&str>) -> Result<(), String> {
    let body = &request.body;
    if body["model"].as_str().is_none_or(str::is_empty) {
        return Err("model is required".into());
    }
    let messages = body["messages"]
        .as_array()
        .ok_or("messages must be an array")?;
    if messages.is_empty() {
        return Err("messages must not be empty".into());
    }
    if request.anthropic() {
        if request.headers.get("anthropic-version").map(String::as_str) != Some("2023-06-01") {
            return Err("anthropic-version header is required".into());
        }
        if body["max_tokens"].as_u64().is_none() {
            return Err("max_tokens is required".into());
        }
        if messages.iter().any(|m| m["role"] == "system") {
            return Err("system messages belong in the top-level `system` field".into());
        }
        if let Some(key) = api_key
            && request.headers.get("x-api-key").map(String::as_str) != Some(key)
        {
            return Err("auth: invalid x-api-key".into());
        }
    } else {
        if !request.path.ends_with("/chat/completions") {
            return Err(format!("unknown path {}", request.path));
        }
        let roles_ok = messages.iter().all(|m| {
            matches!(m["role"].as_str(), Some("system" | "user" | "assistant"))
                && m["content"].is_string()
        });
        if !roles_ok {
            return Err("every message needs a role and string content".into());
        }
        if let Some(key) = api_key
            && request.headers.get("authorization").map(String::as_str)
                != Some(&format!("Bearer {key}"))
        {
            return Err("auth: Incorrect API key provided".into());
        }
    }
    Ok(())
}

/// `GET /models` as OpenAI-compatible servers and Anthropic answer it
/// (both list `{"data": [{"id": ...}]}`), after the same key check as
/// completions (Bearer, or `x-api-key` with `anthropic-version`).
async fn list_models(
    socket: &mut TcpStream,
    state: &State,
    headers: &HashMap<String, String>,
) -> std::io::Result<()> {
    if let Some(key) = state.api_key.as_deref() {
        let bearer = headers.get("authorization") == Some(&format!("Bearer {key}"));
        let anthropic = headers.get("x-api-key").map(String::as_str) == Some(key)
            && headers.contains_key("anthropic-version");
        if !bearer && !anthropic {
            let error = openai_error("invalid_request_error", "Incorrect API key provided");
            return write_json(socket, 401, &error, &[]).await;
        }
    }
    let models = state.models.lock().unwrap().clone();
    match models {
        Some(models) => {
            let data: Vec<Value> = models
                .iter()
                .map(|id| json!({"id": id, "object": "model", "type": "model"}))
                .collect();
            write_json(socket, 200, &json!({"object": "list", "data": data}), &[]).await
        }
        None => write_json(socket, 404, &openai_error("not_found", "no such path"), &[]).await,
    }
}

fn openai_error(code: &str, message: &str) -> Value {
    json!({"error": {"message": message, "type": code, "code": code}})
}

async fn answer(
    socket: &mut TcpStream,
    request: &Recorded,
    text: &str,
    finish: &str,
    usage: bool,
) -> std::io::Result<()> {
    if request.stream() {
        let events = stream_events(request, text, finish, usage);
        return write_stream(socket, &events).await;
    }
    let model = request.body["model"].clone();
    let words = text.split_whitespace().count() as u64;
    let body = if request.anthropic() {
        let mut body = json!({
            "id": "msg_test", "type": "message", "role": "assistant", "model": model,
            "content": [{"type": "text", "text": text}], "stop_reason": finish,
        });
        if usage {
            body["usage"] = json!({"input_tokens": 100, "output_tokens": words});
        }
        body
    } else {
        let mut body = json!({
            "id": "chatcmpl-test", "object": "chat.completion", "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish}],
        });
        if usage {
            body["usage"] = json!({"prompt_tokens": 100, "completion_tokens": words, "total_tokens": 100 + words});
        }
        body
    };
    write_json(socket, 200, &body, &[]).await
}

/// SSE events (each a full `data: ...\n\n` block) for `text`.
fn stream_events(request: &Recorded, text: &str, finish: &str, usage: bool) -> Vec<String> {
    let pieces: Vec<String> = text.split_inclusive(' ').map(str::to_string).collect();
    let words = pieces.len() as u64;
    let mut events = Vec::new();
    if request.anthropic() {
        events.push(format!("event: message_start\ndata: {}\n\n", json!({"type": "message_start", "message": {"model": request.body["model"], "usage": {"input_tokens": 100, "output_tokens": 1}}})));
        events.push("event: ping\ndata: {\"type\": \"ping\"}\n\n".to_string());
        for piece in &pieces {
            events.push(format!("event: content_block_delta\ndata: {}\n\n", json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": piece}})));
        }
        events.push(format!("event: message_delta\ndata: {}\n\n", json!({"type": "message_delta", "delta": {"stop_reason": finish}, "usage": {"output_tokens": words}})));
        events.push("event: message_stop\ndata: {\"type\": \"message_stop\"}\n\n".to_string());
    } else {
        for piece in &pieces {
            events.push(format!("data: {}\n\n", json!({"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": null}]})));
        }
        events.push(format!(
            "data: {}\n\n",
            json!({"choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
        ));
        let wants_usage = request.body["stream_options"]["include_usage"] == true;
        if usage && wants_usage {
            events.push(format!(
                "data: {}\n\n",
                json!({"choices": [], "usage": {"prompt_tokens": 100, "completion_tokens": words}})
            ));
        }
        events.push("data: [DONE]\n\n".to_string());
    }
    events
}

async fn write_stream(socket: &mut TcpStream, events: &[String]) -> std::io::Result<()> {
    socket
        .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\nconnection: close\r\n\r\n")
        .await?;
    for event in events {
        socket.write_all(event.as_bytes()).await?;
        socket.flush().await?;
    }
    socket.shutdown().await
}

async fn write_json(
    socket: &mut TcpStream,
    status: u16,
    body: &Value,
    headers: &[(String, String)],
) -> std::io::Result<()> {
    let bytes = serde_json::to_vec(body).unwrap();
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nx-request-id: req-test\r\nconnection: close\r\n",
        reason(status),
        bytes.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    socket.write_all(head.as_bytes()).await?;
    socket.write_all(&bytes).await?;
    socket.shutdown().await
}

async fn write_raw(
    socket: &mut TcpStream,
    status: u16,
    content_type: &str,
    body: &[u8],
) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status} {}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        reason(status),
        body.len()
    );
    socket.write_all(head.as_bytes()).await?;
    socket.write_all(body).await?;
    socket.shutdown().await
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        529 => "Overloaded",
        _ => "Status",
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

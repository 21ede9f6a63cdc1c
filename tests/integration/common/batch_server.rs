//! Both documented batch wire formats on 127.0.0.1: OpenAI's Batch API
//! (`/v1/files` multipart upload, `/v1/batches` create, get, list with
//! metadata, cancel, `/v1/files/{id}/content`) and Anthropic's Message
//! Batches (`/v1/messages/batches` create, get, list, `results_url`).
//! A batch completes after a set number of polls; prompts holding
//! `FAILME` fail, `expire` ends batches with half their requests not run,
//! `malformed` adds garbage lines, `fail_creates` answers 500 to batch
//! creation (after creating it, or not), for the crash-between-steps
//! tests. Answers are outlines or articles made from the request.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

/// The API key the server wants.
pub const KEY: &str = "batch-test-key";

/// How the server behaves.
#[derive(Debug, Clone, Default)]
pub struct Behaviour {
    /// Polls a batch takes to end.
    pub polls_to_end: usize,
    /// End batches expired, half their requests not run.
    pub expire: bool,
    /// Add unreadable lines to result files.
    pub malformed: bool,
    /// Answer 500 to the next batch creations; `true` creates the batch
    /// anyway (a reply lost after the fact).
    pub fail_creates: Vec<bool>,
    /// Make batches, then wait this long before answering (a client killed
    /// meanwhile never hears of its batch).
    pub create_delay_ms: u64,
    /// End batches cancelled, half their requests not run.
    pub cancel: bool,
}

/// A batch: its object as the API shows it, its requests (custom_id,
/// body), and the polls so far.
type Batch = (Value, Vec<(String, Value)>, usize);

#[derive(Default)]
struct State {
    behaviour: Behaviour,
    files: HashMap<String, Vec<u8>>,
    /// Batch id -> the batch.
    batches: BTreeMap<String, Batch>,
    /// Every request received: method and path.
    calls: Vec<(String, String)>,
    /// Requests answered in batches, by custom_id: how many times.
    answered: HashMap<String, usize>,
    /// Live calls answered.
    live: usize,
}

/// The server.
pub struct BatchServer {
    /// `http://127.0.0.1:PORT/v1`.
    pub base_url: String,
    state: Arc<Mutex<State>>,
}

impl BatchServer {
    /// Changes the behaviour.
    pub fn set(&self, behaviour: Behaviour) {
        self.state.lock().unwrap().behaviour = behaviour;
    }

    /// Calls so far (method, path).
    pub fn calls(&self) -> Vec<(String, String)> {
        self.state.lock().unwrap().calls.clone()
    }

    /// Batches created.
    pub fn batches(&self) -> usize {
        self.state.lock().unwrap().batches.len()
    }

    /// How many times each request was answered across batches.
    pub fn answered(&self) -> HashMap<String, usize> {
        self.state.lock().unwrap().answered.clone()
    }

    /// Live calls answered.
    pub fn live(&self) -> usize {
        self.state.lock().unwrap().live
    }

    /// Requests per batch, in creation order.
    pub fn batch_sizes(&self) -> Vec<usize> {
        self.state
            .lock()
            .unwrap()
            .batches
            .values()
            .map(|b| b.1.len())
            .collect()
    }
}

/// Starts the server.
pub fn start(behaviour: Behaviour) -> BatchServer {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}/v1", listener.local_addr().unwrap());
    let state = Arc::new(Mutex::new(State {
        behaviour,
        ..State::default()
    }));
    let shared = Arc::clone(&state);
    let base = base_url.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let (state, base) = (Arc::clone(&shared), base.clone());
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
                    if let Some((k, v)) = line.split_once(':') {
                        headers.insert(k.trim().to_lowercase(), v.trim().to_string());
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
                let authorized = headers.get("authorization").map(String::as_str)
                    == Some(&format!("Bearer {KEY}"))
                    || headers.get("x-api-key").map(String::as_str) == Some(KEY);
                let (status, answer) = if authorized {
                    let (answer, delay) = {
                        let mut state = state.lock().unwrap();
                        state.calls.push((method.clone(), path.clone()));
                        let creating = method == "POST" && path.ends_with("/batches");
                        let delay = if creating {
                            state.behaviour.create_delay_ms
                        } else {
                            0
                        };
                        (
                            route(&mut state, &base, &method, &path, &headers, &body),
                            delay,
                        )
                    };
                    std::thread::sleep(std::time::Duration::from_millis(delay));
                    answer
                } else {
                    (
                        401,
                        json!({"error": {"message": "invalid api key"}})
                            .to_string()
                            .into_bytes(),
                    )
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    answer.len()
                );
                let _ = stream.write_all(&answer);
            });
        }
    });
    BatchServer { base_url, state }
}

fn ok(value: Value) -> (u16, Vec<u8>) {
    (200, value.to_string().into_bytes())
}

fn route(
    state: &mut State,
    base: &str,
    method: &str,
    path: &str,
    headers: &HashMap<String, String>,
    body: &[u8],
) -> (u16, Vec<u8>) {
    let route = path.split('?').next().unwrap_or_default();
    let segments: Vec<&str> = route.trim_start_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        // Live calls (a retry of what a batch failed) always succeed.
        ("POST", ["v1", "chat", "completions"]) => {
            let request: Value = serde_json::from_slice(body).unwrap();
            state.live += 1;
            ok(
                json!({"model": request["model"], "choices": [{"index": 0, "message": {"role": "assistant", "content": answer_text(&request)}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 100, "completion_tokens": 200}}),
            )
        }
        ("POST", ["v1", "files"]) => {
            let boundary = headers
                .get("content-type")
                .and_then(|t| t.split("boundary=").nth(1))
                .unwrap_or_default();
            let text = String::from_utf8_lossy(body).into_owned();
            assert!(
                text.contains("name=\"purpose\"\r\n\r\nbatch"),
                "purpose=batch"
            );
            let file = text
                .split(&format!("--{boundary}"))
                .find(|p| p.contains("name=\"file\""))
                .and_then(|p| p.split_once("\r\n\r\n"))
                .map(|(_, content)| content.trim_end_matches("\r\n").to_string())
                .expect("a file part");
            let id = format!("file-{}", state.files.len() + 1);
            state.files.insert(id.clone(), file.into_bytes());
            ok(json!({"id": id, "object": "file", "purpose": "batch"}))
        }
        ("POST", ["v1", "batches"]) => {
            let request: Value = serde_json::from_slice(body).unwrap();
            assert_eq!(request["completion_window"], "24h");
            assert_eq!(request["endpoint"], "/v1/chat/completions");
            let file = state
                .files
                .get(request["input_file_id"].as_str().unwrap())
                .cloned()
                .expect("uploaded file");
            let requests: Vec<(String, Value)> = String::from_utf8(file)
                .unwrap()
                .lines()
                .map(|l| {
                    let line: Value = serde_json::from_str(l).unwrap();
                    assert_eq!(line["method"], "POST");
                    assert_eq!(line["url"], "/v1/chat/completions");
                    assert_eq!(line["body"]["stream"], false);
                    (
                        line["custom_id"].as_str().unwrap().to_string(),
                        line["body"].clone(),
                    )
                })
                .collect();
            let create = if state.behaviour.fail_creates.is_empty() {
                None
            } else {
                Some(state.behaviour.fail_creates.remove(0))
            };
            if create == Some(false) {
                return (500, b"{\"error\":{\"message\":\"server error\"}}".to_vec());
            }
            let id = format!("batch_{}", state.batches.len() + 1);
            let object = json!({"id": id, "object": "batch", "status": "validating", "metadata": request["metadata"], "request_counts": {"total": requests.len(), "completed": 0, "failed": 0}});
            state.batches.insert(id, (object.clone(), requests, 0));
            if create == Some(true) {
                return (500, b"{\"error\":{\"message\":\"server error\"}}".to_vec());
            }
            ok(object)
        }
        ("GET", ["v1", "batches"]) => {
            let data: Vec<Value> = state.batches.values().map(|b| b.0.clone()).collect();
            ok(json!({"object": "list", "data": data}))
        }
        ("GET", ["v1", "batches", id]) => {
            let behaviour = state.behaviour.clone();
            let Some((object, requests, polls)) = state.batches.get_mut(*id) else {
                return (404, b"{\"error\":{\"message\":\"no such batch\"}}".to_vec());
            };
            *polls += 1;
            if *polls > behaviour.polls_to_end && object["status"] == "validating" {
                let requests = requests.clone();
                let (output, errors) = openai_results(&requests, &behaviour, &mut state.answered);
                let out_id = format!("file-out-{id}");
                let err_id = format!("file-err-{id}");
                state.files.insert(out_id.clone(), output);
                state.files.insert(err_id.clone(), errors);
                let (object, _, _) = state.batches.get_mut(*id).unwrap();
                object["status"] = json!(if behaviour.expire {
                    "expired"
                } else if behaviour.cancel {
                    "cancelled"
                } else {
                    "completed"
                });
                object["output_file_id"] = json!(out_id);
                object["error_file_id"] = json!(err_id);
            }
            ok(state.batches[*id].0.clone())
        }
        ("POST", ["v1", "batches", id, "cancel"]) => {
            let (object, _, _) = state.batches.get_mut(*id).unwrap();
            object["status"] = json!("cancelled");
            ok(object.clone())
        }
        ("GET", ["v1", "files", id, "content"]) => match state.files.get(*id) {
            Some(bytes) => (200, bytes.clone()),
            None => (404, b"{}".to_vec()),
        },
        ("POST", ["v1", "messages", "batches"]) => {
            let request: Value = serde_json::from_slice(body).unwrap();
            let requests: Vec<(String, Value)> = request["requests"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    assert!(r["params"]["stream"] == false);
                    (
                        r["custom_id"].as_str().unwrap().to_string(),
                        r["params"].clone(),
                    )
                })
                .collect();
            let id = format!("msgbatch_{}", state.batches.len() + 1);
            let object = json!({"id": id, "type": "message_batch", "processing_status": "in_progress", "created_at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true), "results_url": null, "request_counts": {"processing": requests.len(), "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}});
            state.batches.insert(id, (object.clone(), requests, 0));
            ok(object)
        }
        ("GET", ["v1", "messages", "batches"]) => {
            let data: Vec<Value> = state.batches.values().map(|b| b.0.clone()).collect();
            ok(json!({"data": data, "has_more": false}))
        }
        ("GET", ["v1", "messages", "batches", id]) => {
            let behaviour = state.behaviour.clone();
            let Some((object, requests, polls)) = state.batches.get_mut(*id) else {
                return (404, b"{}".to_vec());
            };
            *polls += 1;
            if *polls > behaviour.polls_to_end && object["processing_status"] == "in_progress" {
                let requests = requests.clone();
                let results = anthropic_results(&requests, &behaviour, &mut state.answered);
                state.files.insert(format!("results-{id}"), results);
                let (object, _, _) = state.batches.get_mut(*id).unwrap();
                object["processing_status"] = json!("ended");
                object["results_url"] = json!(format!("{base}/messages/batches/{id}/results"));
            }
            ok(state.batches[*id].0.clone())
        }
        ("GET", ["v1", "messages", "batches", id, "results"]) => (
            200,
            state
                .files
                .get(&format!("results-{id}"))
                .cloned()
                .unwrap_or_default(),
        ),
        _ => (
            404,
            json!({"error": {"message": format!("no route {method} {path}")}})
                .to_string()
                .into_bytes(),
        ),
    }
}

/// The text a request gets: an outline, or an article for its title.
pub fn answer_text(body: &Value) -> String {
    let mut prompt = body["system"].as_str().unwrap_or_default().to_string();
    for m in body["messages"].as_array().into_iter().flatten() {
        prompt.push('\n');
        prompt.push_str(m["content"].as_str().unwrap_or_default());
    }
    if prompt.contains("You plan articles for") {
        return json!({"briefs": [{"title": "Descaling an espresso machine", "section": "guides", "kind": "guide", "keywords": ["descale espresso machine"], "target_words": 900, "description": "When and how to descale."}]}).to_string();
    }
    if prompt.contains("Outline the article") {
        return "1. Why it matters\n2. The picks\n3. Where to buy".into();
    }
    let title = prompt
        .lines()
        .find_map(|l| l.strip_prefix("Title: "))
        .unwrap_or("Untitled")
        .to_string();
    let mut text = format!("## About {title}\n\n");
    while text.split_whitespace().count() < 120 {
        text.push_str("Careful testing shows which choice suits most readers and why it matters. ");
    }
    text.push_str("\n\n## Where to buy\n\nSee [this one](aff:widget-pro).\n");
    text
}

/// How many of a batch's requests run: half of an expired or cancelled one.
fn ran(requests: &[(String, Value)], behaviour: &Behaviour) -> usize {
    if behaviour.expire || behaviour.cancel {
        requests.len().div_ceil(2)
    } else {
        requests.len()
    }
}

fn fails(body: &Value) -> bool {
    body.to_string().contains("FAILME")
}

fn openai_results(
    requests: &[(String, Value)],
    behaviour: &Behaviour,
    answered: &mut HashMap<String, usize>,
) -> (Vec<u8>, Vec<u8>) {
    let (mut output, mut errors) = (String::new(), String::new());
    let run = ran(requests, behaviour);
    let (code, message) = if behaviour.cancel {
        (
            "batch_cancelled",
            "This request could not be executed before the batch was cancelled.",
        )
    } else {
        (
            "batch_expired",
            "This request could not be executed before the completion window expired.",
        )
    };
    for (index, (id, body)) in requests.iter().enumerate() {
        if index >= run {
            errors.push_str(&json!({"id": format!("r{index}"), "custom_id": id, "response": null, "error": {"code": code, "message": message}}).to_string());
            errors.push('\n');
            continue;
        }
        if fails(body) {
            errors.push_str(&json!({"id": format!("r{index}"), "custom_id": id, "response": {"status_code": 400, "body": {"error": {"message": "invalid request: FAILME"}}}, "error": null}).to_string());
            errors.push('\n');
            continue;
        }
        *answered.entry(id.clone()).or_default() += 1;
        let text = answer_text(body);
        let line = json!({"id": format!("r{index}"), "custom_id": id, "response": {"status_code": 200, "request_id": "req", "body": {"model": body["model"], "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 100, "completion_tokens": 200, "total_tokens": 300}}}, "error": null});
        output.push_str(&line.to_string());
        output.push('\n');
        if behaviour.malformed && index == 0 {
            output.push_str("{\"custom_id\": truncated\n");
        }
    }
    (output.into_bytes(), errors.into_bytes())
}

fn anthropic_results(
    requests: &[(String, Value)],
    behaviour: &Behaviour,
    answered: &mut HashMap<String, usize>,
) -> Vec<u8> {
    let mut out = String::new();
    let run = ran(requests, behaviour);
    for (index, (id, body)) in requests.iter().enumerate() {
        let result = if index >= run {
            json!({"type": if behaviour.cancel { "canceled" } else { "expired" }})
        } else if fails(body) {
            json!({"type": "errored", "error": {"type": "error", "error": {"type": "invalid_request_error", "message": "FAILME refused"}}})
        } else {
            *answered.entry(id.clone()).or_default() += 1;
            json!({"type": "succeeded", "message": {"id": "msg", "type": "message", "model": body["model"], "content": [{"type": "text", "text": answer_text(body)}], "stop_reason": "end_turn", "usage": {"input_tokens": 100, "output_tokens": 200}}})
        };
        out.push_str(&json!({"custom_id": id, "result": result}).to_string());
        out.push('\n');
        if behaviour.malformed && index == 0 {
            out.push_str("not json at all\n");
        }
    }
    out.into_bytes()
}

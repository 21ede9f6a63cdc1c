//! The two wire formats: OpenAI Chat Completions (also Ollama, llama.cpp,
//! vLLM, OpenRouter) and Anthropic Messages, plain JSON and Server-Sent
//! Events. See `shared/LLM-APIS.md` for the facts this follows.

use serde_json::{Value, json};

use super::message::Message;
use crate::network::Provider;

/// Anthropic's API version header value.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";

/// What one call asks for.
#[derive(Debug, Clone, Copy)]
pub struct ChatRequest<'a> {
    /// Model name.
    pub model: &'a str,
    /// Sampling temperature.
    pub temperature: f64,
    /// Answer token limit.
    pub max_tokens: u32,
    /// The conversation.
    pub messages: &'a [Message],
    /// Ask for Server-Sent Events.
    pub stream: bool,
    /// OpenAI `frequency_penalty`.
    pub frequency_penalty: Option<f64>,
    /// OpenAI `presence_penalty`.
    pub presence_penalty: Option<f64>,
    /// OpenAI `response_format` (a JSON Schema the answer must follow);
    /// not sent to Anthropic, which has no such field.
    pub response_format: Option<&'a Value>,
}

/// Why the model stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finish {
    /// It finished its answer.
    Stop,
    /// It hit `max_tokens`: the text is cut off.
    Length,
    /// Anything else the server said (content filter, refusal...).
    Other(String),
}

/// A parsed answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// The text.
    pub text: String,
    /// Why it stopped (`None` if the server did not say).
    pub finish: Option<Finish>,
    /// Prompt tokens, if reported.
    pub input_tokens: Option<u64>,
    /// Answer tokens, if reported.
    pub output_tokens: Option<u64>,
    /// The model that answered, if reported.
    pub model: Option<String>,
}

/// The URL path below the base URL.
pub fn endpoint(provider: Provider) -> &'static str {
    match provider {
        Provider::Openai => "/chat/completions",
        Provider::Anthropic => "/messages",
    }
}

/// The JSON request body.
pub fn request_body(provider: Provider, request: &ChatRequest<'_>) -> Value {
    match provider {
        Provider::Openai => {
            let mut body = json!({
                "model": request.model,
                "messages": request.messages,
                "temperature": request.temperature,
                "max_tokens": request.max_tokens,
                "stream": request.stream,
            });
            if request.stream {
                body["stream_options"] = json!({ "include_usage": true });
            }
            if let Some(penalty) = request.frequency_penalty {
                body["frequency_penalty"] = json!(penalty);
            }
            if let Some(penalty) = request.presence_penalty {
                body["presence_penalty"] = json!(penalty);
            }
            if let Some(format) = request.response_format {
                body["response_format"] = format.clone();
            }
            body
        }
        Provider::Anthropic => {
            let system: Vec<&str> = request
                .messages
                .iter()
                .filter(|m| m.role == "system")
                .map(|m| m.content.as_str())
                .collect();
            let messages: Vec<&Message> = request
                .messages
                .iter()
                .filter(|m| m.role != "system")
                .collect();
            let mut body = json!({
                "model": request.model,
                "max_tokens": request.max_tokens,
                "messages": messages,
                "temperature": request.temperature,
                "stream": request.stream,
            });
            if !system.is_empty() {
                body["system"] = Value::String(system.join("\n\n"));
            }
            body
        }
    }
}

fn openai_finish(reason: &str) -> Finish {
    match reason {
        "stop" => Finish::Stop,
        "length" => Finish::Length,
        other => Finish::Other(other.to_string()),
    }
}

fn anthropic_finish(reason: &str) -> Finish {
    match reason {
        "end_turn" | "stop_sequence" => Finish::Stop,
        "max_tokens" => Finish::Length,
        other => Finish::Other(other.to_string()),
    }
}

/// Parses a plain (non-streaming) answer; `Err` says what is malformed.
pub fn parse_response(provider: Provider, body: &[u8]) -> Result<Completion, String> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| format!("answer is not JSON: {e}"))?;
    match provider {
        Provider::Openai => {
            let choice = value["choices"].get(0).ok_or("answer has no choices[0]")?;
            let message = &choice["message"];
            let text = match (message["content"].as_str(), message["refusal"].as_str()) {
                (Some(text), _) => text,
                (None, Some(refusal)) => return Err(format!("the model refused: {refusal}")),
                (None, None) => return Err("answer has no choices[0].message.content".into()),
            };
            Ok(Completion {
                text: text.to_string(),
                finish: choice["finish_reason"].as_str().map(openai_finish),
                input_tokens: value["usage"]["prompt_tokens"].as_u64(),
                output_tokens: value["usage"]["completion_tokens"].as_u64(),
                model: value["model"].as_str().map(str::to_string),
            })
        }
        Provider::Anthropic => {
            let blocks = value["content"]
                .as_array()
                .ok_or("answer has no content array")?;
            let text: String = blocks
                .iter()
                .filter(|b| b["type"] == "text")
                .filter_map(|b| b["text"].as_str())
                .collect();
            Ok(Completion {
                text,
                finish: value["stop_reason"].as_str().map(anthropic_finish),
                input_tokens: value["usage"]["input_tokens"].as_u64(),
                output_tokens: value["usage"]["output_tokens"].as_u64(),
                model: value["model"].as_str().map(str::to_string),
            })
        }
    }
}

/// The error details in an error body: (message, code or type).
pub fn error_details(body: &[u8]) -> (String, Option<String>) {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        let text = String::from_utf8_lossy(body);
        let text = text.trim();
        let short: String = text.chars().take(300).collect();
        return (
            if short.is_empty() {
                "(empty body)".into()
            } else {
                short
            },
            None,
        );
    };
    let error = &value["error"];
    let message = error["message"]
        .as_str()
        .or_else(|| error.as_str())
        .unwrap_or("(no message)")
        .to_string();
    let code = error["code"]
        .as_str()
        .or_else(|| error["type"].as_str())
        .map(str::to_string);
    (message, code)
}

/// Accumulates a Server-Sent Events answer, event by event.
#[derive(Debug)]
pub struct StreamState {
    provider: Provider,
    buffer: String,
    completion: Completion,
    done: bool,
}

impl StreamState {
    /// An empty stream for `provider`.
    pub fn new(provider: Provider) -> Self {
        StreamState {
            provider,
            buffer: String::new(),
            completion: Completion {
                text: String::new(),
                finish: None,
                input_tokens: None,
                output_tokens: None,
                model: None,
            },
            done: false,
        }
    }

    /// Whether the stream's end marker arrived.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Feeds raw bytes; complete events are parsed. `Err` is an error event
    /// or a malformed one.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.buffer.push_str(&String::from_utf8_lossy(bytes));
        if self.buffer.contains('\r') {
            self.buffer = self.buffer.replace("\r\n", "\n");
        }
        while let Some(end) = self.buffer.find("\n\n") {
            let event: String = self.buffer.drain(..end + 2).collect();
            let data: Vec<&str> = event
                .lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .map(str::trim_start)
                .collect();
            if !data.is_empty() {
                self.event(&data.join("\n"))?;
            }
        }
        Ok(())
    }

    fn event(&mut self, data: &str) -> Result<(), String> {
        if data == "[DONE]" {
            self.done = true;
            return Ok(());
        }
        let value: Value =
            serde_json::from_str(data).map_err(|e| format!("malformed stream event: {e}"))?;
        let c = &mut self.completion;
        match self.provider {
            Provider::Openai => {
                if let Some(error) = value.get("error") {
                    return Err(error_details(error.to_string().as_bytes()).0);
                }
                if let Some(choice) = value["choices"].get(0) {
                    if let Some(text) = choice["delta"]["content"].as_str() {
                        c.text.push_str(text);
                    }
                    if let Some(reason) = choice["finish_reason"].as_str() {
                        c.finish = Some(openai_finish(reason));
                    }
                }
                if let Some(tokens) = value["usage"]["prompt_tokens"].as_u64() {
                    c.input_tokens = Some(tokens);
                }
                if let Some(tokens) = value["usage"]["completion_tokens"].as_u64() {
                    c.output_tokens = Some(tokens);
                }
                if let Some(model) = value["model"].as_str() {
                    c.model = Some(model.to_string());
                }
            }
            Provider::Anthropic => match value["type"].as_str().unwrap_or_default() {
                "message_start" => {
                    let message = &value["message"];
                    c.input_tokens = message["usage"]["input_tokens"].as_u64();
                    c.model = message["model"].as_str().map(str::to_string);
                }
                "content_block_delta" if value["delta"]["type"] == "text_delta" => {
                    c.text
                        .push_str(value["delta"]["text"].as_str().unwrap_or_default());
                }
                "message_delta" => {
                    if let Some(reason) = value["delta"]["stop_reason"].as_str() {
                        c.finish = Some(anthropic_finish(reason));
                    }
                    if let Some(tokens) = value["usage"]["output_tokens"].as_u64() {
                        c.output_tokens = Some(tokens);
                    }
                }
                "message_stop" => self.done = true,
                "error" => {
                    let message = value["error"]["message"].as_str().unwrap_or("stream error");
                    let kind = value["error"]["type"].as_str().unwrap_or("error");
                    return Err(format!("{kind}: {message}"));
                }
                _ => {} // ping, content_block_start/stop
            },
        }
        Ok(())
    }

    /// The answer, once the stream is done.
    pub fn finish(self) -> Completion {
        self.completion
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anthropic_body_moves_system_to_the_top() {
        let messages = vec![
            Message::new("system", "S".into()),
            Message::new("user", "U".into()),
        ];
        let request = ChatRequest {
            model: "m",
            temperature: 0.0,
            max_tokens: 5,
            messages: &messages,
            stream: false,
            frequency_penalty: Some(0.5),
            presence_penalty: None,
            response_format: None,
        };
        let body = request_body(Provider::Anthropic, &request);
        assert_eq!(body["system"], "S");
        assert_eq!(body["messages"].as_array().unwrap().len(), 1);
        let body = request_body(Provider::Openai, &request);
        assert_eq!(body["messages"].as_array().unwrap().len(), 2);
        assert_eq!(body["frequency_penalty"], 0.5);
        assert!(body.get("presence_penalty").is_none());
        assert!(body.get("response_format").is_none());
        let format = json!({ "type": "json_schema" });
        let request = ChatRequest {
            response_format: Some(&format),
            ..request
        };
        assert_eq!(
            request_body(Provider::Openai, &request)["response_format"],
            format
        );
        assert!(
            request_body(Provider::Anthropic, &request)
                .get("response_format")
                .is_none()
        );
    }

    #[test]
    fn openai_stream_in_odd_chunks() {
        let mut s = StreamState::new(Provider::Openai);
        let raw = "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"lo\"},\"finish_reason\":\"stop\"}]}\n\ndata: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}\n\ndata: [DONE]\n\n";
        for chunk in raw.as_bytes().chunks(7) {
            s.feed(chunk).unwrap();
        }
        assert!(s.is_done());
        let c = s.finish();
        assert_eq!(c.text, "Hello");
        assert_eq!(c.finish, Some(Finish::Stop));
        assert_eq!((c.input_tokens, c.output_tokens), (Some(3), Some(2)));
    }

    #[test]
    fn anthropic_stream_and_error_event() {
        let mut s = StreamState::new(Provider::Anthropic);
        s.feed(b"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"c\",\"usage\":{\"input_tokens\":9}}}\n\nevent: ping\ndata: {\"type\":\"ping\"}\n\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\"},\"usage\":{\"output_tokens\":4}}\n\ndata: {\"type\":\"message_stop\"}\n\n").unwrap();
        assert!(s.is_done());
        let c = s.finish();
        assert_eq!(c.text, "Hi");
        assert_eq!(c.finish, Some(Finish::Length));
        let mut s = StreamState::new(Provider::Anthropic);
        let err = s.feed(b"data: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n").unwrap_err();
        assert_eq!(err, "overloaded_error: Overloaded");
    }

    #[test]
    fn error_details_from_both_formats() {
        assert_eq!(
            error_details(br#"{"error":{"message":"quota","type":"insufficient_quota","code":"insufficient_quota"}}"#),
            ("quota".into(), Some("insufficient_quota".into()))
        );
        assert_eq!(
            error_details(
                br#"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"#
            ),
            ("slow down".into(), Some("rate_limit_error".into()))
        );
    }
}

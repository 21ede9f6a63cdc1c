//! OpenAI's Batch API: the requests as a JSONL file (`POST /files`,
//! `purpose=batch`), a batch made from it (`POST /batches`, with Grove's
//! id in `metadata`), polled (`GET /batches/{id}`), then its output and
//! error files read (`GET /files/{id}/content`): one line per request, in
//! any order.

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::json;

use super::{BatchClient, ItemResult, Progress, Queued, completion, result_lines};
use crate::error::{Error, Result};
use crate::network::Provider;

/// Statuses after which a batch does no more.
const ENDED: &[&str] = &["completed", "failed", "expired", "cancelled"];

/// The JSONL input file: one `{"custom_id", "method", "url", "body"}`
/// line per request; `path` is the chat endpoint's path (`/v1/chat/completions`).
pub fn input_file(requests: &[Queued], path: &str) -> Vec<u8> {
    let mut file = Vec::new();
    for request in requests {
        let line = json!({
            "custom_id": request.custom_id,
            "method": "POST",
            "url": path,
            "body": request.body,
        });
        file.extend_from_slice(line.to_string().as_bytes());
        file.push(b'\n');
    }
    file
}

impl BatchClient {
    /// The chat endpoint's path below the server (`/v1/chat/completions`).
    pub fn chat_path(&self) -> String {
        let path = reqwest::Url::parse(&self.base_url)
            .map(|u| u.path().trim_end_matches('/').to_string())
            .unwrap_or_default();
        format!("{path}/chat/completions")
    }

    /// Uploads the input file; returns its id.
    pub async fn upload(&self, jsonl: Vec<u8>) -> Result<String> {
        const BOUNDARY: &str = "grove-batch-boundary-3b9e1f";
        let mut body = Vec::with_capacity(jsonl.len() + 512);
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"grove-batch.jsonl\"\r\nContent-Type: application/jsonl\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(&jsonl);
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        let request = self
            .request(Method::POST, &format!("{}/files", self.base_url))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(body);
        let file = self.json(request, "uploading the batch file").await?;
        file["id"].as_str().map(str::to_string).ok_or_else(|| {
            Error::Usage("uploading the batch file: no file id in the answer".into())
        })
    }

    /// Makes a batch of the uploaded file; returns its id.
    pub async fn create(&self, file_id: &str, local_id: &str, window: &str) -> Result<String> {
        let request = self
            .request(Method::POST, &format!("{}/batches", self.base_url))
            .json(&json!({
                "input_file_id": file_id,
                "endpoint": self.chat_path(),
                "completion_window": window,
                "metadata": { "grove_batch": local_id },
            }));
        let batch = self.json(request, "creating the batch").await?;
        batch["id"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| Error::Usage("creating the batch: no batch id in the answer".into()))
    }

    /// The batch Grove named `local_id`, if one was made (a run killed
    /// between creating it and writing its id down).
    pub async fn find(&self, local_id: &str) -> Result<Option<String>> {
        let request = self.request(Method::GET, &format!("{}/batches?limit=100", self.base_url));
        let list = match self.json(request, "listing batches").await {
            Ok(list) => list,
            // A server that cannot list batches cannot say: not found.
            Err(error) if super::lacks_batch_api(&error) => return Ok(None),
            Err(error) => return Err(error),
        };
        Ok(list["data"].as_array().and_then(|batches| {
            batches
                .iter()
                .find(|b| b["metadata"]["grove_batch"] == local_id)
                .and_then(|b| b["id"].as_str().map(str::to_string))
        }))
    }

    /// Where the batch is; when it ended, every request's result.
    pub async fn poll(&self, batch_id: &str) -> Result<Progress> {
        let request = self.request(
            Method::GET,
            &format!("{}/batches/{batch_id}", self.base_url),
        );
        let batch = self.json(request, "reading the batch").await?;
        let status = batch["status"].as_str().unwrap_or_default().to_string();
        if !ENDED.contains(&status.as_str()) {
            let counts = &batch["request_counts"];
            return Ok(Progress::Running(format!(
                "{status}, {} of {} done",
                counts["completed"].as_u64().unwrap_or(0) + counts["failed"].as_u64().unwrap_or(0),
                counts["total"].as_u64().unwrap_or(0)
            )));
        }
        let mut results = BTreeMap::new();
        let mut malformed = Vec::new();
        for field in ["output_file_id", "error_file_id"] {
            if let Some(file_id) = batch[field].as_str() {
                let request = self.request(
                    Method::GET,
                    &format!("{}/files/{file_id}/content", self.base_url),
                );
                let bytes = self.bytes(request, "reading the batch's results").await?;
                read_results(&bytes, &mut results, &mut malformed);
            }
        }
        if status == "failed" && results.is_empty() {
            let errors: Vec<String> = batch["errors"]["data"]
                .as_array()
                .map(|list| {
                    list.iter()
                        .filter_map(|e| e["message"].as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            malformed.push(format!("the batch failed: {}", errors.join("; ")));
        }
        Ok(Progress::Ended {
            status,
            results,
            malformed,
        })
    }
}

/// Reads output or error file lines into `results`.
pub fn read_results(
    bytes: &[u8],
    results: &mut BTreeMap<String, ItemResult>,
    malformed: &mut Vec<String>,
) {
    for (custom_id, value) in result_lines(bytes, malformed) {
        let code = value["error"]["code"].as_str().unwrap_or_default();
        let result = if matches!(code, "batch_expired" | "batch_cancelled") {
            // Not run before the window closed or the batch was cancelled:
            // nothing was wrong with the request.
            ItemResult::NotRun(code.to_string())
        } else if !value["error"].is_null() {
            ItemResult::Failed(
                value["error"]["message"]
                    .as_str()
                    .unwrap_or("failed")
                    .to_string(),
            )
        } else {
            let response = &value["response"];
            let status = response["status_code"].as_u64().unwrap_or(0);
            if status != 200 {
                let message = response["body"]["error"]["message"]
                    .as_str()
                    .unwrap_or("no message");
                ItemResult::Failed(format!("HTTP {status}: {message}"))
            } else {
                match completion(Provider::Openai, &response["body"]) {
                    Ok(answer) => ItemResult::Answered(answer),
                    Err(problem) => ItemResult::Failed(problem),
                }
            }
        };
        results.insert(custom_id, result);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::wire::Finish;

    #[test]
    fn output_lines_of_every_kind() {
        let file = concat!(
            r#"{"id":"r1","custom_id":"a","response":{"status_code":200,"body":{"model":"m","choices":[{"message":{"content":"Hello"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1}}},"error":null}"#,
            "\n",
            r#"{"id":"r2","custom_id":"b","response":{"status_code":400,"body":{"error":{"message":"bad request"}}},"error":null}"#,
            "\n",
            r#"{"id":"r3","custom_id":"c","response":null,"error":{"code":"batch_expired","message":"This request could not be executed before the completion window expired."}}"#,
            "\n",
            "{not json\n",
            r#"{"id":"r5"}"#,
            "\n\n",
        );
        let mut results = BTreeMap::new();
        let mut malformed = Vec::new();
        read_results(file.as_bytes(), &mut results, &mut malformed);
        match &results["a"] {
            ItemResult::Answered(answer) => {
                assert_eq!(answer.text, "Hello");
                assert_eq!(
                    (answer.input_tokens, answer.output_tokens),
                    (Some(5), Some(1))
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            results["b"],
            ItemResult::Failed("HTTP 400: bad request".into())
        );
        assert_eq!(results["c"], ItemResult::NotRun("batch_expired".into()));
        assert_eq!(malformed, ["line 4: not JSON", "line 5: no custom_id"]);
    }

    /// Lines shaped as OpenAI writes them today (as captured in public
    /// projects' fixtures): `refusal`, `logprobs`, token details, a system
    /// fingerprint, an answer cut at `max_tokens`, and a refusal.
    #[test]
    fn output_lines_as_openai_writes_them() {
        let file = concat!(
            r#"{"id": "batch_req_67a1", "custom_id": "k1", "response": {"status_code": 200, "request_id": "5c1e", "body": {"id": "chatcmpl-B1x", "object": "chat.completion", "created": 1738000000, "model": "gpt-4o-mini-2024-07-18", "choices": [{"index": 0, "message": {"role": "assistant", "content": "A kettle guide.", "refusal": null, "annotations": []}, "logprobs": null, "finish_reason": "stop"}], "usage": {"prompt_tokens": 31, "completion_tokens": 4, "total_tokens": 35, "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0}, "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}}, "service_tier": "default", "system_fingerprint": "fp_72ed"}}, "error": null}"#,
            "\n",
            r#"{"id": "batch_req_67a2", "custom_id": "k2", "response": {"status_code": 200, "request_id": "9d0a", "body": {"id": "chatcmpl-B1y", "object": "chat.completion", "created": 1738000001, "model": "gpt-4o-mini-2024-07-18", "choices": [{"index": 0, "message": {"role": "assistant", "content": "A grinder guide that", "refusal": null}, "logprobs": null, "finish_reason": "length"}], "usage": {"prompt_tokens": 33, "completion_tokens": 10, "total_tokens": 43}, "system_fingerprint": "fp_72ed"}}, "error": null}"#,
            "\n",
            r#"{"id": "batch_req_67a3", "custom_id": "k3", "response": {"status_code": 200, "request_id": "77b2", "body": {"id": "chatcmpl-B1z", "object": "chat.completion", "created": 1738000002, "model": "gpt-4o-2024-08-06", "choices": [{"index": 0, "message": {"role": "assistant", "content": null, "refusal": "I can't help with that."}, "logprobs": null, "finish_reason": "stop"}], "usage": {"prompt_tokens": 40, "completion_tokens": 7, "total_tokens": 47}}}, "error": null}"#,
            "\n",
            r#"{"id": "batch_req_67a4", "custom_id": "k4", "response": {"status_code": 429, "request_id": "e3f0", "body": {"error": {"message": "Rate limit reached for gpt-4o-mini in organization org-x on tokens per min (TPM).", "type": "tokens", "param": null, "code": "rate_limit_exceeded"}}}, "error": null}"#,
            "\n",
        );
        let mut results = BTreeMap::new();
        let mut malformed = Vec::new();
        read_results(file.as_bytes(), &mut results, &mut malformed);
        assert!(malformed.is_empty(), "{malformed:?}");
        let ItemResult::Answered(first) = &results["k1"] else {
            panic!("{:?}", results["k1"]);
        };
        assert_eq!(first.text, "A kettle guide.");
        assert_eq!(
            (first.input_tokens, first.output_tokens),
            (Some(31), Some(4))
        );
        assert_eq!(first.model.as_deref(), Some("gpt-4o-mini-2024-07-18"));
        // Cut off: answered (and paid), refused later by the answer check.
        assert!(
            matches!(&results["k2"], ItemResult::Answered(a) if a.finish == Some(Finish::Length))
        );
        assert_eq!(
            results["k3"],
            ItemResult::Failed("the model refused: I can't help with that.".into())
        );
        assert!(
            matches!(&results["k4"], ItemResult::Failed(m) if m.starts_with("HTTP 429: Rate limit reached"))
        );
    }
}

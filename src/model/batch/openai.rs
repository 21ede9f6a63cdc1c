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
}

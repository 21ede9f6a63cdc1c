//! Anthropic's Message Batches: every request posted at once
//! (`POST /messages/batches`), polled (`GET /messages/batches/{id}`)
//! until `processing_status` is `ended`, then the results read from
//! `results_url`: one line per request, succeeded, errored, canceled or
//! expired.

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::{Value, json};

use super::{BatchClient, ItemResult, Progress, Queued, completion, result_lines};
use crate::error::{Error, Result};
use crate::network::Provider;

impl BatchClient {
    /// Posts the requests as one batch; returns its id.
    pub async fn create_message_batch(&self, requests: &[Queued]) -> Result<String> {
        let requests: Vec<Value> = requests
            .iter()
            .map(|r| json!({ "custom_id": r.custom_id, "params": r.body }))
            .collect();
        let request = self
            .request(Method::POST, &format!("{}/messages/batches", self.base_url))
            .json(&json!({ "requests": requests }));
        let batch = self.json(request, "creating the message batch").await?;
        batch["id"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| Error::Usage("creating the message batch: no id in the answer".into()))
    }

    /// A batch of `count` requests created at or after `since` (RFC 3339),
    /// for a run killed before it wrote the id down.
    pub async fn find_message_batch(&self, since: &str, count: u64) -> Result<Option<String>> {
        let request = self.request(
            Method::GET,
            &format!("{}/messages/batches?limit=100", self.base_url),
        );
        let list = match self.json(request, "listing message batches").await {
            Ok(list) => list,
            // A server that cannot list batches cannot say: not found.
            Err(error) if super::lacks_batch_api(&error) => return Ok(None),
            Err(error) => return Err(error),
        };
        Ok(list["data"].as_array().and_then(|batches| {
            batches
                .iter()
                .filter(|b| b["created_at"].as_str().is_some_and(|t| t >= since))
                .find(|b| {
                    let counts = &b["request_counts"];
                    ["processing", "succeeded", "errored", "canceled", "expired"]
                        .iter()
                        .map(|k| counts[*k].as_u64().unwrap_or(0))
                        .sum::<u64>()
                        == count
                })
                .and_then(|b| b["id"].as_str().map(str::to_string))
        }))
    }

    /// Where the message batch is; when it ended, every request's result.
    pub async fn poll_message_batch(&self, batch_id: &str) -> Result<Progress> {
        let request = self.request(
            Method::GET,
            &format!("{}/messages/batches/{batch_id}", self.base_url),
        );
        let batch = self.json(request, "reading the message batch").await?;
        let status = batch["processing_status"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let counts = &batch["request_counts"];
        if status != "ended" {
            return Ok(Progress::Running(format!(
                "{status}, {} processing",
                counts["processing"].as_u64().unwrap_or(0)
            )));
        }
        let Some(url) = batch["results_url"].as_str() else {
            return Err(Error::Usage(format!(
                "message batch {batch_id} ended without a results_url"
            )));
        };
        let request = self.request(Method::GET, url);
        let bytes = self
            .bytes(request, "reading the message batch's results")
            .await?;
        let mut results = BTreeMap::new();
        let mut malformed = Vec::new();
        read_results(&bytes, &mut results, &mut malformed);
        Ok(Progress::Ended {
            status,
            results,
            malformed,
        })
    }
}

/// Reads the results JSONL into `results`.
pub fn read_results(
    bytes: &[u8],
    results: &mut BTreeMap<String, ItemResult>,
    malformed: &mut Vec<String>,
) {
    let mut unknown = Vec::new();
    for (custom_id, value) in result_lines(bytes, malformed) {
        let result = &value["result"];
        let item = match result["type"].as_str() {
            Some("succeeded") => match completion(Provider::Anthropic, &result["message"]) {
                Ok(answer) => ItemResult::Answered(answer),
                Err(problem) => ItemResult::Failed(problem),
            },
            Some("errored") => ItemResult::Failed(
                result["error"]["error"]["message"]
                    .as_str()
                    .or_else(|| result["error"]["message"].as_str())
                    .unwrap_or("errored")
                    .to_string(),
            ),
            Some(kind @ ("canceled" | "expired")) => ItemResult::NotRun(kind.to_string()),
            _ => {
                unknown.push(format!("{custom_id}: unknown result type"));
                continue;
            }
        };
        results.insert(custom_id, item);
    }
    malformed.extend(unknown);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::wire::Finish;

    #[test]
    fn result_lines_of_every_kind() {
        let file = concat!(
            r#"{"custom_id":"a","result":{"type":"succeeded","message":{"model":"claude","content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn","usage":{"input_tokens":7,"output_tokens":2}}}}"#,
            "\n",
            r#"{"custom_id":"b","result":{"type":"errored","error":{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens too large"}}}}"#,
            "\n",
            r#"{"custom_id":"c","result":{"type":"expired"}}"#,
            "\n",
            r#"{"custom_id":"d","result":{"type":"canceled"}}"#,
            "\n",
            "garbage\n",
        );
        let mut results = BTreeMap::new();
        let mut malformed = Vec::new();
        read_results(file.as_bytes(), &mut results, &mut malformed);
        assert!(
            matches!(&results["a"], ItemResult::Answered(a) if a.text == "Hi" && a.output_tokens == Some(2))
        );
        assert_eq!(
            results["b"],
            ItemResult::Failed("max_tokens too large".into())
        );
        assert_eq!(results["c"], ItemResult::NotRun("expired".into()));
        assert_eq!(results["d"], ItemResult::NotRun("canceled".into()));
        assert_eq!(malformed, ["line 5: not JSON"]);
    }

    /// Lines shaped as Anthropic writes them today: ids, `role`,
    /// `stop_sequence`, cache and service-tier fields in `usage`, a
    /// thinking block before the text, an answer cut at `max_tokens`, and
    /// an error in the older flat form.
    #[test]
    fn result_lines_as_anthropic_writes_them() {
        let file = concat!(
            r#"{"custom_id": "k1", "result": {"type": "succeeded", "message": {"id": "msg_01Xv", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929", "content": [{"type": "thinking", "thinking": "Plan the intro.", "signature": "EqQB"}, {"type": "text", "text": "A kettle "}, {"type": "text", "text": "guide."}], "stop_reason": "end_turn", "stop_sequence": null, "usage": {"input_tokens": 31, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, "output_tokens": 12, "service_tier": "batch"}}}}"#,
            "\n",
            r#"{"custom_id": "k2", "result": {"type": "succeeded", "message": {"id": "msg_01Xw", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929", "content": [{"type": "text", "text": "A grinder guide that"}], "stop_reason": "max_tokens", "stop_sequence": null, "usage": {"input_tokens": 33, "output_tokens": 10}}}}"#,
            "\n",
            r#"{"custom_id": "k3", "result": {"type": "errored", "error": {"type": "invalid_request", "message": "messages: at least one message is required"}}}"#,
            "\n",
        );
        let mut results = BTreeMap::new();
        let mut malformed = Vec::new();
        read_results(file.as_bytes(), &mut results, &mut malformed);
        assert!(malformed.is_empty(), "{malformed:?}");
        let ItemResult::Answered(first) = &results["k1"] else {
            panic!("{:?}", results["k1"]);
        };
        assert_eq!(first.text, "A kettle guide.", "text blocks only");
        assert_eq!(
            (first.input_tokens, first.output_tokens),
            (Some(31), Some(12))
        );
        assert!(
            matches!(&results["k2"], ItemResult::Answered(a) if a.finish == Some(Finish::Length))
        );
        assert_eq!(
            results["k3"],
            ItemResult::Failed("messages: at least one message is required".into())
        );
    }
}

//! The response cache: `.grove/cache/<aa>/<hash>.json`, keyed by a hash of
//! everything that determines an answer (provider, base URL, model,
//! parameters, messages) and nothing secret. A re-run with unchanged inputs
//! makes no HTTP request.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::message::Message;
use crate::error::Result;
use crate::network::Provider;
use crate::output::write_atomic;

/// What identifies one request, for the cache key.
#[derive(Debug, Serialize)]
pub struct RequestKey<'a> {
    /// Wire format.
    pub provider: Provider,
    /// API root.
    pub base_url: &'a str,
    /// Model name.
    pub model: &'a str,
    /// Sampling temperature.
    pub temperature: f64,
    /// Answer token limit.
    pub max_tokens: u32,
    /// OpenAI penalties (absent from the key when unset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frequency_penalty: Option<f64>,
    /// OpenAI penalties (absent from the key when unset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub presence_penalty: Option<f64>,
    /// The answer format asked for (absent from the key when unset, so
    /// keys from before it existed still match).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_format: Option<&'a serde_json::Value>,
    /// The conversation.
    pub messages: &'a [Message],
}

impl RequestKey<'_> {
    /// Hex SHA-256 of the key's canonical JSON.
    pub fn hash(&self) -> String {
        let json = serde_json::to_vec(self).expect("request keys always serialize");
        hex(&Sha256::digest(json))
    }
}

/// A usable answer, as stored in the cache.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    /// The model's text.
    pub text: String,
    /// Prompt tokens (reported, or estimated when the server gave none).
    pub input_tokens: u64,
    /// Answer tokens.
    pub output_tokens: u64,
    /// Whether the token counts are estimates.
    pub usage_estimated: bool,
    /// The model that answered, as the server named it.
    pub model: String,
}

/// The cache folder.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    /// The cache below `state_dir` (`.grove/`).
    pub fn new(state_dir: &Path) -> Cache {
        Cache {
            dir: state_dir.join(crate::state::CACHE_DIR),
        }
    }

    fn path(&self, hash: &str) -> PathBuf {
        self.dir.join(&hash[..2]).join(format!("{hash}.json"))
    }

    /// The cached answer for `hash`, if any. An unreadable entry is a miss.
    pub fn get(&self, hash: &str) -> Option<Answer> {
        let bytes = std::fs::read(self.path(hash)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Stores `answer` under `hash` atomically.
    pub fn put(&self, hash: &str, answer: &Answer) -> Result<()> {
        let path = self.path(hash);
        let json = serde_json::to_vec_pretty(answer).expect("answers always serialize");
        write_atomic(&path, &json)
    }
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hex SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key<'a>(messages: &'a [Message], model: &'a str) -> RequestKey<'a> {
        RequestKey {
            provider: Provider::Openai,
            base_url: "http://x",
            model,
            temperature: 0.0,
            max_tokens: 10,
            frequency_penalty: None,
            presence_penalty: None,
            response_format: None,
            messages,
        }
    }

    #[test]
    fn keys_change_with_inputs_and_round_trip() {
        let m = vec![Message::new("user", "hi".into())];
        let a = key(&m, "m1").hash();
        assert_eq!(a, key(&m, "m1").hash());
        assert_ne!(a, key(&m, "m2").hash());
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        assert!(cache.get(&a).is_none());
        let answer = Answer {
            text: "t".into(),
            input_tokens: 1,
            output_tokens: 2,
            usage_estimated: false,
            model: "m1".into(),
        };
        cache.put(&a, &answer).unwrap();
        assert_eq!(cache.get(&a), Some(answer));
    }
}

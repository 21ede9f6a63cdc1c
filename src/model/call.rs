//! What one model call is, as drafting, research and replicate hand it to
//! the runner: who it is for (the ledger's site and label), the model
//! settings, an answer format and a check of the answer; and the rough
//! token count estimates are made with.

use crate::network::LlmConfig;

/// Who one model call is for: the ledger's site and brief (or task), the
/// model settings, and an answer format to ask for.
pub struct Call<'a> {
    /// Site name.
    pub site: &'a str,
    /// The brief's slug, or what the call is for (`research`).
    pub label: &'a str,
    /// The site's model settings.
    pub llm: &'a LlmConfig,
    /// A JSON Schema `response_format` (OpenAI-compatible servers only).
    pub response_format: Option<&'a serde_json::Value>,
    /// A further check of an answer's text: an answer it refuses is
    /// retried once, like a cut-off one, and never cached.
    pub check: Option<&'a AnswerCheck>,
}

/// A check of an answer's text: `Err` says why it cannot be used.
pub type AnswerCheck = dyn Fn(&str) -> Result<(), String> + Sync;

/// Rough prompt-token count: about four characters per token.
pub fn estimate_tokens(text: &str) -> u64 {
    (text.chars().count() as u64).div_ceil(4)
}

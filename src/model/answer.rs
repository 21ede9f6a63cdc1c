//! Checking a model's answer: reject what is unusable (cut off, empty, a
//! refusal) and unwrap code fences. Making it safe is [`crate::content::sanitize`]'s
//! job.

use super::wire::Finish;

/// Phrases that mark a refusal or an answer about itself instead of the
/// article. In a short answer they mean "unusable"; `grove review` warns
/// about them anywhere.
pub const AI_PHRASES: &[&str] = &[
    "as an ai language model",
    "as an ai model",
    "i'm sorry, but i can't",
    "i'm sorry, but i cannot",
    "i am sorry, but i cannot",
    "i cannot fulfill",
    "i can't help with",
    "i'm unable to help",
];

/// Checks an answer and returns its text, unwrapped from a code fence, or
/// why it cannot be used.
pub fn check_answer(text: &str, finish: Option<&Finish>) -> Result<String, String> {
    if finish == Some(&Finish::Length) {
        return Err("the answer was cut off at max_tokens (finish_reason = length); raise [llm] max_tokens in grove.toml, or ask for less: a lower target_words in the brief (grove draft), fewer briefs with `grove research --count` (grove research)".into());
    }
    if let Some(Finish::Other(reason)) = finish
        && (reason == "content_filter" || reason == "refusal")
    {
        return Err(format!("the model stopped with `{reason}`"));
    }
    let text = unwrap_fence(text.trim()).trim().to_string();
    if text.is_empty() {
        return Err("the answer is empty".into());
    }
    let words = text.split_whitespace().count();
    let head: String = text.chars().take(300).collect::<String>().to_lowercase();
    if words < 80 && AI_PHRASES.iter().any(|p| head.contains(p)) {
        return Err(format!(
            "the model refused: \"{}\"",
            text.chars().take(120).collect::<String>()
        ));
    }
    Ok(text)
}

/// `"```markdown\n...\n```"` -> `"..."`; anything else is returned as is.
fn unwrap_fence(text: &str) -> &str {
    let Some(rest) = text
        .strip_prefix("```")
        .or_else(|| text.strip_prefix("~~~"))
    else {
        return text;
    };
    let Some(first_newline) = rest.find('\n') else {
        return text;
    };
    let info = rest[..first_newline].trim();
    if !(info.is_empty() || ["markdown", "md"].contains(&info.to_lowercase().as_str())) {
        return text;
    }
    let body = &rest[first_newline + 1..];
    body.trim_end()
        .strip_suffix("```")
        .or_else(|| body.trim_end().strip_suffix("~~~"))
        .unwrap_or(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_are_unwrapped_and_plain_text_kept() {
        assert_eq!(
            check_answer("```markdown\n## A\n\nText\n```", None).unwrap(),
            "## A\n\nText"
        );
        assert_eq!(check_answer("```\nText\n```\n", None).unwrap(), "Text");
        assert_eq!(
            check_answer("Plain ```code``` text", None).unwrap(),
            "Plain ```code``` text"
        );
        assert_eq!(
            check_answer("```rust\nfn x() {}\n```", None).unwrap(),
            "```rust\nfn x() {}\n```"
        );
    }

    #[test]
    fn unusable_answers_are_rejected() {
        assert!(check_answer("  \n", None).is_err());
        assert!(check_answer("Text", Some(&Finish::Length)).is_err());
        assert!(check_answer("I'm sorry, but I can't write that.", None).is_err());
        assert!(check_answer("Text", Some(&Finish::Stop)).is_ok());
    }
}

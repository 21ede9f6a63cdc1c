//! Model boilerplate and leftovers: phrases a language model writes about
//! itself or to its user, placeholders it leaves, and template syntax that
//! was never expanded.

use super::text::normalize;
use crate::draft::clean::AI_PHRASES;

/// Grove's own list (lowercase, straight apostrophes), besides the refusals
/// drafting already rejects ([`AI_PHRASES`]). Each is specific enough not
/// to occur in an article a person wrote: "I cannot" alone would flag "I
/// cannot recommend it", so only the refusals that follow it are listed.
const PHRASES: &[&str] = &[
    "as an ai",
    "as a language model",
    "as a large language model",
    "i am an ai",
    "i'm an ai",
    "i cannot provide",
    "i cannot browse",
    "i cannot access",
    "i cannot verify",
    "i cannot assist",
    "i cannot help with",
    "i cannot create",
    "i cannot write",
    "i cannot generate",
    "i can't provide",
    "i can't browse",
    "i can't access",
    "i don't have access to real-time",
    "i do not have access to real-time",
    "my knowledge cutoff",
    "my training data",
    "as of my last knowledge update",
    "as of my last update",
    "as of my knowledge cutoff",
    "i hope this helps",
    "i hope this article helps",
    "feel free to ask",
    "let me know if you'd like",
    "let me know if you need",
    "certainly! here",
    "sure! here",
    "here is the article",
    "here's the article",
    "here is your article",
    "here is a draft",
    "here's a draft",
    "regenerate response",
    "[insert",
    "[your name",
    "[product name",
    "[link",
    "(insert ",
    "lorem ipsum",
    "{{",
    "}}",
    "{%",
    "%}",
];

/// Phrases to look for: Grove's lists and the configured `extra` ones,
/// lowercased, without repeats.
pub fn phrase_list(extra: &[String]) -> Vec<String> {
    let mut phrases: Vec<String> = AI_PHRASES
        .iter()
        .chain(PHRASES)
        .map(|p| normalize(p))
        .chain(extra.iter().map(|p| normalize(p.trim())))
        .filter(|p| !p.is_empty())
        .collect();
    phrases.sort();
    phrases.dedup();
    phrases
}

/// The phrases of `phrases` found in `normalized` text (see [`normalize`]),
/// in list order, leaving out those that are part of a longer one found
/// ("as an ai" within "as an ai language model"). A phrase that begins or
/// ends with a letter or digit must begin or end at a word boundary ("as
/// an ai" does not match "as an aide").
pub fn find<'a>(normalized: &str, phrases: &'a [String]) -> Vec<&'a str> {
    let found: Vec<&str> = phrases
        .iter()
        .filter(|phrase| contains_phrase(normalized, phrase))
        .map(String::as_str)
        .collect();
    found
        .iter()
        .filter(|short| {
            !found
                .iter()
                .any(|long| long.len() > short.len() && long.contains(*short))
        })
        .copied()
        .collect()
}

fn contains_phrase(text: &str, phrase: &str) -> bool {
    let word_char = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let starts_word = word_char(phrase.chars().next());
    let ends_word = word_char(phrase.chars().next_back());
    text.match_indices(phrase).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + phrase.len()..].chars().next();
        !(starts_word && word_char(before) || ends_word && word_char(after))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_match_whole_words_and_typographic_quotes() {
        let phrases = phrase_list(&["Best In Class".into(), " ".into()]);
        assert!(phrases.contains(&"best in class".to_string()));
        assert!(!phrases.iter().any(String::is_empty));
        let text = normalize("As an AI, I can’t browse the web. I hope this helps! Best in class.");
        let model = normalize("As an AI language model, I cannot help.");
        assert_eq!(find(&model, &phrases), ["as an ai language model"]);
        assert_eq!(
            find(&text, &phrases),
            [
                "as an ai",
                "best in class",
                "i can't browse",
                "i hope this helps"
            ]
        );
        assert!(find(&normalize("Ask as an aide would."), &phrases).is_empty());
        assert!(find(&normalize("I cannot recommend it enough."), &phrases).is_empty());
        assert_eq!(find("price: {{ price }}", &phrases), ["{{", "}}"]);
    }
}

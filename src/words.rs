//! Words of a text as comparisons need them: lowercased, stop words
//! dropped, each reduced to a rough stem, so "descaling", "descale" and
//! "descales" count as one word. Cheap and explainable, which is what
//! same-topic detection and niche-word checks need.

use std::collections::BTreeSet;

/// Words that say nothing of a topic.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "at", "best", "by", "do", "for", "from", "guide", "how", "in", "is",
    "it", "of", "on", "or", "the", "to", "vs", "what", "when", "which", "why", "with", "you",
    "your",
];

/// Lowercased words of a title without stop words, each reduced to a
/// rough stem ("descaling", "descale" and "descales" all give "descal").
pub fn significant_words(title: &str) -> BTreeSet<String> {
    title
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| !w.is_empty() && !STOP_WORDS.contains(&w.as_str()))
        .map(|w| stem(&w))
        .collect()
}

/// A rough stem of a lowercased word: `ing`, `ed`, `es`, `s`, then a
/// final `e` taken off while three letters stay.
pub fn stem(word: &str) -> String {
    let mut stem = word;
    for suffix in ["ing", "ed", "es", "s"] {
        if let Some(rest) = stem.strip_suffix(suffix)
            && rest.chars().count() >= 3
        {
            stem = rest;
            break;
        }
    }
    stem.strip_suffix('e')
        .filter(|rest| rest.chars().count() >= 3)
        .unwrap_or(stem)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_of_a_word_share_a_stem() {
        for forms in [
            ["descaling", "descale", "descales"],
            ["grinders", "grinder", "grinder"],
        ] {
            let stems: BTreeSet<String> = forms.iter().map(|w| stem(w)).collect();
            assert_eq!(stems.len(), 1, "{forms:?} -> {stems:?}");
        }
        assert_eq!(
            significant_words("The Best Grinder for Espresso"),
            ["espresso", "grinder"]
                .map(String::from)
                .into_iter()
                .collect()
        );
    }
}

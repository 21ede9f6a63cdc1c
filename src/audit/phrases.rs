//! Model boilerplate and leftovers: phrases a language model writes about
//! itself or to its user, placeholders it leaves, and template syntax that
//! was never expanded.

use aho_corasick::AhoCorasick;

use super::text::normalize;
use crate::model::answer::AI_PHRASES;

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

/// The phrases to look for, all in one automaton: Grove's lists and the
/// configured ones, matched ignoring ASCII case, with typographic
/// apostrophes (as smart punctuation writes them) matching straight ones.
pub struct Phrases {
    /// Each phrase as written in lists (lowercase, straight apostrophes).
    phrases: Vec<String>,
    /// Patterns: each phrase, and its typographic-apostrophe spelling.
    matcher: AhoCorasick,
    /// Pattern index -> phrase index.
    phrase_of: Vec<usize>,
}

impl Phrases {
    /// Grove's phrases and `extra` ones from `[quality] phrases`.
    pub fn new(extra: &[String]) -> Phrases {
        let mut phrases: Vec<String> = AI_PHRASES
            .iter()
            .chain(PHRASES)
            .map(|p| normalize(p))
            .chain(extra.iter().map(|p| normalize(p.trim())))
            .filter(|p| !p.is_empty())
            .collect();
        phrases.sort();
        phrases.dedup();
        let mut patterns = Vec::new();
        let mut phrase_of = Vec::new();
        for (index, phrase) in phrases.iter().enumerate() {
            patterns.push(phrase.clone());
            phrase_of.push(index);
            if phrase.contains('\'') {
                patterns.push(phrase.replace('\'', "\u{2019}"));
                phrase_of.push(index);
            }
        }
        let matcher = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&patterns)
            .expect("phrases are plain strings");
        Phrases {
            phrases,
            matcher,
            phrase_of,
        }
    }

    /// The phrases found in `text`, in list order, leaving out those that
    /// are part of a longer one found ("as an ai" within "as an ai
    /// language model"). A phrase that begins or ends with a letter or
    /// digit must begin or end at a word boundary there ("as an ai" does
    /// not match "as an aide").
    pub fn find(&self, text: &str) -> Vec<&str> {
        let mut found = vec![false; self.phrases.len()];
        let word_char = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        for hit in self.matcher.find_overlapping_iter(text) {
            let phrase = &self.phrases[self.phrase_of[hit.pattern().as_usize()]];
            let before = text[..hit.start()].chars().next_back();
            let after = text[hit.end()..].chars().next();
            let bounded_start = !word_char(phrase.chars().next()) || !word_char(before);
            let bounded_end = !word_char(phrase.chars().next_back()) || !word_char(after);
            if bounded_start && bounded_end {
                found[self.phrase_of[hit.pattern().as_usize()]] = true;
            }
        }
        let found: Vec<&str> = self
            .phrases
            .iter()
            .zip(found)
            .filter(|(_, found)| *found)
            .map(|(phrase, _)| phrase.as_str())
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_match_whole_words_and_typographic_quotes() {
        let phrases = Phrases::new(&["Best In Class".into(), " ".into()]);
        assert!(phrases.phrases.contains(&"best in class".to_string()));
        assert!(!phrases.phrases.iter().any(String::is_empty));
        let text = "As an AI, I can’t browse the web. I hope this helps! BEST in class.";
        assert_eq!(
            phrases.find(text),
            [
                "as an ai",
                "best in class",
                "i can't browse",
                "i hope this helps"
            ]
        );
        let model = "As an AI language model, I cannot help.";
        assert_eq!(phrases.find(model), ["as an ai language model"]);
        assert!(phrases.find("Ask as an aide would.").is_empty());
        assert!(phrases.find("I cannot recommend it enough.").is_empty());
        assert_eq!(phrases.find("price: {{ price }}"), ["{{", "}}"]);
    }
}

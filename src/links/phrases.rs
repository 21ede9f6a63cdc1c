//! The phrases that name a page, for finding where other pages mention
//! it: its title's core (before a colon or dash, leading "the", "a",
//! numbers and "best" dropped), the title itself, its `extra.keywords`
//! and the search queries it is found for. A phrase has two words or more
//! (one word matches too much), unless the title is that one word.

/// Words a title's core does not start with.
const LEADING: &[&str] = &["the", "a", "an", "best", "our", "my", "your", "top"];

/// The phrases of a page, lowercase, longest first, without repeats.
pub fn target_phrases(title: &str, keywords: &[String], queries: &[String]) -> Vec<String> {
    let mut phrases: Vec<String> = Vec::new();
    // A page titled with one word ("Tamping") is about that word.
    let single = title.split_whitespace().count() == 1
        && title.trim().chars().filter(|c| c.is_alphanumeric()).count() >= 4;
    if single {
        phrases.push(
            title
                .trim()
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase(),
        );
    }
    let mut add = |phrase: &str| {
        let phrase = phrase
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        let words = phrase.split_whitespace().count();
        if (2..=8).contains(&words) && phrase.len() >= 6 && !phrases.contains(&phrase) {
            phrases.push(phrase);
        }
    };
    add(title);
    add(&core(title));
    for keyword in keywords {
        add(keyword);
    }
    for query in queries {
        // Operators and quoted searches are not prose.
        if !query.contains([':', '"', '+']) {
            add(query);
        }
    }
    phrases.sort_by_key(|p| std::cmp::Reverse(p.len()));
    phrases
}

/// A title's core: before `:`, ` - `, ` – `, ` | ` or `?`, without
/// leading articles, numbers and "best".
fn core(title: &str) -> String {
    let head = title
        .split([':', '|', '?', '(', '—', '–'])
        .next()
        .unwrap_or(title);
    let head = head.split(" - ").next().unwrap_or(head);
    let words: Vec<&str> = head.split_whitespace().collect();
    let skip = words
        .iter()
        .take_while(|w| {
            let lower = w.to_lowercase();
            LEADING.contains(&lower.as_str()) || lower.chars().all(|c| c.is_ascii_digit())
        })
        .count();
    words[skip..].join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_keywords_and_queries_become_phrases() {
        assert_eq!(
            core("The 7 Best Espresso Grinders: Tested"),
            "Espresso Grinders"
        );
        assert_eq!(
            core("Dialing in espresso: a beginner's method"),
            "Dialing in espresso"
        );
        let phrases = target_phrases(
            "Choosing a grinder",
            &["burr grinder".into(), "grinder".into()],
            &[
                "site:example.com".into(),
                "best burr grinder for espresso".into(),
            ],
        );
        assert_eq!(
            phrases,
            [
                "best burr grinder for espresso",
                "choosing a grinder",
                "burr grinder"
            ]
        );
    }
}

//! The checks that look at one page at a time (model phrases, looping
//! sentences, thin text) and at one site's titles and descriptions.

use std::collections::HashMap;
use std::path::Path;

use super::finding::{Code, Finding, PageRef};
use super::phrases::Phrases;
use super::similarity::word_hash;
use super::text::{for_each_word, line_of, normalize, sentences};
use crate::network::QualitySettings;

/// A sentence this often in one page is a looping model.
const REPEATS: usize = 3;
/// Sentences shorter than this (in words) may repeat on purpose ("Check
/// the price.").
const REPEATED_SENTENCE_WORDS: usize = 5;
/// Search results show about 60 characters of a title; past this many
/// it is cut off.
const TITLE_MAX_CHARS: usize = 70;
/// Descriptions shorter than this say too little to be shown as written.
const DESCRIPTION_MIN_CHARS: usize = 50;
/// Search results show about 160 characters of a description.
const DESCRIPTION_MAX_CHARS: usize = 200;

/// One page's text as the per-page checks need it.
pub struct PageText<'a> {
    /// The page.
    pub page: &'a PageRef,
    /// Its content file (for line numbers).
    pub source: &'a Path,
    /// Its own text without code.
    pub prose: &'a str,
}

/// Model phrases and looping sentences in `text`, with lines.
pub fn phrase_findings(text: &PageText<'_>, phrases: &Phrases) -> Vec<Finding> {
    let found = phrases.find(text.prose);
    let repeated = repeated_sentences(text.prose);
    if found.is_empty() && repeated.is_empty() {
        return Vec::new();
    }
    let source = std::fs::read_to_string(text.source).unwrap_or_default();
    let mut findings = Vec::new();
    for phrase in found {
        findings.push(
            Finding::new(
                Code::AiPhrase,
                text.page,
                format!(
                    "contains \"{phrase}\": model boilerplate or a leftover placeholder; edit it out"
                ),
            )
            .at_line(line_of(&source, &[phrase])),
        );
    }
    for (sentence, count) in repeated {
        let prefix = |chars: usize| {
            sentence
                .char_indices()
                .nth(chars)
                .map_or(sentence, |(at, _)| &sentence[..at])
        };
        findings.push(
            Finding::new(
                Code::RepeatedSentence,
                text.page,
                format!(
                    "\"{}\" appears {count} times: a model looping? Rewrite the repeats",
                    prefix(80)
                ),
            )
            .at_line(line_of(&source, &[sentence, prefix(40), prefix(20)]))
            .measured(count as f64, Some(REPEATS as f64 - 1.0)),
        );
    }
    findings
}

/// Sentences of at least [`REPEATED_SENTENCE_WORDS`] words found
/// [`REPEATS`] or more times (compared by their words), with their counts,
/// in order of first appearance.
fn repeated_sentences(text: &str) -> Vec<(&str, usize)> {
    // Sentence (by the hash of its words) -> first index, count, text.
    let mut counts: HashMap<u64, (usize, usize, &str)> = HashMap::new();
    for (index, sentence) in sentences(text).into_iter().enumerate() {
        let mut key = 0u64;
        let words = for_each_word(sentence, |word| {
            key = key.rotate_left(5) ^ word_hash(word);
        });
        if words >= REPEATED_SENTENCE_WORDS {
            counts.entry(key).or_insert((index, 0, sentence)).1 += 1;
        }
    }
    let mut repeated: Vec<(usize, &str, usize)> = counts
        .into_values()
        .filter(|(_, count, _)| *count >= REPEATS)
        .map(|(first, count, sentence)| (first, sentence, count))
        .collect();
    repeated.sort_unstable();
    repeated
        .into_iter()
        .map(|(_, sentence, count)| (sentence, count))
        .collect()
}

/// Too few words, or too many affiliate links for the words there are.
pub fn thin_findings(
    page: &PageRef,
    words: usize,
    affiliate_links: usize,
    settings: &QualitySettings,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    if words < settings.min_words {
        findings.push(
            Finding::new(
                Code::Thin,
                page,
                format!(
                    "{words} words of its own ([quality] min_words = {}): expand it, merge it into another page, or leave it unpublished",
                    settings.min_words
                ),
            )
            .measured(words as f64, Some(settings.min_words as f64)),
        );
    }
    let per_100 = affiliate_links as f64 * 100.0 / words.max(1) as f64;
    if affiliate_links > 0 && per_100 > settings.max_affiliate_links_per_100_words {
        findings.push(
            Finding::new(
                Code::Thin,
                page,
                format!(
                    "{affiliate_links} affiliate links in {words} words, {per_100:.1} per 100 ([quality] max_affiliate_links_per_100_words = {}): more links than text",
                    settings.max_affiliate_links_per_100_words
                ),
            )
            .measured(per_100, Some(settings.max_affiliate_links_per_100_words)),
        );
    }
    findings
}

/// What the site checks need of a page.
pub struct Listing<'a> {
    /// The page.
    pub page: &'a PageRef,
    /// Its title.
    pub title: &'a str,
    /// Its description, if it has one.
    pub description: Option<&'a str>,
}

/// Titles and descriptions of one site's pages: shared by two pages, or
/// far from what search results show.
pub fn listing_findings(pages: &[Listing<'_>]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for listing in pages {
        findings.extend(length_findings(listing));
    }
    findings.extend(duplicates(pages, Code::DuplicateTitle, |l| Some(l.title)));
    findings.extend(duplicates(pages, Code::DuplicateDescription, |l| {
        l.description
    }));
    findings
}

fn length_findings(listing: &Listing<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let title = listing.title.trim().chars().count();
    if title == 0 {
        findings.push(Finding::new(
            Code::TitleLength,
            listing.page,
            "no title: search results will make one up; set title in the front matter".into(),
        ));
    } else if title > TITLE_MAX_CHARS {
        findings.push(
            Finding::new(
                Code::TitleLength,
                listing.page,
                format!("title of {title} characters: search results show about 60; shorten it"),
            )
            .measured(title as f64, Some(TITLE_MAX_CHARS as f64)),
        );
    }
    let description = listing.description.map_or(0, |d| d.trim().chars().count());
    let message = if description == 0 {
        Some("no description: search results will quote the page instead; set description in the front matter".to_string())
    } else if description < DESCRIPTION_MIN_CHARS {
        Some(format!(
            "description of {description} characters: say what the page offers in {DESCRIPTION_MIN_CHARS} to 160"
        ))
    } else if description > DESCRIPTION_MAX_CHARS {
        Some(format!(
            "description of {description} characters: search results show about 160; shorten it"
        ))
    } else {
        None
    };
    if let Some(message) = message {
        let limit = if description > DESCRIPTION_MAX_CHARS {
            DESCRIPTION_MAX_CHARS
        } else {
            DESCRIPTION_MIN_CHARS
        };
        findings.push(
            Finding::new(Code::DescriptionLength, listing.page, message)
                .measured(description as f64, Some(limit as f64)),
        );
    }
    findings
}

/// A finding for each page whose `field` another page of the site shares,
/// naming the first such other page.
fn duplicates<'a>(
    pages: &[Listing<'a>],
    code: Code,
    field: impl Fn(&Listing<'a>) -> Option<&'a str>,
) -> Vec<Finding> {
    let mut groups: HashMap<String, Vec<&Listing<'a>>> = HashMap::new();
    for listing in pages {
        if let Some(value) = field(listing).map(|v| normalize(v.trim()))
            && !value.is_empty()
        {
            groups.entry(value).or_default().push(listing);
        }
    }
    let what = if code == Code::DuplicateTitle {
        "title"
    } else {
        "description"
    };
    let mut findings = Vec::new();
    for group in groups.values().filter(|g| g.len() > 1) {
        let mut group = group.clone();
        group.sort_by(|a, b| a.page.cmp(b.page));
        for (index, listing) in group.iter().enumerate() {
            let other = group[if index == 0 { 1 } else { 0 }];
            let more = if group.len() > 2 {
                format!(" and {} other pages", group.len() - 2)
            } else {
                String::new()
            };
            findings.push(
                Finding::new(
                    code,
                    listing.page,
                    format!(
                        "same {what} as {}{more}: search results cannot tell them apart",
                        other.page.file
                    ),
                )
                .paired_with(other.page),
            );
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(file: &str) -> PageRef {
        PageRef {
            site: "s".into(),
            file: file.into(),
        }
    }

    #[test]
    fn looping_sentences_are_counted_by_their_words() {
        let text = "Grind finer for a slower shot. Yes. Yes. Yes. grind FINER, for a slower shot!\nGrind finer for a slower shot.";
        assert_eq!(
            repeated_sentences(text),
            [("Grind finer for a slower shot.", 3)]
        );
        assert!(repeated_sentences("One two three four five. One two three four five.").is_empty());
    }

    #[test]
    fn thin_pages_and_link_heavy_pages() {
        let settings = QualitySettings::default();
        let a = page("a.md");
        let found = thin_findings(&a, 120, 6, &settings);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].value, Some(120.0));
        assert_eq!(found[1].value, Some(5.0));
        assert!(thin_findings(&a, 600, 18, &settings).is_empty());
        assert_eq!(thin_findings(&a, 600, 19, &settings).len(), 1);
    }

    #[test]
    fn shared_titles_and_odd_lengths() {
        let (a, b, c) = (page("a.md"), page("b.md"), page("c.md"));
        let description = "A description long enough to be shown as it is written.";
        let long = "x".repeat(71);
        let pages = [
            Listing {
                page: &a,
                title: "Grinders",
                description: Some(description),
            },
            Listing {
                page: &b,
                title: "grinders ",
                description: Some("Short."),
            },
            Listing {
                page: &c,
                title: &long,
                description: None,
            },
        ];
        let mut found: Vec<(String, Code)> = listing_findings(&pages)
            .into_iter()
            .map(|f| (f.file, f.code))
            .collect();
        found.sort();
        assert_eq!(
            found,
            [
                ("a.md".into(), Code::DuplicateTitle),
                ("b.md".into(), Code::DuplicateTitle),
                ("b.md".into(), Code::DescriptionLength),
                ("c.md".into(), Code::TitleLength),
                ("c.md".into(), Code::DescriptionLength),
            ]
        );
    }
}

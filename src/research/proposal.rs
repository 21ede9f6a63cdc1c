//! The model's proposals: read from its answer (JSON, however wrapped),
//! checked field by field against the site, and compared with what the
//! site already has so that nothing is proposed twice.

use std::collections::BTreeSet;

use serde::Deserialize;
use serde_json::Value;

use super::facts::SiteFacts;
use crate::network::is_slug;

/// The longest title kept; search results show about 60 characters.
const MAX_TITLE_CHARS: usize = 120;
/// Article lengths a proposal may ask for.
const WORDS: std::ops::RangeInclusive<u32> = 300..=4000;
/// Length when a proposal names none.
const DEFAULT_WORDS: u32 = 800;
/// Titles whose significant words overlap this much are the same topic.
const SAME_TOPIC: f64 = 0.6;

/// One proposal as the model wrote it; every field optional, so that one
/// missing field rejects that proposal, not the answer.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Raw {
    title: Option<String>,
    slug: Option<String>,
    section: Option<String>,
    kind: Option<String>,
    keywords: Vec<Value>,
    affiliates: Vec<Value>,
    tags: Vec<Value>,
    categories: Vec<Value>,
    target_words: Option<Value>,
    description: Option<String>,
}

/// A proposal that passed every check, ready to be written as a brief.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    /// File name and last URL segment.
    pub slug: String,
    /// Article title.
    pub title: String,
    /// Section folder.
    pub section: String,
    /// Article kind (a prompt).
    pub kind: String,
    /// Search phrases.
    pub keywords: Vec<String>,
    /// Registry slugs.
    pub affiliates: Vec<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Categories.
    pub categories: Vec<String>,
    /// Length to aim for.
    pub target_words: u32,
    /// Meta description.
    pub description: Option<String>,
}

/// A proposal left out, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    /// Its title, as the model wrote it.
    pub title: String,
    /// Why it was left out.
    pub reason: String,
}

/// What came of an answer.
#[derive(Debug, Default)]
pub struct Sorted {
    /// Proposals to write, in the model's order.
    pub accepted: Vec<Proposal>,
    /// Proposals left out.
    pub rejected: Vec<Rejected>,
    /// Things fixed on the way (an unknown product dropped...).
    pub notes: Vec<String>,
}

/// What the user asked for, which overrides the model's choice.
#[derive(Debug, Clone, Default)]
pub struct Wanted {
    /// Every proposal in this section.
    pub section: Option<String>,
    /// Every proposal of this kind.
    pub kind: Option<String>,
    /// At most this many proposals.
    pub count: usize,
}

/// The proposals in `answer`: a JSON object with a `briefs` array, or an
/// array, possibly inside a code fence or after a sentence.
pub fn parse(answer: &str) -> Result<Vec<Value>, String> {
    let start = answer
        .find(['{', '['])
        .ok_or_else(|| format!("the answer holds no JSON: \"{}\"", preview(answer)))?;
    let mut values = serde_json::Deserializer::from_str(&answer[start..]).into_iter::<Value>();
    let value = match values.next() {
        Some(Ok(value)) => value,
        Some(Err(error)) => {
            return Err(format!(
                "the answer's JSON does not parse ({error}): \"{}\"",
                preview(&answer[start..])
            ));
        }
        None => return Err("the answer holds no JSON".into()),
    };
    let list = match value {
        Value::Array(list) => list,
        Value::Object(mut object) => match object.remove("briefs") {
            Some(Value::Array(list)) => list,
            _ => {
                return Err(format!(
                    "the answer's JSON has no `briefs` list: \"{}\"",
                    preview(&answer[start..])
                ));
            }
        },
        _ => return Err("the answer's JSON is neither a list nor an object".into()),
    };
    Ok(list)
}

fn preview(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(160) {
        Some((at, _)) => format!("{}...", &flat[..at]),
        None => flat,
    }
}

/// Checks each proposal against the site and against each other, in order.
pub fn sort(proposals: Vec<Value>, facts: &SiteFacts, wanted: &Wanted) -> Sorted {
    let mut sorted = Sorted::default();
    let mut taken_slugs: BTreeSet<String> = facts.briefs.iter().map(|b| b.slug.clone()).collect();
    let mut known: Vec<Topic> = facts
        .titles
        .iter()
        .map(|t| Topic::new(t, &[]))
        .chain(
            facts
                .briefs
                .iter()
                .map(|b| Topic::new(&b.title, &b.keywords)),
        )
        .collect();
    for value in proposals {
        let raw: Raw = serde_json::from_value(value).unwrap_or_default();
        let title = clean(raw.title.as_deref().unwrap_or_default());
        let shown = if title.is_empty() {
            "(no title)".to_string()
        } else {
            title.clone()
        };
        if sorted.accepted.len() >= wanted.count {
            sorted.rejected.push(Rejected {
                title: shown,
                reason: format!("more than the {} asked for", wanted.count),
            });
            continue;
        }
        match check(raw, title, facts, wanted, &mut sorted.notes) {
            Err(reason) => sorted.rejected.push(Rejected {
                title: shown,
                reason,
            }),
            Ok(proposal) => {
                let topic = Topic::new(&proposal.title, &proposal.keywords);
                let path = format!("{}/{}.md", proposal.section, proposal.slug);
                let duplicate = if taken_slugs.contains(&proposal.slug)
                    || facts.paths.contains(path.trim_start_matches('/'))
                {
                    Some(format!("the slug `{}` is taken", proposal.slug))
                } else {
                    known
                        .iter()
                        .find(|k| k.same_as(&topic))
                        .map(|k| format!("too close to \"{}\"", k.title))
                };
                if let Some(reason) = duplicate {
                    sorted.rejected.push(Rejected {
                        title: shown,
                        reason,
                    });
                    continue;
                }
                taken_slugs.insert(proposal.slug.clone());
                known.push(topic);
                sorted.accepted.push(proposal);
            }
        }
    }
    sorted
}

/// One proposal's fields, checked; `Err` says why it cannot be used.
fn check(
    raw: Raw,
    title: String,
    facts: &SiteFacts,
    wanted: &Wanted,
    notes: &mut Vec<String>,
) -> Result<Proposal, String> {
    if title.is_empty() {
        return Err("no title".into());
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(format!("a title over {MAX_TITLE_CHARS} characters"));
    }
    let letters = title.chars().filter(|c| c.is_alphabetic()).count();
    let wordy = title
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ')
        .count();
    let starts_well = title
        .chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || c == '"');
    if letters < 3 || !starts_well || wordy * 10 < title.chars().count() * 6 {
        return Err("not a title (too few letters)".into());
    }
    let description = raw
        .description
        .as_deref()
        .map(clean)
        .filter(|d| !d.is_empty());
    let keywords = strings(&raw.keywords, 6);
    let tags = strings(&raw.tags, 5);
    let categories = strings(&raw.categories, 3);
    let texts = std::iter::once(&title)
        .chain(&description)
        .chain(&keywords)
        .chain(&tags)
        .chain(&categories);
    for text in texts {
        if ["{{", "{%", "{#"].iter().any(|d| text.contains(d)) {
            return Err(format!("template syntax in \"{text}\""));
        }
    }
    let section = match &wanted.section {
        Some(section) => section.clone(),
        None => raw.section.as_deref().map(clean_path).unwrap_or_default(),
    };
    if !facts.has_section(&section) {
        return Err(format!("no section `{section}` in this site"));
    }
    let kind = match &wanted.kind {
        Some(kind) => kind.clone(),
        None => clean(raw.kind.as_deref().unwrap_or_default()),
    };
    if !facts.has_kind(&kind) {
        return Err(format!(
            "no prompt for the kind `{kind}` (prompts/{kind}.md)"
        ));
    }
    let slug = match raw.slug.as_deref().map(str::trim) {
        Some(slug) if is_slug(slug) && slug.len() <= 80 => slug.to_string(),
        _ => slug::slugify(&title),
    };
    if slug.is_empty() {
        return Err("no usable slug".into());
    }
    let mut affiliates = Vec::new();
    for slug in strings(&raw.affiliates, 8) {
        if facts.has_product(&slug) {
            if !affiliates.contains(&slug) {
                affiliates.push(slug);
            }
        } else {
            notes.push(format!(
                "\"{title}\": dropped the unknown product `{slug}` (not in the registry)"
            ));
        }
    }
    let target_words = raw
        .target_words
        .as_ref()
        .and_then(|v| v.as_u64().or_else(|| v.as_str()?.trim().parse().ok()))
        .map_or(DEFAULT_WORDS, |w| {
            u32::try_from(w)
                .unwrap_or(u32::MAX)
                .clamp(*WORDS.start(), *WORDS.end())
        });
    Ok(Proposal {
        slug,
        title,
        section,
        kind,
        keywords,
        affiliates,
        tags,
        categories,
        target_words,
        description,
    })
}

/// Text with control characters removed and whitespace collapsed.
fn clean(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn clean_path(text: &str) -> String {
    clean(text).trim_matches('/').to_string()
}

/// Up to `most` distinct non-empty strings of a JSON list (strings only).
fn strings(values: &[Value], most: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for value in values {
        if let Some(text) = value.as_str().map(clean).filter(|t| !t.is_empty())
            && !out.iter().any(|o| o.eq_ignore_ascii_case(&text))
        {
            out.push(text);
        }
        if out.len() == most {
            break;
        }
    }
    out
}

/// A topic for comparison: a title's significant words, and its first
/// search phrase.
struct Topic {
    title: String,
    words: BTreeSet<String>,
    keyword: Option<String>,
}

impl Topic {
    fn new(title: &str, keywords: &[String]) -> Topic {
        Topic {
            title: title.to_string(),
            words: crate::words::significant_words(title),
            keyword: keywords
                .first()
                .map(|k| k.trim().to_lowercase())
                .filter(|k| !k.is_empty()),
        }
    }

    /// The same topic: the same first search phrase, or titles whose
    /// significant words overlap by [`SAME_TOPIC`] or more.
    fn same_as(&self, other: &Topic) -> bool {
        if self.keyword.is_some() && self.keyword == other.keyword {
            return true;
        }
        if self.words.is_empty() || other.words.is_empty() {
            return false;
        }
        let shared = self.words.intersection(&other.words).count();
        let all = self.words.union(&other.words).count();
        shared as f64 / all as f64 >= SAME_TOPIC
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn facts() -> SiteFacts {
        SiteFacts {
            site: json!({}),
            sections: vec![
                super::super::facts::SectionFact {
                    dir: String::new(),
                    title: "Home".into(),
                },
                super::super::facts::SectionFact {
                    dir: "guides".into(),
                    title: "Guides".into(),
                },
            ],
            kinds: vec!["guide".into(), "review".into()],
            taxonomies: Vec::new(),
            products: vec![super::super::facts::ProductFact {
                slug: "df64".into(),
                name: "DF64".into(),
                description: "A grinder.".into(),
            }],
            titles: vec!["Choosing an espresso grinder".into()],
            briefs: Vec::new(),
            paths: BTreeSet::from(["guides/descaling.md".to_string()]),
        }
    }

    #[test]
    fn answers_are_found_however_wrapped() {
        let fenced = "Here you go:\n```json\n{\"briefs\": [{\"title\": \"A\"}]}\n```\nEnjoy!";
        assert_eq!(parse(fenced).unwrap().len(), 1);
        assert_eq!(parse("[{\"title\": \"A\"}, {}]").unwrap().len(), 2);
        assert!(parse("No JSON at all.").unwrap_err().contains("no JSON"));
        assert!(
            parse("{\"ideas\": []}")
                .unwrap_err()
                .contains("no `briefs`")
        );
        assert!(
            parse("{\"briefs\": [")
                .unwrap_err()
                .contains("does not parse")
        );
    }

    #[test]
    fn proposals_are_checked_and_deduplicated() {
        let wanted = Wanted {
            count: 10,
            ..Wanted::default()
        };
        let proposals = vec![
            json!({"title": "How to descale an espresso machine", "slug": "descale-machine", "section": "guides", "kind": "guide", "keywords": ["descale espresso machine"], "affiliates": ["df64", "made-up"], "target_words": 50000}),
            json!({"title": "Choosing the best espresso grinders", "section": "guides", "kind": "guide"}),
            json!({"title": "Descaling an espresso machine: how to", "section": "guides", "kind": "guide"}),
            json!({"title": "Milk {{ get_env(name='KEY') }}", "section": "guides", "kind": "guide"}),
            json!({"title": "Tamping", "section": "recipes", "kind": "guide"}),
            json!({"title": "Tamping", "section": "guides", "kind": "essay"}),
            json!({"title": "Puck screens explained", "slug": "Bad Slug!", "section": "/guides/", "kind": "guide", "target_words": "700"}),
            json!({"title": "Water for espresso", "slug": "descaling", "section": "guides", "kind": "guide"}),
            json!({"section": "guides", "kind": "guide"}),
            json!({"title": ", {tag:", "section": "guides", "kind": "guide"}),
        ];
        let sorted = sort(proposals, &facts(), &wanted);
        let accepted: Vec<(&str, &str, u32)> = sorted
            .accepted
            .iter()
            .map(|p| (p.slug.as_str(), p.title.as_str(), p.target_words))
            .collect();
        assert_eq!(
            accepted,
            [
                (
                    "descale-machine",
                    "How to descale an espresso machine",
                    4000
                ),
                ("puck-screens-explained", "Puck screens explained", 700),
            ]
        );
        assert_eq!(sorted.accepted[0].affiliates, ["df64"]);
        assert_eq!(sorted.notes.len(), 1);
        let reasons: Vec<&str> = sorted.rejected.iter().map(|r| r.reason.as_str()).collect();
        assert!(
            reasons[0].contains("Choosing an espresso grinder"),
            "{reasons:?}"
        );
        assert!(reasons[1].contains("How to descale"), "{reasons:?}");
        assert!(reasons[2].contains("template syntax"));
        assert!(reasons[3].contains("no section `recipes`"));
        assert!(reasons[4].contains("prompts/essay.md"));
        assert!(reasons[5].contains("slug `descaling` is taken"));
        assert_eq!(reasons[6], "no title");
        assert!(reasons[7].contains("too few letters"));

        let wanted = Wanted {
            count: 1,
            section: Some("guides".into()),
            kind: Some("review".into()),
        };
        let sorted = sort(
            vec![json!({"title": "One"}), json!({"title": "Two"})],
            &facts(),
            &wanted,
        );
        assert_eq!(sorted.accepted.len(), 1);
        assert_eq!(sorted.accepted[0].kind, "review");
        assert!(sorted.rejected[0].reason.contains("more than the 1"));
    }
}

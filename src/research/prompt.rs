//! The research request: `prompts/research.md` (or Grove's own prompt)
//! rendered with the site's facts, and the JSON Schema the answer should
//! follow.

use serde_json::{Value, json};
use tera::Context;

use super::facts::{RESEARCH_PROMPT, SiteFacts};
use super::proposal::Wanted;
use crate::draft::prompt::{PROMPTS_DIR, PromptFile};
use crate::error::Result;
use crate::model::message::Message;
use crate::network::Network;

/// Grove's research prompt, used when the network has no
/// `prompts/research.md` (which `grove new` writes, to be edited).
pub const DEFAULT_PROMPT: &str = include_str!("research_prompt.md");

/// Titles of existing pages and briefs shown to the model at most (the
/// most recent last); every one is still checked against proposals.
const MAX_TITLES_SHOWN: usize = 400;

/// The research prompt of `network`.
pub fn prompt_file(network: &Network) -> Result<PromptFile> {
    let path = own_prompt(network);
    let text = template_text(network)?;
    if path.is_file() {
        PromptFile::parse(path, &text)
    } else {
        PromptFile::parse("(Grove's research prompt)".into(), &text)
    }
}

/// The text of the research prompt in effect: the network's own, else
/// Grove's.
pub fn template_text(network: &Network) -> Result<String> {
    let path = own_prompt(network);
    if path.is_file() {
        std::fs::read_to_string(&path)
            .map_err(|source| crate::Error::io(&path, "cannot read file", source))
    } else {
        Ok(DEFAULT_PROMPT.to_string())
    }
}

fn own_prompt(network: &Network) -> std::path::PathBuf {
    network
        .root
        .join(PROMPTS_DIR)
        .join(format!("{RESEARCH_PROMPT}.md"))
}

/// The messages asking for `wanted.count` briefs for the site of `facts`.
pub fn messages(prompt: &PromptFile, facts: &SiteFacts, wanted: &Wanted) -> Result<Vec<Message>> {
    let mut context = Context::new();
    context.insert("site", &facts.site);
    context.insert("sections", &facts.sections);
    context.insert("kinds", &facts.kinds);
    context.insert("taxonomies", &facts.taxonomies);
    context.insert("affiliates", &facts.products);
    let shown = facts.titles.len().saturating_sub(MAX_TITLES_SHOWN);
    context.insert("existing", &facts.titles[shown..]);
    context.insert("count", &wanted.count);
    context.insert("section", &wanted.section);
    context.insert("kind", &wanted.kind);
    Ok(vec![
        Message::new("system", prompt.render("system", &context)?),
        Message::new("user", prompt.render("user", &context)?),
    ])
}

/// The `response_format` asking OpenAI-compatible servers for a JSON
/// object of briefs whose sections, kinds and products are the site's.
pub fn response_format(facts: &SiteFacts, wanted: &Wanted) -> Value {
    let one_of = |values: Vec<&str>| json!({ "type": "string", "enum": values });
    let section = match &wanted.section {
        Some(section) => one_of(vec![section]),
        None => one_of(facts.sections.iter().map(|s| s.dir.as_str()).collect()),
    };
    let kind = match &wanted.kind {
        Some(kind) => one_of(vec![kind]),
        None => one_of(facts.kinds.iter().map(String::as_str).collect()),
    };
    let products = if facts.products.is_empty() {
        json!({ "type": "array", "maxItems": 0 })
    } else {
        json!({
            "type": "array",
            "maxItems": 4,
            "items": one_of(facts.products.iter().map(|p| p.slug.as_str()).collect()),
        })
    };
    // Lengths are bounded too, so that a server enforcing the schema (as
    // llama.cpp does, with a grammar) cannot let a small model ramble on.
    let phrases = |most: usize| {
        json!({
            "type": "array",
            "maxItems": most,
            "items": { "type": "string", "maxLength": 60 },
        })
    };
    let mut properties = json!({
        "title": { "type": "string", "maxLength": 90 },
        "slug": { "type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 80 },
        "section": section,
        "kind": kind,
        "keywords": phrases(4),
        "affiliates": products,
        "target_words": { "type": "integer" },
        "description": { "type": "string", "maxLength": 200 },
    });
    let mut required = vec![
        "title",
        "slug",
        "section",
        "kind",
        "keywords",
        "affiliates",
        "target_words",
        "description",
    ];
    for taxonomy in &facts.taxonomies {
        if let name @ ("tags" | "categories") = taxonomy.name.as_str() {
            properties[name] = phrases(if name == "tags" { 4 } else { 2 });
            required.push(name);
        }
    }
    json!({
        "type": "json_schema",
        "json_schema": {
            "name": "briefs",
            "schema": {
                "type": "object",
                "properties": {
                    "briefs": {
                        "type": "array",
                        "maxItems": wanted.count,
                        "items": {
                            "type": "object",
                            "properties": properties,
                            "required": required,
                        },
                    },
                },
                "required": ["briefs"],
            },
        },
    })
}

//! Drafting the jobs of a plan: each job's outline and article asked of
//! the model through the [`Runner`], the article written the moment it
//! arrives, unless a person created or edited its file meanwhile.

use std::sync::Arc;

use serde::Serialize;

use super::manifest::{Manifest, Ownership};
use super::plan::Job;
use crate::content::sanitize::sanitize_markdown;
use crate::content::{escape_front_matter, escape_template_syntax};
use crate::model::cache::{Answer, sha256};
use crate::model::message::Message;
use crate::model::runner::{NotAnswered, Runner};
use crate::network::{LlmConfig, Provider};
use crate::output::write_atomic;

/// How a job ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The article was written.
    Written {
        /// Real HTTP calls made (0 when every step came from the cache).
        calls: u32,
    },
    /// The file appeared or was edited while the run went on; it was kept.
    Kept(String),
    /// The job failed; nothing was written.
    Failed(String),
    /// The job was not started (budget reached, or interrupted).
    NotStarted(String),
    /// A step of the job waits in a batch (sent, or to be sent).
    Queued(String),
}

impl From<NotAnswered> for Outcome {
    fn from(not_answered: NotAnswered) -> Outcome {
        match not_answered {
            NotAnswered::Failed(why) => Outcome::Failed(why),
            NotAnswered::NotStarted(why) => Outcome::NotStarted(why),
            NotAnswered::Queued(why) => Outcome::Queued(why),
        }
    }
}

/// Drafts jobs to their files through a runner.
pub struct Drafter {
    runner: Runner,
    manifest: Arc<Manifest>,
    /// Re-draft files Grove wrote and nobody edited.
    force: bool,
}

impl Drafter {
    /// A drafter sending its calls through `runner`; `manifest` tells
    /// files Grove wrote from files a person wrote or edited.
    pub fn new(runner: Runner, manifest: Arc<Manifest>, force: bool) -> Drafter {
        Drafter {
            runner,
            manifest,
            force,
        }
    }

    /// The runner its calls go through.
    pub fn runner(&self) -> &Runner {
        &self.runner
    }

    /// Drafts one job to its file.
    pub async fn run(&self, job: &Job) -> Outcome {
        let outcome = self.run_steps(job).await;
        self.runner.progress().inc(1);
        outcome
    }

    async fn run_steps(&self, job: &Job) -> Outcome {
        let mut calls = 0;
        let mut usage = Usage::default();
        let outline = match &job.outline {
            Some(request) => {
                let messages = vec![
                    Message::new("system", job.system.clone()),
                    Message::new("user", request.clone()),
                ];
                match self.runner.step(&job.call(), "outline", &messages).await {
                    Ok((answer, real)) => {
                        calls += real;
                        usage.add(&answer, &job.llm, real > 0);
                        Some(answer.text)
                    }
                    Err(not_answered) => return not_answered.into(),
                }
            }
            None => None,
        };
        let messages = match job.article_messages(outline.as_deref()) {
            Ok(messages) => messages,
            Err(error) => return Outcome::Failed(error.to_string()),
        };
        let (answer, real) = match self.runner.step(&job.call(), "article", &messages).await {
            Ok(result) => result,
            Err(not_answered) => return not_answered.into(),
        };
        calls += real;
        usage.add(&answer, &job.llm, real > 0);
        let prompt_hash = sha256(
            serde_json::to_string(&messages)
                .unwrap_or_default()
                .as_bytes(),
        );
        let text = compose(job, &answer, &usage, &prompt_hash[..16]);
        // Writing syncs to disk: let the runtime move other tasks elsewhere.
        match tokio::task::block_in_place(|| self.write(job, &text)) {
            Ok(None) => Outcome::Written { calls },
            Ok(Some(reason)) => Outcome::Kept(reason),
            Err(error) => Outcome::Failed(error.to_string()),
        }
    }

    /// Writes the article unless a person created or edited the file
    /// meanwhile; returns why it was kept, if it was.
    fn write(&self, job: &Job, text: &str) -> crate::Result<Option<String>> {
        match self.manifest.ownership(&job.path) {
            Ownership::Human => {
                return Ok(Some(
                    "a person created or edited the file during the run; it was kept (the answer is cached: delete the file and re-run to use it)".into(),
                ));
            }
            Ownership::Drafted if !self.force => return Ok(Some("already drafted".into())),
            _ => {}
        }
        write_atomic(&job.path, text.as_bytes())?;
        self.manifest.record(&job.path, text.as_bytes())?;
        Ok(None)
    }
}

/// Tokens and cost behind one article (real calls only).
#[derive(Debug, Default)]
struct Usage {
    input_tokens: u64,
    output_tokens: u64,
    cost: f64,
    estimated: bool,
}

impl Usage {
    fn add(&mut self, answer: &Answer, llm: &LlmConfig, paid: bool) {
        self.input_tokens += answer.input_tokens;
        self.output_tokens += answer.output_tokens;
        if paid {
            self.cost += llm.cost(answer.input_tokens, answer.output_tokens);
        }
        self.estimated |= answer.usage_estimated;
    }
}

#[derive(Serialize)]
struct FrontMatter<'a> {
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    date: toml::value::Datetime,
    draft: bool,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    tags: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    categories: &'a [String],
    extra: Extra<'a>,
}

#[derive(Serialize)]
struct Extra<'a> {
    generated: Generated<'a>,
}

#[derive(Serialize)]
struct Generated<'a> {
    provider: Provider,
    model: &'a str,
    brief: &'a str,
    prompt: &'a str,
    prompt_hash: &'a str,
    input_tokens: u64,
    output_tokens: u64,
    cost_usd: f64,
    usage_estimated: bool,
    target_words: u32,
    affiliates: &'a [String],
    /// For a refresh: the live page's file below the content folder,
    /// which `grove approve` replaces with this draft.
    #[serde(skip_serializing_if = "Option::is_none")]
    refreshes: Option<&'a str>,
}

/// The file Grove writes: TOML front matter (a draft) and the cleaned,
/// sanitized article.
fn compose(job: &Job, answer: &Answer, usage: &Usage, prompt_hash: &str) -> String {
    let today = chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let front = FrontMatter {
        title: &job.brief.title,
        description: job.brief.description.as_deref(),
        date: today.parse().expect("a formatted date parses"),
        draft: true,
        tags: &job.brief.tags,
        categories: &job.brief.categories,
        extra: Extra {
            generated: Generated {
                provider: job.llm.provider,
                model: &answer.model,
                brief: &job.brief.slug,
                prompt: &job.brief.prompt,
                prompt_hash,
                input_tokens: usage.input_tokens,
                output_tokens: usage.output_tokens,
                cost_usd: (usage.cost * 1e6).round() / 1e6,
                usage_estimated: usage.estimated,
                target_words: job.brief.target_words,
                affiliates: &job.brief.affiliates,
                refreshes: job.brief.refresh.as_deref(),
            },
        },
    };
    // The file is final text, not a template: Tera syntax in the answer
    // (or in a title) is written so that it prints as it is, and cannot
    // build markup the sanitizer never saw.
    let front =
        escape_front_matter(&toml::to_string(&front).expect("front matter always serializes"));
    let body = escape_template_syntax(&sanitize_markdown(drop_leading_title(&answer.text)));
    format!("+++\n{front}+++\n\n{}\n", body.trim_end())
}

/// Drops a leading `# Heading` line: the page template shows the title.
fn drop_leading_title(text: &str) -> &str {
    let trimmed = text.trim_start();
    if trimmed.starts_with("# ") {
        trimmed
            .split_once('\n')
            .map_or("", |(_, rest)| rest.trim_start())
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_title_is_dropped() {
        assert_eq!(drop_leading_title("# Title\n\nBody"), "Body");
        assert_eq!(drop_leading_title("## Part\n\nBody"), "## Part\n\nBody");
    }
}

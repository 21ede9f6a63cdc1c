//! Planning a draft run: for each selected site, its briefs, whether each
//! already has a file, and what drafting it would cost.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Value, json};
use tera::Context;

use super::brief::{Brief, load_briefs};
use super::manifest::{Manifest, Ownership};
use super::prompt::PromptFile;
use crate::affiliate::Registry;
use crate::build::{load_site, load_themes};
use crate::content::{Blueprint, Include};
use crate::error::{Error, Result};
use crate::model::call::{Call, estimate_tokens};
use crate::model::message::Message;
use crate::network::{LlmConfig, Network, Site};
use crate::render::Theme;
use crate::render::views::site_value;

/// Tokens an outline answer is assumed to take, for estimates.
const OUTLINE_TOKENS: u64 = 400;

/// Where a brief stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// No file: `grove draft` will write it.
    ToDraft,
    /// Grove wrote it and nobody changed it: `--force` re-drafts it.
    Drafted,
    /// A person wrote or edited it: never overwritten.
    Human,
    /// The blueprint provides this page for every site.
    InBlueprint,
    /// Proposed by `grove research`, waiting to be accepted.
    Proposed,
}

/// One brief of one site, ready to draft.
pub struct Job {
    /// Site name.
    pub site: String,
    /// The brief.
    pub brief: Brief,
    /// The file to write.
    pub path: PathBuf,
    /// Where the brief stands now.
    pub status: Status,
    /// The site's model settings.
    pub llm: LlmConfig,
    /// The prompt file.
    pub prompt: Arc<PromptFile>,
    /// What the prompt templates see (`site`, `brief`, `affiliates`, `pages`).
    pub context: Context,
    /// The system message.
    pub system: String,
    /// The outline request, for two-step briefs.
    pub outline: Option<String>,
    /// Estimated prompt tokens over all steps.
    pub input_estimate: u64,
    /// Expected answer tokens (article length, capped by max_tokens).
    pub output_estimate: u64,
}

impl Job {
    /// The job's model calls, for the runner.
    pub fn call(&self) -> Call<'_> {
        Call {
            site: &self.site,
            label: &self.brief.slug,
            llm: &self.llm,
            response_format: None,
            check: None,
        }
    }

    /// Expected cost in USD.
    pub fn cost_estimate(&self) -> f64 {
        self.llm.cost(self.input_estimate, self.output_estimate)
    }

    /// The article request: system + user, with `outline` (step one's
    /// answer) available to the user template.
    pub fn article_messages(&self, outline: Option<&str>) -> Result<Vec<Message>> {
        let mut context = self.context.clone();
        context.insert("outline", &outline.unwrap_or_default());
        let user = self.prompt.render("user", &context)?;
        Ok(vec![
            Message::new("system", self.system.clone()),
            Message::new("user", user),
        ])
    }
}

/// Plans every brief of `sites`. Fails before any request if a brief,
/// prompt or registry entry is wrong.
pub fn plan(network: &Network, sites: &[&Site], manifest: &Manifest) -> Result<Vec<Job>> {
    if network.config.llm.is_none() {
        return Err(Error::Usage(format!(
            "{} has no [llm] table; add one to draft with a model (`grove new` in an empty folder writes a commented example; `grove doctor` checks it)",
            network.root.join(crate::network::NETWORK_FILE).display()
        )));
    }
    let blueprint = Blueprint::load(&network.root.join("content"))?;
    let themes = load_themes(network, sites)?;
    let mut jobs = Vec::new();
    let mut prompts: Vec<(String, Arc<PromptFile>)> = Vec::new();
    for site in sites {
        let llm = site.llm(&network.config).expect("checked above");
        let site_json = site_value(network, site);
        let mut context = Context::new();
        context.insert("site", &site_json);
        let registry = Registry::load(&network.root, site)?;
        let pages = published_pages(
            network,
            site,
            &blueprint,
            &themes[site.theme(&network.config)],
        )?;
        for brief in load_briefs(&network.root, site, &context, &registry)? {
            let rel = brief.rel_path();
            let path = site.dir.join("content").join(&rel);
            let status = if brief.proposed && !path.exists() {
                Status::Proposed
            } else if network.root.join("content").join(&rel).is_file() && !path.exists() {
                Status::InBlueprint
            } else {
                match manifest.ownership(&path) {
                    Ownership::Missing => Status::ToDraft,
                    Ownership::Drafted => Status::Drafted,
                    Ownership::Human => Status::Human,
                }
            };
            let prompt = match prompts.iter().find(|(n, _)| *n == brief.prompt) {
                Some((_, p)) => Arc::clone(p),
                None => {
                    let p = Arc::new(PromptFile::load(
                        &network.root,
                        &brief.prompt,
                        &brief.location,
                    )?);
                    prompts.push((brief.prompt.clone(), Arc::clone(&p)));
                    p
                }
            };
            let mut job_context = context.clone();
            job_context.insert("brief", &brief);
            job_context.insert("affiliates", &affiliate_data(&brief, &registry));
            job_context.insert("pages", &pages);
            job_context.insert("outline", "");
            job_context.insert("current", &current_text(network, site, &brief)?);
            let system = prompt.render("system", &job_context)?;
            let outline = if brief.outline && prompt.has_outline() {
                Some(prompt.render("outline", &job_context)?)
            } else {
                None
            };
            let user = prompt.render("user", &job_context)?;
            let mut input_estimate = estimate_tokens(&system) + estimate_tokens(&user);
            if let Some(outline) = &outline {
                input_estimate +=
                    estimate_tokens(&system) + estimate_tokens(outline) + 2 * OUTLINE_TOKENS;
            }
            let article_tokens =
                (u64::from(brief.target_words) * 4 / 3).min(u64::from(llm.max_tokens));
            let output_estimate =
                article_tokens + if outline.is_some() { OUTLINE_TOKENS } else { 0 };
            jobs.push(Job {
                site: site.name.clone(),
                path,
                status,
                llm: llm.clone(),
                prompt,
                context: job_context,
                system,
                outline,
                input_estimate,
                output_estimate,
                brief,
            });
        }
    }
    Ok(jobs)
}

/// For a refresh brief, the live page's Markdown (front matter left
/// out), from the site's content folder or the blueprint's; empty for
/// other briefs. A refresh of a page that is gone is an error, unless the
/// brief is only proposed.
fn current_text(network: &Network, site: &Site, brief: &Brief) -> Result<String> {
    let Some(live) = &brief.refresh else {
        return Ok(String::new());
    };
    let candidates = [
        site.dir.join("content").join(live),
        network.root.join("content").join(live),
    ];
    match candidates.iter().find(|p| p.is_file()) {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|source| Error::io(path, "cannot read file", source))?;
            let body = &text[crate::content::front_matter::body_offset(&text)..];
            Ok(body.trim().to_string())
        }
        None if brief.proposed => Ok(String::new()),
        None => Err(Error::Content {
            location: brief.location.clone(),
            message: format!(
                "the page to refresh, content/{live}, does not exist (neither the site's nor the blueprint's): remove this brief"
            ),
        }),
    }
}

/// What prompts see of the registry: names and descriptions only. Prices,
/// ratings and other program data stay out of prompts (affiliate programs
/// restrict feeding their data to models); Grove renders them at build time.
fn affiliate_data(brief: &Brief, registry: &Registry) -> Vec<Value> {
    brief
        .affiliates
        .iter()
        .filter_map(|slug| {
            registry.get(slug).map(|e| {
                json!({
                    "slug": slug,
                    "name": e.name,
                    "program": e.program,
                    "description": e.description,
                    "link": format!("aff:{slug}"),
                })
            })
        })
        .collect()
}

/// The site's published pages, for internal links in prompts.
fn published_pages(
    network: &Network,
    site: &Site,
    blueprint: &Blueprint,
    theme: &Theme,
) -> Result<Vec<Value>> {
    let loaded = load_site(network, site, blueprint, theme, Include::published())?;
    Ok(loaded
        .content
        .pages
        .iter()
        .map(|p| {
            json!({
                "title": p.meta.title,
                "description": p.meta.description,
                "link": format!("@/{}", p.rel),
                "path": p.path,
            })
        })
        .collect())
}

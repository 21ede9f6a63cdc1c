//! `grove research`: the configured model proposes new article briefs for
//! one site, given what the site is about and everything it already has.
//! Proposals are checked and de-duplicated, then appended to the site's
//! `briefs.toml` marked `status = "proposed"`, which `grove draft` skips
//! until a person accepts them. The call goes through the drafting runner:
//! cached, in the ledger, within `--budget`.

mod batch;
pub mod facts;
pub mod prompt;
pub mod proposal;

use std::path::PathBuf;

use indicatif::ProgressBar;

use crate::draft::brief::{BRIEFS_FILE, PROPOSED};
use crate::draft::briefs_file::{self, BriefText};
use crate::error::{Error, Result};
use crate::model::call::Call;
use crate::model::call::estimate_tokens;
use crate::model::message::Message;
use crate::model::runner::{NotAnswered, RunSettings, Runner};
use crate::network::{NETWORK_FILE, Network, Provider};
use crate::run_lock::{self, RunLock};
use crate::state;
use facts::SiteFacts;
use proposal::{Proposal, Rejected, Wanted};

/// Tokens one proposal's JSON is assumed to take, for estimates.
const TOKENS_PER_PROPOSAL: u64 = 120;
/// The most briefs one run may ask for.
pub const MAX_COUNT: usize = 50;

/// What `grove research` should do.
#[derive(Debug, Clone)]
pub struct ResearchOptions {
    /// The site to propose briefs for.
    pub site: String,
    /// How many briefs to ask for.
    pub count: usize,
    /// Only this section.
    pub section: Option<String>,
    /// Only this kind of article.
    pub kind: Option<String>,
    /// Show the prompt and the estimated cost; send nothing.
    pub dry_run: bool,
    /// Ask again even when the same question is in the cache.
    pub fresh: bool,
    /// Do not start the call if it may cost more than this (USD).
    pub budget: Option<f64>,
    /// Send the call in a batch at the batch price; a later run with the
    /// same options reads the answer.
    pub batch: bool,
    /// With `batch`: poll until the answer is in.
    pub wait: bool,
}

/// What a research run did.
#[derive(Debug, Default)]
pub struct ResearchReport {
    /// The briefs file proposals were appended to.
    pub file: PathBuf,
    /// Proposals written, in order.
    pub written: Vec<Proposal>,
    /// Proposals left out, and why.
    pub rejected: Vec<Rejected>,
    /// Things fixed on the way.
    pub notes: Vec<String>,
    /// The messages sent (or, in a dry run, that would be).
    pub messages: Vec<Message>,
    /// Estimated cost of the call, USD.
    pub estimated_cost: f64,
    /// Tokens of the real call (0 from the cache).
    pub tokens: u64,
    /// USD of the real call.
    pub cost: f64,
    /// Whether the answer came from the cache.
    pub cached: bool,
    /// With `--batch`: the batch the call waits in (nothing written yet).
    pub queued: Option<String>,
}

/// Asks the model for briefs for one site and appends those that pass to
/// its `briefs.toml`.
pub fn research(network: &Network, options: &ResearchOptions) -> Result<ResearchReport> {
    let site = network.select(std::slice::from_ref(&options.site), None)?[0];
    let llm = site.llm(&network.config).ok_or_else(|| {
        Error::Usage(format!(
            "{} has no [llm] table; add one to research with a model (`grove new` in an empty folder writes a commented example; `grove doctor` checks it)",
            network.root.join(NETWORK_FILE).display()
        ))
    })?;
    let facts = SiteFacts::gather(network, site)?;
    let wanted = wanted(options, &facts)?;
    let prompt = prompt::prompt_file(network)?;
    let messages = prompt::messages(&prompt, &facts, &wanted)?;
    let format = (llm.provider == Provider::Openai && llm.json_schema)
        .then(|| prompt::response_format(&facts, &wanted));
    let input: u64 = messages.iter().map(|m| estimate_tokens(&m.content)).sum();
    let output = (wanted.count as u64 * TOKENS_PER_PROPOSAL).min(u64::from(llm.max_tokens));
    let mut report = ResearchReport {
        file: site.dir.join(BRIEFS_FILE),
        estimated_cost: llm.cost(input, output),
        ..ResearchReport::default()
    };
    if options.dry_run {
        report.messages = messages;
        return Ok(report);
    }
    let _lock = RunLock::hold(&state::dir(&network.root), run_lock::MODEL)?;

    let check = |text: &str| proposal::parse(text).map(|_| ());
    let call = Call {
        site: &site.name,
        label: "research",
        llm: &llm,
        response_format: format.as_ref(),
        check: Some(&check),
    };
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| Error::Usage(format!("cannot start the async runtime: {e}")))?;
    let settings = |batch| RunSettings {
        llm: llm.clone(),
        state_dir: state::dir(&network.root),
        budget: options.budget,
        ignore_cache: options.fresh,
        progress: ProgressBar::hidden(),
        batch,
    };
    let settings = &settings;
    let (runner, asked) = if options.batch {
        match batch::ask(network, &llm, &call, &messages, options, &runtime, settings)? {
            batch::Asked::Answered(runner, asked) => (*runner, asked),
            batch::Asked::Waiting(id) => {
                report.queued = Some(id);
                report.messages = messages;
                return Ok(report);
            }
        }
    } else {
        let runner = Runner::new(settings(None))?;
        let asked = runtime.block_on(runner.step(&call, "research", &messages));
        (runner, asked)
    };
    let (answer, calls) = asked.map_err(|not_answered| {
        let (NotAnswered::Failed(why) | NotAnswered::NotStarted(why) | NotAnswered::Queued(why)) =
            not_answered;
        Error::Usage(format!("research for {} failed: {why}", site.name))
    })?;
    (report.tokens, report.cost) = runner.spent();
    report.cached = calls == 0;
    report.messages = messages;

    let proposals = proposal::parse(&answer.text).map_err(Error::Usage)?;
    let sorted = proposal::sort(proposals, &facts, &wanted);
    if !sorted.accepted.is_empty() {
        let today = chrono::Utc::now().format("%Y-%m-%d");
        let origin = format!("on {today} with {}", answer.model);
        briefs_file::append(&report.file, &proposals_text(&sorted.accepted, &origin))?;
    }
    report.written = sorted.accepted;
    report.rejected = sorted.rejected;
    report.notes = sorted.notes;
    Ok(report)
}

/// The TOML text of `proposals`, each a proposed brief, after a comment
/// saying where they came from.
fn proposals_text(proposals: &[Proposal], origin: &str) -> String {
    let mut text = format!(
        "\n# Proposed by `grove research` {origin}. Accept with `grove research accept SLUG`\n# (or delete the status line); reject with `grove research reject SLUG`.\n"
    );
    for p in proposals {
        text.push_str(
            &BriefText::new()
                .string("slug", &p.slug)
                .string("title", &p.title)
                .string("section", &p.section)
                .string("kind", &p.kind)
                .string("status", PROPOSED)
                .number("target_words", p.target_words)
                .list("keywords", &p.keywords)
                .list("affiliates", &p.affiliates)
                .list("tags", &p.tags)
                .list("categories", &p.categories)
                .optional("description", p.description.as_deref())
                .finish(),
        );
    }
    text
}

/// The options as proposals must meet them; an unknown section or kind is
/// an error listing the known ones.
fn wanted(options: &ResearchOptions, facts: &SiteFacts) -> Result<Wanted> {
    if options.count == 0 || options.count > MAX_COUNT {
        return Err(Error::Usage(format!(
            "--count must be between 1 and {MAX_COUNT}"
        )));
    }
    if facts.kinds.is_empty() {
        return Err(Error::Usage(
            "no article kinds: research proposes briefs for the prompts in prompts/ (prompts/guide.md, ...), and there are none".into(),
        ));
    }
    let section = options
        .section
        .as_deref()
        .map(|s| s.trim_matches('/').to_string());
    if let Some(section) = &section
        && !facts.has_section(section)
    {
        let known: Vec<&str> = facts
            .sections
            .iter()
            .map(|s| s.dir.as_str())
            .filter(|d| !d.is_empty())
            .collect();
        return Err(Error::Usage(format!(
            "no section `{section}` in {} (sections: {})",
            options.site,
            known.join(", ")
        )));
    }
    if let Some(kind) = &options.kind
        && !facts.has_kind(kind)
    {
        return Err(Error::Usage(format!(
            "no kind `{kind}`: there is no prompts/{kind}.md (kinds: {})",
            facts.kinds.join(", ")
        )));
    }
    Ok(Wanted {
        section,
        kind: options.kind.clone(),
        count: options.count,
    })
}

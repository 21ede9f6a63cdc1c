//! `grove research`: the model proposes new briefs for a site; `grove
//! research accept` and `reject` decide on them.

use crate::draft::briefs_file::{self, Decision};
use crate::error::{Error, Result, display_path};
use crate::network::Network;
use crate::research::{ResearchOptions, research};
use crate::terminal::plural;
use crate::terminal::{say, say_part};

/// Arguments of `grove research`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    /// Accept or reject proposed briefs instead of asking for new ones.
    #[command(subcommand)]
    pub decision: Option<DecisionCommand>,
    /// The site to propose briefs for.
    #[arg(long, value_name = "NAME")]
    pub site: Option<String>,
    /// How many briefs to ask for.
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub count: usize,
    /// Only articles for this section (a folder below content/).
    #[arg(long, value_name = "SECTION")]
    pub section: Option<String>,
    /// Only articles of this kind (a prompt in prompts/).
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// Show the prompt and the estimated cost; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Ask the model again even if the same question is in the cache.
    #[arg(long)]
    pub fresh: bool,
    /// Do not make the call if it may cost more than this many USD.
    #[arg(long, value_name = "USD")]
    pub budget: Option<f64>,
    /// Print the research prompt template in effect (Grove's own unless
    /// prompts/research.md exists), to start your own from.
    #[arg(long)]
    pub print_prompt: bool,
    /// Send the call in a batch at the batch price (half); run the same
    /// command again to read the answer and write the proposals.
    #[arg(long)]
    pub batch: bool,
    /// With --batch: poll until the answer is in.
    #[arg(long, requires = "batch")]
    pub wait: bool,
}

/// `grove research accept|reject`.
#[derive(Debug, clap::Subcommand)]
pub enum DecisionCommand {
    /// Accept proposed briefs: `grove draft` drafts them from now on.
    Accept(DecideArgs),
    /// Reject proposed briefs: they are removed from briefs.toml.
    Reject(DecideArgs),
}

/// Which proposed briefs to decide on.
#[derive(Debug, clap::Args)]
pub struct DecideArgs {
    /// Slugs of proposed briefs.
    pub slugs: Vec<String>,
    /// Every proposed brief (of the selected sites).
    #[arg(long)]
    pub all: bool,
    /// Only this site (repeat for several).
    #[arg(long = "site", value_name = "NAME")]
    pub sites: Vec<String>,
}

/// Runs `grove research`.
pub fn run(network: &Network, args: Args) -> Result<()> {
    match args.decision {
        Some(DecisionCommand::Accept(decide_args)) => {
            decide(network, &decide_args, Decision::Accept, &|_| true)
        }
        Some(DecisionCommand::Reject(decide_args)) => {
            decide(network, &decide_args, Decision::Reject, &|_| true)
        }
        None => propose(network, args),
    }
}

fn propose(network: &Network, args: Args) -> Result<()> {
    if args.print_prompt {
        say_part!("{}", crate::research::prompt::template_text(network)?);
        return Ok(());
    }
    let Some(site) = args.site else {
        return Err(Error::Usage(
            "name the site to research with --site NAME (or use `grove research accept|reject`)"
                .into(),
        ));
    };
    let options = ResearchOptions {
        site,
        count: args.count,
        section: args.section,
        kind: args.kind,
        dry_run: args.dry_run,
        fresh: args.fresh,
        budget: args.budget,
        batch: args.batch,
        wait: args.wait,
    };
    let report = research(network, &options)?;
    if options.dry_run {
        for message in &report.messages {
            say!("--- {} ---\n{}\n", message.role, message.content);
        }
        say!(
            "would ask for {} brief{} for {}, estimated ${:.4}",
            options.count,
            plural(options.count),
            options.site,
            report.estimated_cost
        );
        return Ok(());
    }
    if let Some(batch) = &report.queued {
        say!(
            "research for {} waits in batch {batch}: run the same `grove research --batch` again (or add --wait) to read the answer and write the proposals",
            options.site
        );
        return Ok(());
    }
    let file = display_path(&report.file);
    for proposal in &report.written {
        say!(
            "proposed {}/{}.md ({}): {}",
            proposal.section,
            proposal.slug,
            proposal.kind,
            proposal.title
        );
    }
    for rejected in &report.rejected {
        say!("left out \"{}\": {}", rejected.title, rejected.reason);
    }
    for note in &report.notes {
        say!("note: {note}");
    }
    let paid = if report.cached {
        "answer from the cache, $0".to_string()
    } else {
        format!("{} tokens, ${:.4}", report.tokens, report.cost)
    };
    match (report.written.len(), report.rejected.len()) {
        (0, 0) => say!(
            "0 briefs proposed: the answer held no proposal ({paid}); nothing was written. Run it again with --fresh for a new answer."
        ),
        (0, rejected) => say!(
            "0 briefs proposed: each of the {rejected} proposal{} was left out for the reason above ({paid}); nothing was written to {}. Run it again with --fresh for a new answer, or ask for another --section or --kind.",
            plural(rejected),
            file.display()
        ),
        (written, rejected) => say!(
            "{written} brief{} proposed in {}, {rejected} left out ({paid}). Accept with `grove research accept SLUG...` or `--all`.",
            plural(written),
            file.display()
        ),
    }
    Ok(())
}

/// Accepts or rejects the proposed briefs `args` name; `--all` takes
/// those whose slug `of_kind` keeps.
pub fn decide(
    network: &Network,
    args: &DecideArgs,
    decision: Decision,
    of_kind: &dyn Fn(&str) -> bool,
) -> Result<()> {
    if args.slugs.is_empty() && !args.all {
        return Err(Error::Usage(
            "name the proposed briefs by slug, or use --all".into(),
        ));
    }
    let sites = network.select(&args.sites, None)?;
    let mut decided: Vec<String> = Vec::new();
    let mut proposed: Vec<String> = Vec::new();
    for site in sites {
        let path = site.dir.join(crate::draft::brief::BRIEFS_FILE);
        let mut here = briefs_file::proposed_slugs(&path)?;
        here.retain(|slug| of_kind(slug));
        let wanted: Vec<String> = if args.all {
            here.clone()
        } else {
            args.slugs
                .iter()
                .filter(|s| here.contains(s))
                .cloned()
                .collect()
        };
        proposed.extend(here.iter().map(|s| format!("{}/{s}", site.name)));
        if wanted.is_empty() {
            continue;
        }
        for slug in briefs_file::decide(&path, &wanted, decision)? {
            let verb = match decision {
                Decision::Accept => "accepted",
                Decision::Reject => "rejected",
            };
            say!("{verb} {}/{slug}", site.name);
            decided.push(slug);
        }
    }
    let unknown: Vec<&String> = args.slugs.iter().filter(|s| !decided.contains(s)).collect();
    if !unknown.is_empty() {
        return Err(Error::Usage(format!(
            "no proposed brief {} (proposed: {})",
            unknown
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", "),
            if proposed.is_empty() {
                "none".to_string()
            } else {
                proposed.join(", ")
            }
        )));
    }
    if decision == Decision::Accept {
        say!("{} accepted; `grove draft` drafts them.", decided.len());
    }
    Ok(())
}

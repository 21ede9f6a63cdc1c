//! `grove links`: internal link suggestions, orphan and weak pages;
//! `grove links apply` writes chosen suggestions.

use crate::error::Result;
use crate::links::apply::{ApplyOptions, apply};
use crate::links::{LinkReport, LinksOptions, links};
use crate::network::Network;
use crate::terminal::{plural, say, say_part};

/// Arguments of `grove links`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    /// Write chosen suggestions into the pages.
    #[command(subcommand)]
    pub command: Option<LinksCommand>,
    /// Only this site (repeat for several).
    #[arg(long = "site", value_name = "NAME")]
    pub sites: Vec<String>,
    /// New links suggested per page at most.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub per_page: usize,
    /// Print suggestions, orphans and weak pages as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `grove links` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum LinksCommand {
    /// Write suggested links into the Markdown as @/ links (only in a site's own files that no draft or editor holds).
    Apply(ApplyArgs),
}

/// Arguments of `grove links apply`.
#[derive(Debug, clap::Args)]
pub struct ApplyArgs {
    /// Only this site (repeat for several).
    #[arg(long = "site", value_name = "NAME")]
    pub sites: Vec<String>,
    /// Links to this page (URL path; repeat for several).
    #[arg(long, value_name = "PAGE")]
    pub to: Vec<String>,
    /// Links in this page (URL path; repeat for several).
    #[arg(long, value_name = "PAGE")]
    pub from: Vec<String>,
    /// Every suggestion.
    #[arg(long)]
    pub all: bool,
    /// New links per page at most, as for `grove links`.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub per_page: usize,
    /// Say what would be written; write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Runs `grove links`.
pub fn run(network: &Network, args: Args) -> Result<()> {
    if let Some(LinksCommand::Apply(apply_args)) = args.command {
        return run_apply(network, apply_args);
    }
    let report = links(
        network,
        &LinksOptions {
            sites: args.sites,
            per_page: args.per_page,
        },
    )?;
    if args.json {
        say_part!(
            "{}\n",
            serde_json::to_string_pretty(&report).expect("the report serializes")
        );
        return Ok(());
    }
    print_text(&report);
    Ok(())
}

fn print_text(report: &LinkReport) {
    let mut current = ("", "");
    for s in &report.suggestions {
        if (s.site.as_str(), s.to.as_str()) != current {
            current = (&s.site, &s.to);
            say!("{} {} ← link it from:", s.site, s.to);
        }
        say!(
            "    {}:{}: \"{}\" in: {}",
            s.file,
            s.line,
            s.anchor,
            s.sentence
        );
    }
    for o in &report.orphans {
        say!(
            "orphan: {} {} ({}): no other page links to it",
            o.site,
            o.page,
            o.file
        );
    }
    for w in &report.weak {
        say!(
            "weak: {} {} ({}): one page links to it",
            w.site,
            w.page,
            w.file
        );
    }
    say!(
        "{} suggestion{}, {} orphan{}, {} weak page{}. Write them with `grove links apply --to PAGE` (or --from PAGE, --all).",
        report.suggestions.len(),
        plural(report.suggestions.len()),
        report.orphans.len(),
        plural(report.orphans.len()),
        report.weak.len(),
        plural(report.weak.len())
    );
}

fn run_apply(network: &Network, args: ApplyArgs) -> Result<()> {
    let report = links(
        network,
        &LinksOptions {
            sites: args.sites,
            per_page: args.per_page,
        },
    )?;
    let applied = apply(
        network,
        &report.suggestions,
        &ApplyOptions {
            to: args.to,
            from: args.from,
            all: args.all,
            dry_run: args.dry_run,
        },
    )?;
    let verb = if args.dry_run { "would add" } else { "added" };
    let mut count = 0;
    for (file, added) in &applied.written {
        for s in added {
            say!("{verb} {file}:{}: [{}](@/{})", s.line, s.anchor, s.target);
            count += 1;
        }
    }
    for (file, why, n) in &applied.skipped {
        say!("left {file} alone ({n} link{}): {why}", plural(*n));
    }
    say!(
        "{count} link{} {verb}{}.",
        plural(count),
        if args.dry_run { " (dry run)" } else { "" }
    );
    Ok(())
}

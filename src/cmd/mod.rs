//! The command line: one module per subcommand.

pub mod affiliates;
pub mod approve;
pub mod audit;
pub mod build;
pub mod check;
pub mod dashboard;
pub mod deploy;
pub mod doctor;
pub mod draft;
pub mod import;
pub mod links;
pub mod new;
pub mod new_site;
pub mod not_found;
pub mod plan;
pub mod refresh;
pub mod replicate;
pub mod report;
pub mod research;
pub mod revenue;
pub mod review;
pub mod seo;
pub mod serve;
pub mod shell;
pub mod stats;
pub mod usage;
pub mod watch;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::error::{Error, Result};
use crate::network::Network;

/// Grove's version and the commit it was built from (see build.rs).
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("GROVE_COMMIT"), ")");

/// Grove: build networks of niche sites from one blueprint.
#[derive(Debug, Parser)]
#[command(name = "grove", version = VERSION, about, long_about = None)]
pub struct Cli {
    /// The network folder (default: the nearest folder holding grove.toml).
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Grove's subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render every site (or some) to static files in public/<site>/.
    Build(build::Args),
    /// Create a new network, ready to build.
    New(new::Args),
    /// Add a niche site to the current network.
    NewSite(new_site::Args),
    /// Check the network's setup (config, theme, sites, model server, briefs, output) and say what to fix.
    Doctor(doctor::Args),
    /// Move an existing Hugo, Zola or WordPress site into the network as sites/NAME/.
    Import(import::Args),
    /// List, per site, which briefs have a file and what drafting the rest costs.
    Plan(plan::Args),
    /// Draft articles for briefs without a file, through the configured LLM.
    Draft(draft::Args),
    /// Ask the model for new article briefs for a site (then accept or reject them).
    Research(research::Args),
    /// Turn a page that performs into briefs for other niches.
    Replicate(replicate::Args),
    /// Propose refreshes of pages whose search clicks or views fell (then accept, draft, approve).
    Refresh(refresh::Args),
    /// Tokens and cost of every model call, per site and per model.
    Usage(usage::Args),
    /// List drafts awaiting review, with warnings.
    Review(review::Args),
    /// Publish drafts (set draft = false).
    Approve(approve::Args),
    /// Check internal links, anchors, and external and affiliate destinations.
    Check(check::Args),
    /// Find near-copies, boilerplate, thin pages and model leftovers across the network.
    Audit(audit::Args),
    /// Suggest internal links to each page from pages that mention it; list orphan and weak pages.
    Links(links::Args),
    /// Show which sites and pages use each affiliate registry entry.
    Affiliates(affiliates::Args),
    /// Preview the sites over HTTP, rebuilding and reloading on every change.
    Serve(serve::Args),
    /// Copy each built site to its [deploy] target, only the files that changed.
    Deploy(deploy::Args),
    /// Check the live sites, their affiliate links and their figures; exit non-zero on a new alert.
    Watch(watch::Args),
    /// Count access logs into the stats database (views, visitors, clicks, crawlers).
    Stats(stats::Args),
    /// Import affiliate and ad earnings reports into the stats database.
    Revenue(revenue::Args),
    /// Search performance (Search Console, Bing) into the stats database: impressions, clicks, position per page and query.
    Seo(seo::Args),
    /// Views, visitors, clicks, revenue and LLM spend per site, with ratios (--json for all).
    Report(report::Args),
    /// Write the whole network on one self-contained HTML page (charts, tables, no requests).
    Dashboard(dashboard::Args),
    /// Print the completion script for a shell (bash, zsh, fish, powershell, elvish).
    Completions(shell::CompletionsArgs),
    /// Print grove's manual page, or write every page into a folder (--dir).
    Man(shell::ManArgs),
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Build(args) => build::run(&load_network(cli.root)?, args),
        Command::New(args) => new::run(args),
        Command::NewSite(args) => new_site::run(&find_root(cli.root)?, args),
        Command::Doctor(args) => doctor::run(&find_root(cli.root)?, args),
        Command::Import(args) => import::run(&load_network(cli.root)?, args),
        Command::Plan(args) => plan::run(&load_network(cli.root)?, args),
        Command::Draft(args) => draft::run(&load_network(cli.root)?, args),
        Command::Research(args) => research::run(&load_network(cli.root)?, args),
        Command::Replicate(args) => replicate::run(&load_network(cli.root)?, args),
        Command::Refresh(args) => refresh::run(&load_network(cli.root)?, args),
        Command::Usage(args) => usage::run(&load_network(cli.root)?, args),
        Command::Review(args) => review::run(&load_network(cli.root)?, args),
        Command::Approve(args) => approve::run(&load_network(cli.root)?, args),
        Command::Check(args) => check::run(&load_network(cli.root)?, args),
        Command::Audit(args) => audit::run(&load_network(cli.root)?, args),
        Command::Links(args) => links::run(&load_network(cli.root)?, args),
        Command::Affiliates(args) => affiliates::run(&load_network(cli.root)?, args),
        Command::Serve(args) => serve::run(find_root(cli.root)?, args),
        Command::Deploy(args) => deploy::run(&load_network(cli.root)?, args),
        Command::Watch(args) => watch::run(&load_network(cli.root)?, args),
        Command::Stats(args) => stats::run(&load_network(cli.root)?, args),
        Command::Revenue(args) => revenue::run(&load_network(cli.root)?, args),
        Command::Seo(args) => seo::run(&load_network(cli.root)?, args),
        Command::Report(args) => report::run(&load_network(cli.root)?, args),
        Command::Dashboard(args) => dashboard::run(&load_network(cli.root)?, args),
        Command::Completions(args) => shell::completions(args),
        Command::Man(args) => shell::man(args),
    }
}

fn find_root(root: Option<PathBuf>) -> Result<PathBuf> {
    match root {
        Some(root) => Ok(root),
        None => {
            let cwd = std::env::current_dir()
                .map_err(|source| Error::io(".", "cannot read the current folder", source))?;
            Network::find_root(&cwd)
        }
    }
}

fn load_network(root: Option<PathBuf>) -> Result<Network> {
    Network::load(&find_root(root)?)
}

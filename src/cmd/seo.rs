//! `grove seo`: search performance data (Search Console, Bing) into the
//! stats database.

use std::path::PathBuf;

use crate::day::Day;
use crate::error::{Error, Result};
use crate::network::Network;
use crate::search::Engine;
use crate::search::api::Dimension;
use crate::search::fetch::{FetchOptions, fetch};
use crate::search::import::{ImportOptions, ImportSummary, import};
use crate::terminal::say;

/// Arguments of `grove seo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub command: SeoCommand,
}

/// `grove seo` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum SeoCommand {
    /// Import Search Console exports (zip or CSV), saved Search Analytics API responses (JSON) or Bing Webmaster Tools exports (CSV); a file replaces the days it covers.
    Import(ImportArgs),
    /// Fetch each site's figures from the Search Console API (service account key file named by GOOGLE_APPLICATION_CREDENTIALS), from where the last fetch ended.
    Fetch(FetchArgs),
}

/// Arguments of `grove seo fetch`.
#[derive(Debug, clap::Args)]
pub struct FetchArgs {
    /// Only this site (repeat for several).
    #[arg(long = "site", value_name = "NAME")]
    pub sites: Vec<String>,
    /// First day, YYYY-MM-DD (default: where the last fetch ended, less the days Search Console takes to settle; for a first fetch, [search_console] first_days back).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Last day, YYYY-MM-DD (default: today less [search_console] settle_days).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
}

/// Search engines, on the command line.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum EngineArg {
    /// Google Search Console.
    Google,
    /// Bing Webmaster Tools.
    Bing,
}

/// Arguments of `grove seo import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The site of files that carry no page URLs (Queries.csv alone, a response without the page dimension).
    #[arg(long, value_name = "NAME")]
    pub site: Option<String>,
    /// First day of files that do not say their period (Bing's exports, responses without the date dimension), YYYY-MM-DD.
    #[arg(long, value_name = "DATE", requires = "until")]
    pub since: Option<String>,
    /// Last day of such files, YYYY-MM-DD.
    #[arg(long, value_name = "DATE", requires = "since")]
    pub until: Option<String>,
    /// The dimensions of saved API responses, in the request's order (e.g. date,page,query), when the file does not keep its request.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub dimensions: Option<Vec<String>>,
    /// The engine of CSV files, when their header does not show it.
    #[arg(long, value_enum)]
    pub engine: Option<EngineArg>,
    /// Files: a Search Console export (zip, or its CSV files), API responses (JSON), Bing's exports (CSV).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// Runs `grove seo`.
pub fn run(network: &Network, args: Args) -> Result<()> {
    match args.command {
        SeoCommand::Import(args) => run_import(network, args),
        SeoCommand::Fetch(args) => run_fetch(network, args),
    }
}

fn run_import(network: &Network, args: ImportArgs) -> Result<()> {
    let since = Day::parse_flag("--since", args.since)?;
    let until = Day::parse_flag("--until", args.until)?;
    let period = match (since, until) {
        (Some(a), Some(b)) if a > b => {
            return Err(Error::Usage(format!("--since {a} is after --until {b}")));
        }
        (Some(a), Some(b)) => Some((a, b)),
        _ => None,
    };
    let dimensions = args
        .dimensions
        .map(|list| {
            list.iter()
                .map(|name| {
                    Dimension::parse(name).ok_or_else(|| {
                        Error::Usage(format!(
                            "--dimensions: unknown dimension `{name}` (date, page, query, country, device, searchAppearance)"
                        ))
                    })
                })
                .collect::<Result<Vec<_>>>()
        })
        .transpose()?;
    let options = ImportOptions {
        files: args.files,
        site: args.site,
        period,
        dimensions,
        engine: args.engine.map(|e| match e {
            EngineArg::Google => Engine::Google,
            EngineArg::Bing => Engine::Bing,
        }),
    };
    for summary in import(network, &options)? {
        print_summary(&summary);
    }
    Ok(())
}

fn run_fetch(network: &Network, args: FetchArgs) -> Result<()> {
    let options = FetchOptions {
        sites: args.sites,
        since: Day::parse_flag("--since", args.since)?,
        until: Day::parse_flag("--until", args.until)?,
    };
    let fetched = fetch(network, &options)?;
    for f in &fetched {
        say!(
            "{} ({}): {} to {}: {} row{} in {} call{}",
            f.site,
            f.property,
            f.period.0,
            f.period.1,
            f.rows,
            crate::terminal::plural(f.rows as usize),
            f.calls,
            crate::terminal::plural(f.calls as usize)
        );
        if f.summary.unmatched.rows() > 0 {
            print_summary(&f.summary);
        }
    }
    if fetched.is_empty() {
        say!("nothing to fetch: every site is up to date");
    }
    Ok(())
}

fn print_summary(summary: &ImportSummary) {
    let engine = summary.engine.map_or("", |e| match e {
        Engine::Google => "Google",
        Engine::Bing => "Bing",
    });
    say!(
        "{} ({engine}): {} row{}: {}",
        summary.file.display(),
        summary.rows,
        crate::terminal::plural(summary.rows as usize),
        summary.held.join(", ")
    );
    for (site, (first, last)) in &summary.sites {
        say!("  {site}: {first} to {last}");
    }
    if summary.spread {
        say!(
            "  pages and queries are totals over the period, spread over its days (by the export's daily totals where it has them): exact over the whole period, estimates over part of it"
        );
    }
    if summary.unmatched.rows() > 0 {
        let hosts: Vec<String> = summary
            .unmatched
            .hosts
            .iter()
            .map(|(host, rows)| format!("{host} ({rows})"))
            .collect();
        say!(
            "  {} row{} of URLs no site has, not imported: {} (is a site's base_url different?)",
            summary.unmatched.rows(),
            crate::terminal::plural(summary.unmatched.rows() as usize),
            hosts.join(", ")
        );
    }
    for skipped in &summary.skipped {
        say!("  not imported: {skipped}");
    }
}

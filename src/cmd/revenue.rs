//! `grove revenue`: affiliate and ad earnings reports into the stats database.

use crate::terminal::say;
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::network::Network;
use crate::revenue::{ColumnMap, RevenueFormat, RevenueOptions, import};

/// Arguments of `grove revenue`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub command: RevenueCommand,
}

/// `grove revenue` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum RevenueCommand {
    /// Import earnings reports (CSV); a report replaces its source's rows for its period.
    Import(ImportArgs),
}

/// Arguments of `grove revenue import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The reports' format.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: RevenueFormat,
    /// For --format csv: which column holds what, e.g.
    /// "date=Date,amount=Commission,site=Sub ID,currency=Currency,item=Product".
    #[arg(long, value_name = "FIELD=COLUMN,...")]
    pub map: Option<String>,
    /// The source these reports belong to (default: the format's name);
    /// give each account its own, since a report replaces its source's
    /// rows for its period.
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
    /// Currency of amounts that name none (default USD).
    #[arg(long, value_name = "CODE")]
    pub currency: Option<String>,
    /// Report files.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// Runs `grove revenue`.
pub fn run(network: &Network, args: Args) -> Result<()> {
    let RevenueCommand::Import(args) = args.command;
    let map = args
        .map
        .as_deref()
        .map(ColumnMap::parse)
        .transpose()
        .map_err(|e| Error::Usage(format!("--map: {e}")))?;
    let currency = args
        .currency
        .map(|code| {
            crate::revenue::iso_code(&code)
                .map(str::to_string)
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "--currency {code} is not an ISO 4217 currency code (such as USD, EUR, GBP)"
                    ))
                })
        })
        .transpose()?;
    let options = RevenueOptions {
        format: args.format,
        map,
        source: args.source,
        currency,
        files: args.files,
    };
    for report in import(network, &options)? {
        let period = report
            .period
            .map_or("no rows".to_string(), |(a, b)| format!("{a} to {b}"));
        let totals: Vec<String> = report
            .totals
            .iter()
            .map(|(currency, amount)| format!("{amount:.2} {currency}"))
            .collect();
        say!(
            "{} ({}): {} row{}, {period}: {}",
            report.file.display(),
            report.source,
            report.rows,
            if report.rows == 1 { "" } else { "s" },
            if totals.is_empty() {
                "nothing earned".to_string()
            } else {
                totals.join(", ")
            }
        );
        for (tag, currency, amount) in &report.unmatched {
            say!(
                "  {amount:.2} {currency} for `{tag}`, which no site has (add it to a site's [affiliate] table, or to its name); kept as unattributed"
            );
        }
        for problem in &report.problems {
            match problem.line {
                Some(line) => say!("  line {line}: {} (row skipped)", problem.message),
                None => say!("  {}", problem.message),
            }
        }
    }
    Ok(())
}

//! `grove revenue`: affiliate and ad earnings reports into the stats database.

use crate::terminal::say;
use std::path::PathBuf;

use crate::day::Day;
use crate::error::{Error, Result};
use crate::network::Network;
use crate::revenue::{ColumnMap, RevenueFormat, RevenueOptions, forget, import};

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
    /// Take a source's earnings (or some days of them) back out of .grove/stats.db.
    Forget(ForgetArgs),
}

/// Arguments of `grove revenue forget`.
#[derive(Debug, clap::Args)]
pub struct ForgetArgs {
    /// The source to forget (as imported: the format's name, or --source).
    #[arg(value_name = "SOURCE")]
    pub source: String,
    /// Only its earnings on or after this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only its earnings on or before this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Say what would be forgotten; change nothing.
    #[arg(long)]
    pub dry_run: bool,
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
    match args.command {
        RevenueCommand::Import(args) => run_import(network, args),
        RevenueCommand::Forget(args) => run_forget(network, args),
    }
}

fn run_forget(network: &Network, args: ForgetArgs) -> Result<()> {
    let period = (
        Day::parse_flag("--since", args.since)?,
        Day::parse_flag("--until", args.until)?,
    );
    let forgotten = forget(network, &args.source, period, args.dry_run)?;
    if forgotten.rows == 0 {
        say!(
            "no earnings of source `{}` in that period: nothing was forgotten",
            args.source
        );
        return Ok(());
    }
    let totals: Vec<String> = forgotten
        .totals
        .iter()
        .map(|(currency, amount)| format!("{amount:.2} {currency}"))
        .collect();
    say!(
        "{} {} row{} of source `{}`: {}",
        if args.dry_run {
            "would forget"
        } else {
            "forgot"
        },
        forgotten.rows,
        if forgotten.rows == 1 { "" } else { "s" },
        args.source,
        totals.join(", ")
    );
    Ok(())
}

fn run_import(network: &Network, args: ImportArgs) -> Result<()> {
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

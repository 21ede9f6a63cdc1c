//! `grove stats`: access logs into the network's stats database.

use crate::day::Day;
use crate::error::{Error, Result};
use crate::network::Network;
use crate::stats::{ForgetOptions, Format, ImportOptions, forget, import};
use crate::terminal::say;

/// Arguments of `grove stats`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub command: StatsCommand,
}

/// `grove stats` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum StatsCommand {
    /// Count access logs (plain, .gz, or - for standard input) into .grove/stats.db.
    Import(ImportArgs),
    /// Take what logs added back out of .grove/stats.db, so they can be imported again.
    Forget(ForgetArgs),
    /// Paths people asked for that answered 404; --suggest the page each meant, --accept to redirect it there.
    #[command(name = "404s")]
    NotFound(super::not_found::NotFoundArgs),
}

/// Arguments of `grove stats forget`.
#[derive(Debug, clap::Args)]
pub struct ForgetArgs {
    /// Logs to forget: files (recognized by their content, as an import
    /// recognizes them) or the names they were imported as.
    #[arg(value_name = "FILE")]
    pub files: Vec<String>,
    /// Only logs that counted something for this site.
    #[arg(long = "site", value_name = "NAME")]
    pub site: Option<String>,
    /// Only logs that counted something on or after this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only logs that counted something on or before this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Say what would be forgotten; change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Arguments of `grove stats import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Count every request for this site (logs of one site; needed for
    /// formats that do not name the host, in a network of several sites).
    #[arg(long = "site", value_name = "NAME")]
    pub site: Option<String>,
    /// The log format; detected from the first lines by default.
    #[arg(long, value_enum, default_value = "auto", value_name = "FORMAT")]
    pub format: FormatChoice,
    /// Log files, or folders of them (every file below, by name); - reads standard input.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,
}

/// `--format`: a format, or `auto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatChoice {
    /// Detect from the first lines.
    Auto,
    /// Apache/nginx Common Log Format.
    Common,
    /// Combined Log Format (Common plus referrer and user agent).
    Combined,
    /// Combined with the virtual host first (`%v:%p`).
    Vcombined,
    /// AWS CloudFront standard logs.
    Cloudfront,
    /// Cloudflare Logpush http_requests (JSON lines).
    Cloudflare,
    /// Caddy's JSON access log.
    Caddy,
}

impl FormatChoice {
    fn format(self) -> Option<Format> {
        match self {
            FormatChoice::Auto => None,
            FormatChoice::Common => Some(Format::Common),
            FormatChoice::Combined => Some(Format::Combined),
            FormatChoice::Vcombined => Some(Format::Vcombined),
            FormatChoice::Cloudfront => Some(Format::Cloudfront),
            FormatChoice::Cloudflare => Some(Format::Cloudflare),
            FormatChoice::Caddy => Some(Format::Caddy),
        }
    }
}

/// Runs `grove stats`.
pub fn run(network: &Network, args: Args) -> Result<()> {
    match args.command {
        StatsCommand::Import(args) => run_import(network, args),
        StatsCommand::Forget(args) => run_forget(network, args),
        StatsCommand::NotFound(args) => super::not_found::run(network, args),
    }
}

fn run_forget(network: &Network, args: ForgetArgs) -> Result<()> {
    let options = ForgetOptions {
        files: args.files,
        site: args.site,
        since: Day::parse_flag("--since", args.since)?,
        until: Day::parse_flag("--until", args.until)?,
        dry_run: args.dry_run,
    };
    let forgotten = forget(network, &options)?;
    if forgotten.is_empty() {
        say!("no imported log matches: nothing was forgotten");
        return Ok(());
    }
    let verb = if options.dry_run {
        "would forget"
    } else {
        "forgot"
    };
    for log in &forgotten {
        say!(
            "{verb} {}: {} import{}, {} lines, {} page views and {} clicks over {} site day{}",
            log.name,
            log.imports,
            if log.imports == 1 { "" } else { "s" },
            thousands(log.lines),
            thousands(log.views),
            thousands(log.clicks),
            log.days,
            if log.days == 1 { "" } else { "s" }
        );
        if log.visitors_kept > 0 {
            say!(
                "  visitors of {} day{} counted before Grove kept each import stay as they were (they cannot be counted again without it)",
                log.visitors_kept,
                if log.visitors_kept == 1 { "" } else { "s" }
            );
        }
    }
    if !options.dry_run {
        say!(
            "{} log{} forgotten: import {} again to count {}.",
            forgotten.len(),
            if forgotten.len() == 1 { "" } else { "s" },
            if forgotten.len() == 1 { "it" } else { "them" },
            if forgotten.len() == 1 { "it" } else { "them" }
        );
    }
    Ok(())
}

fn run_import(network: &Network, args: ImportArgs) -> Result<()> {
    let options = ImportOptions {
        site: args.site,
        format: args.format.format(),
        files: args.files,
    };
    let reports = import(network, &options)?;
    let mut problems = 0;
    for report in &reports {
        say!(
            "{} ({}): {} new line{}{}",
            report.name,
            report.format.name(),
            thousands(report.lines),
            if report.lines == 1 { "" } else { "s" },
            if report.skipped_lines > 0 {
                format!(
                    " ({} counted before, skipped)",
                    thousands(report.skipped_lines)
                )
            } else {
                String::new()
            }
        );
        say!(
            "  {} page views, {} clicks, {} not found, {} crawler requests",
            thousands(report.views),
            thousands(report.clicks),
            thousands(report.not_found),
            thousands(report.crawler_hits)
        );
        if report.malformed > 0 {
            say!(
                "  {} malformed line{} (not counted):",
                thousands(report.malformed),
                if report.malformed == 1 { "" } else { "s" }
            );
            for (line, text) in &report.malformed_examples {
                say!("    line {line}: {text}");
            }
        }
        if !report.unknown_hosts.is_empty() {
            let shown: Vec<String> = report
                .unknown_hosts
                .iter()
                .take(5)
                .map(|(host, hits)| format!("{host} ({})", thousands(*hits)))
                .collect();
            say!(
                "  requests for hosts no site has (not counted): {}{}",
                shown.join(", "),
                if report.unknown_hosts.len() > 5 {
                    format!(" and {} more", report.unknown_hosts.len() - 5)
                } else {
                    String::new()
                }
            );
        }
        if report.outside_base_path > 0 {
            say!(
                "  {} requests outside the sites' base paths (not counted)",
                thousands(report.outside_base_path)
            );
        }
        if report.unfinished_line {
            say!("  the last line has no line end yet; the next import counts it");
        }
        if let Some(why) = &report.refused {
            problems += 1;
            say!("  refused: {why}");
        }
        if report.shorter {
            problems += 1;
            say!(
                "  this log is shorter than when it was imported before (truncated?); nothing was counted"
            );
        }
    }
    if problems > 0 {
        return Err(Error::Usage(format!(
            "{problems} log{} could not be imported (see above)",
            if problems == 1 { "" } else { "s" }
        )));
    }
    Ok(())
}

/// `1234567` -> `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

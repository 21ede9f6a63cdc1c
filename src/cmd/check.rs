//! `grove check`: broken internal links, anchors, external and affiliate
//! destinations of every selected site.

use crate::state;
use crate::terminal::say;
use std::time::Duration;

use crate::check::{CheckOptions, CheckRecord, LinkState, check};
use crate::error::{Error, Result};
use crate::network::{Network, Shard};

/// Arguments of `grove check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Check only this site (repeat for several).
    #[arg(long = "site", value_name = "NAME")]
    pub sites: Vec<String>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Seconds to wait for each external URL.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub timeout: f64,
    /// Most external URLs checked at once.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub concurrency: usize,
    /// Check internal links and anchors only; no network.
    #[arg(long)]
    pub offline: bool,
    /// Check part I of N of the sites (as `grove build --shard`), e.g. 2/4.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<Shard>,
}

/// Runs `grove check`.
pub fn run(network: &Network, args: Args) -> Result<()> {
    let options = CheckOptions {
        sites: args.sites,
        timeout: Duration::from_secs_f64(args.timeout.max(0.1)),
        concurrency: args.concurrency,
        offline: args.offline,
        shard: args.shard,
    };
    let reports = check(network, &options)?;
    CheckRecord::update(&state::dir(&network.root), &reports, !options.offline)?;
    let broken_sites = reports.iter().filter(|r| r.has_broken()).count();
    if args.json {
        println!(
            "{}",
            crate::terminal::clean_json(
                &serde_json::to_string_pretty(&reports).expect("reports serialize")
            )
        );
    } else {
        for report in &reports {
            let (mut ok, mut redirected, mut broken) = (0, 0, 0);
            say!(
                "{}: {} pages, {} external links",
                report.site,
                report.pages,
                report.external.len()
            );
            for problem in &report.internal {
                say!(
                    "  broken    {} on /{}: {}",
                    problem.href,
                    problem.page,
                    problem.problem
                );
            }
            for link in &report.external {
                let on = link
                    .pages
                    .first()
                    .map(|p| format!(" on /{p}"))
                    .unwrap_or_default();
                let more = if link.pages.len() > 1 {
                    format!(" (+{} more)", link.pages.len() - 1)
                } else {
                    String::new()
                };
                match &link.state {
                    Some(LinkState::Ok { .. }) | None => ok += 1,
                    Some(LinkState::Redirected { status, location }) => {
                        redirected += 1;
                        let to = location.as_deref().unwrap_or("?");
                        say!("  redirect  {} -> {to} ({status}){on}{more}", link.url);
                    }
                    Some(LinkState::Broken { reason }) => {
                        broken += 1;
                        say!("  broken    {} ({reason}){on}{more}", link.url);
                    }
                }
            }
            let checked = if options.offline {
                "not checked (--offline)"
            } else {
                "ok"
            };
            say!(
                "  {} internal problem{}; external: {broken} broken, {redirected} redirected, {ok} {checked}",
                report.internal.len(),
                if report.internal.len() == 1 { "" } else { "s" }
            );
        }
    }
    if broken_sites > 0 {
        return Err(Error::Usage(format!(
            "{broken_sites} site{} with broken links",
            if broken_sites == 1 { "" } else { "s" }
        )));
    }
    Ok(())
}

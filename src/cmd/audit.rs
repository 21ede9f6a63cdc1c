//! `grove audit`: near-copies, boilerplate, thin pages and model leftovers
//! across the whole network, before anything is published.

use crate::state;
use crate::terminal::plural;
use crate::terminal::say;
use std::io::Write;

use crate::audit::{Audit, AuditOptions, AuditRecord, Finding, Severity, audit};
use crate::error::{Error, Result};
use crate::network::Network;

/// Arguments of `grove audit`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Report only this site's pages (repeat for several); they are still
    /// compared with the whole network.
    #[arg(long = "site", value_name = "NAME")]
    pub sites: Vec<String>,
    /// Audit pages marked draft = true as well.
    #[arg(long)]
    pub drafts: bool,
    /// Print the findings as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `grove audit`; fails when an error finding is present.
pub fn run(network: &Network, args: Args) -> Result<()> {
    let options = AuditOptions {
        sites: args.sites,
        drafts: args.drafts,
    };
    let audit = audit(network, &options)?;
    AuditRecord::update(&state::dir(&network.root), &audit, options.drafts)?;
    if args.json {
        let mut json = Vec::new();
        audit
            .write_json(&mut json)
            .map_err(|e| Error::Usage(format!("cannot write the report: {e}")))?;
        let json = String::from_utf8_lossy(&json);
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", crate::terminal::clean_json(&json))
            .and_then(|()| out.flush())
            .map_err(|e| Error::Usage(format!("cannot write the report: {e}")))?;
    } else {
        print_report(&audit);
    }
    let errors = audit.count(Severity::Error);
    if errors > 0 {
        return Err(Error::Usage(format!(
            "{errors} error finding{}: fix the pages, or acknowledge deliberate ones with audit_allow in their front matter",
            plural(errors)
        )));
    }
    Ok(())
}

/// The text report: findings grouped by site, most severe first.
fn print_report(audit: &Audit) {
    for (site, pages) in &audit.sites {
        let findings: Vec<&Finding> = audit.findings.iter().filter(|f| &f.site == site).collect();
        let errors = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        say!(
            "{site}: {pages} page{}, {errors} error{}, {} warning{}",
            plural(*pages),
            plural(errors),
            findings.len() - errors,
            plural(findings.len() - errors)
        );
        for finding in findings {
            say!("  {}", finding.line_for_terminal());
        }
    }
    let (errors, warnings) = (audit.count(Severity::Error), audit.count(Severity::Warning));
    say!(
        "Audited {} page{} in {} site{}: {errors} error{}, {warnings} warning{}.",
        audit.pages,
        plural(audit.pages),
        audit.sites.len(),
        plural(audit.sites.len()),
        plural(errors),
        plural(warnings)
    );
}

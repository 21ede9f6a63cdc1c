//! `grove review`: drafts waiting for a person, with warnings and the
//! audit's findings on each.

use crate::audit::{Audit, AuditOptions, audit, root_relative};
use crate::draft::review::drafts;
use crate::error::{Result, display_path};
use crate::network::Network;
use crate::terminal::{say, tell};

/// Arguments of `grove review`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this site (repeat for several).
    #[arg(long = "site", value_name = "NAME")]
    pub sites: Vec<String>,
}

/// Runs `grove review`.
pub fn run(network: &Network, args: Args) -> Result<()> {
    let sites = network.select(&args.sites, None)?;
    let found = drafts(network, &sites)?;
    let audit = if found.is_empty() {
        None
    } else {
        audit_drafts(network, &args.sites)
    };
    let mut flagged = 0;
    for draft in &found {
        let target = draft
            .target_words
            .map(|t| format!(" / {t}"))
            .unwrap_or_default();
        say!(
            "{}  \"{}\"  {} words{target}",
            display_path(&draft.path).display(),
            draft.title,
            draft.words
        );
        for warning in &draft.warnings {
            say!("    warning: {warning}");
        }
        let file = root_relative(network, &draft.path).unwrap_or_default();
        let findings: Vec<_> = audit
            .iter()
            .flat_map(|a| a.findings_on(&file))
            .filter(|f| f.site == draft.site)
            .collect();
        for finding in &findings {
            say!("    audit: {}", finding.line_for_terminal());
        }
        if !draft.warnings.is_empty() || !findings.is_empty() {
            flagged += 1;
        }
    }
    say!(
        "{} draft{} awaiting review, {flagged} with warnings or findings. Publish with `grove approve PATH...`.",
        found.len(),
        if found.len() == 1 { "" } else { "s" }
    );
    Ok(())
}

/// The audit with drafts; when it cannot run (a page that does not
/// render), review goes on without it and says why.
fn audit_drafts(network: &Network, sites: &[String]) -> Option<Audit> {
    let options = AuditOptions {
        sites: sites.to_vec(),
        drafts: true,
    };
    match audit(network, &options) {
        Ok(audit) => Some(audit),
        Err(error) => {
            tell!("note: no audit findings, since the network does not load: {error}");
            None
        }
    }
}

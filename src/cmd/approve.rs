//! `grove approve`: publish drafts (set `draft = false`), unless the
//! quality gate finds an error on them.

use std::path::{Path, PathBuf};

use crate::audit::{Audit, AuditOptions, Finding, audit, root_relative};
use crate::cmd::audit::describe;
use crate::draft::review::{approved_text, resolve_paths};
use crate::error::{Error, Result, display_path};
use crate::network::{Gate, Network};
use crate::output::write_atomic;

/// Arguments of `grove approve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Draft files to publish.
    pub paths: Vec<PathBuf>,
    /// Publish every draft of this site (repeat for several).
    #[arg(long = "site", value_name = "NAME")]
    pub sites: Vec<String>,
    /// Publish even drafts with audit errors (near-copies, model phrases).
    #[arg(long)]
    pub force: bool,
}

/// Runs `grove approve`.
pub fn run(network: &Network, args: Args) -> Result<()> {
    if args.paths.is_empty() && args.sites.is_empty() {
        return Err(Error::Usage(
            "name the draft files to approve, or --site NAME to approve all drafts of a site"
                .into(),
        ));
    }
    let sites = network.select(&args.sites, None)?;
    let paths = resolve_paths(network, &args.paths, &sites)?;
    let gated = network
        .sites
        .iter()
        .any(|site| site.gate(&network.config) >= Gate::Warn);
    let audit = if gated && !args.force && !paths.is_empty() {
        Some(gate_audit(network)?)
    } else {
        None
    };
    let (mut approved, mut refused) = (0, 0);
    for path in paths {
        let Some(text) = approved_text(&path)? else {
            println!("not a draft: {}", display_path(&path).display());
            continue;
        };
        if let Some(audit) = &audit {
            let blocking = blocking_findings(network, audit, &path);
            if !blocking.is_empty() {
                refused += 1;
                println!(
                    "refused {}: the quality gate found {} error{}:",
                    display_path(&path).display(),
                    blocking.len(),
                    if blocking.len() == 1 { "" } else { "s" }
                );
                for finding in blocking {
                    println!("    {}", describe(finding));
                }
                continue;
            }
        }
        write_atomic(&path, text.as_bytes())?;
        approved += 1;
        println!("approved {}", display_path(&path).display());
    }
    println!("{approved} approved; they are published by the next `grove build`.");
    if refused > 0 {
        return Err(Error::Usage(format!(
            "{refused} draft{} refused by the quality gate: fix the findings, acknowledge deliberate ones with audit_allow in the page's front matter, or approve with --force",
            if refused == 1 { "" } else { "s" }
        )));
    }
    Ok(())
}

/// The whole network audited with drafts, for the gate.
fn gate_audit(network: &Network) -> Result<Audit> {
    let options = AuditOptions {
        sites: Vec::new(),
        drafts: true,
    };
    audit(network, &options).map_err(|error| {
        Error::Usage(format!(
            "the quality gate cannot audit the network, so nothing was approved: {error}\n(fix that, or approve with --force)"
        ))
    })
}

/// Error findings on `path` in sites whose gate is on.
fn blocking_findings<'a>(network: &Network, audit: &'a Audit, path: &Path) -> Vec<&'a Finding> {
    let Some(file) = root_relative(network, path) else {
        return Vec::new();
    };
    audit
        .blocking(network, Gate::Warn)
        .into_iter()
        .filter(|finding| finding.file == file)
        .collect()
}

//! `grove deploy`: built sites to their targets, only what changed.

use crate::deploy::{DeployOptions, SiteDeploy, deploy};
use crate::error::{Error, Result};
use crate::network::Network;
use crate::terminal::{say, say_part};

/// Arguments of `grove deploy`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this site (repeat for several).
    #[arg(long = "site", value_name = "NAME")]
    pub sites: Vec<String>,
    /// Say what would be written and deleted; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Delete more files than [deploy] max_deletes (default 256) allows.
    #[arg(long)]
    pub force: bool,
    /// Deploy to this target instead of the configured one
    /// ("/srv/www/{{ site.name }}", "s3://bucket/{{ site.name }}", ...).
    #[arg(long, value_name = "URL")]
    pub to: Option<String>,
    /// Do not fetch a sample of the files back from the live site.
    #[arg(long)]
    pub no_verify: bool,
    /// Do not tell IndexNow which pages changed.
    #[arg(long)]
    pub no_indexnow: bool,
    /// Print what moved as JSON: {"sites": [{"site", "uploaded", "deleted", "unchanged", ...}]}.
    #[arg(long)]
    pub json: bool,
}

/// Runs `grove deploy`.
pub fn run(network: &Network, args: Args) -> Result<()> {
    let options = DeployOptions {
        sites: args.sites,
        dry_run: args.dry_run,
        force: args.force,
        no_verify: args.no_verify,
        no_indexnow: args.no_indexnow,
        to: args.to,
    };
    let done = deploy(network, &options)?;
    if args.json {
        let value = serde_json::json!({ "sites": done, "dry_run": args.dry_run });
        say_part!(
            "{}\n",
            serde_json::to_string_pretty(&value).expect("serializes")
        );
        return mismatches(&done);
    }
    let verb = if args.dry_run {
        "would upload"
    } else {
        "uploaded"
    };
    for site in &done {
        say!(
            "{} -> {}: {verb} {}, {} {}, {} unchanged",
            site.site,
            site.target,
            site.uploaded,
            if args.dry_run {
                "would delete"
            } else {
                "deleted"
            },
            site.deleted,
            site.unchanged
        );
        for note in &site.notes {
            say!("  note: {note}");
        }
        if !site.kept_unknown.is_empty() {
            let shown: Vec<&str> = site
                .kept_unknown
                .iter()
                .take(10)
                .map(String::as_str)
                .collect();
            let more = site.kept_unknown.len() - shown.len();
            say!(
                "  left {} object{} the build does not have and Grove has no record of writing (no manifest here, no mark of this site): {}{}",
                site.kept_unknown.len(),
                if site.kept_unknown.len() == 1 {
                    ""
                } else {
                    "s"
                },
                shown.join(", "),
                if more > 0 {
                    format!(" and {more} more (--json lists them)")
                } else {
                    String::new()
                }
            );
        }
        if let Some(verified) = &site.verified {
            match &verified.unreachable {
                Some(why) => say!("  not verified: the live site does not answer ({why})"),
                None => say!(
                    "  verified {} file{} on the live site, {} differ{}",
                    verified.checked,
                    if verified.checked == 1 { "" } else { "s" },
                    verified.mismatched.len(),
                    if verified.mismatched.len() == 1 {
                        "s"
                    } else {
                        ""
                    }
                ),
            }
            for (url, problem) in &verified.mismatched {
                say!("    {url}: {problem}");
            }
        }
        if let Some(release) = &site.release {
            say!(
                "  {}: {} file{} sent",
                release.id,
                release.sent,
                if release.sent == 1 { "" } else { "s" }
            );
        }
        if let Some(cdn) = &site.cdn {
            match cdn.invalidated.as_slice() {
                [] => say!("  {}: everything purged", cdn.cdn),
                paths => say!("  {}: {} paths invalidated", cdn.cdn, paths.len()),
            }
        }
        if let Some(indexnow) = &site.indexnow {
            say!(
                "  IndexNow: {} page URL{} submitted",
                indexnow.submitted,
                if indexnow.submitted == 1 { "" } else { "s" }
            );
            if let Some(error) = &indexnow.error {
                say!("  IndexNow: {error}; the rest are kept and sent with the next deploy");
            }
        }
    }
    mismatches(&done)
}

/// Fails when a deployed file is served otherwise by the live site.
fn mismatches(done: &[SiteDeploy]) -> Result<()> {
    let wrong: usize = done
        .iter()
        .filter_map(|site| site.verified.as_ref())
        .map(|v| v.mismatched.len())
        .sum();
    if wrong > 0 {
        return Err(Error::Usage(format!(
            "{wrong} deployed file{} served otherwise by the live site: check the host's or CDN's cache, or that base_url points at this target",
            if wrong == 1 { " is" } else { "s are" }
        )));
    }
    Ok(())
}

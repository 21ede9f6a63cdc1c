//! `grove replicate`: a page that performs, as a brief for other niches.

use crate::terminal::say;
use std::path::PathBuf;

use crate::error::{Error, Result, display_path};
use crate::network::Network;
use crate::replicate::{ReplicateOptions, replicate};

/// Arguments of `grove replicate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The page to replicate (sites/<name>/content/...).
    pub page: PathBuf,
    /// A site to write a brief for (repeat for several).
    #[arg(long = "to", value_name = "SITE")]
    pub to: Vec<String>,
    /// Every site but the page's own.
    #[arg(long, conflicts_with = "to")]
    pub all: bool,
    /// Write one brief into the blueprint's content/briefs.toml, in the
    /// sites' variables, instead of one per site.
    #[arg(long)]
    pub blueprint: bool,
    /// The article kind (a prompt in prompts/), when the page does not say.
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// Show the briefs; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Write briefs that still hold words of the source site's niche
    /// (listed), which are refused otherwise.
    #[arg(long)]
    pub force: bool,
}

/// Runs `grove replicate`.
pub fn run(network: &Network, args: Args) -> Result<()> {
    let options = ReplicateOptions {
        page: args.page,
        to: args.to,
        all: args.all,
        blueprint: args.blueprint,
        kind: args.kind,
        dry_run: args.dry_run,
        force: args.force,
    };
    let replicas = replicate(network, &options)?;
    let verb = if options.dry_run {
        "would write"
    } else {
        "wrote"
    };
    let mut refused = 0;
    for replica in &replicas {
        let target = replica.site.as_deref().unwrap_or("the blueprint");
        let file = display_path(&replica.file);
        match &replica.result {
            Ok(text) => {
                say!("{verb} a brief for {target} to {}:{text}", file.display());
                if !replica.leaks.is_empty() {
                    say!(
                        "warning: it still says what the source site is about (written with --force):\n    {}",
                        replica.leaks.join("\n    ")
                    );
                }
            }
            Err(why) => {
                refused += 1;
                say!("refused for {target}: {why}");
            }
        }
    }
    if replicas.iter().any(|r| r.same_title && r.result.is_ok()) {
        say!(
            "note: the title names nothing the sites' variables say (niche, title, audience, [vars]); give each brief a title for its niche before drafting"
        );
    }
    let written = replicas.len() - refused;
    say!(
        "{written} brief{} {}; `grove draft` drafts them, and `grove audit` compares the drafts with the page.",
        if written == 1 { "" } else { "s" },
        if options.dry_run {
            "to write"
        } else {
            "written"
        }
    );
    if refused > 0 {
        return Err(Error::Usage(format!(
            "{refused} target{} refused (see above): an existing brief or page is never overwritten, and a brief holding another niche's words is written only with --force",
            if refused == 1 { "" } else { "s" }
        )));
    }
    Ok(())
}

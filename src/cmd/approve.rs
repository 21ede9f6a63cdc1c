//! `grove approve`: publish drafts (set `draft = false`), unless the
//! quality gate finds an error on them; with a pace (`--schedule` or a
//! site's `publish_per_day`), give them publication dates spread out at
//! that pace instead of publishing them at once.

use crate::state;
use crate::terminal::say;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::audit::{Audit, AuditOptions, Finding, audit, root_relative};
use crate::draft::refresh;
use crate::draft::review::{approved_text, resolve_paths, template_code};
use crate::draft::schedule::{Pace, spread, taken_days};
use crate::error::{Error, Result, display_path};
use crate::network::{Gate, Network};
use crate::output::write_atomic;
use crate::run_lock::{self, RunLock};

/// Arguments of `grove approve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Draft files to publish.
    pub paths: Vec<PathBuf>,
    /// Publish every draft of this site (repeat for several).
    #[arg(long = "site", value_name = "NAME")]
    pub sites: Vec<String>,
    /// Publish even drafts with audit errors (near-copies, model phrases)
    /// or with template code that can build markup.
    #[arg(long)]
    pub force: bool,
    /// Spread the drafts over the coming days at this pace, per site:
    /// "N per day" (default: the site's publish_per_day, else at once).
    #[arg(long, value_name = "PACE")]
    pub schedule: Option<Pace>,
    /// First publication day for --schedule (YYYY-MM-DD; default today).
    #[arg(long, value_name = "DATE", requires = "schedule")]
    pub start: Option<NaiveDate>,
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
    // Held from before the drafts are read: two approves at once would
    // give drafts the same days.
    let _lock = RunLock::wait(&state::dir(&network.root), run_lock::APPROVE)?;
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
    // Drafts that may be approved, by the content folder holding them.
    let mut queues: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    let mut refused = 0;
    let today = chrono::Utc::now().date_naive();
    let mut swapped = 0;
    for path in paths {
        if approved_text(&path, None)?.is_none() {
            say!("not a draft: {}", display_path(&path).display());
            continue;
        }
        if !args.force {
            let code = template_code_of(&path)?;
            if !code.is_empty() {
                refused += 1;
                say!(
                    "refused {}: it holds template code that can print markup no sanitizer saw:",
                    display_path(&path).display()
                );
                for (line, code) in code {
                    say!("    {}:{line}: `{code}`", display_path(&path).display());
                }
                continue;
            }
        }
        if let Some(audit) = &audit {
            let blocking = blocking_findings(network, audit, &path);
            if !blocking.is_empty() {
                refused += 1;
                say!(
                    "refused {}: the quality gate found {} error{}:",
                    display_path(&path).display(),
                    blocking.len(),
                    if blocking.len() == 1 { "" } else { "s" }
                );
                for finding in blocking {
                    say!("    {}", finding.line_for_terminal());
                }
                continue;
            }
        }
        // A refresh goes live at once, in place of its page.
        if let Some(live) = refresh::refreshes(&path)? {
            let done = refresh::swap(
                &network.root,
                &state::dir(&network.root),
                &path,
                &live,
                today,
            )?;
            swapped += 1;
            say!(
                "approved {}: swapped into {} (same URL, updated {today}){}",
                display_path(&path).display(),
                display_path(&done.live).display(),
                done.backup.map_or(String::new(), |kept| format!(
                    "; the old version is kept in {}",
                    display_path(&kept).display()
                ))
            );
            continue;
        }
        queues
            .entry(content_folder(network, &path))
            .or_default()
            .push(path);
    }
    let start = args.start.unwrap_or(today);
    let taxonomies: Vec<&str> = network
        .config
        .network
        .taxonomies
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    let mut approved = swapped;
    let mut scheduled: Vec<NaiveDate> = Vec::new();
    for (folder, drafts) in &queues {
        let pace = args.schedule.or_else(|| site_pace(network, folder));
        let days: Vec<Option<NaiveDate>> = match pace {
            Some(pace) => {
                let taken = taken_days(folder, start, drafts, &taxonomies)?;
                spread(start, pace, &taken, drafts.len())
                    .into_iter()
                    .map(Some)
                    .collect()
            }
            None => vec![None; drafts.len()],
        };
        for (path, day) in drafts.iter().zip(days) {
            let text = approved_text(path, day)?.expect("checked to be a draft above");
            write_atomic(path, text.as_bytes())?;
            approved += 1;
            match day {
                Some(day) => {
                    scheduled.push(day);
                    say!("approved {} for {day}", display_path(path).display());
                }
                None => say!("approved {}", display_path(path).display()),
            }
        }
    }
    match (scheduled.iter().min(), scheduled.iter().max()) {
        (Some(first), Some(last)) => say!(
            "{approved} approved; {} scheduled from {first} to {last}: each goes out with the first `grove build` on or after its date.",
            scheduled.len()
        ),
        _ if approved == 0 => say!("0 approved: nothing is published."),
        _ => say!(
            "{approved} approved; {} published by the next `grove build`.",
            if approved == 1 { "it is" } else { "they are" }
        ),
    }
    if refused > 0 {
        return Err(Error::Usage(format!(
            "{refused} draft{} refused: fix what is listed above (template code: write it as text, e.g. {{{{ \"{{{{\" }}}}; gate findings: fix them or acknowledge deliberate ones with audit_allow in the page's front matter), or approve with --force",
            if refused == 1 { "" } else { "s" }
        )));
    }
    Ok(())
}

/// Template code that can build markup in the draft at `path`, by line.
fn template_code_of(path: &Path) -> Result<Vec<(usize, String)>> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| Error::io(path, "cannot read file", source))?;
    Ok(template_code(&text))
}

/// The content folder a draft belongs to: a site's, or the blueprint's.
/// Each is scheduled on its own.
fn content_folder(network: &Network, path: &Path) -> PathBuf {
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    network
        .sites
        .iter()
        .map(|site| site.dir.join("content"))
        .chain([network.root.join("content")])
        .find(|folder| {
            folder
                .canonicalize()
                .is_ok_and(|folder| canonical.starts_with(folder))
        })
        .unwrap_or_else(|| network.root.join("content"))
}

/// The `publish_per_day` of the site owning `folder`.
fn site_pace(network: &Network, folder: &Path) -> Option<Pace> {
    network
        .sites
        .iter()
        .find(|site| site.dir.join("content") == folder)
        .and_then(|site| site.config.publish_per_day)
        .map(|n| Pace(n.get()))
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

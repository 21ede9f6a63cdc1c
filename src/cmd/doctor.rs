//! `grove doctor`: check a network's setup and say what to do.

use crate::terminal::say;
use std::path::Path;

use crate::doctor::{Severity, examine};
use crate::error::{Error, Result};

/// Arguments of `grove doctor`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `grove doctor`: prints one line per check, with what to do under
/// each warning and problem; fails when there is a problem.
pub fn run(root: &Path, _args: Args) -> Result<()> {
    let findings = examine(root);
    for finding in &findings {
        let label = match finding.severity {
            Severity::Ok => "ok",
            Severity::Warning => "warning",
            Severity::Problem => "problem",
        };
        say!("{label:<8} {}: {}", finding.subject, finding.message);
        if let Some(fix) = &finding.fix {
            say!("         -> {fix}");
        }
    }
    let count = |severity| findings.iter().filter(|f| f.severity == severity).count();
    let (problems, warnings) = (count(Severity::Problem), count(Severity::Warning));
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    if problems > 0 {
        return Err(Error::Usage(format!(
            "{problems} problem{}, {warnings} warning{}: see the lines marked `problem` above",
            plural(problems),
            plural(warnings)
        )));
    }
    say!(
        "No problems{}",
        if warnings > 0 {
            format!(", {warnings} warning{}", plural(warnings))
        } else {
            String::new()
        }
    );
    Ok(())
}

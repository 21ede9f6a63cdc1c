//! `grove stats 404s`: the paths people asked for that answered 404,
//! with `--suggest` the page each most likely meant, and with `--accept`
//! those suggestions written as `aliases` (redirects on the next build).

use crate::day::Day;
use crate::error::{Error, Result};
use crate::network::Network;
use crate::redirects::aliases::{Added, add_alias};
use crate::redirects::{Missing, NotFoundOptions, not_found};
use crate::terminal::{say, say_part};

/// Arguments of `grove stats 404s`.
#[derive(Debug, clap::Args)]
pub struct NotFoundArgs {
    /// Only this site (repeat for several).
    #[arg(long = "site", value_name = "NAME")]
    pub sites: Vec<String>,
    /// First day, YYYY-MM-DD (default: 29 days before --until).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Last day, YYYY-MM-DD (default: the last day with traffic).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Only paths asked for at least this often.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub min: u64,
    /// Suggest the existing page each path most likely meant.
    #[arg(long)]
    pub suggest: bool,
    /// Write the suggestions (all, or those of the PATHs named) as aliases of their pages: the next build redirects each path to its page.
    #[arg(long, value_name = "PATH", num_args = 0.., requires = "suggest")]
    pub accept: Option<Vec<String>>,
    /// Print the list as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `grove stats 404s`.
pub fn run(network: &Network, args: NotFoundArgs) -> Result<()> {
    let options = NotFoundOptions {
        sites: args.sites,
        since: Day::parse_flag("--since", args.since)?,
        until: Day::parse_flag("--until", args.until)?,
        min: args.min,
    };
    let (since, until, mut missing) = not_found(network, &options)?;
    if !args.suggest {
        for m in &mut missing {
            m.suggestion = None;
            m.why = None;
        }
    }
    if args.json {
        let value = serde_json::json!({ "since": since, "until": until, "not_found": missing });
        say_part!(
            "{}\n",
            serde_json::to_string_pretty(&value).expect("serializes")
        );
    } else {
        print(&missing, since, until);
    }
    if let Some(paths) = args.accept {
        accept(network, &missing, &paths)?;
    }
    Ok(())
}

fn print(missing: &[Missing], since: Day, until: Day) {
    say!("404s from {since} to {until} (requests by people, most first):");
    for m in missing {
        let what = match (&m.suggestion, &m.why) {
            (Some(s), _) => format!(" -> {} ({}, {:.0}% alike)", s.page, s.file, s.score * 100.0),
            (None, Some(why)) => format!(" ({why})"),
            (None, None) => String::new(),
        };
        say!("  {:>7}  {} {}{what}", m.count, m.site, m.path);
    }
    if missing.is_empty() {
        say!("  none");
    }
}

fn accept(network: &Network, missing: &[Missing], paths: &[String]) -> Result<()> {
    let chosen: Vec<&Missing> = missing
        .iter()
        .filter(|m| m.suggestion.is_some())
        .filter(|m| paths.is_empty() || paths.iter().any(|p| p == &m.path))
        .collect();
    if let Some(unknown) = paths.iter().find(|p| !chosen.iter().any(|m| &m.path == *p)) {
        return Err(Error::Usage(format!(
            "no suggestion for `{unknown}`: run `grove stats 404s --suggest` to see the paths that have one"
        )));
    }
    let mut written = 0;
    for m in chosen {
        let s = m.suggestion.as_ref().expect("filtered");
        let path = network.root.join(&s.file);
        let own = network
            .sites
            .iter()
            .any(|site| site.name == m.site && path.starts_with(site.dir.join("content")));
        if !own {
            say!(
                "left {} alone: a blueprint page, shared by every site (copy it into sites/{}/content/ to give this site the redirect)",
                s.file,
                m.site
            );
            continue;
        }
        match add_alias(&path, &m.path) {
            Ok(Added::Written) => {
                written += 1;
                say!(
                    "{}: {} now redirects to {} (aliases in {})",
                    m.site,
                    m.path,
                    s.page,
                    s.file
                );
            }
            Ok(Added::AlreadyThere) => {
                say!("{}: {} is already an alias of {}", m.site, m.path, s.page)
            }
            Err(error) => say!("left {} alone: {error}", s.file),
        }
    }
    say!(
        "{written} alias{} written; `grove build` makes the redirects.",
        if written == 1 { "" } else { "es" }
    );
    Ok(())
}

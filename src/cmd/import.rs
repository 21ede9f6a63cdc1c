//! `grove import`: move an existing Hugo, Zola or WordPress site in.

use crate::terminal::{say, say_part};
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::import::{ImportOptions, SourceKind, import};
use crate::network::Network;

/// Arguments of `grove import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The generator the site was made with.
    #[arg(value_enum)]
    pub kind: SourceKind,
    /// The site's folder (Hugo, Zola) or export file (WordPress: Tools > Export > All content).
    pub source: PathBuf,
    /// The Grove site to create or update: sites/NAME/.
    #[arg(long, value_name = "NAME")]
    pub site: String,
    /// Show the report without writing anything.
    #[arg(long)]
    pub dry_run: bool,
}

/// Runs `grove import`.
pub fn run(network: &Network, args: Args) -> Result<()> {
    let options = ImportOptions {
        kind: args.kind,
        source: args.source,
        site: args.site,
        dry_run: args.dry_run,
    };
    let report = import(network, &options)?;
    say_part!("{}", report.summary());
    if options.dry_run {
        say!("Dry run: nothing was written.");
    } else if report.does_not_build() {
        return Err(Error::Usage(format!(
            "the files are in sites/{0}/, but the site does not build (errors above; the full report is in .grove/import-{0}.md): fix them, then run `grove build --site {0}`",
            options.site
        )));
    } else {
        say!(
            "Imported into sites/{0}/; the full report is in .grove/import-{0}.md. Build it with `grove build --site {0}`.",
            options.site
        );
    }
    Ok(())
}

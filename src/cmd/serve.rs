//! `grove serve`: preview with live reload.

use std::net::IpAddr;
use std::path::PathBuf;

use crate::error::Result;
use crate::serve::{ServeOptions, serve};

/// Arguments of `grove serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Serve only this site (repeat for several).
    #[arg(long = "site", value_name = "NAME")]
    pub sites: Vec<String>,
    /// First port; with several sites the index is here and sites follow (0: any free ports).
    #[arg(long, short, default_value_t = 1111)]
    pub port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Include pages marked draft = true.
    #[arg(long)]
    pub drafts: bool,
    /// Include pages dated in the future (scheduled).
    #[arg(long)]
    pub future: bool,
    /// Build the preview into DIR instead of a temporary folder.
    #[arg(long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Open the preview in a browser.
    #[arg(long)]
    pub open: bool,
}

/// Runs `grove serve`.
pub fn run(root: PathBuf, args: Args) -> Result<()> {
    serve(
        root,
        ServeOptions {
            sites: args.sites,
            port: args.port,
            bind: args.bind,
            drafts: args.drafts,
            future: args.future,
            output: args.output,
            open: args.open,
        },
    )
}

//! `grove completions` and `grove man`: shell completions and manual
//! pages made from the command line's own definition, as ripgrep, Hugo
//! and Zola offer them.

use std::io::Write;
use std::path::PathBuf;

use clap::CommandFactory;

use super::Cli;
use crate::error::{Error, Result};

/// Arguments of `grove completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Prints the completion script for a shell: `grove completions bash >
/// ~/.local/share/bash-completion/completions/grove`.
pub fn completions(args: CompletionsArgs) -> Result<()> {
    let mut command = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut command, "grove", &mut out);
    out.flush()
        .map_err(|source| Error::io("<stdout>", "cannot write", source))
}

/// Arguments of `grove man`.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write `grove.1` and one page per subcommand (`grove-build.1`, ...)
    /// into this folder instead of printing `grove.1`.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Prints the manual page, or writes every page into a folder.
pub fn man(args: ManArgs) -> Result<()> {
    let command = Cli::command();
    let Some(dir) = args.dir else {
        let mut page = Vec::new();
        render(&command, &mut page)?;
        let mut out = std::io::stdout().lock();
        return out
            .write_all(&page)
            .and_then(|()| out.flush())
            .map_err(|source| Error::io("<stdout>", "cannot write", source));
    };
    std::fs::create_dir_all(&dir)
        .map_err(|source| Error::io(&dir, "cannot create folder", source))?;
    let mut pages = vec![("grove.1".to_string(), command.clone())];
    for sub in command.get_subcommands() {
        let name = format!("grove-{}", sub.get_name());
        pages.push((format!("{name}.1"), sub.clone().name(name)));
    }
    for (file, page_command) in pages {
        let mut page = Vec::new();
        render(&page_command, &mut page)?;
        crate::output::write_atomic(&dir.join(file), &page)?;
    }
    Ok(())
}

fn render(command: &clap::Command, out: &mut Vec<u8>) -> Result<()> {
    clap_mangen::Man::new(command.clone())
        .render(out)
        .map_err(|source| Error::io("<manual page>", "cannot render", source))
}

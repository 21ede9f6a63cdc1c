use std::process::ExitCode;

use clap::Parser;
use grove::Error;
use grove::cmd::{Cli, run};

/// mimalloc: allocation and freeing were about 20% of a build with glibc's
/// allocator (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Like other Unix tools, end quietly when the reader of our output goes
    // away (`grove report | head`) instead of panicking on a broken pipe.
    #[cfg(unix)]
    // SAFETY: called before any other thread exists; SIG_DFL is a valid handler.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Error::Many(errors)) => {
            for error in &errors {
                eprintln!("error: {error}");
            }
            eprintln!("{} errors; nothing was written", errors.len());
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

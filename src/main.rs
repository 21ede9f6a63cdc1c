use std::process::ExitCode;

use clap::Parser;
use grove::Error;
use grove::cmd::{Cli, run};

fn main() -> ExitCode {
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

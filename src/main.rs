use std::process::ExitCode;

use clap::Parser;
use grove::cmd::{Cli, run};

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let count = error.count();
            eprintln!("error: {error}");
            if count > 1 {
                eprintln!("{count} errors; nothing was written");
            }
            ExitCode::FAILURE
        }
    }
}

use std::process::ExitCode;

use clap::Parser;
use grove::Error;
use grove::cmd::{Cli, run};
use grove::terminal::clean;

/// mimalloc: allocation and freeing were about 20% of a build with glibc's
/// allocator (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's options (its C API; the Rust crate exposes none of them).
mod mimalloc_options {
    use std::ffi::{c_int, c_long};

    unsafe extern "C" {
        fn mi_option_get(option: c_int) -> c_long;
        fn mi_option_set(option: c_int, value: c_long);
    }

    /// `mi_option_purge_delay` in mimalloc's `mi_option_t` (the same index
    /// in its v1, v2 and v3 headers).
    const PURGE_DELAY: c_int = 15;

    /// mimalloc v3's own purge delay, in milliseconds: a build is over
    /// before memory freed in it goes back to the system.
    pub const DEFAULT_PURGE_DELAY: c_long = 1000;

    /// Grove's: memory a build has freed and not reused for 50 ms goes back
    /// to the system, which keeps a 10,000-page build's peak about 10 MB
    /// lower and steadier at no measured cost in time (BENCHMARKS.md).
    pub const PURGE_DELAY_MS: c_long = 50;

    /// Sets Grove's purge delay, unless the user set one
    /// (`MIMALLOC_PURGE_DELAY`) or the option at that index does not hold
    /// mimalloc's default (a different mimalloc, whose options differ).
    pub fn tune() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return;
        }
        // SAFETY: called first thing in `main`, before any other thread
        // exists (mimalloc's option functions are not thread safe).
        unsafe {
            if mi_option_get(PURGE_DELAY) == DEFAULT_PURGE_DELAY {
                mi_option_set(PURGE_DELAY, PURGE_DELAY_MS);
            }
        }
    }

    /// The purge delay in effect.
    #[cfg(test)]
    pub fn purge_delay() -> c_long {
        // SAFETY: reading an option; the tests set none.
        unsafe { mi_option_get(PURGE_DELAY) }
    }
}

fn main() -> ExitCode {
    mimalloc_options::tune();
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
                eprintln!("error: {}", clean(&error.to_string()));
            }
            eprintln!("{} errors; nothing was written", errors.len());
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("error: {}", clean(&error.to_string()));
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::mimalloc_options;

    /// Fails when a mimalloc update moves or changes the purge delay
    /// option, which `tune` would then leave alone.
    #[test]
    fn the_purge_delay_option_is_where_grove_sets_it() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return;
        }
        assert_eq!(
            mimalloc_options::purge_delay(),
            mimalloc_options::DEFAULT_PURGE_DELAY
        );
        mimalloc_options::tune();
        assert_eq!(
            mimalloc_options::purge_delay(),
            mimalloc_options::PURGE_DELAY_MS
        );
    }
}

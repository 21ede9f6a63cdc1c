//! Names the commit Grove is built from, for `grove --version`: the short
//! hash and its date from git when the source is a clone, else "unknown
//! commit" (a crate unpacked from an archive). Uncommitted changes are not
//! marked: telling them would mean building again on every edit.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
}

fn main() {
    let commit = git(&["log", "-1", "--format=%h %cs", "--abbrev=12"])
        .unwrap_or_else(|| "unknown commit".to_string());
    println!("cargo:rustc-env=GROVE_COMMIT={commit}");
    // Build again when HEAD moves (a commit, a checkout). Only files that
    // exist: cargo runs a build script watching a missing file (a clone
    // without `packed-refs`) on every build, and rebuilds Grove with it.
    if let Some(dir) = git(&["rev-parse", "--git-dir"]) {
        let mut watched = vec!["HEAD".to_string(), "packed-refs".to_string()];
        watched.extend(git(&["symbolic-ref", "-q", "HEAD"]));
        for file in watched {
            let path = std::path::Path::new(&dir).join(file);
            if path.exists() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}

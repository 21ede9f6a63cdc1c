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
    // Build again when HEAD moves (a commit, a checkout).
    if let Some(dir) = git(&["rev-parse", "--git-dir"]) {
        for file in ["HEAD", "packed-refs"] {
            println!("cargo:rerun-if-changed={dir}/{file}");
        }
        if let Some(head) = git(&["symbolic-ref", "-q", "HEAD"]) {
            println!("cargo:rerun-if-changed={dir}/{head}");
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}

//! Grove installs like the tools it sits beside: `--version` names the
//! commit, `grove completions` prints a script each shell accepts, and
//! `grove man` writes manual pages `man` can read.

use crate::common;

use std::process::Command;

use crate::common::Fixture;

fn stdout(args: &[&str]) -> String {
    let net = Fixture::new();
    let output = net.grove(args);
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_version_names_the_commit_it_was_built_from() {
    let version = stdout(&["--version"]);
    assert!(
        version.starts_with(&format!("grove {} (", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );
    let head = Command::new("git")
        .args(["log", "-1", "--format=%h", "--abbrev=12"])
        .current_dir(common::repo())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    match head {
        // Built from this clone: the version names its commit.
        Some(head) if !head.is_empty() => {
            assert!(version.contains(&head), "{version} lacks {head}")
        }
        _ => assert!(version.contains("unknown commit"), "{version}"),
    }
}

#[test]
fn completions_are_scripts_each_shell_accepts() {
    let bash = stdout(&["completions", "bash"]);
    assert!(bash.contains("complete -F _grove"), "{bash}");
    for sub in ["build", "import", "stats", "completions"] {
        assert!(bash.contains(sub), "bash completion lacks {sub}");
    }
    // bash itself parses the script and registers the completion.
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("grove.bash");
    std::fs::write(&script, &bash).unwrap();
    let checked = Command::new("bash")
        .arg("-c")
        .arg(format!("source {} && complete -p grove", script.display()))
        .output()
        .unwrap();
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    assert!(String::from_utf8_lossy(&checked.stdout).contains("_grove"));
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        assert!(!stdout(&["completions", shell]).is_empty(), "{shell}");
    }
}

#[test]
fn the_manual_is_roff_with_a_page_per_subcommand() {
    let page = stdout(&["man"]);
    assert!(page.contains(".TH grove 1"), "{page}");
    assert!(page.contains("import"), "the page lists the subcommands");
    let net = Fixture::new();
    let dir = net.path().join("man");
    let output = net.grove(&["man", "--dir", &dir.to_string_lossy()]);
    assert!(output.status.success());
    for file in [
        "grove.1",
        "grove-build.1",
        "grove-import.1",
        "grove-stats.1",
    ] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
        assert!(text.contains(".TH"), "{file}: {text}");
    }
    assert!(
        std::fs::read_to_string(dir.join("grove-import.1"))
            .unwrap()
            .contains("dry"),
        "a subcommand's page lists its options"
    );
}

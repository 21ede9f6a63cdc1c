//! README's promises about output: a build never destroys sources, and its
//! commit is atomic across sites, also against a failed move and a kill.

use std::path::Path;
use std::process::Command;

use crate::common::{Fixture, files_below, site_folders};

/// Every file below `dir` with its bytes.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    files_below(dir)
        .into_iter()
        .map(|rel| {
            let bytes = std::fs::read(dir.join(&rel)).unwrap();
            (rel, bytes)
        })
        .collect()
}

fn network() -> Fixture {
    let net = Fixture::new();
    for name in ["alpha", "beta", "gamma"] {
        net.site(name, name);
    }
    net.write(
        "content/_index.md",
        "+++\ntitle = \"Home\"\n+++\nversion one\n",
    );
    net
}

/// Which version of the blueprint's home page each site's output holds.
fn versions(out: &Path) -> Vec<String> {
    ["alpha", "beta", "gamma"]
        .iter()
        .map(
            |site| match std::fs::read_to_string(out.join(site).join("index.html")) {
                Ok(html) if html.contains("version one") => "one".to_string(),
                Ok(html) if html.contains("version two") => "two".to_string(),
                Ok(html) if html.contains("version three") => "three".to_string(),
                Ok(_) => "other".to_string(),
                Err(_) => "missing".to_string(),
            },
        )
        .collect()
}

#[test]
fn output_folders_holding_sources_are_refused_and_nothing_is_touched() {
    let net = network();
    net.write("content/about.md", "+++\ntitle = \"About\"\n+++\nHi\n");
    let before = snapshot(net.path());
    let root = net.path().to_str().unwrap().to_string();
    for output in [
        format!("{root}/sites"),
        format!("{root}/sites/alpha/content"),
        format!("{root}/content"),
        format!("{root}/public/../themes"),
        root.clone(),
        format!("{root}/.."),
        "/".to_string(),
    ] {
        let stderr = net.build_fails(&["--output", &output]);
        assert!(
            stderr.contains("refusing to build here (--output)"),
            "{output}: {stderr}"
        );
        assert!(stderr.contains("Nothing was written"), "{stderr}");
    }
    // The same through grove.toml, for `build` and `serve`.
    for output_dir in ["sites", ".", "content", "themes/default"] {
        net.write(
            "grove.toml",
            &format!("[network]\nname = \"Test\"\noutput_dir = \"{output_dir}\"\ntaxonomies = [\"tags\", \"categories\"]\n"),
        );
        let stderr = net.build_fails(&[]);
        assert!(stderr.contains("output_dir in"), "{output_dir}: {stderr}");
    }
    net.write(
        "grove.toml",
        "[network]\nname = \"Test\"\ntaxonomies = [\"tags\", \"categories\"]\n",
    );
    let sites = format!("{root}/sites");
    let serve = net.grove(&["serve", "--output", &sites, "--port", "0"]);
    assert!(!serve.status.success());
    assert!(String::from_utf8_lossy(&serve.stderr).contains("refusing to build here"));
    assert_eq!(snapshot(net.path()), before, "a source file changed");
}

#[test]
fn a_folder_grove_did_not_write_is_never_replaced() {
    let net = network();
    net.write("public/beta/notes.txt", "my own notes");
    let stderr = net.build_fails(&[]);
    assert!(stderr.contains("Grove did not write it"), "{stderr}");
    assert_eq!(net.read("public/beta/notes.txt"), "my own notes");
    assert_eq!(
        versions(&net.path().join("public")),
        ["missing", "missing", "missing"]
    );
}

/// Makes `dir` impossible to move: immutable for root (who ignores
/// permissions), read-only for anyone else. Undone by [`release`].
fn pin(dir: &Path) {
    let pinned = if running_as_root() {
        Command::new("chattr").arg("+i").arg(dir).status()
    } else {
        Command::new("chmod").arg("a-w").arg(dir).status()
    };
    assert!(
        pinned.is_ok_and(|s| s.success()),
        "cannot make {} immovable (chattr comes with e2fsprogs)",
        dir.display()
    );
}

fn release(dir: &Path) {
    if running_as_root() {
        Command::new("chattr").arg("-i").arg(dir).status().unwrap();
    } else {
        Command::new("chmod").arg("u+w").arg(dir).status().unwrap();
    }
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

#[test]
fn a_site_folder_that_cannot_be_moved_leaves_every_site_as_it_was() {
    let net = network();
    net.build(&[]);
    let out = net.path().join("public");
    assert_eq!(versions(&out), ["one", "one", "one"]);
    net.write(
        "content/_index.md",
        "+++\ntitle = \"Home\"\n+++\nversion two\n",
    );
    // The second site in commit order cannot be moved.
    pin(&out.join("beta"));
    let stderr = net.build_fails(&[]);
    release(&out.join("beta"));
    assert!(stderr.contains("every site was left as it was"), "{stderr}");
    assert_eq!(versions(&out), ["one", "one", "one"]);
    assert_eq!(site_folders(&out), ["alpha", "beta", "gamma"]);
    // And the next build goes through.
    net.build(&[]);
    assert_eq!(versions(&out), ["two", "two", "two"]);
}

/// Runs `grove build args...` under strace with `extra` options (such as
/// a fault to inject at the Nth call of some system call).
fn strace_build(net: &Fixture, extra: &[&str], args: &[&str]) -> std::process::Output {
    // strace counts a system call for `when=N` per thread: with one worker
    // thread, the N-th write is the build's N-th file, not whichever thread
    // happened to get N files (sites and their parts render side by side).
    Command::new("strace")
        .env("RAYON_NUM_THREADS", "1")
        .args(["-f", "-qq", "-o", "/dev/null"])
        .args(extra)
        .arg(env!("CARGO_BIN_EXE_grove"))
        .arg("--root")
        .arg(net.path())
        .arg("build")
        .args(args)
        .output()
        .expect("run strace (installed by scripts/test-tools.sh)")
}

#[test]
#[ignore = "needs strace: run scripts/test.sh"]
fn a_build_killed_at_any_rename_never_loses_a_site_and_is_completed_next_time() {
    let net = network();
    net.build(&[]);
    let out = net.path().join("public");
    let mut kills = 0;
    for when in 1.. {
        net.write(
            "content/_index.md",
            "+++\ntitle = \"Home\"\n+++\nversion two\n",
        );
        let run = strace_build(
            &net,
            &[
                "-e",
                "trace=rename,renameat,renameat2",
                "-e",
                &format!("inject=rename,renameat,renameat2:signal=KILL:when={when}"),
            ],
            &[],
        );
        if run.status.success() {
            assert_eq!(versions(&out), ["two", "two", "two"]);
            break;
        }
        kills += 1;
        // Killed: no site is missing, and each is old or new as a whole.
        let after_kill = versions(&out);
        assert!(
            after_kill.iter().all(|v| v == "one" || v == "two"),
            "kill at rename {when}: {after_kill:?}"
        );
        // The next build (of one site only, at a third version) completes
        // the killed build's commit, if it had started, for the others.
        net.write(
            "content/_index.md",
            "+++\ntitle = \"Home\"\n+++\nversion three\n",
        );
        let next = net.build(&["--site", "alpha"]);
        let others = &versions(&out)[1..];
        assert!(
            others == ["two", "two"]
                || (others == ["one", "one"] && !after_kill.contains(&"two".to_string())),
            "kill at rename {when}: after the kill {after_kill:?}, then {others:?}"
        );
        assert_eq!(site_folders(&out), ["alpha", "beta", "gamma"]);
        let hidden: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".grove-staging-"))
            .collect();
        assert!(hidden.is_empty(), "staging left after recovery: {hidden:?}");
        let notes = String::from_utf8_lossy(&next.stderr);
        assert!(notes.contains("note: removed 1 staging folder"), "{notes}");
        // Back to a clean version one for the next kill point.
        net.write(
            "content/_index.md",
            "+++\ntitle = \"Home\"\n+++\nversion one\n",
        );
        net.build(&[]);
        assert!(when < 50, "the build never finished");
    }
    assert!(
        kills >= 3,
        "only {kills} kill points: the commit was not exercised"
    );
}

#[test]
#[ignore = "needs strace: run scripts/test.sh"]
fn staging_folders_of_killed_builds_are_removed_but_never_those_of_running_ones() {
    let net = network();
    net.build(&[]);
    let out = net.path().join("public");
    let staging = || {
        let mut names: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".grove-staging-"))
            .collect();
        names.sort();
        names
    };
    // Another build is running: it holds the output folder's lock (shared)
    // and has its staging folder.
    let running = std::fs::File::open(out.join(".grove-lock")).unwrap();
    running.lock_shared().unwrap();
    std::fs::create_dir(out.join(".grove-staging-running")).unwrap();
    // Kill three builds while they write pages.
    for when in [3, 8, 12] {
        let run = strace_build(
            &net,
            &[
                "-e",
                "trace=write",
                "-e",
                &format!("inject=write:signal=KILL:when={when}"),
            ],
            &[],
        );
        assert!(
            !run.status.success(),
            "the build at write {when} was not killed"
        );
    }
    assert_eq!(staging().len(), 4);
    // A good build while the other one runs leaves every staging folder.
    net.build(&[]);
    assert_eq!(staging().len(), 4);
    // Once it is gone, the next build removes them all.
    drop(running);
    std::fs::remove_dir(out.join(".grove-staging-running")).unwrap();
    let next = net.build(&[]);
    assert_eq!(staging(), Vec::<String>::new());
    let stderr = String::from_utf8_lossy(&next.stderr);
    assert!(
        stderr.contains("note: removed 3 staging folders"),
        "{stderr}"
    );
    assert_eq!(versions(&out), ["one", "one", "one"]);
}

//! `grove deploy` to a folder: the first deploy writes every file, the
//! next only what changed; removed pages are deleted (within the cap),
//! files Grove did not deploy stay, a dry run changes nothing, and the
//! folder ends up holding exactly the build.

use crate::common;

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::Fixture;
use serde_json::Value;

fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    common::files_below(dir)
        .into_iter()
        .map(|file| {
            let bytes = std::fs::read(dir.join(&file)).unwrap();
            (file, bytes)
        })
        .collect()
}

fn deploy(net: &Fixture, args: &[&str]) -> Value {
    let mut all = vec!["deploy", "--json"];
    all.extend(args);
    let output = net.grove(&all);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    json["sites"][0].clone()
}

fn network(www: &Path) -> Fixture {
    let net = Fixture::new();
    net.site("alpha", "Alpha");
    let config = net.read("grove.toml");
    net.write(
        "grove.toml",
        &format!(
            "{config}[deploy]\nurl = \"{}/{{{{ site.name }}}}\"\nmax_deletes = 3\nverify = false\n",
            www.display()
        ),
    );
    for page in ["a", "b", "c", "d", "e"] {
        net.write(
            &format!("sites/alpha/content/guides/{page}.md"),
            &format!(
                "+++\ntitle = \"Guide {page}\"\ndate = 2026-11-0{}\n+++\nText of {page}.\n",
                page.as_bytes()[0] - b'a' + 1
            ),
        );
    }
    assert!(net.build(&[]).status.success());
    net
}

#[test]
fn only_what_changed_moves_and_the_folder_holds_the_build() {
    let www = tempfile::tempdir().unwrap();
    let net = network(www.path());
    let target = www.path().join("alpha");
    let first = deploy(&net, &[]);
    let files = tree(&net.path().join("public/alpha"));
    assert_eq!(first["uploaded"], files.len());
    assert_eq!(first["unchanged"], 0);
    assert_eq!(tree(&target), files);
    // A file put there by someone else stays.
    std::fs::write(target.join("google1234.html"), "verification").unwrap();

    let again = deploy(&net, &[]);
    assert_eq!(
        (again["uploaded"].as_u64(), again["deleted"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(again["unchanged"], files.len());

    // One page changed: it and what lists it move, nothing else.
    net.write(
        "sites/alpha/content/guides/c.md",
        "+++\ntitle = \"Guide c\"\ndate = 2026-11-03\n+++\nNew text of c.\n",
    );
    assert!(net.build(&[]).status.success());
    let dry = deploy(&net, &["--dry-run"]);
    let uploaded: Vec<&str> = dry["uploaded_paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(uploaded.contains(&"guides/c/index.html"), "{uploaded:?}");
    assert!(!uploaded.contains(&"guides/a/index.html"), "{uploaded:?}");
    assert!(
        dry["uploaded"].as_u64().unwrap() < files.len() as u64 / 2,
        "{dry}"
    );
    assert!(
        !std::fs::read_to_string(target.join("guides/c/index.html"))
            .unwrap()
            .contains("New text"),
        "a dry run writes nothing"
    );
    let changed = deploy(&net, &[]);
    assert_eq!(changed["uploaded"], dry["uploaded"]);
    assert!(
        std::fs::read_to_string(target.join("guides/c/index.html"))
            .unwrap()
            .contains("New text")
    );

    // A page removed is deleted there; the stranger's file stays.
    std::fs::remove_file(net.path().join("sites/alpha/content/guides/e.md")).unwrap();
    assert!(net.build(&[]).status.success());
    let removed = deploy(&net, &[]);
    assert!(
        removed["deleted_paths"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "guides/e/index.html"),
        "{removed}"
    );
    let mut expected = tree(&net.path().join("public/alpha"));
    expected.insert("google1234.html".into(), b"verification".to_vec());
    assert_eq!(tree(&target), expected);
}

#[test]
fn more_deletions_than_allowed_need_force() {
    let www = tempfile::tempdir().unwrap();
    let net = network(www.path());
    deploy(&net, &[]);
    for page in ["a", "b", "c", "d"] {
        std::fs::remove_file(
            net.path()
                .join(format!("sites/alpha/content/guides/{page}.md")),
        )
        .unwrap();
    }
    assert!(net.build(&[]).status.success());
    let before = tree(&www.path().join("alpha"));
    let output = net.grove(&["deploy"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--force"));
    assert_eq!(tree(&www.path().join("alpha")), before, "nothing moved");
    let forced = deploy(&net, &["--force"]);
    assert!(forced["deleted"].as_u64().unwrap() > 3);

    // A target inside the network's sources is refused.
    let config = net
        .read("grove.toml")
        .replace(&format!("{}/", www.path().display()), "sites/");
    net.write("grove.toml", &config);
    let output = net.grove(&["deploy"]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("refusing to deploy here"));
}

#[test]
fn precompressed_copies_sit_beside_text_files_and_follow_them() {
    let www = tempfile::tempdir().unwrap();
    let net = network(www.path());
    let config = net.read("grove.toml");
    net.write(
        "grove.toml",
        &config.replace("verify = false\n", "verify = false\nprecompress = true\n"),
    );
    let built = net.path().join("public/alpha");
    let live = www.path().join("alpha");
    let first = deploy(&net, &[]);
    let gunzip = |path: &Path| common::gunzip(&std::fs::read(path).unwrap());
    // Every text file worth it has its copy, which is the file; the
    // build's own folder holds no copy.
    let page = "guides/a/index.html";
    assert_eq!(
        gunzip(&live.join(format!("{page}.gz"))),
        std::fs::read(built.join(page)).unwrap()
    );
    assert!(live.join("style.css.gz").is_file());
    assert!(
        !built.join(format!("{page}.gz")).exists(),
        "the build is untouched"
    );
    let copies = common::files_below(&live)
        .into_iter()
        .filter(|f| f.ends_with(".gz"))
        .count();
    assert!(copies >= 10, "{copies} copies");
    assert_eq!(
        first["uploaded"].as_u64(),
        Some((common::files_below(&built).len() + copies) as u64)
    );
    let again = deploy(&net, &[]);
    assert_eq!(again["uploaded"].as_u64(), Some(0), "{again}");

    // A changed page moves with its copy; a removed one goes with it.
    net.write(
        "sites/alpha/content/guides/a.md",
        "+++\ntitle = \"Guide a\"\ndate = 2026-11-01\n+++\nText of a, changed.\n",
    );
    std::fs::remove_file(net.path().join("sites/alpha/content/guides/e.md")).unwrap();
    assert!(net.build(&[]).status.success());
    let changed = deploy(&net, &[]);
    let uploaded: Vec<&str> = changed["uploaded_paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(
        uploaded.contains(&page) && uploaded.contains(&"guides/a/index.html.gz"),
        "{changed}"
    );
    assert!(!live.join("guides/e/index.html.gz").exists());
    assert_eq!(
        gunzip(&live.join(format!("{page}.gz"))),
        std::fs::read(built.join(page)).unwrap()
    );
}

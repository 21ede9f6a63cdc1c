//! Unattended operation: the GitHub Actions workflow in ops/ (parsed, and
//! its build and check steps run here for every shard), the cron script,
//! and the sharding they rely on: the union of all shards' output is one
//! full build, byte for byte.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{Fixture, copy_dir, files_below, repo};
use serde_json::Value;

fn workflow() -> Value {
    let text = std::fs::read_to_string(repo().join("ops/github-actions.yml")).unwrap();
    serde_norway::from_str(&text).expect("the workflow is YAML")
}

fn steps<'a>(workflow: &'a Value, job: &str) -> &'a Vec<Value> {
    workflow["jobs"][job]["steps"]
        .as_array()
        .unwrap_or_else(|| panic!("job {job} has steps"))
}

fn run_of<'a>(workflow: &'a Value, job: &str, needle: &str) -> &'a str {
    steps(workflow, job)
        .iter()
        .filter_map(|s| s["run"].as_str())
        .find(|run| run.contains(needle))
        .unwrap_or_else(|| panic!("no step of {job} runs `{needle}`"))
}

fn shards(workflow: &Value) -> (u64, Vec<u64>) {
    let total: u64 = workflow["env"]["SHARDS"].as_u64().expect("env.SHARDS");
    let matrix: Vec<u64> = workflow["jobs"]["build"]["strategy"]["matrix"]["shard"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    (total, matrix)
}

#[test]
fn the_workflow_runs_daily_audits_builds_in_shards_checks_and_deploys() {
    let workflow = workflow();
    // A daily cron: minute and hour fixed, every day.
    let cron = workflow["on"]["schedule"][0]["cron"]
        .as_str()
        .expect("a cron");
    let fields: Vec<&str> = cron.split_whitespace().collect();
    assert_eq!(fields.len(), 5, "{cron}");
    assert!(fields[0].parse::<u8>().is_ok_and(|m| m < 60), "{cron}");
    assert!(fields[1].parse::<u8>().is_ok_and(|h| h < 24), "{cron}");
    assert_eq!(&fields[2..], ["*", "*", "*"], "{cron}");
    assert!(workflow["on"].get("workflow_dispatch").is_some());

    // Audit, then build, then deploy.
    assert!(run_of(&workflow, "audit", "grove audit").contains("grove audit"));
    assert_eq!(workflow["jobs"]["build"]["needs"], "audit");
    assert_eq!(workflow["jobs"]["deploy"]["needs"], "build");

    // The matrix covers every shard, once.
    let (total, matrix) = shards(&workflow);
    assert_eq!(matrix, (1..=total).collect::<Vec<_>>());
    assert!(
        run_of(&workflow, "build", "grove build")
            .contains("--shard ${{ matrix.shard }}/${{ env.SHARDS }}")
    );
    assert!(
        run_of(&workflow, "build", "grove check")
            .contains("--shard ${{ matrix.shard }}/${{ env.SHARDS }}")
    );

    // `grove deploy` sends what changed, with the secrets from the
    // repository, after restoring what the last run deployed; then `grove
    // watch` looks at the live sites.
    let deploy_steps = steps(&workflow, "deploy");
    let deploy = deploy_steps
        .iter()
        .position(|s| {
            s["run"]
                .as_str()
                .is_some_and(|r| r.contains("grove deploy"))
        })
        .expect("a deploy step");
    assert!(
        deploy_steps[deploy]["env"]["CLOUDFLARE_API_TOKEN"]
            .as_str()
            .unwrap()
            .contains("secrets.")
    );
    let state = deploy_steps
        .iter()
        .position(|s| {
            s["with"]["path"]
                .as_str()
                .is_some_and(|p| p.contains(".grove/deploy"))
        })
        .expect("the deploy manifests are cached");
    assert!(state < deploy);
    let watch = deploy_steps
        .iter()
        .position(|s| s["run"].as_str().is_some_and(|r| r.contains("grove watch")))
        .expect("a watch step");
    assert!(watch > deploy);
    assert_eq!(
        workflow["defaults"]["run"]["shell"], "bash",
        "pipes keep failures"
    );

    // Actions are pinned to a major version; drafting is never automatic.
    for job in workflow["jobs"].as_object().unwrap().keys() {
        for step in steps(&workflow, job) {
            if let Some(uses) = step["uses"].as_str() {
                assert!(uses.contains("@v"), "{uses} is not pinned");
            }
            let run = step["run"].as_str().unwrap_or_default();
            assert!(
                !run.contains("grove draft") && !run.contains("grove research"),
                "a model is called unattended: {run}"
            );
        }
    }
}

/// The directory holding the grove binary under test, for PATH.
fn grove_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_grove"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn path_with_grove() -> String {
    format!(
        "{}:{}",
        grove_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// Every file below `dir` (hidden control files left out) with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    files_below(dir)
        .into_iter()
        .filter(|f| !f.starts_with('.'))
        .map(|f| {
            let bytes = std::fs::read(dir.join(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}

#[test]
fn the_workflows_shards_together_are_one_full_build_byte_for_byte() {
    let workflow = workflow();
    let (total, matrix) = shards(&workflow);
    let build = run_of(&workflow, "build", "grove build");
    let check = run_of(&workflow, "build", "grove check");

    let full = Fixture::example();
    full.build(&[]);
    let expected = tree(&full.path().join("public"));

    // Each matrix job: a fresh checkout running the workflow's own commands;
    // then the artifacts merged, as the deploy job downloads them.
    let merged = tempfile::tempdir().unwrap();
    let mut sites_per_shard = Vec::new();
    for shard in matrix {
        let job = Fixture::example();
        for command in [build, check] {
            let command = command
                .replace("${{ matrix.shard }}", &shard.to_string())
                .replace("${{ env.SHARDS }}", &total.to_string());
            let output = Command::new("bash")
                .args(["-eo", "pipefail", "-c", &command])
                .current_dir(job.path())
                .env("PATH", path_with_grove())
                .output()
                .unwrap();
            assert!(
                output.status.success(),
                "shard {shard}: `{command}` failed:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let public = job.path().join("public");
        sites_per_shard.push(common::site_folders(&public));
        copy_dir(&public, merged.path());
    }
    // Every site is in exactly one shard.
    let mut all: Vec<String> = sites_per_shard.concat();
    all.sort();
    assert_eq!(all, common::site_folders(&full.path().join("public")));
    let merged = tree(merged.path());
    assert_eq!(merged.len(), expected.len());
    for (file, bytes) in &expected {
        assert!(
            merged.get(file) == Some(bytes),
            "{file} differs between the shards and one build"
        );
    }
}

#[test]
fn shards_of_any_count_add_up_to_one_build() {
    let full = Fixture::example();
    full.build(&[]);
    let expected = tree(&full.path().join("public"));
    for total in [2, 3, 5] {
        let merged = tempfile::tempdir().unwrap();
        for shard in 1..=total {
            let out = tempfile::tempdir().unwrap();
            full.build(&[
                "--shard",
                &format!("{shard}/{total}"),
                "--output",
                out.path().to_str().unwrap(),
            ]);
            copy_dir(out.path(), merged.path());
        }
        assert_eq!(tree(merged.path()), expected, "{total} shards");
    }
}

#[test]
fn the_cron_script_publishes_into_the_web_root() {
    let net = Fixture::example();
    let web = tempfile::tempdir().unwrap();
    let root = web.path().join("sites");
    let run = || {
        Command::new(repo().join("ops/publish.sh"))
            .env("NETWORK", net.path())
            .env("WEB_ROOT", &root)
            .env("PATH", path_with_grove())
            // No requests beyond this machine: the example's sites are
            // not live, so nothing to verify, and only the figures are
            // watched.
            .env("DEPLOY_ARGS", "--no-verify --no-indexnow")
            .env("WATCH_ARGS", "--offline")
            .output()
            .unwrap()
    };
    let output = run();
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    net.build(&[]);
    assert_eq!(tree(&root), tree(&net.path().join("public")));
    // Again the next day: same result, nothing left behind.
    assert!(run().status.success());
    assert_eq!(tree(&root), tree(&net.path().join("public")));
    let stray: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".grove-staging"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
    let stdout = String::from_utf8_lossy(&run().stdout).into_owned();
    assert!(
        stdout.contains("uploaded 0"),
        "nothing changed, nothing moves: {stdout}"
    );
    assert!(stdout.contains("sites watched"), "{stdout}");
    // Without a web root nor [deploy] tables, it says where to add one.
    let output = Command::new(repo().join("ops/publish.sh"))
        .env("NETWORK", net.path())
        .env_remove("WEB_ROOT")
        .env("PATH", path_with_grove())
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("[deploy]"));
}

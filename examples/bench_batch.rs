//! Batch drafting cost of Grove's own work: N briefs (10 sites sharing
//! N / 10 blueprint briefs) through the test suite's batch server
//! (OpenAI's wire format, batches ending at the first poll): `grove draft
//! --batch` (planning, building the JSONL file, uploading it) and `grove
//! draft --collect` (reading the results, caching, the ledger, writing
//! every draft), each timed with peak RSS; the ledger's total is compared
//! with the live price of the same calls. Needs a release build of
//! `grove` and `/usr/bin/time`.
//!
//! ```sh
//! cargo build --release && cargo run --release --example bench_batch -- --briefs 1000 --runs 3
//! ```

#[path = "../tests/integration/common/batch_server.rs"]
#[allow(dead_code)] // the benchmark uses the server, not every test helper
mod batch_server;

use std::path::{Path, PathBuf};
use std::process::Command;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn network(dir: &Path, base_url: &str, briefs: usize) {
    write(
        &dir.join("grove.toml"),
        &format!(
            "[network]\nname = \"bench\"\n[llm]\nprovider = \"openai\"\nbase_url = \"{base_url}\"\nmodel = \"bench\"\napi_key_env = \"BATCH_KEY\"\ntemperature = 0.0\nmax_tokens = 1000\ntimeout_secs = 30\ninput_price_per_million = 1.0\noutput_price_per_million = 2.0\n"
        ),
    );
    write(&dir.join("themes/default/templates/index.html"), "x");
    write(
        &dir.join("prompts/guide.md"),
        "--- system ---\nYou write for {{ site.title }}.\n--- user ---\nTitle: {{ brief.title }}\nAbout {{ brief.target_words }} words.\n",
    );
    let mut text = String::new();
    for i in 0..briefs / 10 {
        text.push_str(&format!("[[brief]]\nslug = \"article-{i}\"\ntitle = \"Article {i} for {{{{ site.title }}}}\"\nsection = \"guides\"\nkind = \"guide\"\ntarget_words = 300\n\n"));
    }
    write(&dir.join("content/briefs.toml"), &text);
    for s in 0..10 {
        write(
            &dir.join(format!("sites/site-{s}/site.toml")),
            &format!(
                "title = \"Site {s}\"\nbase_url = \"https://s{s}.example.com\"\nniche = \"niche {s}\"\n"
            ),
        );
    }
}

/// Runs grove with `args`; returns wall seconds and peak RSS in MB.
fn timed(grove: &Path, dir: &Path, args: &[&str]) -> (f64, f64) {
    let times = dir.join("time.txt");
    let status = Command::new("/usr/bin/time")
        .args(["-f", "%e %M", "-o"])
        .arg(&times)
        .arg(grove)
        .arg("--root")
        .arg(dir)
        .args(args)
        .env("BATCH_KEY", batch_server::KEY)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run /usr/bin/time (apt-get install time)");
    assert!(status.success(), "grove {args:?} failed");
    let measured = std::fs::read_to_string(&times).unwrap();
    let mut fields = measured.split_whitespace();
    let wall: f64 = fields.next().unwrap().parse().unwrap();
    let kb: f64 = fields.next().unwrap().parse().unwrap();
    (wall, kb / 1024.0)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let mut briefs = 1000;
    let mut runs = 3;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value: usize = it.next().and_then(|v| v.parse().ok()).expect("a number");
        match flag.as_str() {
            "--briefs" => briefs = value,
            "--runs" => runs = value,
            other => panic!("unknown flag {other}"),
        }
    }
    let grove = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/grove");
    assert!(grove.is_file(), "build first: cargo build --release");
    let (mut send, mut collect) = (Vec::new(), Vec::new());
    let (mut send_rss, mut collect_rss) = (Vec::new(), Vec::new());
    for run in 0..runs {
        let server = batch_server::start(batch_server::Behaviour::default());
        let dir = tempfile::tempdir().unwrap();
        network(dir.path(), &server.base_url, briefs);
        let (t1, m1) = timed(&grove, dir.path(), &["draft", "--batch"]);
        let (t2, m2) = timed(&grove, dir.path(), &["draft", "--collect"]);
        assert_eq!(server.batch_sizes(), [briefs], "one batch of every brief");
        let ledger = std::fs::read_to_string(dir.path().join(".grove/ledger.jsonl")).unwrap();
        let entries: Vec<serde_json::Value> = ledger
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let paid: Vec<&serde_json::Value> =
            entries.iter().filter(|e| e["cache_hit"] == false).collect();
        assert_eq!(paid.len(), briefs, "every brief paid once");
        let batch_total: f64 = paid.iter().map(|e| e["cost_usd"].as_f64().unwrap()).sum();
        let live_total: f64 = paid
            .iter()
            .map(|e| {
                (e["input_tokens"].as_f64().unwrap() * 1.0
                    + e["output_tokens"].as_f64().unwrap() * 2.0)
                    / 1e6
            })
            .sum();
        let drafted = walkdir_count(dir.path());
        assert_eq!(drafted, briefs, "every draft written");
        println!(
            "run {}: --batch {t1:.2} s ({m1:.0} MB), --collect {t2:.2} s ({m2:.0} MB); ledger ${batch_total:.6} = {:.6} x the live ${live_total:.6}",
            run + 1,
            batch_total / live_total
        );
        send.push(t1);
        collect.push(t2);
        send_rss.push(m1);
        collect_rss.push(m2);
    }
    println!(
        "{briefs} briefs: --batch median {:.2} s, peak {:.0} MB; --collect median {:.2} s, peak {:.0} MB; together {:.2} s",
        median(send.clone()),
        median(send_rss),
        median(collect.clone()),
        median(collect_rss),
        median(send) + median(collect)
    );
}

fn walkdir_count(root: &Path) -> usize {
    let mut count = 0;
    for site in std::fs::read_dir(root.join("sites")).unwrap() {
        let guides = site.unwrap().path().join("content/guides");
        if let Ok(entries) = std::fs::read_dir(guides) {
            count += entries.count();
        }
    }
    count
}

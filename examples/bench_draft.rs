//! Drafting throughput: N briefs against the in-suite fake LLM server with a
//! fixed latency per answer, at a given `max_concurrency`, compared with the
//! ideal `N x latency / concurrency`. Each run uses a fresh network (no
//! cache). Needs a release build of `grove` and `/usr/bin/time` (for peak RSS).
//!
//! ```sh
//! cargo build --release && cargo run --release --example bench_draft -- --briefs 1000 --latency-ms 50 --concurrency 32 --runs 5
//! ```

#[path = "../tests/integration/common/llm_server.rs"]
#[allow(dead_code)] // the benchmark uses the server, not every test helper
mod llm_server;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use llm_server::FakeLlm;

struct Args {
    briefs: usize,
    latency_ms: u64,
    concurrency: usize,
    runs: usize,
}

fn parse_args() -> Args {
    let mut args = Args {
        briefs: 1000,
        latency_ms: 50,
        concurrency: 32,
        runs: 3,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value: u64 = it
            .next()
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{flag} needs a number"));
        match flag.as_str() {
            "--briefs" => args.briefs = value as usize,
            "--latency-ms" => args.latency_ms = value,
            "--concurrency" => args.concurrency = value as usize,
            "--runs" => args.runs = value as usize,
            other => panic!("unknown flag {other}"),
        }
    }
    args
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// 10 sites sharing `briefs / 10` blueprint briefs.
fn network(dir: &Path, server: &FakeLlm, briefs: usize, concurrency: usize) {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    write(
        &dir.join("grove.toml"),
        &format!(
            "[network]\nname = \"bench\"\n[llm]\nprovider = \"openai\"\nbase_url = \"{}\"\nmodel = \"bench\"\ntemperature = 0.0\nmax_tokens = 1000\nmax_concurrency = {concurrency}\ntimeout_secs = 30\ninput_price_per_million = 1.0\noutput_price_per_million = 2.0\n",
            server.base_url
        ),
    );
    write(&dir.join("themes/default/templates/index.html"), "x");
    let _ = repo;
    write(
        &dir.join("prompts/guide.md"),
        "--- system ---\nYou write for {{ site.title }}.\n--- user ---\nTitle: {{ brief.title }}\nAbout {{ brief.target_words }} words.\n",
    );
    let per_site = briefs / 10;
    let mut text = String::new();
    for i in 0..per_site {
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

fn main() {
    let args = parse_args();
    let grove = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/grove");
    assert!(grove.is_file(), "build first: cargo build --release");
    let server = FakeLlm::start(None);
    server.set_latency(Duration::from_millis(args.latency_ms));
    let ideal = args.briefs as f64 * args.latency_ms as f64 / 1000.0 / args.concurrency as f64;

    let mut walls = Vec::new();
    let mut rss = Vec::new();
    for run in 0..args.runs {
        let dir = tempfile::tempdir().unwrap();
        network(dir.path(), &server, args.briefs, args.concurrency);
        let before = server.count();
        let times = dir.path().join("time.txt");
        let status = Command::new("/usr/bin/time")
            .args(["-f", "%e %M", "-o"])
            .arg(&times)
            .arg(&grove)
            .arg("--root")
            .arg(dir.path())
            .arg("draft")
            .stdout(std::process::Stdio::null())
            .status()
            .expect("run /usr/bin/time (apt-get install time)");
        assert!(status.success(), "grove draft failed");
        let drafted = server.count() - before;
        assert_eq!(drafted, args.briefs, "every brief drafted once");
        let measured = std::fs::read_to_string(&times).unwrap();
        let mut fields = measured.split_whitespace();
        let wall: f64 = fields.next().unwrap().parse().unwrap();
        let kb: f64 = fields.next().unwrap().parse().unwrap();
        println!(
            "run {}: {wall:.2} s, peak RSS {:.0} MB, max in flight {}",
            run + 1,
            kb / 1024.0,
            server.max_in_flight()
        );
        walls.push(wall);
        rss.push(kb / 1024.0);
    }
    walls.sort_by(f64::total_cmp);
    rss.sort_by(f64::total_cmp);
    let wall = walls[walls.len() / 2];
    println!(
        "{} briefs, {} ms latency, max_concurrency {}: median {wall:.2} s vs ideal {ideal:.2} s ({:+.0}%), median peak RSS {:.0} MB",
        args.briefs,
        args.latency_ms,
        args.concurrency,
        (wall / ideal - 1.0) * 100.0,
        rss[rss.len() / 2]
    );
}

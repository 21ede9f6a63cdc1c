//! Writes a synthetic access log in the Combined Log Format for the stats
//! benchmark: a month of traffic to one site with a realistic mix (page
//! views by people, assets, crawlers, `/go/` clicks, 404s, feeds,
//! redirects), from 50,000 addresses and a few dozen user agents.
//!
//! ```sh
//! cargo run --release --example gen_log -- --lines 1000000 --out bench-out/access.log
//! ```

use std::io::{BufWriter, Write};
use std::path::PathBuf;

const BROWSERS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
];

const BOTS: &[&str] = &[
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "curl/8.5.0",
];

const REFERRERS: &[&str] = &[
    "-",
    "https://www.google.com/",
    "https://www.bing.com/",
    "https://duckduckgo.com/",
    "https://site-000.example.com/",
    "https://www.reddit.com/r/espresso/",
];

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A small deterministic generator (64-bit LCG), so runs are repeatable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn main() {
    let mut lines: u64 = 1_000_000;
    let mut out = PathBuf::from("bench-out/access.log");
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--lines" => lines = value.parse().expect("--lines N"),
            "--out" => out = PathBuf::from(value),
            other => panic!("unknown flag {other}; use --lines N --out FILE"),
        }
    }
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    let file = std::fs::File::create(&out).unwrap();
    let mut writer = BufWriter::with_capacity(1 << 20, file);
    let mut rng = Rng(7);
    let per_day = lines / 30 + 1;
    for i in 0..lines {
        let day = 1 + (i / per_day) as usize;
        let seconds = (i % per_day) * 86_400 / per_day;
        let time = format!(
            "{day:02}/{}/2026:{:02}:{:02}:{:02} +0000",
            MONTHS[9],
            seconds / 3600,
            seconds / 60 % 60,
            seconds % 60
        );
        let ip = format!(
            "{}.{}.{}.{}",
            11 + rng.below(200),
            rng.below(250),
            rng.below(250),
            1 + rng.below(4)
        );
        let page = rng.below(1000);
        let kind = rng.below(100);
        let (agent, request, status, referrer) = match kind {
            0..=54 => (
                BROWSERS[rng.below(BROWSERS.len())],
                format!("GET /posts/post-{page}/"),
                200,
                REFERRERS[rng.below(REFERRERS.len())].to_string(),
            ),
            55..=74 => (
                BROWSERS[rng.below(BROWSERS.len())],
                ["GET /style.css", "GET /img/logo.png", "GET /favicon.ico"][rng.below(3)]
                    .to_string(),
                200,
                format!("https://site-000.example.com/posts/post-{page}/"),
            ),
            75..=89 => (
                BOTS[rng.below(BOTS.len())],
                format!("GET /posts/post-{page}/"),
                200,
                "-".to_string(),
            ),
            90..=92 => (
                BROWSERS[rng.below(BROWSERS.len())],
                format!("GET /go/product-{}/", rng.below(40)),
                302,
                format!("https://site-000.example.com/posts/post-{page}/"),
            ),
            93..=95 => (
                BROWSERS[rng.below(BROWSERS.len())],
                format!("GET /old/missing-{page}/"),
                404,
                "-".to_string(),
            ),
            96..=97 => (
                BROWSERS[rng.below(BROWSERS.len())],
                "GET /rss.xml".to_string(),
                200,
                "-".to_string(),
            ),
            _ => (
                BROWSERS[rng.below(BROWSERS.len())],
                format!("GET /posts/post-{page}"),
                301,
                "-".to_string(),
            ),
        };
        writeln!(
            writer,
            "{ip} - - [{time}] \"{request} HTTP/1.1\" {status} {} \"{referrer}\" \"{agent}\"",
            1000 + rng.below(20_000)
        )
        .unwrap();
    }
    writer.flush().unwrap();
}

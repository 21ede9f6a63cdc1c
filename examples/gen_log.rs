//! Writes a synthetic access log in the Combined Log Format for the stats
//! benchmark: a month of traffic to one site with a realistic mix (page
//! views by people, assets, crawlers, `/go/` clicks, 404s, feeds,
//! redirects), from 50,000 addresses and a few dozen user agents.
//!
//! ```sh
//! cargo run --release --example gen_log -- --lines 1000000 --out bench-out/access.log
//! cargo run --release --example gen_log -- --lines 1000000 --cloudfront-files 1000 --out bench-out/cloudfront
//! ```
//!
//! With `--cloudfront-files N`, the same traffic is written as N gzipped
//! CloudFront standard log files in a folder, as a distribution delivers
//! them.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

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

/// One request of the synthetic traffic.
struct Request {
    ip: String,
    /// Day of October 2026 (1 to 30).
    day: usize,
    /// Seconds into the day.
    seconds: u64,
    method_and_path: String,
    status: u16,
    referrer: String,
    agent: &'static str,
    bytes: usize,
}

/// The `i`-th of `lines` requests (spread evenly over 30 days).
fn request(rng: &mut Rng, i: u64, lines: u64) -> Request {
    let per_day = lines / 30 + 1;
    let day = 1 + (i / per_day) as usize;
    let seconds = (i % per_day) * 86_400 / per_day;
    let ip = format!(
        "{}.{}.{}.{}",
        11 + rng.below(200),
        rng.below(250),
        rng.below(250),
        1 + rng.below(4)
    );
    let page = rng.below(1000);
    let kind = rng.below(100);
    let (agent, method_and_path, status, referrer) = match kind {
        0..=54 => (
            BROWSERS[rng.below(BROWSERS.len())],
            format!("GET /posts/post-{page}/"),
            200,
            REFERRERS[rng.below(REFERRERS.len())].to_string(),
        ),
        55..=74 => (
            BROWSERS[rng.below(BROWSERS.len())],
            ["GET /style.css", "GET /img/logo.png", "GET /favicon.ico"][rng.below(3)].to_string(),
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
    Request {
        ip,
        day,
        seconds,
        method_and_path,
        status,
        referrer,
        agent,
        bytes: 1000 + rng.below(20_000),
    }
}

/// The request as a Combined Log Format line.
fn combined(r: &Request) -> String {
    format!(
        "{} - - [{:02}/{}/2026:{:02}:{:02}:{:02} +0000] \"{} HTTP/1.1\" {} {} \"{}\" \"{}\"\n",
        r.ip,
        r.day,
        MONTHS[9],
        r.seconds / 3600,
        r.seconds / 60 % 60,
        r.seconds % 60,
        r.method_and_path,
        r.status,
        r.bytes,
        r.referrer,
        r.agent
    )
}

/// The header of a CloudFront standard log file, as AWS documents it.
const CLOUDFRONT_HEADER: &str = "#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end\n";

/// The request as a CloudFront standard log line (tab-separated, the user
/// agent percent-encoded).
fn cloudfront(r: &Request, id: u64) -> String {
    let (method, path) = r.method_and_path.split_once(' ').unwrap();
    format!(
        "2026-10-{:02}\t{:02}:{:02}:{:02}\tFRA56-P1\t{}\t{}\t{method}\td111111abcdef8.cloudfront.net\t{path}\t{}\t{}\t{}\t-\t-\tHit\tRq{id:016x}==\tsite-000.example.com\thttps\t120\t0.002\t-\tTLSv1.3\tTLS_AES_128_GCM_SHA256\tHit\tHTTP/2.0\t-\t-\t50122\t0.002\tHit\ttext/html\t{}\t-\t-\n",
        r.day,
        r.seconds / 3600,
        r.seconds / 60 % 60,
        r.seconds % 60,
        r.bytes,
        r.ip,
        r.status,
        r.referrer,
        r.agent.replace(' ', "%20"),
        r.bytes
    )
}

fn main() {
    let mut lines: u64 = 1_000_000;
    let mut out = PathBuf::from("bench-out/access.log");
    let mut cloudfront_files: u64 = 0;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--lines" => lines = value.parse().expect("--lines N"),
            "--out" => out = PathBuf::from(value),
            "--cloudfront-files" => cloudfront_files = value.parse().expect("--cloudfront-files N"),
            other => panic!(
                "unknown flag {other}; use --lines N --out FILE, or --cloudfront-files N --out FOLDER"
            ),
        }
    }
    let mut rng = Rng(7);
    if cloudfront_files > 0 {
        write_cloudfront(&mut rng, lines, cloudfront_files, &out);
        return;
    }
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    let file = std::fs::File::create(&out).unwrap();
    let mut writer = BufWriter::with_capacity(1 << 20, file);
    for i in 0..lines {
        writer
            .write_all(combined(&request(&mut rng, i, lines)).as_bytes())
            .unwrap();
    }
    writer.flush().unwrap();
}

/// `files` gzipped CloudFront log files of `lines` requests in all, in
/// the folder `out`, named as CloudFront names them
/// (`DISTRIBUTION.YYYY-MM-DD-HH.UNIQUE.gz`).
fn write_cloudfront(rng: &mut Rng, lines: u64, files: u64, out: &Path) {
    std::fs::create_dir_all(out).unwrap();
    let per_file = lines.div_ceil(files);
    for file in 0..files {
        let first = file * per_file;
        let requests: Vec<Request> = (first..(first + per_file).min(lines))
            .map(|i| request(rng, i, lines))
            .collect();
        let Some(head) = requests.first() else {
            break;
        };
        let name = format!(
            "E2EXAMPLE1.2026-10-{:02}-{:02}.{file:08x}.gz",
            head.day,
            head.seconds / 3600
        );
        let writer = BufWriter::new(std::fs::File::create(out.join(name)).unwrap());
        let mut gz = flate2::write::GzEncoder::new(writer, flate2::Compression::fast());
        gz.write_all(CLOUDFRONT_HEADER.as_bytes()).unwrap();
        for (n, r) in requests.iter().enumerate() {
            gz.write_all(cloudfront(r, first + n as u64).as_bytes())
                .unwrap();
        }
        gz.finish().unwrap().flush().unwrap();
    }
}

//! Writes synthetic Search Analytics API responses for the search import
//! benchmark: for S sites (`site-000`... as `gen_network` names them), D
//! days, P pages and Q queries per page, one row per day, page and query
//! (`keys: [date, page, query]`), 25,000 rows per file as the API pages
//! them.
//!
//! ```sh
//! cargo run --release --example gen_search -- --sites 50 --days 365 --pages 100 --queries 11 --out bench-out/search
//! ```

use std::fs;
use std::io::Write;
use std::path::PathBuf;

const WORDS: &[&str] = &[
    "grinder", "burr", "espresso", "tamper", "milk", "pitcher", "scale", "beans", "roast",
    "kettle", "filter", "shoes", "trail", "tank", "aquarium", "heater", "guide", "best",
];

fn main() {
    let (mut sites, mut days, mut pages, mut queries) = (50usize, 365i64, 100usize, 11usize);
    let mut out = PathBuf::from("bench-out/search");
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--sites" => sites = value.parse().expect("--sites N"),
            "--days" => days = value.parse().expect("--days N"),
            "--pages" => pages = value.parse().expect("--pages N"),
            "--queries" => queries = value.parse().expect("--queries N"),
            "--out" => out = PathBuf::from(value),
            other => panic!("unknown flag {other}"),
        }
    }
    let _ = fs::remove_dir_all(&out);
    fs::create_dir_all(&out).unwrap();
    let start = chrono::NaiveDate::from_ymd_opt(2025, 11, 1).unwrap();
    let mut file_number = 0;
    let mut rows_in_file = 0;
    let mut total = 0u64;
    let mut writer: Option<std::io::BufWriter<fs::File>> = None;
    let finish = |writer: &mut Option<std::io::BufWriter<fs::File>>| {
        if let Some(mut w) = writer.take() {
            w.write_all(b"\n]}\n").unwrap();
        }
    };
    for site in 0..sites {
        for day in 0..days {
            let date = (start + chrono::Days::new(day as u64))
                .format("%Y-%m-%d")
                .to_string();
            for page in 0..pages {
                for query in 0..queries {
                    if writer.is_none() || rows_in_file == 25_000 {
                        finish(&mut writer);
                        let path = out.join(format!("response-{file_number:05}.json"));
                        file_number += 1;
                        rows_in_file = 0;
                        let mut w = std::io::BufWriter::new(fs::File::create(path).unwrap());
                        w.write_all(b"{\"responseAggregationType\": \"byPage\", \"rows\": [\n")
                            .unwrap();
                        writer = Some(w);
                    }
                    let w = writer.as_mut().unwrap();
                    if rows_in_file > 0 {
                        w.write_all(b",\n").unwrap();
                    }
                    let words = format!(
                        "{} {} {}",
                        WORDS[(page + query) % WORDS.len()],
                        WORDS[(page * 7 + query * 3) % WORDS.len()],
                        query
                    );
                    let impressions = 1 + (page * 13 + query * 7 + day as usize) % 50;
                    let clicks = impressions / 10;
                    write!(
                        w,
                        "{{\"keys\": [\"{date}\", \"https://site-{site:03}.example.com/posts/p{page}/\", \"{words}\"], \"clicks\": {clicks}.0, \"impressions\": {impressions}.0, \"ctr\": {:.4}, \"position\": {:.2}}}",
                        clicks as f64 / impressions as f64,
                        1.0 + ((page + query) % 30) as f64 * 0.7
                    )
                    .unwrap();
                    rows_in_file += 1;
                    total += 1;
                }
            }
        }
    }
    finish(&mut writer);
    println!("{total} rows in {file_number} files in {}", out.display());
}

//! Fills a network's stats database with synthetic rollups for the report
//! benchmark: every site of the network, P pages each, D days of views,
//! clicks, referrers, crawlers and revenue, written straight into the
//! tables `grove stats import` and `grove revenue import` fill.
//!
//! ```sh
//! cargo run --release --example gen_network -- --sites 100 --pages 1 --out bench-out/report
//! cargo run --release --example gen_stats -- --root bench-out/report/grove --pages 1000 --days 365
//! ```

use std::path::PathBuf;

use grove::day::Day;
use grove::db::{DaySeries, Db};
use grove::network::Network;
use rusqlite::params;

fn main() {
    let mut root = PathBuf::from("bench-out/report/grove");
    let mut pages: usize = 1000;
    let mut days: i32 = 365;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--root" => root = PathBuf::from(value),
            "--pages" => pages = value.parse().expect("--pages N"),
            "--days" => days = value.parse().expect("--days N"),
            other => panic!("unknown flag {other}; use --root DIR --pages N --days N"),
        }
    }
    let network = Network::load(&root).expect("a network");
    let mut db = Db::open(&root.join(".grove")).expect("the stats database");
    let last = Day::parse("2026-10-31").unwrap();
    let first = last.plus(1 - days);
    let transaction = db.conn().transaction().unwrap();
    {
        let mut day_row = transaction
            .prepare("INSERT OR REPLACE INTO site_days (site, day, views, visitors, clicks, not_found, crawler_hits) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
            .unwrap();
        let mut series_row = transaction
            .prepare("INSERT OR REPLACE INTO series (site, kind, key, year, days, total) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
            .unwrap();
        let mut revenue_row = transaction
            .prepare("INSERT INTO revenue (source, day, site, program, item, slug, currency, amount, items) VALUES ('amazon', ?1, ?2, 'amazon', ?3, ?3, 'USD', ?4, 1)")
            .unwrap();
        // One series per key and year, with a count on every day.
        let mut write = |site: &str, kind: &str, key: &str, scale: u64| {
            let mut by_year: Vec<(i32, DaySeries)> = Vec::new();
            for d in 0..days {
                let (year, ordinal) = first.plus(d).year_and_ordinal();
                if by_year.last().is_none_or(|(y, _)| *y != year) {
                    by_year.push((year, DaySeries::default()));
                }
                let count = 1 + (d as u64 * 7 + key.len() as u64) % scale;
                by_year.last_mut().unwrap().1.add(ordinal, count);
            }
            for (year, series) in by_year {
                series_row
                    .execute(params![
                        site,
                        kind,
                        key,
                        year,
                        series.encode(),
                        series.total() as i64
                    ])
                    .unwrap();
            }
        };
        for site in &network.sites {
            let name = site.name.as_str();
            for page in 0..pages {
                write(name, "view", &format!("/posts/post-{page}/"), 20);
            }
            for product in 0..40 {
                let slug = format!("product-{product}");
                write(name, "click", &slug, 5);
                write(
                    name,
                    "click_from",
                    &format!("{slug}\t/posts/post-{product}/"),
                    5,
                );
            }
            for referrer in ["(direct)", "search:Google", "search:Bing", "reddit.com"] {
                write(name, "referrer", referrer, 500);
            }
            for crawler in ["Googlebot", "Bingbot", "GPTBot", "Other crawlers"] {
                write(name, "crawler", crawler, 300);
            }
            for d in 0..days {
                let day = first.plus(d);
                let views = 10 * pages as i64;
                day_row
                    .execute(params![
                        name,
                        day.0,
                        views,
                        views / 3,
                        views / 30,
                        20,
                        views / 4
                    ])
                    .unwrap();
                revenue_row
                    .execute(params![day.0, name, format!("product-{}", d % 40), 1.5])
                    .unwrap();
            }
        }
    }
    transaction.commit().unwrap();
    println!(
        "{} sites x {pages} pages x {days} days of rollups in {}",
        network.sites.len(),
        db.path().display()
    );
}

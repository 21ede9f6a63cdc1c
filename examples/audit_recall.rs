//! Recall of `grove audit`'s near-duplicate pairs against an exact
//! all-pairs computation: reads every page of a network written by
//! `gen_network` and the JSON report `grove audit --json` printed for it,
//! computes the Jaccard similarity of every pair of pages itself (with its
//! own tokenizer and shingles), and prints how many of the pairs at or
//! above the threshold the audit reported, and whether every figure it
//! printed is the exact one.
//!
//! ```sh
//! cargo run --release --example gen_network -- --sites 10 --pages 100 --replicated 30 --no-hugo --out bench-out/recall
//! grove --root bench-out/recall/grove audit --json > bench-out/recall/audit.json
//! cargo run --release --example audit_recall -- bench-out/recall/grove bench-out/recall/audit.json
//! ```

use std::collections::{BTreeMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;

const THRESHOLD: f64 = 0.8;

/// A page's text as a reader sees it: the Markdown body without HTML
/// comments (the summary marker), emphasis or link destinations.
fn visible_text(markdown: &str) -> String {
    let body = markdown
        .splitn(3, "+++\n")
        .nth(2)
        .expect("TOML front matter");
    let mut text = body.replace("**", "");
    while let Some(start) = text.find("<!--") {
        let end = text[start..]
            .find("-->")
            .map_or(text.len(), |e| start + e + 3);
        text.replace_range(start..end, " ");
    }
    while let Some(start) = text.find("](") {
        let end = text[start..]
            .find(')')
            .map_or(text.len(), |e| start + e + 1);
        text.replace_range(start..end, " ");
    }
    text
}

/// Sorted hashes of the five-word runs of `text` (words: lowercase runs
/// of letters and digits).
fn shingles(text: &str) -> Vec<u64> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut set: Vec<u64> = words
        .windows(5)
        .map(|window| {
            let mut hasher = DefaultHasher::new();
            window.hash(&mut hasher);
            hasher.finish()
        })
        .collect();
    set.sort_unstable();
    set.dedup();
    set
}

fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    shared as f64 / (a.len() + b.len() - shared) as f64
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(root), Some(report)) = (args.next(), args.next()) else {
        panic!("usage: audit_recall NETWORK_ROOT AUDIT_JSON");
    };
    let root = Path::new(&root);
    let mut pages: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(root.join("sites")) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|x| x == "md") {
            let file = entry.path().strip_prefix(root).unwrap();
            let text = std::fs::read_to_string(entry.path()).unwrap();
            pages.insert(
                file.to_string_lossy().into_owned(),
                shingles(&visible_text(&text)),
            );
        }
    }
    let files: Vec<&String> = pages.keys().collect();
    let mut exact: BTreeMap<(String, String), f64> = BTreeMap::new();
    for (i, a) in files.iter().enumerate() {
        for b in &files[i + 1..] {
            let similarity = jaccard(&pages[*a], &pages[*b]);
            if similarity >= THRESHOLD {
                exact.insert(((*a).clone(), (*b).clone()), similarity);
            }
        }
    }

    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let mut reported: HashSet<(String, String)> = HashSet::new();
    let mut wrong_figures = 0;
    for finding in json["findings"].as_array().unwrap() {
        if finding["code"] != "near-duplicate" {
            continue;
        }
        let file = finding["file"].as_str().unwrap().to_string();
        for other in finding["similar"].as_array().unwrap() {
            let other_file = other["file"].as_str().unwrap().to_string();
            let pair = if file < other_file {
                (file.clone(), other_file)
            } else {
                (other_file, file.clone())
            };
            let figure = other["similarity"].as_f64().unwrap();
            if exact
                .get(&pair)
                .is_none_or(|truth| (truth - figure).abs() > 1e-9)
            {
                wrong_figures += 1;
            }
            reported.insert(pair);
        }
    }
    let found = exact.keys().filter(|pair| reported.contains(*pair)).count();
    println!(
        "{} pages, {} pairs compared; {} at or above {THRESHOLD}; audit reported {}; recall {:.4}; figures not exact: {wrong_figures}",
        files.len(),
        files.len() * (files.len() - 1) / 2,
        exact.len(),
        reported.len(),
        found as f64 / exact.len().max(1) as f64
    );
}

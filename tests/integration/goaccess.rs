//! Grove's counts against GoAccess's (an independent implementation) on a
//! real access log: 10,000 lines of semicomplete.com from May 2015, as
//! published in elastic/examples (tests/data/logs/README.md).
//!
//! Both count every request per status code alike. They part on who is a
//! person: each tool's verdict on each distinct user agent is read from
//! itself (one request per agent, on its own path), and the agents they
//! disagree on are exactly the ones docs/stats.md lists. On the requests of
//! agents both call people, the 404 paths and the page views per path are
//! the same, path for path.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;
use std::process::Command;

use crate::common::Fixture;
use crate::common::measuring::{grove, report};
use serde_json::Value;

const LOG: &str = "tests/data/logs/semicomplete-2015-05.log.gz";
const DIFFERENCES: &str = "tests/data/logs/semicomplete-crawler-differences.txt";
const PERIOD: (&str, &str) = ("2015-05-17", "2015-05-20");

/// The real log's lines.
fn log_lines() -> Vec<String> {
    let file = std::fs::File::open(common::repo().join(LOG)).unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .unwrap();
    text.lines().map(str::to_string).collect()
}

/// A line's user agent: its last quoted field (which may lack its closing
/// quote, as one line of this log does).
fn user_agent(line: &str) -> &str {
    let (_, last) = line.rsplit_once(" \"").unwrap();
    last.strip_suffix('"').unwrap_or(last)
}

/// A network with one site, for logs of semicomplete.com.
fn semicomplete() -> Fixture {
    let net = Fixture::new();
    net.write(
        "sites/semicomplete/site.toml",
        "title = \"semicomplete\"\nbase_url = \"https://semicomplete.com\"\nniche = \"logs\"\n",
    );
    net
}

/// `lines` imported into a fresh network: its report of the log's days.
fn grove_counts(lines: &[String]) -> Value {
    let net = semicomplete();
    net.write("access.log", &(lines.join("\n") + "\n"));
    let log = net.path().join("access.log");
    grove(
        &net,
        &[
            "stats",
            "import",
            "--site",
            "semicomplete",
            log.to_str().unwrap(),
        ],
    );
    let report = report(&net, PERIOD.0, PERIOD.1);
    report["sites"][0].clone()
}

/// GoAccess's JSON report of `lines`, with `args`.
fn goaccess_report(lines: &[String], args: &[&str]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("access.log");
    std::fs::write(&log, lines.join("\n") + "\n").unwrap();
    let out = dir.path().join("report.json");
    let output = Command::new("goaccess")
        .arg(&log)
        .args([
            "--log-format=COMBINED",
            "--max-items=1000000",
            "--no-global-config",
        ])
        .args(args)
        .arg("-o")
        .arg(&out)
        .output()
        .expect("goaccess runs (scripts/test-tools.sh installs it)");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // GoAccess writes decoded paths as raw bytes, not always UTF-8.
    let bytes = std::fs::read(&out).unwrap();
    serde_json::from_str(&String::from_utf8_lossy(&bytes)).unwrap()
}

/// The items of a GoAccess panel: (data, method, hits).
fn panel(report: &Value, name: &str) -> Vec<(String, String, u64)> {
    report[name]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            (
                item["data"].as_str().unwrap().to_string(),
                item["method"].as_str().unwrap_or_default().to_string(),
                item["hits"]["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// A list of Grove counts as a map.
fn counts(list: &Value) -> BTreeMap<String, u64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
#[ignore = "needs goaccess (scripts/test-tools.sh)"]
fn requests_per_status_are_goaccesss() {
    let lines = log_lines();
    assert_eq!(lines.len(), 10_000);
    let grove = grove_counts(&lines);
    let goaccess = goaccess_report(&lines, &[]);
    assert_eq!(goaccess["general"]["valid_requests"], 10_000);
    let mut theirs: BTreeMap<String, u64> = BTreeMap::new();
    for class in goaccess["status_codes"]["data"].as_array().unwrap() {
        for item in class["items"].as_array().unwrap() {
            let code = item["data"].as_str().unwrap().split(' ').next().unwrap();
            theirs.insert(code.to_string(), item["hits"]["count"].as_u64().unwrap());
        }
    }
    assert_eq!(counts(&grove["statuses"]), theirs);
    assert_eq!(theirs.values().sum::<u64>(), 10_000);
}

/// Each distinct user agent of `lines`, and whether Grove and GoAccess
/// call it a person's: one request per agent, each on its own page.
fn verdicts(lines: &[String]) -> Vec<(String, bool, bool)> {
    let agents: BTreeSet<&str> = lines.iter().map(|l| user_agent(l)).collect();
    let agents: Vec<&str> = agents.into_iter().collect();
    let probes: Vec<String> = agents
        .iter()
        .enumerate()
        .map(|(i, agent)| {
            format!(
                "10.0.0.1 - - [17/May/2015:10:00:00 +0000] \"GET /agent/{i}/ HTTP/1.1\" 200 100 \"-\" \"{agent}\""
            )
        })
        .collect();
    let grove = grove_counts(&probes);
    let grove_people: BTreeSet<String> = grove["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap().to_string())
        .collect();
    let goaccess = goaccess_report(&probes, &["--ignore-crawlers"]);
    let goaccess_people: BTreeSet<String> = panel(&goaccess, "requests")
        .into_iter()
        .map(|(path, _, _)| path)
        .collect();
    agents
        .iter()
        .enumerate()
        .map(|(i, agent)| {
            let path = format!("/agent/{i}/");
            (
                agent.to_string(),
                grove_people.contains(&path),
                goaccess_people.contains(&path),
            )
        })
        .collect()
}

#[test]
#[ignore = "needs goaccess (scripts/test-tools.sh)"]
fn people_and_crawlers_part_only_where_the_docs_say_and_agree_elsewhere() {
    let lines = log_lines();
    let verdicts = verdicts(&lines);
    // The agents the two tell apart, as the checked-in list has them (and
    // docs/stats.md explains them).
    let mut found = String::new();
    for (agent, grove_person, goaccess_person) in &verdicts {
        if grove_person != goaccess_person {
            let side = if *grove_person {
                "grove-person"
            } else {
                "grove-crawler"
            };
            found += &format!("{side}\t{agent}\n");
        }
    }
    let expected = std::fs::read_to_string(common::repo().join(DIFFERENCES)).unwrap();
    let expected: String = expected
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(
        found, expected,
        "the agents Grove and GoAccess class differently changed: update {DIFFERENCES} and docs/stats.md"
    );

    // The requests of agents both call people.
    let people: BTreeSet<&str> = verdicts
        .iter()
        .filter(|(_, g, a)| *g && *a)
        .map(|(agent, _, _)| agent.as_str())
        .collect();
    let both: Vec<String> = lines
        .iter()
        .filter(|l| people.contains(user_agent(l)))
        .cloned()
        .collect();
    assert!(both.len() > 7_000, "{}", both.len());
    let grove = grove_counts(&both);
    assert_eq!(grove["crawler_hits"], 0);

    // 404s, path for path (GoAccess without query strings, as Grove).
    let goaccess = goaccess_report(&both, &["--no-query-string"]);
    assert_eq!(goaccess["general"]["valid_requests"], both.len() as u64);
    let mut not_found: BTreeMap<String, u64> = BTreeMap::new();
    for (path, _, hits) in panel(&goaccess, "not_found") {
        *not_found.entry(path).or_default() += hits;
    }
    assert!(not_found.len() > 20);
    assert_eq!(counts(&grove["not_found_paths"]), not_found);

    // Page views: GET of a page answered 2xx or 304. GoAccess counts every
    // request of a path; told to leave out the other statuses, and read
    // for GETs of pages, it counts the same.
    let statuses = counts(&grove["statuses"]);
    let mut args = vec!["--no-query-string".to_string()];
    for code in statuses.keys() {
        let code: u16 = code.parse().unwrap();
        if !((200..300).contains(&code) || code == 304) {
            args.push(format!("--ignore-status={code}"));
        }
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let goaccess = goaccess_report(&both, &args);
    let mut views: BTreeMap<String, u64> = BTreeMap::new();
    for (path, method, hits) in panel(&goaccess, "requests")
        .into_iter()
        .chain(panel(&goaccess, "static_requests"))
    {
        if method == "GET" && is_page(&path) {
            *views.entry(page_key(&path)).or_default() += hits;
        }
    }
    let grove_views: BTreeMap<String, u64> = grove["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["path"].as_str().unwrap().to_string(),
                p["views"].as_u64().unwrap(),
            )
        })
        .filter(|(_, views)| *views > 0)
        .collect();
    assert!(grove_views.len() > 300, "{}", grove_views.len());
    assert_eq!(grove_views, views);
}

/// Grove's page rule (docs/stats.md): a path ending in `/`, in `.html` or
/// without an extension.
fn is_page(path: &str) -> bool {
    let last = Path::new(path)
        .file_name()
        .map_or(String::new(), |n| n.to_string_lossy().into_owned());
    path.ends_with('/') || last.ends_with(".html") || last.ends_with(".htm") || !last.contains('.')
}

/// Grove's page names: `index.html` folded into its folder, a trailing
/// slash on the rest.
fn page_key(path: &str) -> String {
    for index in ["index.html", "index.htm"] {
        if let Some(folder) = path.strip_suffix(index) {
            return folder.to_string();
        }
    }
    if path.ends_with('/') || path.ends_with(".html") || path.ends_with(".htm") {
        path.to_string()
    } else {
        format!("{path}/")
    }
}

//! `grove report` and `grove dashboard` on money: days no earnings report
//! covers are unknown, not zero; every dollar is in a source, a site, a
//! page or an unattributed line; revenue reaches pages through the clicks
//! that led to it; the default period holds the spend; JSON has no caps
//! and no float noise.

use crate::common;

use crate::common::Fixture;
use crate::common::measuring::{FIREFOX, combined, file, grove, network, report, site};
use scraper::{Html, Selector};
use serde_json::{Value, json};

const AMAZON_HEADER: &str = "Category,Name,ASIN,Seller,Tracking ID,Date Shipped,Price($),Items Shipped,Returns,Revenue($),Ad Fees($),Device Type Group\n";

/// Alpha with two guides linking the grinder, gamma beside alpha and beta,
/// built; a log of November 10 (three visitors: two grinder clicks from
/// guide a, one from guide b; twelve referrers) and November 20; an
/// Amazon report covering November 1 to 15.
fn network_with_money() -> Fixture {
    let net = network();
    net.site("gamma", "Gamma");
    net.write(
        "sites/alpha/content/guides/_index.md",
        "+++\ntitle = \"Guides\"\n+++\n",
    );
    for page in ["a", "b"] {
        net.write(
            &format!("sites/alpha/content/guides/{page}.md"),
            &format!("+++\ntitle = \"Guide {page}\"\n+++\nBuy the [grinder](aff:grinder).\n"),
        );
    }
    net.build(&[]);
    let own = "https://alpha.example.com";
    let day = "10/Nov/2026:10:00:00";
    let mut log = String::new();
    for (visitor, page) in [("1.1.1.1", "a"), ("2.2.2.2", "b"), ("3.3.3.3", "a")] {
        log += &combined(
            visitor,
            day,
            &format!("GET /guides/{page}/"),
            200,
            "-",
            FIREFOX,
        );
        log += &combined(
            visitor,
            day,
            "GET /go/grinder/",
            302,
            &format!("{own}/guides/{page}/"),
            FIREFOX,
        );
    }
    for n in 0..12 {
        log += &combined(
            &format!("10.0.0.{n}"),
            day,
            "GET /",
            200,
            &format!("https://referrer{n}.example.org/"),
            FIREFOX,
        );
    }
    log += &combined(
        "4.4.4.4",
        "20/Nov/2026:10:00:00",
        "GET /",
        200,
        "-",
        FIREFOX,
    );
    net.write("access.log", &log);
    grove(
        &net,
        &[
            "stats",
            "import",
            "--site",
            "alpha",
            &file(&net, "access.log"),
        ],
    );
    net.write(
        "amazon.csv",
        &format!(
            "Fee-Earnings report from 11-01-2026 to 11-15-2026\n{AMAZON_HEADER}\
             Home,Grinder,B0BH3WMZ8X,Amazon.com,alpha-20,2026-11-12,$100,1,0,$100,$9.00,DESKTOP\n\
             Home,Kettle,B000KETTLE,Amazon.com,alpha-20,2026-11-12,$20,1,0,$20,$1.10,PHONE\n\
             Home,Kettle,B000KETTLE,Amazon.com,alpha-20,2026-11-13,$20,1,0,$20,$0.90,PHONE\n\
             Home,Mug,B0000000MG,Amazon.com,stranger-20,2026-11-14,$50,1,0,$50,$5.00,PHONE\n"
        ),
    );
    grove(
        &net,
        &[
            "revenue",
            "import",
            "--format",
            "amazon",
            &file(&net, "amazon.csv"),
        ],
    );
    net
}

fn close(value: &Value, expected: f64) -> bool {
    value.as_f64().is_some_and(|v| (v - expected).abs() < 1e-9)
}

fn day<'a>(report: &'a Value, date: &str) -> &'a Value {
    report["daily"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["date"] == date)
        .unwrap()
}

#[test]
fn every_dollar_is_in_a_source_a_page_or_an_unattributed_line() {
    let net = network_with_money();
    let report = report(&net, "2026-11-01", "2026-11-30");

    // Coverage: the report's stretch, 15 of the 30 days.
    assert_eq!(
        report["coverage"]["revenue"],
        json!([{
            "source": "amazon",
            "first": "2026-11-01",
            "last": "2026-11-15",
            "ranges": [{"first": "2026-11-01", "last": "2026-11-15"}],
            "days_in_period": 15
        }])
    );
    assert_eq!(report["coverage"]["revenue_days"], 15);
    assert_eq!(
        report["coverage"]["traffic"],
        json!({"first": "2026-11-10", "last": "2026-11-20"})
    );
    // A covered day without earnings is 0; an uncovered one is unknown.
    assert_eq!(day(&report, "2026-11-05")["revenue"], 0.0);
    assert!(close(&day(&report, "2026-11-12")["revenue"], 10.1));
    assert_eq!(day(&report, "2026-11-20")["revenue"], Value::Null);

    // By source and program: everything in USD, the stranger's too.
    assert_eq!(
        report["revenue_by_source"],
        json!([{"source": "amazon", "program": "amazon", "revenue": 16.0}])
    );
    // The stranger's tag matches no site; the kettle is in no registry.
    assert_eq!(report["unattributed_revenue"], 5.0);
    assert_eq!(
        report["unattributed"],
        json!([
            {"kind": "no_site", "source": "amazon", "site": null, "id": "stranger-20", "revenue": 5.0},
            {"kind": "not_in_registry", "source": "amazon", "site": "alpha", "id": "B000KETTLE", "revenue": 2.0}
        ])
    );
    let alpha = site(&report, "alpha");
    assert_eq!(alpha["title"], "Alpha");
    assert_eq!(alpha["domain"], "alpha.example.com");
    assert!(close(&alpha["revenue"], 11.0));
    assert_eq!(
        alpha["revenue_by_program"],
        json!([{"program": "amazon", "revenue": 11.0}])
    );
    // The grinder's $9 follows its three clicks: 6 to guide a, 3 to b;
    // the kettle's $2 reached no page.
    let page = |path: &str| {
        alpha["pages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["path"] == path)
            .unwrap_or_else(|| panic!("no page {path} in {alpha}"))
            .clone()
    };
    let a = page("/guides/a/");
    assert_eq!(
        (a["views"].clone(), a["clicks"].clone()),
        (json!(2), json!(2))
    );
    assert!(close(&a["revenue"], 6.0));
    assert!(close(&a["epc"], 3.0));
    assert!(close(&a["rpm"], 3000.0));
    assert!(close(&page("/guides/b/")["revenue"], 3.0));
    assert_eq!(page("/")["revenue"], 0.0);
    assert!(close(&alpha["revenue_off_pages"], 2.0));
    let products = alpha["products"].as_array().unwrap();
    assert_eq!(
        products[0],
        json!({"slug": "grinder", "in_registry": true, "clicks": 3, "revenue": 9.0, "epc": 3.0})
    );
    assert_eq!(
        products[1],
        json!({"slug": "B000KETTLE", "in_registry": false, "clicks": 0, "revenue": 2.0, "epc": null})
    );
    // A site with no earnings, on covered days: 0, not unknown.
    assert_eq!(site(&report, "beta")["revenue"], 0.0);
    // Referrers are all there: twelve, no cap.
    assert_eq!(
        alpha["referrers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["name"].as_str().unwrap().starts_with("referrer"))
            .count(),
        12
    );

    // Replicate candidates: both guides, best RPM first, missing on the
    // other sites; a site brief replicating guide a takes that site out,
    // a blueprint brief takes the page out.
    let candidates = &report["replicate_candidates"];
    assert_eq!(candidates[0]["file"], "sites/alpha/content/guides/a.md");
    assert_eq!(candidates[0]["missing"], json!(["beta", "gamma"]));
    assert_eq!(candidates[1]["file"], "sites/alpha/content/guides/b.md");
    let brief = |slug: &str| {
        format!(
            "[[brief]]\nslug = \"{slug}\"\ntitle = \"A\"\nsection = \"guides\"\nkind = \"guide\"\nsource = \"sites/alpha/content/guides/a.md\"\n"
        )
    };
    net.write("sites/beta/briefs.toml", &brief("a-beta"));
    let again = common::measuring::report(&net, "2026-11-01", "2026-11-30");
    assert_eq!(
        again["replicate_candidates"][0]["missing"],
        json!(["gamma"])
    );
    net.write("content/briefs.toml", &brief("a-all"));
    let again = common::measuring::report(&net, "2026-11-01", "2026-11-30");
    assert_eq!(again["replicate_candidates"].as_array().unwrap().len(), 1);
    assert_eq!(
        again["replicate_candidates"][0]["file"],
        "sites/alpha/content/guides/b.md"
    );

    // The dashboard shows what earns, the candidates and the stranger.
    let out = net.path().join("dash.html");
    grove(
        &net,
        &[
            "dashboard",
            "--since",
            "2026-11-01",
            "--until",
            "2026-11-30",
            "--output",
            out.to_str().unwrap(),
        ],
    );
    let html = Html::parse_document(&std::fs::read_to_string(&out).unwrap());
    let rows = |selector: &str| -> Vec<Vec<String>> {
        html.select(&Selector::parse(selector).unwrap())
            .map(|row| {
                row.select(&Selector::parse("th, td").unwrap())
                    .map(|cell| cell.text().collect::<String>().trim().to_string())
                    .collect()
            })
            .collect()
    };
    let earning = rows("section[aria-labelledby=earns] tbody tr");
    assert_eq!(
        earning[0][..6],
        [
            "alpha.example.com/guides/a/",
            "2",
            "2",
            "6.00",
            "3.00",
            "3,000.00"
        ]
    );
    let candidates_shown = rows("table.candidates tbody tr");
    assert_eq!(candidates_shown.len(), 1, "{candidates_shown:?}");
    assert!(candidates_shown[0][0].ends_with("sites/alpha/content/guides/b.md"));
    assert_eq!(candidates_shown[0][4], "Beta, Gamma");
    let ids = rows("section[aria-labelledby=money] ul.ids li");
    assert!(
        html.select(&Selector::parse("section[aria-labelledby=money] ul.ids li").unwrap())
            .any(|li| li.text().collect::<String>().contains("stranger-20")),
        "{ids:?}"
    );

    // The text says the same.
    let text = grove(
        &net,
        &["report", "--since", "2026-11-01", "--until", "2026-11-30"],
    );
    for expected in [
        "Earnings from amazon: reports cover 2026-11-01 to 2026-11-15 (15 of the period's 30 days).",
        "Revenue, EPC, RPM and ROI count only the 15 days some earnings report covers.",
        "5.00 USD of revenue matched to no site",
        "amazon ID stranger-20",
        "alpha B000KETTLE",
        "sites/alpha/content/guides/b.md (missing on beta, gamma)",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
}

#[test]
fn days_no_report_covers_are_unknown_and_never_compared() {
    let net = network_with_money();
    let report = report(&net, "2026-11-16", "2026-11-30");
    assert_eq!(report["coverage"]["revenue_days"], 0);
    for field in ["revenue", "epc", "rpm", "roi"] {
        assert_eq!(report["network"][field], Value::Null, "{field}");
        assert_eq!(site(&report, "alpha")[field], Value::Null, "{field}");
    }
    assert!(
        report["daily"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["revenue"].is_null())
    );
    let text = grove(
        &net,
        &["report", "--since", "2026-11-16", "--until", "2026-11-30"],
    );
    assert!(
        text.contains("No earnings report covers these days: revenue is unknown (-), not zero."),
        "{text}"
    );
    let row: Vec<&str> = text
        .lines()
        .find(|l| l.starts_with("alpha"))
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(row[7..10], ["-", "-", "-"], "revenue, EPC, RPM: {row:?}");

    // The dashboard says so, and compares nothing the days before do not
    // cover: traffic starts on November 10, so the 15 days before the
    // period (November 1 to 15) are not all there.
    let out = net.path().join("dash.html");
    grove(
        &net,
        &[
            "dashboard",
            "--since",
            "2026-11-16",
            "--until",
            "2026-11-30",
            "--output",
            out.to_str().unwrap(),
        ],
    );
    let html = Html::parse_document(&std::fs::read_to_string(&out).unwrap());
    let cards: Vec<(String, String)> = html
        .select(&Selector::parse(".cards div").unwrap())
        .map(|card| {
            let text = |s: &str| {
                card.select(&Selector::parse(s).unwrap())
                    .next()
                    .map(|e| e.text().collect::<String>())
                    .unwrap_or_default()
            };
            (text("dt"), text("dd"))
        })
        .collect();
    let card = |name: &str| {
        cards
            .iter()
            .find(|(dt, _)| dt == name)
            .unwrap_or_else(|| panic!("no {name} card in {cards:?}"))
            .1
            .clone()
    };
    assert!(
        card("Revenue").contains("no earnings report covers these days"),
        "{cards:?}"
    );
    assert!(!card("Revenue").contains("0.00"), "{cards:?}");
    assert!(
        card("Views").contains("no comparison: traffic is imported from 2026-11-10 only"),
        "{cards:?}"
    );
    assert!(!card("Views").contains('%'), "{cards:?}");
}

#[test]
fn the_default_period_holds_the_spend_and_roi_needs_real_spend() {
    let net = network_with_money();
    let entry = |time: &str, cost: f64| {
        format!(
            "{{\"time\":\"{time}\",\"site\":\"alpha\",\"brief\":\"a\",\"step\":\"article\",\"model\":\"m\",\"input_tokens\":1,\"output_tokens\":1,\"cost_usd\":{cost},\"cache_hit\":false,\"usage_estimated\":false,\"status\":\"ok\"}}\n"
        )
    };
    // A cent of spend after the last log day: the period runs to it, and
    // ROI on a cent would be a meaningless huge number.
    net.write(".grove/ledger.jsonl", &entry("2026-12-01T09:00:00Z", 0.01));
    let text = grove(&net, &["report", "--json"]);
    let report: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(report["period"]["until"], "2026-12-01");
    assert_eq!(report["period"]["since"], "2026-11-02");
    assert!(close(&site(&report, "alpha")["spend"], 0.01));
    assert_eq!(site(&report, "alpha")["roi"], Value::Null);
    // Two dollars (on a covered day) is spend ROI can speak of.
    net.write(".grove/ledger.jsonl", &entry("2026-11-12T09:00:00Z", 2.0));
    let report = common::measuring::report(&net, "2026-11-01", "2026-11-30");
    assert!(close(&site(&report, "alpha")["roi"], (11.0 - 2.0) / 2.0));
    // Money is in cents and ratios in 4 decimals: no float noise.
    for number in numbers(&text) {
        let decimals = number.split_once('.').map_or(0, |(_, d)| d.len());
        assert!(decimals <= 4, "{number} in the JSON");
    }
}

/// Every number literal of a JSON text.
fn numbers(json: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    let mut current = String::new();
    for c in json.chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        if c.is_ascii_digit() || c == '.' || c == '-' || c == 'e' {
            current.push(c);
            continue;
        }
        if !current.is_empty() {
            found.push(std::mem::take(&mut current));
        }
        in_string = c == '"';
    }
    found
}

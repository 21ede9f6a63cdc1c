//! `grove dashboard`: its figures are `grove report --json`'s for the same
//! period (checked by parsing the page), with the last check's and audit's
//! results; it fetches nothing, states what to run when empty, and is never
//! written where sites are published.

use crate::common;

use crate::common::Fixture;
use scraper::{Html, Selector};
use serde_json::Value;

/// The example network with its sample traffic and earnings imported,
/// built and checked.
fn example_with_data() -> Fixture {
    let net = Fixture::example();
    let data = common::repo().join("examples/data");
    for (args, file) in [
        (vec!["stats", "import"], "access.log.gz"),
        (
            vec!["revenue", "import", "--format", "amazon"],
            "amazon-earnings.csv",
        ),
    ] {
        let path = data.join(file);
        let mut all = args.clone();
        all.push(path.to_str().unwrap());
        let output = net.grove(&all);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    net.build(&[]);
    assert!(net.grove(&["check", "--offline"]).status.success());
    assert!(net.grove(&["audit"]).status.success());
    net
}

fn dashboard(net: &Fixture, args: &[&str]) -> Html {
    let out = net.path().join("dash.html");
    let mut all = vec!["dashboard", "--output", out.to_str().unwrap()];
    all.extend_from_slice(args);
    let output = net.grove(&all);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Html::parse_document(&std::fs::read_to_string(out).unwrap())
}

fn select<'a>(html: &'a Html, selector: &str) -> Vec<scraper::ElementRef<'a>> {
    html.select(&Selector::parse(selector).unwrap()).collect()
}

fn text(element: &scraper::ElementRef<'_>) -> String {
    element.text().collect::<String>().trim().to_string()
}

#[test]
fn the_pages_figures_are_the_reports_for_the_same_period() {
    let net = example_with_data();
    let period = ["--since", "2026-10-01", "--until", "2026-10-31"];
    let html = dashboard(&net, &period);
    let mut args = vec!["report", "--json"];
    args.extend_from_slice(&period);
    let report: Value = serde_json::from_slice(&net.grove(&args).stdout).unwrap();
    assert!(
        report["network"]["views"].as_u64().unwrap() > 1000,
        "{report}"
    );

    // The sites table: one row per site, every figure as the report has it.
    let rows = select(&html, "#sites-table tbody tr");
    let sites = report["sites"].as_array().unwrap();
    assert_eq!(rows.len(), sites.len());
    let fields = [
        "pages_published",
        "drafts",
        "",
        "audit",
        "views",
        "clicks",
        "ctr",
        "revenue",
        "epc",
        "rpm",
        "spend",
        "roi",
    ];
    for (row, site) in rows.iter().zip(sites) {
        // Sites by title and domain, the folder in the tooltip.
        let name = site["site"].as_str().unwrap();
        let label = text(&select_in(row, "th")[0]);
        assert_eq!(
            label,
            format!(
                "{} {}",
                site["title"].as_str().unwrap(),
                site["domain"].as_str().unwrap()
            )
        );
        assert_eq!(
            select_in(row, "th span[title]")[0].value().attr("title"),
            Some(format!("folder sites/{name}").as_str())
        );
        let cells = select_in(row, "td");
        for (cell, field) in cells.iter().zip(fields) {
            if field.is_empty() {
                // Broken links, from the last `grove check --offline`.
                assert_eq!(cell.value().attr("data-sort"), Some("0"));
                continue;
            }
            if field == "audit" {
                // From the last `grove audit`: the example audits clean.
                assert_eq!(text(cell), "0 / 0");
                continue;
            }
            let sort: f64 = cell.value().attr("data-sort").unwrap().parse().unwrap();
            // Unknown (JSON null) sorts below every figure.
            let expected = site[field].as_f64().unwrap_or(-1e300);
            // JSON rounds money to cents and ratios to 4 decimals.
            assert!(
                (sort - expected).abs() <= 0.005,
                "{name} {field}: {sort} vs {expected}"
            );
        }
    }

    // The network's cards.
    let cards: Vec<(String, String)> = select(&html, ".cards div")
        .iter()
        .map(|card| {
            (
                text(&select_in(card, "dt")[0]),
                text(&select_in(card, ".value")[0]),
            )
        })
        .collect();
    let network = &report["network"];
    let thousands = |n: &Value| {
        let digits = n.as_u64().unwrap().to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    };
    assert_eq!(cards[0], ("Views".into(), thousands(&network["views"])));
    assert_eq!(
        cards[1],
        ("Visitors".into(), thousands(&network["visitors"]))
    );
    assert_eq!(cards[2], ("Clicks".into(), thousands(&network["clicks"])));
    assert_eq!(
        cards[3],
        (
            "Revenue".into(),
            format!("{:.2} USD", network["revenue"].as_f64().unwrap())
        )
    );

    // The daily charts' numbers (views, then clicks, each on its own
    // axis) are the report's days.
    let charts = select(&html, "section[aria-labelledby=network] figure.chart");
    let daily = report["daily"].as_array().unwrap();
    for (chart, field) in charts.iter().zip(["views", "clicks"]) {
        assert_eq!(
            select_in(chart, ".legend li").len(),
            1,
            "{field} has its own chart"
        );
        let days = select_in(chart, "table.numbers tbody tr");
        assert_eq!(days.len(), daily.len());
        for (row, day) in days.iter().zip(daily) {
            let cells = select_in(row, "td");
            assert_eq!(text(&cells[0]).replace(',', ""), day[field].to_string());
        }
    }
    // Top pages: the most viewed page of the network first.
    let top = select(&html, "section[aria-labelledby=pages] table.bars tbody tr");
    let best = sites
        .iter()
        .flat_map(|s| s["pages"].as_array().unwrap().iter())
        .map(|p| p["views"].as_u64().unwrap())
        .max()
        .unwrap();
    assert_eq!(
        text(&select_in(&top[0], "td")[0]).replace(',', ""),
        best.to_string()
    );
    // Crawlers per day, drafting per site.
    assert!(
        text(&select(&html, "section[aria-labelledby=crawlers] figcaption")[0])
            .contains("Crawler requests per day")
    );
    assert_eq!(
        select(&html, "section[aria-labelledby=drafting] tbody tr").len(),
        3
    );
}

fn select_in<'a>(
    element: &scraper::ElementRef<'a>,
    selector: &str,
) -> Vec<scraper::ElementRef<'a>> {
    element
        .select(&Selector::parse(selector).unwrap())
        .collect()
}

#[test]
fn the_page_fetches_nothing_and_stays_small() {
    let net = example_with_data();
    let out = net.path().join("dash.html");
    dashboard(&net, &[]);
    let page = std::fs::read_to_string(&out).unwrap();
    let html = Html::parse_document(&page);
    for (selector, attribute) in [
        ("script[src]", "src"),
        ("link[href]", "href"),
        ("img[src]", "src"),
        ("iframe", "src"),
    ] {
        for element in select(&html, selector) {
            let value = element.value().attr(attribute).unwrap_or("");
            assert!(
                value.starts_with("data:") || value.is_empty(),
                "{selector} fetches {value}"
            );
        }
    }
    assert!(
        !page.contains("url(http") && !page.contains("@import"),
        "CSS fetches something"
    );
    // Every chart has a text alternative.
    for svg in select(&html, "figure svg[role=img]") {
        assert!(svg.value().attr("aria-label").is_some_and(|l| l.len() > 10));
    }
    assert!(page.len() < 2_000_000);
}

#[test]
fn an_empty_network_says_which_commands_fill_it() {
    let net = Fixture::example();
    let html = dashboard(&net, &[]);
    let start = text(&select(&html, "section.notice")[0]);
    assert!(start.contains("grove stats import access.log"), "{start}");
    assert!(
        start.contains("grove revenue import --format amazon"),
        "{start}"
    );
    // The default place, and never the published output or the sources.
    let output = net.grove(&["dashboard"]);
    assert!(output.status.success());
    assert!(net.path().join(".grove/dashboard/index.html").is_file());
    for bad in [
        "public/dashboard.html",
        "public/home-espresso/stats.html",
        "sites/home-espresso/static/d.html",
    ] {
        let path = net.path().join(bad);
        let output = net.grove(&["dashboard", "--output", path.to_str().unwrap()]);
        assert!(!output.status.success(), "{bad}");
        assert!(String::from_utf8_lossy(&output.stderr).contains("holds revenue figures"));
        assert!(!path.exists());
    }
}

#[test]
fn the_dashboard_replaces_nothing_but_a_dashboard() {
    let net = Fixture::example();
    let web_root = tempfile::tempdir().unwrap();
    let www = web_root.path();
    // A folder a build wrote into (the web root of ops/publish.sh).
    let built = net.grove(&["build", "--output", www.to_str().unwrap()]);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    assert!(www.join(".grove-sites").is_file());
    net.write(".grove/import-x.md", "# Import report\n");
    net.write("notes.html", "<p>my notes</p>\n");
    std::os::unix::fs::symlink(net.path().join("grove.toml"), net.path().join("link.html"))
        .unwrap();
    std::os::unix::fs::symlink(net.path().join("sites"), net.path().join("linked-sites")).unwrap();
    let before = |rel: &str| std::fs::read(net.path().join(rel)).ok();
    let kept = [
        "grove.toml",
        "affiliates.toml",
        "sites/home-espresso/site.toml",
        "content/_index.md",
        ".grove/import-x.md",
        "notes.html",
    ];
    let kept_bytes: Vec<_> = kept.iter().map(|rel| before(rel)).collect();
    let web_index = std::fs::read(www.join("home-espresso/index.html")).unwrap();
    let mut refused: Vec<std::path::PathBuf> =
        kept.iter().map(|rel| net.path().join(rel)).collect();
    refused.extend([
        net.path().join("content/dashboard.html"),
        net.path().join("themes/default/static/d.html"),
        net.path().join("link.html"),
        net.path().join("linked-sites/home-espresso/static/d.html"),
        net.path().join("public/../sites/d.html"),
        www.join("dashboard.html"),
        www.join("home-espresso/index.html"),
        www.join("home-espresso/new/d.html"),
        net.path().join(".grove"),
    ]);
    for path in &refused {
        let output = net.grove(&["dashboard", "--output", path.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{} was written", path.display());
        assert!(
            stderr.contains("refusing to write the dashboard"),
            "{stderr}"
        );
    }
    for (rel, bytes) in kept.iter().zip(kept_bytes) {
        assert_eq!(before(rel), bytes, "{rel} changed");
    }
    assert_eq!(
        std::fs::read(www.join("home-espresso/index.html")).unwrap(),
        web_index
    );
    assert!(!www.join("dashboard.html").exists());
    assert!(!net.path().join("content/dashboard.html").exists());
    // A new file, and a dashboard written before, are fine.
    let elsewhere = tempfile::tempdir().unwrap();
    let page = elsewhere.path().join("dash.html");
    for _ in 0..2 {
        let output = net.grove(&["dashboard", "--output", page.to_str().unwrap()]);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn the_drafting_pipeline_counts_briefs_by_stage_as_plan_does() {
    let net = Fixture::example();
    let briefs = net.read("sites/home-espresso/briefs.toml");
    net.write(
        "sites/home-espresso/briefs.toml",
        &format!(
            "{briefs}\n[[brief]]\nslug = \"idea\"\ntitle = \"An idea\"\nsection = \"guides\"\nkind = \"guide\"\nstatus = \"proposed\"\n"
        ),
    );
    let html = dashboard(&net, &[]);
    let plan = String::from_utf8(net.grove(&["plan", "--site", "home-espresso"]).stdout).unwrap();
    let count = |status: &str| {
        plan.lines()
            .filter(|l| l.trim_start().starts_with(status))
            .count()
            .to_string()
    };
    let row = select(&html, "section[aria-labelledby=drafting] tbody tr")
        .into_iter()
        .find(|row| {
            select_in(row, "th span[title]")[0].value().attr("title")
                == Some("folder sites/home-espresso")
        })
        .expect("a row for home-espresso");
    let cells: Vec<String> = select_in(&row, "td").iter().map(text).collect();
    // Proposed, planned (to draft), drafted (a draft file), approved.
    assert_eq!(cells[0], "1");
    assert_eq!(cells[0], count("proposed"));
    assert_eq!(cells[1], count("draft "));
}

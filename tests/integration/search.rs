//! `grove seo import` and the report's search figures, on real Search
//! Console exports (tests/data/search-console) checked page by page
//! against the export's own rows, on saved API responses, Bing's exports
//! and what goes wrong: filtered exports, unknown hosts, files given
//! twice, re-imports of the same days.

use crate::common;

use std::collections::BTreeMap;

use crate::common::Fixture;
use crate::common::measuring::{file, grove, report, site};
use serde_json::{Value, json};

fn data(rel: &str) -> String {
    common::repo()
        .join("tests/data/search-console")
        .join(rel)
        .to_str()
        .unwrap()
        .to_string()
}

/// A network whose sites have the real exports' domains, and `alpha`.
fn network() -> Fixture {
    let net = Fixture::new();
    for (name, url) in [
        ("stupski", "https://stupski.org"),
        ("tickets", "https://tickets.chobble.com"),
    ] {
        net.write(
            &format!("sites/{name}/site.toml"),
            &format!("title = \"{name}\"\nbase_url = \"{url}\"\nniche = \"n\"\n"),
        );
    }
    net.site("alpha", "Alpha");
    net
}

/// (clicks, impressions, position) per row label of a real export's CSV.
fn export_rows(path: &str) -> Vec<(String, u64, u64, f64)> {
    csv_rows(&std::fs::read(path).unwrap())
}

fn csv_rows(bytes: &[u8]) -> Vec<(String, u64, u64, f64)> {
    let mut reader = csv::Reader::from_reader(bytes);
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[0].to_string(),
                r[1].parse().unwrap(),
                r[2].parse().unwrap(),
                r[4].parse().unwrap_or(0.0),
            )
        })
        .collect()
}

/// A ZIP archive of one stored file.
fn stored_zip(name: &str, data: &[u8]) -> Vec<u8> {
    let header = |signature: u32, central: bool| {
        let mut h = signature.to_le_bytes().to_vec();
        if central {
            h.extend(20u16.to_le_bytes());
        }
        h.extend([20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        h.extend((data.len() as u32).to_le_bytes());
        h.extend((data.len() as u32).to_le_bytes());
        h.extend((name.len() as u16).to_le_bytes());
        h.extend(0u16.to_le_bytes());
        if central {
            h.extend([0; 14]);
        }
        h.extend(name.as_bytes());
        h
    };
    let mut zip = header(0x0403_4b50, false);
    zip.extend(data);
    let directory = header(0x0201_4b50, true);
    let at = zip.len() as u32;
    zip.extend(&directory);
    zip.extend(0x0605_4b50u32.to_le_bytes());
    zip.extend([0, 0, 0, 0, 1, 0, 1, 0]);
    zip.extend((directory.len() as u32).to_le_bytes());
    zip.extend(at.to_le_bytes());
    zip.extend([0, 0]);
    zip
}

fn pages_by_path(site: &Value) -> BTreeMap<String, Value> {
    site["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["path"].as_str().unwrap().to_string(), p["search"].clone()))
        .collect()
}

/// The rows of the CSV file `name` of the zip at `zip`.
fn zipped_rows(zip: &str, name: &str) -> Vec<(String, u64, u64, f64)> {
    let entries = grove::zip_archive::read_zip(&std::fs::read(zip).unwrap()).unwrap();
    let entry = entries.iter().find(|e| e.name == name).unwrap();
    csv_rows(&entry.bytes)
}

#[test]
fn a_real_export_zip_gives_every_page_its_own_figures() {
    let net = network();
    let out = grove(&net, &["seo", "import", &data("stupski-2026-03.zip")]);
    assert!(out.contains("stupski: 2026-03-01 to 2026-03-31"), "{out}");
    assert!(out.contains("Countries.csv: 229 rows"), "{out}");
    assert!(out.contains("queries (1000 rows)"), "{out}");
    let report = report(&net, "2026-03-01", "2026-03-31");
    let stupski = site(&report, "stupski");
    let pages = pages_by_path(stupski);
    let rows = zipped_rows(&data("stupski-2026-03.zip"), "Pages.csv");
    assert_eq!(rows.len(), 196);
    for (url, clicks, impressions, position) in rows {
        let path = url.strip_prefix("https://stupski.org").unwrap();
        let page = &pages[path];
        assert_eq!(page["clicks"], clicks, "{path}");
        assert_eq!(page["impressions"], impressions, "{path}");
        let got = page["position"].as_f64().unwrap();
        assert!(
            (got - position).abs() < 0.006,
            "{path}: {got} vs {position}"
        );
    }
    // The site's totals are the property's (Chart.csv), not the pages' sum.
    let chart = zipped_rows(&data("stupski-2026-03.zip"), "Chart.csv");
    let clicks: u64 = chart.iter().map(|r| r.1).sum();
    let impressions: u64 = chart.iter().map(|r| r.2).sum();
    assert_eq!(stupski["search"]["clicks"], clicks);
    assert_eq!(stupski["search"]["impressions"], impressions);
    assert_eq!(report["coverage"]["search_estimated"], false);
    // Half of the month: an estimate, and the report says so.
    let half = common::measuring::report(&net, "2026-03-01", "2026-03-15");
    assert_eq!(half["coverage"]["search_estimated"], true);
    let half_clicks = site(&half, "stupski")["search"]["clicks"].as_u64().unwrap();
    assert!(half_clicks > 0 && half_clicks < clicks);
    // Queries are listed by impressions: the most shown is a pasted
    // prompt spanning lines inside quotes, one query, not four rows.
    let queries = stupski["search_queries"].as_array().unwrap();
    assert!(
        queries[0]["query"]
            .as_str()
            .unwrap()
            .contains("a false statement about online time? a. blue light from devices can \nmake")
    );
    let foundation = queries
        .iter()
        .find(|q| q["query"] == "stupski foundation")
        .unwrap();
    assert_eq!(foundation["clicks"], 627);
    assert_eq!(foundation["impressions"], 974);
}

#[test]
fn loose_csv_files_of_an_export_and_its_pages_without_views() {
    let net = network();
    let folder = data("tickets");
    let files: Vec<String> = [
        "Chart.csv",
        "Countries.csv",
        "Devices.csv",
        "Pages.csv",
        "Queries.csv",
    ]
    .iter()
    .map(|f| format!("{folder}/{f}"))
    .collect();
    let mut args = vec!["seo", "import"];
    args.extend(files.iter().map(String::as_str));
    let out = grove(&net, &args);
    assert!(out.contains("tickets: 2026-03-15 to 2026-07-21"), "{out}");
    let report = report(&net, "2026-03-15", "2026-07-21");
    let pages = pages_by_path(site(&report, "tickets"));
    let rows = export_rows(&format!("{folder}/Pages.csv"));
    assert_eq!(pages.len(), rows.len());
    for (url, clicks, impressions, _) in rows {
        let path = url.strip_prefix("https://tickets.chobble.com").unwrap();
        assert_eq!(pages[path]["clicks"], clicks, "{path}");
        assert_eq!(pages[path]["impressions"], impressions, "{path}");
    }
    // Importing the same export again replaces its days: nothing doubles.
    grove(&net, &args);
    let again = common::measuring::report(&net, "2026-03-15", "2026-07-21");
    assert_eq!(
        site(&again, "tickets")["search"],
        site(&report, "tickets")["search"]
    );
}

/// A saved `searchanalytics.query` response by date, page and query.
fn api_rows(rows: &[(&str, &str, &str, u64, u64, f64)]) -> String {
    let rows: Vec<Value> = rows
        .iter()
        .map(|(date, page, query, clicks, impressions, position)| {
            json!({"keys": [date, page, query], "clicks": *clicks as f64, "impressions": *impressions as f64,
                   "ctr": *clicks as f64 / *impressions as f64, "position": position})
        })
        .collect();
    json!({"rows": rows, "responseAggregationType": "byPage"}).to_string()
}

#[test]
fn api_responses_give_pages_their_queries_and_replace_their_days() {
    let net = network();
    net.write(
        "day1.json",
        &api_rows(&[
            (
                "2026-11-01",
                "https://alpha.example.com/grinders/",
                "best grinder",
                3,
                100,
                4.0,
            ),
            (
                "2026-11-01",
                "https://www.alpha.example.com/grinders/",
                "grinder review",
                1,
                50,
                10.0,
            ),
            (
                "2026-11-01",
                "http://alpha.example.com/caf%C3%A9",
                "cafe",
                0,
                20,
                30.0,
            ),
            (
                "2026-11-01",
                "https://elsewhere.example.org/x/",
                "x",
                5,
                5,
                1.0,
            ),
        ]),
    );
    net.write(
        "day2.json",
        &api_rows(&[(
            "2026-11-02",
            "https://alpha.example.com/grinders/",
            "best grinder",
            2,
            60,
            6.0,
        )]),
    );
    let out = grove(
        &net,
        &[
            "seo",
            "import",
            &file(&net, "day1.json"),
            &file(&net, "day2.json"),
        ],
    );
    assert!(
        out.contains("1 row of URLs no site has, not imported: elsewhere.example.org (1)"),
        "{out}"
    );
    let report = report(&net, "2026-11-01", "2026-11-02");
    let alpha = site(&report, "alpha");
    let pages = pages_by_path(alpha);
    let grinders = &pages["/grinders/"];
    assert_eq!(grinders["clicks"], 6);
    assert_eq!(grinders["impressions"], 210);
    // (4 x 100 + 10 x 50 + 6 x 60) / 210
    assert_eq!(grinders["position"], 6.0);
    assert_eq!(grinders["queries"][0]["query"], "best grinder");
    assert_eq!(grinders["queries"][0]["impressions"], 160);
    assert_eq!(grinders["queries"][0]["clicks"], 5);
    assert_eq!(pages["/café/"]["impressions"], 20);
    assert_eq!(alpha["search"]["clicks"], 6);
    // The dashboard's search table lists the page with its figures.
    let dashboard = net.path().join("dashboard.html");
    grove(
        &net,
        &[
            "dashboard",
            "--since",
            "2026-11-01",
            "--until",
            "2026-11-02",
            "--output",
            dashboard.to_str().unwrap(),
        ],
    );
    let html = scraper::Html::parse_document(&std::fs::read_to_string(&dashboard).unwrap());
    let rows: Vec<Vec<String>> = html
        .select(&scraper::Selector::parse("#search-table tbody tr").unwrap())
        .map(|row| {
            row.text()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect()
        })
        .collect();
    assert!(
        rows[0].iter().any(|cell| cell.contains("/grinders/")),
        "{rows:?}"
    );
    assert!(
        rows[0].contains(&"210".to_string()) && rows[0].contains(&"best grinder".to_string()),
        "{rows:?}"
    );
    // A new response for day 2 replaces day 2, and only it.
    net.write(
        "day2.json",
        &api_rows(&[(
            "2026-11-02",
            "https://alpha.example.com/grinders/",
            "best grinder",
            9,
            90,
            2.0,
        )]),
    );
    grove(
        &net,
        &[
            "seo",
            "import",
            &file(&net, "day2.json"),
            &file(&net, "day2.json"),
        ],
    );
    let report = common::measuring::report(&net, "2026-11-01", "2026-11-02");
    let grinders = &pages_by_path(site(&report, "alpha"))["/grinders/"];
    assert_eq!(grinders["clicks"], 13);
    assert_eq!(grinders["impressions"], 240);
}

#[test]
fn bad_files_change_nothing_and_say_where() {
    let net = network();
    net.write(
        "good.json",
        &api_rows(&[(
            "2026-11-01",
            "https://alpha.example.com/a/",
            "a",
            1,
            10,
            2.0,
        )]),
    );
    net.write(
        "filtered/Pages.csv",
        "Top pages,Clicks,Impressions,CTR,Position\nhttps://alpha.example.com/a/,1,10,10%,2\n",
    );
    net.write(
        "filtered/Filters.csv",
        "Filter,Value\nSearch type,Web\nDate,\"Mar 1, 2026-Mar 31, 2026\"\nDevice,Desktop\n",
    );
    let output = net.grove(&[
        "seo",
        "import",
        &file(&net, "good.json"),
        &file(&net, "filtered/Pages.csv"),
        &file(&net, "filtered/Filters.csv"),
    ]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("the export is filtered (Device: Desktop)"),
        "{stderr}"
    );
    let report = report(&net, "2026-11-01", "2026-11-01");
    assert_eq!(
        site(&report, "alpha")["search"]["impressions"],
        0,
        "all or nothing"
    );

    net.write(
        "bad/Pages.csv",
        "Top pages,Clicks,Impressions,CTR,Position\nhttps://alpha.example.com/a/,1,10,10%,2\nhttps://alpha.example.com/b/,one,10,10%,2\n",
    );
    let output = net.grove(&[
        "seo",
        "import",
        "--since",
        "2026-11-01",
        "--until",
        "2026-11-02",
        &file(&net, "bad/Pages.csv"),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("Pages.csv:3: clicks `one` is not a number"),
        "{stderr}"
    );

    net.write(
        "queries/Queries.csv",
        "Top queries,Clicks,Impressions,CTR,Position\nx,1,2,50%,3\n",
    );
    net.write(
        "queries/Chart.csv",
        "Date,Clicks,Impressions,CTR,Position\n2026-11-01,1,2,50%,3\n",
    );
    let out = grove(
        &net,
        &[
            "seo",
            "import",
            &file(&net, "queries/Queries.csv"),
            &file(&net, "queries/Chart.csv"),
        ],
    );
    assert!(out.contains("give --site NAME"), "{out}");
    grove(
        &net,
        &[
            "seo",
            "import",
            "--site",
            "alpha",
            &file(&net, "queries/Queries.csv"),
            &file(&net, "queries/Chart.csv"),
        ],
    );
    let report = common::measuring::report(&net, "2026-11-01", "2026-11-01");
    assert_eq!(site(&report, "alpha")["search_queries"][0]["query"], "x");
}

#[test]
fn localized_exports_and_bing_keywords() {
    let net = network();
    net.write(
        "cz/Stránky.csv",
        "Nejčastější stránky;Kliknutí;Zobrazení;CTR;Pozice\nhttps://alpha.example.com/a/;5;120;4,17 %;11,7\n",
    );
    net.write(
        "cz/Graf.csv",
        "Datum;Kliknutí;Zobrazení;CTR;Pozice\n1. 10. 2026;2;60;3,33 %;11\n2. 10. 2026;3;60;5 %;12,4\n",
    );
    grove(
        &net,
        &[
            "seo",
            "import",
            &file(&net, "cz/Stránky.csv"),
            &file(&net, "cz/Graf.csv"),
        ],
    );
    let report = report(&net, "2026-10-01", "2026-10-02");
    let page = &pages_by_path(site(&report, "alpha"))["/a/"];
    assert_eq!(page["clicks"], 5);
    assert_eq!(page["position"], 11.7);

    // As Bing Webmaster Tools writes its keyword report: every field
    // quoted, a keyword holding unescaped quotes, more clicks than
    // impressions on a row.
    // An Excel download is a zip too: refused with what to do.
    net.write_bytes(
        "export.xlsx",
        &stored_zip("xl/workbook.xml", b"<workbook/>"),
    );
    let output = net.grove(&["seo", "import", &file(&net, "export.xlsx")]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("Download CSV"));

    net.write(
        "bing.csv",
        "\"Keyword\",\"Impressions\",\"Clicks\",\"CTR\",\"Avg. Position\"\n\"cb06 6′ (72\")x4\" × 8\"\",\"2\",\"0\",\"0%\",\"4\"\n\"espresso grinder\",\"300\",\"6\",\"2.00%\",\"8.5\"\n\"grinder spacing\",\"1\",\"2\",\"200%\",\"632\"\n",
    );
    let output = net.grove(&["seo", "import", "--site", "alpha", &file(&net, "bing.csv")]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("give --since and --until"));
    let out = grove(
        &net,
        &[
            "seo",
            "import",
            "--site",
            "alpha",
            "--since",
            "2026-10-01",
            "--until",
            "2026-10-03",
            &file(&net, "bing.csv"),
        ],
    );
    assert!(out.contains("(Bing): 3 rows"), "{out}");
    let report = common::measuring::report(&net, "2026-10-01", "2026-10-03");
    let queries = site(&report, "alpha")["search_queries"]
        .as_array()
        .unwrap()
        .clone();
    let bing = queries
        .iter()
        .find(|q| q["query"] == "espresso grinder")
        .unwrap();
    assert_eq!(bing["impressions"], 300);
    assert_eq!(bing["position"], 8.5);
}

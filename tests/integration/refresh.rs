//! `grove refresh`: a page whose search clicks fell is proposed with its
//! queries and headings; accepted and drafted, the new version waits
//! beside the live page, which nothing touches until `grove approve`
//! swaps it in under the same URL with `updated` set.

use crate::common;
use crate::common::llm_server;

use std::process::Output;

use crate::common::Fixture;
use llm_server::{FakeLlm, Reply};
use serde_json::{Value, json};

const LIVE: &str = "sites/home-espresso/content/guides/dialing-in-espresso.md";
const DRAFT: &str = "sites/home-espresso/content/guides/dialing-in-espresso.refresh.md";

fn ok(output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "grove failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// Search clicks per day from 2026-08-01 for 84 days: the dialing-in
/// guide 10 a day for 56 days then 3 a day; the grinder guide 5 a day.
fn decaying_clicks() -> String {
    let start = chrono::NaiveDate::from_ymd_opt(2026, 8, 1).unwrap();
    let mut rows = Vec::new();
    for i in 0..84 {
        let day = (start + chrono::Days::new(i))
            .format("%Y-%m-%d")
            .to_string();
        let falling = if i < 56 { 10 } else { 3 };
        for (page, query, clicks) in [
            (
                "guides/dialing-in-espresso/",
                "how to dial in espresso",
                falling,
            ),
            ("guides/choosing-a-grinder/", "espresso grinder", 5),
        ] {
            rows.push(json!({
                "keys": [day, format!("https://cremacorner.example.com/{page}"), query],
                "clicks": clicks, "impressions": clicks * 20, "ctr": 0.05, "position": 4.0
            }));
        }
    }
    json!({ "rows": rows }).to_string()
}

/// The example network, never built: refresh reads the sites' pages
/// itself.
fn network() -> Fixture {
    let net = Fixture::example();
    net.write("clicks.json", &decaying_clicks());
    let file = net.path().join("clicks.json");
    ok(&net.grove(&["seo", "import", file.to_str().unwrap()]));
    net
}

#[test]
fn a_decayed_page_is_proposed_with_its_queries_and_nothing_is_written_on_a_dry_run() {
    let net = network();
    let briefs_before =
        std::fs::read_to_string(net.path().join("sites/home-espresso/briefs.toml")).ok();
    let stdout = ok(&net.grove(&["refresh", "--site", "home-espresso", "--dry-run", "--json"]));
    let json: Value = serde_json::from_str(&stdout).unwrap();
    let proposals = json["proposals"].as_array().unwrap();
    assert_eq!(proposals.len(), 1, "{stdout}");
    let p = &proposals[0];
    assert_eq!(p["site"], "home-espresso");
    assert_eq!(p["page"], "/guides/dialing-in-espresso/");
    assert_eq!(p["queries"], json!(["how to dial in espresso"]));
    assert_eq!(
        (p["last"].as_u64(), p["previous"].as_u64()),
        (Some(84), Some(280))
    );
    assert!(
        p["reason"]
            .as_str()
            .unwrap()
            .contains("search clicks fell 70%"),
        "{p}"
    );
    assert_eq!(p["headings"][0], "Start from a standard recipe");
    assert_eq!(
        std::fs::read_to_string(net.path().join("sites/home-espresso/briefs.toml")).ok(),
        briefs_before
    );
}

#[test]
fn a_refresh_is_drafted_beside_the_page_and_swapped_in_by_approve() {
    let net = network();
    let server = FakeLlm::start(None);
    let config = net
        .read("grove.toml")
        .replace("http://127.0.0.1:8088/v1", &server.base_url);
    net.write("grove.toml", &config);
    let live_before = net.read(LIVE);
    // The new version is the old one with a section added: alike by
    // design, which the quality gate must not hold against it.
    let body = live_before[live_before.find("\n+++\n").unwrap() + 5..].to_string();
    server.script(move |_, _| {
        Reply::Text(format!(
            "{body}\n## What changed in 2026\n\nNewer grinders hold their setting better.\n"
        ))
    });

    ok(&net.grove(&["refresh", "--site", "home-espresso"]));
    let briefs = net.read("sites/home-espresso/briefs.toml");
    assert!(
        briefs.contains("slug = \"dialing-in-espresso-refresh\""),
        "{briefs}"
    );
    assert!(
        briefs.contains("refresh = \"guides/dialing-in-espresso.md\""),
        "{briefs}"
    );
    // Proposed only once, however often refresh runs.
    ok(&net.grove(&["refresh", "--site", "home-espresso"]));
    assert_eq!(
        net.read("sites/home-espresso/briefs.toml")
            .matches("dialing-in-espresso-refresh")
            .count(),
        1
    );
    // Not drafted until accepted.
    ok(&net.grove(&[
        "draft",
        "--site",
        "home-espresso",
        "--brief",
        "dialing-in-espresso-refresh",
    ]));
    assert!(!net.path().join(DRAFT).exists());
    ok(&net.grove(&["refresh", "accept", "dialing-in-espresso-refresh"]));
    ok(&net.grove(&[
        "draft",
        "--site",
        "home-espresso",
        "--brief",
        "dialing-in-espresso-refresh",
    ]));
    let prompt = server.requests().last().unwrap().prompt();
    assert!(prompt.contains("how to dial in espresso"), "{prompt}");
    assert!(prompt.contains("Start from a standard recipe"), "{prompt}");
    assert!(prompt.contains("search clicks fell 70%"), "{prompt}");
    let draft = net.read(DRAFT);
    assert!(draft.contains("draft = true"), "{draft}");
    assert!(
        draft.contains("refreshes = \"guides/dialing-in-espresso.md\""),
        "{draft}"
    );
    assert_eq!(net.read(LIVE), live_before, "the live page is untouched");

    // Built: the live page is the old one; the draft is not published.
    ok(&net.build(&[]));
    let page = net.html("home-espresso/guides/dialing-in-espresso/index.html");
    assert!(
        !common::texts(&page, "h2")
            .iter()
            .any(|h| h == "What changed in 2026")
    );
    assert!(
        !net.out("home-espresso/guides/dialing-in-espresso.refresh/index.html")
            .exists()
    );

    let stdout = ok(&net.grove(&["approve", net.path().join(DRAFT).to_str().unwrap()]));
    assert!(stdout.contains("swapped into"), "{stdout}");
    assert!(!net.path().join(DRAFT).exists());
    let live = net.read(LIVE);
    let today = chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    assert!(live.contains(&format!("updated = {today}")), "{live}");
    assert!(live.contains("title = \"Dialing in espresso: a beginner's method\""));
    assert!(live.contains("date = 2026-08-30"));
    assert!(live.contains("## What changed in 2026"));
    assert_eq!(live.matches("+++").count(), 2);
    let kept = net.path().join(format!(".grove/refreshed/{today}/{LIVE}"));
    assert_eq!(std::fs::read_to_string(kept).unwrap(), live_before);
    ok(&net.build(&[]));
    let page = net.html("home-espresso/guides/dialing-in-espresso/index.html");
    assert!(
        common::texts(&page, "h2")
            .iter()
            .any(|h| h == "What changed in 2026")
    );
}

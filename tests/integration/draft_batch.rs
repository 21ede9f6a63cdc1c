//! `grove draft --batch` against a server in the suite that speaks both
//! documented batch wire formats: two rounds (outlines, then articles),
//! results in the cache and the ledger at half the price, runs resumed
//! after a failure between upload and create (the batch made or not),
//! failed and expired requests asked again (never one answered twice),
//! unreadable result lines said, Anthropic's Message Batches, and a
//! server without a batch API refused or, with `batch = "auto"`, drafted
//! live.

use crate::common;
use crate::common::batch_server;
use crate::common::llm_server;

use std::process::Output;

use crate::common::Fixture;
use batch_server::{Behaviour, KEY};
use serde_json::Value;

fn network(base_url: &str, provider: &str, titles: &[&str]) -> Fixture {
    let net = Fixture::new();
    net.write(
        "grove.toml",
        &format!(
            "[network]\nname = \"T\"\n\n[llm]\nprovider = \"{provider}\"\nbase_url = \"{base_url}\"\nmodel = \"test-model\"\napi_key_env = \"BATCH_KEY\"\nmax_tokens = 1000\ntimeout_secs = 5\ninput_price_per_million = 1.0\noutput_price_per_million = 2.0\nbatch_poll_secs = 0.05\n"
        ),
    );
    net.site("alpha", "Alpha");
    net.site("beta", "Beta");
    net.write("content/guides/_index.md", "+++\ntitle = \"Guides\"\n+++\n");
    net.write(
        "affiliates.toml",
        "[widget-pro]\nname = \"Widget Pro\"\nurl = \"https://example.com/dp/1?tag={{ site.affiliate.amazon_tag }}\"\n",
    );
    net.write(
        "prompts/guide.md",
        "Prompt for guides.\n--- system ---\nYou write for {{ site.title }}.\n--- outline ---\nOutline the article \"{{ brief.title }}\".\n--- user ---\nTitle: {{ brief.title }}\nWords: {{ brief.target_words }}\n{% if outline %}Follow this outline:\n{{ outline }}\n{% endif %}",
    );
    let mut text = String::new();
    for (i, title) in titles.iter().enumerate() {
        text.push_str(&format!(
            "[[brief]]\nslug = \"guide-{i}\"\ntitle = \"{title}\"\nsection = \"guides\"\nkind = \"guide\"\ntarget_words = 100\noutline = true\naffiliates = [\"widget-pro\"]\n\n"
        ));
    }
    net.write("content/briefs.toml", &text);
    net
}

fn grove(net: &Fixture, args: &[&str]) -> Output {
    net.grove_env(args, &[("BATCH_KEY", KEY)])
}

fn drafted(net: &Fixture) -> usize {
    ["alpha", "beta"]
        .iter()
        .map(|site| {
            std::fs::read_dir(net.path().join(format!("sites/{site}/content/guides")))
                .map(|d| {
                    d.filter(|e| e.as_ref().unwrap().file_name() != "_index.md")
                        .count()
                })
                .unwrap_or(0)
        })
        .sum()
}

fn ledger(net: &Fixture) -> Vec<Value> {
    std::fs::read_to_string(net.path().join(".grove/ledger.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn usage(net: &Fixture) -> Value {
    let output = grove(net, &["usage", "--json"]);
    assert!(output.status.success());
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Cost of one answer of 100 prompt and 200 answer tokens at $1/$2 per
/// million, at half the price.
const BATCH_CALL: f64 = (100.0 * 1.0 + 200.0 * 2.0) / 1e6 * 0.5;

#[test]
fn two_rounds_at_half_the_price() {
    let server = batch_server::start(Behaviour::default());
    let net = network(
        &server.base_url,
        "openai",
        &["Guide one", "Guide two", "Guide three"],
    );
    // Round one: the outlines go as one batch; nothing is written yet.
    let first = grove(&net, &["draft", "--batch"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(stdout.contains("6 briefs wait in batches"), "{stdout}");
    assert_eq!(server.batch_sizes(), [6]);
    assert_eq!(drafted(&net), 0);
    // Round two: outlines read, articles sent.
    assert!(grove(&net, &["draft", "--batch"]).status.success());
    assert_eq!(server.batch_sizes(), [6, 6]);
    // Round three: articles read, drafts written, nothing sent.
    let third = grove(&net, &["draft", "--batch"]);
    assert!(
        third.status.success(),
        "{}",
        String::from_utf8_lossy(&third.stderr)
    );
    assert_eq!(drafted(&net), 6);
    assert_eq!(server.batches(), 2);
    let draft = net.read("sites/alpha/content/guides/guide-0.md");
    assert!(draft.contains("## About Guide one"), "{draft}");
    // Paid once each, at half the price, with the batch's id.
    let paid: Vec<Value> = ledger(&net)
        .into_iter()
        .filter(|e| !e["cache_hit"].as_bool().unwrap())
        .collect();
    assert_eq!(paid.len(), 12);
    assert!(
        paid.iter()
            .all(|e| e["batch"].as_str().is_some_and(|b| b.starts_with("batch_")))
    );
    let total = &usage(&net)["total"];
    assert_eq!(total["calls"], 12);
    assert_eq!(total["batch"]["calls"], 12);
    assert_eq!(total["live"]["calls"], 0);
    assert!(
        (total["cost"].as_f64().unwrap() - 12.0 * BATCH_CALL).abs() < 1e-12,
        "{total}"
    );
    // Nothing left: a fourth run sends nothing.
    assert!(grove(&net, &["draft", "--batch"]).status.success());
    assert_eq!(server.batches(), 2);
    // Cost per published article: alpha's three approved (the gate
    // would hold the near-identical fake drafts back), beta's none.
    let approved = grove(&net, &["approve", "--site", "alpha", "--force"]);
    assert!(
        approved.status.success(),
        "{}",
        String::from_utf8_lossy(&approved.stderr)
    );
    let articles = &usage(&net)["articles"];
    assert_eq!(articles["sites"]["alpha"]["published"], 3);
    let per = |v: &Value| v["per_article"].as_f64().unwrap();
    assert!(
        (per(&articles["sites"]["alpha"]) - 2.0 * BATCH_CALL).abs() < 1e-12,
        "{articles}"
    );
    assert!(
        articles["sites"]["beta"]["per_article"].is_null(),
        "nothing published: {articles}"
    );
    // The network's spend includes beta's, drafted but not published.
    assert!(
        (per(&articles["network"]) - 12.0 * BATCH_CALL / 3.0).abs() < 1e-12,
        "{articles}"
    );
    assert!(
        (per(&articles["kinds"]["guide"]) - 2.0 * BATCH_CALL).abs() < 1e-12,
        "{articles}"
    );
    assert!((articles["batch_saving"].as_f64().unwrap() - 12.0 * BATCH_CALL).abs() < 1e-12);
    // The dashboard shows the same, parsed.
    let page = common::measuring::file(&net, "dash.html");
    assert!(
        grove(&net, &["dashboard", "--output", &page])
            .status
            .success()
    );
    let html = scraper::Html::parse_document(&net.read("dash.html"));
    let cells: Vec<String> = html
        .select(&scraper::Selector::parse("#article-cost-table tbody tr td").unwrap())
        .map(|td| td.text().collect::<String>())
        .collect();
    assert!(
        cells.windows(4).any(|w| w[0].contains("Alpha")
            && w[1] == "3"
            && w[3] == format!("${:.4}", 2.0 * BATCH_CALL)),
        "{cells:?}"
    );
    assert!(cells.iter().any(|c| c == "kind: guide"), "{cells:?}");
}

#[test]
fn wait_polls_until_every_draft_is_written() {
    let server = batch_server::start(Behaviour {
        polls_to_end: 2,
        ..Behaviour::default()
    });
    let net = network(&server.base_url, "openai", &["Guide one", "Guide two"]);
    let output = grove(&net, &["draft", "--batch", "--wait"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(drafted(&net), 4);
    assert_eq!(server.batch_sizes(), [4, 4]);
    assert!(server.answered().values().all(|n| *n == 1));
}

#[test]
fn a_run_stopped_between_upload_and_create_resumes_without_paying_twice() {
    // The batch was made but the answer was lost: found again by its id.
    let server = batch_server::start(Behaviour {
        fail_creates: vec![true],
        ..Behaviour::default()
    });
    let net = network(&server.base_url, "openai", &["Guide one"]);
    let first = grove(&net, &["draft", "--batch"]);
    assert!(!first.status.success());
    assert!(String::from_utf8_lossy(&first.stderr).contains("HTTP 500"));
    assert_eq!(server.batches(), 1);
    assert!(
        grove(&net, &["draft", "--batch", "--wait"])
            .status
            .success()
    );
    assert_eq!(drafted(&net), 2);
    assert_eq!(
        server.batch_sizes(),
        [2, 2],
        "the lost batch was adopted, not sent again"
    );
    // The batch was not made: made from the uploaded file.
    let server = batch_server::start(Behaviour {
        fail_creates: vec![false],
        ..Behaviour::default()
    });
    let net = network(&server.base_url, "openai", &["Guide one"]);
    assert!(!grove(&net, &["draft", "--batch"]).status.success());
    assert_eq!(server.batches(), 0);
    assert!(
        grove(&net, &["draft", "--batch", "--wait"])
            .status
            .success()
    );
    assert_eq!(drafted(&net), 2);
    let uploads = server
        .calls()
        .iter()
        .filter(|c| c.0 == "POST" && c.1 == "/v1/files")
        .count();
    assert_eq!(
        uploads, 2,
        "the first round's file uploaded once, the second round's once"
    );
}

#[test]
fn failures_and_expiry_are_asked_again_and_never_answered_twice() {
    let server = batch_server::start(Behaviour {
        expire: true,
        malformed: true,
        ..Behaviour::default()
    });
    let net = network(
        &server.base_url,
        "openai",
        &["Guide one", "FAILME guide", "Guide three"],
    );
    let output = grove(&net, &["draft", "--batch", "--wait"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "the FAILME briefs fail: {stderr}");
    assert!(stderr.contains("unreadable result"), "{stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("FAILED") && stdout.contains("guide-1"),
        "{stdout}"
    );
    // Every other draft written; every request answered once.
    assert_eq!(drafted(&net), 4, "{stdout}\n{stderr}");
    assert!(
        server.answered().values().all(|n| *n == 1),
        "{:?}",
        server.answered()
    );
}

#[test]
fn anthropic_message_batches() {
    let server = batch_server::start(Behaviour {
        polls_to_end: 1,
        ..Behaviour::default()
    });
    let net = network(&server.base_url, "anthropic", &["Guide one", "Guide two"]);
    let output = grove(&net, &["draft", "--batch", "--wait"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(drafted(&net), 4);
    assert!(server.calls().iter().any(|c| c.1 == "/v1/messages/batches"));
    let total = &usage(&net)["total"];
    assert_eq!(total["batch"]["calls"], 8);
    assert!(
        (total["cost"].as_f64().unwrap() - 8.0 * BATCH_CALL).abs() < 1e-12,
        "{total}"
    );
}

#[test]
fn a_server_without_a_batch_api_is_refused_or_drafted_live() {
    let server = llm_server::FakeLlm::start(Some(KEY));
    server.script(|req, _| llm_server::Reply::Text(llm_server::article_for(req, 150)));
    let net = network(&server.base_url, "openai", &["Guide one"]);
    let output = grove(&net, &["draft", "--batch"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("has no batch API") && stderr.contains("batch = \"auto\""),
        "{stderr}"
    );
    assert_eq!(server.count(), 0, "nothing drafted live unasked");
    let left = std::fs::read_dir(net.path().join(".grove/batches")).map_or(0, |d| d.count());
    assert_eq!(left, 0, "a batch the server never took is not kept");
    let config = net
        .read("grove.toml")
        .replace("batch_poll_secs", "batch = \"auto\"\nbatch_poll_secs");
    net.write("grove.toml", &config);
    let output = grove(&net, &["draft", "--batch"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(drafted(&net), 2);
    assert_eq!(usage(&net)["total"]["live"]["calls"], 4);
}

#[test]
fn a_run_killed_while_its_batch_is_made_is_picked_up_without_a_second_batch() {
    for provider in ["openai", "anthropic"] {
        let server = batch_server::start(Behaviour {
            create_delay_ms: 3000,
            ..Behaviour::default()
        });
        let net = network(&server.base_url, provider, &["Guide one", "Guide two"]);
        let mut child = net
            .command(["draft", "--batch"])
            .env("BATCH_KEY", KEY)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let start = std::time::Instant::now();
        while server.batches() == 0 {
            assert!(
                start.elapsed() < std::time::Duration::from_secs(20),
                "no batch made"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        // The server made the batch; Grove is killed before it hears the id.
        child.kill().unwrap();
        child.wait().unwrap();
        server.set(Behaviour::default());
        let output = grove(&net, &["draft", "--batch", "--wait"]);
        assert!(
            output.status.success(),
            "{provider}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(drafted(&net), 4, "{provider}");
        assert_eq!(
            server.batch_sizes(),
            [4, 4],
            "{provider}: the first batch adopted, not made again"
        );
        assert!(server.answered().values().all(|n| *n == 1), "{provider}");
        let paid = ledger(&net)
            .into_iter()
            .filter(|e| !e["cache_hit"].as_bool().unwrap())
            .count();
        assert_eq!(paid, 8, "{provider}: every call paid once");
    }
}

#[test]
fn the_budget_counts_the_worst_case_at_the_batch_price() {
    let server = batch_server::start(Behaviour::default());
    let net = network(
        &server.base_url,
        "openai",
        &["Guide one", "Guide two", "Guide three"],
    );
    // Each outline's worst case: its prompt and 1,000 answer tokens at
    // $2/M, halved: about $0.001; a budget of $0.0025 takes two.
    let output = grove(&net, &["draft", "--batch", "--budget", "0.0025"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(server.batch_sizes(), [2]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("4 left for a later run"), "{stderr}");
}

#[test]
fn cancelled_batches_send_what_did_not_run_again() {
    for provider in ["openai", "anthropic"] {
        let server = batch_server::start(Behaviour {
            cancel: true,
            ..Behaviour::default()
        });
        let net = network(
            &server.base_url,
            provider,
            &["Guide one", "Guide two", "Guide three"],
        );
        let output = grove(&net, &["draft", "--batch", "--wait"]);
        assert!(
            output.status.success(),
            "{provider}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(drafted(&net), 6, "{provider}");
        assert!(server.answered().values().all(|n| *n == 1), "{provider}");
        assert_eq!(
            server.answered().len(),
            12,
            "{provider}: every outline and article once"
        );
        // Without cancellations: two batches (outlines, articles) of 6.
        let sizes = server.batch_sizes();
        assert!(
            sizes.len() > 2 && sizes.iter().sum::<usize>() > 12,
            "{provider}: what a cancelled batch did not run went again: {sizes:?}"
        );
    }
}

#[test]
fn a_request_a_batch_failed_can_go_live() {
    let server = batch_server::start(Behaviour::default());
    let net = network(&server.base_url, "openai", &["Guide one", "FAILME guide"]);
    let config = net
        .read("grove.toml")
        .replace("batch_poll_secs", "batch_retry = \"live\"\nbatch_poll_secs");
    net.write("grove.toml", &config);
    let output = grove(&net, &["draft", "--batch", "--wait"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(drafted(&net), 4);
    // The FAILME briefs' outlines failed in the first batch and went
    // live; their articles (whose prompts say FAILME too) failed in the
    // second and went live; the other brief stayed in batches.
    assert_eq!(server.live(), 4, "only the failed requests went live");
    let total = &usage(&net)["total"];
    assert_eq!(total["live"]["calls"], 4);
    // Eight batch calls: four answered, four failed (billed nothing).
    assert_eq!(total["batch"]["calls"], 8);
    let live_call = 2.0 * BATCH_CALL;
    assert!(
        (total["cost"].as_f64().unwrap() - (4.0 * BATCH_CALL + 4.0 * live_call)).abs() < 1e-12,
        "{total}"
    );
}

#[test]
fn research_goes_in_a_batch_too() {
    let server = batch_server::start(Behaviour::default());
    let net = Fixture::example();
    let config = net.read("grove.toml");
    let start = config.find("[llm]").unwrap();
    let end = config[start..]
        .find("\n[quality]")
        .map_or(config.len(), |e| start + e);
    let llm = format!(
        "[llm]\nprovider = \"openai\"\nbase_url = \"{}\"\nmodel = \"test-model\"\napi_key_env = \"BATCH_KEY\"\nmax_tokens = 1000\ninput_price_per_million = 1.0\noutput_price_per_million = 2.0\nbatch_poll_secs = 0.05\n",
        server.base_url
    );
    net.write(
        "grove.toml",
        &format!("{}{llm}{}", &config[..start], &config[end..]),
    );
    let args = [
        "research",
        "--site",
        "home-espresso",
        "--count",
        "1",
        "--batch",
    ];
    let first = grove(&net, &args);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stdout).contains("waits in batch batch_1"));
    let briefs = net.read("sites/home-espresso/briefs.toml");
    assert!(
        !briefs.contains("descaling-an-espresso-machine"),
        "nothing written yet"
    );
    let second = grove(&net, &args);
    let stdout = String::from_utf8_lossy(&second.stdout);
    assert!(
        second.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&second.stderr)
    );
    assert!(
        stdout.contains("proposed guides/descaling-an-espresso-machine.md"),
        "{stdout}"
    );
    assert_eq!(server.batches(), 1, "read, not asked again");
    let total = &usage(&net)["total"];
    assert_eq!(total["batch"]["calls"], 1);
    assert!(
        (total["cost"].as_f64().unwrap() - BATCH_CALL).abs() < 1e-12,
        "{total}"
    );
}

#[test]
fn a_run_stopped_while_reading_results_does_not_count_them_twice() {
    let server = batch_server::start(Behaviour::default());
    let net = network(&server.base_url, "openai", &["Guide one", "Guide two"]);
    assert!(
        grove(&net, &["draft", "--batch", "--wait"])
            .status
            .success()
    );
    assert_eq!(drafted(&net), 4);
    // As if the run had stopped after counting the answers but before
    // writing the batches down as read.
    for entry in std::fs::read_dir(net.path().join(".grove/batches")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, text.replace("\"ended\": true", "\"ended\": false")).unwrap();
        }
    }
    let output = grove(&net, &["draft", "--collect"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let paid = ledger(&net)
        .into_iter()
        .filter(|e| !e["cache_hit"].as_bool().unwrap())
        .count();
    assert_eq!(paid, 8, "read again, counted once");
    assert_eq!(usage(&net)["total"]["calls"], 8);
}

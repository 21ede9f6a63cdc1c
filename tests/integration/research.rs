//! `grove research` against the in-suite LLM server on 127.0.0.1: what the
//! model is told (and not told), how proposals are checked, written,
//! accepted and rejected, and that the call is cached and in the ledger.

use crate::common::llm_server;

use std::process::Output;

use crate::common::Fixture;
use llm_server::{FakeLlm, Reply};
use serde_json::{Value, json};

/// The example network with its [llm] pointed at `server`, priced, and
/// `provider` as given.
fn network(server: &FakeLlm, provider: &str) -> Fixture {
    let net = Fixture::example();
    let config = net.read("grove.toml");
    let start = config.find("[llm]").unwrap();
    let end = config[start..]
        .find("\n[quality]")
        .map_or(config.len(), |e| start + e);
    let llm = format!(
        "[llm]\nprovider = \"{provider}\"\nbase_url = \"{}\"\nmodel = \"test-model\"\ntemperature = 0.0\nmax_tokens = 1000\nmax_retries = 1\nretry_base_ms = 10\ntimeout_secs = 5\ninput_price_per_million = 1.0\noutput_price_per_million = 2.0\n",
        server.base_url
    );
    net.write(
        "grove.toml",
        &format!("{}{llm}{}", &config[..start], &config[end..]),
    );
    net
}

fn ok(output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "grove failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn answer(briefs: Value) -> Reply {
    Reply::Text(format!(
        "Here are the briefs:\n```json\n{}\n```",
        json!({ "briefs": briefs })
    ))
}

fn proposals() -> Value {
    json!([
        {"title": "How to descale an espresso machine", "slug": "descale-an-espresso-machine", "section": "guides", "kind": "guide",
         "keywords": ["descale espresso machine", "descaling solution"], "affiliates": ["baratza-encore-esp", "no-such-product"],
         "target_words": 900, "description": "When and how to descale, and what hard water does to a machine.",
         "tags": ["maintenance"], "categories": ["Technique"]},
        {"title": "Choosing an espresso grinder: the best ones", "section": "guides", "kind": "guide"},
        {"title": "Latte art at home", "section": "recipes", "kind": "guide"},
        {"title": "Tamping {{ get_env(name='HOME') }}", "section": "guides", "kind": "guide"},
        {"title": "Single-dose grinders reviewed", "slug": "single-dose-grinders", "section": "reviews", "kind": "review",
         "keywords": ["single dose grinder"], "affiliates": ["df64-single-dose"], "target_words": 1200,
         "description": "Three single-dose grinders, used daily for a month."}
    ])
}

#[test]
fn proposals_are_checked_written_as_proposed_and_skipped_by_draft() {
    let server = FakeLlm::start(None);
    server.script(|_, _| answer(proposals()));
    let net = network(&server, "openai");
    let before = net.read("sites/home-espresso/briefs.toml");

    let stdout = ok(&net.grove(&["research", "--site", "home-espresso", "--count", "5"]));
    assert!(
        stdout.contains("proposed guides/descale-an-espresso-machine.md (guide)"),
        "{stdout}"
    );
    assert!(stdout.contains("proposed reviews/single-dose-grinders.md (review)"));
    assert!(
        stdout.contains("too close to \"Choosing an espresso grinder\""),
        "{stdout}"
    );
    assert!(stdout.contains("no section `recipes`"), "{stdout}");
    assert!(stdout.contains("template syntax"), "{stdout}");
    assert!(
        stdout.contains("unknown product `no-such-product`"),
        "{stdout}"
    );
    assert!(stdout.contains("2 briefs proposed"), "{stdout}");

    // Appended after what a person wrote, which is left as it was.
    let after = net.read("sites/home-espresso/briefs.toml");
    assert!(after.starts_with(&before));
    let table: toml::Table = after.parse().unwrap();
    let briefs = table["brief"].as_array().unwrap();
    let descale = briefs
        .iter()
        .find(|b| b["slug"].as_str() == Some("descale-an-espresso-machine"))
        .unwrap();
    assert_eq!(descale["status"].as_str(), Some("proposed"));
    assert_eq!(descale["target_words"].as_integer(), Some(900));
    assert_eq!(
        descale["affiliates"].as_array().unwrap(),
        &vec![toml::Value::String("baratza-encore-esp".into())]
    );
    assert_eq!(descale["tags"].as_array().unwrap().len(), 1);

    // `grove plan` shows them; `grove draft` leaves them alone.
    let plan = ok(&net.grove(&["plan", "--site", "home-espresso"]));
    assert!(plan.contains("proposed"), "{plan}");
    assert!(plan.contains("descale-an-espresso-machine.md"), "{plan}");
    let requests = server.count();
    server.script(|req, _| Reply::Text(llm_server::article_for(req, 400)));
    let draft = ok(&net.grove(&["draft", "--site", "home-espresso"]));
    assert!(
        draft.contains("2 proposed briefs not drafted until accepted"),
        "{draft}"
    );
    assert!(
        !net.path()
            .join("sites/home-espresso/content/guides/descale-an-espresso-machine.md")
            .exists()
    );

    // Accepted, it is drafted; rejected, it is gone.
    let accepted = ok(&net.grove(&["research", "accept", "descale-an-espresso-machine"]));
    assert!(
        accepted.contains("accepted home-espresso/descale-an-espresso-machine"),
        "{accepted}"
    );
    ok(&net.grove(&["research", "reject", "--all", "--site", "home-espresso"]));
    let table: toml::Table = net.read("sites/home-espresso/briefs.toml").parse().unwrap();
    let slugs: Vec<&str> = table["brief"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["slug"].as_str().unwrap())
        .collect();
    assert!(slugs.contains(&"descale-an-espresso-machine"));
    assert!(!slugs.contains(&"single-dose-grinders"));
    assert!(
        !net.read("sites/home-espresso/briefs.toml")
            .contains("status = \"proposed\"")
    );
    let draft = ok(&net.grove(&["draft", "--site", "home-espresso"]));
    assert!(draft.contains("Drafted 1"), "{draft}");
    assert!(server.count() > requests);
    assert!(
        net.path()
            .join("sites/home-espresso/content/guides/descale-an-espresso-machine.md")
            .is_file()
    );

    let unknown = net.grove(&["research", "accept", "nope"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no proposed brief `nope`"));
}

#[test]
fn the_model_is_told_the_site_but_no_prices_or_ratings() {
    let server = FakeLlm::start(None);
    server.script(|_, _| answer(json!([])));
    let net = network(&server, "openai");
    ok(&net.grove(&[
        "research",
        "--site",
        "home-espresso",
        "--section",
        "reviews",
    ]));
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    let prompt = request.prompt();
    for expected in [
        "Crema Corner",
        "home espresso",
        "Choosing an espresso grinder",
        "Milk pitchers compared",
        "df64-single-dose",
        "A flat-burr single-dose grinder",
        "\"reviews\"",
        "grinders",
    ] {
        assert!(
            prompt.contains(expected),
            "{expected} missing from:\n{prompt}"
        );
    }
    let body = request.body.to_string();
    for price in ["$199", "$399", "$140", "4.6", "rating", "price"] {
        assert!(
            !body.contains(price),
            "`{price}` reached the model:\n{body}"
        );
    }
    // Products of other niches stay out of this site's prompt.
    assert!(!prompt.contains("aquaclear-30"), "{prompt}");
    // A JSON Schema holds the answer to this site's sections and products.
    let schema = &request.body["response_format"]["json_schema"]["schema"];
    let item = &schema["properties"]["briefs"]["items"]["properties"];
    assert_eq!(item["section"]["enum"], json!(["reviews"]));
    assert_eq!(item["kind"]["enum"], json!(["guide", "review"]));
    assert_eq!(
        item["affiliates"]["items"]["enum"],
        json!(["baratza-encore-esp", "df64-single-dose"])
    );

    // Anthropic has no response_format: the prompt alone asks for JSON.
    let server = FakeLlm::start(None);
    server.script(|_, _| answer(json!([])));
    let net = network(&server, "anthropic");
    ok(&net.grove(&["research", "--site", "home-espresso"]));
    let request = &server.requests()[0];
    assert!(request.anthropic());
    assert!(request.body.get("response_format").is_none());
}

#[test]
fn an_unchanged_question_is_answered_from_the_cache_and_counted_in_the_ledger() {
    let server = FakeLlm::start(None);
    // Only a duplicate: nothing is written, so the next question is the same.
    server.script(|_, _| {
        answer(json!([{"title": "Milk pitchers compared, again", "section": "reviews", "kind": "review"}]))
    });
    let net = network(&server, "openai");
    let first = ok(&net.grove(&["research", "--site", "home-espresso"]));
    assert!(first.contains("0 briefs proposed"), "{first}");
    let second = ok(&net.grove(&["research", "--site", "home-espresso"]));
    assert!(second.contains("answer from the cache"), "{second}");
    assert_eq!(server.count(), 1);
    ok(&net.grove(&["research", "--site", "home-espresso", "--fresh"]));
    assert_eq!(server.count(), 2);

    let entries = grove::model::ledger::settle(
        grove::model::ledger::read(&net.path().join(".grove")).unwrap(),
    );
    let research: Vec<_> = entries.iter().filter(|e| e.step == "research").collect();
    assert_eq!(research.len(), 3);
    assert_eq!(research.iter().filter(|e| e.cache_hit).count(), 1);
    assert!(
        research
            .iter()
            .all(|e| e.site == "home-espresso" && e.status == "ok")
    );
    assert!(research[0].cost_usd > 0.0);
    let usage = ok(&net.grove(&["usage"]));
    assert!(usage.contains("home-espresso"), "{usage}");
}

#[test]
fn unusable_answers_fail_without_writing_or_caching() {
    let server = FakeLlm::start(None);
    server.script(|_, _| Reply::Text("I would suggest a guide about milk.".into()));
    let net = network(&server, "openai");
    let before = net.read("sites/home-espresso/briefs.toml");
    let output = net.grove(&["research", "--site", "home-espresso"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("holds no JSON"), "{stderr}");
    assert_eq!(server.count(), 2, "retried once");
    assert_eq!(net.read("sites/home-espresso/briefs.toml"), before);
    // Not cached: asking again asks the server again.
    let _ = net.grove(&["research", "--site", "home-espresso"]);
    assert_eq!(server.count(), 4);

    // A server that is down: a clear error, nothing written.
    drop(server);
    let output = net.grove(&["research", "--site", "home-espresso"]);
    assert!(!output.status.success());
    assert_eq!(net.read("sites/home-espresso/briefs.toml"), before);
}

#[test]
fn dry_runs_budgets_and_bad_arguments_send_nothing() {
    let server = FakeLlm::start(None);
    server.script(|_, _| answer(proposals()));
    let net = network(&server, "openai");
    let dry = ok(&net.grove(&["research", "--site", "trail-running", "--dry-run"]));
    assert!(
        dry.contains("--- system ---") && dry.contains("Trailhead Gear"),
        "{dry}"
    );
    assert!(
        dry.contains("would ask for 5 briefs for trail-running, estimated $"),
        "{dry}"
    );

    let output = net.grove(&[
        "research",
        "--site",
        "trail-running",
        "--budget",
        "0.0000001",
    ]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("budget"));

    for (args, expected) in [
        (vec!["--section", "recipes"], "no section `recipes`"),
        (vec!["--kind", "essay"], "no kind `essay`"),
        (vec!["--count", "0"], "--count must be between"),
    ] {
        let mut all = vec!["research", "--site", "trail-running"];
        all.extend(args);
        let output = net.grove(&all);
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{stderr}");
    }
    let output = net.grove(&["research"]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("--site"));

    // The prompt is the network's to change.
    let template = ok(&net.grove(&["research", "--print-prompt"]));
    assert!(template.contains("--- system ---") && template.contains("{{ count }}"));
    net.write(
        "prompts/research.md",
        &template.replace(
            "--- user ---\n",
            "--- user ---\nMARKER: only evergreen topics.\n",
        ),
    );
    let dry = ok(&net.grove(&["research", "--site", "trail-running", "--dry-run"]));
    assert!(dry.contains("MARKER: only evergreen topics."), "{dry}");
    assert!(!dry.contains("Kinds of article: guide, research"), "{dry}");
    assert_eq!(server.count(), 0);
    let ledger = grove::model::ledger::read(&net.path().join(".grove")).unwrap();
    assert!(ledger.is_empty(), "{ledger:?}");
}

#[test]
fn nothing_kept_says_so_after_each_reason() {
    let server = FakeLlm::start(None);
    server.script(|_, _| {
        answer(json!([
            {"title": "Latte art at home", "section": "recipes", "kind": "guide"},
            {"title": "Tamping {{ x }}", "section": "guides", "kind": "guide"}
        ]))
    });
    let net = network(&server, "openai");
    let before = net.read("sites/home-espresso/briefs.toml");
    let stdout = ok(&net.grove(&["research", "--site", "home-espresso", "--count", "2"]));
    let reasons = stdout
        .find("left out \"Latte art at home\": no section `recipes`")
        .expect(&stdout);
    let summary = stdout
        .find("0 briefs proposed: each of the 2 proposals was left out")
        .expect(&stdout);
    assert!(reasons < summary, "{stdout}");
    assert!(
        stdout.contains("left out \"Tamping {{ x }}\": template syntax"),
        "{stdout}"
    );
    assert!(!stdout.contains("Accept with"), "{stdout}");
    assert_eq!(net.read("sites/home-espresso/briefs.toml"), before);
}

//! End to end against a real OpenAI-compatible server nobody here wrote:
//! llama.cpp (the `xllamacpp` wheel) serving SmolLM2-135M, started by
//! `scripts/local-llm.sh start`. Ignored by default; CI runs it with
//! `cargo test --test local_llm -- --ignored` after starting the server.
//! `GROVE_LOCAL_LLM_URL` overrides the server (default http://127.0.0.1:8088/v1).

use crate::common;

use crate::common::{Fixture, text};

#[test]
#[ignore = "needs scripts/local-llm.sh start"]
fn drafts_with_a_real_llama_cpp_server() {
    let url =
        std::env::var("GROVE_LOCAL_LLM_URL").unwrap_or_else(|_| "http://127.0.0.1:8088/v1".into());
    let net = Fixture::example();
    // The example [llm], made deterministic (temperature 0) and pointed at `url`.
    let config = std::fs::read_to_string(common::repo().join("grove.toml"))
        .unwrap()
        .replace("temperature = 0.7", "temperature = 0.0")
        .replace("http://127.0.0.1:8088/v1", &url);
    assert!(config.contains("temperature = 0.0") && config.contains("frequency_penalty = 1.0"));
    net.write("grove.toml", &config);
    // A short list-style brief: this small model finishes those on its own
    // (long articles make it loop until max_tokens, which Grove rejects).
    net.write(
        "content/briefs.toml",
        "[[brief]]\nslug = \"first-tips\"\ntitle = \"Five tips for {{ site.niche }}\"\nsection = \"guides\"\nkind = \"tips\"\ntarget_words = 150\ntags = [\"beginners\"]\n",
    );
    net.write(
        "prompts/tips.md",
        "--- system ---\nYou write short, practical tips for {{ site.title }}, a website about {{ site.niche }}.\n--- user ---\nWrite five tips for someone new to {{ site.niche }}. Answer with a Markdown list of five items, one sentence each.\n",
    );
    let _ = std::fs::remove_file(net.path().join("sites/home-espresso/briefs.toml"));

    // `grove doctor` reads this server's model list as it is.
    let doctor = net.grove(&["doctor"]);
    let report = String::from_utf8_lossy(&doctor.stdout);
    assert!(doctor.status.success(), "{report}");
    assert!(
        report.contains("ok       llm smollm2: ") && report.contains("answers and has the model"),
        "{report}"
    );

    // llama.cpp has no batch API: `--batch` says so and sends nothing.
    let refused = net.grove(&["draft", "--site", "home-espresso", "--batch"]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(stderr.contains("has no batch API"), "{stderr}");
    assert!(!net.path().join(".grove/ledger.jsonl").exists() || calls_so_far(&net) == 0);

    let output = net.grove(&["draft", "--site", "home-espresso"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("Drafted 1, kept 0, failed 0"), "{stdout}");

    let file = net.read("sites/home-espresso/content/guides/first-tips.md");
    let (front, body) = file
        .trim_start_matches("+++\n")
        .split_once("+++\n")
        .unwrap();
    let meta: toml::Table = toml::from_str(front).unwrap();
    assert_eq!(meta["draft"].as_bool(), Some(true));
    let generated = meta["extra"]["generated"].as_table().unwrap();
    assert_eq!(
        generated["usage_estimated"].as_bool(),
        Some(false),
        "llama.cpp reports usage"
    );
    assert!(generated["input_tokens"].as_integer().unwrap() > 20);
    assert!(generated["output_tokens"].as_integer().unwrap() > 20);
    assert!(body.split_whitespace().count() > 20, "{body}");

    // Pay once: the answer comes back from the cache with no new call.
    let calls = |net: &Fixture| {
        let entries = grove::model::ledger::read(&net.path().join(".grove")).unwrap();
        grove::model::ledger::settle(entries)
            .iter()
            .filter(|entry| !entry.cache_hit)
            .count()
    };
    assert_eq!(calls(&net), 1);
    std::fs::remove_file(
        net.path()
            .join("sites/home-espresso/content/guides/first-tips.md"),
    )
    .unwrap();
    let stdout = String::from_utf8_lossy(&net.grove(&["draft", "--site", "home-espresso"]).stdout)
        .into_owned();
    assert!(stdout.contains("first-tips.md (from cache)"), "{stdout}");
    assert_eq!(calls(&net), 1);
    assert_eq!(
        net.read("sites/home-espresso/content/guides/first-tips.md"),
        file
    );

    // The draft builds with --drafts.
    net.build(&["--drafts", "--site", "home-espresso"]);
    let page = net.html("home-espresso/guides/first-tips/index.html");
    assert_eq!(
        text(&page, "main h1"),
        "Five tips for home espresso for beginners"
    );
}

#[test]
#[ignore = "needs scripts/local-llm.sh start"]
fn researches_with_a_real_llama_cpp_server() {
    let url =
        std::env::var("GROVE_LOCAL_LLM_URL").unwrap_or_else(|_| "http://127.0.0.1:8088/v1".into());
    let net = Fixture::example();
    let config = std::fs::read_to_string(common::repo().join("grove.toml"))
        .unwrap()
        .replace("temperature = 0.7", "temperature = 0.0")
        .replace("http://127.0.0.1:8088/v1", &url);
    net.write("grove.toml", &config);
    let briefs = net.read("sites/home-espresso/briefs.toml");
    let args = [
        "research",
        "--site",
        "home-espresso",
        "--section",
        "reviews",
        "--kind",
        "review",
        "--count",
        "2",
    ];
    let output = net.grove(&args);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // llama.cpp follows the JSON Schema Grove sends (its grammar), so the
    // small model's answer parses into proposals, each either written or
    // left out with a reason.
    let written = stdout
        .lines()
        .filter(|l| l.starts_with("proposed "))
        .count();
    let left_out = stdout
        .lines()
        .filter(|l| l.starts_with("left out "))
        .count();
    assert!(written + left_out >= 1, "{stdout}");
    let after = net.read("sites/home-espresso/briefs.toml");
    assert!(after.starts_with(&briefs));
    let table: toml::Table = after.parse().expect("briefs.toml still parses");
    let proposed = table["brief"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b.get("status").and_then(|s| s.as_str()) == Some("proposed"))
        .count();
    assert_eq!(proposed, written);

    // In the ledger with the server's own usage; asked again, from the cache
    // when nothing was written (otherwise the question changed).
    let entries = grove::model::ledger::settle(
        grove::model::ledger::read(&net.path().join(".grove")).unwrap(),
    );
    let research: Vec<_> = entries.iter().filter(|e| e.step == "research").collect();
    assert_eq!(research.len(), 1);
    assert!(!research[0].usage_estimated && research[0].output_tokens > 10);
    if written == 0 {
        let again = net.grove(&args);
        assert!(String::from_utf8_lossy(&again.stdout).contains("answer from the cache"));
    } else {
        // Proposed briefs wait: the next draft leaves them alone.
        let dry = net.grove(&["draft", "--site", "home-espresso", "--dry-run"]);
        let dry = String::from_utf8_lossy(&dry.stdout).into_owned();
        assert!(dry.contains("proposed brief"), "{dry}");
    }
}

/// Real calls in the ledger.
fn calls_so_far(net: &Fixture) -> usize {
    let entries = grove::model::ledger::read(&net.path().join(".grove")).unwrap();
    grove::model::ledger::settle(entries)
        .iter()
        .filter(|entry| !entry.cache_hit)
        .count()
}

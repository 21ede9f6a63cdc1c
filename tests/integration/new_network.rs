//! A network made by `grove new` runs the whole loop a new user follows
//! (build, serve, doctor, plan, draft, review, approve, check), and
//! `grove doctor` names each setup problem with what to do.

use crate::common::llm_server;
use crate::common::serve as serve_helper;

use std::process::Output;

use crate::common::{Fixture, text};
use llm_server::{FakeLlm, Reply};
use serve_helper::{Serve, get};

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn succeeds(output: Output, what: &str) -> String {
    assert!(
        output.status.success(),
        "{what} failed:\n{}\n{}",
        stdout(&output),
        String::from_utf8_lossy(&output.stderr)
    );
    stdout(&output)
}

/// The report of a doctor run that must fail (exit status 1).
fn fails(output: Output, what: &str) -> String {
    assert!(!output.status.success(), "{what} is a problem");
    stdout(&output)
}

/// Points the scaffold's `[llm]` (Ollama's default address) at `base_url`.
fn use_server(net: &Fixture, base_url: &str) {
    let config = net.read("grove.toml");
    assert!(config.contains("base_url = \"http://localhost:11434/v1\""));
    net.write(
        "grove.toml",
        &config.replace("http://localhost:11434/v1", base_url),
    );
}

/// A first article as a careful model would write it: no sentence twice.
fn varied_article() -> String {
    let verbs = [
        "clean", "fill", "check", "move", "hang", "refill", "inspect",
    ];
    let things = [
        "tube feeder",
        "seed tray",
        "suet cage",
        "water dish",
        "nyjer sock",
    ];
    let reasons = [
        "wet seed spoils within days",
        "finches prefer a quiet corner",
        "squirrels learn every route",
        "shade keeps suet firm",
        "a clean perch stops disease",
        "birds return to what they trust",
    ];
    let mut text =
        String::from("Feeding garden birds well takes a little routine.\n\n## The routine\n\n");
    for i in 0..45 {
        text.push_str(&format!(
            "In week {i}, {} the {} early, since {}. ",
            verbs[i % verbs.len()],
            things[i % things.len()],
            reasons[i % reasons.len()]
        ));
        if i % 9 == 8 {
            text.push_str("\n\n");
        }
    }
    text
}

/// The doctor's lines marked `problem` (and what follows them).
fn problems(output: &str) -> Vec<&str> {
    output
        .lines()
        .filter(|l| l.starts_with("problem"))
        .collect()
}

#[test]
fn a_new_network_runs_the_whole_loop() {
    let net = Fixture::scaffolded();
    for file in [
        ".gitignore",
        "affiliates.toml",
        "content/briefs.toml",
        "prompts/guide.md",
        "prompts/review.md",
    ] {
        assert!(net.path().join(file).is_file(), "{file}");
    }
    let config = net.read("grove.toml");
    for needle in [
        "[llm]",
        "[quality]",
        "api_key_env = \"OPENAI_API_KEY\"",
        "provider = \"anthropic\"",
    ] {
        assert!(config.contains(needle), "grove.toml lacks {needle}");
    }
    succeeds(
        net.grove(&["new-site", "bird-feeders", "--niche", "garden bird feeders"]),
        "new-site",
    );
    let site = net.read("sites/bird-feeders/site.toml");
    assert!(site.contains("amazon_tag = \"bird-feeders-20\""), "{site}");

    let built = succeeds(net.grove(&["build"]), "build");
    assert!(built.contains("Built 2 sites"), "{built}");
    let home = net.html("bird-feeders/index.html");
    assert_eq!(text(&home, "main h1"), "Bird Feeders");

    let llm = FakeLlm::start(None);
    llm.set_models(Some(&["llama3.2:latest", "qwen2.5:7b"]));
    use_server(&net, &llm.base_url);
    let doctor = succeeds(net.grove(&["doctor"]), "doctor");
    assert!(problems(&doctor).is_empty(), "{doctor}");
    assert!(
        doctor.contains("ok       llm llama3.2: ") && doctor.contains("answers and has the model"),
        "{doctor}"
    );
    assert!(
        doctor.contains("briefs: 4 briefs and their prompts are valid; 4 to draft"),
        "{doctor}"
    );
    // The scaffold's base URLs are placeholders to replace before publishing.
    assert!(
        doctor.contains("warning  site example: base_url https://example.com is a placeholder")
    );

    let plan = succeeds(net.grove(&["plan"]), "plan");
    for article in [
        "sites/bird-feeders/content/guides/getting-started.md",
        "sites/example/content/reviews/best-starter-kits.md",
    ] {
        assert!(plan.contains(article), "{plan}");
    }
    assert!(plan.contains("4 articles to draft"), "{plan}");

    succeeds(net.grove(&["draft", "--dry-run"]), "draft --dry-run");
    assert_eq!(llm.count(), 0, "a dry run sends nothing");
    assert!(
        !net.path()
            .join("sites/example/content/guides/getting-started.md")
            .exists()
    );

    // The first article: drafted, reviewed, approved, built.
    llm.script(|_, _| Reply::Text(varied_article()));
    succeeds(
        net.grove(&["draft", "--site", "example", "--brief", "getting-started"]),
        "draft",
    );
    assert_eq!(llm.count(), 1);
    let draft = "sites/example/content/guides/getting-started.md";
    assert!(net.read(draft).contains("draft = true"));
    let review = succeeds(net.grove(&["review", "--site", "example"]), "review");
    assert!(review.contains("getting-started.md"), "{review}");
    let approve = net.path().join(draft);
    succeeds(
        net.grove(&["approve", approve.to_str().unwrap()]),
        "approve",
    );
    succeeds(net.grove(&["build"]), "build after approve");
    let article = net.html("example/guides/getting-started/index.html");
    assert_eq!(
        text(&article, "main h1"),
        "Getting started with an example niche"
    );
    succeeds(net.grove(&["check", "--offline"]), "check --offline");

    let serve = Serve::start(&net, &["--site", "example"]);
    let (status, _, body) = get(serve.port("example"), "/guides/getting-started/");
    assert_eq!(status, 200);
    let page = scraper::Html::parse_document(&body);
    assert_eq!(
        text(&page, "main h1"),
        "Getting started with an example niche"
    );
}

#[test]
fn doctor_names_each_problem_and_fails() {
    let net = Fixture::scaffolded();

    // Nothing listens on the scaffold's address in the test machine: use a
    // port that was just free.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    use_server(&net, &format!("http://127.0.0.1:{port}/v1"));
    let report = fails(net.grove(&["doctor"]), "an unreachable server");
    let problems_found = problems(&report);
    assert_eq!(problems_found.len(), 1, "{report}");
    assert!(
        problems_found[0].contains("llm llama3.2: cannot connect"),
        "{report}"
    );
    assert!(report.contains("-> start the model server at"), "{report}");

    // A server that does not have the model.
    let llm = FakeLlm::start(None);
    llm.set_models(Some(&["mistral:latest"]));
    net.write(
        "grove.toml",
        &net.read("grove.toml")
            .replace(&format!("http://127.0.0.1:{port}/v1"), &llm.base_url),
    );
    let report = fails(net.grove(&["doctor"]), "an unknown model");
    assert!(
        report.contains("does not know the model `llama3.2`; it has `mistral:latest`"),
        "{report}"
    );
    assert!(report.contains("ollama pull llama3.2"), "{report}");

    // A server without a model list: a warning, not a failure.
    llm.set_models(None);
    let report = succeeds(net.grove(&["doctor"]), "doctor without a model list");
    assert!(report.contains("does not list its models"), "{report}");

    // A key the server wants, named but not set; then set; never printed.
    let key = "sk-test-do-not-print-4242";
    let keyed = FakeLlm::start(Some(key));
    keyed.set_models(Some(&["llama3.2"]));
    net.write(
        "grove.toml",
        &net.read("grove.toml")
            .replace(&llm.base_url, &keyed.base_url)
            .replace(
                "model = \"llama3.2\"",
                "model = \"llama3.2\"\napi_key_env = \"GROVE_DOCTOR_TEST_KEY\"",
            ),
    );
    let report = fails(net.grove(&["doctor"]), "an unset key variable");
    assert!(
        report.contains(
            "the environment variable GROVE_DOCTOR_TEST_KEY (named by [llm] api_key_env) is not set"
        ),
        "{report}"
    );
    let report = fails(
        net.grove_env(&["doctor"], &[("GROVE_DOCTOR_TEST_KEY", "wrong-key-1234")]),
        "a refused key",
    );
    assert!(report.contains("problem  llm llama3.2"), "{report}");
    assert!(!report.contains("wrong-key-1234"));
    let output = net.grove_env(&["doctor"], &[("GROVE_DOCTOR_TEST_KEY", key)]);
    let report = succeeds(output, "doctor with the key");
    assert!(
        report.contains("the API key variable GROVE_DOCTOR_TEST_KEY is set"),
        "{report}"
    );
    assert!(!report.contains(key), "the key is never printed");

    // A brief naming a prompt that does not exist, and a site missing the
    // tag the registry uses.
    net.write(
        "content/briefs.toml",
        &net.read("content/briefs.toml")
            .replace("kind = \"guide\"", "kind = \"howto\""),
    );
    net.write(
        "sites/example/site.toml",
        &net.read("sites/example/site.toml")
            .replace("amazon_tag = \"example-20\"", ""),
    );
    let report = fails(
        net.grove_env(&["doctor"], &[("GROVE_DOCTOR_TEST_KEY", key)]),
        "a missing prompt and affiliate tag",
    );
    assert!(
        report.contains(
            "no affiliate tag `amazon_tag`, which the registry entry `example-product` uses"
        ),
        "{report}"
    );
    assert!(
        report.contains("-> add amazon_tag = \"...\" under [affiliate] in ")
            && report.contains("sites/example/site.toml"),
        "{report}"
    );
    assert!(report.contains("problem  briefs:"), "{report}");

    // A broken configuration is the one finding, with file and line.
    net.write("grove.toml", "[network\nname = \"x\"\n");
    let report = fails(net.grove(&["doctor"]), "a broken configuration");
    assert!(
        report.starts_with("problem  config:") && report.contains("grove.toml"),
        "{report}"
    );
    assert_eq!(problems(&report).len(), 1, "{report}");
}

#[test]
fn sites_left_at_the_examples_values_are_warned_about() {
    let net = Fixture::scaffolded();
    let created = succeeds(
        net.grove(&["new-site", "feeders", "--niche", "garden bird feeders"]),
        "new-site",
    );
    assert!(
        created.contains("Still the example's: audience (--audience), description (--description), [vars] product_kind (--product-kind), [vars] top_pick (--top-pick)"),
        "{created}"
    );
    succeeds(
        net.grove(&[
            "new-site",
            "kettles",
            "--niche",
            "pour-over kettles",
            "--audience",
            "coffee people",
            "--description",
            "Kettles, poured side by side.",
            "--product-kind",
            "gooseneck kettles",
            "--top-pick",
            "example-product",
        ]),
        "new-site",
    );
    let doctor = String::from_utf8_lossy(&net.grove(&["doctor"]).stdout).into_owned();
    for needed in [
        "warning  site feeders: audience is still the example's: \"people getting started\"",
        "warning  site feeders: no description",
        "warning  site feeders: vars.product_kind is still the example's: \"starter kits\"",
        "warning  site feeders: vars.top_pick is still the example's",
        "warning  site kettles: vars.top_pick is still the example's",
    ] {
        assert!(doctor.contains(needed), "{needed} missing:\n{doctor}");
    }
    assert!(!doctor.contains("site kettles: audience"), "{doctor}");
    assert!(
        !doctor.contains("site kettles: vars.product_kind"),
        "{doctor}"
    );
    // Two sites with one product kind draft the same titles.
    let feeders = net
        .read("sites/feeders/site.toml")
        .replace("starter kits", "gooseneck kettles");
    net.write("sites/feeders/site.toml", &feeders);
    let doctor = String::from_utf8_lossy(&net.grove(&["doctor"]).stdout).into_owned();
    assert!(
        doctor.contains(
            "site feeders: vars.product_kind \"gooseneck kettles\" is the same on site kettles"
        ),
        "{doctor}"
    );
}

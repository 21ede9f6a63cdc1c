//! Live reload in a real browser: Debian's headless Chromium, driven through
//! chromedriver's WebDriver API. Ignored by default (it needs chromium and
//! chromium-driver, which `scripts/test-tools.sh` installs); `scripts/test.sh`
//! runs it.

use crate::common;
use crate::common::serve as serve_helper;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::Fixture;
use serde_json::{Value, json};
use serve_helper::Serve;

/// A Chromium session through chromedriver; both stop on drop.
struct Browser {
    driver: Child,
    base: String,
    session: String,
    http: reqwest::Client,
    runtime: tokio::runtime::Runtime,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn start() -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is installed by scripts/test-tools.sh");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        let profile = tempfile::tempdir().unwrap();
        let mut browser = Browser {
            driver,
            base,
            session: String::new(),
            http,
            runtime,
            _profile: profile,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while browser.call("GET", "/status", None).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
        ];
        let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        args.push(format!(
            "--user-data-dir={}",
            browser._profile.path().display()
        ));
        let created = browser
            .call(
                "POST",
                "/session",
                Some(json!({ "capabilities": { "alwaysMatch": {
                "goog:chromeOptions": { "binary": "/usr/bin/chromium", "args": args },
                "goog:loggingPrefs": { "browser": "ALL" }
            } } })),
            )
            .expect("a Chromium session");
        browser.session = created["sessionId"].as_str().unwrap().to_string();
        browser
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let url = format!("{}{path}", self.base);
        self.runtime.block_on(async {
            let request = match method {
                "GET" => self.http.get(&url),
                "DELETE" => self.http.delete(&url),
                _ => self.http.post(&url).json(&body.unwrap_or(json!({}))),
            };
            let response = request.send().await.map_err(|e| e.to_string())?;
            let value: Value = response.json().await.map_err(|e| e.to_string())?;
            if value["value"]["error"].is_string() {
                return Err(value["value"]["message"].to_string());
            }
            Ok(value["value"].clone())
        })
    }

    fn goto(&self, url: &str) {
        self.call(
            "POST",
            &format!("/session/{}/url", self.session),
            Some(json!({ "url": url })),
        )
        .unwrap();
    }

    fn eval(&self, script: &str) -> Value {
        self.call(
            "POST",
            &format!("/session/{}/execute/sync", self.session),
            Some(json!({ "script": script, "args": [] })),
        )
        .unwrap_or(Value::Null)
    }

    /// Polls `script` until it returns `expected` (10 s at most).
    fn wait_for(&self, script: &str, expected: Value, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let got = self.eval(script);
            if got == expected {
                return;
            }
            assert!(Instant::now() < deadline, "{what}: still {got} after 10 s");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Browser {
    /// Messages the page logged at level SEVERE (errors) since the last call.
    fn console_errors(&self) -> Vec<String> {
        let logs = self
            .call(
                "POST",
                &format!("/session/{}/se/log", self.session),
                Some(json!({ "type": "browser" })),
            )
            .unwrap_or(Value::Null);
        logs.as_array()
            .into_iter()
            .flatten()
            .filter(|entry| entry["level"] == "SEVERE")
            .map(|entry| entry["message"].to_string())
            .collect()
    }

    /// Resizes the window (its outer size).
    fn resize(&self, width: u32, height: u32) {
        self.call(
            "POST",
            &format!("/session/{}/window/rect", self.session),
            Some(json!({ "width": width, "height": height })),
        )
        .unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.call("DELETE", &format!("/session/{}", self.session), None);
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

const TITLE: &str =
    "return document.querySelector('main h1') && document.querySelector('main h1').textContent";
const OVERLAY: &str =
    "var o = document.getElementById('grove-error-overlay'); return o ? o.textContent : null";

#[test]
#[ignore = "needs chromium and chromium-driver (scripts/test-tools.sh)"]
fn the_browser_follows_edits_errors_and_recovery() {
    let net = Fixture::new();
    net.site("alpha", "Alpha");
    net.write(
        "sites/alpha/content/guides/live.md",
        "+++\ntitle = \"Before\"\n+++\nText.\n",
    );
    let serve = Serve::start(&net, &[]);
    let page = format!("http://127.0.0.1:{}/guides/live/", serve.port("alpha"));
    let browser = Browser::start();
    browser.goto(&page);
    browser.wait_for(TITLE, json!("Before"), "first load");

    // Editing the Markdown updates the open page without a manual reload.
    net.write(
        "sites/alpha/content/guides/live.md",
        "+++\ntitle = \"After\"\n+++\nText.\n",
    );
    browser.wait_for(TITLE, json!("After"), "live reload after a Markdown edit");

    // A stylesheet edit swaps styles in place: the page is not reloaded.
    browser.eval("window.groveMarker = 42; return null");
    let css = net.read("themes/default/static/style.css");
    net.write(
        "themes/default/static/style.css",
        &format!("{css}\nmain h1 {{ letter-spacing: 0.01em; }}\n"),
    );
    browser.wait_for(
        "return document.querySelector('link[rel=stylesheet]').href.indexOf('grove-reload=') > 0",
        json!(true),
        "stylesheet swapped",
    );
    assert_eq!(
        browser.eval("return window.groveMarker"),
        json!(42),
        "no full reload for CSS"
    );

    // A broken template shows an overlay naming the file and line...
    let template = net.read("themes/default/templates/page.html");
    net.write(
        "themes/default/templates/page.html",
        &template.replace("{{ page.title }}</h1>", "{{ page.title </h1>"),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let overlay = browser.eval(OVERLAY);
        if let Some(text) = overlay.as_str() {
            assert!(
                text.contains("themes/default/templates/page.html:"),
                "{text}"
            );
            break;
        }
        assert!(Instant::now() < deadline, "no error overlay after 10 s");
        std::thread::sleep(Duration::from_millis(50));
    }

    // ...and fixing it brings the page back.
    net.write("themes/default/templates/page.html", &template);
    browser.wait_for(OVERLAY, Value::Null, "overlay cleared");
    browser.wait_for(TITLE, json!("After"), "page back after the fix");
}

#[test]
#[ignore = "needs chromium and chromium-driver (scripts/test-tools.sh)"]
fn the_dashboard_loads_from_a_file_with_no_request_out_and_no_error() {
    let net = Fixture::example();
    let data = common::repo().join("examples/data");
    let log = data.join("access.log.gz");
    let report = data.join("amazon-earnings.csv");
    for args in [
        vec!["stats", "import", log.to_str().unwrap()],
        vec![
            "revenue",
            "import",
            "--format",
            "amazon",
            report.to_str().unwrap(),
        ],
        vec!["build"],
        vec!["dashboard"],
    ] {
        let output = net.grove(&args);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let page = net.path().join(".grove/dashboard/index.html");
    let browser = Browser::start();
    browser.resize(1440, 1000);
    browser.goto(&format!("file://{}", page.display()));
    browser.wait_for(
        "return document.readyState",
        json!("complete"),
        "page loaded",
    );
    // Nothing was fetched but the file itself (and inline data: URLs).
    let fetched = browser.eval(
        "return performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith('file:') && !n.startsWith('data:'))",
    );
    assert_eq!(fetched, json!([]), "requests left the file");
    assert_eq!(browser.console_errors(), Vec::<String>::new());
    assert_eq!(
        browser.eval("return document.querySelectorAll('#sites-table tbody tr').length"),
        json!(3)
    );

    // Sorting by views puts the most viewed site first, then reverses.
    let first_site = "return document.querySelector('#sites-table tbody tr th span[title]').getAttribute('title')";
    let views = "document.querySelectorAll('#sites-table thead th button')[5].click(); return null";
    browser.eval(views);
    browser.wait_for(
        first_site,
        json!("folder sites/home-espresso"),
        "most viewed first",
    );
    browser.eval(views);
    browser.wait_for(
        first_site,
        json!("folder sites/beginner-aquariums"),
        "least viewed first",
    );
    assert_eq!(
        browser.eval(
            "return document.querySelectorAll('#sites-table thead th')[5].getAttribute('aria-sort')"
        ),
        json!("ascending")
    );

    // At a phone's width the page does not scroll sideways, and the sites
    // table is read without scrolling: one card per site, every figure
    // inside the screen with its name.
    for width in [360, 1440] {
        browser.resize(width, 900);
        browser.wait_for(
            "return document.documentElement.scrollWidth <= window.innerWidth",
            json!(true),
            &format!("no horizontal scrolling at {width} px"),
        );
        browser.wait_for(
            "return [...document.querySelectorAll('#sites-table td, #sites-table tbody th')].every(c => c.getBoundingClientRect().right <= window.innerWidth + 0.5)",
            json!(true),
            &format!("every figure of the sites table on screen at {width} px"),
        );
        let label = browser.eval(
            "return getComputedStyle(document.querySelector('#sites-table td'), '::before').content",
        );
        let expected = if width == 360 {
            json!("\"Pages\"")
        } else {
            json!("none")
        };
        assert_eq!(label, expected, "figures named in the cards at {width} px");
    }
    assert_eq!(browser.console_errors(), Vec::<String>::new());
}

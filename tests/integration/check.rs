//! `grove check` against a real HTTP server on 127.0.0.1 that answers 200,
//! 301, 404, 500, slowly, or refuses HEAD.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::Fixture;
use serde_json::Value;

/// A tiny HTTP/1.1 server; records (method, path, user agent).
struct Server {
    base: String,
    seen: Arc<Mutex<Vec<(String, String, String)>>>,
}

fn server() -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request = String::new();
                reader.read_line(&mut request).unwrap_or_default();
                let mut agent = String::new();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some(value) = line.to_lowercase().strip_prefix("user-agent:") {
                        agent = value.trim().to_string();
                    }
                }
                let mut parts = request.split_whitespace();
                let method = parts.next().unwrap_or_default().to_string();
                let path = parts.next().unwrap_or_default().to_string();
                log.lock()
                    .unwrap()
                    .push((method.clone(), path.clone(), agent));
                let route = path.split('?').next().unwrap_or_default();
                let (status, extra) = match (method.as_str(), route) {
                    (_, "/ok") => ("200 OK", ""),
                    (_, "/moved") => ("301 Moved Permanently", "location: /ok\r\n"),
                    (_, "/gone") => ("404 Not Found", ""),
                    (_, "/error") => ("500 Internal Server Error", ""),
                    (_, "/slow") => {
                        std::thread::sleep(Duration::from_secs(5));
                        ("200 OK", "")
                    }
                    ("HEAD", "/no-head") => ("405 Method Not Allowed", ""),
                    ("GET", "/no-head") => ("200 OK", ""),
                    _ => ("404 Not Found", ""),
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\n{extra}content-length: 0\r\nconnection: close\r\n\r\n"
                );
            });
        }
    });
    Server { base, seen }
}

fn network(server: &Server) -> Fixture {
    let net = Fixture::new();
    net.site("alpha", "Alpha");
    net.site("beta", "Beta");
    let b = &server.base;
    net.write(
        "affiliates.toml",
        &format!("[dead-product]\nname = \"Dead\"\nurl = \"{b}/gone?tag={{{{ site.affiliate.amazon_tag }}}}\"\n"),
    );
    net.write(
        "sites/alpha/content/links.md",
        &format!(
            "+++\ntitle = \"Links\"\n+++\n[ok]({b}/ok) [moved]({b}/moved) [gone]({b}/gone) [error]({b}/error) [slow]({b}/slow) [no head]({b}/no-head)\n\nBuy [it](aff:dead-product).\n\n<a href=\"/nope/\">raw</a> and [anchor](/links/#missing-anchor) and [fine](/links/#anchor-here).\n\n## Anchor here\n"
        ),
    );
    net.write(
        "sites/beta/content/links.md",
        &format!("+++\ntitle = \"Links\"\n+++\n[ok]({b}/ok)\n"),
    );
    net
}

fn check(net: &Fixture, args: &[&str]) -> (bool, String) {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    let output = net.grove(&all);
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn reports_broken_redirected_and_ok_links_per_site() {
    let server = server();
    let net = network(&server);
    let (ok, stdout) = check(&net, &["--json", "--timeout", "1"]);
    assert!(!ok, "broken links must fail the check");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let alpha = report
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["site"] == "alpha")
        .unwrap();
    let state = |path: &str| {
        let url = format!("{}{path}", server.base);
        alpha["external"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["url"] == url)
            .unwrap_or_else(|| panic!("{url} not in {alpha}"))["state"]
            .clone()
    };
    assert_eq!(state("/ok")["result"], "ok");
    assert_eq!(state("/moved")["result"], "redirected");
    assert_eq!(state("/moved")["location"], "/ok");
    assert_eq!(state("/gone")["reason"], "HTTP 404");
    assert_eq!(state("/error")["reason"], "HTTP 500");
    assert_eq!(state("/slow")["result"], "broken");
    assert!(
        state("/slow")["reason"]
            .as_str()
            .unwrap()
            .contains("no answer within 1 s")
    );
    assert_eq!(state("/no-head")["result"], "ok", "HEAD refused, GET works");
    // The affiliate destination is checked through its /go/ page.
    let affiliate = state("/gone?tag=alpha-20");
    assert_eq!(affiliate["reason"], "HTTP 404");

    let internal: Vec<String> = alpha["internal"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| format!("{} {}", p["href"], p["problem"]))
        .collect();
    assert_eq!(internal.len(), 2, "{internal:?}");
    assert!(
        internal[0].contains("/nope/") && internal[0].contains("no such page"),
        "{internal:?}"
    );
    assert!(
        internal[1].contains("no element with id `missing-anchor`"),
        "{internal:?}"
    );

    let beta = report
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["site"] == "beta")
        .unwrap();
    assert!(beta["internal"].as_array().unwrap().is_empty());

    // Each URL once across the network (beta links /ok too), honest agent.
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(
        seen.iter()
            .filter(|(m, p, _)| m == "HEAD" && p == "/ok")
            .count(),
        1
    );
    assert_eq!(seen.iter().filter(|(_, p, _)| p == "/no-head").count(), 2);
    assert!(
        seen.iter()
            .all(|(_, _, agent)| agent.starts_with("grove-link-checker/")),
        "{seen:?}"
    );
}

#[test]
fn text_report_and_offline_mode() {
    let server = server();
    let net = network(&server);
    let (ok, stdout) = check(&net, &["--offline"]);
    assert!(!ok, "internal problems fail even offline");
    assert!(
        stdout.contains("broken    /nope/ on /links/index.html: no such page or file"),
        "{stdout}"
    );
    assert!(
        server.seen.lock().unwrap().is_empty(),
        "offline makes no request"
    );

    std::fs::remove_file(net.path().join("sites/alpha/content/links.md")).unwrap();
    let (ok, stdout) = check(&net, &["--timeout", "1"]);
    assert!(ok, "{stdout}");
    assert!(
        stdout.contains("beta: ") && stdout.contains("external: 0 broken, 0 redirected, 1 ok"),
        "{stdout}"
    );
}

//! `grove deploy` to S3-compatible storage: moto's S3 server on
//! 127.0.0.1 (installed by scripts/test-tools.sh) takes the objects under
//! `PREFIX/<path>` with their Content-Type and Cache-Control; a second
//! deploy uploads nothing; a removed page's object is deleted; a dry run
//! sends nothing. The signatures themselves are checked against AWS's
//! documented example in `deploy::sigv4`.

use crate::common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::Fixture;
use serde_json::Value;

struct Moto {
    child: Child,
    port: u16,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_moto() -> Moto {
    let server = common::repo().join(".test-tools/moto/bin/moto_server");
    assert!(
        server.exists(),
        "run scripts/test-tools.sh: {} is missing",
        server.display()
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(server)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "moto_server did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Moto { child, port }
}

/// (status, headers lowercased, body) of a plain request.
fn http(port: u16, method: &str, path: &str) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    // Signed as any user (moto checks who asks, not the signature; the
    // signer is checked against AWS's example in its unit test).
    let authorization = "AWS4-HMAC-SHA256 Credential=test-key/20261204/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00";
    write!(stream, "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: {authorization}\r\nx-amz-date: 20261204T000000Z\r\nx-amz-content-sha256: UNSIGNED-PAYLOAD\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, raw[split + 4..].to_vec())
}

fn header(headers: &[(String, String)], name: &str) -> String {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn deploy(net: &Fixture, args: &[&str]) -> Value {
    let mut all = vec!["deploy", "--json"];
    all.extend(args);
    let output = net.grove_env(
        &all,
        &[
            ("GROVE_S3_KEY", "test-key"),
            ("GROVE_S3_SECRET", "test-secret"),
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice::<Value>(&output.stdout).unwrap()["sites"][0].clone()
}

#[test]
#[ignore = "needs moto_server from scripts/test-tools.sh (scripts/test.sh runs it)"]
fn a_site_goes_to_s3_with_types_and_only_changes_move() {
    let moto = start_moto();
    assert_eq!(http(moto.port, "PUT", "/sites-bucket").0, 200);
    let net = Fixture::new();
    net.write(
        "sites/alpha/site.toml",
        &format!(
            "title = \"Alpha\"\nbase_url = \"https://alpha.example.com\"\nniche = \"n\"\n[deploy]\nurl = \"s3://sites-bucket/network/alpha\"\nendpoint = \"http://127.0.0.1:{}\"\nregion = \"us-east-1\"\naccess_key_env = \"GROVE_S3_KEY\"\nsecret_key_env = \"GROVE_S3_SECRET\"\nverify = false\n",
            moto.port
        ),
    );
    for page in ["a", "b"] {
        net.write(
            &format!("sites/alpha/content/{page}.md"),
            &format!("+++\ntitle = \"Page {page}\"\n+++\nText {page}.\n"),
        );
    }
    assert!(net.build(&[]).status.success());
    let built: PathBuf = net.path().join("public/alpha");
    let files = common::files_below(&built);

    let dry = deploy(&net, &["--dry-run"]);
    assert_eq!(dry["uploaded"], files.len());
    assert_eq!(
        http(moto.port, "GET", "/sites-bucket/network/alpha/a/index.html").0,
        404,
        "a dry run sends nothing"
    );

    let first = deploy(&net, &[]);
    assert_eq!(
        (first["uploaded"].as_u64(), first["unchanged"].as_u64()),
        (Some(files.len() as u64), Some(0))
    );
    for file in &files {
        let (status, headers, body) = http(
            moto.port,
            "GET",
            &format!("/sites-bucket/network/alpha/{file}"),
        );
        assert_eq!(status, 200, "{file}");
        assert_eq!(body, std::fs::read(built.join(file)).unwrap(), "{file}");
        if file.ends_with(".html") {
            assert_eq!(
                header(&headers, "content-type"),
                "text/html; charset=utf-8",
                "{file}"
            );
            assert_eq!(
                header(&headers, "cache-control"),
                "public, max-age=300",
                "{file}"
            );
        }
    }

    let again = deploy(&net, &[]);
    assert_eq!(
        (again["uploaded"].as_u64(), again["deleted"].as_u64()),
        (Some(0), Some(0))
    );

    std::fs::remove_file(net.path().join("sites/alpha/content/b.md")).unwrap();
    assert!(net.build(&[]).status.success());
    let removed = deploy(&net, &[]);
    assert!(removed["deleted"].as_u64().unwrap() >= 1, "{removed}");
    assert_eq!(
        http(moto.port, "GET", "/sites-bucket/network/alpha/b/index.html").0,
        404
    );
    assert_eq!(
        http(moto.port, "GET", "/sites-bucket/network/alpha/a/index.html").0,
        200
    );

    let output = net.grove(&["deploy"]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("GROVE_S3_KEY is not set"));
}

#[test]
#[ignore = "needs moto_server from scripts/test-tools.sh (scripts/test.sh runs it)"]
fn text_is_stored_compressed_and_aliases_redirect() {
    let moto = start_moto();
    assert_eq!(http(moto.port, "PUT", "/sites-bucket").0, 200);
    let net = Fixture::new();
    net.write(
        "sites/beta/site.toml",
        &format!(
            "title = \"Beta\"\nbase_url = \"https://beta.example.com/blog\"\nniche = \"n\"\n[deploy]\nurl = \"s3://sites-bucket/beta\"\nendpoint = \"http://127.0.0.1:{}\"\nprecompress = true\nwebsite = true\naccess_key_env = \"GROVE_S3_KEY\"\nsecret_key_env = \"GROVE_S3_SECRET\"\nverify = false\n",
            moto.port
        ),
    );
    net.write(
        "sites/beta/content/moved.md",
        "+++\ntitle = \"Moved\"\naliases = [\"/old-address/\"]\n+++\nHere now, with enough words to be worth compressing.\n",
    );
    assert!(net.build(&[]).status.success());
    let built: PathBuf = net.path().join("public/beta");
    deploy(&net, &[]);
    let (status, headers, body) = http(moto.port, "GET", "/sites-bucket/beta/moved/index.html");
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "content-encoding"), "gzip");
    assert_eq!(header(&headers, "content-type"), "text/html; charset=utf-8");
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(body.as_slice())
        .read_to_end(&mut plain)
        .unwrap();
    assert_eq!(
        plain,
        std::fs::read(built.join("moved/index.html")).unwrap()
    );
    // Sitemaps and feeds too (images and other binary files are not).
    let (_, headers, _) = http(moto.port, "GET", "/sites-bucket/beta/sitemap.xml");
    assert_eq!(header(&headers, "content-encoding"), "gzip");
    // The alias is a website redirect (S3 static website hosting answers
    // 301), its HTML page still there for the REST endpoint.
    let (status, headers, _) = http(
        moto.port,
        "GET",
        "/sites-bucket/beta/old-address/index.html",
    );
    assert_eq!(status, 200);
    assert_eq!(
        header(&headers, "x-amz-website-redirect-location"),
        "/blog/moved/"
    );
}

//! `grove deploy` to S3-compatible storage: moto's S3 server on
//! 127.0.0.1 (installed by scripts/test-tools.sh) takes the objects under
//! `PREFIX/<path>` with their Content-Type and Cache-Control; a second
//! deploy uploads nothing; a removed page's object is deleted; a dry run
//! sends nothing. moto does not check signatures: an endpoint in the
//! suite (`tests/data/s3/sigv4_s3.py`) checks each request's signature
//! with botocore, the AWS SDK's own signer, as S3 does.

use crate::common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::Fixture;
use serde_json::Value;

/// A server process on 127.0.0.1, killed on drop.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `program` with `args(port)` and waits until it listens.
fn start(program: &Path, args: impl Fn(u16) -> Vec<String>) -> Server {
    assert!(
        program.exists(),
        "run scripts/test-tools.sh: {} is missing",
        program.display()
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(program)
        .args(args(port))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{} did not start",
            program.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Server { child, port }
}

fn start_moto() -> Server {
    start(
        &common::repo().join(".test-tools/moto/bin/moto_server"),
        |port| {
            vec![
                "-H".into(),
                "127.0.0.1".into(),
                "-p".into(),
                port.to_string(),
            ]
        },
    )
}

/// The endpoint that checks signatures with botocore, for these keys.
fn start_signature_checker() -> Server {
    start(
        &common::repo().join(".test-tools/moto/bin/python"),
        |port| {
            vec![
                common::repo()
                    .join("tests/data/s3/sigv4_s3.py")
                    .display()
                    .to_string(),
                port.to_string(),
                "test-key".into(),
                "test-secret".into(),
            ]
        },
    )
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

/// A network whose site alpha (pages a and b, not built) deploys to
/// `s3://sites-bucket/PREFIX` at the server on `port`, with the keys in
/// GROVE_S3_KEY and GROVE_S3_SECRET and `extra` lines in its `[deploy]`.
fn alpha_on_s3(port: u16, prefix: &str, extra: &str) -> Fixture {
    let net = Fixture::new();
    net.write(
        "sites/alpha/site.toml",
        &format!(
            "title = \"Alpha\"\nbase_url = \"https://alpha.example.com\"\nniche = \"n\"\n[deploy]\nurl = \"s3://sites-bucket/{prefix}\"\nendpoint = \"http://127.0.0.1:{port}\"\n{extra}access_key_env = \"GROVE_S3_KEY\"\nsecret_key_env = \"GROVE_S3_SECRET\"\nverify = false\n"
        ),
    );
    for page in ["a", "b"] {
        net.write(
            &format!("sites/alpha/content/{page}.md"),
            &format!("+++\ntitle = \"Page {page}\"\n+++\nText {page}.\n"),
        );
    }
    net
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
    let net = alpha_on_s3(moto.port, "network/alpha", "region = \"us-east-1\"\n");
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
    assert_eq!(
        common::gunzip(&body),
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

/// (status, body) of an unsigned GET (the signature checker answers it).
fn get_unsigned(port: u16, path: &str) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let status = String::from_utf8_lossy(&raw[..split])
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    (status, raw[split + 4..].to_vec())
}

/// A path percent-encoded as S3 keys are (RFC 3986 unreserved and `/`).
fn encoded(path: &str) -> String {
    path.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
#[ignore = "needs botocore from scripts/test-tools.sh (scripts/test.sh runs it)"]
fn every_request_carries_the_signature_aws_computes_even_for_awkward_names() {
    let s3 = start_signature_checker();
    let net = alpha_on_s3(s3.port, "alpha", "region = \"eu-west-3\"\n");
    // Static files as people name them: spaces, brackets, reserved and
    // non-ASCII characters, each percent-encoded and signed.
    let awkward = [
        "images/My Photo (1).jpg",
        "files/a+b=c&d;e,f.txt",
        "café/menü.txt",
        "it's*~[x]!@$.txt",
    ];
    for (index, name) in awkward.iter().enumerate() {
        net.write(
            &format!("sites/alpha/static/{name}"),
            &format!("file {index}\n"),
        );
    }
    assert!(net.build(&[]).status.success());
    let files = common::files_below(&net.path().join("public/alpha"));

    let first = deploy(&net, &[]);
    assert_eq!(
        first["uploaded"].as_u64(),
        Some(files.len() as u64),
        "{first}"
    );
    for (index, name) in awkward.iter().enumerate() {
        let (status, body) =
            get_unsigned(s3.port, &encoded(&format!("/sites-bucket/alpha/{name}")));
        assert_eq!(status, 200, "{name}");
        assert_eq!(body, format!("file {index}\n").as_bytes(), "{name}");
    }

    // With the manifest lost, the bucket is listed (signed queries with
    // continuation tokens, two keys a page) and nothing is sent again.
    std::fs::remove_file(net.path().join(".grove/deploy/alpha.json")).unwrap();
    let listed = deploy(&net, &[]);
    assert_eq!(
        (listed["uploaded"].as_u64(), listed["unchanged"].as_u64()),
        (Some(0), Some(files.len() as u64)),
        "{listed}"
    );

    // A signed DELETE for a removed file.
    std::fs::remove_file(net.path().join("sites/alpha/static/files/a+b=c&d;e,f.txt")).unwrap();
    assert!(net.build(&[]).status.success());
    let removed = deploy(&net, &[]);
    assert_eq!(removed["deleted"].as_u64(), Some(1), "{removed}");
    assert_eq!(
        get_unsigned(
            s3.port,
            &encoded("/sites-bucket/alpha/files/a+b=c&d;e,f.txt")
        )
        .0,
        404
    );

    // The checker refuses a wrong secret, and Grove says what S3 said and
    // what to look at.
    net.write(
        "sites/alpha/content/a.md",
        "+++\ntitle = \"Page a\"\n+++\nText, changed.\n",
    );
    assert!(net.build(&[]).status.success());
    let output = net.grove_env(
        &["deploy"],
        &[
            ("GROVE_S3_KEY", "test-key"),
            ("GROVE_S3_SECRET", "Zq9-not-the-secret"),
        ],
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("SignatureDoesNotMatch") && stderr.contains("secret_key_env"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("Zq9-not"),
        "the secret is never printed: {stderr}"
    );
}

#[test]
#[ignore = "needs moto_server from scripts/test-tools.sh (scripts/test.sh runs it)"]
fn a_lost_manifest_is_read_back_from_the_bucket_and_strangers_are_kept() {
    let moto = start_moto();
    assert_eq!(http(moto.port, "PUT", "/sites-bucket").0, 200);
    let net = alpha_on_s3(moto.port, "alpha", "precompress = true\n");
    assert!(net.build(&[]).status.success());
    let files = common::files_below(&net.path().join("public/alpha"));
    // A bucket that cannot be listed (here: none) leaves a dry run as it
    // was: every file would go, and a note says why.
    let unlisted = deploy(&net, &["--dry-run", "--to", "s3://no-such-bucket/alpha"]);
    assert_eq!(unlisted["uploaded"].as_u64(), Some(files.len() as u64));
    assert!(
        unlisted["notes"][0]
            .as_str()
            .unwrap()
            .contains("could not be listed"),
        "{unlisted}"
    );
    deploy(&net, &[]);
    // Something Grove did not write, beside the site's objects.
    assert_eq!(
        http(moto.port, "PUT", "/sites-bucket/alpha/stranger.txt").0,
        200
    );
    let manifest = net.path().join(".grove/deploy/alpha.json");

    // Another machine, or a CI cache gone: nothing is sent again (the
    // objects are stored gzipped: their MD5 is the compressed bytes').
    std::fs::remove_file(&manifest).unwrap();
    let again = deploy(&net, &["--dry-run"]);
    assert_eq!(
        (
            again["uploaded"].as_u64(),
            again["deleted"].as_u64(),
            again["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(files.len() as u64)),
        "{again}"
    );
    assert_eq!(again["kept_unknown"], serde_json::json!(["stranger.txt"]));
    assert!(!manifest.exists(), "a dry run records nothing");

    // A page removed meanwhile: its objects carry this site's mark and
    // are deleted; the stranger is kept, and said so.
    std::fs::remove_file(net.path().join("sites/alpha/content/b.md")).unwrap();
    assert!(net.build(&[]).status.success());
    let output = net.grove_env(
        &["deploy"],
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
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        said.contains("left 1 object the build does not have") && said.contains("stranger.txt"),
        "{said}"
    );
    assert_eq!(
        http(moto.port, "GET", "/sites-bucket/alpha/b/index.html").0,
        404
    );
    assert_eq!(
        http(moto.port, "GET", "/sites-bucket/alpha/stranger.txt").0,
        200
    );
    assert_eq!(
        http(moto.port, "GET", "/sites-bucket/alpha/a/index.html").0,
        200
    );
    // And the manifest is back: the next deploy lists nothing.
    assert!(manifest.exists());
}

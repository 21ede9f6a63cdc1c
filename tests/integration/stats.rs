//! `grove stats import`, `grove revenue import` and `grove report` on logs
//! and reports written from the formats' documentation, with exact expected
//! counts.

use crate::common;

use std::io::Write;
use std::process::{Command, Stdio};

use crate::common::Fixture;
use crate::common::measuring::{
    CHROME, FIREFOX, GOOGLEBOT, GPTBOT, amazon_import, combined, file, grove, network, report, site,
};
use serde_json::Value;

/// The alpha log of the module's doc: 18 lines over two days.
fn alpha_log() -> String {
    let d1 = "24/Nov/2026:10:00:00";
    let d2 = "25/Nov/2026:08:00:00";
    let own = "https://alpha.example.com";
    [
        combined("1.1.1.1", d1, "GET /", 200, "-", FIREFOX),
        combined(
            "1.1.1.1",
            d1,
            "GET /style.css",
            200,
            &format!("{own}/"),
            FIREFOX,
        ),
        combined(
            "1.1.1.1",
            d1,
            "GET /guides/a/",
            200,
            &format!("{own}/"),
            FIREFOX,
        ),
        combined(
            "1.1.1.1",
            d1,
            "GET /go/grinder/",
            302,
            &format!("{own}/guides/a/?x=1"),
            FIREFOX,
        ),
        combined(
            "2.2.2.2",
            d1,
            "GET /guides/a/index.html",
            200,
            "https://www.google.com/",
            CHROME,
        ),
        combined(
            "2.2.2.2",
            d1,
            "GET /go/grinder/",
            200,
            "https://elsewhere.example/",
            CHROME,
        ),
        combined("2.2.2.2", d1, "GET /guides/b", 200, "-", CHROME),
        combined("2.2.2.2", d1, "HEAD /guides/b/", 200, "-", CHROME),
        combined("2.2.2.2", d1, "POST /guides/b/", 200, "-", CHROME),
        combined(
            "3.3.3.3",
            d1,
            "GET /missing/",
            404,
            "https://blog.example/post",
            FIREFOX,
        ),
        combined("66.249.66.1", d1, "GET /guides/a/", 200, "-", GOOGLEBOT),
        combined("20.1.1.1", d1, "GET /guides/b/", 200, "-", GPTBOT),
        combined("9.9.9.9", d1, "GET /wp-login.php", 404, "-", "curl/8.5.0"),
        combined("1.1.1.1", d1, "GET /rss.xml", 200, "-", FIREFOX),
        combined("1.1.1.1", d1, "GET /old-url/", 301, "-", FIREFOX),
        combined("1.1.1.1", d2, "GET /", 304, "-", FIREFOX),
        "this is not a log line\n".to_string(),
        "1.1.1.1 - - [99/Foo/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"x\"\n"
            .to_string(),
    ]
    .concat()
}

/// The absolute path of `name` in the network (grove runs elsewhere).
/// (name, count) pairs of a list of counts.
fn counts(list: &Value) -> Vec<(String, u64)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// (path, views, clicks) of a site's pages.
fn pages(site: &Value) -> Vec<(String, u64, u64)> {
    site["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["path"].as_str().unwrap().to_string(),
                p["views"].as_u64().unwrap(),
                p["clicks"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn assert_alpha_counts(net: &Fixture) {
    let report = report(net, "2026-11-24", "2026-11-25");
    let alpha = site(&report, "alpha");
    // Views: /, /guides/a/, /guides/a/index.html, /guides/b, and / (304)
    // the next day. Not: the stylesheet, HEAD, POST, bots, the feed, the
    // redirect, the 404s, the clicks.
    assert_eq!(alpha["views"], 5);
    // Two people on the first day, one of them again on the second.
    assert_eq!(alpha["visitors"], 3);
    assert_eq!(alpha["clicks"], 2);
    assert_eq!(alpha["not_found"], 1);
    assert_eq!(alpha["crawler_hits"], 3);
    assert_eq!(
        pages(alpha),
        // Most viewed first, then most clicked.
        [
            ("/guides/a/".to_string(), 2, 1),
            ("/".to_string(), 2, 0),
            ("/guides/b/".to_string(), 1, 0)
        ]
    );
    assert_eq!(
        counts(&alpha["referrers"]),
        [
            ("(direct)".to_string(), 3),
            ("(internal)".to_string(), 1),
            ("search:Google".to_string(), 1)
        ]
    );
    assert_eq!(
        counts(&alpha["crawlers"]),
        [
            ("GPTBot".to_string(), 1),
            ("Googlebot".to_string(), 1),
            ("Other crawlers".to_string(), 1)
        ]
    );
    assert_eq!(
        counts(&alpha["not_found_paths"]),
        [("/missing/".to_string(), 1)]
    );
    assert_eq!(alpha["products"][0]["slug"], "grinder");
    assert_eq!(alpha["products"][0]["clicks"], 2);
    let daily = alpha["daily"].as_array().unwrap();
    assert_eq!(
        (daily[0]["views"].as_u64(), daily[1]["views"].as_u64()),
        (Some(4), Some(1))
    );
}

#[test]
fn a_combined_log_counts_people_pages_clicks_crawlers_and_404s_exactly() {
    let net = network();
    net.write("access.log", &alpha_log());
    let out = grove(
        &net,
        &[
            "stats",
            "import",
            "--site",
            "alpha",
            &file(&net, "access.log"),
        ],
    );
    assert!(out.contains("access.log (combined): 18 new lines"), "{out}");
    assert!(out.contains("2 malformed lines"), "{out}");
    assert!(out.contains("line 17: this is not a log line"), "{out}");
    assert!(out.contains("line 18: "), "{out}");
    assert_alpha_counts(&net);
    // Without --site, a log without hosts in a network of two sites is refused.
    let output = net.grove(&["stats", "import", &file(&net, "access.log")]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("pass --site NAME"));
}

#[test]
fn importing_again_counts_nothing_twice_and_a_grown_log_only_its_new_lines() {
    let net = network();
    net.write("access.log", &alpha_log());
    grove(
        &net,
        &[
            "stats",
            "import",
            "--site",
            "alpha",
            &file(&net, "access.log"),
        ],
    );
    let again = grove(
        &net,
        &[
            "stats",
            "import",
            "--site",
            "alpha",
            &file(&net, "access.log"),
        ],
    );
    assert!(
        again.contains("0 new lines (18 counted before, skipped)"),
        "{again}"
    );
    assert_alpha_counts(&net);

    // The log grows by one page view and a line still being written.
    let grown = alpha_log()
        + &combined(
            "4.4.4.4",
            "25/Nov/2026:09:00:00",
            "GET /guides/b/",
            200,
            "-",
            CHROME,
        )
        + "5.5.5.5 - - [25/Nov/2026:09:00:01 +0000] \"GET /gui";
    net.write("access.log", &grown);
    let out = grove(
        &net,
        &[
            "stats",
            "import",
            "--site",
            "alpha",
            &file(&net, "access.log"),
        ],
    );
    assert!(
        out.contains("1 new line (18 counted before, skipped)"),
        "{out}"
    );
    assert!(out.contains("the last line has no line end yet"), "{out}");
    let alpha = report(&net, "2026-11-24", "2026-11-25");
    assert_eq!(site(&alpha, "alpha")["views"], 6);
    assert_eq!(site(&alpha, "alpha")["visitors"], 4);

    // Rotated and compressed, it is the same log: nothing new.
    let rotated = net.path().join("access.log.1.gz");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(grown.as_bytes()).unwrap();
    std::fs::write(&rotated, encoder.finish().unwrap()).unwrap();
    let out = grove(
        &net,
        &[
            "stats",
            "import",
            "--site",
            "alpha",
            rotated.to_str().unwrap(),
        ],
    );
    // Compressed, it cannot grow: its unfinished last line is counted
    // (as malformed, since it is cut).
    assert!(
        out.contains("1 new line (19 counted before, skipped)"),
        "{out}"
    );
    assert!(out.contains("1 malformed line"), "{out}");
    assert_eq!(
        site(&report(&net, "2026-11-24", "2026-11-25"), "alpha")["views"],
        6
    );
}

#[test]
fn gzip_and_standard_input_count_like_the_plain_file() {
    for how in ["gzip", "stdin"] {
        let net = network();
        let log = alpha_log();
        let mut child = Command::new(env!("CARGO_BIN_EXE_grove"))
            .arg("--root")
            .arg(net.path())
            .args(["stats", "import", "--site", "alpha", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let bytes = if how == "gzip" {
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            encoder.write_all(log.as_bytes()).unwrap();
            encoder.finish().unwrap()
        } else {
            log.into_bytes()
        };
        child.stdin.take().unwrap().write_all(&bytes).unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{how}");
        assert_alpha_counts(&net);
    }
}

#[test]
fn virtual_hosts_send_requests_to_their_site_and_report_unknown_hosts() {
    let net = network();
    let line = |vhost: &str, request: &str, status: u16| {
        format!(
            "{vhost} 7.7.7.7 - - [26/Nov/2026:12:00:00 +0000] \"{request} HTTP/1.1\" {status} 10 \"-\" \"{FIREFOX}\"\n"
        )
    };
    let log = [
        line("alpha.example.com:443", "GET /guides/a/", 200),
        line("www.alpha.example.com:80", "GET /guides/a/", 200),
        line("beta.example.com:443", "GET /blog/post/", 200),
        line("beta.example.com:443", "GET /blog", 200),
        line("beta.example.com:443", "GET /shop/", 200),
        line("unknown.example.org:443", "GET /", 200),
        line("unknown.example.org:443", "GET /x/", 200),
    ]
    .concat();
    net.write("vhosts.log", &log);
    let out = grove(&net, &["stats", "import", &file(&net, "vhosts.log")]);
    assert!(out.contains("(vcombined): 7 new lines"), "{out}");
    assert!(
        out.contains("hosts no site has (not counted): unknown.example.org (2)"),
        "{out}"
    );
    assert!(
        out.contains("1 requests outside the sites' base paths"),
        "{out}"
    );
    let report = report(&net, "2026-11-26", "2026-11-26");
    assert_eq!(
        pages(site(&report, "alpha")),
        [("/guides/a/".to_string(), 2, 0)]
    );
    assert_eq!(
        pages(site(&report, "beta")),
        [("/".to_string(), 1, 0), ("/post/".to_string(), 1, 0)]
    );
}

#[test]
fn cloudfront_cloudflare_and_caddy_logs_are_read_by_their_fields() {
    let net = network();
    let cloudfront = format!(
        "#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end\n{}\n{}\n{}\n",
        "2026-11-27\t21:02:31\tLAX1\t392\t192.0.2.100\tGET\td111111abcdef8.cloudfront.net\t/guides/a/\t200\thttps://www.bing.com/\tMozilla/5.0%20(X11;%20Linux%20x86_64;%20rv:133.0)%20Gecko/20100101%20Firefox/133.0\t-\t-\tHit\tSOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==\talpha.example.com\thttps\t23\t0.001\t-\tTLSv1.2\tECDHE-RSA-AES128-GCM-SHA256\tHit\tHTTP/2.0\t-\t-\t11040\t0.001\tHit\ttext/html\t78\t-\t-",
        "2026-11-27\t21:02:32\tLAX1\t392\t192.0.2.100\tGET\td111111abcdef8.cloudfront.net\t/go/grinder/\t302\thttps://alpha.example.com/guides/a/\tMozilla/5.0%20(X11;%20Linux%20x86_64;%20rv:133.0)%20Gecko/20100101%20Firefox/133.0\t-\t-\tHit\tx==\talpha.example.com\thttps\t23\t0.001\t-\tTLSv1.2\tECDHE\tHit\tHTTP/2.0\t-\t-\t11040\t0.001\tHit\ttext/html\t78\t-\t-",
        "2026-11-27\t21:02:33\tLAX1\t392\t66.249.66.1\tGET\td111111abcdef8.cloudfront.net\t/\t200\t-\tMozilla/5.0%20(compatible;%20Googlebot/2.1;%20+http://www.google.com/bot.html)\t-\t-\tHit\ty==\talpha.example.com\thttps\t23\t0.001\t-\tTLSv1.2\tECDHE\tHit\tHTTP/2.0\t-\t-\t11040\t0.001\tHit\ttext/html\t78\t-\t-",
    );
    net.write("cloudfront.log", &cloudfront);
    let cloudflare = format!(
        "{}\n{}\n",
        r#"{"ClientIP":"203.0.113.9","ClientRequestHost":"beta.example.com","ClientRequestMethod":"GET","ClientRequestURI":"/blog/post/?ref=x","EdgeStartTimestamp":"2026-11-28T10:00:00Z","EdgeEndTimestamp":"2026-11-28T10:00:00Z","EdgeResponseStatus":200,"ClientRequestReferer":"https://duckduckgo.com/","ClientRequestUserAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36","RayID":"1"}"#,
        r#"{"ClientIP":"203.0.113.9","ClientRequestHost":"beta.example.com","ClientRequestMethod":"GET","ClientRequestURI":"/blog/nope/","EdgeStartTimestamp":1795860000000000000,"EdgeResponseStatus":404,"ClientRequestReferer":"","ClientRequestUserAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36","RayID":"2"}"#
    );
    net.write("cloudflare.json", &cloudflare);
    let caddy = format!(
        "{}\n{}\n",
        r#"{"level":"info","ts":1796032800.25,"logger":"http.log.access.log0","msg":"handled request","request":{"remote_ip":"198.51.100.4","remote_port":"41342","client_ip":"198.51.100.4","proto":"HTTP/2.0","method":"GET","host":"alpha.example.com","uri":"/guides/b/","headers":{"User-Agent":["Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"],"Referer":["https://news.ycombinator.com/item?id=1"]}},"bytes_read":0,"user_id":"","duration":0.0009,"size":10900,"status":200,"resp_headers":{}}"#,
        r#"{"level":"info","ts":1796032801.0,"logger":"http.log.access.log0","msg":"handled request","request":{"remote_ip":"198.51.100.5","client_ip":"198.51.100.5","method":"GET","host":"alpha.example.com","uri":"/guides/b/","headers":{"User-Agent":["Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)"]}},"status":200}"#
    );
    net.write("caddy.log", &caddy);
    let out = grove(
        &net,
        &[
            "stats",
            "import",
            &file(&net, "cloudfront.log"),
            &file(&net, "cloudflare.json"),
            &file(&net, "caddy.log"),
        ],
    );
    assert!(
        out.contains("cloudfront.log (cloudfront): 3 new lines"),
        "{out}"
    );
    assert!(
        out.contains("cloudflare.json (cloudflare): 2 new lines"),
        "{out}"
    );
    assert!(out.contains("caddy.log (caddy): 2 new lines"), "{out}");

    let day = report(&net, "2026-11-27", "2026-11-27");
    let alpha = site(&day, "alpha");
    assert_eq!(
        (alpha["views"].as_u64(), alpha["clicks"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(pages(alpha), [("/guides/a/".to_string(), 1, 1)]);
    assert_eq!(
        counts(&alpha["referrers"]),
        [("search:Bing".to_string(), 1)]
    );
    assert_eq!(counts(&alpha["crawlers"]), [("Googlebot".to_string(), 1)]);

    let day = report(&net, "2026-11-28", "2026-11-28");
    let beta = site(&day, "beta");
    assert_eq!(pages(beta), [("/post/".to_string(), 1, 0)]);
    assert_eq!(
        counts(&beta["referrers"]),
        [("search:DuckDuckGo".to_string(), 1)]
    );
    assert_eq!(
        counts(&beta["not_found_paths"]),
        [("/nope/".to_string(), 1)]
    );

    // Caddy's `ts` 1796032800.25 is 2026-11-30 (UTC).
    let day = report(&net, "2026-11-30", "2026-11-30");
    let alpha = site(&day, "alpha");
    assert_eq!(pages(alpha), [("/guides/b/".to_string(), 1, 0)]);
    assert_eq!(
        counts(&alpha["referrers"]),
        [("news.ycombinator.com".to_string(), 1)]
    );
    assert_eq!(counts(&alpha["crawlers"]), [("ClaudeBot".to_string(), 1)]);
}

#[test]
fn a_killed_import_loses_nothing_committed_and_counts_nothing_twice() {
    // A log large enough that the import is still running when killed.
    let mut log = String::new();
    for i in 0..200_000u32 {
        let day = 1 + i % 28;
        log.push_str(&combined(
            &format!("10.{}.{}.{}", i % 200, (i / 200) % 200, i % 7),
            &format!("{day:02}/Oct/2026:10:00:00"),
            &format!("GET /guides/p{}/", i % 300),
            200,
            "-",
            if i % 10 == 0 { GOOGLEBOT } else { FIREFOX },
        ));
    }
    let whole = network();
    whole.write("big.log", &log);
    // Both databases share one salt, so their visitor estimates can be
    // compared exactly: an empty import creates it, then it is copied.
    whole.write("empty.log", "");
    grove(
        &whole,
        &[
            "stats",
            "import",
            "--site",
            "alpha",
            &file(&whole, "empty.log"),
        ],
    );
    let killed = network();
    common::copy_dir(&whole.path().join(".grove"), &killed.path().join(".grove"));
    let started = std::time::Instant::now();
    grove(
        &whole,
        &[
            "stats",
            "import",
            "--site",
            "alpha",
            &file(&whole, "big.log"),
        ],
    );
    let whole_import = started.elapsed();
    let expected = report(&whole, "2026-10-01", "2026-10-31");
    assert_eq!(site(&expected, "alpha")["views"], 180_000);

    killed.write("big.log", &log);
    // Killed a quarter and half way through: the file is one transaction,
    // so nothing of it may be there.
    for fraction in [4, 2] {
        let delay = whole_import / fraction;
        let mut child = Command::new(env!("CARGO_BIN_EXE_grove"))
            .arg("--root")
            .arg(killed.path())
            .args([
                "stats",
                "import",
                "--site",
                "alpha",
                &file(&killed, "big.log"),
            ])
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill();
        child.wait().unwrap();
        // All or nothing: a kill that lands after the commit (on a busy
        // machine the import may finish first) leaves all of it.
        let partial = report(&killed, "2026-10-01", "2026-10-31");
        let views = site(&partial, "alpha")["views"].as_u64().unwrap();
        assert!(
            views == 0 || views == 180_000,
            "killed after {delay:?}: {views} views"
        );
    }
    grove(
        &killed,
        &[
            "stats",
            "import",
            "--site",
            "alpha",
            &file(&killed, "big.log"),
        ],
    );
    let after = report(&killed, "2026-10-01", "2026-10-31");
    for field in ["views", "visitors", "crawler_hits"] {
        assert_eq!(
            site(&after, "alpha")[field],
            site(&expected, "alpha")[field],
            "{field}"
        );
    }
}

#[test]
fn imports_of_one_log_at_once_count_it_once() {
    let mut log = String::new();
    for i in 0..100_000u32 {
        log.push_str(&combined(
            &format!("10.{}.{}.{}", i % 200, (i / 200) % 200, i % 7),
            &format!("{:02}/Oct/2026:10:00:00", 1 + i % 28),
            &format!("GET /guides/p{}/", i % 300),
            200,
            "-",
            FIREFOX,
        ));
    }
    let net = network();
    net.write("big.log", &log);
    // Four at once, two of them through standard input: each line once.
    let children: Vec<_> = (0..4)
        .map(|i| {
            let mut command = net.command(["stats", "import", "--site", "alpha"]);
            if i % 2 == 0 {
                command.arg(file(&net, "big.log"));
            } else {
                command
                    .arg("-")
                    .stdin(std::fs::File::open(net.path().join("big.log")).unwrap());
            }
            command.spawn().unwrap()
        })
        .collect();
    common::all_succeed(children);
    let counted = report(&net, "2026-10-01", "2026-10-31");
    assert_eq!(site(&counted, "alpha")["views"], 100_000);

    // Earnings reports imported at once replace each other's period.
    let mut amazon = String::from(
        "Category,Name,ASIN,Seller,Tracking ID,Date Shipped,Price($),Items Shipped,Returns,Revenue($),Ad Fees($),Device Type Group\n",
    );
    for day in 1..=28 {
        amazon.push_str(&format!("Home,Grinder,B0BH3WMZ8X,Amazon.com,alpha-20,2026-10-{day:02},$100.00,1,0,$100.00,$1.00,PHONE\n"));
    }
    net.write("amazon.csv", &amazon);
    let children: Vec<_> = (0..3)
        .map(|_| {
            net.command([
                "revenue",
                "import",
                "--format",
                "amazon",
                &file(&net, "amazon.csv"),
            ])
            .spawn()
            .unwrap()
        })
        .collect();
    common::all_succeed(children);
    let earned = report(&net, "2026-10-01", "2026-10-31");
    assert_eq!(site(&earned, "alpha")["revenue"], 28.0, "{earned}");
}

#[test]
fn earnings_reports_are_attributed_and_replace_their_period_when_imported_again() {
    let net = network();
    // Amazon: title line, byte order mark, quoted fields with commas,
    // a return, a tag no site has, and the totals row.
    let amazon = "\u{feff}Fee-Earnings reports from 11-01-2026 to 11-30-2026\nCategory,Name,ASIN,Seller,Tracking ID,Date Shipped,Price($),Items Shipped,Returns,Revenue($),Ad Fees($),Device Type Group\nHome,\"Grinder, black\",B0BH3WMZ8X,Amazon.com,alpha-20,2026-11-24 10:12:00,\"$1,199.00\",1,0,\"$1,199.00\",$47.96,DESKTOP\nHome,\"Grinder, black\",B0BH3WMZ8X,Amazon.com,alpha-20,11/25/2026,$199.00,0,1,-$199.00,-$7.96,PHONE\nHome,Kettle,B000KETTLE,Amazon.com,beta-20,November 25 2026,$50.00,1,0,$50.00,$2.00,PHONE\nHome,Stray,B000STRAY0,Amazon.com,nobody-20,2026-11-25,$10.00,1,0,$10.00,$0.40,PHONE\n,,,,,,,,,Total,42.40,\n";
    net.write("amazon.csv", amazon);
    let out = amazon_import(&net);
    assert!(
        out.contains("4 rows, 2026-11-01 to 2026-11-30: 42.40 USD"),
        "{out}"
    );
    assert!(out.contains("0.40 USD for `nobody-20`"), "{out}");

    // Impact: SubId1 is the site's sub-ID tag; a reversed action and
    // localized euro amounts.
    let impact = "Action Id,Campaign,Action Date,Status,Payout,Currency,SubId1\nA1,Acme Coffee,2026-11-24,Approved,\"1.234,50\",EUR,beta-sub\nA2,Acme Coffee,2026-11-24,Reversed,\"100,00\",EUR,beta-sub\n";
    net.write("impact.csv", impact);
    let out = grove(
        &net,
        &[
            "revenue",
            "import",
            "--format",
            "impact",
            &file(&net, "impact.csv"),
        ],
    );
    assert!(
        out.contains("1 row, 2026-11-24 to 2026-11-24: 1234.50 EUR"),
        "{out}"
    );

    // AdSense, as UTF-16 with tabs.
    let adsense = "Date\tSite\tEstimated earnings (USD)\n2026-11-24\talpha.example.com\t3.50\n2026-11-24\tbeta.example.com\t1.25\nTotals\t\t4.75\n";
    let mut utf16 = vec![0xff, 0xfe];
    for unit in adsense.encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    std::fs::write(net.path().join("adsense.csv"), utf16).unwrap();
    grove(
        &net,
        &[
            "revenue",
            "import",
            "--format",
            "adsense",
            &file(&net, "adsense.csv"),
        ],
    );

    // A generic CSV with a column mapping.
    net.write(
        "other.csv",
        "When;Where;Commission\n24.11.2026;alpha;5,00 €\n",
    );
    let out = grove(
        &net,
        &[
            "revenue",
            "import",
            "--format",
            "csv",
            "--map",
            "date=When,site=Where,amount=Commission",
            "--source",
            "other",
            &file(&net, "other.csv"),
        ],
    );
    assert!(out.contains("5.00 EUR"), "{out}");

    let check = |net: &Fixture| {
        let report = report(net, "2026-11-01", "2026-11-30");
        // Most of the money is in euros (1,239.50 against 47.15 dollars):
        // the report is in EUR, and dollars are listed apart.
        assert_eq!(report["currency"], "EUR");
        let usd = report["other_currencies"]["USD"].as_f64().unwrap();
        assert!((usd - (42.40 + 4.75)).abs() < 1e-9, "{usd}");
        let beta = site(&report, "beta");
        assert!((beta["revenue"].as_f64().unwrap() - 1234.50).abs() < 1e-9);
        let alpha = site(&report, "alpha");
        assert!((alpha["revenue"].as_f64().unwrap() - 5.0).abs() < 1e-9);
    };
    check(&net);
    // The same report again replaces its rows: nothing doubles.
    amazon_import(&net);
    grove(
        &net,
        &[
            "revenue",
            "import",
            "--format",
            "impact",
            &file(&net, "impact.csv"),
        ],
    );
    check(&net);
    // A wrong format is an error naming the file.
    let output = net.grove(&[
        "revenue",
        "import",
        "--format",
        "amazon",
        &file(&net, "impact.csv"),
    ]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("impact.csv"));
}

#[test]
fn report_figures_match_hand_computed_values() {
    let net = network();
    net.write("access.log", &alpha_log());
    grove(
        &net,
        &[
            "stats",
            "import",
            "--site",
            "alpha",
            &file(&net, "access.log"),
        ],
    );
    // The report covers both days of the log (its title says so).
    let amazon = "Fee-Earnings report from 11-24-2026 to 11-25-2026\nCategory,Name,ASIN,Seller,Tracking ID,Date Shipped,Price($),Items Shipped,Returns,Revenue($),Ad Fees($),Device Type Group\nHome,Grinder,B0BH3WMZ8X,Amazon.com,alpha-20,2026-11-24,$100.00,1,0,$100.00,$6.00,DESKTOP\n";
    net.write("amazon.csv", amazon);
    amazon_import(&net);
    // LLM spend: $2 on alpha that week, $1 before the period, a cache hit.
    let ledger = [
        r#"{"time":"2026-11-24T09:00:00Z","site":"alpha","brief":"a","step":"article","model":"m","input_tokens":1,"output_tokens":1,"cost_usd":2.0,"cache_hit":false,"usage_estimated":false,"status":"ok"}"#,
        r#"{"time":"2026-11-01T09:00:00Z","site":"alpha","brief":"b","step":"article","model":"m","input_tokens":1,"output_tokens":1,"cost_usd":1.0,"cache_hit":false,"usage_estimated":false,"status":"ok"}"#,
        r#"{"time":"2026-11-24T10:00:00Z","site":"alpha","brief":"a","step":"article","model":"m","input_tokens":1,"output_tokens":1,"cost_usd":0.0,"cache_hit":true,"usage_estimated":false,"status":"ok"}"#,
    ]
    .join("\n");
    net.write(".grove/ledger.jsonl", &(ledger + "\n"));
    net.build(&[]);
    let report = report(&net, "2026-11-24", "2026-11-25");
    let alpha = site(&report, "alpha");
    let close = |value: &Value, expected: f64| (value.as_f64().unwrap() - expected).abs() < 1e-9;
    // 5 views, 2 clicks, $6 revenue, $2 spend.
    assert!(close(&alpha["ctr"], 2.0 / 5.0));
    assert!(close(&alpha["revenue"], 6.0));
    assert!(close(&alpha["epc"], 6.0 / 2.0));
    assert!(close(&alpha["rpm"], 6.0 / 5.0 * 1000.0));
    assert!(close(&alpha["spend"], 2.0));
    assert!(close(&alpha["roi"], (6.0 - 2.0) / 2.0));
    assert_eq!(alpha["products"][0]["slug"], "grinder");
    assert!(close(&alpha["products"][0]["epc"], 3.0));
    // The last build's pages; the network is the sum of its sites.
    assert_eq!(alpha["pages_published"], 0);
    assert_eq!(report["network"]["views"], 5);
    assert!(close(&report["network"]["revenue"], 6.0));
    assert_eq!(report["period"]["days"], 2);
    // The text form shows the same figures.
    let text = grove(
        &net,
        &["report", "--since", "2026-11-24", "--until", "2026-11-25"],
    );
    let row = text.lines().find(|l| l.starts_with("alpha")).unwrap();
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(cells[3..8], ["5", "3", "2", "40.0%", "6.00"]);
    assert_eq!(cells[8..12], ["3.00", "1200.00", "2.00", "200%"]);
}

#[test]
fn a_report_before_any_import_says_what_fills_it() {
    let net = network();
    let text = grove(&net, &["report"]);
    assert!(
        text.contains("run `grove stats import access.log`"),
        "{text}"
    );
    assert!(
        text.contains("run `grove revenue import --format amazon report.csv`"),
        "{text}"
    );
    let json: Value = serde_json::from_str(&grove(&net, &["report", "--json"])).unwrap();
    assert_eq!(json["has_stats"], false);
    assert_eq!(json["sites"].as_array().unwrap().len(), 2);
}

/// Runs grove with `args` to the end; returns its output and its peak
/// resident memory in MB (`VmHWM`, sampled while it runs).
fn run_measured(net: &Fixture, args: &[&str]) -> (std::process::Output, u64) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_grove"))
        .arg("--root")
        .arg(net.path())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0u64;
    while child.try_wait().unwrap().is_none() {
        if let Ok(status) = std::fs::read_to_string(&status_file)
            && let Some(line) = status.lines().find(|l| l.starts_with("VmHWM:"))
        {
            let kb: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
            peak_kb = peak_kb.max(kb);
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    (child.wait_with_output().unwrap(), peak_kb / 1024)
}

#[test]
fn a_log_of_one_endless_line_is_malformed_and_memory_stays_flat() {
    let net = network();
    // 300 MB of one line with no line end, then a real request, gzipped
    // to a few hundred KB: a decompression bomb.
    let path = net.path().join("bomb.log.gz");
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&path).unwrap(),
        flate2::Compression::fast(),
    );
    gz.write_all(
        combined(
            "1.1.1.1",
            "24/Nov/2026:09:00:00",
            "GET /",
            200,
            "-",
            FIREFOX,
        )
        .as_bytes(),
    )
    .unwrap();
    let chunk = vec![b'A'; 1 << 20];
    for _ in 0..300 {
        gz.write_all(&chunk).unwrap();
    }
    gz.write_all(b"\n").unwrap();
    // Requests around it, so that most lines are the format's.
    for _ in 0..6 {
        gz.write_all(
            combined(
                "1.1.1.1",
                "24/Nov/2026:10:00:00",
                "GET /guides/a/",
                200,
                "-",
                FIREFOX,
            )
            .as_bytes(),
        )
        .unwrap();
    }
    // And a long line inside a block, and one at the end without a line end.
    gz.write_all(&vec![b'B'; 100_000]).unwrap();
    gz.write_all(b"\n").unwrap();
    gz.write_all(&vec![b'C'; 70_000]).unwrap();
    gz.finish().unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() < 2 << 20);
    let (output, peak_mb) = run_measured(
        &net,
        &["stats", "import", "--site", "alpha", path.to_str().unwrap()],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(peak_mb < 120, "peak {peak_mb} MB for a 300 MB line");
    assert!(stdout.contains("3 malformed"), "{stdout}");
    assert!(
        stdout.contains("over the 64 KB a request line may have"),
        "{stdout}"
    );
    let counted = report(&net, "2026-11-24", "2026-11-24");
    assert_eq!(
        site(&counted, "alpha")["views"],
        7,
        "the lines around the bomb count"
    );
}

#[test]
fn absurd_dates_are_malformed_and_cannot_move_the_period() {
    let net = network();
    let mut log = String::new();
    log.push_str(&combined(
        "1.1.1.1",
        "24/Nov/2026:10:00:00",
        "GET /",
        200,
        "-",
        FIREFOX,
    ));
    log.push_str(&combined(
        "1.1.1.2",
        "24/Nov/9999:10:00:00",
        "GET /",
        200,
        "-",
        FIREFOX,
    ));
    log.push_str(&combined(
        "1.1.1.3",
        "01/Jan/1999:10:00:00",
        "GET /",
        200,
        "-",
        FIREFOX,
    ));
    log.push_str(&combined(
        "1.1.1.4",
        "25/Nov/2026:10:00:00",
        "GET /",
        200,
        "-",
        FIREFOX,
    ));
    net.write("access.log", &log);
    let caddy = [
        r#"{"level":"info","ts":253402300799.0,"logger":"http.log.access","msg":"handled request","request":{"remote_ip":"198.51.100.4","method":"GET","host":"alpha.example.com","uri":"/","headers":{"User-Agent":["Firefox/133.0"]}},"status":200}"#,
        r#"{"level":"info","ts":0,"logger":"http.log.access","msg":"handled request","request":{"remote_ip":"198.51.100.4","method":"GET","host":"alpha.example.com","uri":"/","headers":{"User-Agent":["Firefox/133.0"]}},"status":200}"#,
    ]
    .join("\n");
    // With requests of real days around them: a log of nothing but
    // absurd dates is refused as a whole.
    let caddy_ok = r#"{"level":"info","ts":1795514400.0,"logger":"http.log.access","msg":"handled request","request":{"remote_ip":"198.51.100.4","method":"GET","host":"alpha.example.com","uri":"/","headers":{"User-Agent":["Firefox/133.0"]}},"status":200}"#;
    net.write("caddy.log", &format!("{caddy}\n{0}\n{0}\n", caddy_ok));
    let cloudflare = r#"{"ClientIP":"203.0.113.9","ClientRequestHost":"alpha.example.com","ClientRequestMethod":"GET","ClientRequestURI":"/","EdgeStartTimestamp":"9999-01-01T00:00:00Z","EdgeResponseStatus":200,"ClientRequestUserAgent":"Firefox/133.0","RayID":"1"}"#;
    let cloudflare_ok = cloudflare.replace("9999-01-01", "2026-11-24");
    net.write(
        "cloudflare.json",
        &format!("{cloudflare}\n{cloudflare_ok}\n"),
    );
    let out = grove(
        &net,
        &[
            "stats",
            "import",
            "--site",
            "alpha",
            &file(&net, "access.log"),
        ],
    );
    assert!(out.contains("2 malformed"), "{out}");
    for (name, format) in [("caddy.log", "caddy"), ("cloudflare.json", "cloudflare")] {
        let out = grove(
            &net,
            &["stats", "import", "--format", format, &file(&net, name)],
        );
        assert!(out.contains("malformed"), "{name}: {out}");
    }
    let text = grove(&net, &["report", "--json"]);
    let report: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(report["period"]["until"], "2026-11-25", "{report}");
    assert_eq!(site(&report, "alpha")["views"], 2);
}

#[test]
fn amounts_and_currencies_are_read_right_or_refused_with_their_line() {
    let net = network();
    let rows = [
        ("1.5E+03", "ok"),
        ("\"0,125\"", "ok"),
        ("2026-11-24", "bad"),
        (&"9".repeat(400), "bad"),
        ("inf", "bad"),
        ("NaN", "bad"),
        ("\"1,234.50\"", "ok"),
    ];
    let mut csv = String::from("Date,Site,Commission,Currency\n");
    for (amount, _) in &rows {
        csv.push_str(&format!("2026-11-24,alpha,{amount},USD\n"));
    }
    csv.push_str("2026-11-24,alpha,5.00,ABC\n");
    csv.push_str("9999-11-24,alpha,5.00,USD\n");
    net.write("other.csv", &csv);
    // `grove revenue import --format csv --map MAP [--currency C] FILE`.
    let csv_import = |map: &str, currency: Option<&str>, name: &str| {
        let path = file(&net, name);
        let mut args = vec!["revenue", "import", "--format", "csv", "--map", map];
        if let Some(currency) = currency {
            args.extend(["--currency", currency]);
        }
        args.push(&path);
        net.grove(&args)
    };
    let full_map = "date=Date,site=Site,amount=Commission,currency=Currency";
    let out = String::from_utf8_lossy(&csv_import(full_map, None, "other.csv").stdout).into_owned();
    for line in [4, 5, 6, 7, 9, 10] {
        assert!(
            out.contains(&format!("line {line}: ")),
            "line {line} not refused:\n{out}"
        );
    }
    assert!(out.contains("`ABC` is not an ISO 4217 code"), "{out}");
    assert!(out.contains("3 rows"), "{out}");
    // 1500 + 0.125 + 1234.50, stored exactly once however often imported.
    for _ in 0..2 {
        assert!(csv_import(full_map, None, "other.csv").status.success());
        let report = report(&net, "2026-11-24", "2026-11-24");
        // JSON shows money in cents.
        let revenue = site(&report, "alpha")["revenue"].as_f64().unwrap();
        assert!((revenue - 2734.63).abs() < 1e-9, "{revenue}");
    }
    let short_map = "date=Date,amount=Commission";
    let bad = csv_import(short_map, Some("ABC"), "other.csv");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--currency ABC is not an ISO 4217"));
    // A line no earnings report has is refused with its line.
    net.write(
        "long.csv",
        &format!(
            "Date,Site,Commission\n2026-11-24,alpha,{}\n",
            "1".repeat(70_000)
        ),
    );
    let long = csv_import(short_map, None, "long.csv");
    assert!(!long.status.success());
    assert!(
        String::from_utf8_lossy(&long.stderr).contains("long.csv:2: a line of"),
        "{}",
        String::from_utf8_lossy(&long.stderr)
    );
}

#[test]
fn importing_a_report_again_replaces_it_whatever_its_title_claims() {
    let header = "Category,Name,ASIN,Seller,Tracking ID,Date Shipped,Price($),Items Shipped,Returns,Revenue($),Ad Fees($),Device Type Group\n";
    let rows = "Home,Grinder,B0BH3WMZ8X,Amazon.com,alpha-20,2026-11-05,$100.00,1,0,$100.00,$4.00,PHONE\nHome,Grinder,B0BH3WMZ8X,Amazon.com,alpha-20,2026-11-15,$100.00,1,0,$100.00,$2.00,PHONE\nHome,Grinder,B0BH3WMZ8X,Amazon.com,alpha-20,2026-11-25,$100.00,1,0,$100.00,$1.00,PHONE\n";
    for title in [
        "Fee-Earnings reports from 11-10-2026 to 11-20-2026\n",
        "Fee-Earnings reports from 11-30-2026 to 11-01-2026\n",
        "Fee-Earnings reports from 01-01-1900 to 12-31-9999\n",
        "",
    ] {
        let net = network();
        net.write("amazon.csv", &format!("{title}{header}{rows}"));
        for _ in 0..3 {
            amazon_import(&net);
            let report = report(&net, "2026-11-01", "2026-11-30");
            assert_eq!(site(&report, "alpha")["revenue"], 7.0, "{title}");
        }
    }
}

#[test]
fn escape_sequences_from_logs_and_reports_are_shown_escaped() {
    let net = network();
    let evil = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}[31mRED\u{9b}1m\r";
    let mut log = combined(
        "1.1.1.1",
        "24/Nov/2026:10:00:00",
        "GET /",
        200,
        "-",
        FIREFOX,
    );
    log.push_str(&format!("garbage {evil} line\n"));
    log.push_str(&format!(
        "1.1.1.1 - - [24/Nov/2026:10:00:00 +0000] \"GET /x HTTP/1.1\" 200 5 \"-\" \"{evil}\"\n"
    ));
    net.write("access.log", &log);
    net.write(
        "other.csv",
        &format!("Date,Site,Commission\n2026-11-24,{evil},5.00\n2026-11-24,alpha,{evil}\n"),
    );
    let outputs = [
        net.grove(&[
            "stats",
            "import",
            "--site",
            "alpha",
            &file(&net, "access.log"),
        ]),
        net.grove(&[
            "revenue",
            "import",
            "--format",
            "csv",
            "--map",
            "date=Date,site=Site,amount=Commission",
            &file(&net, "other.csv"),
        ]),
        net.grove(&["report", "--since", "2026-11-24", "--until", "2026-11-24"]),
    ];
    for output in &outputs {
        for stream in [&output.stdout, &output.stderr] {
            let text = String::from_utf8_lossy(stream);
            assert!(
                !text
                    .chars()
                    .any(|c| c.is_control() && c != '\n' && c != '\t'),
                "raw control characters in: {text:?}"
            );
        }
    }
    // What was there is still shown, as escapes.
    let imported = String::from_utf8_lossy(&outputs[0].stdout);
    assert!(
        imported.contains("garbage \\u{1b}]0;pwned\\u{7}"),
        "{imported}"
    );
}

/// A CloudFront standard log file: the header every file has, then
/// `views` page views of `/guides/pN/` by distinct visitors, request ids
/// unique to `file`.
fn cloudfront_file(file: u32, views: u32) -> String {
    let mut text = String::from(
        "#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken\n",
    );
    for i in 0..views {
        text.push_str(&format!(
            "2026-11-27\t10:{:02}:{:02}\tLAX1\t392\t192.0.{file}.{i}\tGET\td111111abcdef8.cloudfront.net\t/guides/p{i}/\t200\t-\tMozilla/5.0%20(X11;%20Linux%20x86_64;%20rv:133.0)%20Gecko/20100101%20Firefox/133.0\t-\t-\tHit\treq-{file}-{i}==\talpha.example.com\thttps\t23\t0.001\n",
            i / 60 % 60,
            i % 60
        ));
    }
    text
}

fn views_on(net: &Fixture, day: &str) -> u64 {
    site(&report(net, day, day), "alpha")["views"]
        .as_u64()
        .unwrap()
}

#[test]
fn every_cloudfront_file_counts_in_full_and_once() {
    let net = network();
    let mut names = Vec::new();
    for file in 1..=12 {
        let name = format!("cloudfront/E2ABC.2026-11-27-10.{file:08x}.gz");
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder
            .write_all(cloudfront_file(file, 20 + file).as_bytes())
            .unwrap();
        std::fs::create_dir_all(net.path().join("cloudfront")).unwrap();
        std::fs::write(net.path().join(&name), encoder.finish().unwrap()).unwrap();
        names.push(file_path(&net, &name));
    }
    let expected: u64 = (1..=12u64).map(|f| 20 + f).sum();
    let mut args = vec!["stats", "import"];
    args.extend(names[..7].iter().map(String::as_str));
    grove(&net, &args);
    // Again, all of them, as the folder they are in: only the five new
    // files count.
    let out = grove(&net, &["stats", "import", &file(&net, "cloudfront")]);
    assert_eq!(out.matches("): 0 new lines").count(), 7, "{out}");
    assert_eq!(out.matches(".gz (cloudfront): ").count(), 12, "{out}");
    assert_eq!(views_on(&net, "2026-11-27"), expected);
    // And in another order, by name: nothing.
    let mut all = vec!["stats", "import"];
    all.extend(names.iter().rev().map(String::as_str));
    let out = grove(&net, &all);
    assert_eq!(out.matches("): 0 new lines").count(), 12, "{out}");
    assert_eq!(views_on(&net, "2026-11-27"), expected);
}

#[test]
fn one_log_named_several_times_in_one_import_counts_once() {
    // Files of one import are counted together (several at once, and
    // committed in one transaction): a log given twice, and the same log
    // grown, must still count each line once.
    let net = network();
    let log = alpha_log();
    let lines: Vec<&str> = log.lines().collect();
    let head = lines[..10].join("\n") + "\n";
    net.write("first.log", &head);
    net.write("again.log", &head);
    net.write("grown.log", &log);
    let args = [
        "stats",
        "import",
        "--site",
        "alpha",
        &file(&net, "first.log"),
        &file(&net, "again.log"),
        &file(&net, "first.log"),
        &file(&net, "grown.log"),
        &file(&net, "again.log"),
    ];
    let out = grove(&net, &args);
    assert_eq!(out.matches("): 0 new lines").count(), 3, "{out}");
    assert!(
        out.contains("grown.log (combined): 8 new lines (10 counted before, skipped)"),
        "{out}"
    );
    assert_alpha_counts(&net);
    // And all of them again count nothing.
    let out = grove(&net, &args);
    assert_eq!(out.matches("): 0 new lines").count(), 5, "{out}");
    assert_alpha_counts(&net);
}

fn file_path(net: &Fixture, name: &str) -> String {
    net.path().join(name).to_string_lossy().into_owned()
}

#[test]
fn logs_of_servers_that_start_alike_each_count() {
    let net = network();
    // Both servers' logs start with the same health-check lines; the same
    // file name in two folders, or copied under another name.
    let check = combined(
        "10.0.0.1",
        "24/Nov/2026:00:00:00",
        "GET /health",
        200,
        "-",
        "ELB-HealthChecker/2.0",
    );
    let server = |n: u8| {
        let mut log = check.repeat(3);
        for i in 0..(5 + u32::from(n)) {
            log.push_str(&combined(
                &format!("1.{n}.0.{i}"),
                "24/Nov/2026:10:00:00",
                "GET /",
                200,
                "-",
                FIREFOX,
            ));
        }
        log
    };
    net.write("one/access.log", &server(1));
    net.write("two/access.log", &server(2));
    for _ in 0..2 {
        grove(
            &net,
            &[
                "stats",
                "import",
                "--site",
                "alpha",
                &file(&net, "one/access.log"),
                &file(&net, "two/access.log"),
            ],
        );
    }
    assert_eq!(views_on(&net, "2026-11-24"), 6 + 7);
    // The second server's log grows: its new lines count, and only them.
    let grown = server(2)
        + &combined(
            "9.9.9.9",
            "24/Nov/2026:11:00:00",
            "GET /",
            200,
            "-",
            FIREFOX,
        );
    net.write("two/access.log", &grown);
    let out = grove(
        &net,
        &[
            "stats",
            "import",
            "--site",
            "alpha",
            &file(&net, "two/access.log"),
        ],
    );
    assert!(
        out.contains("1 new line (10 counted before, skipped)"),
        "{out}"
    );
    assert_eq!(views_on(&net, "2026-11-24"), 6 + 8);
}

#[test]
fn a_wrong_format_is_refused_and_a_log_can_be_forgotten_and_imported_again() {
    let net = network();
    // A network that will hold only the second log, with the same salt
    // (made by an empty import), so visitors compare exactly.
    net.write("empty.log", "");
    grove(
        &net,
        &[
            "stats",
            "import",
            "--site",
            "alpha",
            &file(&net, "empty.log"),
        ],
    );
    let only_other = network();
    common::copy_dir(
        &net.path().join(".grove"),
        &only_other.path().join(".grove"),
    );
    net.write("access.log", &alpha_log());
    let wrong = net.grove(&[
        "stats",
        "import",
        "--site",
        "alpha",
        "--format",
        "cloudfront",
        &file(&net, "access.log"),
    ]);
    assert!(!wrong.status.success());
    let stdout = String::from_utf8_lossy(&wrong.stdout);
    assert!(
        stdout.contains("it looks like the combined format: import it with --format combined"),
        "{stdout}"
    );
    // Nothing was committed: the right format counts everything.
    grove(
        &net,
        &[
            "stats",
            "import",
            "--site",
            "alpha",
            &file(&net, "access.log"),
        ],
    );
    assert_alpha_counts(&net);

    // Another log, then the first forgotten: what is left is exactly what
    // the second alone counts (visitor sketches merged again).
    let other = combined(
        "7.7.7.7",
        "24/Nov/2026:12:00:00",
        "GET /guides/a/",
        200,
        "-",
        CHROME,
    ) + &combined(
        "1.1.1.1",
        "24/Nov/2026:12:00:01",
        "GET /",
        200,
        "https://www.google.com/",
        FIREFOX,
    );
    net.write("other.log", &other);
    grove(
        &net,
        &[
            "stats",
            "import",
            "--site",
            "alpha",
            &file(&net, "other.log"),
        ],
    );
    only_other.write("other.log", &other);
    grove(
        &only_other,
        &[
            "stats",
            "import",
            "--site",
            "alpha",
            &file(&only_other, "other.log"),
        ],
    );
    let dry = grove(
        &net,
        &["stats", "forget", "--dry-run", &file(&net, "access.log")],
    );
    assert!(dry.contains("would forget"), "{dry}");
    let out = grove(&net, &["stats", "forget", &file(&net, "access.log")]);
    assert!(out.contains("forgot"), "{out}");
    assert!(out.contains("18 lines"), "{out}");
    let (mine, theirs) = (
        report(&net, "2026-11-24", "2026-11-25"),
        report(&only_other, "2026-11-24", "2026-11-25"),
    );
    assert_eq!(site(&mine, "alpha"), site(&theirs, "alpha"));
    assert_eq!(site(&mine, "alpha")["views"], 2);
    assert_eq!(site(&mine, "alpha")["visitors"], 2);
    // Imported again, it counts again, once.
    grove(
        &net,
        &[
            "stats",
            "import",
            "--site",
            "alpha",
            &file(&net, "access.log"),
        ],
    );
    let again = report(&net, "2026-11-24", "2026-11-25");
    assert_eq!(site(&again, "alpha")["views"], 7);
    // Forgotten by the name it was imported as, when the file is gone.
    let gone = net.path().join("access.log");
    std::fs::rename(&gone, net.path().join("moved.log")).unwrap();
    let out = grove(&net, &["stats", "forget", gone.to_str().unwrap()]);
    assert!(out.contains("1 log forgotten"), "{out}");
    std::fs::rename(net.path().join("moved.log"), &gone).unwrap();
    grove(
        &net,
        &[
            "stats",
            "import",
            "--site",
            "alpha",
            &file(&net, "access.log"),
        ],
    );
    // A file never imported, and nothing named: errors.
    net.write(
        "never.log",
        &combined(
            "1.2.3.4",
            "24/Nov/2026:12:00:00",
            "GET /x/",
            200,
            "-",
            FIREFOX,
        ),
    );
    let never = net.grove(&["stats", "forget", &file(&net, "never.log")]);
    assert!(String::from_utf8_lossy(&never.stderr).contains("was never imported"));
    assert!(!net.grove(&["stats", "forget"]).status.success());
    // By site and period: every log that counted there.
    let out = grove(
        &net,
        &[
            "stats",
            "forget",
            "--site",
            "alpha",
            "--since",
            "2026-11-25",
            "--until",
            "2026-11-25",
        ],
    );
    assert!(out.contains("1 log forgotten"), "{out}");
    assert_eq!(views_on(&net, "2026-11-25"), 0);
}

#[test]
fn earnings_of_a_source_can_be_forgotten() {
    let net = network();
    let header = "Category,Name,ASIN,Seller,Tracking ID,Date Shipped,Price($),Items Shipped,Returns,Revenue($),Ad Fees($),Device Type Group\n";
    net.write("amazon.csv", &format!("{header}Home,G,B0BH3WMZ8X,Amazon.com,alpha-20,2026-11-05,$1,1,0,$1,$4.00,PHONE\nHome,G,B0BH3WMZ8X,Amazon.com,alpha-20,2026-11-15,$1,1,0,$1,$2.00,PHONE\n"));
    amazon_import(&net);
    let out = grove(
        &net,
        &["revenue", "forget", "amazon", "--since", "2026-11-10"],
    );
    assert!(
        out.contains("forgot 1 row of source `amazon`: 2.00 USD"),
        "{out}"
    );
    let left = report(&net, "2026-11-01", "2026-11-30");
    assert_eq!(site(&left, "alpha")["revenue"], 4.0);
    // The forgotten days are no longer covered: unknown, not zero.
    let coverage = &left["coverage"]["revenue"][0];
    assert_eq!(coverage["first"], "2026-11-05");
    assert_eq!(coverage["last"], "2026-11-09");
    grove(&net, &["revenue", "forget", "amazon"]);
    let none = report(&net, "2026-11-01", "2026-11-30");
    assert_eq!(site(&none, "alpha")["revenue"], Value::Null);
    assert_eq!(none["coverage"]["revenue"], serde_json::json!([]));
}

#[test]
fn a_database_of_the_first_schema_is_carried_over() {
    let net = network();
    net.write("access.log", &alpha_log());
    // Schema 1, as Grove wrote it, holding this log's checkpoint.
    std::fs::create_dir_all(net.path().join(".grove")).unwrap();
    let db = rusqlite::Connection::open(net.path().join(".grove/stats.db")).unwrap();
    db.execute_batch(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
         INSERT INTO meta VALUES ('schema_version', '1'), ('salt', '00000000000000aa');
         CREATE TABLE site_days (site TEXT NOT NULL, day INTEGER NOT NULL, views INTEGER NOT NULL DEFAULT 0, visitors INTEGER NOT NULL DEFAULT 0, clicks INTEGER NOT NULL DEFAULT 0, not_found INTEGER NOT NULL DEFAULT 0, crawler_hits INTEGER NOT NULL DEFAULT 0, sketch BLOB, PRIMARY KEY (site, day)) WITHOUT ROWID;
         INSERT INTO site_days (site, day, views) VALUES ('alpha', 20781, 5);
         CREATE TABLE series (site TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, year INTEGER NOT NULL, days BLOB NOT NULL, total INTEGER NOT NULL, PRIMARY KEY (site, kind, key, year)) WITHOUT ROWID;
         CREATE TABLE unknown_hosts (host TEXT NOT NULL, day INTEGER NOT NULL, hits INTEGER NOT NULL, PRIMARY KEY (host, day)) WITHOUT ROWID;
         CREATE TABLE checkpoints (fingerprint TEXT PRIMARY KEY, name TEXT NOT NULL, offset INTEGER NOT NULL, lines INTEGER NOT NULL, imported_at TEXT NOT NULL) WITHOUT ROWID;
         CREATE TABLE revenue (source TEXT NOT NULL, day INTEGER NOT NULL, site TEXT, program TEXT NOT NULL, item TEXT NOT NULL, slug TEXT, currency TEXT NOT NULL, amount REAL NOT NULL, items INTEGER NOT NULL);
         CREATE TABLE revenue_imports (source TEXT NOT NULL, first_day INTEGER NOT NULL, last_day INTEGER NOT NULL, file TEXT NOT NULL, rows INTEGER NOT NULL, imported_at TEXT NOT NULL);",
    )
    .unwrap();
    let log = alpha_log();
    let first_line = log.lines().next().unwrap();
    let fingerprint: String = sha2_hex(first_line.as_bytes());
    db.execute(
        "INSERT INTO checkpoints VALUES (?1, 'access.log', ?2, 18, '2026-11-26 00:00:00')",
        rusqlite::params![fingerprint, log.len() as i64],
    )
    .unwrap();
    drop(db);
    // The same log again: known by its first line, nothing new.
    let out = grove(
        &net,
        &[
            "stats",
            "import",
            "--site",
            "alpha",
            &file(&net, "access.log"),
        ],
    );
    assert!(
        out.contains("0 new lines (18 counted before, skipped)"),
        "{out}"
    );
    assert_eq!(views_on(&net, "2026-11-24"), 5);
    // Its counts were added before imports were kept: it cannot be forgotten.
    let refused = net.grove(&["stats", "forget", &file(&net, "access.log")]);
    assert!(
        String::from_utf8_lossy(&refused.stderr)
            .contains("counted before Grove kept what each import added")
    );
}

/// The first 16 bytes of SHA-256, in hex: the fingerprint of schema 1.
fn sha2_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn a_click_is_a_click_however_the_server_redirects_it() {
    let net = network();
    let mut log = String::new();
    let at = |seconds: u32| format!("24/Nov/2026:10:{:02}:{:02}", seconds / 60, seconds % 60);
    let referrer = "https://alpha.example.com/guides/a/";
    let mut requests = 0;
    for v in 0..40u32 {
        let ip = format!("10.0.0.{v}");
        let start = v; // one second apart
        // nginx answers /go/slug with a 301 to /go/slug/.
        log.push_str(&combined(
            &ip,
            &at(start),
            "GET /go/grinder",
            301,
            referrer,
            FIREFOX,
        ));
        log.push_str(&combined(
            &ip,
            &at(start),
            "GET /go/grinder/",
            302,
            referrer,
            FIREFOX,
        ));
        requests += 2;
        if v < 10 {
            // A double click, two seconds later.
            log.push_str(&combined(
                &ip,
                &at(start + 2),
                "GET /go/grinder/",
                302,
                referrer,
                FIREFOX,
            ));
            requests += 1;
        }
        if v < 5 {
            // Back two minutes later: a click of its own.
            log.push_str(&combined(
                &ip,
                &at(start + 120),
                "GET /go/grinder/",
                302,
                referrer,
                FIREFOX,
            ));
            requests += 1;
        }
    }
    assert_eq!(requests, 95);
    net.write("clicks.log", &log);
    let out = grove(
        &net,
        &[
            "stats",
            "import",
            "--site",
            "alpha",
            &file(&net, "clicks.log"),
        ],
    );
    assert!(out.contains("45 clicks"), "{out}");
    let day = report(&net, "2026-11-24", "2026-11-24");
    let alpha = site(&day, "alpha");
    assert_eq!(alpha["clicks"], 45);
    assert_eq!(pages(alpha), [("/guides/a/".to_string(), 0, 45)]);
}

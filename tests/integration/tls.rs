//! TLS against real certificates made for the test by OpenSSL: a CA the
//! client trusts (`SSL_CERT_FILE`, as the system's store) and a server
//! certificate for 127.0.0.1 that expires in five days. `grove watch`
//! reads its expiry from the handshake and raises an alert; alerts are
//! emailed over SMTP with TLS from the start (`smtps://`).

use crate::common::smtp;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use crate::common::Fixture;
use serde_json::Value;

struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl");
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A CA, and a certificate for 127.0.0.1 signed by it, valid `days`.
fn pki(days: u32) -> Pki {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "30",
            "-subj",
            "/CN=Grove Test CA",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
    );
    std::fs::write(d.join("ext.cnf"), "subjectAltName = IP:127.0.0.1\nbasicConstraints = CA:FALSE\nkeyUsage = digitalSignature\nextendedKeyUsage = serverAuth\n").unwrap();
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            &days.to_string(),
            "-extfile",
            "ext.cnf",
        ],
    );
    openssl(
        d,
        &[
            "x509",
            "-in",
            "server.pem",
            "-outform",
            "DER",
            "-out",
            "server.der",
        ],
    );
    openssl(
        d,
        &[
            "pkcs8",
            "-topk8",
            "-nocrypt",
            "-in",
            "server.key",
            "-outform",
            "DER",
            "-out",
            "server.key.der",
        ],
    );
    Pki { dir }
}

fn server_config(pki: &Pki) -> Arc<rustls::ServerConfig> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cert = rustls::pki_types::CertificateDer::from(
        std::fs::read(pki.dir.path().join("server.der")).unwrap(),
    );
    let key = rustls::pki_types::PrivateKeyDer::try_from(
        std::fs::read(pki.dir.path().join("server.key.der")).unwrap(),
    )
    .unwrap();
    Arc::new(
        rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)
            .unwrap(),
    )
}

/// Serves the files below `root` over HTTPS; returns the port.
fn https(pki: &Pki, root: PathBuf) -> u16 {
    let config = server_config(pki);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let (config, root) = (Arc::clone(&config), root.clone());
            std::thread::spawn(move || {
                let connection = rustls::ServerConnection::new(config).unwrap();
                let mut tls = BufReader::new(rustls::StreamOwned::new(connection, stream));
                let mut request = String::new();
                if tls.read_line(&mut request).unwrap_or(0) == 0 {
                    return;
                }
                loop {
                    let mut line = String::new();
                    if tls.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                }
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
                let mut file = root.join(path.trim_start_matches('/'));
                if path.ends_with('/') {
                    file = file.join("index.html");
                }
                let (status, body) = match std::fs::read(&file) {
                    Ok(bytes) => ("200 OK", bytes),
                    Err(_) => ("404 Not Found", b"not found".to_vec()),
                };
                let out = tls.get_mut();
                let _ = write!(
                    out,
                    "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = out.write_all(&body);
                let _ = out.flush();
                out.conn.send_close_notify();
                let _ = out.flush();
            });
        }
    });
    port
}

/// An SMTP server with TLS from the start; returns the port.
fn smtps(pki: &Pki, mails: Arc<Mutex<Vec<smtp::Mail>>>) -> u16 {
    let config = server_config(pki);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let connection = rustls::ServerConnection::new(Arc::clone(&config)).unwrap();
            let tls = rustls::StreamOwned::new(connection, stream);
            smtp::session(tls, &("user".to_string(), "secret".to_string()), &mails);
        }
    });
    port
}

#[test]
fn a_certificate_about_to_expire_is_an_alert_and_alerts_go_by_smtps() {
    let pki = pki(5);
    let net = Fixture::new();
    net.write(
        "sites/alpha/site.toml",
        "title = \"Alpha\"\nbase_url = \"https://127.0.0.1:PORT\"\nniche = \"n\"\n",
    );
    // The port is known once the server runs; it serves the build.
    let port = https(&pki, net.path().join("public/alpha"));
    let site = net
        .read("sites/alpha/site.toml")
        .replace("PORT", &port.to_string());
    net.write("sites/alpha/site.toml", &site);
    let mails = Arc::new(Mutex::new(Vec::new()));
    let smtp_port = smtps(&pki, Arc::clone(&mails));
    let config = net.read("grove.toml");
    net.write(
        "grove.toml",
        &format!("{config}\n[watch]\nhost_interval_secs = 0\nemail_to = [\"me@example.com\"]\n"),
    );
    assert!(net.build(&[]).status.success());
    let smtp_url = format!("smtps://user:secret@127.0.0.1:{smtp_port}");
    let ca = pki.ca();
    let env = [
        ("SSL_CERT_FILE", ca.to_str().unwrap()),
        ("GROVE_SMTP_URL", smtp_url.as_str()),
    ];
    let output = net.grove_env(&["watch", "--json", "--skip-affiliates"], &env);
    let run: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    assert!(!output.status.success(), "a new alert: {run}");
    let alerts = run["alerts"].as_array().unwrap();
    assert_eq!(
        alerts.len(),
        1,
        "the site answers over TLS, only the certificate is wrong: {run}"
    );
    assert_eq!(alerts[0]["kind"], "certificate");
    let message = alerts[0]["message"].as_str().unwrap();
    assert!(
        message.contains("(4 days)") || message.contains("(5 days)"),
        "{message}"
    );
    let mails = mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 1, "sent over smtps");
    assert_eq!(mails[0].login, Some(("user".into(), "secret".into())));

    // Not trusted (no SSL_CERT_FILE): the site does not answer at all.
    let output = net.grove_env(
        &["watch", "--json", "--skip-affiliates", "--no-notify"],
        &[],
    );
    let run: Value = serde_json::from_slice(&output.stdout).unwrap();
    let down = run["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "site_down")
        .expect("site_down");
    assert!(
        down["message"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("certificate"),
        "{down}"
    );
}

//! Running `grove serve` in tests, and talking to it over raw HTTP.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use super::Fixture;

/// A running `grove serve`, stopped on drop.
pub struct Serve {
    child: Child,
    /// (site, port) as printed by `grove serve`.
    pub ports: Vec<(String, u16)>,
    /// The port serving the dashboard at `/_grove/`.
    pub dashboard_port: u16,
    /// The preview build folder.
    pub out: PathBuf,
    /// Lines `grove serve` prints after starting ("rebuilt ...", "updated ...").
    pub log: Receiver<String>,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Serve {
    /// Starts `grove serve --port 0 --output <root>/preview args...`.
    pub fn start(net: &Fixture, args: &[&str]) -> Serve {
        let out = net.path().join("preview");
        let mut child = Command::new(env!("CARGO_BIN_EXE_grove"))
            .arg("--root")
            .arg(net.path())
            .args(["serve", "--port", "0", "--output"])
            .arg(&out)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut ports = Vec::new();
        let mut dashboard_port = 0;
        for line in lines.by_ref() {
            let line = line.unwrap();
            if line.starts_with("Building into") {
                break;
            }
            let words: Vec<&str> = line.split_whitespace().collect();
            if let [site, url] = words[..]
                && let Some(port) = url
                    .strip_prefix("http://127.0.0.1:")
                    .and_then(|p| p.split('/').next()?.parse().ok())
            {
                if site == "(dashboard)" {
                    dashboard_port = port;
                } else {
                    ports.push((site.to_string(), port));
                }
            }
        }
        // Keep draining stdout so the server never blocks on a full pipe.
        let (sender, log) = channel();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                let _ = sender.send(line);
            }
        });
        Serve {
            child,
            ports,
            dashboard_port,
            out,
            log,
        }
    }

    /// The next "rebuilt ..." or "updated ..." line, waiting up to 10 s.
    pub fn next_build(&self) -> String {
        loop {
            let line = self
                .log
                .recv_timeout(Duration::from_secs(10))
                .expect("no build report within 10 s");
            if line.starts_with("rebuilt") || line.starts_with("updated") {
                return line;
            }
        }
    }

    /// Drops what was printed so far.
    pub fn clear_log(&self) {
        while self.log.try_recv().is_ok() {}
    }

    /// The port of `site`.
    pub fn port(&self, site: &str) -> u16 {
        self.ports.iter().find(|(s, _)| s == site).unwrap().1
    }
}

/// A raw HTTP/1.1 GET: (status, headers lowercased, body).
pub fn get(port: u16, path: &str) -> (u16, String, String) {
    get_as(port, path, &format!("127.0.0.1:{port}"))
}

/// [`get`] with `host` as the `Host` header.
pub fn get_as(port: u16, path: &str, host: &str) -> (u16, String, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let text = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, head.to_lowercase(), body.to_string())
}

/// Event names from the server's event stream, as they arrive.
pub fn events(port: u16) -> Receiver<String> {
    events_at(port, "/__grove/events")
}

/// Event names from the event stream at `path`, as they arrive.
pub fn events_at(port: u16, path: &str) -> Receiver<String> {
    let (sender, receiver) = channel();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost:{port}\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    std::thread::spawn(move || {
        let mut event = String::new();
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { return };
            if let Some(name) = line.strip_prefix("event: ") {
                event = name.to_string();
            } else if let Some(data) = line.strip_prefix("data: ")
                && !event.is_empty()
            {
                if sender.send(format!("{event} {data}")).is_err() {
                    return;
                }
                event.clear();
            }
        }
    });
    receiver
}

/// The next event, waiting up to 10 s.
pub fn next_event(events: &Receiver<String>) -> String {
    events
        .recv_timeout(Duration::from_secs(10))
        .expect("no live-reload event within 10 s")
}

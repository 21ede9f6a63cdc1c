//! A web server on 127.0.0.1 for `grove watch` and `grove deploy`'s
//! tests: the files below a folder (a deployed site), a shop whose
//! products are fine, gone, stripped of their tag or discontinued, a
//! webhook and an IndexNow endpoint that record what they are sent.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

/// Serves the files below `root` and a shop under `/shop/`; records
/// webhook posts; answers 403 to Googlebot when told to.
pub struct Web {
    pub base: String,
    pub block_googlebot: Arc<AtomicBool>,
    pub hooks: Arc<Mutex<Vec<String>>>,
    pub indexnow: Arc<Mutex<Vec<String>>>,
    pub indexnow_status: Arc<AtomicU16>,
}

pub fn web(root: PathBuf) -> Web {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let block_googlebot = Arc::new(AtomicBool::new(false));
    let hooks = Arc::new(Mutex::new(Vec::new()));
    let indexnow = Arc::new(Mutex::new(Vec::new()));
    let indexnow_status = Arc::new(AtomicU16::new(200));
    let (block, posts) = (Arc::clone(&block_googlebot), Arc::clone(&hooks));
    let (pings, ping_status) = (Arc::clone(&indexnow), Arc::clone(&indexnow_status));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let (root, block, posts) = (root.clone(), Arc::clone(&block), Arc::clone(&posts));
            let (pings, ping_status) = (Arc::clone(&pings), Arc::clone(&ping_status));
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request = String::new();
                reader.read_line(&mut request).unwrap_or_default();
                let (mut agent, mut length) = (String::new(), 0usize);
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    let lower = line.to_lowercase();
                    if let Some(value) = lower.strip_prefix("user-agent:") {
                        agent = value.trim().to_string();
                    }
                    if let Some(value) = lower.strip_prefix("content-length:") {
                        length = value.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap_or_default();
                let mut parts = request.split_whitespace();
                let method = parts.next().unwrap_or_default().to_string();
                let path = parts.next().unwrap_or_default().to_string();
                let route = path.split('?').next().unwrap_or_default();
                let (status, extra, content): (&str, String, Vec<u8>) =
                    match (method.as_str(), route) {
                        ("POST", "/hook") => {
                            posts
                                .lock()
                                .unwrap()
                                .push(String::from_utf8_lossy(&body).into_owned());
                            ("200 OK", String::new(), b"ok".to_vec())
                        }
                        ("POST", "/indexnow") => {
                            pings
                                .lock()
                                .unwrap()
                                .push(String::from_utf8_lossy(&body).into_owned());
                            match ping_status.load(Ordering::SeqCst) {
                                200 => ("200 OK", String::new(), Vec::new()),
                                403 => ("403 Forbidden", String::new(), Vec::new()),
                                _ => ("429 Too Many Requests", String::new(), Vec::new()),
                            }
                        }
                        (_, "/shop/ok") => ("200 OK", String::new(), b"Add to cart".to_vec()),
                        (_, "/shop/gone") => ("404 Not Found", String::new(), Vec::new()),
                        (_, "/shop/strip") => (
                            "301 Moved Permanently",
                            "location: /shop/landing\r\n".into(),
                            Vec::new(),
                        ),
                        (_, "/shop/landing") => ("200 OK", String::new(), b"Add to cart".to_vec()),
                        (_, "/shop/discontinued") => (
                            "302 Found",
                            "location: /search?q=grinder\r\n".into(),
                            Vec::new(),
                        ),
                        (_, "/search") => ("200 OK", String::new(), b"Results".to_vec()),
                        _ if agent.contains("googlebot") && block.load(Ordering::SeqCst) => {
                            ("403 Forbidden", String::new(), Vec::new())
                        }
                        _ => {
                            let mut file = root.join(route.trim_start_matches('/'));
                            if route.ends_with('/') {
                                file = file.join("index.html");
                            }
                            match std::fs::read(&file) {
                                Ok(bytes) => ("200 OK", String::new(), bytes),
                                Err(_) => ("404 Not Found", String::new(), b"not found".to_vec()),
                            }
                        }
                    };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\n{extra}content-length: {}\r\nconnection: close\r\n\r\n",
                    content.len()
                );
                let _ = stream.write_all(&content);
            });
        }
    });
    Web {
        base,
        block_googlebot,
        hooks,
        indexnow,
        indexnow_status,
    }
}

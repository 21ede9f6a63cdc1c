//! An SMTP server on 127.0.0.1 that speaks enough of RFC 5321 to take
//! mail (EHLO, AUTH PLAIN, MAIL, RCPT, DATA, QUIT) and records each
//! message: the login it saw, the envelope and the data.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// One message taken.
#[derive(Debug, Clone, Default)]
pub struct Mail {
    /// The decoded `AUTH PLAIN` login: (user, password).
    pub login: Option<(String, String)>,
    /// `MAIL FROM`.
    pub from: String,
    /// `RCPT TO`s.
    pub to: Vec<String>,
    /// The data, dot-stuffing undone.
    pub data: String,
}

/// The server.
pub struct Smtp {
    /// Its port.
    pub port: u16,
    /// Messages taken.
    pub mails: Arc<Mutex<Vec<Mail>>>,
}

/// Starts a server that takes the login `user`/`password`.
pub fn start(user: &str, password: &str) -> Smtp {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mails = Arc::new(Mutex::new(Vec::new()));
    let taken = Arc::clone(&mails);
    let expected = (user.to_string(), password.to_string());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            session(stream, &expected, &taken);
        }
    });
    Smtp { port, mails }
}

/// One SMTP session on `stream` (plain, or TLS from the start).
pub fn session<S: Read + Write>(stream: S, expected: &(String, String), taken: &Mutex<Vec<Mail>>) {
    use base64::Engine;
    let mut reader = BufReader::new(stream);
    let mut mail = Mail::default();
    let _ = write!(reader.get_mut(), "220 test.local ESMTP ready\r\n");
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        let command = line.trim_end().to_string();
        let upper = command.to_ascii_uppercase();
        let reply = if upper.starts_with("EHLO") {
            "250-test.local\r\n250-8BITMIME\r\n250 AUTH PLAIN".to_string()
        } else if let Some(token) = command.strip_prefix("AUTH PLAIN ") {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(token)
                .unwrap_or_default();
            let parts: Vec<String> = String::from_utf8_lossy(&decoded)
                .split('\0')
                .map(str::to_string)
                .collect();
            if parts.len() == 3 && (parts[1].clone(), parts[2].clone()) == *expected {
                mail.login = Some((parts[1].clone(), parts[2].clone()));
                "235 2.7.0 Authentication successful".into()
            } else {
                "535 5.7.8 Authentication credentials invalid".into()
            }
        } else if upper.starts_with("MAIL FROM:") {
            mail.from = command[10..].trim_matches(['<', '>']).to_string();
            "250 2.1.0 Ok".into()
        } else if upper.starts_with("RCPT TO:") {
            mail.to
                .push(command[8..].trim_matches(['<', '>']).to_string());
            "250 2.1.5 Ok".into()
        } else if upper == "DATA" {
            let _ = write!(reader.get_mut(), "354 End data with <CR><LF>.<CR><LF>\r\n");
            let mut data = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == ".\r\n" {
                    break;
                }
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            mail.data = data;
            taken.lock().unwrap().push(std::mem::take(&mut mail));
            "250 2.0.0 Ok: queued".into()
        } else if upper == "QUIT" {
            let _ = write!(reader.get_mut(), "221 2.0.0 Bye\r\n");
            let _ = reader.get_mut().flush();
            break;
        } else {
            "502 5.5.2 Command not recognized".into()
        };
        let _ = write!(reader.get_mut(), "{reply}\r\n");
        let _ = reader.get_mut().flush();
    }
}

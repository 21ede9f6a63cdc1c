//! Sending new alerts by email over SMTP (RFC 5321): the server's address
//! and login in one URL from the environment (`smtp://user:pass@host:587`
//! upgraded with STARTTLS, `smtps://user:pass@host:465` encrypted from
//! the start), `AUTH PLAIN` over TLS only, a plain-text UTF-8 message in
//! base64. Unencrypted sessions are allowed to this machine only (a local
//! relay such as Postfix on 127.0.0.1).

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::error::{Error, Result};

/// Longest wait for the server.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Where and how to send.
#[derive(Clone, PartialEq, Eq)]
pub struct Server {
    /// Host name.
    pub host: String,
    /// Port.
    pub port: u16,
    /// TLS from the start (`smtps://`).
    pub implicit_tls: bool,
    /// User and password, when the server wants a login.
    pub login: Option<(String, String)>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("implicit_tls", &self.implicit_tls)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Parses `smtp://[user:password@]host[:port]` (587 by default) or
    /// `smtps://...` (465); user and password percent-decoded.
    pub fn parse(url: &str) -> std::result::Result<Server, String> {
        let (implicit_tls, rest) = if let Some(rest) = url.strip_prefix("smtps://") {
            (true, rest)
        } else if let Some(rest) = url.strip_prefix("smtp://") {
            (false, rest)
        } else {
            return Err("the SMTP address starts with smtp:// (STARTTLS) or smtps:// (TLS)".into());
        };
        let rest = rest.trim_end_matches('/');
        let (login, address) = match rest.rsplit_once('@') {
            Some((login, address)) => {
                let (user, password) = login.split_once(':').unwrap_or((login, ""));
                let decode =
                    |s: &str| crate::html_scan::percent_decode(s).unwrap_or_else(|| s.to_string());
                (Some((decode(user), decode(password))), address)
            }
            None => (None, rest),
        };
        let (host, port) = match address.rsplit_once(':') {
            Some((host, port)) => (
                host.to_string(),
                port.parse()
                    .map_err(|_| format!("`{port}` is not a port"))?,
            ),
            None => (address.to_string(), if implicit_tls { 465 } else { 587 }),
        };
        if host.is_empty() {
            return Err("the SMTP address names no host".into());
        }
        Ok(Server {
            host,
            port,
            implicit_tls,
            login,
        })
    }

    fn is_local(&self) -> bool {
        matches!(
            self.host.as_str(),
            "127.0.0.1" | "::1" | "[::1]" | "localhost"
        )
    }
}

/// An email.
pub struct Message<'a> {
    /// The sender.
    pub from: &'a str,
    /// The recipients.
    pub to: &'a [String],
    /// The subject (any text; encoded when not ASCII).
    pub subject: &'a str,
    /// The body, plain text.
    pub body: &'a str,
}

/// The message as sent: headers and a base64 body, CRLF lines.
pub fn format_message(message: &Message<'_>, date: &str, id: &str) -> String {
    let subject = if message.subject.is_ascii() {
        message.subject.to_string()
    } else {
        format!("=?UTF-8?B?{}?=", STANDARD.encode(message.subject))
    };
    let mut text = format!(
        "From: {}\r\nTo: {}\r\nSubject: {subject}\r\nDate: {date}\r\nMessage-ID: <{id}>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n",
        message.from,
        message.to.join(", ")
    );
    let encoded = STANDARD.encode(message.body.replace('\n', "\r\n"));
    for line in encoded.as_bytes().chunks(76) {
        text.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        text.push_str("\r\n");
    }
    text
}

/// Sends `message` through `server`.
pub async fn send(server: &Server, message: &Message<'_>) -> Result<()> {
    let fail = |what: String| {
        Error::Usage(format!(
            "email through {}:{}: {what}",
            server.host, server.port
        ))
    };
    let tcp = tokio::time::timeout(
        TIMEOUT,
        TcpStream::connect((server.host.as_str(), server.port)),
    )
    .await
    .map_err(|_| fail("no answer in time".into()))?
    .map_err(|e| fail(format!("cannot connect: {e}")))?;
    if server.implicit_tls {
        let tls = upgrade(tcp, &server.host).await.map_err(fail)?;
        return Session::new(tls)
            .run(server, message, true)
            .await
            .map_err(fail);
    }
    let mut session = Session::new(tcp);
    let extensions = session.greet().await.map_err(fail)?;
    if extensions
        .iter()
        .any(|e| e.eq_ignore_ascii_case("STARTTLS"))
    {
        session.command("STARTTLS", 220).await.map_err(fail)?;
        let tcp = session.stream.into_inner();
        let tls = upgrade(tcp, &server.host).await.map_err(fail)?;
        // No greeting after STARTTLS: EHLO again at once.
        return Session::new(tls)
            .run(server, message, false)
            .await
            .map_err(fail);
    }
    if !server.is_local() {
        return Err(fail(
            "the server offers no STARTTLS; Grove sends mail unencrypted only to this machine: use smtps:// or a server with STARTTLS".into(),
        ));
    }
    session
        .deliver(server, message, extensions)
        .await
        .map_err(fail)
}

async fn upgrade(
    tcp: TcpStream,
    host: &str,
) -> std::result::Result<tokio_rustls::client::TlsStream<TcpStream>, String> {
    use rustls_platform_verifier::ConfigVerifierExt;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = rustls::ClientConfig::with_platform_verifier().map_err(|e| format!("TLS: {e}"))?;
    let name = rustls::pki_types::ServerName::try_from(host.to_string())
        .map_err(|e| format!("TLS: {e}"))?;
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(|e| format!("TLS: {e}"))
}

/// One SMTP conversation.
struct Session<S> {
    stream: BufReader<S>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Session<S> {
    fn new(stream: S) -> Self {
        Session {
            stream: BufReader::new(stream),
        }
    }

    /// Reads a reply: its code and lines.
    async fn reply(&mut self) -> std::result::Result<(u16, Vec<String>), String> {
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            let read = tokio::time::timeout(TIMEOUT, self.stream.read_line(&mut line))
                .await
                .map_err(|_| "no answer in time".to_string())?
                .map_err(|e| e.to_string())?;
            if read == 0 {
                return Err("the server closed the connection".into());
            }
            let line = line.trim_end().to_string();
            let code: u16 = line
                .get(..3)
                .and_then(|c| c.parse().ok())
                .ok_or_else(|| format!("not an SMTP reply: {line}"))?;
            let last = line.as_bytes().get(3) != Some(&b'-');
            lines.push(line.get(4..).unwrap_or_default().to_string());
            if last {
                return Ok((code, lines));
            }
        }
    }

    async fn send_line(&mut self, line: &str) -> std::result::Result<(), String> {
        let stream = self.stream.get_mut();
        stream
            .write_all(line.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        stream.write_all(b"\r\n").await.map_err(|e| e.to_string())?;
        stream.flush().await.map_err(|e| e.to_string())
    }

    /// Sends `line`; the reply must be `expected`.
    async fn command(
        &mut self,
        line: &str,
        expected: u16,
    ) -> std::result::Result<Vec<String>, String> {
        self.send_line(line).await?;
        let (code, lines) = self.reply().await?;
        if code != expected {
            let shown = if line.starts_with("AUTH") {
                "AUTH PLAIN"
            } else {
                line
            };
            return Err(format!("`{shown}` answered {code} {}", lines.join(" ")));
        }
        Ok(lines)
    }

    /// Reads the greeting and says EHLO; returns the extensions.
    async fn greet(&mut self) -> std::result::Result<Vec<String>, String> {
        let (code, lines) = self.reply().await?;
        if code != 220 {
            return Err(format!("the server greets with {code} {}", lines.join(" ")));
        }
        self.ehlo().await
    }

    async fn ehlo(&mut self) -> std::result::Result<Vec<String>, String> {
        let lines = self.command("EHLO grove", 250).await?;
        Ok(lines
            .into_iter()
            .skip(1)
            .map(|l| l.split_whitespace().next().unwrap_or_default().to_string())
            .collect())
    }

    /// Over TLS: greeting (for implicit TLS), EHLO, login, message.
    async fn run(
        mut self,
        server: &Server,
        message: &Message<'_>,
        greeting: bool,
    ) -> std::result::Result<(), String> {
        let extensions = if greeting {
            self.greet().await?
        } else {
            self.ehlo().await?
        };
        self.deliver(server, message, extensions).await
    }

    async fn deliver(
        &mut self,
        server: &Server,
        message: &Message<'_>,
        _extensions: Vec<String>,
    ) -> std::result::Result<(), String> {
        if let Some((user, password)) = &server.login {
            let token = STANDARD.encode(format!("\0{user}\0{password}"));
            self.command(&format!("AUTH PLAIN {token}"), 235).await?;
        }
        self.command(&format!("MAIL FROM:<{}>", message.from), 250)
            .await?;
        for to in message.to {
            self.send_line(&format!("RCPT TO:<{to}>")).await?;
            let (code, lines) = self.reply().await?;
            if code != 250 && code != 251 {
                return Err(format!(
                    "the server refuses {to}: {code} {}",
                    lines.join(" ")
                ));
            }
        }
        self.command("DATA", 354).await?;
        let date = chrono::Utc::now().to_rfc2822();
        let id = format!(
            "{}.grove@{}",
            chrono::Utc::now().timestamp_micros(),
            server.host
        );
        let text = format_message(message, &date, &id);
        // Dot-stuffing (RFC 5321 §4.5.2); base64 lines never start with
        // a dot, headers might.
        let stuffed: String = text
            .split_inclusive("\r\n")
            .map(|line| {
                if line.starts_with('.') {
                    format!(".{line}")
                } else {
                    line.to_string()
                }
            })
            .collect();
        self.stream
            .get_mut()
            .write_all(stuffed.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        self.command(".", 250).await?;
        let _ = self.command("QUIT", 221).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_urls() {
        let server = Server::parse("smtp://me%40example.com:p%40ss@mail.example.com").unwrap();
        assert_eq!(server.host, "mail.example.com");
        assert_eq!(server.port, 587);
        assert!(!server.implicit_tls);
        assert_eq!(server.login, Some(("me@example.com".into(), "p@ss".into())));
        let tls = Server::parse("smtps://mail.example.com:2465").unwrap();
        assert_eq!((tls.port, tls.implicit_tls, tls.login), (2465, true, None));
        assert_eq!(Server::parse("smtps://mail.example.com").unwrap().port, 465);
        assert!(Server::parse("mail.example.com").is_err());
        assert!(Server::parse("smtp://").is_err());
        assert!(
            !format!("{server:?}").contains("p@ss"),
            "the password is never printed"
        );
    }

    #[test]
    fn messages_are_base64_with_encoded_subjects() {
        let to = vec!["a@example.com".to_string()];
        let message = Message {
            from: "grove@example.com",
            to: &to,
            subject: "Café alerts",
            body: "line one\nline two",
        };
        let text = format_message(&message, "Fri, 04 Dec 2026 10:00:00 +0000", "1@x");
        assert!(
            text.contains("Subject: =?UTF-8?B?Q2Fmw6kgYWxlcnRz?=\r\n"),
            "{text}"
        );
        let body = text.split("\r\n\r\n").nth(1).unwrap().replace("\r\n", "");
        assert_eq!(STANDARD.decode(body).unwrap(), b"line one\r\nline two");
        assert!(text.lines().all(|l| l.len() <= 998));
    }
}

//! Deploying to a folder on another machine over SSH, with the system's
//! `ssh` and `rsync`. The site's folder there becomes a symbolic link to
//! a release folder beside it (`<folder>.releases/<stamp>`), turned to
//! each new release in one rename, so visitors never see half a deploy:
//!
//! 1. the new release starts as a hard-linked copy of the live one (`cp
//!    -al`: no bytes copied, files Grove did not deploy kept);
//! 2. `rsync --files-from` sends only the files the plan uploads (rsync
//!    writes each to a temporary name and renames it, so the live
//!    release's files are never changed in place);
//! 3. the plan's deletions are removed from the new release;
//! 4. the link is turned (`ln -sfn` to a temporary name, `mv -T` over the
//!    folder); the first deploy moves a real folder aside first;
//! 5. releases older than the previous one are removed.
//!
//! The remote side needs a POSIX shell and GNU coreutils (any Linux).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::error::{Error, Result};

/// A folder on another machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    /// `user@host` or `host`.
    pub destination: String,
    /// The SSH port, when not 22.
    pub port: Option<u16>,
    /// The site's folder there (absolute).
    pub path: String,
    /// More arguments for `ssh` (`-i key`, `-o ...`).
    pub ssh_args: Vec<String>,
}

impl Remote {
    /// Parses `ssh://[user@]host[:port]/absolute/path`.
    pub fn parse(url: &str, ssh_args: &[String]) -> std::result::Result<Remote, String> {
        let rest = url.strip_prefix("ssh://").ok_or("not an ssh:// URL")?;
        let (authority, path) = rest
            .split_once('/')
            .ok_or_else(|| format!("`{url}` names no folder: ssh://user@host/srv/www/site"))?;
        let path = format!("/{}", path.trim_end_matches('/'));
        if path == "/" || path.contains("/../") || path.ends_with("/..") {
            return Err(format!(
                "`{url}`: deploy to a folder of its own, not `{path}`"
            ));
        }
        let (destination, port) = match authority.rsplit_once(':') {
            Some((host, port)) => (
                host.to_string(),
                Some(
                    port.parse()
                        .map_err(|_| format!("`{url}`: `{port}` is not a port"))?,
                ),
            ),
            None => (authority.to_string(), None),
        };
        if destination.is_empty() || destination.starts_with('-') {
            return Err(format!("`{url}` names no host"));
        }
        Ok(Remote {
            destination,
            port,
            path,
            ssh_args: ssh_args.to_vec(),
        })
    }

    /// The `ssh` command line (program and arguments before the host).
    fn ssh_command(&self) -> Vec<String> {
        let mut command = vec!["ssh".to_string(), "-o".into(), "BatchMode=yes".into()];
        if let Some(port) = self.port {
            command.extend(["-p".to_string(), port.to_string()]);
        }
        command.extend(self.ssh_args.iter().cloned());
        command
    }

    /// Runs `script` with `sh` on the remote machine, `input` on its
    /// standard input; returns its standard output.
    fn run(&self, script: &str, input: &[u8], what: &str) -> Result<String> {
        let command = self.ssh_command();
        let mut child = Command::new(&command[0])
            .args(&command[1..])
            .arg(&self.destination)
            .arg(format!("sh -c {}", quote(script)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| missing_tool("ssh", &e))?;
        child
            .stdin
            .take()
            .expect("piped")
            .write_all(input)
            .map_err(|e| Error::Usage(format!("ssh {}: {e}", self.destination)))?;
        let output = child
            .wait_with_output()
            .map_err(|e| Error::Usage(format!("ssh {}: {e}", self.destination)))?;
        if !output.status.success() {
            return Err(Error::Usage(format!(
                "{what} on {} failed: {}",
                self.destination,
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// Deploys: `uploads` from `built`, `deletions` removed, the new
    /// release turned live. Returns the release's folder.
    pub fn apply(&self, built: &Path, uploads: &[String], deletions: &[String]) -> Result<String> {
        let live = quote(&self.path);
        let releases = format!("{}.releases", self.path);
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ").to_string();
        let release = format!("{releases}/{stamp}");
        let new = quote(&release);
        // 1. A hard-linked copy of what is live.
        self.run(
            &format!(
                "set -e; mkdir -p {r}; if [ -e {live} ]; then cp -al \"$(readlink -f {live})\" {new}; else mkdir {new}; fi",
                r = quote(&releases)
            ),
            b"",
            "preparing the new release",
        )?;
        // 2. The changed files.
        if !uploads.is_empty() {
            let ssh = self
                .ssh_command()
                .iter()
                .map(|a| quote(a))
                .collect::<Vec<_>>()
                .join(" ");
            let mut child = Command::new("rsync")
                .args(RSYNC_OPTIONS)
                .args(["-e", &ssh])
                .arg(format!("{}/", built.display()))
                .arg(format!("{}:{}/", self.destination, release))
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .map_err(|e| missing_tool("rsync", &e))?;
            let list: Vec<u8> = uploads.iter().flat_map(|p| p.bytes().chain([0])).collect();
            child
                .stdin
                .take()
                .expect("piped")
                .write_all(&list)
                .map_err(|e| Error::Usage(format!("rsync: {e}")))?;
            let output = child
                .wait_with_output()
                .map_err(|e| Error::Usage(format!("rsync: {e}")))?;
            if !output.status.success() {
                return Err(Error::Usage(format!(
                    "rsync to {} failed: {} (the live site is unchanged)",
                    self.destination,
                    String::from_utf8_lossy(&output.stderr).trim()
                )));
            }
        }
        // 3. The deletions, then 4. the link turned, then 5. old releases.
        let list: Vec<u8> = deletions
            .iter()
            .flat_map(|p| p.bytes().chain([0]))
            .collect();
        self.run(
            &format!(
                "set -e; cd {new}; xargs -0 -r rm -f --; cd /; \
                 ln -sfn {new} {live}.grove-link; \
                 if [ -e {live} ] && [ ! -L {live} ]; then mv {live} {live}.grove-before; mv -T {live}.grove-link {live}; rm -rf {live}.grove-before; \
                 else mv -T {live}.grove-link {live}; fi; \
                 cd {r} && ls -1 | sort | head -n -2 | while read -r old; do rm -rf -- \"$old\"; done",
                r = quote(&releases)
            ),
            &list,
            "switching to the new release",
        )?;
        Ok(release)
    }
}

/// rsync's options: recursive, links and times kept, modes a web
/// server can read, the file list (NUL-separated) from standard input.
const RSYNC_OPTIONS: &[&str] = &[
    "-rlt",
    "--chmod=D755,F644", // rsync's options, not grove's
    "--from0",           // rsync's options, not grove's
    "--files-from=-",    // rsync's options, not grove's
];

fn missing_tool(tool: &str, error: &std::io::Error) -> Error {
    Error::Usage(format!(
        "cannot run `{tool}` ({error}): deploying over SSH needs ssh and rsync installed (Debian: apt-get install openssh-client rsync)"
    ))
}

/// `text` quoted for a POSIX shell.
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let remote =
            Remote::parse("ssh://deploy@web1.example.com:2222/srv/www/crema/", &[]).unwrap();
        assert_eq!(remote.destination, "deploy@web1.example.com");
        assert_eq!(remote.port, Some(2222));
        assert_eq!(remote.path, "/srv/www/crema");
        let plain = Remote::parse("ssh://web1/srv/site", &[]).unwrap();
        assert_eq!((plain.destination.as_str(), plain.port), ("web1", None));
        assert!(Remote::parse("ssh://web1/", &[]).is_err());
        assert!(Remote::parse("ssh://web1", &[]).is_err());
        assert!(Remote::parse("ssh://web1:x/srv", &[]).is_err());
        assert!(Remote::parse("ssh://-oProxyCommand=x/srv", &[]).is_err());
    }

    #[test]
    fn quoting() {
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's"), "'it'\\''s'");
    }
}

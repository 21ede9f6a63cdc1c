//! `grove deploy` to `ssh://` against a real OpenSSH server started on
//! 127.0.0.1 with keys made for the test, and the system's rsync: the
//! site folder becomes a link to a release, turned at once; only changed
//! files travel; the live release's files are never changed in place;
//! files Grove did not put there stay; old releases are pruned.
//! (`scripts/test-tools.sh` installs openssh-server and rsync.)

use crate::common;

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use crate::common::Fixture;
use serde_json::Value;

struct Sshd {
    child: Child,
    port: u16,
    key: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn keygen(path: &Path) {
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(path)
        .status()
        .expect("ssh-keygen (scripts/test-tools.sh installs OpenSSH)");
    assert!(status.success());
}

fn sshd() -> Sshd {
    let dir = tempfile::tempdir().unwrap();
    let host_key = dir.path().join("host_key");
    let key = dir.path().join("client_key");
    keygen(&host_key);
    keygen(&key);
    std::fs::copy(
        dir.path().join("client_key.pub"),
        dir.path().join("authorized_keys"),
    )
    .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = dir.path().join("sshd_config");
    std::fs::write(
        &config,
        format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nAuthorizedKeysFile {}\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\nPidFile {}\nPermitRootLogin prohibit-password\n",
            host_key.display(),
            dir.path().join("authorized_keys").display(),
            dir.path().join("sshd.pid").display()
        ),
    )
    .unwrap();
    // OpenSSH's privilege separation folder.
    let _ = std::fs::create_dir_all("/run/sshd");
    let child = Command::new("/usr/sbin/sshd")
        .args(["-D", "-e", "-f"])
        .arg(&config)
        .spawn()
        .expect("/usr/sbin/sshd (scripts/test-tools.sh installs openssh-server)");
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "sshd did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Sshd {
        child,
        port,
        key,
        _dir: dir,
    }
}

fn user() -> String {
    let output = Command::new("id").arg("-un").output().unwrap();
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

fn network(server: &Sshd, www: &Path) -> Fixture {
    let net = Fixture::new();
    net.site("alpha", "Alpha");
    let config = net.read("grove.toml");
    net.write(
        "grove.toml",
        &format!(
            "{config}[deploy]\nurl = \"ssh://{}@127.0.0.1:{}{}/{{{{ site.name }}}}\"\nverify = false\nssh_args = [\"-i\", \"{}\", \"-o\", \"StrictHostKeyChecking=no\", \"-o\", \"UserKnownHostsFile=/dev/null\", \"-o\", \"LogLevel=ERROR\"]\n",
            user(),
            server.port,
            www.display(),
            server.key.display()
        ),
    );
    for page in ["a", "b", "c"] {
        write_page(&net, page, "First text.");
    }
    assert!(net.build(&[]).status.success());
    net
}

fn write_page(net: &Fixture, page: &str, text: &str) {
    net.write(
        &format!("sites/alpha/content/guides/{page}.md"),
        &format!("+++\ntitle = \"Guide {page}\"\ndate = 2026-11-01\n+++\n{text}\n"),
    );
}

fn deploy(net: &Fixture) -> Value {
    let output = net.grove(&["deploy", "--json"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice::<Value>(&output.stdout).unwrap()["sites"][0].clone()
}

fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    common::files_below(dir)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(dir.join(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}

#[test]
#[ignore = "needs OpenSSH's server and rsync: scripts/test-tools.sh installs them"]
fn releases_over_ssh_turn_at_once() {
    let server = sshd();
    let www = tempfile::tempdir().unwrap();
    // A real folder is there already, with a file of the host's.
    let live = www.path().join("alpha");
    std::fs::create_dir_all(&live).unwrap();
    std::fs::write(live.join("google1234.html"), "google-site-verification").unwrap();
    let net = network(&server, www.path());

    let first = deploy(&net);
    let files = common::files_below(&net.out("alpha"));
    assert_eq!(first["uploaded"], files.len());
    assert!(
        std::fs::symlink_metadata(&live)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let mut expected = tree(&net.out("alpha"));
    expected.push((
        "google1234.html".into(),
        b"google-site-verification".to_vec(),
    ));
    expected.sort();
    assert_eq!(tree(&live), expected, "the build, and the host's file kept");
    let first_release = std::fs::canonicalize(&live).unwrap();

    // One page changes, one is removed.
    write_page(&net, "a", "Second text.");
    std::fs::remove_file(net.path().join("sites/alpha/content/guides/c.md")).unwrap();
    assert!(net.build(&[]).status.success());
    let second = deploy(&net);
    assert!(second["uploaded"].as_u64().unwrap() < files.len() as u64);
    assert_eq!(
        second["deleted_paths"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p.as_str().unwrap().starts_with("guides/c/"))
            .count(),
        1
    );
    assert!(
        String::from_utf8_lossy(&std::fs::read(live.join("guides/a/index.html")).unwrap())
            .contains("Second text.")
    );
    assert!(!live.join("guides/c/index.html").exists());
    assert!(live.join("google1234.html").exists());
    // The previous release was not changed in place.
    let before = std::fs::read_to_string(first_release.join("guides/a/index.html")).unwrap();
    assert!(
        before.contains("First text."),
        "the old release keeps its files"
    );

    // Unchanged: nothing travels; releases are pruned to two.
    let third = deploy(&net);
    assert_eq!(third["uploaded"], 0);
    let releases = std::fs::read_dir(www.path().join("alpha.releases"))
        .unwrap()
        .count();
    assert_eq!(releases, 2);
    assert!(!first_release.exists(), "the oldest release is removed");
}

#[test]
#[ignore = "needs OpenSSH's server and rsync: scripts/test-tools.sh installs them"]
fn an_unreachable_host_leaves_everything_as_it_was() {
    let server = sshd();
    let www = tempfile::tempdir().unwrap();
    let net = network(&server, www.path());
    let config = net
        .read("grove.toml")
        .replace(&format!(":{}", server.port), ":1");
    net.write("grove.toml", &config);
    let output = net.grove(&["deploy"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("127.0.0.1"), "{stderr}");
    assert!(!net.path().join(".grove/deploy/alpha.json").exists());
}

#[test]
#[ignore = "needs OpenSSH's server and rsync: scripts/test-tools.sh installs them"]
fn precompressed_copies_travel_over_ssh() {
    let server = sshd();
    let www = tempfile::tempdir().unwrap();
    let net = network(&server, www.path());
    let config = net.read("grove.toml");
    net.write(
        "grove.toml",
        &config.replace("verify = false\n", "verify = false\nprecompress = true\n"),
    );
    deploy(&net);
    let live = www.path().join("alpha");
    let page = "guides/a/index.html";
    let copy = std::fs::read(live.join(format!("{page}.gz"))).unwrap();
    assert_eq!(
        common::gunzip(&copy),
        std::fs::read(net.out("alpha").join(page)).unwrap()
    );
    assert_eq!(deploy(&net)["uploaded"], 0);
}

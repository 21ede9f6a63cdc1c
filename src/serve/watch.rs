//! Watching the network for changes: debounced file events become a
//! rebuild of the sites they affect.

use crate::terminal::say;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use super::Shared;
use crate::build::ChangeKind as Kind;
use crate::network::Network;
use crate::state;

/// Quiet time after the last event before rebuilding (editors write files
/// in several steps).
const DEBOUNCE: Duration = Duration::from_millis(10);

/// What a batch of changed paths asks for.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// The paths that count (absolute), sorted.
    pub changed: Vec<PathBuf>,
    /// The kind of every changed path, when they are all of one kind that
    /// live sites take in; `None` when something needs a build.
    pub kind: Option<Kind>,
    /// `grove.toml`, a `site.toml` or a registry changed: reload the network.
    pub reload_network: bool,
    /// Every selected site is affected (blueprint, theme, network config).
    pub all_sites: bool,
    /// Sites affected by their own files.
    pub sites: BTreeSet<String>,
    /// Only stylesheets changed.
    pub css_only: bool,
}

/// Decides what `paths` (absolute) affect, for a network at `root`.
pub fn plan(root: &Path, ignored: &[PathBuf], paths: &[PathBuf]) -> Plan {
    let mut plan = Plan {
        css_only: true,
        ..Plan::default()
    };
    let mut kinds = Vec::new();
    for path in paths {
        if ignored.iter().any(|dir| path.starts_with(dir)) {
            continue;
        }
        let Ok(rel) = path.strip_prefix(root) else {
            continue;
        };
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let name = parts.last().cloned().unwrap_or_default();
        // Only the network's inputs count: not outputs, caches, prompts or
        // anything else that lives in the folder.
        let is_input = matches!(
            (parts.first().map(String::as_str), parts.len()),
            (Some("content" | "themes" | "sites"), _) | (Some("grove.toml" | "affiliates.toml"), 1)
        );
        let is_noise = parts.iter().any(|p| p.starts_with('.'))
            || is_temporary(&name)
            || name == "briefs.toml";
        if !is_input || is_noise {
            continue;
        }
        plan.changed.push(path.clone());
        plan.css_only &= name.ends_with(".css");
        let folder = match parts.first().map(String::as_str) {
            Some("content") => Some("content"),
            Some("sites" | "themes") => parts.get(2).map(String::as_str),
            _ => None,
        };
        // Outputs a build writes itself: a static file by such a name is
        // overwritten by the generated one.
        let generated = name == "_redirects"
            || [".html", ".htm", ".xml", ".txt"]
                .iter()
                .any(|ext| name.ends_with(ext));
        kinds.push(match folder {
            Some("content") if name.ends_with(".md") => Some(Kind::Content),
            Some("templates") => Some(Kind::Template),
            Some("static") if !generated => Some(Kind::Static),
            _ => None,
        });
        let config = name == "grove.toml" || name == "site.toml" || name == "affiliates.toml";
        plan.reload_network |= config;
        match parts.first().map(String::as_str) {
            Some("sites") if parts.len() > 2 || (parts.len() == 2 && config) => {
                plan.sites.insert(parts[1].clone());
            }
            Some("sites") => plan.all_sites = true, // a site folder appeared or went
            _ => plan.all_sites = true,
        }
    }
    if plan.changed.is_empty() {
        return Plan::default();
    }
    plan.changed.sort();
    plan.changed.dedup();
    plan.kind = kinds[0].filter(|first| kinds.iter().all(|k| *k == Some(*first)));
    plan
}

/// Whether `name` is a file editors and tools write while saving another:
/// backups (`a.md~`), swap files (`.swp`, `.swx`), vim's write test
/// (`4913`), Emacs autosaves (`#a.md#`), JetBrains' `___jb_tmp___` /
/// `___jb_old___`, gedit's `.goutputstream-*`, `.tmp` files and `sed -i`'s
/// `sedXXXXXX`.
fn is_temporary(name: &str) -> bool {
    let sed = name.len() == 9
        && name.starts_with("sed")
        && name[3..].chars().all(|c| c.is_ascii_alphanumeric());
    sed || name == "4913"
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || (name.starts_with('#') && name.ends_with('#'))
        || name.contains("___jb_")
        || name.starts_with(".goutputstream-")
}

/// The network's file events, from the moment [`Events::start`] returns.
pub struct Events {
    // Dropping the watcher stops the events.
    _watcher: RecommendedWatcher,
    receiver: Receiver<notify::Result<notify::Event>>,
}

impl Events {
    /// Starts watching the folder at `root` and everything below it.
    pub fn start(root: &Path) -> notify::Result<Events> {
        let (sender, receiver) = channel();
        let mut watcher = notify::recommended_watcher(move |event| {
            let _ = sender.send(event);
        })?;
        watcher.watch(root, RecursiveMode::Recursive)?;
        Ok(Events {
            _watcher: watcher,
            receiver,
        })
    }
}

/// Rebuilds on each batch of `events`, until the process ends.
pub fn watch(events: Events, shared: Arc<Shared>, mut network: Network, selected: Vec<String>) {
    let root = network.root.clone();
    let receiver = events.receiver;
    let ignored = |network: &Network| vec![network.output_dir(), shared.out().to_path_buf()];
    let mut ignore = ignored(&network);
    let mut config_broken = false;
    while let Ok(first) = receiver.recv() {
        let mut paths = changed_paths(first);
        loop {
            match receiver.recv_timeout(DEBOUNCE) {
                Ok(event) => paths.extend(changed_paths(event)),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        if paths.iter().any(|path| feeds_dashboard(&root, path)) {
            shared.dashboard_changed();
        }
        let mut plan = plan(&root, &ignore, &paths);
        if plan == Plan::default() {
            continue;
        }
        if let Some(first) = plan.changed.first() {
            let first = first.strip_prefix(&root).unwrap_or(first).display();
            match plan.changed.len() {
                1 => say!("changed {first}"),
                n => say!("changed {first} and {} more", n - 1),
            }
        }
        // While a config file is broken, every change tries it again: the
        // sites must not be updated against the old configuration.
        plan.reload_network |= config_broken;
        if plan.reload_network {
            match Network::load(&root) {
                Ok(reloaded) => {
                    network = reloaded;
                    ignore = ignored(&network);
                    config_broken = false;
                }
                Err(error) => {
                    config_broken = true;
                    shared.report(&error);
                    continue;
                }
            }
        }
        let targets: Vec<String> = if plan.all_sites || plan.reload_network {
            selected.clone()
        } else {
            selected
                .iter()
                .filter(|s| plan.sites.contains(*s))
                .cloned()
                .collect()
        };
        let targets: Vec<String> = targets
            .into_iter()
            .filter(|s| network.sites.iter().any(|n| &n.name == s))
            .collect();
        if targets.is_empty() {
            continue;
        }
        let files = &plan.changed;
        match plan.kind {
            _ if plan.reload_network => shared.rebuild(&network, &targets, plan.css_only),
            Some(kind) => shared.update(&network, &targets, (kind, files), plan.css_only),
            None => shared.rebuild(&network, &targets, plan.css_only),
        }
    }
}

/// Whether `path` is state the dashboard shows: the stats database (its
/// main file: reading it only touches `-wal` and `-shm`), the ledger, the
/// last build's, check's and audit's records.
fn feeds_dashboard(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(state::dir(root)) else {
        return false;
    };
    matches!(
        rel.to_str(),
        Some(
            state::STATS_DB
                | state::LEDGER
                | state::BUILD_RECORD
                | state::CHECK_RECORD
                | state::AUDIT_RECORD
        )
    )
}

fn changed_paths(event: notify::Result<notify::Event>) -> Vec<PathBuf> {
    match event {
        Ok(event)
            if matches!(
                event.kind,
                EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)
            ) =>
        {
            event.paths
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_map_to_the_sites_they_affect() {
        let root = Path::new("/net");
        let ignored = vec![root.join("public")];
        let p = |paths: &[&str]| {
            plan(
                root,
                &ignored,
                &paths.iter().map(|p| root.join(p)).collect::<Vec<_>>(),
            )
        };
        let one = p(&["sites/alpha/content/a.md", "sites/alpha/content/a.md~"]);
        assert_eq!(one.changed, [root.join("sites/alpha/content/a.md")]);
        assert_eq!(one.sites, BTreeSet::from(["alpha".to_string()]));
        assert!(!one.all_sites && !one.reload_network && !one.css_only);
        assert!(p(&["content/about.md"]).all_sites);
        assert!(p(&["themes/default/templates/page.html"]).all_sites);
        let css = p(&["themes/default/static/style.css"]);
        assert!(css.all_sites && css.css_only);
        assert_eq!((css.kind, css.changed.len()), (Some(Kind::Static), 1));
        assert_eq!(p(&["themes/default/static/robots.txt"]).kind, None);
        let page = p(&["content/a.md", "sites/alpha/content/b.md"]);
        assert_eq!((page.kind, page.changed.len()), (Some(Kind::Content), 2));
        let template = p(&["sites/alpha/templates/page.html"]);
        assert_eq!(
            (template.kind, template.changed.len()),
            (Some(Kind::Template), 1)
        );
        assert_eq!(
            p(&["content/a.md", "themes/t/templates/page.html"]).kind,
            None
        );
        assert_eq!(p(&["content/image.png"]).kind, None);
        let config = p(&["sites/beta/site.toml"]);
        assert!(config.reload_network && config.sites.contains("beta"));
        assert!(p(&["grove.toml"]).reload_network);
        assert_eq!(
            p(&[
                "public/alpha/index.html",
                ".grove/ledger.jsonl",
                "content/briefs.toml",
                "prompts/guide.md",
                "content/.a.md.swp"
            ]),
            Plan::default()
        );
        for temporary in [
            "content/a.md~",
            "content/4913",
            "content/#a.md#",
            "themes/t/templates/sedX1b2c3",
            "themes/t/templates/page.html___jb_tmp___",
        ] {
            assert_eq!(p(&[temporary]), Plan::default(), "{temporary}");
        }
    }
}

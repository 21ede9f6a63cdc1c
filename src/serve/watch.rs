//! Watching the network for changes: debounced file events become a
//! rebuild of the sites they affect.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use super::Shared;
use crate::network::Network;

/// Quiet time after the last event before rebuilding (editors write files
/// in several steps).
const DEBOUNCE: Duration = Duration::from_millis(10);

/// What a batch of changed paths asks for.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// The paths that count, relative to the network root, sorted.
    pub changed: Vec<PathBuf>,
    /// `grove.toml`, a `site.toml` or a registry changed: reload the network.
    pub reload_network: bool,
    /// Every selected site is affected (blueprint, theme, network config).
    pub all_sites: bool,
    /// Sites affected by their own files.
    pub sites: BTreeSet<String>,
    /// Only stylesheets changed.
    pub css_only: bool,
    /// Only Markdown content files changed (blueprint or sites): these,
    /// which live sites may take in page by page.
    pub content_files: Option<Vec<PathBuf>>,
    /// Only templates changed (themes' or sites'): these.
    pub template_files: Option<Vec<PathBuf>>,
    /// Only static files changed, of kinds a build never generates
    /// (stylesheets, scripts, images...): these.
    pub static_files: Option<Vec<PathBuf>>,
}

/// Decides what `paths` (absolute) affect, for a network at `root`.
pub fn plan(root: &Path, ignored: &[PathBuf], paths: &[PathBuf]) -> Plan {
    let mut plan = Plan {
        css_only: true,
        content_files: Some(Vec::new()),
        template_files: Some(Vec::new()),
        static_files: Some(Vec::new()),
        ..Plan::default()
    };
    let mut relevant = false;
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
        relevant = true;
        plan.changed.push(rel.to_path_buf());
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
        let (content, template, asset) = match folder {
            Some("content") => (name.ends_with(".md"), false, false),
            Some("templates") => (false, true, false),
            Some("static") => (false, false, !generated),
            _ => (false, false, false),
        };
        keep_if(&mut plan.content_files, content, path);
        keep_if(&mut plan.template_files, template, path);
        keep_if(&mut plan.static_files, asset, path);
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
    if !relevant {
        return Plan::default();
    }
    plan.changed.sort();
    plan.changed.dedup();
    for files in [
        &mut plan.content_files,
        &mut plan.template_files,
        &mut plan.static_files,
    ]
    .into_iter()
    .flatten()
    {
        files.sort();
        files.dedup();
    }
    plan
}

/// Adds `path` to `files` when it is of their kind; else there are none.
fn keep_if(files: &mut Option<Vec<PathBuf>>, of_kind: bool, path: &Path) {
    match files {
        Some(list) if of_kind => list.push(path.to_path_buf()),
        _ => *files = None,
    }
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
        let mut plan = plan(&root, &ignore, &paths);
        if plan == Plan::default() {
            continue;
        }
        match &plan.changed[..] {
            [one] => println!("changed {}", one.display()),
            [first, rest @ ..] => println!("changed {} and {} more", first.display(), rest.len()),
            [] => {}
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
        if plan.reload_network {
            shared.rebuild(&network, &targets, plan.css_only);
        } else if let Some(files) = &plan.content_files {
            shared.update_content(&network, &targets, files);
        } else if let Some(files) = &plan.template_files {
            shared.update_templates(&network, &targets, files);
        } else if let Some(files) = &plan.static_files {
            shared.update_static(&network, &targets, files, plan.css_only);
        } else {
            shared.rebuild(&network, &targets, plan.css_only);
        }
    }
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
        assert_eq!(one.changed, [PathBuf::from("sites/alpha/content/a.md")]);
        assert_eq!(one.sites, BTreeSet::from(["alpha".to_string()]));
        assert!(!one.all_sites && !one.reload_network && !one.css_only);
        assert!(p(&["content/about.md"]).all_sites);
        assert!(p(&["themes/default/templates/page.html"]).all_sites);
        let css = p(&["themes/default/static/style.css"]);
        assert!(css.all_sites && css.css_only);
        assert_eq!(css.static_files.unwrap().len(), 1);
        assert!(
            p(&["themes/default/static/robots.txt"])
                .static_files
                .is_none()
        );
        let page = p(&["content/a.md", "sites/alpha/content/b.md"]);
        assert_eq!(page.content_files.unwrap().len(), 2);
        assert!(page.template_files.is_none());
        let template = p(&["sites/alpha/templates/page.html"]);
        assert_eq!(template.template_files.unwrap().len(), 1);
        assert!(
            p(&["content/a.md", "themes/t/templates/page.html"])
                .content_files
                .is_none()
        );
        assert!(p(&["content/image.png"]).content_files.is_none());
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

//! What the HTTP servers and the watcher share: the preview folder, each
//! site's live-reload channel, the error on show, and the live sites that
//! take in changes.

use crate::terminal::{say, tell};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use rayon::prelude::*;
use tokio::sync::broadcast;

use super::Signal;
use crate::build::{
    BuildOptions, Change, ChangeKind, LiveSite, PageUpdate, build_live, load_themes,
};
use crate::error::{Error, Result};
use crate::network::{Network, Site};

/// State shared by the HTTP servers and the watcher.
pub struct Shared {
    out: PathBuf,
    drafts: bool,
    future: bool,
    channels: BTreeMap<String, broadcast::Sender<Signal>>,
    error: Mutex<Option<String>>,
    /// Sites as their last good build left them, by name.
    live: Mutex<BTreeMap<String, LiveSite>>,
    /// Sites whose last build or update failed: their output may miss
    /// changes, so every later change builds them again until one succeeds.
    dirty: Mutex<BTreeSet<String>>,
    /// Each site's base URL path (`/blog`, or empty), as last built.
    base_paths: Mutex<BTreeMap<String, String>>,
    /// The dashboard's live-reload channel.
    dashboard: broadcast::Sender<Signal>,
}

impl Shared {
    /// State for serving `sites`, built into `out`, with drafts and
    /// scheduled pages as asked.
    pub fn new(out: PathBuf, (drafts, future): (bool, bool), sites: &[String]) -> Shared {
        Shared {
            out,
            drafts,
            future,
            channels: sites
                .iter()
                .map(|s| (s.clone(), broadcast::channel(16).0))
                .collect(),
            error: Mutex::new(None),
            live: Mutex::default(),
            dirty: Mutex::default(),
            base_paths: Mutex::default(),
            dashboard: broadcast::channel(16).0,
        }
    }

    /// Signals for the dashboard's browsers from now on.
    pub fn subscribe_dashboard(&self) -> broadcast::Receiver<Signal> {
        self.dashboard.subscribe()
    }

    /// Tells the dashboard's browsers to reload: its figures changed.
    pub fn dashboard_changed(&self) {
        let _ = self.dashboard.send(Signal::Reload);
    }

    /// The path of `site`'s base URL (`/blog`), or empty.
    pub fn base_path(&self, site: &str) -> String {
        let base_paths = self.base_paths.lock().unwrap_or_else(|e| e.into_inner());
        base_paths.get(site).cloned().unwrap_or_default()
    }

    /// The folder holding each site's preview.
    pub fn out(&self) -> &Path {
        &self.out
    }

    /// Signals for `site`'s browsers from now on.
    pub fn subscribe(&self, site: &str) -> broadcast::Receiver<Signal> {
        self.channels[site].subscribe()
    }

    /// The error on show, if the last build or update failed.
    pub fn current_error(&self) -> Option<String> {
        self.error.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn send(&self, site: &str, signal: Signal) {
        if let Some(channel) = self.channels.get(site) {
            // No receiver (no browser open) is fine.
            let _ = channel.send(signal);
        }
    }

    fn live(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, LiveSite>> {
        self.live.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes the sites whose last build failed (those still in `network`).
    fn take_dirty(&self, network: &Network) -> BTreeSet<String> {
        let mut dirty = self.dirty.lock().unwrap_or_else(|e| e.into_inner());
        std::mem::take(&mut *dirty)
            .into_iter()
            .filter(|name| network.sites.iter().any(|s| &s.name == name))
            .collect()
    }

    fn mark_dirty<'a>(&self, sites: impl IntoIterator<Item = &'a String>) {
        let mut dirty = self.dirty.lock().unwrap_or_else(|e| e.into_inner());
        dirty.extend(sites.into_iter().cloned());
    }

    /// Builds `sites` (and those whose last build failed) and tells their
    /// browsers; a failure is shown in every browser and the terminal, and
    /// the last good output keeps being served. When the sites fail to
    /// build together, each is built alone, so that one broken site does
    /// not hold the others back.
    pub fn rebuild(&self, network: &Network, sites: &[String], css_only: bool) {
        let started = Instant::now();
        let mut sites: BTreeSet<String> = sites.iter().cloned().collect();
        sites.extend(self.take_dirty(network));
        let sites: Vec<String> = sites.into_iter().collect();
        let mut live = self.live();
        for site in &sites {
            live.remove(site);
        }
        self.base_paths
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(
                network
                    .sites
                    .iter()
                    .map(|s| (s.name.clone(), s.base_path.clone())),
            );
        let mut failed = Vec::new();
        let built = match self.build(network, &sites) {
            Ok(built) => built,
            Err(error) if sites.len() == 1 => {
                failed.push((&sites[0], error));
                Vec::new()
            }
            Err(_) => {
                let mut built = Vec::new();
                for site in &sites {
                    match self.build(network, std::slice::from_ref(site)) {
                        Ok(alone) => built.extend(alone),
                        Err(error) => failed.push((site, error)),
                    }
                }
                built
            }
        };
        let names: Vec<String> = built.iter().map(|(site, _)| site.name.clone()).collect();
        let pages: usize = built.iter().map(|(_, pages)| pages).sum();
        live.extend(built.into_iter().map(|(site, _)| (site.name.clone(), site)));
        drop(live);
        if !names.is_empty() {
            say!(
                "rebuilt {} ({pages} pages) in {} ms",
                site_list(&names),
                started.elapsed().as_millis()
            );
            self.succeeded(&names, css_only);
        }
        for (site, error) in failed {
            self.mark_dirty([site]);
            self.report(&error);
        }
    }

    /// Builds `sites` into the preview folder, all or none: each built site
    /// with its page count.
    fn build(&self, network: &Network, sites: &[String]) -> Result<Vec<(LiveSite, usize)>> {
        let options = BuildOptions {
            sites: sites.to_vec(),
            drafts: self.drafts,
            future: self.future,
            output: Some(self.out.clone()),
            shard: None,
        };
        let (summary, built) = build_live(network, &options)?;
        for line in summary.notices().lines() {
            tell!("note: {line}");
        }
        Ok(built
            .into_iter()
            .map(|site| {
                let pages = summary
                    .sites
                    .iter()
                    .find(|s| s.name == site.name)
                    .map_or(0, |s| s.pages);
                (site, pages)
            })
            .collect())
    }

    /// Takes in changed files `paths` of one `kind` for `sites`: each live
    /// site renders again only what they affect (content: the outputs
    /// showing the pages' and sections' new text; templates: the outputs
    /// using them; static files: copied); sites where that is not enough
    /// (or not loaded) are built again. `css_only` swaps styles in the
    /// browsers instead of reloading.
    pub fn update(
        &self,
        network: &Network,
        sites: &[String],
        (kind, paths): (ChangeKind, &[PathBuf]),
        css_only: bool,
    ) {
        let themes = if kind == ChangeKind::Template {
            let selected: Vec<&Site> = network
                .sites
                .iter()
                .filter(|s| sites.contains(&s.name))
                .collect();
            match load_themes(network, &selected) {
                Ok(themes) => Some(themes),
                Err(error) => {
                    self.mark_dirty(sites);
                    return self.report(&error);
                }
            }
        } else {
            None
        };
        self.update_sites(network, sites, css_only, |live, site| {
            let theme_name = site.theme(&network.config);
            let theme_dir;
            let change = match kind {
                ChangeKind::Content => Change::Content(paths),
                ChangeKind::Template => {
                    let themes = themes.as_ref().expect("loaded for template changes");
                    Change::Templates(paths, &themes[theme_name])
                }
                ChangeKind::Static => {
                    theme_dir = network.root.join("themes").join(theme_name);
                    Change::Static(paths, &theme_dir)
                }
            };
            live.update(network, site, change)
        });
    }

    /// Runs `apply` on the live state of each of `sites`; sites it cannot
    /// update (or without live state), and those whose last build failed,
    /// are built again. An error is reported and drops that site's state,
    /// so every later change builds it until it builds.
    fn update_sites(
        &self,
        network: &Network,
        sites: &[String],
        css_only: bool,
        apply: impl Fn(&mut LiveSite, &Site) -> Result<PageUpdate> + Sync,
    ) {
        let started = Instant::now();
        let dirty = self.take_dirty(network);
        let wanted: BTreeSet<&String> = sites.iter().filter(|s| !dirty.contains(*s)).collect();
        let mut live = self.live();
        // Sites without live state (or gone from the network) build anew.
        let mut rebuild: Vec<String> = dirty.iter().cloned().collect();
        rebuild.extend(
            wanted
                .iter()
                .filter(|name| !live.contains_key(**name))
                .map(|name| (*name).clone()),
        );
        // Sites update in parallel: a blueprint edit reaches every site.
        let outcomes: Vec<(String, Result<PageUpdate>)> = live
            .par_iter_mut()
            .filter(|(name, _)| wanted.contains(name))
            .map(|(name, state)| {
                let outcome = match network.sites.iter().find(|s| &s.name == name) {
                    Some(site) => apply(state, site),
                    None => Ok(PageUpdate::NeedsRebuild),
                };
                (name.clone(), outcome)
            })
            .collect();
        let mut updated = Vec::new();
        let mut files = 0;
        let mut errors = Vec::new();
        for (name, outcome) in outcomes {
            match outcome {
                Ok(PageUpdate::NeedsRebuild) => {
                    live.remove(&name);
                    rebuild.push(name);
                }
                Ok(PageUpdate::NotAffected | PageUpdate::Rendered(0)) => {}
                Ok(PageUpdate::Rendered(written)) => {
                    files += written;
                    updated.push(name);
                }
                Err(error) => {
                    live.remove(&name);
                    errors.push((name, error));
                }
            }
        }
        drop(live);
        if !updated.is_empty() {
            say!(
                "updated {} ({files} file{}) in {} ms",
                site_list(&updated),
                if files == 1 { "" } else { "s" },
                started.elapsed().as_millis()
            );
            self.succeeded(&updated, css_only);
        }
        if !rebuild.is_empty() {
            self.rebuild(network, &rebuild, false);
        }
        for (name, error) in errors {
            self.mark_dirty([&name]);
            self.report(&error);
        }
    }

    /// Tells the browsers of `sites` to reload (or swap styles); after an
    /// error, every browser reloads to drop the overlay.
    fn succeeded(&self, sites: &[String], css_only: bool) {
        let was_broken = self
            .error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .is_some();
        let signal = if css_only && !was_broken {
            Signal::Css
        } else {
            Signal::Reload
        };
        let targets: Vec<&String> = if was_broken {
            self.channels.keys().collect()
        } else {
            sites.iter().collect()
        };
        for site in targets {
            self.send(site, signal.clone());
        }
        // Pages, drafts and pipelines come from the content.
        self.dashboard_changed();
    }

    /// Shows `error` in the terminal and in every browser.
    pub fn report(&self, error: &Error) {
        let message = error.to_string();
        tell!("error: {message}");
        *self.error.lock().unwrap_or_else(|e| e.into_inner()) = Some(message.clone());
        for site in self.channels.keys() {
            self.send(site, Signal::Error(message.clone()));
        }
    }
}

/// Site names for a report line: all of a few, else how many.
fn site_list(names: &[String]) -> String {
    if names.len() <= 4 {
        names.join(", ")
    } else {
        format!("{} sites", names.len())
    }
}

//! `grove serve`: build, serve over HTTP, watch for changes, rebuild what
//! they affect, and reload browsers.
//!
//! Each site is served at the root of its own port (Grove's links are
//! root-relative); with several sites, the base port lists them. Builds go
//! to a private folder (never `public/`), through the same atomic build as
//! `grove build`, so what the preview shows is byte for byte what a build
//! writes, plus the live-reload script in HTML responses.

mod files;
mod live;
mod watch;

use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use futures_util::Stream;
use tokio::sync::broadcast;

pub use files::{Resolved, resolve};
pub use live::Signal;

use crate::build::{BuildOptions, LiveSite, PageUpdate, build_live, load_themes};
use crate::error::{Error, Result, display_path};
use crate::html_escape::escape_html;
use crate::network::Network;

/// What `grove serve` should do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Sites to serve; all when empty.
    pub sites: Vec<String>,
    /// First port (0: any free ports).
    pub port: u16,
    /// Address to listen on.
    pub bind: IpAddr,
    /// Include drafts.
    pub drafts: bool,
    /// Build here instead of a temporary folder.
    pub output: Option<PathBuf>,
    /// Open a browser.
    pub open: bool,
}

/// State shared by the HTTP servers and the watcher.
pub struct Shared {
    out: PathBuf,
    drafts: bool,
    channels: BTreeMap<String, broadcast::Sender<Signal>>,
    error: Mutex<Option<String>>,
    /// Sites as their last good build left them, by name.
    live: Mutex<BTreeMap<String, LiveSite>>,
    /// Sites whose last build or update failed: their output may miss
    /// changes, so every later change builds them again until one succeeds.
    dirty: Mutex<BTreeSet<String>>,
}

impl Shared {
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
    /// the last good output keeps being served.
    pub fn rebuild(&self, network: &Network, sites: &[String], css_only: bool) {
        let started = Instant::now();
        let mut sites: BTreeSet<String> = sites.iter().cloned().collect();
        sites.extend(self.take_dirty(network));
        let sites: Vec<String> = sites.into_iter().collect();
        let options = BuildOptions {
            sites: sites.clone(),
            drafts: self.drafts,
            output: Some(self.out.clone()),
            shard: None,
        };
        let mut live = self.live();
        for site in &sites {
            live.remove(site);
        }
        match build_live(network, &options) {
            Ok((summary, built)) => {
                live.extend(built.into_iter().map(|site| (site.name.clone(), site)));
                drop(live);
                let pages: usize = summary.sites.iter().map(|s| s.pages).sum();
                println!(
                    "rebuilt {} ({pages} pages) in {} ms",
                    sites.join(", "),
                    started.elapsed().as_millis()
                );
                self.succeeded(&sites, css_only);
            }
            Err(error) => {
                drop(live);
                self.mark_dirty(&sites);
                self.report(&error);
            }
        }
    }

    /// Takes in changed content files `paths` for `sites`: each live site
    /// renders only what a page's new body affects; sites where that is not
    /// enough (or not loaded) are built again.
    pub fn update_pages(&self, network: &Network, sites: &[String], paths: &[PathBuf]) {
        self.update(network, sites, false, |live, site| {
            live.update_pages(network, site, paths)
        });
    }

    /// Takes in changed template files `paths` for `sites`: each live site
    /// renders again the outputs whose templates use them.
    pub fn update_templates(&self, network: &Network, sites: &[String], paths: &[PathBuf]) {
        let selected: Vec<&crate::network::Site> = network
            .sites
            .iter()
            .filter(|s| sites.contains(&s.name))
            .collect();
        let themes = match load_themes(network, &selected) {
            Ok(themes) => themes,
            Err(error) => {
                self.mark_dirty(sites);
                return self.report(&error);
            }
        };
        self.update(network, sites, false, |live, site| {
            let theme = &themes[site.theme(&network.config)];
            live.update_templates(network, site, theme, paths)
        });
    }

    /// Copies changed static files `paths` (not ones a build generates) into
    /// the live sites that use them; `css_only` swaps styles.
    pub fn update_static(
        &self,
        network: &Network,
        sites: &[String],
        paths: &[PathBuf],
        css_only: bool,
    ) {
        self.update(network, sites, css_only, |live, site| {
            let theme_dir = network
                .root
                .join("themes")
                .join(site.theme(&network.config));
            live.update_static(site, &theme_dir, paths)
        });
    }

    /// Runs `apply` on the live state of each of `sites`; sites it cannot
    /// update (or without live state), and those whose last build failed,
    /// are built again. An error is reported and drops that site's state,
    /// so every later change builds it until it builds.
    fn update(
        &self,
        network: &Network,
        sites: &[String],
        css_only: bool,
        mut apply: impl FnMut(&mut LiveSite, &crate::network::Site) -> Result<PageUpdate>,
    ) {
        let started = Instant::now();
        let dirty = self.take_dirty(network);
        let mut rebuild: Vec<String> = dirty.iter().cloned().collect();
        let mut updated = Vec::new();
        let mut files = 0;
        let mut errors = Vec::new();
        let mut live = self.live();
        for name in sites.iter().filter(|name| !dirty.contains(*name)) {
            let (Some(state), Some(site)) = (
                live.get_mut(name),
                network.sites.iter().find(|s| &s.name == name),
            ) else {
                rebuild.push(name.clone());
                continue;
            };
            match apply(state, site) {
                Ok(PageUpdate::NeedsRebuild) => {
                    live.remove(name);
                    rebuild.push(name.clone());
                }
                Ok(PageUpdate::NotAffected | PageUpdate::Rendered(0)) => {}
                Ok(PageUpdate::Rendered(written)) => {
                    files += written;
                    updated.push(name.clone());
                }
                Err(error) => {
                    live.remove(name);
                    errors.push((name, error));
                }
            }
        }
        drop(live);
        if !updated.is_empty() {
            println!(
                "updated {} ({files} file{}) in {} ms",
                updated.join(", "),
                if files == 1 { "" } else { "s" },
                started.elapsed().as_millis()
            );
            self.succeeded(&updated, css_only);
        }
        if !rebuild.is_empty() {
            self.rebuild(network, &rebuild, false);
        }
        for (name, error) in errors {
            self.mark_dirty([name]);
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
    }

    /// Shows `error` in the terminal and in every browser.
    pub fn report(&self, error: &Error) {
        let message = error.to_string();
        eprintln!("error: {message}");
        *self.error.lock().unwrap_or_else(|e| e.into_inner()) = Some(message.clone());
        for site in self.channels.keys() {
            self.send(site, Signal::Error(message.clone()));
        }
    }
}

#[derive(Clone)]
struct SiteServer {
    name: String,
    shared: Arc<Shared>,
}

/// Runs `grove serve` until interrupted.
pub fn serve(root: PathBuf, options: ServeOptions) -> Result<()> {
    let network = Network::load(&root)?;
    let sites: Vec<String> = network
        .select(&options.sites, None)?
        .iter()
        .map(|s| s.name.clone())
        .collect();
    if sites.is_empty() {
        return Err(Error::Usage(
            "the network has no sites to serve; add one with `grove new-site`".into(),
        ));
    }
    let temporary = match &options.output {
        Some(_) => None,
        None => Some(tempfile::tempdir().map_err(|source| {
            Error::io(
                std::env::temp_dir(),
                "cannot create temporary folder",
                source,
            )
        })?),
    };
    let out = options
        .output
        .clone()
        .or_else(|| temporary.as_ref().map(|t| t.path().to_path_buf()))
        .expect("one of the two");
    let shared = Arc::new(Shared {
        out: out.clone(),
        drafts: options.drafts,
        channels: sites
            .iter()
            .map(|s| (s.clone(), broadcast::channel(16).0))
            .collect(),
        error: Mutex::new(None),
        live: Mutex::default(),
        dirty: Mutex::default(),
    });
    // Watch before the first build, so that no change after it is missed.
    let file_events = watch::Events::start(&network.root)
        .map_err(|e| Error::Usage(format!("cannot watch {}: {e}", network.root.display())))?;
    shared.rebuild(&network, &sites, false);

    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| Error::Usage(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let mut servers = Vec::new();
        let mut addresses = Vec::new();
        let single = sites.len() == 1;
        let mut next_port = options.port;
        let mut take_port = || {
            let port = next_port;
            if next_port != 0 {
                next_port += 1;
            }
            port
        };
        let index_listener = if single {
            None
        } else {
            Some(bind(options.bind, take_port()).await?)
        };
        for site in &sites {
            let listener = bind(options.bind, take_port()).await?;
            let address = listener
                .local_addr()
                .map_err(|e| Error::Usage(e.to_string()))?;
            addresses.push((site.clone(), address));
            let app = Router::new()
                .route(live::EVENTS_PATH, get(events))
                .fallback(get(file))
                .with_state(SiteServer {
                    name: site.clone(),
                    shared: Arc::clone(&shared),
                });
            servers.push(tokio::spawn(
                async move { axum::serve(listener, app).await },
            ));
        }
        let first_url = match index_listener {
            Some(listener) => {
                let address = listener
                    .local_addr()
                    .map_err(|e| Error::Usage(e.to_string()))?;
                let page = index_page(&addresses);
                let app = Router::new().fallback(get(move || async move { Html(page) }));
                servers.push(tokio::spawn(
                    async move { axum::serve(listener, app).await },
                ));
                println!("Serving {} sites; index at http://{address}/", sites.len());
                format!("http://{address}/")
            }
            None => format!("http://{}/", addresses[0].1),
        };
        for (site, address) in &addresses {
            println!("  {site:<24} http://{address}/");
        }
        println!(
            "Building into {}; watching {} for changes (Ctrl-C to stop)",
            display_path(&out).display(),
            display_path(&root).display()
        );
        if options.open {
            open_browser(&first_url);
        }
        let watcher_shared = Arc::clone(&shared);
        std::thread::spawn(move || watch::watch(file_events, watcher_shared, network, sites));
        let _ = tokio::signal::ctrl_c().await;
        for server in servers {
            server.abort();
        }
        Ok::<(), Error>(())
    })?;
    drop(temporary);
    Ok(())
}

async fn bind(address: IpAddr, port: u16) -> Result<tokio::net::TcpListener> {
    let socket = SocketAddr::new(address, port);
    tokio::net::TcpListener::bind(socket).await.map_err(|e| {
        Error::Usage(format!(
            "cannot listen on {socket}: {e}; pick another --port"
        ))
    })
}

fn index_page(addresses: &[(String, SocketAddr)]) -> String {
    let items: String = addresses
        .iter()
        .map(|(site, address)| {
            format!(
                "<li><a href=\"http://{address}/\">{}</a> <code>http://{address}/</code></li>\n",
                escape_html(site)
            )
        })
        .collect();
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>Grove preview</title></head>\n<body>\n<h1>Grove preview</h1>\n<ul>\n{items}</ul>\n</body>\n</html>\n"
    )
}

fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(opener).arg(url).spawn().is_err() {
        eprintln!("could not open a browser; visit {url}");
    }
}

async fn file(State(site): State<SiteServer>, uri: Uri) -> Response {
    let root = site.shared.out.join(&site.name);
    match resolve(&root, uri.path()) {
        Resolved::File(path) => serve_file(&path, StatusCode::OK).await,
        Resolved::Redirect(location) => (
            StatusCode::MOVED_PERMANENTLY,
            [(header::LOCATION, location)],
        )
            .into_response(),
        Resolved::Forbidden => {
            (StatusCode::FORBIDDEN, "forbidden: outside the site\n").into_response()
        }
        Resolved::NotFound => {
            let page = root.join("404.html");
            if page.is_file() {
                serve_file(&page, StatusCode::NOT_FOUND).await
            } else {
                (StatusCode::NOT_FOUND, "not found\n").into_response()
            }
        }
    }
}

async fn serve_file(path: &std::path::Path, status: StatusCode) -> Response {
    let Ok(bytes) = tokio::fs::read(path).await else {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    };
    let content_type = files::content_type(path);
    let body = if content_type.starts_with("text/html") {
        files::inject(&String::from_utf8_lossy(&bytes), live::SCRIPT).into_bytes()
    } else {
        bytes
    };
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn events(
    State(site): State<SiteServer>,
) -> Sse<impl Stream<Item = std::result::Result<Event, Infallible>>> {
    let receiver = site.shared.channels[&site.name].subscribe();
    let current = site
        .shared
        .error
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let first: Vec<Signal> = current.map(Signal::Error).into_iter().collect();
    let to_event = |signal: Signal| {
        let (name, data) = signal.event();
        Ok(Event::default().event(name).data(data))
    };
    let initial = futures_util::stream::iter(first.into_iter().map(to_event));
    let updates = futures_util::stream::unfold(receiver, move |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok(signal) => return Some((to_event(signal), receiver)),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    use futures_util::StreamExt;
    Sse::new(initial.chain(updates)).keep_alive(KeepAlive::default())
}

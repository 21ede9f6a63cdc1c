//! `grove serve`: build, serve over HTTP, watch for changes, rebuild what
//! they affect, and reload browsers.
//!
//! Each site is served at the root of its own port (Grove's links are
//! root-relative); with several sites, the base port lists them. Builds go
//! to a private folder (never `public/`), through the same atomic build as
//! `grove build`, so what the preview shows is byte for byte what a build
//! writes, plus the live-reload script in HTML responses.

mod dashboard;
mod files;
mod live;
mod state;
mod watch;

use crate::terminal::{say, tell};
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

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
pub use state::Shared;

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
    /// Include pages dated in the future.
    pub future: bool,
    /// Build here instead of a temporary folder.
    pub output: Option<PathBuf>,
    /// Open a browser.
    pub open: bool,
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
    if let Some(output) = &options.output {
        crate::build::output_dir(&network, Some(output))?;
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
    let shared = Arc::new(Shared::new(
        out.clone(),
        (options.drafts, options.future),
        &sites,
    ));
    // Watch before the first build, so that no change after it is missed.
    let file_events = watch::Events::start(&network.root)
        .map_err(|e| Error::Usage(format!("cannot watch {}: {e}", network.root.display())))?;
    shared.rebuild(&network, &sites, false);

    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| Error::Usage(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        // Listening from before the addresses are announced: a signal that
        // comes right after must stop the preview (and remove its folder),
        // not kill the process.
        let stop = stop_signal();
        let mut servers = Vec::new();
        let mut urls = Vec::new();
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
        // The first port also serves the dashboard.
        let dashboard_routes =
            |address| dashboard::routes(network.root.clone(), Arc::clone(&shared), address);
        let mut dashboard_url = String::new();
        for (index, site) in sites.iter().enumerate() {
            let listener = bind(options.bind, take_port()).await?;
            let address = listener
                .local_addr()
                .map_err(|e| Error::Usage(e.to_string()))?;
            let base = shared.base_path(site);
            urls.push((site.clone(), format!("http://{address}{base}/")));
            let mut app = Router::new()
                .route(live::EVENTS_PATH, get(events))
                .fallback(get(file))
                .with_state(SiteServer {
                    name: site.clone(),
                    shared: Arc::clone(&shared),
                });
            if single && index == 0 {
                app = app.merge(dashboard_routes(address));
                dashboard_url = format!("http://{address}{}", dashboard::PATH);
            }
            servers.push(serve_app(listener, app));
        }
        let first_url = match index_listener {
            Some(listener) => {
                let address = listener
                    .local_addr()
                    .map_err(|e| Error::Usage(e.to_string()))?;
                dashboard_url = format!("http://{address}{}", dashboard::PATH);
                let page = index_page(&urls, &dashboard_url);
                let app = Router::new()
                    .fallback(get(move || async move { Html(page) }))
                    .merge(dashboard_routes(address));
                servers.push(serve_app(listener, app));
                say!("Serving {} sites; index at http://{address}/", sites.len());
                format!("http://{address}/")
            }
            None => urls[0].1.clone(),
        };
        say!("  {:<24} {dashboard_url}", "(dashboard)");
        for (site, url) in &urls {
            say!("  {site:<24} {url}");
        }
        say!(
            "Building into {}; watching {} for changes (Ctrl-C to stop)",
            display_path(&out).display(),
            display_path(&root).display()
        );
        if options.open {
            open_browser(&first_url);
        }
        let watcher_shared = Arc::clone(&shared);
        std::thread::spawn(move || watch::watch(file_events, watcher_shared, network, sites));
        stop.await;
        for server in servers {
            server.abort();
        }
        Ok::<(), Error>(())
    })?;
    drop(temporary);
    Ok(())
}

/// Resolves when the process is asked to stop: Ctrl-C, or (on Unix)
/// SIGTERM, as sent by `kill`, service managers and terminals closing
/// (SIGHUP). The caller then removes the temporary output folder. The
/// signals are caught from the call on, not from the first poll.
fn stop_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let signals = [
            SignalKind::interrupt(),
            SignalKind::terminate(),
            SignalKind::hangup(),
        ]
        .map(signal);
        async move {
            let [Ok(mut interrupt), Ok(mut term), Ok(mut hangup)] = signals else {
                let _ = tokio::signal::ctrl_c().await;
                return;
            };
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = term.recv() => {}
                _ = hangup.recv() => {}
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Serves `app` on `listener`, telling handlers the client's address.
fn serve_app(
    listener: tokio::net::TcpListener,
    app: Router,
) -> tokio::task::JoinHandle<std::io::Result<()>> {
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    })
}

async fn bind(address: IpAddr, port: u16) -> Result<tokio::net::TcpListener> {
    let socket = SocketAddr::new(address, port);
    tokio::net::TcpListener::bind(socket).await.map_err(|e| {
        Error::Usage(format!(
            "cannot listen on {socket}: {e}; pick another --port"
        ))
    })
}

/// The page listing each site's preview URL, and the dashboard's.
fn index_page(urls: &[(String, String)], dashboard: &str) -> String {
    let items: String = urls
        .iter()
        .map(|(site, url)| {
            format!(
                "<li><a href=\"{url}\">{}</a> <code>{url}</code></li>\n",
                escape_html(site)
            )
        })
        .collect();
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>Grove preview</title></head>\n<body>\n<h1>Grove preview</h1>\n<p><a href=\"{dashboard}\">The network's dashboard</a></p>\n<ul>\n{items}</ul>\n</body>\n</html>\n"
    )
}

fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(opener).arg(url).spawn().is_err() {
        tell!("could not open a browser; visit {url}");
    }
}

fn redirect(location: String) -> Response {
    (
        StatusCode::MOVED_PERMANENTLY,
        [(header::LOCATION, location)],
    )
        .into_response()
}

async fn file(State(site): State<SiteServer>, uri: Uri) -> Response {
    let root = site.shared.out().join(&site.name);
    // A base URL with a path (`https://example.com/blog`) is served under
    // that path, as links expect.
    let base = site.shared.base_path(&site.name);
    let path = uri.path();
    let inside = if base.is_empty() {
        Some(path)
    } else {
        path.strip_prefix(base.as_str())
            .filter(|rest| rest.is_empty() || rest.starts_with('/'))
    };
    let resolved = match inside {
        Some("") => return redirect(format!("{base}/")),
        Some(inside) => resolve(&root, inside),
        None if path == "/" => return redirect(format!("{base}/")),
        None => Resolved::NotFound,
    };
    match resolved {
        Resolved::File(path) => serve_file(&path, StatusCode::OK).await,
        Resolved::Redirect(location) => redirect(format!("{base}{location}")),
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
        files::inject(
            &String::from_utf8_lossy(&bytes),
            &live::script(live::EVENTS_PATH),
        )
        .into_bytes()
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
    let receiver = site.shared.subscribe(&site.name);
    let current = site.shared.current_error();
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

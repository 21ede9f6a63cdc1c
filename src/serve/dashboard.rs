//! The network's dashboard in the preview, at `/_grove/` on the first port:
//! made afresh for each request (so it shows what the database, ledger and
//! content hold now), with live reload when they change. Only for requests
//! from this machine: it holds revenue figures.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::{ConnectInfo, State};
use axum::http::header::HOST;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use tokio::sync::broadcast;

use super::files::inject;
use super::live::script;
use super::{Shared, Signal};
use crate::dashboard::{DashboardOptions, dashboard, render};
use crate::html_escape::escape_html;
use crate::network::Network;

/// Where the dashboard is served.
pub const PATH: &str = "/_grove/";
const EVENTS: &str = "/_grove/events";

#[derive(Clone)]
struct DashboardState {
    root: PathBuf,
    shared: Arc<Shared>,
    /// The `Host` values that name this server: the address it is bound
    /// to, and `localhost`, `127.0.0.1` and `[::1]` with its port.
    hosts: Arc<[String]>,
}

/// The dashboard's routes, for the router of the port bound at `address`.
pub fn routes(root: PathBuf, shared: Arc<Shared>, address: SocketAddr) -> Router {
    let port = address.port();
    let hosts: Vec<String> = [
        address.to_string(),
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
    ]
    .into_iter()
    .collect();
    Router::new()
        .route(PATH, get(page))
        .route(EVENTS, get(events))
        .with_state(DashboardState {
            root,
            shared,
            hosts: hosts.into(),
        })
}

/// Why a request may not see the dashboard, if it may not: it comes from
/// another machine, or its `Host` is not a name of this server (a page
/// of another site whose name was pointed at 127.0.0.1, DNS rebinding,
/// would otherwise read the revenue figures).
fn refusal(state: &DashboardState, client: SocketAddr, headers: &HeaderMap) -> Option<Response> {
    let message = if !client.ip().is_loopback() {
        "the dashboard holds revenue figures: it is only served to this machine\n"
    } else if !headers
        .get(HOST)
        .and_then(|host| host.to_str().ok())
        .is_some_and(|host| state.hosts.iter().any(|h| h.eq_ignore_ascii_case(host)))
    {
        "the dashboard holds revenue figures: it is only served at the preview's own address (127.0.0.1, localhost or [::1] with its port)\n"
    } else {
        return None;
    };
    Some((StatusCode::FORBIDDEN, message).into_response())
}

async fn page(
    State(state): State<DashboardState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = refusal(&state, client, &headers) {
        return refused;
    }
    let root = state.root.clone();
    let made = tokio::task::spawn_blocking(move || {
        let network = Network::load(&root)?;
        dashboard(&network, &DashboardOptions::default()).map(|d| render(&d))
    })
    .await;
    match made {
        Ok(Ok(html)) => Html(inject(&html, &script(EVENTS))).into_response(),
        Ok(Err(error)) => {
            let message = escape_html(&error.to_string());
            let html = format!(
                "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Dashboard error</title></head><body><h1>The dashboard cannot be made</h1><pre>{message}</pre></body></html>"
            );
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html(inject(&html, &script(EVENTS))),
            )
                .into_response()
        }
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "the dashboard failed\n").into_response(),
    }
}

async fn events(
    State(state): State<DashboardState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = refusal(&state, client, &headers) {
        return refused;
    }
    let receiver = state.shared.subscribe_dashboard();
    let updates = futures_util::stream::unfold(receiver, |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok(signal) => {
                    let (name, data) = Signal::event(&signal);
                    return Some((
                        Ok::<_, Infallible>(Event::default().event(name).data(data)),
                        receiver,
                    ));
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(updates)
        .keep_alive(KeepAlive::default())
        .into_response()
}

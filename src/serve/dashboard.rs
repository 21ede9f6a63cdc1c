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
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use futures_util::Stream;
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
}

/// The dashboard's routes, for the first port's router.
pub fn routes(root: PathBuf, shared: Arc<Shared>) -> Router {
    Router::new()
        .route(PATH, get(page))
        .route(EVENTS, get(events))
        .with_state(DashboardState { root, shared })
}

async fn page(
    State(state): State<DashboardState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
) -> Response {
    if !client.ip().is_loopback() {
        return (
            StatusCode::FORBIDDEN,
            "the dashboard holds revenue figures: it is only served to this machine\n",
        )
            .into_response();
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
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = state.shared.subscribe_dashboard();
    let updates = futures_util::stream::unfold(receiver, |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok(signal) => {
                    let (name, data) = Signal::event(&signal);
                    return Some((Ok(Event::default().event(name).data(data)), receiver));
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(updates).keep_alive(KeepAlive::default())
}

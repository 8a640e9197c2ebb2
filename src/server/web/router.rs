//! The axum application: Leptos pages and server functions behind the security layers.

use axum::middleware;
use axum::routing::get;
use axum::Router;
use leptos::config::{Env, LeptosOptions};
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;

use super::assets;
use super::audit_http::audit_csv;
use super::fn_context::decode_errors_status;
use super::gate::sign_in_gate;
use super::inbox_http::{inbox_events, media_file};
use super::operations;
use super::page_cache::keep_pages;
use super::passkey_http::{passkey_answer, passkey_request};
use super::security::{same_origin_only, security_headers};
use crate::app::{shell, App};
use crate::paths;
use crate::server::boot::config::Config;
use crate::server::boot::state::AppState;
use crate::server::drivers::simulator::http as simulator_http;
use crate::server::metrics::{self, time_requests};
use crate::server::web::channel_stream::channel_events;

/// The largest request body of a page or server function: the biggest form (the setup
/// wizard's) is a few kilobytes.
pub const BODY_LIMIT: usize = 64 * 1024;

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    let simulator = state.simulator.clone();
    // Installed before the first request, so nothing recorded before a scrape is lost.
    metrics::handle();
    Router::new()
        .route(paths::CHANNEL_EVENTS, get(channel_events))
        .route(paths::INBOX_EVENTS, get(inbox_events))
        .route(paths::MEDIA_ROUTE, get(media_file))
        .route(paths::AUDIT_CSV, get(audit_csv))
        .route(
            paths::PASSKEY_ROUTE,
            get(passkey_request).post(passkey_answer),
        )
        .leptos_routes_with_context(&state, routes, || {}, move || shell(options.clone()))
        .merge(assets::bundle_routes(&state.config.site_root))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        // Pages and server functions: a declared length over the limit is answered 413
        // before a byte of the body is read.
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(middleware::from_fn(decode_errors_status))
        .layer(middleware::from_fn(assets::cache_policy))
        .layer(CompressionLayer::new().compress_when(assets::worth_compressing()))
        // Kept pages are compressed once, when first asked for in each encoding.
        .layer(middleware::from_fn_with_state(state.clone(), keep_pages))
        // The simulator keeps axum's own limit (2 MB of JSON, media included).
        .merge(match simulator {
            Some(sim) => simulator_http::routes(sim),
            None => Router::new(),
        })
        .layer(middleware::from_fn_with_state(state.clone(), sign_in_gate))
        .layer(middleware::from_fn_with_state(
            state.config.public_url.clone(),
            same_origin_only,
        ))
        // Load balancers and scrapers: no sign-in, no first-run redirect, and any host name
        // (they call a server by its own address, not the one users type).
        .merge(operations::routes())
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn(time_requests))
        .with_state(state)
}

pub fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(assets::OUTPUT_NAME)
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(config.site_addr)
        .env(Env::PROD)
        .build()
}

#[cfg(test)]
mod tests;

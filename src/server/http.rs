//! The axum application: Leptos pages and server functions behind the security layers.

use axum::middleware;
use axum::routing::get;
use axum::Router;
use leptos::config::{Env, LeptosOptions};
use leptos_axum::{generate_route_list, LeptosRoutes};

use super::config::Config;
use super::gate::session_gate;
use super::inbox_http::{inbox_events, media_file, MEDIA_PATH};
use super::security::{same_origin_only, security_headers};
use super::simulator_http;
use super::state::AppState;
use super::stream::channel_events;
use crate::api::channels::EVENTS_PATH;
use crate::api::inbox::INBOX_EVENTS_PATH;
use crate::app::{shell, App};

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    let simulator = state.simulator.clone();
    Router::new()
        .route(EVENTS_PATH, get(channel_events))
        .route(INBOX_EVENTS_PATH, get(inbox_events))
        .route(MEDIA_PATH, get(media_file))
        .merge(match simulator {
            Some(sim) => simulator_http::routes(sim),
            None => Router::new(),
        })
        .leptos_routes_with_context(&state, routes, || {}, move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn_with_state(state.clone(), session_gate))
        .layer(middleware::from_fn(same_origin_only))
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

pub fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("aurora")
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(config.site_addr)
        .env(Env::PROD)
        .build()
}

#[cfg(test)]
#[path = "http_tests.rs"]
mod tests;

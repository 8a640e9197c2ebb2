//! Aurora Channels: one crate, rendered on the server (`ssr`) and hydrated in the browser (`hydrate`).
// Leptos view types nest deeply; the release WASM build needs more than the default 128.
#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod components;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod pages;
pub mod paths;
#[cfg(feature = "ssr")]
pub mod server;
pub mod views;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // The pages are lazy parts of the bundle (`app::App`): hydration waits for the part the
    // server rendered before it walks the page.
    leptos::mount::hydrate_lazy(app::App);
}

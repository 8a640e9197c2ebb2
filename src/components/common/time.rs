//! Times as the viewer reads them: in their own time zone, and recent ones relative ("3 min
//! ago"). The server-rendered page shows UTC, so both renderings agree until the browser
//! takes over.

use leptos::prelude::*;

use crate::domain::time::format_utc;

/// A moment in the viewer's time zone ("25/11/2026, 14:30:00").
#[component]
pub fn LocalTime(ms: i64) -> impl IntoView {
    let text = RwSignal::new(format_utc(ms));
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| text.set(local_string(ms)));
    view! { <time datetime=ms.to_string()>{move || text.get()}</time> }
}

/// "just now", "3 min ago", "2 h ago" for the last 12 hours, then the local date and time;
/// kept current while the page is open.
#[component]
pub fn TimeAgo(ms: i64) -> impl IntoView {
    let text = RwSignal::new(format_utc(ms));
    #[cfg(feature = "hydrate")]
    {
        let refresh = move || {
            let now = js_sys::Date::now() as i64;
            let shown = crate::domain::time::relative(now, ms).unwrap_or_else(|| local_string(ms));
            text.try_set(shown);
        };
        Effect::new(move |_| refresh());
        if let Ok(handle) = set_interval_with_handle(refresh, std::time::Duration::from_secs(30)) {
            on_cleanup(move || handle.clear());
        }
    }
    view! { <time datetime=ms.to_string()>{move || text.get()}</time> }
}

#[cfg(feature = "hydrate")]
fn local_string(ms: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    date.to_locale_string("en-GB", &wasm_bindgen::JsValue::UNDEFINED)
        .into()
}

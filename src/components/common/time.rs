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
    {
        let locale = crate::i18n::use_locale();
        Effect::new(move |_| text.set(local_string(ms, locale())));
    }
    view! { <time datetime=ms.to_string()>{move || text.get()}</time> }
}

/// "just now", "3 min ago", "2 h ago" for the last 12 hours, then the local date and time;
/// kept current while the page is open.
#[component]
pub fn TimeAgo(ms: i64) -> impl IntoView {
    let text = RwSignal::new(format_utc(ms));
    #[cfg(feature = "hydrate")]
    {
        let locale = crate::i18n::use_locale();
        let refresh = move |locale: crate::domain::locale::Locale| {
            let now = js_sys::Date::now() as i64;
            let shown = match crate::domain::time::relative(now, ms) {
                Some(ago) => (crate::i18n::texts(locale).ago)(ago),
                None => local_string(ms, locale),
            };
            text.try_set(shown);
        };
        // Redrawn when the language changes, and every half minute.
        Effect::new(move |_| refresh(locale()));
        let tick = move || refresh(untrack(locale));
        if let Ok(handle) = set_interval_with_handle(tick, std::time::Duration::from_secs(30)) {
            on_cleanup(move || handle.clear());
        }
    }
    view! { <time datetime=ms.to_string()>{move || text.get()}</time> }
}

/// A message's clock time, "14:05", in the viewer's time zone (the whole moment on hover).
#[component]
pub fn ClockTime(ms: i64) -> impl IntoView {
    let text = RwSignal::new(crate::domain::time::utc_clock(ms));
    let title = RwSignal::new(format_utc(ms));
    #[cfg(feature = "hydrate")]
    {
        let locale = crate::i18n::use_locale();
        Effect::new(move |_| {
            text.set(local_clock(ms));
            title.set(local_string(ms, locale()));
        });
    }
    view! { <time datetime=ms.to_string() title=move || title.get()>{move || text.get()}</time> }
}

/// "Today", "Yesterday" or the date, above the first message of each day (of the viewer's
/// own days once the browser takes over). Always rendered, hidden when `previous_ms` fell
/// on the same day, so the server's page and the browser's have the same shape.
#[component]
pub fn DaySeparator(ms: i64, previous_ms: Option<i64>) -> impl IntoView {
    use crate::domain::time::{day_name, utc_day};
    let first_of_day =
        move |day: &dyn Fn(i64) -> i64| previous_ms.is_none_or(|p| day(p) != day(ms));
    let shown = RwSignal::new(first_of_day(&utc_day));
    let now = chrono_now();
    let words = crate::i18n::use_texts();
    let named = move |today: i64, day: i64, date: String| match day_name(today, day) {
        Some(name) => words().day(name).to_string(),
        None => date,
    };
    let first = untrack(|| named(utc_day(now), utc_day(ms), format_utc(ms)[..10].into()));
    let text = RwSignal::new(first);
    #[cfg(feature = "hydrate")]
    let locale = crate::i18n::use_locale();
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        shown.set(first_of_day(&local_day));
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
        let options = js_sys::Object::new();
        for (key, value) in [
            ("weekday", "short"),
            ("day", "numeric"),
            ("month", "short"),
            ("year", "numeric"),
        ] {
            let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
        }
        let tag = crate::i18n::date_tag(locale());
        let full: String = date.to_locale_date_string(tag, &options).into();
        text.set(named(
            local_day(js_sys::Date::now() as i64),
            local_day(ms),
            full,
        ));
    });
    view! {
        <li class="day-separator" hidden=move || !shown.get()>
            <span>{move || text.get()}</span>
        </li>
    }
}

/// Now, in ms since the epoch (on the server, its clock; in the browser, the browser's).
fn chrono_now() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    }
}

/// The viewer's local day number of `ms` (days since the epoch, in their time zone).
#[cfg(feature = "hydrate")]
fn local_day(ms: i64) -> i64 {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    let offset_ms = (date.get_timezone_offset() * 60_000.0) as i64;
    (ms - offset_ms).div_euclid(86_400_000)
}

/// "14:30" in the viewer's time zone.
#[cfg(feature = "hydrate")]
pub fn local_clock(ms: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}

#[cfg(feature = "hydrate")]
fn local_string(ms: i64, locale: crate::domain::locale::Locale) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    let tag = crate::i18n::date_tag(locale);
    date.to_locale_string(tag, &wasm_bindgen::JsValue::UNDEFINED)
        .into()
}

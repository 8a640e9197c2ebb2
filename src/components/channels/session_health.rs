//! How a Connected card's session is doing: the health line (last activity, reconnects,
//! or the retry countdown) and the details view with the session's own counters.

use leptos::either::Either;
use leptos::prelude::*;

use crate::api::channels::read_session_details;
use crate::domain::size::format_bytes;
use crate::domain::time::format_utc;
use crate::views::channels::{AccountView, HealthView, SessionDetails};

/// Whole seconds left until `ms` from now, counted down in the browser.
#[component]
pub fn SecondsLeft(ms: u64) -> impl IntoView {
    let remaining = RwSignal::new(ms.div_ceil(1000));
    #[cfg(feature = "hydrate")]
    {
        let deadline = js_sys::Date::now() + ms as f64;
        let tick = move || {
            let left = ((deadline - js_sys::Date::now()) / 1000.0).ceil().max(0.0);
            remaining.set(left as u64);
        };
        if let Ok(handle) = set_interval_with_handle(tick, std::time::Duration::from_millis(250)) {
            on_cleanup(move || handle.clear());
        }
    }
    view! { <span class="seconds">{move || remaining.get()}</span> }
}

fn plural(count: u64, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}

/// "Online · last activity … · 2 reconnects", or the reconnect countdown.
#[component]
pub fn HealthLine(account: RwSignal<AccountView>) -> impl IntoView {
    move || match account.with(|a| a.health.clone()) {
        Some(HealthView::Online {
            last_activity_ms,
            reconnects,
        }) => {
            let activity = last_activity_ms
                .map(|ms| format!(" · last activity {}", format_utc(ms)))
                .unwrap_or_default();
            let line = format!(
                "Online{activity} · {}",
                plural(u64::from(reconnects), "reconnect", "reconnects")
            );
            view! { <p class="health">{line}</p> }.into_any()
        }
        Some(HealthView::Reconnecting {
            attempt,
            retry_in_ms,
            reason,
        }) => {
            let lead = if reason.is_some() {
                "Can't reach WhatsApp — retrying in "
            } else {
                "Connection lost — reconnecting in "
            };
            view! {
                <p class="health reconnecting" role="status">
                    {lead} <SecondsLeft ms=retry_in_ms/> " s (attempt " {attempt} ")"
                </p>
                {reason.map(|r| view! { <p class="hint">{r}</p> })}
            }
            .into_any()
        }
        None => view! { <p class="health">"Connecting to WhatsApp…"</p> }.into_any(),
    }
}

/// "Details": the session's counters, read when opened and on Refresh.
#[component]
pub fn SessionDetailsPanel(id: i64) -> impl IntoView {
    let open = RwSignal::new(false);
    let details = RwSignal::new(None::<Result<SessionDetails, String>>);
    let reading = RwSignal::new(false);
    let read = move || {
        reading.set(true);
        leptos::task::spawn_local(async move {
            let answer = read_session_details(id).await.map_err(|e| e.to_string());
            details.try_set(Some(answer));
            reading.try_set(false);
        });
    };
    let toggle = move |_| {
        let opening = !open.get_untracked();
        open.set(opening);
        if opening {
            read();
        }
    };
    view! {
        <button
            type="button"
            class="link-button"
            aria-expanded=move || open.get().to_string()
            aria-controls=format!("details-{id}")
            on:click=toggle
        >
            {move || if open.get() { "Hide details" } else { "Details" }}
        </button>
        <div id=format!("details-{id}") class="session-details" hidden=move || !open.get()>
            {move || match details.get() {
                Some(Ok(figures)) => Either::Left(figures_list(figures)),
                Some(Err(message)) => Either::Right(view! { <p role="alert">{message}</p> }),
                None => Either::Right(view! { <p role="alert">{"Reading the session's counters…".to_string()}</p> }),
            }}
            <button type="button" on:click=move |_| read() disabled=move || reading.get()>"Refresh"</button>
        </div>
    }
}

fn figures_list(d: SessionDetails) -> impl IntoView {
    let rows = [
        ("Messages received", d.messages_received.to_string()),
        ("Messages sent", d.messages_sent.to_string()),
        ("Frames received", d.frames_received.to_string()),
        ("Frames sent", d.frames_sent.to_string()),
        ("Data received", format_bytes(d.bytes_received as i64)),
        ("Data sent", format_bytes(d.bytes_sent as i64)),
        ("Reconnects", d.reconnects.to_string()),
        (
            "Last activity",
            d.last_activity_ms
                .map(format_utc)
                .unwrap_or_else(|| "none yet".into()),
        ),
        (
            "Memory retained",
            d.retained_bytes
                .map(|b| format_bytes(b as i64))
                .unwrap_or_else(|| "not reported".into()),
        ),
    ];
    view! {
        <dl class="figures">
            {rows.into_iter().map(|(term, value)| view! { <dt>{term}</dt><dd>{value}</dd> }).collect_view()}
        </dl>
    }
}

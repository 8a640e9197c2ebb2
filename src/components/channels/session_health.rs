//! How a Connected card's session is doing: the health line (last activity, reconnects,
//! or the retry countdown) and the details view with the session's own counters.

use leptos::either::Either;
use leptos::prelude::*;

use super::account_card::CardAction;
use super::cards::Cards;
use crate::api::channels::{read_session_details, retry_connection};
use crate::components::common::time::{ClockTime, TimeAgo};
use crate::domain::size::format_bytes;
use crate::views::channels::{AccountView, ChannelUpdate, HealthView, SessionDetails};

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

/// "Importing chats… 12 conversations, 340 messages" while the chats WhatsApp sends after
/// linking come in.
#[component]
pub fn ImportLine(account: RwSignal<AccountView>) -> impl IntoView {
    move || {
        account.with(|a| a.importing).map(|progress| {
            let conversations = plural(progress.conversations, "conversation", "conversations");
            let messages = plural(progress.messages, "message", "messages");
            view! {
                <p class="health importing" role="status">
                    "Importing chats… " {conversations} ", " {messages}
                </p>
            }
        })
    }
}

/// "Online · last activity … · 2 reconnects", or the reconnect countdown.
#[component]
pub fn HealthLine(account: RwSignal<AccountView>) -> impl IntoView {
    move || match account.with(|a| a.health.clone()) {
        Some(HealthView::Online {
            last_activity_ms,
            reconnects,
            unaccepted_since_ms,
        }) => {
            let activity = last_activity_ms.map(|ms| view! { " · last activity " <TimeAgo ms/> });
            let reconnects = plural(u64::from(reconnects), "reconnect", "reconnects");
            // "Online" alone would be the lie peers' users complain of: the socket is up
            // and WhatsApp takes nothing.
            let unaccepted = unaccepted_since_ms.map(|ms| {
                view! {
                    <p class="health unaccepted" role="alert">
                        "⚠ Messages aren't being accepted by WhatsApp (since " <ClockTime ms/> ")"
                    </p>
                    <p class="hint">{UNACCEPTED_HINT}</p>
                }
            });
            view! {
                <p class="health">"Online" {activity} " · " {reconnects}</p>
                {unaccepted}
            }
            .into_any()
        }
        Some(HealthView::Reconnecting {
            attempt,
            retry_in_ms,
            reason,
        }) => {
            // The driver's own words stay in the server log: the card says what it means.
            let outdated = account.with_untracked(|a| a.client_outdated);
            let lead = match reason {
                Some(_) => lead(outdated),
                None => "Connection lost — reconnecting in ",
            };
            let id = account.with_untracked(|a| a.id);
            view! {
                <p class="health reconnecting" role="status">
                    {lead} <SecondsLeft ms=retry_in_ms/> " s (attempt " {attempt} ")"
                </p>
                {unreachable_hint(outdated)}
                <RetryNow id/>
            }
            .into_any()
        }
        None => view! { <p class="health">"Connecting to WhatsApp…"</p> }.into_any(),
    }
}

/// The start of a card's retry countdown when WhatsApp can't be reached; a version
/// refusal is explained once, above the cards.
pub fn lead(client_outdated: bool) -> &'static str {
    if client_outdated {
        "Waiting for a server update (see above) — next try in "
    } else {
        "Can't reach WhatsApp — retrying in "
    }
}

/// What a card whose messages WhatsApp doesn't accept adds to the warning.
pub const UNACCEPTED_HINT: &str = "Replies sent meanwhile are marked Not confirmed. The warning clears as soon as WhatsApp accepts a message; if it lasts, link the number again.";

/// What a card that cannot reach WhatsApp adds to the countdown; a refused version is
/// not a connection problem, and the banner above the cards already says what to do.
pub fn unreachable_hint(client_outdated: bool) -> impl IntoView {
    (!client_outdated).then_some(view! {
        <p class="hint">
            "Aurora keeps trying by itself. If this lasts, check this server's internet connection."
        </p>
    })
}

/// **Retry now**: the next attempt at once instead of after the countdown.
#[component]
pub fn RetryNow(id: i64) -> impl IntoView {
    let cards = expect_context::<Cards>();
    let action = CardAction::new();
    let retry = move |_| {
        action.run(cards, move || async move {
            retry_connection(id).await.map(ChannelUpdate::Upsert)
        })
    };
    view! {
        <button type="button" on:click=retry disabled=move || action.pending.get()>"Retry now"</button>
        {action.error_view()}
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
    let last_activity = match d.last_activity_ms {
        Some(ms) => view! { <TimeAgo ms/> }.into_any(),
        None => "none yet".into_any(),
    };
    let rows = [
        ("Messages received", d.messages_received.to_string()),
        ("Messages sent", d.messages_sent.to_string()),
        ("Frames received", d.frames_received.to_string()),
        ("Frames sent", d.frames_sent.to_string()),
        ("Data received", format_bytes(d.bytes_received as i64)),
        ("Data sent", format_bytes(d.bytes_sent as i64)),
        ("Reconnects", d.reconnects.to_string()),
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
            <dt>"Last activity"</dt><dd>{last_activity}</dd>
        </dl>
    }
}

//! How a Connected card's session is doing: the health line (last activity, reconnects,
//! or the retry countdown) and the details view with the session's own counters and its
//! last 24 hours of messages.

use leptos::either::Either;
use leptos::prelude::*;

use super::account_card::CardAction;
use super::activity_chart::ActivityChart;
use super::cards::Cards;
use crate::api::channels::{read_session_details, retry_connection};
use crate::components::common::disclosure::Disclosure;
use crate::components::common::time::{ClockTime, TimeAgo};
use crate::domain::locale::{format_integer, Locale};
use crate::domain::size::format_bytes;
use crate::i18n::channels::ChannelTexts;
use crate::i18n::{error_text, use_locale, use_texts, word};
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

/// "Importing chats… 12 conversations, 340 messages" while the chats WhatsApp sends after
/// linking come in.
#[component]
pub fn ImportLine(account: RwSignal<AccountView>) -> impl IntoView {
    let words = use_texts();
    move || {
        account.with(|a| a.importing).map(|progress| {
            let line = (words().channels.importing)(progress.conversations, progress.messages);
            view! { <p class="health importing" role="status">{line}</p> }
        })
    }
}

/// "Online · last activity … · 2 reconnects", or the reconnect countdown.
#[component]
pub fn HealthLine(account: RwSignal<AccountView>) -> impl IntoView {
    let words = use_texts();
    move || match (account.with(|a| a.health.clone()), words().channels) {
        (
            Some(HealthView::Online {
                last_activity_ms,
                reconnects,
                unaccepted_since_ms,
            }),
            t,
        ) => {
            let activity = last_activity_ms.map(|ms| view! { {t.last_activity} <TimeAgo ms/> });
            let reconnects = (t.reconnects)(u64::from(reconnects));
            // "Online" alone would be the lie peers' users complain of: the socket is up
            // and WhatsApp takes nothing.
            let unaccepted = unaccepted_since_ms.map(|ms| {
                view! {
                    <p class="health unaccepted" role="alert">
                        {t.unaccepted} <ClockTime ms/> ")"
                    </p>
                    <p class="hint">{t.unaccepted_hint}</p>
                }
            });
            view! {
                <p class="health">{t.online} {activity} " · " {reconnects}</p>
                {unaccepted}
            }
            .into_any()
        }
        (
            Some(HealthView::Reconnecting {
                attempt,
                retry_in_ms,
                reason,
            }),
            t,
        ) => {
            // The driver's own words stay in the server log: the card says what it means.
            let outdated = account.with_untracked(|a| a.client_outdated);
            let lead = match reason {
                Some(_) => lead(t, outdated),
                None => t.connection_lost,
            };
            let id = account.with_untracked(|a| a.id);
            view! {
                <p class="health reconnecting" role="status">
                    {lead} <SecondsLeft ms=retry_in_ms/> {(t.attempt)(attempt)}
                </p>
                {unreachable_hint(t, outdated)}
                <RetryNow id/>
            }
            .into_any()
        }
        (None, t) => view! { <p class="health">{t.connecting_to_whatsapp}</p> }.into_any(),
    }
}

/// The start of a card's retry countdown when WhatsApp can't be reached; a version
/// refusal is explained once, above the cards.
pub fn lead(t: &ChannelTexts, client_outdated: bool) -> &'static str {
    if client_outdated {
        t.waiting_for_update
    } else {
        t.unreachable
    }
}

/// What a card that cannot reach WhatsApp adds to the countdown; a refused version is
/// not a connection problem, and the banner above the cards already says what to do.
pub fn unreachable_hint(t: &ChannelTexts, client_outdated: bool) -> impl IntoView {
    (!client_outdated).then_some(view! { <p class="hint">{t.unreachable_hint}</p> })
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
        <button type="button" on:click=retry disabled=move || action.pending.get()>{word(|t| t.channels.retry_now)}</button>
        {action.error_view()}
    }
}

/// "Details": the session's counters, read each time it is opened and on Refresh; their
/// code is fetched the first time.
#[component]
pub fn SessionDetailsPanel(id: i64) -> impl IntoView {
    // Moved on each opening: the figures are read afresh each time.
    let reread = RwSignal::new(0u32);
    view! {
        <Disclosure
            region_id=format!("details-{id}")
            class="session-details"
            show=word(|t| t.channels.details)
            hide=word(|t| t.channels.hide_details)
            open=RwSignal::new(false)
            reread
        >
            {move || Suspend::new(session_figures(id, reread))}
        </Disclosure>
    }
}

#[lazy]
fn session_figures(id: i64, reread: RwSignal<u32>) -> AnyView {
    view! { <SessionFigures id reread/> }.into_any()
}

#[component]
fn SessionFigures(id: i64, reread: RwSignal<u32>) -> impl IntoView {
    let words = use_texts();
    let locale = use_locale();
    let details = RwSignal::new(None::<Result<SessionDetails, String>>);
    let reading = RwSignal::new(false);
    let read = move || {
        reading.set(true);
        leptos::task::spawn_local(async move {
            let answer = read_session_details(id).await.map_err(|e| error_text(&e));
            details.try_set(Some(answer));
            reading.try_set(false);
        });
    };
    Effect::new(move |_| {
        reread.track();
        read();
    });
    view! {
        {move || match (details.get(), words().channels) {
            (Some(Ok(figures)), t) => Either::Left(figures_list(t, locale(), figures)),
            (Some(Err(message)), _) => Either::Right(view! { <p role="alert">{message}</p> }),
            (None, t) => Either::Right(view! { <p role="alert">{t.reading_counters.to_string()}</p> }),
        }}
        <button type="button" on:click=move |_| read() disabled=move || reading.get()>{word(|t| t.channels.refresh)}</button>
    }
}

fn figures_list(t: &ChannelTexts, locale: Locale, d: SessionDetails) -> impl IntoView {
    let last_activity = match d.last_activity_ms {
        Some(ms) => view! { <TimeAgo ms/> }.into_any(),
        None => t.none_yet.into_any(),
    };
    let memory = d
        .retained_bytes
        .map(|b| format_bytes(b as i64, locale))
        .unwrap_or_else(|| t.not_reported.into());
    let values = [
        format_integer(d.messages_received as i64, locale),
        format_integer(d.messages_sent as i64, locale),
        format_integer(d.frames_received as i64, locale),
        format_integer(d.frames_sent as i64, locale),
        format_bytes(d.bytes_received as i64, locale),
        format_bytes(d.bytes_sent as i64, locale),
        format_integer(d.reconnects as i64, locale),
        memory,
    ];
    let (inbound, outbound) = d.hourly.totals();
    let day = (crate::i18n::activity::texts(locale).day)(inbound, outbound);
    view! {
        <dl class="figures">
            {t.figures.iter().zip(values).map(|(term, value)| view! { <dt>{*term}</dt><dd>{value}</dd> }).collect_view()}
            <dt>{t.figures[8]}</dt><dd>{last_activity}</dd>
        </dl>
        <ActivityChart activity=d.hourly caption=day/>
    }
}

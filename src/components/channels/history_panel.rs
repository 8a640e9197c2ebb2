//! A card's **History**: the channel's events, newest first, read when opened, followed by
//! older ones on request, and read again whenever the card changes while it is open.
//!
//! The reading lives with the card; only the list's code is a lazy part, fetched the first
//! time a History is opened.

use leptos::prelude::*;

use crate::api::activity::channel_history;
use crate::components::common::time::TimeAgo;
use crate::i18n::activity::{use_activity_texts, word as act_word, EventWords};
use crate::i18n::error_text;
use crate::views::activity::HistoryEntry;
use crate::views::channels::AccountView;

/// What the History shows: the entries read so far, and how the last read went.
#[derive(Clone, Copy)]
struct Shown {
    entries: RwSignal<Vec<HistoryEntry>>,
    more: RwSignal<bool>,
    error: RwSignal<Option<String>>,
    reading: RwSignal<bool>,
}

#[component]
pub fn HistoryPanel(account: RwSignal<AccountView>) -> impl IntoView {
    let act = use_activity_texts();
    let id = account.get_untracked().id;
    let open = RwSignal::new(false);
    let opened = RwSignal::new(false);
    let shown = Shown {
        entries: RwSignal::new(Vec::new()),
        more: RwSignal::new(false),
        error: RwSignal::new(None),
        reading: RwSignal::new(false),
    };
    // `before`: none reads the newest page afresh, an id appends the page older than it.
    let read = move |before: Option<i64>| {
        shown.reading.set(true);
        leptos::task::spawn_local(async move {
            match channel_history(id, before).await {
                Ok(page) => {
                    shown.entries.update(|entries| match before {
                        Some(_) => entries.extend(page.entries),
                        None => *entries = page.entries,
                    });
                    shown.more.set(page.more);
                    shown.error.set(None);
                }
                Err(e) => shown.error.set(Some(error_text(&e))),
            }
            shown.reading.try_set(false);
        });
    };
    // The card changed (a status, a reconnect, a save): the history has a new entry.
    Effect::new(move |seen: Option<u64>| {
        let revision = account.with(|a| a.revision);
        if open.get_untracked() && seen.is_some_and(|seen| seen != revision) {
            read(None);
        }
        revision
    });
    let toggle = move |_| {
        let opening = !open.get_untracked();
        open.set(opening);
        opened.set(true);
        if opening {
            read(None);
        }
    };
    let older =
        Callback::new(move |_| read(shown.entries.with_untracked(|e| e.last().map(|e| e.id))));
    view! {
        <button
            type="button"
            class="link-button"
            aria-expanded=move || open.get().to_string()
            aria-controls=format!("history-{id}")
            on:click=toggle
        >
            {move || if open.get() { act().hide_history } else { act().history }}
        </button>
        <section id=format!("history-{id}") class="history" hidden=move || !open.get() aria-label=act_word(|t| t.history)>
            <Show when=move || opened.get()>
                <Suspense>{move || Suspend::new(history_entries(shown, older))}</Suspense>
            </Show>
        </section>
    }
}

#[lazy]
fn history_entries(shown: Shown, older: Callback<()>) -> AnyView {
    view! { <HistoryEntries shown older/> }.into_any()
}

#[component]
fn HistoryEntries(shown: Shown, older: Callback<()>) -> impl IntoView {
    let act = use_activity_texts();
    let Shown {
        entries,
        more,
        error,
        reading,
    } = shown;
    view! {
        {move || error.get().map(|message| view! { <p role="alert">{message}</p> })}
        <ol class="events" aria-live="polite">
            <For each=move || entries.get() key=|e| e.id let:entry>
                <li>
                    <span>{move || (act().event)(&EventWords {
                        event: &entry.event,
                        reason: entry.reason.as_deref(),
                        by: entry.by.as_deref(),
                        details: entry.details.as_deref(),
                    })}</span>
                    " · "
                    <TimeAgo ms=entry.at_ms/>
                </li>
            </For>
        </ol>
        <p class="muted" hidden=move || reading.get() || !entries.with(Vec::is_empty)>
            {act_word(|t| t.no_history)}
        </p>
        <button type="button" hidden=move || !more.get() on:click=move |_| older.run(()) disabled=move || reading.get()>
            {act_word(|t| t.older)}
        </button>
    }
}

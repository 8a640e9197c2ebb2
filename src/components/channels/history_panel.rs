//! A card's **History**: the channel's events, newest first, read when opened, followed by
//! older ones on request, and read again whenever the card changes while it is open.
//!
//! The reading lives with the card; only the list's code is a lazy part, fetched the first
//! time a History is opened.

use leptos::prelude::*;

use crate::api::activity::channel_history;
use crate::components::common::disclosure::Disclosure;
use crate::components::common::time::TimeAgo;
use crate::i18n::activity::{event as act_event, word as act_word, EventWords};
use crate::i18n::error_text;
use crate::i18n::use_locale;
use crate::views::activity::HistoryEntry;
use crate::views::channels::AccountView;

#[component]
pub fn HistoryPanel(account: RwSignal<AccountView>) -> impl IntoView {
    let id = account.get_untracked().id;
    let open = RwSignal::new(false);
    // Moved on each opening, and while open on each change of the card (a status, a
    // reconnect, a save: the history has a new entry); the list reads afresh each time.
    let reread = RwSignal::new(0u32);
    Effect::new(move |seen: Option<u64>| {
        let revision = account.with(|a| a.revision);
        if open.get_untracked() && seen.is_some_and(|seen| seen != revision) {
            reread.update(|n| *n += 1);
        }
        revision
    });
    view! {
        <Disclosure
            region_id=format!("history-{id}")
            class="history"
            show=act_word(|t| t.history)
            hide=act_word(|t| t.hide_history)
            open
            reread
        >
            {move || Suspend::new(history_entries(id, reread))}
        </Disclosure>
    }
}

#[lazy]
fn history_entries(id: i64, reread: RwSignal<u32>) -> AnyView {
    view! { <HistoryEntries id reread/> }.into_any()
}

#[component]
fn HistoryEntries(id: i64, reread: RwSignal<u32>) -> impl IntoView {
    let locale = use_locale();
    let entries = RwSignal::new(Vec::<HistoryEntry>::new());
    let more = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let reading = RwSignal::new(false);
    // `before`: none reads the newest page afresh, an id appends the page older than it.
    let read = move |before: Option<i64>| {
        reading.set(true);
        leptos::task::spawn_local(async move {
            match channel_history(id, before).await {
                Ok(page) => {
                    entries.update(|shown| match before {
                        Some(_) => shown.extend(page.entries),
                        None => *shown = page.entries,
                    });
                    more.set(page.more);
                    error.set(None);
                }
                Err(e) => error.set(Some(error_text(&e))),
            }
            reading.try_set(false);
        });
    };
    Effect::new(move |_| {
        reread.track();
        read(None);
    });
    let older = move |_| read(entries.with_untracked(|e| e.last().map(|e| e.id)));
    view! {
        {move || error.get().map(|message| view! { <p role="alert">{message}</p> })}
        <ol class="events" aria-live="polite">
            <For each=move || entries.get() key=|e| e.id let:entry>
                <li>
                    <span>{move || act_event(locale(), &EventWords {
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
        <button type="button" hidden=move || !more.get() on:click=older disabled=move || reading.get()>
            {act_word(|t| t.older)}
        </button>
    }
}
